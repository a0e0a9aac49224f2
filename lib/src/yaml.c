/* YAML <-> JSON. Reading is event driven (libyaml parser) so that depth,
 * aliases and duplicate keys are checked as the tree is built; scalars are
 * resolved like go-yaml v2 (which kubectl uses through sigs.k8s.io/yaml).
 * Writing goes through libyaml's emitter with go-yaml's choices of scalar
 * style and key order, so the output is byte for byte what kubectl prints. */
#include "ocx/yaml.h"
#include <inttypes.h>
#include <stdarg.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <yaml.h>
#include "ocx/json.h"
#include "ocx/banned.h"

/* Nodes that may be materialised through aliases in one stream. */
#define YAML_MAX_ALIAS_NODES 100000
/* Recursion guard for the writer (objects built in code are not depth-checked). */
#define YAML_WRITE_MAX_DEPTH 1000

/* ---------------------------------------------------------------- scalars */

typedef enum {
        R_STR,
        R_NULL,
        R_BOOL,
        R_NUM,
        R_INFNAN,    /* .inf/.nan: valid YAML, not representable in JSON */
        R_TIMESTAMP, /* stays a string when decoding, forces quotes when encoding */
        R_MERGE,
} rkind;

static const struct {
        const char *s;
        rkind k;
        bool b;
} resolve_map[] = {
        {"y", R_BOOL, true},     {"Y", R_BOOL, true},      {"yes", R_BOOL, true},    {"Yes", R_BOOL, true},
        {"YES", R_BOOL, true},   {"true", R_BOOL, true},   {"True", R_BOOL, true},   {"TRUE", R_BOOL, true},
        {"on", R_BOOL, true},    {"On", R_BOOL, true},     {"ON", R_BOOL, true},     {"n", R_BOOL, false},
        {"N", R_BOOL, false},    {"no", R_BOOL, false},    {"No", R_BOOL, false},    {"NO", R_BOOL, false},
        {"false", R_BOOL, false}, {"False", R_BOOL, false}, {"FALSE", R_BOOL, false}, {"off", R_BOOL, false},
        {"Off", R_BOOL, false},  {"OFF", R_BOOL, false},   {"", R_NULL, false},      {"~", R_NULL, false},
        {"null", R_NULL, false}, {"Null", R_NULL, false},  {"NULL", R_NULL, false},  {".nan", R_INFNAN, false},
        {".NaN", R_INFNAN, false}, {".NAN", R_INFNAN, false}, {".inf", R_INFNAN, false}, {".Inf", R_INFNAN, false},
        {".INF", R_INFNAN, false}, {"+.inf", R_INFNAN, false}, {"+.Inf", R_INFNAN, false},
        {"+.INF", R_INFNAN, false}, {"-.inf", R_INFNAN, false}, {"-.Inf", R_INFNAN, false},
        {"-.INF", R_INFNAN, false}, {"<<", R_MERGE, false},
};

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* yamlStyleFloat: ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$ */
static bool match_yaml_float(const char *s) {
        if (*s == '-' || *s == '+') s++;
        if (*s == '.') {
                s++;
                if (!is_digit(*s)) return false;
                while (is_digit(*s)) s++;
        } else {
                if (!is_digit(*s)) return false;
                while (is_digit(*s)) s++;
                if (*s == '.') {
                        s++;
                        while (is_digit(*s)) s++;
                }
        }
        if (*s == 'e' || *s == 'E') {
                s++;
                if (*s == '-' || *s == '+') s++;
                if (!is_digit(*s)) return false;
                while (is_digit(*s)) s++;
        }
        return *s == 0;
}

/* strconv.ParseFloat on what match_yaml_float accepted: fails on overflow. */
static bool parse_float(const char *s, double *ret) {
        char *end = NULL;
        errno = 0;
        double d = strtod(s, &end);
        if (!end || *end || isinf(d)) return false;
        *ret = d;
        return true;
}

static int digit_val(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'z') return c - 'a' + 10;
        if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
        return 99;
}

/* strconv.ParseUint(s, 0, 64) (underscores already removed). */
static bool parse_uint0(const char *s, uint64_t *ret) {
        unsigned base = 10;
        if (!*s) return false;
        if (s[0] == '0') {
                size_t n = strlen(s);
                char l = (char)(s[1] | 0x20);
                if (n >= 3 && l == 'b') base = 2, s += 2;
                else if (n >= 3 && l == 'o') base = 8, s += 2;
                else if (n >= 3 && l == 'x') base = 16, s += 2;
                else base = 8, s += 1;
        }
        uint64_t v = 0;
        for (; *s; s++) {
                int d = digit_val(*s);
                if (d >= (int)base) return false;
                if (v > (UINT64_MAX - (uint64_t)d) / base) return false;
                v = v * base + (uint64_t)d;
        }
        *ret = v;
        return true;
}

/* strconv.ParseInt(s, 0, 64). */
static bool parse_int0(const char *s, int64_t *ret) {
        bool neg = false;
        if (*s == '+' || *s == '-') neg = *s++ == '-';
        uint64_t u;
        if (!parse_uint0(s, &u)) return false;
        if (!neg && u > (uint64_t)INT64_MAX) return false;
        if (neg && u > (uint64_t)INT64_MAX + 1) return false;
        *ret = neg ? (int64_t)(0 - u) : (int64_t)u;
        return true;
}

static int getnum12(const char **p) {
        const char *s = *p;
        if (!is_digit(s[0])) return -1;
        int v = s[0] - '0';
        s++;
        if (is_digit(s[0])) v = v * 10 + (*s++ - '0');
        *p = s;
        return v;
}

static bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

/* go-yaml v2 parseTimestamp: "2006-1-2", "2006-1-2T15:4:5.999999999Z07:00"
 * (T or t), "2006-1-2 15:4:5.999999999". */
static bool is_timestamp(const char *s) {
        for (int i = 0; i < 4; i++)
                if (!is_digit(s[i])) return false;
        if (s[4] != '-') return false;
        int year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
        const char *p = s + 5;
        int mon = getnum12(&p);
        if (mon < 1 || mon > 12 || *p++ != '-') return false;
        int day = getnum12(&p);
        static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        int maxd = mdays[mon - 1] + (mon == 2 && is_leap(year));
        if (day < 1 || day > maxd) return false;
        if (!*p) return true;
        char sep = *p++;
        if (sep != 'T' && sep != 't' && sep != ' ') return false;
        int h = getnum12(&p);
        if (h < 0 || h > 23 || *p++ != ':') return false;
        int m = getnum12(&p);
        if (m < 0 || m > 59 || *p++ != ':') return false;
        int sec = getnum12(&p);
        if (sec < 0 || sec > 59) return false;
        if ((*p == '.' || *p == ',') && is_digit(p[1])) {
                p++;
                while (is_digit(*p)) p++;
        }
        if (sep == ' ') return *p == 0;
        if (*p == 'Z') return p[1] == 0;
        if (*p != '+' && *p != '-') return false;
        return is_digit(p[1]) && is_digit(p[2]) && p[3] == ':' && is_digit(p[4]) && is_digit(p[5]) &&
               p[6] == 0;
}

/* Resolves a plain scalar (go-yaml v2 resolve() with an empty tag). */
static rkind resolve_plain(const char *s, double *num, bool *bval) {
        for (size_t i = 0; i < OCX_ARRAY_SIZE(resolve_map); i++)
                if (strcmp(s, resolve_map[i].s) == 0) {
                        *bval = resolve_map[i].b;
                        return resolve_map[i].k;
                }
        char c = s[0];
        if (c == '.') {
                /* strconv.ParseFloat: only ".5", ".5e3" forms can start with '.' */
                if (match_yaml_float(s) && parse_float(s, num)) return R_NUM;
                return R_STR;
        }
        if (!is_digit(c) && c != '+' && c != '-') return R_STR;
        if (is_timestamp(s)) return R_TIMESTAMP;
        size_t n = strlen(s);
        _cleanup_free_ char *plain = ocx_xmalloc(n + 1);
        size_t j = 0;
        for (size_t i = 0; i < n; i++)
                if (s[i] != '_') plain[j++] = s[i];
        plain[j] = 0;
        int64_t iv;
        uint64_t uv;
        if (parse_int0(plain, &iv)) {
                *num = (double)iv;
                return R_NUM;
        }
        if (plain[0] != '+' && plain[0] != '-' && parse_uint0(plain, &uv)) {
                *num = (double)uv;
                return R_NUM;
        }
        if (match_yaml_float(plain) && parse_float(plain, num)) return R_NUM;
        return R_STR;
}

/* isBase60Float: ^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$ */
static bool is_base60_float(const char *s) {
        if (*s == '-' || *s == '+') s++;
        if (!is_digit(*s)) return false;
        while (is_digit(*s) || *s == '_') s++;
        int groups = 0;
        while (*s == ':') {
                s++;
                if (is_digit(s[0]) && is_digit(s[1])) {
                        if (s[0] > '5') return false;
                        s += 2;
                } else if (is_digit(s[0])) {
                        s += 1;
                } else {
                        return false;
                }
                groups++;
        }
        if (!groups) return false;
        if (*s == '.') {
                s++;
                while (is_digit(*s) || *s == '_') s++;
        }
        return *s == 0;
}

/* Go's strconv.FormatFloat(d, 'g', -1, 64). */
static void format_go_float(double d, char *out, size_t n) {
        if (isnan(d)) {
                snprintf(out, n, ".nan");
                return;
        }
        if (isinf(d)) {
                snprintf(out, n, d > 0 ? ".inf" : "-.inf");
                return;
        }
        char e[40];
        int prec = 1;
        for (; prec <= 17; prec++) {
                snprintf(e, sizeof(e), "%.*e", prec - 1, d);
                if (strtod(e, NULL) == d) break;
        }
        const char *x = strchr(e, 'e');
        long exp = x ? strtol(x + 1, NULL, 10) : 0;
        if (exp < -4 || exp >= 6) {
                snprintf(out, n, "%s", e);
                return;
        }
        /* %f with exactly the shortest digits */
        int frac = prec - 1 - (int)exp;
        if (frac < 0) frac = 0;
        snprintf(out, n, "%.*f", frac, d);
}

/* Number text as go-yaml prints it: integers without a fraction. */
static void format_number(double d, char *out, size_t n) {
        if (isfinite(d) && d == trunc(d) && fabs(d) < 9.2e18) {
                snprintf(out, n, "%" PRId64, (int64_t)d);
                return;
        }
        format_go_float(d, out, n);
}

/* ---------------------------------------------------------------- reader */

typedef struct {
        char *name;
        cJSON *node; /* not owned: lives in the document tree or the graveyard */
} anchor;

typedef struct {
        cJSON *node; /* owned until attached to its parent */
        char *anchor;
        bool is_map;
        char *key; /* pending key */
        bool have_key, key_is_merge;
        size_t key_line;
        size_t *lines; /* line of each explicit key, in insertion order */
        size_t nlines, alines;
        cJSON *merges; /* sources of "<<" merges, in order */
} frame;

typedef struct {
        frame *st;
        size_t depth, alloc;
        anchor *anchors;
        size_t nanchors, aanchors;
        cJSON *root;
        bool have_root;
        cJSON *graveyard; /* detached nodes an anchor may still point into */
        size_t alias_nodes;
        ocx_error **reterr;
} builder;

static void frame_release(frame *f) {
        cJSON_Delete(f->node);
        free(f->anchor);
        free(f->key);
        free(f->lines);
        cJSON_Delete(f->merges);
        memset(f, 0, sizeof(*f));
}

static void builder_reset_doc(builder *b) {
        while (b->depth > 0) frame_release(&b->st[--b->depth]);
        for (size_t i = 0; i < b->nanchors; i++) free(b->anchors[i].name);
        b->nanchors = 0;
        cJSON_Delete(b->root);
        b->root = NULL;
        b->have_root = false;
        cJSON_Delete(b->graveyard);
        b->graveyard = NULL;
}

static void builder_release(builder *b) {
        builder_reset_doc(b);
        free(b->st);
        free(b->anchors);
}

static void bury(builder *b, cJSON *n) {
        if (!b->graveyard) b->graveyard = cJSON_CreateArray();
        cJSON_AddItemToArray(b->graveyard, n);
}

static void add_anchor(builder *b, const char *name, cJSON *node) {
        if (b->nanchors == b->aanchors) {
                b->aanchors = b->aanchors ? b->aanchors * 2 : 8;
                b->anchors = ocx_xrealloc(b->anchors, b->aanchors * sizeof(*b->anchors));
        }
        b->anchors[b->nanchors].name = ocx_xstrdup(name);
        b->anchors[b->nanchors].node = node;
        b->nanchors++;
}

static void count_tree(const cJSON *n, size_t level, size_t *count, size_t *height) {
        (*count)++;
        if (level > *height) *height = level;
        if (cJSON_IsObject(n) || cJSON_IsArray(n))
                for (const cJSON *c = n->child; c; c = c->next) count_tree(c, level + 1, count, height);
}

static int line_err(builder *b, size_t line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int line_err(builder *b, size_t line, const char *fmt, ...) {
        va_list ap;
        char *m = NULL;
        va_start(ap, fmt);
        if (vasprintf(&m, fmt, ap) < 0) m = NULL;
        va_end(ap);
        int r = ocx_error_set(b->reterr, EINVAL, NULL, "yaml: line %zu: %s", line, m ? m : "error");
        free(m);
        return r;
}

static bool scalar_type(const cJSON *v) { return !cJSON_IsObject(v) && !cJSON_IsArray(v); }

static char *key_string(const cJSON *v) {
        if (cJSON_IsString(v)) return ocx_xstrdup(v->valuestring);
        if (cJSON_IsTrue(v)) return ocx_xstrdup("true");
        if (cJSON_IsFalse(v)) return ocx_xstrdup("false");
        if (cJSON_IsNumber(v)) {
                char tmp[64];
                format_number(v->valuedouble, tmp, sizeof(tmp));
                return ocx_xstrdup(tmp);
        }
        return ocx_xstrdup("null");
}

/* Attaches a finished value v (owned) to the top frame or makes it the root. */
static int attach(builder *b, cJSON *v, bool is_merge_key, size_t line) {
        if (b->depth == 0) {
                b->root = v;
                b->have_root = true;
                return 0;
        }
        frame *f = &b->st[b->depth - 1];
        if (!f->is_map) {
                cJSON_AddItemToArray(f->node, v);
                return 0;
        }
        if (!f->have_key) {
                if (!scalar_type(v)) {
                        bury(b, v);
                        return line_err(b, line, "%s", "mapping keys must be scalars");
                }
                f->key = key_string(v);
                if (b->nanchors && b->anchors[b->nanchors - 1].node == v) bury(b, v); /* "&a key: ..." */
                else cJSON_Delete(v);
                f->have_key = true;
                f->key_is_merge = is_merge_key;
                f->key_line = line;
                return 0;
        }
        _cleanup_free_ char *key = TAKE_PTR(f->key);
        f->have_key = false;
        if (f->key_is_merge) {
                bool ok = cJSON_IsObject(v);
                if (cJSON_IsArray(v)) {
                        ok = true;
                        for (const cJSON *c = v->child; c; c = c->next) ok = ok && cJSON_IsObject(c);
                }
                if (!f->merges) f->merges = cJSON_CreateArray();
                cJSON_AddItemToArray(f->merges, v);
                if (!ok)
                        return line_err(b, f->key_line, "%s",
                                        "map merge requires map or sequence of maps as the value");
                return 0;
        }
        if (f->nlines == f->alines) {
                f->alines = f->alines ? f->alines * 2 : 8;
                f->lines = ocx_xrealloc(f->lines, f->alines * sizeof(*f->lines));
        }
        f->lines[f->nlines++] = f->key_line;
        cJSON_AddItemToObject(f->node, key, v);
        return 0;
}

typedef struct {
        const char *key;
        size_t idx;
} keyref;

static int cmp_keyref(const void *a, const void *b) {
        const keyref *x = a, *y = b;
        int c = strcmp(x->key, y->key);
        if (c) return c;
        return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Duplicate explicit keys (sorted, so large mappings stay O(n log n)). */
static int check_duplicates(builder *b, frame *f) {
        size_t n = f->nlines;
        if (n < 2) return 0;
        keyref *v = ocx_xmalloc(n * sizeof(*v));
        size_t i = 0;
        for (const cJSON *c = f->node->child; c && i < n; c = c->next, i++) v[i] = (keyref){c->string, i};
        qsort(v, n, sizeof(*v), cmp_keyref);
        int r = 0;
        for (i = 1; i < n; i++)
                if (strcmp(v[i - 1].key, v[i].key) == 0) {
                        r = line_err(b, f->lines[v[i].idx], "duplicate key '%s'", v[i].key);
                        break;
                }
        free(v);
        return r;
}

static int apply_merges(builder *b, frame *f) {
        if (!f->merges) return 0;
        /* Explicit keys win; among merged maps the first one wins. */
        for (cJSON *m = f->merges->child; m; m = m->next) {
                cJSON *src = cJSON_IsArray(m) ? m->child : m;
                for (; src; src = cJSON_IsArray(m) ? src->next : NULL) {
                        for (cJSON *c = src->child; c; c = c->next) {
                                if (cJSON_GetObjectItemCaseSensitive(f->node, c->string)) continue;
                                size_t count = 0, height = 0;
                                count_tree(c, 0, &count, &height);
                                b->alias_nodes += count;
                                if (b->alias_nodes > YAML_MAX_ALIAS_NODES)
                                        return ocx_error_set(b->reterr, EINVAL, NULL,
                                                             "yaml: document contains excessive aliasing");
                                cJSON_AddItemToObject(f->node, c->string, cJSON_Duplicate(c, true));
                        }
                }
        }
        bury(b, TAKE_PTR(f->merges));
        return 0;
}

static int push_frame(builder *b, bool is_map, const char *anchor_name, size_t line) {
        if (b->depth >= OCX_JSON_MAX_DEPTH)
                return ocx_error_set(b->reterr, EINVAL, NULL, "yaml: line %zu: nesting deeper than %d", line,
                                     OCX_JSON_MAX_DEPTH);
        if (b->depth == b->alloc) {
                b->alloc = b->alloc ? b->alloc * 2 : 16;
                b->st = ocx_xrealloc(b->st, b->alloc * sizeof(*b->st));
        }
        frame *f = &b->st[b->depth++];
        memset(f, 0, sizeof(*f));
        f->is_map = is_map;
        f->node = is_map ? cJSON_CreateObject() : cJSON_CreateArray();
        f->anchor = anchor_name ? ocx_xstrdup(anchor_name) : NULL;
        return 0;
}

static int pop_frame(builder *b, size_t line) {
        frame *f = &b->st[b->depth - 1];
        int r = 0;
        if (f->is_map) {
                r = check_duplicates(b, f);
                if (r >= 0) r = apply_merges(b, f);
        }
        if (r < 0) return r;
        cJSON *node = TAKE_PTR(f->node);
        char *anchor_name = TAKE_PTR(f->anchor);
        frame_release(f);
        b->depth--;
        if (anchor_name) add_anchor(b, anchor_name, node);
        free(anchor_name);
        return attach(b, node, false, line);
}

static bool has_nul(const yaml_event_t *ev) {
        return memchr(ev->data.scalar.value, 0, ev->data.scalar.length) != NULL;
}

static int on_scalar(builder *b, const yaml_event_t *ev, size_t line) {
        const char *val = (const char *)ev->data.scalar.value;
        const char *tag = (const char *)ev->data.scalar.tag;
        if (has_nul(ev)) return line_err(b, line, "%s", "strings may not contain NUL characters");
        cJSON *v;
        bool merge = false;
        bool as_string = !ev->data.scalar.plain_implicit ||
                         (tag && (strcmp(tag, YAML_STR_TAG) == 0 || strcmp(tag, "!") == 0 ||
                                  strcmp(tag, "tag:yaml.org,2002:binary") == 0 ||
                                  !ocx_startswith(tag, "tag:yaml.org,2002:")));
        if (as_string) {
                v = cJSON_CreateString(val);
        } else {
                double num = 0;
                bool bv = false;
                switch (resolve_plain(val, &num, &bv)) {
                case R_NULL: v = cJSON_CreateNull(); break;
                case R_BOOL: v = cJSON_CreateBool(bv); break;
                case R_NUM: v = cJSON_CreateNumber(num); break;
                case R_INFNAN: return line_err(b, line, "cannot represent '%s' in JSON", val);
                case R_MERGE:
                        merge = true;
                        v = cJSON_CreateString(val);
                        break;
                default: v = cJSON_CreateString(val); break;
                }
        }
        if (ev->data.scalar.anchor) add_anchor(b, (const char *)ev->data.scalar.anchor, v);
        return attach(b, v, merge, line);
}

static int on_alias(builder *b, const yaml_event_t *ev, size_t line) {
        const char *name = (const char *)ev->data.alias.anchor;
        for (size_t i = b->nanchors; i-- > 0;) {
                if (strcmp(b->anchors[i].name, name) != 0) continue;
                size_t count = 0, height = 0;
                count_tree(b->anchors[i].node, 0, &count, &height);
                b->alias_nodes += count;
                if (b->alias_nodes > YAML_MAX_ALIAS_NODES)
                        return ocx_error_set(b->reterr, EINVAL, NULL, "yaml: document contains excessive aliasing");
                if (b->depth + height > OCX_JSON_MAX_DEPTH)
                        return ocx_error_set(b->reterr, EINVAL, NULL, "yaml: line %zu: nesting deeper than %d",
                                             line, OCX_JSON_MAX_DEPTH);
                return attach(b, cJSON_Duplicate(b->anchors[i].node, true), false, line);
        }
        for (size_t i = 0; i < b->depth; i++)
                if (b->st[i].anchor && strcmp(b->st[i].anchor, name) == 0)
                        return line_err(b, line, "anchor '%s' value contains itself", name);
        return line_err(b, line, "unknown anchor '%s' referenced", name);
}

static size_t line_of_offset(const char *s, size_t len, size_t off) {
        size_t line = 1;
        for (size_t i = 0; i < off && i < len; i++)
                if (s[i] == '\n') line++;
        return line;
}

static int parser_error(const yaml_parser_t *p, const char *s, size_t len, ocx_error **reterr) {
        const char *problem = p->problem ? p->problem : "unknown problem parsing YAML content";
        size_t line;
        if (p->error == YAML_MEMORY_ERROR) return ocx_error_set(reterr, ENOMEM, NULL, "yaml: out of memory");
        if (p->error == YAML_READER_ERROR) line = line_of_offset(s, len, p->problem_offset);
        else line = p->problem_mark.line + 1;
        return ocx_error_set(reterr, EINVAL, NULL, "yaml: line %zu: %s", line, problem);
}

int ocx_yaml_parse_stream(const char *s, size_t len, cJSON **ret, ocx_error **reterr) {
        yaml_parser_t p;
        builder b = {.reterr = reterr};
        _cleanup_json_ cJSON *out = cJSON_CreateArray();
        int r = 0;
        bool done = false;

        if (!yaml_parser_initialize(&p)) return ocx_error_set(reterr, ENOMEM, NULL, "yaml: out of memory");
        yaml_parser_set_input_string(&p, (const unsigned char *)s, len);
        while (!done && r >= 0) {
                yaml_event_t ev;
                if (!yaml_parser_parse(&p, &ev)) {
                        r = parser_error(&p, s, len, reterr);
                        break;
                }
                size_t line = ev.start_mark.line + 1;
                switch (ev.type) {
                case YAML_STREAM_END_EVENT: done = true; break;
                case YAML_DOCUMENT_START_EVENT: builder_reset_doc(&b); break;
                case YAML_DOCUMENT_END_EVENT:
                        if (b.have_root && !cJSON_IsNull(b.root)) cJSON_AddItemToArray(out, TAKE_PTR(b.root));
                        builder_reset_doc(&b);
                        break;
                case YAML_SCALAR_EVENT: r = on_scalar(&b, &ev, line); break;
                case YAML_ALIAS_EVENT: r = on_alias(&b, &ev, line); break;
                case YAML_SEQUENCE_START_EVENT:
                        r = push_frame(&b, false, (const char *)ev.data.sequence_start.anchor, line);
                        break;
                case YAML_MAPPING_START_EVENT:
                        r = push_frame(&b, true, (const char *)ev.data.mapping_start.anchor, line);
                        break;
                case YAML_SEQUENCE_END_EVENT:
                case YAML_MAPPING_END_EVENT: r = pop_frame(&b, line); break;
                default: break;
                }
                yaml_event_delete(&ev);
        }
        yaml_parser_delete(&p);
        builder_release(&b);
        if (r < 0) return r;
        *ret = TAKE_PTR(out);
        return 0;
}

static const char *type_name(const cJSON *v) {
        if (cJSON_IsArray(v)) return "a list";
        if (cJSON_IsString(v)) return "a string";
        if (cJSON_IsNumber(v)) return "a number";
        if (cJSON_IsBool(v)) return "a boolean";
        return "null";
}

static bool is_list_kind(const cJSON *obj) {
        const char *kind = ocx_json_get_str(obj, "kind");
        size_t n = kind ? strlen(kind) : 0;
        return n >= 4 && strcmp(kind + n - 4, "List") == 0 && cJSON_IsArray(ocx_json_get(obj, "items"));
}

static int add_manifest(cJSON *out, cJSON *doc, size_t docno, ocx_error **reterr) {
        if (!cJSON_IsObject(doc))
                return ocx_error_set(reterr, EINVAL, NULL, "document %zu: expected an object, got %s", docno,
                                     type_name(doc));
        if (!is_list_kind(doc)) {
                cJSON_AddItemReferenceToArray(out, doc);
                return 0;
        }
        size_t i = 0;
        for (cJSON *it = ocx_json_get(doc, "items")->child; it; it = it->next, i++) {
                if (!cJSON_IsObject(it))
                        return ocx_error_set(reterr, EINVAL, "items", "document %zu: items[%zu]: expected an object, got %s",
                                             docno, i, type_name(it));
                cJSON_AddItemReferenceToArray(out, it);
        }
        return 0;
}

int ocx_decode_manifests(const char *s, size_t len, cJSON **ret, ocx_error **reterr) {
        _cleanup_json_ cJSON *docs = NULL;
        size_t i = 0;
        while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) i++;
        if (i < len && s[i] == '{') {
                _cleanup_error_ ocx_error *jerr = NULL;
                cJSON *one = NULL;
                if (ocx_json_parse(s, len, &one, &jerr) >= 0) {
                        docs = cJSON_CreateArray();
                        cJSON_AddItemToArray(docs, one);
                } else {
                        /* maybe a YAML flow mapping or several documents; if YAML fails too, the
                         * JSON error is the one that makes sense to a user who wrote JSON */
                        _cleanup_error_ ocx_error *yerr = NULL;
                        if (ocx_yaml_parse_stream(s, len, &docs, &yerr) < 0) {
                                int code = jerr->code;
                                if (reterr && !*reterr) *reterr = TAKE_PTR(jerr);
                                return -code;
                        }
                }
        } else {
                int r = ocx_yaml_parse_stream(s, len, &docs, reterr);
                if (r < 0) return r;
        }
        /* Build the result from references, then deep-copy so the caller owns a plain tree. */
        _cleanup_json_ cJSON *refs = cJSON_CreateArray();
        size_t n = 1;
        for (cJSON *d = docs->child; d; d = d->next, n++) {
                int r = add_manifest(refs, d, n, reterr);
                if (r < 0) return r;
        }
        cJSON *out = cJSON_CreateArray();
        for (cJSON *d = refs->child; d; d = d->next) cJSON_AddItemToArray(out, cJSON_Duplicate(d, true));
        *ret = out;
        return 0;
}

/* ---------------------------------------------------------------- writer */

typedef struct {
        ocx_buf *b;
        int err;
} sink;

static int write_handler(void *data, unsigned char *buffer, size_t size) {
        sink *k = data;
        int r = ocx_buf_append(k->b, buffer, size);
        if (r < 0) {
                k->err = r;
                return 0;
        }
        return 1;
}

/* Length of a valid UTF-8 sequence at s (as Go's utf8 decoder accepts), 0 if invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n, uint32_t *cp) {
        unsigned char c = s[0];
        size_t len;
        uint32_t v, min;
        if (c < 0x80) {
                *cp = c;
                return 1;
        } else if ((c & 0xE0) == 0xC0) {
                len = 2, v = c & 0x1F, min = 0x80;
        } else if ((c & 0xF0) == 0xE0) {
                len = 3, v = c & 0x0F, min = 0x800;
        } else if ((c & 0xF8) == 0xF0) {
                len = 4, v = c & 0x07, min = 0x10000;
        } else {
                return 0;
        }
        if (n < len) return 0;
        for (size_t i = 1; i < len; i++) {
                if ((s[i] & 0xC0) != 0x80) return 0;
                v = (v << 6) | (s[i] & 0x3F);
        }
        if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0;
        *cp = v;
        return len;
}

/* Invalid UTF-8 becomes U+FFFD, as Go's json.Marshal (kubectl's first step) does. */
static char *sanitize_utf8(const char *s) {
        size_t n = strlen(s);
        ocx_buf b = OCX_BUF_INIT;
        for (size_t i = 0; i < n;) {
                uint32_t cp;
                size_t l = utf8_seq((const unsigned char *)s + i, n - i, &cp);
                if (l == 0) {
                        ocx_buf_puts(&b, "\xEF\xBF\xBD");
                        i++;
                } else {
                        ocx_buf_append(&b, s + i, l);
                        i += l;
                }
        }
        return ocx_buf_detach(&b, NULL);
}

static int emit(yaml_emitter_t *e, yaml_event_t *ev) { return yaml_emitter_emit(e, ev) ? 0 : -EIO; }

static int emit_plain(yaml_emitter_t *e, const char *s, yaml_scalar_style_t style) {
        yaml_event_t ev;
        if (!yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s, (int)strlen(s), 1, 1, style))
                return -ENOMEM;
        return emit(e, &ev);
}

static int emit_string(yaml_emitter_t *e, const char *raw) {
        _cleanup_free_ char *s = sanitize_utf8(raw);
        yaml_scalar_style_t style;
        double num;
        bool bv;
        if (strchr(s, '\n')) style = YAML_LITERAL_SCALAR_STYLE;
        else if (resolve_plain(s, &num, &bv) == R_STR && !is_base60_float(s)) style = YAML_PLAIN_SCALAR_STYLE;
        else style = YAML_DOUBLE_QUOTED_SCALAR_STYLE;
        /* libyaml falls back to single quotes (or double) when plain is not safe */
        return emit_plain(e, s, style);
}

typedef struct {
        const cJSON *item;
        uint32_t *r;
        size_t n;
} sortkey;

static bool rune_is_letter(uint32_t c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == 0xAA || c == 0xB5 || c == 0xBA ||
               (c >= 0xC0 && c != 0xD7 && c != 0xF7);
}
static bool rune_is_digit(uint32_t c) { return c >= '0' && c <= '9'; }

/* go-yaml's keyList.Less for two strings (natural order). */
static bool key_less(const uint32_t *ar, size_t an_, const uint32_t *br, size_t bn_) {
        bool digits = false;
        for (size_t i = 0; i < an_ && i < bn_; i++) {
                if (ar[i] == br[i]) {
                        digits = rune_is_digit(ar[i]);
                        continue;
                }
                bool al = rune_is_letter(ar[i]), bl = rune_is_letter(br[i]);
                if (al && bl) return ar[i] < br[i];
                if (al || bl) return digits ? al : bl;
                size_t ai, bi;
                int64_t an = 0, bn = 0;
                if (ar[i] == '0' || br[i] == '0') {
                        for (size_t j = i; j-- > 0 && rune_is_digit(ar[j]);) {
                                if (ar[j] != '0') {
                                        an = 1;
                                        bn = 1;
                                        break;
                                }
                        }
                }
                for (ai = i; ai < an_ && rune_is_digit(ar[ai]); ai++)
                        an = (int64_t)((uint64_t)an * 10 + (ar[ai] - '0'));
                for (bi = i; bi < bn_ && rune_is_digit(br[bi]); bi++)
                        bn = (int64_t)((uint64_t)bn * 10 + (br[bi] - '0'));
                if (an != bn) return an < bn;
                if (ai != bi) return ai < bi;
                return ar[i] < br[i];
        }
        return an_ < bn_;
}

static int cmp_sortkey(const void *a, const void *b) {
        const sortkey *x = a, *y = b;
        if (key_less(x->r, x->n, y->r, y->n)) return -1;
        if (key_less(y->r, y->n, x->r, x->n)) return 1;
        return 0;
}

static void decode_runes(const char *s, sortkey *k) {
        size_t n = strlen(s);
        k->r = ocx_xmalloc((n + 1) * sizeof(uint32_t));
        k->n = 0;
        for (size_t i = 0; i < n;) {
                uint32_t cp;
                size_t l = utf8_seq((const unsigned char *)s + i, n - i, &cp);
                if (!l) {
                        cp = 0xFFFD;
                        l = 1;
                }
                k->r[k->n++] = cp;
                i += l;
        }
}

static int emit_node(yaml_emitter_t *e, const cJSON *v, int depth) {
        yaml_event_t ev;
        char tmp[64];
        if (depth > YAML_WRITE_MAX_DEPTH) return -ELOOP;
        if (cJSON_IsTrue(v)) return emit_plain(e, "true", YAML_PLAIN_SCALAR_STYLE);
        if (cJSON_IsFalse(v)) return emit_plain(e, "false", YAML_PLAIN_SCALAR_STYLE);
        if (cJSON_IsNumber(v)) {
                format_number(v->valuedouble, tmp, sizeof(tmp));
                return emit_plain(e, tmp, YAML_PLAIN_SCALAR_STYLE);
        }
        if (cJSON_IsString(v) && v->valuestring) return emit_string(e, v->valuestring);
        if (cJSON_IsArray(v)) {
                if (!yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE))
                        return -ENOMEM;
                int r = emit(e, &ev);
                for (const cJSON *c = v->child; r >= 0 && c; c = c->next) r = emit_node(e, c, depth + 1);
                if (r < 0) return r;
                yaml_sequence_end_event_initialize(&ev);
                return emit(e, &ev);
        }
        if (cJSON_IsObject(v)) {
                size_t n = 0;
                for (const cJSON *c = v->child; c; c = c->next) n++;
                sortkey *keys = ocx_xcalloc(n ? n : 1, sizeof(*keys));
                size_t i = 0;
                for (const cJSON *c = v->child; c; c = c->next, i++) {
                        keys[i].item = c;
                        decode_runes(c->string ? c->string : "", &keys[i]);
                }
                qsort(keys, n, sizeof(*keys), cmp_sortkey);
                int r = yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE)
                                ? emit(e, &ev)
                                : -ENOMEM;
                for (i = 0; r >= 0 && i < n; i++) {
                        r = emit_string(e, keys[i].item->string ? keys[i].item->string : "");
                        if (r >= 0) r = emit_node(e, keys[i].item, depth + 1);
                }
                for (i = 0; i < n; i++) free(keys[i].r);
                free(keys);
                if (r < 0) return r;
                yaml_mapping_end_event_initialize(&ev);
                return emit(e, &ev);
        }
        return emit_plain(e, "null", YAML_PLAIN_SCALAR_STYLE);
}

int ocx_yaml_write(ocx_buf *b, const cJSON *obj) {
        yaml_emitter_t e;
        yaml_event_t ev;
        sink k = {b, 0};
        size_t saved = b->len;
        if (!yaml_emitter_initialize(&e)) return -ENOMEM;
        yaml_emitter_set_output(&e, write_handler, &k);
        yaml_emitter_set_unicode(&e, 1);
        yaml_emitter_set_width(&e, 80);
        yaml_emitter_set_indent(&e, 2);
        int r = 0;
        yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
        r = emit(&e, &ev);
        if (r >= 0) {
                yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1);
                r = emit(&e, &ev);
        }
        if (r >= 0) r = emit_node(&e, obj, 0);
        if (r >= 0) {
                yaml_document_end_event_initialize(&ev, 1);
                r = emit(&e, &ev);
        }
        if (r >= 0) {
                yaml_stream_end_event_initialize(&ev);
                r = emit(&e, &ev);
        }
        if (r >= 0 && !yaml_emitter_flush(&e)) r = -EIO;
        yaml_emitter_delete(&e);
        if (k.err < 0) r = k.err;
        if (r < 0) {
                /* leave the buffer as it was */
                b->len = saved;
                if (b->data) b->data[saved] = 0;
        }
        return r;
}
