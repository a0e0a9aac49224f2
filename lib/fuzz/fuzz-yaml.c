/* Fuzz entry point: ocx_decode_manifests, then ocx_yaml_write of every object;
 * what was written must read back as the same JSON. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include "ocx/json.h"
#include "ocx/yaml.h"
#include "ocx/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The writer replaces invalid UTF-8 with U+FFFD (as kubectl does), so only
 * valid text is expected to survive unchanged. */
static bool valid_utf8(const char *str) {
        const unsigned char *s = (const unsigned char *)str;
        while (*s) {
                size_t n = *s < 0x80 ? 1 : (*s & 0xE0) == 0xC0 ? 2 : (*s & 0xF0) == 0xE0 ? 3 : (*s & 0xF8) == 0xF0 ? 4 : 0;
                if (!n || (n == 2 && *s < 0xC2)) return false;
                uint32_t cp = n == 1 ? *s : (uint32_t)(*s & (0x7F >> n));
                for (size_t i = 1; i < n; i++) {
                        if ((s[i] & 0xC0) != 0x80) return false;
                        cp = (cp << 6) | (s[i] & 0x3F);
                }
                if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
                    (cp >= 0xD800 && cp <= 0xDFFF))
                        return false;
                s += n;
        }
        return true;
}

static bool all_valid(const cJSON *n) {
        if (n->string && !valid_utf8(n->string)) return false;
        if (cJSON_IsString(n) && !valid_utf8(n->valuestring)) return false;
        for (const cJSON *c = n->child; c; c = c->next)
                if (!all_valid(c)) return false;
        return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        cJSON *objs = NULL;
        ocx_error *e = NULL;
        if (ocx_decode_manifests((const char *)data, size, &objs, &e) < 0) {
                if (!e || !e->message) abort();
                ocx_error_free(e);
                return 0;
        }
        for (const cJSON *o = objs->child; o; o = o->next) {
                ocx_buf b = OCX_BUF_INIT;
                if (ocx_yaml_write(&b, o) < 0) abort();
                cJSON *back = NULL;
                if (all_valid(o)) {
                        if (ocx_yaml_parse_stream(b.data, b.len, &back, NULL) < 0) abort();
                        if (cJSON_GetArraySize(back) != 1 || !ocx_json_equal(back->child, o)) abort();
                }
                cJSON_Delete(back);
                ocx_buf_release(&b);
        }
        cJSON_Delete(objs);
        return 0;
}
