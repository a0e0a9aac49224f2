/* scc — field errors and aggregation (apimachinery rendering). */
#include "scc/errlist.h"
#include <stdio.h>
#include <string.h>
#include "ocx/buf.h"
#include "ocx/macro.h"
#include "ocx/banned.h"

void scc_errlist_init(scc_errlist *l) { *l = (scc_errlist)SCC_ERRLIST_INIT; }

void scc_errlist_release(scc_errlist *l) {
        for (size_t i = 0; i < l->n; i++) {
                free(l->v[i].field);
                free(l->v[i].text);
        }
        free(l->v);
        scc_errlist_init(l);
}

static void push(scc_errlist *l, char *field, char *text) {
        if (l->n == l->alloc) {
                l->alloc = l->alloc ? l->alloc * 2 : 8;
                l->v = ocx_xrealloc(l->v, l->alloc * sizeof(*l->v));
        }
        l->v[l->n].field = field;
        l->v[l->n].text = text;
        l->n++;
}

void scc_errlist_add(scc_errlist *l, scc_err_type t, const char *field, const char *value,
                     const char *detail) {
        ocx_buf b = OCX_BUF_INIT;
        ocx_buf_printf(&b, "%s: ", field);
        switch (t) {
        case SCC_ERR_REQUIRED:
                ocx_buf_puts(&b, "Required value");
                break;
        case SCC_ERR_FORBIDDEN:
                ocx_buf_puts(&b, "Forbidden");
                break;
        case SCC_ERR_INVALID:
                ocx_buf_printf(&b, "Invalid value: %s", value ? value : "\"null\"");
                break;
        case SCC_ERR_NOT_SUPPORTED:
                ocx_buf_printf(&b, "Unsupported value: %s", value ? value : "\"null\"");
                break;
        }
        if (detail && *detail) ocx_buf_printf(&b, ": %s", detail);
        push(l, ocx_xstrdup(field), ocx_buf_detach(&b, NULL));
}

void scc_errlist_add_text(scc_errlist *l, const char *text) {
        push(l, ocx_xstrdup(""), ocx_xstrdup(text));
}

void scc_errlist_move(scc_errlist *dst, scc_errlist *src) {
        for (size_t i = 0; i < src->n; i++) push(dst, src->v[i].field, src->v[i].text);
        free(src->v);
        scc_errlist_init(src);
}

char *scc_errlist_aggregate(const scc_errlist *l) {
        if (l->n == 0) return ocx_xstrdup("<nil>");
        ocx_buf b = OCX_BUF_INIT;
        size_t unique = 0;
        const char *first = NULL;
        for (size_t i = 0; i < l->n; i++) {
                bool seen = false;
                for (size_t j = 0; j < i && !seen; j++) seen = strcmp(l->v[j].text, l->v[i].text) == 0;
                if (seen) continue;
                if (unique++ == 0) first = l->v[i].text;
                ocx_buf_printf(&b, "%s%s", unique > 1 ? ", " : "", l->v[i].text);
        }
        if (unique == 1) {
                ocx_buf_release(&b);
                return ocx_xstrdup(first);
        }
        char *inner = ocx_buf_detach(&b, NULL);
        char *r = ocx_xasprintf("[%s]", inner);
        free(inner);
        return r;
}

char *scc_errlist_raw(const scc_errlist *l) {
        ocx_buf b = OCX_BUF_INIT;
        ocx_buf_puts(&b, "[");
        for (size_t i = 0; i < l->n; i++) ocx_buf_printf(&b, "%s%s", i ? " " : "", l->v[i].text);
        ocx_buf_puts(&b, "]");
        return ocx_buf_detach(&b, NULL);
}

/* Go strconv.Quote for the common cases: printable bytes and UTF-8 pass
 * through, the usual escapes, other control bytes as \xNN. */
char *scc_val_quote(const char *s) {
        ocx_buf b = OCX_BUF_INIT;
        ocx_buf_puts(&b, "\"");
        for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
                switch (*p) {
                case '"': ocx_buf_puts(&b, "\\\""); break;
                case '\\': ocx_buf_puts(&b, "\\\\"); break;
                case '\a': ocx_buf_puts(&b, "\\a"); break;
                case '\b': ocx_buf_puts(&b, "\\b"); break;
                case '\f': ocx_buf_puts(&b, "\\f"); break;
                case '\n': ocx_buf_puts(&b, "\\n"); break;
                case '\r': ocx_buf_puts(&b, "\\r"); break;
                case '\t': ocx_buf_puts(&b, "\\t"); break;
                case '\v': ocx_buf_puts(&b, "\\v"); break;
                default:
                        if (*p < 0x20 || *p == 0x7f) ocx_buf_printf(&b, "\\x%02x", *p);
                        else ocx_buf_append(&b, p, 1);
                }
        }
        ocx_buf_puts(&b, "\"");
        return ocx_buf_detach(&b, NULL);
}

char *scc_val_int(int64_t v) { return ocx_xasprintf("%lld", (long long)v); }
char *scc_val_bool(bool v) { return ocx_xstrdup(v ? "true" : "false"); }
char *scc_val_null(void) { return ocx_xstrdup("\"null\""); }

char *scc_val_int_slice(const int64_t *v, size_t n, bool is_nil) {
        if (is_nil) return ocx_xstrdup("[]int64(nil)");
        ocx_buf b = OCX_BUF_INIT;
        ocx_buf_puts(&b, "[]int64{");
        for (size_t i = 0; i < n; i++) ocx_buf_printf(&b, "%s%lld", i ? ", " : "", (long long)v[i]);
        ocx_buf_puts(&b, "}");
        return ocx_buf_detach(&b, NULL);
}

char *scc_val_str_slice(const char *type, const char *const *v, size_t n, bool is_nil) {
        if (is_nil) return ocx_xasprintf("[]%s(nil)", type);
        ocx_buf b = OCX_BUF_INIT;
        ocx_buf_printf(&b, "[]%s{", type);
        for (size_t i = 0; i < n; i++) {
                char *q = scc_val_quote(v[i]);
                ocx_buf_printf(&b, "%s%s", i ? ", " : "", q);
                free(q);
        }
        ocx_buf_puts(&b, "}");
        return ocx_buf_detach(&b, NULL);
}
