/* Label and field selectors, following apimachinery's pkg/labels (lexer,
 * parser, requirement checks and their messages) and pkg/fields. */
#include "ocx/selector.h"
#include <inttypes.h>
#include <stdio.h>
#include "ocx/buf.h"
#include "ocx/json.h"
#include "ocx/names.h"
#include "ocx/banned.h"

typedef enum { OP_EQ, OP_NE, OP_IN, OP_NOTIN, OP_EXISTS, OP_NOTEXISTS, OP_GT, OP_LT } sel_op;

typedef struct {
        char *key;
        sel_op op;
        char **vals;
        size_t nvals;
} requirement;

struct ocx_selector {
        bool nothing; /* a null structured selector selects nothing */
        requirement *reqs;
        size_t n, alloc;
};

static ocx_selector *selector_new(void) { return ocx_xcalloc(1, sizeof(ocx_selector)); }

ocx_selector *ocx_selector_free(ocx_selector *sel) {
        if (!sel) return NULL;
        for (size_t i = 0; i < sel->n; i++) {
                free(sel->reqs[i].key);
                for (size_t j = 0; j < sel->reqs[i].nvals; j++) free(sel->reqs[i].vals[j]);
                free(sel->reqs[i].vals);
        }
        free(sel->reqs);
        free(sel);
        return NULL;
}

bool ocx_selector_empty(const ocx_selector *sel) { return !sel || (!sel->nothing && sel->n == 0); }

static requirement *add_req(ocx_selector *sel, const char *key, sel_op op) {
        if (sel->n == sel->alloc) {
                sel->alloc = sel->alloc ? sel->alloc * 2 : 4;
                sel->reqs = ocx_xrealloc(sel->reqs, sel->alloc * sizeof(*sel->reqs));
        }
        requirement *r = &sel->reqs[sel->n++];
        memset(r, 0, sizeof(*r));
        r->key = ocx_xstrdup(key);
        r->op = op;
        return r;
}

/* Adds v unless already present (values are a set upstream). */
static void add_val(requirement *r, const char *v) {
        for (size_t i = 0; i < r->nvals; i++)
                if (strcmp(r->vals[i], v) == 0) return;
        r->vals = ocx_xrealloc(r->vals, (r->nvals + 1) * sizeof(char *));
        r->vals[r->nvals++] = ocx_xstrdup(v);
}

/* Go's %q for ASCII text. */
static char *quote(const char *s) {
        ocx_buf b = OCX_BUF_INIT;
        ocx_buf_puts(&b, "\"");
        for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
                if (*p == '"' || *p == '\\') ocx_buf_printf(&b, "\\%c", *p);
                else if (*p < 0x20 || *p == 0x7f) ocx_buf_printf(&b, "\\x%02x", *p);
                else ocx_buf_append(&b, p, 1);
        }
        ocx_buf_puts(&b, "\"");
        return ocx_buf_detach(&b, NULL);
}

static char *check_key(const char *k) {
        _cleanup_free_ char *m = ocx_validate_qualified_name(k);
        if (!m) return NULL;
        _cleanup_free_ char *q = quote(k);
        return ocx_xasprintf("invalid label key %s: %s", q, m);
}

static char *check_value(const char *k, const char *v) {
        _cleanup_free_ char *m = ocx_validate_label_value(v);
        if (!m) return NULL;
        _cleanup_free_ char *qv = quote(v), *qk = quote(k);
        return ocx_xasprintf("invalid label value: %s: at key: %s: %s", qv, qk, m);
}

static bool parse_i64(const char *s, int64_t *ret) {
        if (!*s) return false;
        char *end = NULL;
        errno = 0;
        long long v = strtoll(s, &end, 10);
        if (errno || *end || (s[0] != '-' && s[0] != '+' && (s[0] < '0' || s[0] > '9'))) return false;
        *ret = v;
        return true;
}

/* NewRequirement's checks on a finished requirement; NULL when valid. */
static char *check_requirement(const requirement *r) {
        char *m = check_key(r->key);
        if (m) return m;
        switch (r->op) {
        case OP_IN:
        case OP_NOTIN:
                if (r->nvals == 0) return ocx_xstrdup("for 'in', 'notin' operators, values set can't be empty");
                break;
        case OP_EQ:
        case OP_NE:
                if (r->nvals != 1) return ocx_xstrdup("exact-match compatible operators, exactly one value is required");
                break;
        case OP_EXISTS:
        case OP_NOTEXISTS:
                if (r->nvals != 0) return ocx_xstrdup("values set must be empty for exists and does not exist");
                break;
        case OP_GT:
        case OP_LT: {
                if (r->nvals != 1) return ocx_xstrdup("for 'Gt', 'Lt' operators, exactly one value is required");
                int64_t x;
                if (!parse_i64(r->vals[0], &x))
                        return ocx_xstrdup("for 'Gt', 'Lt' operators, the value must be an integer");
                break;
        }
        }
        for (size_t i = 0; i < r->nvals; i++) {
                m = check_value(r->key, r->vals[i]);
                if (m) return m;
        }
        return NULL;
}

/* ------------------------------------------------------------ lexer */

typedef enum {
        T_ERROR,
        T_EOS,
        T_IDENT,
        T_NOTEXIST, /* ! */
        T_EQ,
        T_DEQ,
        T_NEQ,
        T_GT,
        T_LT,
        T_IN,
        T_NOTIN,
        T_OPEN,
        T_CLOSE,
        T_COMMA,
} tok_type;

typedef struct {
        tok_type t;
        char *lit;
} token;

static bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
static bool is_special(char c) {
        return c == '=' || c == '!' || c == '(' || c == ')' || c == ',' || c == '>' || c == '<';
}

static const struct {
        const char *s;
        tok_type t;
} specials[] = {
        {"!", T_NOTEXIST}, {"!=", T_NEQ}, {"(", T_OPEN}, {")", T_CLOSE}, {",", T_COMMA},
        {"=", T_EQ},       {"==", T_DEQ}, {">", T_GT},   {"<", T_LT},
};

static tok_type special_of(const char *s, size_t n) {
        for (size_t i = 0; i < OCX_ARRAY_SIZE(specials); i++)
                if (strlen(specials[i].s) == n && memcmp(specials[i].s, s, n) == 0) return specials[i].t;
        return T_ERROR;
}

static void lex_all(const char *s, token **ret, size_t *ret_n) {
        token *v = NULL;
        size_t n = 0, alloc = 0;
        const char *p = s;
        for (;;) {
                while (is_ws(*p)) p++;
                token t = {T_EOS, NULL};
                if (*p == 0) {
                        t.lit = ocx_xstrdup("");
                } else if (is_special(*p)) {
                        size_t len = 0;
                        while (is_special(p[len]) && special_of(p, len + 1) != T_ERROR) len++;
                        if (len == 0) {
                                t.t = T_ERROR;
                                t.lit = ocx_xasprintf("error expected: keyword found '%c'", *p);
                                p++;
                        } else {
                                t.t = special_of(p, len);
                                t.lit = ocx_xstrndup(p, len);
                                p += len;
                        }
                } else {
                        size_t len = 0;
                        while (p[len] && !is_ws(p[len]) && !is_special(p[len])) len++;
                        t.lit = ocx_xstrndup(p, len);
                        t.t = strcmp(t.lit, "in") == 0 ? T_IN : strcmp(t.lit, "notin") == 0 ? T_NOTIN : T_IDENT;
                        p += len;
                }
                if (n == alloc) {
                        alloc = alloc ? alloc * 2 : 16;
                        v = ocx_xrealloc(v, alloc * sizeof(*v));
                }
                v[n++] = t;
                if (t.t == T_EOS) break;
        }
        *ret = v;
        *ret_n = n;
}

typedef struct {
        token *toks;
        size_t n, pos;
} parser;

/* context Values: "in"/"notin" are plain identifiers */
static token peek(const parser *p, bool values) {
        token t = p->toks[p->pos < p->n ? p->pos : p->n - 1];
        if (values && (t.t == T_IN || t.t == T_NOTIN)) t.t = T_IDENT;
        return t;
}

static token next(parser *p, bool values) {
        token t = peek(p, values);
        if (p->pos < p->n - 1) p->pos++;
        return t;
}

static char *parse_values(parser *p, requirement *r) {
        token t = next(p, true);
        if (t.t != T_OPEN) return ocx_xasprintf("found '%s' expected: '('", t.lit);
        t = peek(p, true);
        if (t.t == T_CLOSE) {
                next(p, true);
                add_val(r, "");
                return NULL;
        }
        if (t.t != T_IDENT && t.t != T_COMMA)
                return ocx_xasprintf("found '%s', expected: ',', ')' or identifier", t.lit);
        const char *first = t.lit;
        for (;;) {
                token c = next(p, true);
                if (c.t == T_IDENT) {
                        add_val(r, c.lit);
                        token c2 = peek(p, true);
                        if (c2.t == T_COMMA) continue;
                        if (c2.t == T_CLOSE) break;
                        return ocx_xasprintf("found '%s', expected: ',' or ')'", c2.lit);
                } else if (c.t == T_COMMA) {
                        /* "(,a)", "(a,)" and "(a,,b)" carry an empty value */
                        if (r->nvals == 0) add_val(r, "");
                        token c2 = peek(p, true);
                        if (c2.t == T_CLOSE) {
                                add_val(r, "");
                                break;
                        }
                        if (c2.t == T_COMMA) {
                                next(p, true);
                                add_val(r, "");
                        }
                } else {
                        return ocx_xasprintf("found '%s', expected: ',', or identifier", c.lit);
                }
        }
        if (next(p, true).t != T_CLOSE) return ocx_xasprintf("found '%s', expected: ')'", first);
        return NULL;
}

static char *parse_requirement(parser *p, ocx_selector *sel) {
        bool notexist = false;
        token t = next(p, true);
        if (t.t == T_NOTEXIST) {
                notexist = true;
                t = next(p, true);
        }
        if (t.t != T_IDENT) return ocx_xasprintf("found '%s', expected: identifier", t.lit);
        char *m = check_key(t.lit);
        if (m) return m;
        const char *key = t.lit;
        tok_type la = peek(p, true).t;
        if (notexist || la == T_EOS || la == T_COMMA) {
                add_req(sel, key, notexist ? OP_NOTEXISTS : OP_EXISTS);
                return NULL;
        }
        token o = next(p, false);
        sel_op op;
        switch (o.t) {
        case T_IN: op = OP_IN; break;
        case T_NOTIN: op = OP_NOTIN; break;
        case T_EQ:
        case T_DEQ: op = OP_EQ; break;
        case T_NEQ: op = OP_NE; break;
        case T_GT: op = OP_GT; break;
        case T_LT: op = OP_LT; break;
        default: return ocx_xasprintf("found '%s', expected: in, notin, =, ==, !=, gt, lt", o.lit);
        }
        requirement *r = add_req(sel, key, op);
        if (op == OP_IN || op == OP_NOTIN) {
                m = parse_values(p, r);
        } else {
                token v = peek(p, true);
                if (v.t == T_EOS || v.t == T_COMMA) {
                        add_val(r, "");
                } else {
                        v = next(p, true);
                        if (v.t == T_IDENT) add_val(r, v.lit);
                        else m = ocx_xasprintf("found '%s', expected: identifier", v.lit);
                }
        }
        return m ? m : check_requirement(r);
}

int ocx_label_selector_parse(const char *s, ocx_selector **ret, ocx_error **reterr) {
        _cleanup_(ocx_selector_freep) ocx_selector *sel = selector_new();
        token *toks = NULL;
        size_t n = 0;
        int r = 0;
        lex_all(s ? s : "", &toks, &n);
        parser p = {toks, n, 0};
        for (bool done = false; !done && r >= 0;) {
                token t = peek(&p, true);
                if (t.t == T_EOS) break;
                if (t.t != T_IDENT && t.t != T_NOTEXIST) {
                        r = ocx_error_set(reterr, EINVAL, NULL, "found '%s', expected: !, identifier, or 'end of string'",
                                          t.lit);
                        break;
                }
                _cleanup_free_ char *m = parse_requirement(&p, sel);
                if (m) {
                        r = ocx_error_set(reterr, EINVAL, NULL, "unable to parse requirement: %s", m);
                        break;
                }
                token c = next(&p, true);
                if (c.t == T_EOS) {
                        done = true;
                } else if (c.t == T_COMMA) {
                        token c2 = peek(&p, true);
                        if (c2.t != T_IDENT && c2.t != T_NOTEXIST)
                                r = ocx_error_set(reterr, EINVAL, NULL, "found '%s', expected: identifier after ','",
                                                  c2.lit);
                } else {
                        r = ocx_error_set(reterr, EINVAL, NULL, "found '%s', expected: ',' or 'end of string'", c.lit);
                }
        }
        for (size_t i = 0; i < n; i++) free(toks[i].lit);
        free(toks);
        if (r < 0) return r;
        *ret = TAKE_PTR(sel);
        return 0;
}

static bool has_val(const requirement *r, const char *v) {
        for (size_t i = 0; i < r->nvals; i++)
                if (strcmp(r->vals[i], v) == 0) return true;
        return false;
}

static bool req_matches(const requirement *r, const cJSON *labels) {
        const char *v = ocx_json_get_str(labels, r->key);
        bool has = v != NULL;
        int64_t a, b;
        switch (r->op) {
        case OP_EQ:
        case OP_IN: return has && has_val(r, v);
        case OP_NE:
        case OP_NOTIN: return !has || !has_val(r, v);
        case OP_EXISTS: return has;
        case OP_NOTEXISTS: return !has;
        case OP_GT:
        case OP_LT:
                if (!has || r->nvals != 1 || !parse_i64(v, &a) || !parse_i64(r->vals[0], &b)) return false;
                return r->op == OP_GT ? a > b : a < b;
        }
        return false;
}

bool ocx_label_selector_match(const ocx_selector *sel, const cJSON *labels) {
        if (!sel) return true;
        if (sel->nothing) return false;
        for (size_t i = 0; i < sel->n; i++)
                if (!req_matches(&sel->reqs[i], labels)) return false;
        return true;
}

int ocx_label_selector_from_json(const cJSON *js, ocx_selector **ret, ocx_error **reterr) {
        _cleanup_(ocx_selector_freep) ocx_selector *sel = selector_new();
        if (!js || cJSON_IsNull(js)) {
                sel->nothing = true;
                *ret = TAKE_PTR(sel);
                return 0;
        }
        if (!cJSON_IsObject(js)) return ocx_error_set(reterr, EINVAL, NULL, "label selector must be an object");
        const cJSON *ml = ocx_json_get(js, "matchLabels");
        if (ml && !cJSON_IsNull(ml)) {
                if (!cJSON_IsObject(ml))
                        return ocx_error_set(reterr, EINVAL, "matchLabels", "must be an object of strings");
                for (const cJSON *c = ml->child; c; c = c->next) {
                        if (!cJSON_IsString(c))
                                return ocx_error_set(reterr, EINVAL, "matchLabels", "value of '%s' must be a string",
                                                     c->string);
                        requirement *r = add_req(sel, c->string, OP_EQ);
                        add_val(r, c->valuestring);
                        _cleanup_free_ char *m = check_requirement(r);
                        if (m) return ocx_error_set(reterr, EINVAL, "matchLabels", "%s", m);
                }
        }
        const cJSON *me = ocx_json_get(js, "matchExpressions");
        if (me && !cJSON_IsNull(me)) {
                if (!cJSON_IsArray(me)) return ocx_error_set(reterr, EINVAL, "matchExpressions", "must be a list");
                size_t i = 0;
                for (const cJSON *e = me->child; e; e = e->next, i++) {
                        char field[64];
                        snprintf(field, sizeof(field), "matchExpressions[%zu]", i);
                        const char *key = ocx_json_get_str(e, "key");
                        const char *ops = ocx_json_get_str(e, "operator");
                        if (!key) return ocx_error_set(reterr, EINVAL, field, "key is required");
                        sel_op op;
                        if (ocx_streq(ops, "In")) op = OP_IN;
                        else if (ocx_streq(ops, "NotIn")) op = OP_NOTIN;
                        else if (ocx_streq(ops, "Exists")) op = OP_EXISTS;
                        else if (ocx_streq(ops, "DoesNotExist")) op = OP_NOTEXISTS;
                        else
                                return ocx_error_set(reterr, EINVAL, field, "\"%s\" is not a valid label selector operator",
                                                     ops ? ops : "");
                        requirement *r = add_req(sel, key, op);
                        const cJSON *vals = ocx_json_get(e, "values");
                        if (vals && !cJSON_IsNull(vals)) {
                                if (!cJSON_IsArray(vals))
                                        return ocx_error_set(reterr, EINVAL, field, "values must be a list of strings");
                                for (const cJSON *v = vals->child; v; v = v->next) {
                                        if (!cJSON_IsString(v))
                                                return ocx_error_set(reterr, EINVAL, field,
                                                                     "values must be a list of strings");
                                        add_val(r, v->valuestring);
                                }
                        }
                        _cleanup_free_ char *m = check_requirement(r);
                        if (m) return ocx_error_set(reterr, EINVAL, field, "%s", m);
                }
        }
        *ret = TAKE_PTR(sel);
        return 0;
}

/* ------------------------------------------------------------ fields */

static int unescape_value(const char *s, size_t n, char **ret, ocx_error **reterr) {
        ocx_buf b = OCX_BUF_INIT;
        ocx_buf_puts(&b, "");
        bool slash = false;
        for (size_t i = 0; i < n; i++) {
                char c = s[i];
                if (slash) {
                        if (c != '\\' && c != ',' && c != '=') {
                                ocx_buf_release(&b);
                                return ocx_error_set(reterr, EINVAL, NULL,
                                                     "invalid field selector: invalid escape sequence: \\%c", c);
                        }
                        ocx_buf_append(&b, &c, 1);
                        slash = false;
                } else if (c == '\\') {
                        slash = true;
                } else if (c == ',' || c == '=') {
                        ocx_buf_release(&b);
                        return ocx_error_set(reterr, EINVAL, NULL, "invalid field selector: unescaped character %c", c);
                } else {
                        ocx_buf_append(&b, &c, 1);
                }
        }
        if (slash) {
                ocx_buf_release(&b);
                return ocx_error_set(reterr, EINVAL, NULL, "invalid field selector: invalid escape sequence: \\");
        }
        *ret = ocx_buf_detach(&b, NULL);
        return 0;
}

static int field_term(ocx_selector *sel, const char *whole, const char *t, size_t n, ocx_error **reterr) {
        for (size_t i = 0; i < n; i++) {
                size_t oplen = 0;
                sel_op op = OP_EQ;
                if (i + 1 < n && t[i] == '!' && t[i + 1] == '=') oplen = 2, op = OP_NE;
                else if (i + 1 < n && t[i] == '=' && t[i + 1] == '=') oplen = 2;
                else if (t[i] == '=') oplen = 1;
                if (!oplen) continue;
                _cleanup_free_ char *key = ocx_xstrndup(t, i);
                _cleanup_free_ char *val = NULL;
                int r = unescape_value(t + i + oplen, n - i - oplen, &val, reterr);
                if (r < 0) return r;
                add_val(add_req(sel, key, op), val);
                return 0;
        }
        _cleanup_free_ char *part = ocx_xstrndup(t, n);
        return ocx_error_set(reterr, EINVAL, NULL, "invalid selector: '%s'; can't understand '%s'", whole, part);
}

int ocx_field_selector_parse(const char *s, ocx_selector **ret, ocx_error **reterr) {
        _cleanup_(ocx_selector_freep) ocx_selector *sel = selector_new();
        if (!s) s = "";
        size_t start = 0, len = strlen(s);
        bool slash = false;
        for (size_t i = 0; i <= len; i++) {
                if (i < len && slash) {
                        slash = false;
                } else if (i < len && s[i] == '\\') {
                        slash = true;
                } else if (i == len || s[i] == ',') {
                        if (i > start) {
                                int r = field_term(sel, s, s + start, i - start, reterr);
                                if (r < 0) return r;
                        }
                        start = i + 1;
                }
        }
        *ret = TAKE_PTR(sel);
        return 0;
}

/* The value of a dotted path as the API server compares it. */
static char *field_text(const cJSON *obj, const char *path) {
        const cJSON *v = ocx_json_path(obj, path);
        if (!v || cJSON_IsNull(v)) return ocx_xstrdup("");
        if (cJSON_IsString(v)) return ocx_xstrdup(v->valuestring);
        return ocx_json_print(v);
}

bool ocx_field_selector_match(const ocx_selector *sel, const cJSON *obj) {
        if (!sel) return true;
        if (sel->nothing) return false;
        for (size_t i = 0; i < sel->n; i++) {
                const requirement *r = &sel->reqs[i];
                _cleanup_free_ char *v = field_text(obj, r->key);
                bool eq = r->nvals == 1 && strcmp(v, r->vals[0]) == 0;
                if (r->op == OP_EQ ? !eq : eq) return false;
        }
        return true;
}
