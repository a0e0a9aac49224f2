/* JSON -> YAML through libyaml's emitter with go-yaml's choices of scalar
 * style and key order, so the output is byte for byte what kubectl prints. */
#include "ocx/yaml.h"
#include <stdint.h>
#include <yaml.h>
#include "ocx/json.h"
#include "yaml-internal.h"
#include "ocx/banned.h"

/* Recursion guard for the writer (objects built in code are not depth-checked). */
#define YAML_WRITE_MAX_DEPTH 1000

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
        else if (ocx_yaml_resolve_plain(s, &num, &bv) == R_STR && !ocx_yaml_is_base60_float(s)) style = YAML_PLAIN_SCALAR_STYLE;
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
                ocx_yaml_format_number(v->valuedouble, tmp, sizeof(tmp));
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
