/* ocx — tabwriter (see cli/tabwriter.h); mirrors Go's text/tabwriter format(). */
#include "cli/tabwriter.h"
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include "ocx/macro.h"
#include "ocx/banned.h"

typedef struct cell {
        const char *text;
        size_t len, width;
} cell;

typedef struct line {
        cell *cells;
        size_t n;
} line;

typedef struct fmt_state {
        line *lines;
        size_t nlines;
        int *widths;
        size_t nwidths;
        int minwidth, padding;
        ocx_buf *out;
} fmt_state;

size_t cli_text_width(const char *s, size_t len) {
        size_t w = 0;
        for (size_t i = 0; i < len; i++)
                if (((unsigned char)s[i] & 0xC0) != 0x80) w++;
        return w;
}

void cli_tabwriter_init(cli_tabwriter *tw, int minwidth, int padding) {
        tw->minwidth = minwidth;
        tw->padding = padding;
        ocx_buf_init(&tw->pending, 0);
}

void cli_tabwriter_release(cli_tabwriter *tw) { ocx_buf_release(&tw->pending); }

void cli_tabwriter_write(cli_tabwriter *tw, const char *text) { ocx_buf_puts(&tw->pending, text); }

void cli_tabwriter_printf(cli_tabwriter *tw, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        ocx_buf_vprintf(&tw->pending, fmt, ap);
        va_end(ap);
}

static void pad(ocx_buf *out, size_t n) {
        for (size_t i = 0; i < n; i++) ocx_buf_append(out, " ", 1);
}

static void write_lines(fmt_state *st, size_t l0, size_t l1) {
        for (size_t i = l0; i < l1; i++) {
                line *ln = &st->lines[i];
                for (size_t j = 0; j < ln->n; j++) {
                        cell *c = &ln->cells[j];
                        ocx_buf_append(st->out, c->text, c->len);
                        if (j < st->nwidths && (size_t)st->widths[j] > c->width)
                                pad(st->out, (size_t)st->widths[j] - c->width);
                }
                if (i + 1 < st->nlines || ln->n > 0) ocx_buf_append(st->out, "\n", 1);
        }
}

static void format(fmt_state *st, size_t line0, size_t line1) {
        size_t column = st->nwidths;
        for (size_t t = line0; t < line1; t++) {
                if (column + 1 >= st->lines[t].n) continue;
                write_lines(st, line0, t);
                line0 = t;
                int width = st->minwidth;
                for (; t < line1; t++) {
                        line *ln = &st->lines[t];
                        if (column + 1 >= ln->n) break;
                        int w = (int)ln->cells[column].width + st->padding;
                        if (w > width) width = w;
                }
                st->widths[st->nwidths++] = width;
                format(st, line0, t);
                st->nwidths--;
                line0 = t;
                t--; /* the loop increments; re-examine line t */
        }
        write_lines(st, line0, line1);
}

void cli_tabwriter_flush(cli_tabwriter *tw, ocx_buf *out) {
        char *text = tw->pending.data ? tw->pending.data : (char *)"";
        size_t len = tw->pending.len;
        /* a trailing newline terminates the last line; it is not an extra line */
        bool trailing_nl = len > 0 && text[len - 1] == '\n';
        size_t nlines = 1, maxcells = 1;
        for (size_t i = 0; i < len; i++)
                if (text[i] == '\n') nlines++;
        if (trailing_nl) nlines--;
        if (len == 0) nlines = 0;
        line *lines = ocx_xcalloc(nlines ? nlines : 1, sizeof(line));
        size_t p = 0;
        for (size_t li = 0; li < nlines; li++) {
                size_t e = p;
                while (e < len && text[e] != '\n') e++;
                size_t nc = 1;
                for (size_t k = p; k < e; k++)
                        if (text[k] == '\t') nc++;
                if (nc > maxcells) maxcells = nc;
                lines[li].cells = ocx_xcalloc(nc, sizeof(cell));
                lines[li].n = nc;
                size_t cs = p, ci = 0;
                for (size_t k = p; k <= e; k++) {
                        if (k == e || text[k] == '\t') {
                                lines[li].cells[ci].text = text + cs;
                                lines[li].cells[ci].len = k - cs;
                                lines[li].cells[ci].width = cli_text_width(text + cs, k - cs);
                                ci++;
                                cs = k + 1;
                        }
                }
                p = e + 1;
        }
        fmt_state st = {.lines = lines, .nlines = nlines, .minwidth = tw->minwidth,
                        .padding = tw->padding, .out = out};
        st.widths = ocx_xcalloc(maxcells, sizeof(int));
        format(&st, 0, nlines);
        if (nlines > 0 && !trailing_nl && out->len > 0 && out->data[out->len - 1] == '\n') {
                out->len--;
                out->data[out->len] = 0;
        }
        for (size_t i = 0; i < nlines; i++) free(lines[i].cells);
        free(lines);
        free(st.widths);
        ocx_buf_reset(&tw->pending);
}
