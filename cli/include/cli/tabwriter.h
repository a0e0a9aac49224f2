/* ocx — Go text/tabwriter semantics (what kubectl prints through): text is
 * cut into cells at '\t'; a cell that is tab-terminated belongs to a column;
 * the last cell of a line does not and is written unpadded. A column block is
 * a run of consecutive lines that all have a tab-terminated cell in that
 * column; its width is max(minwidth, widest cell + padding). Widths count
 * UTF-8 code points. */
#pragma once
#include <stddef.h>
#include "ocx/buf.h"

typedef struct cli_tabwriter {
        int minwidth, padding;
        ocx_buf pending; /* text not yet formatted */
} cli_tabwriter;

void cli_tabwriter_init(cli_tabwriter *tw, int minwidth, int padding);
void cli_tabwriter_release(cli_tabwriter *tw);
/* Appends text (cells separated by '\t', lines by '\n'). */
void cli_tabwriter_write(cli_tabwriter *tw, const char *text);
void cli_tabwriter_printf(cli_tabwriter *tw, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Formats everything written so far into out and resets. */
void cli_tabwriter_flush(cli_tabwriter *tw, ocx_buf *out);
/* Number of code points of s (invalid bytes count one each). */
size_t cli_text_width(const char *s, size_t len);
