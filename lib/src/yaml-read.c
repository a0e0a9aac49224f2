/* YAML -> JSON. Reading is event driven (libyaml parser) so that depth,
 * aliases and duplicate keys are checked as the tree is built; scalars are
 * resolved like go-yaml v2 (yaml-scalar.c). */
#include "ocx/yaml.h"
#include <stdarg.h>
#include <stdio.h>
#include <yaml.h>
#include "ocx/json.h"
#include "yaml-internal.h"
#include "ocx/banned.h"

/* Nodes that may be materialised through aliases in one stream. */
#define YAML_MAX_ALIAS_NODES 100000

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
                ocx_yaml_format_number(v->valuedouble, tmp, sizeof(tmp));
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
                switch (ocx_yaml_resolve_plain(val, &num, &bv)) {
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
