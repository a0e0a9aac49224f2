/* Kubernetes protobuf request bodies → the JSON the API handles.
 *
 * A schema-driven proto2 reader: every read is bounds checked against the
 * end of the enclosing message, varints are at most 10 bytes, lengths never
 * run past the buffer, nesting is depth limited, unknown fields are skipped
 * by wire type, and map entries plus list items are capped per body. Field
 * semantics follow the Go decoder: a repeated singular scalar replaces the
 * earlier value, a repeated embedded message merges into it, map entries
 * with the same key keep the last value, timestamps are replaced whole. */
#include "apiserver/protobuf.h"
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "ocx/encoding.h"
#include "ocx/timefmt.h"
#include "ocx/banned.h"

static const char pb_magic[4] = {'k', '8', 's', '\0'};

enum { WT_VARINT = 0, WT_FIXED64 = 1, WT_LEN = 2, WT_SGROUP = 3, WT_EGROUP = 4, WT_FIXED32 = 5 };

typedef enum {
        T_STRING,    /* string → JSON string; omitted when empty unless F_KEEP */
        T_INT64,     /* int64 → JSON number; omitted when zero unless F_KEEP */
        T_BOOL,      /* bool → JSON boolean (always a pointer in Go: kept) */
        T_MSG,       /* embedded message → JSON object; omitted when empty */
        T_TIME,      /* meta/v1 Time → RFC 3339 string */
        T_MAP_STR,   /* map<string,string> → JSON object */
        T_MAP_BYTES, /* map<string,bytes> → JSON object of base64 strings */
        T_FIELDS_V1, /* meta/v1 FieldsV1 {bytes Raw = 1} holding JSON → that JSON */
} pb_type;

enum {
        F_REPEATED = 1 << 0, /* repeated: JSON array, one element per occurrence */
        F_KEEP = 1 << 1,     /* emitted even when empty (no omitempty in Go) */
};

typedef struct pb_msg pb_msg;
typedef struct pb_field {
        uint32_t num;
        const char *json;
        pb_type type;
        unsigned flags;
        const pb_msg *sub; /* T_MSG */
} pb_field;
struct pb_msg {
        const pb_field *fields;
        size_t n;
};
#define PB_MSG(name, ...)                                                                                              \
        static const pb_field name##_fields[] = {__VA_ARGS__};                                                         \
        static const pb_msg name = {name##_fields, OCX_ARRAY_SIZE(name##_fields)}

/* ---- schemas (k8s.io/api core/v1 and apimachinery meta/v1, proto2) ---- */

PB_MSG(type_meta, {1, "apiVersion", T_STRING, 0, NULL}, {2, "kind", T_STRING, 0, NULL});
PB_MSG(owner_reference, {1, "kind", T_STRING, F_KEEP, NULL}, {3, "name", T_STRING, F_KEEP, NULL},
       {4, "uid", T_STRING, F_KEEP, NULL}, {5, "apiVersion", T_STRING, F_KEEP, NULL},
       {6, "controller", T_BOOL, 0, NULL}, {7, "blockOwnerDeletion", T_BOOL, 0, NULL});
PB_MSG(managed_fields_entry, {1, "manager", T_STRING, 0, NULL}, {2, "operation", T_STRING, 0, NULL},
       {3, "apiVersion", T_STRING, 0, NULL}, {4, "time", T_TIME, 0, NULL}, {6, "fieldsType", T_STRING, 0, NULL},
       {7, "fieldsV1", T_FIELDS_V1, 0, NULL}, {8, "subresource", T_STRING, 0, NULL});
PB_MSG(object_meta, {1, "name", T_STRING, 0, NULL}, {2, "generateName", T_STRING, 0, NULL},
       {3, "namespace", T_STRING, 0, NULL}, {4, "selfLink", T_STRING, 0, NULL}, {5, "uid", T_STRING, 0, NULL},
       {6, "resourceVersion", T_STRING, 0, NULL}, {7, "generation", T_INT64, 0, NULL},
       {8, "creationTimestamp", T_TIME, 0, NULL}, {9, "deletionTimestamp", T_TIME, 0, NULL},
       {10, "deletionGracePeriodSeconds", T_INT64, F_KEEP, NULL}, {11, "labels", T_MAP_STR, 0, NULL},
       {12, "annotations", T_MAP_STR, 0, NULL}, {13, "ownerReferences", T_MSG, F_REPEATED, &owner_reference},
       {14, "finalizers", T_STRING, F_REPEATED, NULL}, {17, "managedFields", T_MSG, F_REPEATED, &managed_fields_entry});
PB_MSG(namespace_spec, {1, "finalizers", T_STRING, F_REPEATED, NULL});
PB_MSG(namespace_condition, {1, "type", T_STRING, F_KEEP, NULL}, {2, "status", T_STRING, F_KEEP, NULL},
       {4, "lastTransitionTime", T_TIME, 0, NULL}, {5, "reason", T_STRING, 0, NULL}, {6, "message", T_STRING, 0, NULL});
PB_MSG(namespace_status, {1, "phase", T_STRING, 0, NULL}, {2, "conditions", T_MSG, F_REPEATED, &namespace_condition});
PB_MSG(namespace_msg, {1, "metadata", T_MSG, 0, &object_meta}, {2, "spec", T_MSG, 0, &namespace_spec},
       {3, "status", T_MSG, 0, &namespace_status});
PB_MSG(config_map, {1, "metadata", T_MSG, 0, &object_meta}, {2, "data", T_MAP_STR, 0, NULL},
       {3, "binaryData", T_MAP_BYTES, 0, NULL}, {4, "immutable", T_BOOL, 0, NULL});
PB_MSG(secret, {1, "metadata", T_MSG, 0, &object_meta}, {2, "data", T_MAP_BYTES, 0, NULL},
       {3, "type", T_STRING, 0, NULL}, {4, "stringData", T_MAP_STR, 0, NULL}, {5, "immutable", T_BOOL, 0, NULL});
PB_MSG(object_reference, {1, "kind", T_STRING, 0, NULL}, {2, "namespace", T_STRING, 0, NULL},
       {3, "name", T_STRING, 0, NULL}, {4, "uid", T_STRING, 0, NULL}, {5, "apiVersion", T_STRING, 0, NULL},
       {6, "resourceVersion", T_STRING, 0, NULL}, {7, "fieldPath", T_STRING, 0, NULL});
PB_MSG(local_object_reference, {1, "name", T_STRING, 0, NULL});
PB_MSG(service_account, {1, "metadata", T_MSG, 0, &object_meta}, {2, "secrets", T_MSG, F_REPEATED, &object_reference},
       {3, "imagePullSecrets", T_MSG, F_REPEATED, &local_object_reference},
       {4, "automountServiceAccountToken", T_BOOL, 0, NULL});

static const struct {
        const char *kind;
        const pb_msg *msg;
} pb_kinds[] = {
    {"Namespace", &namespace_msg},
    {"ConfigMap", &config_map},
    {"Secret", &secret},
    {"ServiceAccount", &service_account},
};

/* ---- reader ---- */

typedef struct pb_cursor {
        const uint8_t *p, *end;
} pb_cursor;

typedef struct pb_ctx {
        const uint8_t *base; /* start of the body, for offsets in messages */
        const char *path[API_PROTOBUF_MAX_DEPTH + 2];
        int index[API_PROTOBUF_MAX_DEPTH + 2]; /* list index at that level, -1 when none */
        int depth;
        size_t items; /* map entries and list items so far */
        ocx_error **reterr;
} pb_ctx;

static int pb_fail(pb_ctx *c, const uint8_t *at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int pb_fail(pb_ctx *c, const uint8_t *at, const char *fmt, ...) {
        char what[256], path[512];
        size_t off = 0;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(what, sizeof(what), fmt, ap);
        va_end(ap);
        path[0] = 0;
        for (int i = 0; i < c->depth && off < sizeof(path); i++) {
                int w = c->index[i] >= 0 ? snprintf(path + off, sizeof(path) - off, "%s%s[%d]", i ? "." : "",
                                                    c->path[i], c->index[i])
                                         : snprintf(path + off, sizeof(path) - off, "%s%s", i ? "." : "", c->path[i]);
                if (w < 0) break;
                off += (size_t)w;
        }
        ocx_error_set(c->reterr, EBADMSG, path[0] ? path : NULL, "invalid protobuf body: %s%s%s at byte %zu", path,
                      path[0] ? ": " : "", what, (size_t)(at - c->base));
        return -EBADMSG;
}

static int pb_push(pb_ctx *c, const uint8_t *at, const char *name, int index) {
        if (c->depth >= API_PROTOBUF_MAX_DEPTH) return pb_fail(c, at, "messages nested too deeply");
        c->path[c->depth] = name;
        c->index[c->depth] = index;
        c->depth++;
        return 0;
}

static void pb_pop(pb_ctx *c) { c->depth--; }

static int read_varint(pb_ctx *c, pb_cursor *cur, uint64_t *ret) {
        const uint8_t *start = cur->p;
        uint64_t v = 0;
        *ret = 0;
        for (unsigned i = 0; i < 10; i++) {
                if (cur->p >= cur->end) return pb_fail(c, start, "truncated varint");
                uint8_t b = *cur->p++;
                if (i == 9 && b > 1) return pb_fail(c, start, "varint overflows 64 bits");
                v |= (uint64_t)(b & 0x7f) << (7 * i);
                if (!(b & 0x80)) {
                        *ret = v;
                        return 0;
                }
        }
        return pb_fail(c, start, "varint longer than 10 bytes");
}

static int read_tag(pb_ctx *c, pb_cursor *cur, uint32_t *ret_num, unsigned *ret_wt) {
        const uint8_t *at = cur->p;
        uint64_t v;
        *ret_num = 0;
        *ret_wt = 0;
        int r = read_varint(c, cur, &v);
        if (r < 0) return r;
        uint64_t num = v >> 3;
        if (num == 0 || num > 0x1fffffff) return pb_fail(c, at, "invalid field number %llu", (unsigned long long)num);
        *ret_num = (uint32_t)num;
        *ret_wt = (unsigned)(v & 7);
        return 0;
}

static int read_bytes(pb_ctx *c, pb_cursor *cur, const uint8_t **ret, size_t *ret_len) {
        const uint8_t *at = cur->p;
        uint64_t n;
        *ret = NULL;
        *ret_len = 0;
        int r = read_varint(c, cur, &n);
        if (r < 0) return r;
        size_t left = (size_t)(cur->end - cur->p);
        if (n > left)
                return pb_fail(c, at, "length %llu exceeds the %zu bytes left in the message", (unsigned long long)n,
                               left);
        *ret = cur->p;
        *ret_len = (size_t)n;
        cur->p += n;
        return 0;
}

static int skip_field(pb_ctx *c, pb_cursor *cur, uint32_t num, unsigned wt) {
        const uint8_t *at = cur->p, *ignored;
        uint64_t v;
        size_t n, left = (size_t)(cur->end - cur->p);
        switch (wt) {
        case WT_VARINT:
                return read_varint(c, cur, &v);
        case WT_FIXED64:
        case WT_FIXED32:
                n = wt == WT_FIXED64 ? 8 : 4;
                if (left < n) return pb_fail(c, at, "truncated fixed-size field %u", num);
                cur->p += n;
                return 0;
        case WT_LEN:
                return read_bytes(c, cur, &ignored, &n);
        case WT_SGROUP:
        case WT_EGROUP:
                return pb_fail(c, at, "field %u: groups are not supported", num);
        default:
                return pb_fail(c, at, "field %u: invalid wire type %u", num, wt);
        }
}

/* Strings become C strings: no NUL bytes, well-formed UTF-8 (JSON cannot
 * carry anything else faithfully). */
static bool valid_utf8(const uint8_t *s, size_t n) {
        size_t i = 0;
        while (i < n) {
                uint8_t b = s[i];
                size_t k;
                uint32_t cp, min;
                if (b == 0) return false;
                if (b < 0x80) {
                        i++;
                        continue;
                }
                if ((b & 0xe0) == 0xc0)
                        k = 1, cp = b & 0x1f, min = 0x80;
                else if ((b & 0xf0) == 0xe0)
                        k = 2, cp = b & 0x0f, min = 0x800;
                else if ((b & 0xf8) == 0xf0)
                        k = 3, cp = b & 0x07, min = 0x10000;
                else
                        return false;
                if (n - i <= k) return false;
                for (size_t j = 1; j <= k; j++) {
                        if ((s[i + j] & 0xc0) != 0x80) return false;
                        cp = (cp << 6) | (s[i + j] & 0x3f);
                }
                if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
                i += k + 1;
        }
        return true;
}

static int make_string(pb_ctx *c, const uint8_t *at, const uint8_t *s, size_t n, cJSON **ret) {
        if (!s || n == 0) s = (const uint8_t *)"", n = 0;
        if (memchr(s, 0, n)) return pb_fail(c, at, "string contains a NUL byte");
        if (!valid_utf8(s, n)) return pb_fail(c, at, "string is not valid UTF-8");
        char *str = ocx_xstrndup((const char *)s, n);
        *ret = cJSON_CreateString(str);
        free(str);
        return 0;
}

static int count_item(pb_ctx *c, const uint8_t *at) {
        if (++c->items > API_PROTOBUF_MAX_ITEMS)
                return pb_fail(c, at, "more than %d map entries and list items in one body", API_PROTOBUF_MAX_ITEMS);
        return 0;
}

/* The array member `key` of obj, created when absent. */
static cJSON *ensure_array(cJSON *obj, const char *key) {
        cJSON *a = ocx_json_get(obj, key);
        if (cJSON_IsArray(a)) return a;
        a = cJSON_CreateArray();
        ocx_json_set(obj, key, a);
        return a;
}

/* Map entry {key = 1, value = 2}; missing parts are empty, as in Go. */
static int decode_map_entry(pb_ctx *c, const uint8_t *data, size_t len, bool bytes_value, cJSON *map) {
        pb_cursor cur = {data, data + len};
        const uint8_t *key = NULL, *val = NULL, *key_at = data, *val_at = data;
        size_t key_n = 0, val_n = 0;
        while (cur.p < cur.end) {
                uint32_t num;
                unsigned wt;
                const uint8_t *at = cur.p;
                int r = read_tag(c, &cur, &num, &wt);
                if (r < 0) return r;
                if ((num == 1 || num == 2) && wt != WT_LEN)
                        return pb_fail(c, at, "map entry field %u has wire type %u, expected 2", num, wt);
                if (num == 1)
                        r = read_bytes(c, &cur, &key, &key_n), key_at = at;
                else if (num == 2)
                        r = read_bytes(c, &cur, &val, &val_n), val_at = at;
                else
                        r = skip_field(c, &cur, num, wt);
                if (r < 0) return r;
        }
        _cleanup_json_ cJSON *v = NULL;
        int r;
        if (bytes_value) {
                char *b64 = ocx_base64_encode(val ? val : (const uint8_t *)"", val_n, 0);
                v = cJSON_CreateString(b64);
                free(b64);
        } else {
                r = make_string(c, val_at, val ? val : (const uint8_t *)"", val_n, &v);
                if (r < 0) return r;
        }
        _cleanup_json_ cJSON *k = NULL;
        r = make_string(c, key_at, key ? key : (const uint8_t *)"", key_n, &k);
        if (r < 0) return r;
        ocx_json_set(map, cJSON_GetStringValue(k), TAKE_PTR(v));
        return 0;
}

/* meta/v1 Time {int64 seconds = 1; int32 nanos = 2}: seconds precision, an
 * empty message is the zero time (no value), as apimachinery decodes it. */
static int decode_time(pb_ctx *c, const uint8_t *data, size_t len, cJSON **ret) {
        pb_cursor cur = {data, data + len};
        int64_t seconds = 0;
        *ret = NULL;
        while (cur.p < cur.end) {
                uint32_t num;
                unsigned wt;
                uint64_t v;
                const uint8_t *at = cur.p;
                int r = read_tag(c, &cur, &num, &wt);
                if (r < 0) return r;
                if (num == 1 || num == 2) {
                        if (wt != WT_VARINT) return pb_fail(c, at, "field %u has wire type %u, expected 0", num, wt);
                        r = read_varint(c, &cur, &v);
                        if (r < 0) return r;
                        if (num == 1) seconds = (int64_t)v;
                        continue;
                }
                r = skip_field(c, &cur, num, wt);
                if (r < 0) return r;
        }
        if (len == 0) return 0;
        /* 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59Z */
        if (seconds < -62135596800LL || seconds > 253402300799LL)
                return pb_fail(c, data, "time %lld seconds is out of range", (long long)seconds);
        char buf[32];
        ocx_time_rfc3339((time_t)seconds, buf, sizeof(buf));
        if (!buf[0]) return pb_fail(c, data, "time %lld seconds cannot be formatted", (long long)seconds);
        *ret = cJSON_CreateString(buf);
        return 0;
}

/* meta/v1 FieldsV1 {bytes Raw = 1}: Raw is a JSON document. */
static int decode_fields_v1(pb_ctx *c, const uint8_t *data, size_t len, cJSON **ret) {
        pb_cursor cur = {data, data + len};
        const uint8_t *raw = NULL, *raw_at = data;
        size_t raw_n = 0;
        *ret = NULL;
        while (cur.p < cur.end) {
                uint32_t num;
                unsigned wt;
                const uint8_t *at = cur.p;
                int r = read_tag(c, &cur, &num, &wt);
                if (r < 0) return r;
                if (num == 1) {
                        if (wt != WT_LEN) return pb_fail(c, at, "field 1 has wire type %u, expected 2", wt);
                        r = read_bytes(c, &cur, &raw, &raw_n);
                        raw_at = at;
                } else {
                        r = skip_field(c, &cur, num, wt);
                }
                if (r < 0) return r;
        }
        if (raw_n == 0) return 0;
        _cleanup_error_ ocx_error *e = NULL;
        if (ocx_json_parse((const char *)raw, raw_n, ret, &e) < 0)
                return pb_fail(c, raw_at, "Raw is not JSON: %s", e ? e->message : "parse error");
        return 0;
}

static int decode_message(pb_ctx *c, const uint8_t *data, size_t len, const pb_msg *m, cJSON *into);

static const pb_field *find_field(const pb_msg *m, uint32_t num) {
        for (size_t i = 0; i < m->n; i++)
                if (m->fields[i].num == num) return &m->fields[i];
        return NULL;
}

/* One occurrence of field f (its tag already read at `at`) into `into`; the
 * error path names the field. */
static int decode_value(pb_ctx *c, pb_cursor *cur, const pb_field *f, const uint8_t *at, cJSON *into) {
        const uint8_t *data;
        size_t n;
        uint64_t v;
        int r;
        if (f->type == T_INT64 || f->type == T_BOOL) {
                r = read_varint(c, cur, &v);
                if (r < 0) return r;
                if (f->type == T_BOOL) {
                        ocx_json_set(into, f->json, cJSON_CreateBool(v != 0));
                        return 0;
                }
                int64_t i = (int64_t)v;
                if (i > (1LL << 53) || i < -(1LL << 53))
                        return pb_fail(c, at, "integer %lld is out of range", (long long)i);
                if (i == 0 && !(f->flags & F_KEEP))
                        cJSON_DeleteItemFromObjectCaseSensitive(into, f->json);
                else
                        ocx_json_set_int(into, f->json, i);
                return 0;
        }
        r = read_bytes(c, cur, &data, &n);
        if (r < 0) return r;
        if (f->flags & F_REPEATED) {
                r = count_item(c, at);
                if (r < 0) return r;
        }
        cJSON *val = NULL;
        switch (f->type) {
        case T_STRING:
                r = make_string(c, at, data, n, &val);
                if (r < 0) return r;
                if (f->flags & F_REPEATED)
                        cJSON_AddItemToArray(ensure_array(into, f->json), val);
                else if (n == 0 && !(f->flags & F_KEEP)) {
                        cJSON_Delete(val);
                        cJSON_DeleteItemFromObjectCaseSensitive(into, f->json);
                } else
                        ocx_json_set(into, f->json, val);
                return 0;
        case T_MSG:
                if (f->flags & F_REPEATED) {
                        cJSON *arr = ensure_array(into, f->json);
                        val = cJSON_CreateObject();
                        cJSON_AddItemToArray(arr, val); /* owned by arr, even on error */
                        c->index[c->depth - 1] = cJSON_GetArraySize(arr) - 1;
                        return decode_message(c, data, n, f->sub, val);
                }
                val = ocx_json_get(into, f->json);
                bool fresh = !cJSON_IsObject(val);
                if (fresh) {
                        val = cJSON_CreateObject();
                        ocx_json_set(into, f->json, val);
                }
                r = decode_message(c, data, n, f->sub, val);
                if (r < 0) return r;
                if (fresh && !val->child) cJSON_DeleteItemFromObjectCaseSensitive(into, f->json);
                return 0;
        case T_TIME:
        case T_FIELDS_V1:
                r = f->type == T_TIME ? decode_time(c, data, n, &val) : decode_fields_v1(c, data, n, &val);
                if (r < 0) return r;
                if (val)
                        ocx_json_set(into, f->json, val);
                else
                        cJSON_DeleteItemFromObjectCaseSensitive(into, f->json);
                return 0;
        case T_MAP_STR:
        case T_MAP_BYTES:
                r = count_item(c, at);
                if (r < 0) return r;
                return decode_map_entry(c, data, n, f->type == T_MAP_BYTES, ocx_json_ensure_obj(into, f->json));
        default:
                return pb_fail(c, at, "internal: unhandled field type");
        }
}

static int decode_field(pb_ctx *c, pb_cursor *cur, const pb_field *f, const uint8_t *at, cJSON *into) {
        int r = pb_push(c, at, f->json, -1);
        if (r < 0) return r;
        r = decode_value(c, cur, f, at, into);
        pb_pop(c);
        return r;
}

static int decode_message(pb_ctx *c, const uint8_t *data, size_t len, const pb_msg *m, cJSON *into) {
        pb_cursor cur = {data, data + len};
        while (cur.p < cur.end) {
                uint32_t num;
                unsigned wt;
                const uint8_t *at = cur.p;
                int r = read_tag(c, &cur, &num, &wt);
                if (r < 0) return r;
                const pb_field *f = find_field(m, num);
                if (!f) {
                        r = skip_field(c, &cur, num, wt);
                        if (r < 0) return r;
                        continue;
                }
                unsigned want = f->type == T_INT64 || f->type == T_BOOL ? WT_VARINT : WT_LEN;
                if (wt != want)
                        return pb_fail(c, at, "field %u (%s) has wire type %u, expected %u", num, f->json, wt, want);
                r = decode_field(c, &cur, f, at, into);
                if (r < 0) return r;
        }
        return 0;
}

static const pb_msg *schema_for(const api_kind *k) {
        if (!k || k->group[0] || !ocx_streq(k->version, "v1")) return NULL;
        for (size_t i = 0; i < OCX_ARRAY_SIZE(pb_kinds); i++)
                if (ocx_streq(pb_kinds[i].kind, k->kind)) return pb_kinds[i].msg;
        return NULL;
}

bool api_protobuf_supported(const api_kind *k) { return schema_for(k) != NULL; }

int api_protobuf_decode(const char *data, size_t len, const api_kind *k, cJSON **ret, ocx_error **reterr) {
        const pb_msg *m = schema_for(k);
        if (!m)
                return ocx_error_set(reterr, EPROTONOSUPPORT, NULL, "protobuf bodies are not supported for %s",
                                     k ? api_kind_qualified(k) : "this resource");
        const uint8_t *base = (const uint8_t *)data;
        pb_ctx c = {.base = base, .depth = 0, .items = 0, .reterr = reterr};
        if (!data || len < sizeof(pb_magic) || memcmp(data, pb_magic, sizeof(pb_magic)) != 0)
                return ocx_error_set(reterr, EBADMSG, NULL,
                                     "invalid protobuf body: it does not start with the magic bytes 'k8s\\x00'");
        /* runtime.Unknown {typeMeta = 1, raw = 2, contentEncoding = 3, contentType = 4} */
        pb_cursor cur = {base + sizeof(pb_magic), base + len};
        const uint8_t *raw = NULL;
        size_t raw_n = 0;
        bool encoded = false;
        _cleanup_json_ cJSON *tm = cJSON_CreateObject();
        while (cur.p < cur.end) {
                uint32_t num;
                unsigned wt;
                const uint8_t *at = cur.p, *s;
                size_t n;
                int r = read_tag(&c, &cur, &num, &wt);
                if (r < 0) return r;
                if (num < 1 || num > 4) {
                        r = skip_field(&c, &cur, num, wt);
                        if (r < 0) return r;
                        continue;
                }
                if (wt != WT_LEN) return pb_fail(&c, at, "envelope field %u has wire type %u, expected 2", num, wt);
                r = read_bytes(&c, &cur, &s, &n);
                if (r < 0) return r;
                if (num == 1) {
                        r = pb_push(&c, at, "typeMeta", -1);
                        if (r < 0) return r;
                        r = decode_message(&c, s, n, &type_meta, tm);
                        pb_pop(&c);
                        if (r < 0) return r;
                } else if (num == 2) {
                        raw = s, raw_n = n;
                } else if (num == 3) {
                        encoded = n > 0;
                }
        }
        if (encoded)
                return ocx_error_set(reterr, EBADMSG, NULL,
                                     "invalid protobuf body: content encodings are not supported");
        const char *kind = ocx_json_get_str(tm, "kind"), *av = ocx_json_get_str(tm, "apiVersion");
        if ((kind && !ocx_streq(kind, k->kind)) || (av && !ocx_streq(av, api_kind_api_version(k))))
                return ocx_error_set(reterr, EBADMSG, NULL,
                                     "%s in version \"%s\" cannot be handled as a %s: the object kind or apiVersion "
                                     "does not match the resource %s",
                                     kind ? kind : "", av ? av : "", k->kind, api_kind_qualified(k));
        _cleanup_json_ cJSON *obj = cJSON_CreateObject();
        cJSON_AddStringToObject(obj, "apiVersion", api_kind_api_version(k));
        cJSON_AddStringToObject(obj, "kind", k->kind);
        if (raw) {
                int r = decode_message(&c, raw, raw_n, m, obj);
                if (r < 0) return r;
        }
        *ret = TAKE_PTR(obj);
        return 0;
}
