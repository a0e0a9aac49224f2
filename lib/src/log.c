#include "ocx/log.h"
#include "ocx/buf.h"
#include "ocx/macro.h"
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static const char *prog = "ocx";
static int min_level = OCX_LOG_INFO;
static int json_format;

void ocx_log_init(const char *progname) {
        const char *lvl = getenv("OCX_LOG_LEVEL"), *fmt = getenv("OCX_LOG_FORMAT");
        prog = progname;
        if (ocx_streq(lvl, "debug")) min_level = OCX_LOG_DEBUG;
        else if (ocx_streq(lvl, "warn")) min_level = OCX_LOG_WARN;
        else if (ocx_streq(lvl, "error")) min_level = OCX_LOG_ERROR;
        json_format = ocx_streq(fmt, "json");
}

static void json_escape(ocx_buf *b, const char *s) {
        for (; *s; s++) {
                unsigned char c = (unsigned char)*s;
                if (c == '"' || c == '\\') ocx_buf_printf(b, "\\%c", c);
                else if (c < 0x20) ocx_buf_printf(b, "\\u%04x", c);
                else ocx_buf_append(b, s, 1);
        }
}

void ocx_log(int level, const char *fmt, ...) {
        static const char *names[] = {"debug", "info", "warn", "error"};
        if (level < min_level) return;
        char msg[2048], ts[40];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        struct timespec now;
        struct tm tm;
        clock_gettime(CLOCK_REALTIME, &now);
        gmtime_r(&now.tv_sec, &tm);
        strftime(ts, 21, "%Y-%m-%dT%H:%M:%S", &tm);
        snprintf(ts + 19, sizeof(ts) - 19, ".%03ldZ", now.tv_nsec / 1000000);
        ocx_buf b = OCX_BUF_INIT;
        if (json_format) {
                ocx_buf_printf(&b, "{\"ts\":\"%s\",\"level\":\"%s\",\"prog\":\"%s\",\"msg\":\"", ts,
                               names[level], prog);
                json_escape(&b, msg);
                ocx_buf_puts(&b, "\"}\n");
        } else {
                ocx_buf_printf(&b, "%s %s %s: %s\n", ts, names[level], prog, msg);
        }
        (void)!fwrite(b.data, 1, b.len, stderr);
        ocx_buf_release(&b);
}
