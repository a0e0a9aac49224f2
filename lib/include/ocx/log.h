/* ocx — logging to stderr: text lines or JSON lines (OCX_LOG_FORMAT=json),
 * level from OCX_LOG_LEVEL (debug|info|warn|error; default info). Only the
 * edge logs; libraries return errors. Never log secrets. */
#pragma once

enum { OCX_LOG_DEBUG, OCX_LOG_INFO, OCX_LOG_WARN, OCX_LOG_ERROR };

void ocx_log_init(const char *progname);
void ocx_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define log_debug(...) ocx_log(OCX_LOG_DEBUG, __VA_ARGS__)
#define log_info(...) ocx_log(OCX_LOG_INFO, __VA_ARGS__)
#define log_warn(...) ocx_log(OCX_LOG_WARN, __VA_ARGS__)
#define log_error(...) ocx_log(OCX_LOG_ERROR, __VA_ARGS__)
