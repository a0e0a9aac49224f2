/* ocx — the kubectl jsonpath subset used by `get -o jsonpath=...`. Missing
 * keys print nothing (kubectl sets AllowMissingKeys for get). */
#include <ctype.h>
#include <stdio.h>
#include "cli/printer.h"
#include "ocx/json.h"
#include "ocx/banned.h"

typedef enum { SEG_TEXT, SEG_PATH, SEG_RANGE, SEG_END, SEG_LITERAL } seg_kind;

typedef struct seg {
        seg_kind kind;
        char *text;
} seg;

typedef struct nodes {
        const cJSON **v;
        size_t n, alloc;
} nodes;

static void nodes_add(nodes *ns, const cJSON *j) {
        if (ns->n == ns->alloc) {
                ns->alloc = ns->alloc ? ns->alloc * 2 : 8;
                ns->v = ocx_xrealloc(ns->v, ns->alloc * sizeof(*ns->v));
        }
        ns->v[ns->n++] = j;
}

static char *trim(const char *s, size_t n) {
        while (n > 0 && isspace((unsigned char)*s)) s++, n--;
        while (n > 0 && isspace((unsigned char)s[n - 1])) n--;
        return ocx_xstrndup(s, n);
}

static int parse_template(const char *t, seg **ret, size_t *ret_n, ocx_error **reterr) {
        seg *v = NULL;
        size_t n = 0;
        const char *p = t;
        while (*p) {
                v = ocx_xrealloc(v, (n + 1) * sizeof(seg));
                if (*p != '{') {
                        size_t l = strcspn(p, "{");
                        v[n].kind = SEG_TEXT;
                        v[n++].text = ocx_xstrndup(p, l);
                        p += l;
                        continue;
                }
                const char *q = p + 1;
                char quote = 0;
                while (*q && (quote || *q != '}')) {
                        if (quote && *q == '\\' && q[1]) q++;
                        else if (quote && *q == quote) quote = 0;
                        else if (!quote && (*q == '"' || *q == '\'')) quote = *q;
                        q++;
                }
                if (!*q) {
                        for (size_t i = 0; i < n; i++) free(v[i].text);
                        free(v);
                        return ocx_error_set(reterr, EINVAL, NULL, "unclosed action");
                }
                char *inner = trim(p + 1, (size_t)(q - p - 1));
                if (ocx_startswith(inner, "range ")) {
                        v[n].kind = SEG_RANGE;
                        v[n].text = trim(inner + 6, strlen(inner + 6));
                        free(inner);
                } else if (strcmp(inner, "end") == 0) {
                        v[n].kind = SEG_END;
                        v[n].text = inner;
                } else if (inner[0] == '"' || inner[0] == '\'') {
                        ocx_buf b = OCX_BUF_INIT;
                        for (const char *c = inner + 1; *c && *c != inner[0]; c++) {
                                if (*c == '\\' && c[1]) {
                                        c++;
                                        char e = *c == 'n' ? '\n' : *c == 't' ? '\t' : *c == 'r' ? '\r' : *c;
                                        ocx_buf_append(&b, &e, 1);
                                } else {
                                        ocx_buf_append(&b, c, 1);
                                }
                        }
                        v[n].kind = SEG_LITERAL;
                        v[n].text = ocx_buf_detach(&b, NULL);
                        free(inner);
                } else {
                        v[n].kind = SEG_PATH;
                        v[n].text = inner;
                }
                n++;
                p = q + 1;
        }
        *ret = v;
        *ret_n = n;
        return 0;
}

static void descend_all(const cJSON *j, nodes *out) {
        const cJSON *c;
        cJSON_ArrayForEach(c, j) {
                nodes_add(out, c);
                if (cJSON_IsObject(c) || cJSON_IsArray(c)) descend_all(c, out);
        }
}

static bool filter_match(const cJSON *item, const char *cond, const cJSON *root);
static int eval_path(const char *expr, const cJSON *cur, const cJSON *root, nodes *out, ocx_error **reterr);

static void apply_key(const nodes *in, const char *key, nodes *out) {
        for (size_t i = 0; i < in->n; i++) {
                const cJSON *c = ocx_json_get(in->v[i], key);
                if (c) nodes_add(out, c);
        }
}

static int eval_path(const char *expr, const cJSON *cur, const cJSON *root, nodes *out, ocx_error **reterr) {
        nodes a = {0};
        const char *p = expr;
        if (*p == '$') {
                nodes_add(&a, root);
                p++;
        } else {
                nodes_add(&a, cur);
                if (*p == '@') p++;
        }
        while (*p) {
                nodes b = {0};
                if (*p == '.' && p[1] == '.') {
                        for (size_t i = 0; i < a.n; i++) descend_all(a.v[i], &b);
                        p += 1; /* leave one '.' so the name is read next */
                        if (p[1] == 0 || p[1] == '[') p++;
                } else if (*p == '.') {
                        p++;
                        ocx_buf key = OCX_BUF_INIT;
                        while (*p && *p != '.' && *p != '[') {
                                if (*p == '\\' && p[1]) p++;
                                ocx_buf_append(&key, p, 1);
                                p++;
                        }
                        if (key.len == 0) {
                                for (size_t i = 0; i < a.n; i++) nodes_add(&b, a.v[i]);
                        } else if (strcmp(key.data, "*") == 0) {
                                for (size_t i = 0; i < a.n; i++) {
                                        const cJSON *c;
                                        cJSON_ArrayForEach(c, a.v[i]) nodes_add(&b, c);
                                }
                        } else {
                                apply_key(&a, key.data, &b);
                        }
                        ocx_buf_release(&key);
                } else if (*p == '[') {
                        const char *q = p + 1;
                        char quote = 0;
                        int depth = 0;
                        while (*q && (quote || depth > 0 || *q != ']')) {
                                if (quote && *q == quote) quote = 0;
                                else if (!quote && (*q == '"' || *q == '\'')) quote = *q;
                                else if (!quote && *q == '(') depth++;
                                else if (!quote && *q == ')') depth--;
                                q++;
                        }
                        if (!*q) {
                                free(a.v);
                                return ocx_error_set(reterr, EINVAL, NULL, "unterminated array notation in %s", expr);
                        }
                        _cleanup_free_ char *in = trim(p + 1, (size_t)(q - p - 1));
                        p = q + 1;
                        if (strcmp(in, "*") == 0) {
                                for (size_t i = 0; i < a.n; i++) {
                                        const cJSON *c;
                                        cJSON_ArrayForEach(c, a.v[i]) nodes_add(&b, c);
                                }
                        } else if (in[0] == '\'' || in[0] == '"') {
                                size_t l = strlen(in);
                                _cleanup_free_ char *key = ocx_xstrndup(in + 1, l >= 2 ? l - 2 : 0);
                                apply_key(&a, key, &b);
                        } else if (in[0] == '?') {
                                const char *cond = in + 1;
                                _cleanup_free_ char *c2 = NULL;
                                if (*cond == '(') {
                                        size_t l = strlen(cond);
                                        c2 = trim(cond + 1, l >= 2 ? l - 2 : 0);
                                        cond = c2;
                                }
                                for (size_t i = 0; i < a.n; i++) {
                                        const cJSON *c;
                                        cJSON_ArrayForEach(c, a.v[i]) if (filter_match(c, cond, root)) nodes_add(&b, c);
                                }
                        } else {
                                char *end = NULL;
                                long idx = strtol(in, &end, 10);
                                bool slice = end && *end == ':';
                                long idx2 = 0;
                                if (slice) idx2 = end[1] ? strtol(end + 1, NULL, 10) : -0x7fffffffL;
                                for (size_t i = 0; i < a.n; i++) {
                                        if (!cJSON_IsArray(a.v[i])) continue;
                                        long len = cJSON_GetArraySize(a.v[i]);
                                        long s = idx < 0 ? len + idx : idx;
                                        if (!slice) {
                                                if (s >= 0 && s < len) nodes_add(&b, cJSON_GetArrayItem(a.v[i], (int)s));
                                                continue;
                                        }
                                        long e = idx2 == -0x7fffffffL ? len : idx2 < 0 ? len + idx2 : idx2;
                                        for (long k = s < 0 ? 0 : s; k < e && k < len; k++)
                                                nodes_add(&b, cJSON_GetArrayItem(a.v[i], (int)k));
                                }
                        }
                } else {
                        free(a.v);
                        return ocx_error_set(reterr, EINVAL, NULL, "unrecognized identifier %s", p);
                }
                free(a.v);
                a = b;
        }
        for (size_t i = 0; i < a.n; i++) nodes_add(out, a.v[i]);
        free(a.v);
        return 0;
}

static char *value_text(const cJSON *j) {
        if (cJSON_IsString(j)) return ocx_xstrdup(j->valuestring);
        if (cJSON_IsObject(j) || cJSON_IsArray(j)) return ocx_json_print(j);
        return cli_table_cell(j);
}

/* cond: "@.a.b == 'x'", "@.a != 3", or "@.a" (exists) */
static bool filter_match(const cJSON *item, const char *cond, const cJSON *root) {
        const char *op = strstr(cond, "==");
        bool neg = false;
        if (!op && (op = strstr(cond, "!="))) neg = true;
        _cleanup_free_ char *lhs = trim(cond, op ? (size_t)(op - cond) : strlen(cond));
        nodes got = {0};
        ocx_error *e = NULL;
        eval_path(lhs, item, root, &got, &e);
        ocx_error_free(e);
        bool m;
        if (!op) {
                m = got.n > 0;
        } else {
                _cleanup_free_ char *rhs = trim(op + 2, strlen(op + 2));
                size_t l = strlen(rhs);
                if (l >= 2 && (rhs[0] == '\'' || rhs[0] == '"')) {
                        memmove(rhs, rhs + 1, l - 2);
                        rhs[l - 2] = 0;
                }
                m = false;
                for (size_t i = 0; i < got.n && !m; i++) {
                        _cleanup_free_ char *t = value_text(got.v[i]);
                        m = strcmp(t, rhs) == 0;
                }
                if (neg) m = got.n > 0 && !m;
        }
        free(got.v);
        return m;
}

static size_t matching_end(const seg *v, size_t n, size_t start) {
        int depth = 0;
        for (size_t i = start; i < n; i++) {
                if (v[i].kind == SEG_RANGE) depth++;
                if (v[i].kind == SEG_END && depth-- == 0) return i;
        }
        return n;
}

static int eval_block(const seg *v, size_t from, size_t to, const cJSON *cur, const cJSON *root, ocx_buf *out,
                      ocx_error **reterr) {
        for (size_t i = from; i < to; i++) {
                switch (v[i].kind) {
                case SEG_TEXT:
                case SEG_LITERAL: ocx_buf_puts(out, v[i].text); break;
                case SEG_END: return ocx_error_set(reterr, EINVAL, NULL, "not in range, nothing to end");
                case SEG_PATH: {
                        nodes ns = {0};
                        int r = eval_path(v[i].text, cur, root, &ns, reterr);
                        for (size_t k = 0; r >= 0 && k < ns.n; k++) {
                                _cleanup_free_ char *t = value_text(ns.v[k]);
                                ocx_buf_printf(out, "%s%s", k ? " " : "", t);
                        }
                        free(ns.v);
                        if (r < 0) return r;
                        break;
                }
                case SEG_RANGE: {
                        size_t end = matching_end(v, to, i + 1);
                        if (end >= to) return ocx_error_set(reterr, EINVAL, NULL, "unclosed range");
                        nodes ns = {0};
                        int r = eval_path(v[i].text, cur, root, &ns, reterr);
                        for (size_t k = 0; r >= 0 && k < ns.n; k++) {
                                const cJSON *c = ns.v[k];
                                if (cJSON_IsArray(c) && ns.n == 1) { /* range over the array's items */
                                        const cJSON *it;
                                        cJSON_ArrayForEach(it, c) {
                                                r = eval_block(v, i + 1, end, it, root, out, reterr);
                                                if (r < 0) break;
                                        }
                                } else {
                                        r = eval_block(v, i + 1, end, c, root, out, reterr);
                                }
                        }
                        free(ns.v);
                        if (r < 0) return r;
                        i = end;
                        break;
                }
                }
        }
        return 0;
}

int cli_jsonpath(const char *tmpl, const cJSON *root, ocx_buf *out, ocx_error **reterr) {
        seg *v = NULL;
        size_t n = 0;
        int r = parse_template(tmpl, &v, &n, reterr);
        if (r < 0) return r;
        r = eval_block(v, 0, n, root, root, out, reterr);
        for (size_t i = 0; i < n; i++) free(v[i].text);
        free(v);
        return r;
}
