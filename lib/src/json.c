#include "ocx/json.h"
#include <math.h>
#include <stdio.h>

static void line_col(const char *s, size_t off, int *line, int *col) {
        *line = 1;
        *col = 1;
        for (size_t i = 0; i < off; i++) {
                if (s[i] == '\n') {
                        (*line)++;
                        *col = 1;
                } else {
                        (*col)++;
                }
        }
}

/* Pre-scan: depth of brackets outside strings, so cJSON's recursion stays shallow. */
static int check_depth(const char *s, size_t len, size_t *ret_off) {
        int depth = 0;
        bool in_str = false;
        for (size_t i = 0; i < len; i++) {
                char c = s[i];
                if (in_str) {
                        if (c == '\\') i++;
                        else if (c == '"') in_str = false;
                        continue;
                }
                if (c == '"') in_str = true;
                else if (c == '{' || c == '[') {
                        if (++depth > OCX_JSON_MAX_DEPTH) {
                                *ret_off = i;
                                return -E2BIG;
                        }
                } else if (c == '}' || c == ']') {
                        depth--;
                }
        }
        return 0;
}

static int cmp_names(const void *a, const void *b) {
        return strcmp((*(const cJSON *const *)a)->string, (*(const cJSON *const *)b)->string);
}

static const char *find_duplicate(const cJSON *node) {
        if (cJSON_IsObject(node)) {
                size_t n = 0;
                for (const cJSON *c = node->child; c; c = c->next) n++;
                if (n > 1) {
                        const cJSON **v = ocx_xmalloc(n * sizeof(*v));
                        size_t i = 0;
                        for (const cJSON *c = node->child; c; c = c->next) v[i++] = c;
                        qsort(v, n, sizeof(*v), cmp_names);
                        const char *dup = NULL;
                        for (i = 1; i < n && !dup; i++)
                                if (strcmp(v[i - 1]->string, v[i]->string) == 0) dup = v[i]->string;
                        free(v);
                        if (dup) return dup;
                }
        }
        if (cJSON_IsObject(node) || cJSON_IsArray(node))
                for (const cJSON *c = node->child; c; c = c->next) {
                        const char *d = find_duplicate(c);
                        if (d) return d;
                }
        return NULL;
}

int ocx_json_parse(const char *s, size_t len, cJSON **ret, ocx_error **reterr) {
        int line, col;
        size_t off = 0;
        if (check_depth(s, len, &off) < 0) {
                line_col(s, off, &line, &col);
                return ocx_error_set(reterr, EINVAL, NULL,
                                     "invalid JSON at line %d, column %d: nesting deeper than %d",
                                     line, col, OCX_JSON_MAX_DEPTH);
        }
        const char *end = NULL;
        cJSON *j = cJSON_ParseWithLengthOpts(s, len, &end, false);
        if (!j) {
                off = end && end >= s ? (size_t)(end - s) : 0;
                if (off > len) off = len;
                line_col(s, off, &line, &col);
                if (off >= len)
                        return ocx_error_set(reterr, EINVAL, NULL,
                                             "invalid JSON at line %d, column %d: unexpected end of input",
                                             line, col);
                return ocx_error_set(reterr, EINVAL, NULL,
                                     "invalid JSON at line %d, column %d: unexpected character '%c'",
                                     line, col, s[off]);
        }
        off = (size_t)(end - s);
        while (off < len && (s[off] == ' ' || s[off] == '\t' || s[off] == '\n' || s[off] == '\r'))
                off++;
        if (off < len) {
                cJSON_Delete(j);
                line_col(s, off, &line, &col);
                return ocx_error_set(reterr, EINVAL, NULL,
                                     "invalid JSON at line %d, column %d: trailing data after the value",
                                     line, col);
        }
        const char *dup = find_duplicate(j);
        if (dup) {
                int r = ocx_error_set(reterr, EINVAL, NULL, "invalid JSON: duplicate key '%s'", dup);
                cJSON_Delete(j);
                return r;
        }
        *ret = j;
        return 0;
}

cJSON *ocx_json_get(const cJSON *obj, const char *key) {
        if (!cJSON_IsObject(obj)) return NULL;
        return cJSON_GetObjectItemCaseSensitive(obj, key);
}

cJSON *ocx_json_path(const cJSON *obj, const char *dotted) {
        const cJSON *cur = obj;
        const char *p = dotted;
        while (cur && *p) {
                const char *dot = strchr(p, '.');
                size_t n = dot ? (size_t)(dot - p) : strlen(p);
                char key[256];
                if (n >= sizeof(key)) return NULL;
                memcpy(key, p, n);
                key[n] = 0;
                cur = ocx_json_get(cur, key);
                p = dot ? dot + 1 : p + n;
        }
        return (cJSON *)cur;
}

const char *ocx_json_get_str(const cJSON *obj, const char *key) {
        cJSON *v = ocx_json_get(obj, key);
        return cJSON_IsString(v) ? v->valuestring : NULL;
}

const char *ocx_json_path_str(const cJSON *obj, const char *dotted) {
        cJSON *v = ocx_json_path(obj, dotted);
        return cJSON_IsString(v) ? v->valuestring : NULL;
}

int ocx_json_int(const cJSON *item, int64_t min, int64_t max, int64_t *ret) {
        if (!cJSON_IsNumber(item)) return -EINVAL;
        double d = item->valuedouble;
        if (!isfinite(d) || d != trunc(d)) return -EINVAL;
        if (fabs(d) > 9007199254740992.0) return -ERANGE;
        int64_t v = (int64_t)d;
        if (v < min || v > max) return -ERANGE;
        *ret = v;
        return 0;
}

bool ocx_json_get_bool(const cJSON *obj, const char *key, bool dflt) {
        cJSON *v = ocx_json_get(obj, key);
        return cJSON_IsBool(v) ? cJSON_IsTrue(v) : dflt;
}

void ocx_json_set(cJSON *obj, const char *key, cJSON *val) {
        if (ocx_json_get(obj, key)) cJSON_ReplaceItemInObjectCaseSensitive(obj, key, val);
        else cJSON_AddItemToObject(obj, key, val);
}

cJSON *ocx_json_ensure_obj(cJSON *obj, const char *key) {
        cJSON *v = ocx_json_get(obj, key);
        if (cJSON_IsObject(v)) return v;
        v = cJSON_CreateObject();
        ocx_json_set(obj, key, v);
        return v;
}

void ocx_json_set_str(cJSON *obj, const char *key, const char *val) {
        ocx_json_set(obj, key, cJSON_CreateString(val));
}

void ocx_json_set_int(cJSON *obj, const char *key, int64_t val) {
        ocx_json_set(obj, key, cJSON_CreateNumber((double)val));
}

int ocx_json_write_string(ocx_buf *b, const char *s) {
        static const char hex[] = "0123456789abcdef";
        int r = ocx_buf_append(b, "\"", 1);
        for (const unsigned char *p = (const unsigned char *)s; r >= 0 && *p; p++) {
                switch (*p) {
                case '"': r = ocx_buf_append(b, "\\\"", 2); break;
                case '\\': r = ocx_buf_append(b, "\\\\", 2); break;
                case '\n': r = ocx_buf_append(b, "\\n", 2); break;
                case '\r': r = ocx_buf_append(b, "\\r", 2); break;
                case '\t': r = ocx_buf_append(b, "\\t", 2); break;
                case '\b': r = ocx_buf_append(b, "\\b", 2); break;
                case '\f': r = ocx_buf_append(b, "\\f", 2); break;
                default:
                        if (*p < 0x20) {
                                char e[6] = {'\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 15]};
                                r = ocx_buf_append(b, e, 6);
                        } else {
                                r = ocx_buf_append(b, p, 1);
                        }
                }
        }
        return r < 0 ? r : ocx_buf_append(b, "\"", 1);
}

static int write_number(ocx_buf *b, double d) {
        if (!isfinite(d)) return ocx_buf_puts(b, "null");
        if (d == trunc(d) && fabs(d) < 1e17) return ocx_buf_printf(b, "%.0f", d);
        char tmp[32];
        snprintf(tmp, sizeof(tmp), "%.15g", d);
        if (strtod(tmp, NULL) != d) snprintf(tmp, sizeof(tmp), "%.17g", d);
        return ocx_buf_puts(b, tmp);
}

static int write_indent(ocx_buf *b, int indent, int level) {
        int r = ocx_buf_append(b, "\n", 1);
        for (int i = 0; r >= 0 && i < indent * level; i++) r = ocx_buf_append(b, " ", 1);
        return r;
}

static int write_value(ocx_buf *b, const cJSON *v, int indent, int level) {
        if (cJSON_IsNull(v) || cJSON_IsInvalid(v)) return ocx_buf_puts(b, "null");
        if (cJSON_IsFalse(v)) return ocx_buf_puts(b, "false");
        if (cJSON_IsTrue(v)) return ocx_buf_puts(b, "true");
        if (cJSON_IsNumber(v)) return write_number(b, v->valuedouble);
        if (cJSON_IsString(v)) return ocx_json_write_string(b, v->valuestring);
        if (cJSON_IsRaw(v)) return ocx_buf_puts(b, v->valuestring);
        bool obj = cJSON_IsObject(v);
        int r = ocx_buf_append(b, obj ? "{" : "[", 1);
        if (!v->child) return r < 0 ? r : ocx_buf_append(b, obj ? "}" : "]", 1);
        for (const cJSON *c = v->child; r >= 0 && c; c = c->next) {
                if (indent) r = write_indent(b, indent, level + 1);
                if (r >= 0 && obj) {
                        r = ocx_json_write_string(b, c->string);
                        if (r >= 0) r = ocx_buf_puts(b, indent ? ": " : ":");
                }
                if (r >= 0) r = write_value(b, c, indent, level + 1);
                if (r >= 0 && c->next) r = ocx_buf_append(b, ",", 1);
        }
        if (r >= 0 && indent) r = write_indent(b, indent, level);
        return r < 0 ? r : ocx_buf_append(b, obj ? "}" : "]", 1);
}

int ocx_json_write(ocx_buf *b, const cJSON *obj, int indent) { return write_value(b, obj, indent, 0); }

char *ocx_json_print(const cJSON *obj) {
        ocx_buf b = OCX_BUF_INIT;
        ocx_json_write(&b, obj, 0);
        return ocx_buf_detach(&b, NULL);
}

cJSON *ocx_json_merge_patch(cJSON *target, const cJSON *patch) {
        if (!cJSON_IsObject(patch)) {
                cJSON_Delete(target);
                return cJSON_Duplicate(patch, true);
        }
        if (!cJSON_IsObject(target)) {
                cJSON_Delete(target);
                target = cJSON_CreateObject();
        }
        const cJSON *e;
        cJSON_ArrayForEach(e, patch) {
                if (cJSON_IsNull(e)) {
                        cJSON_DeleteItemFromObjectCaseSensitive(target, e->string);
                        continue;
                }
                /* replaced in place: members keep their order */
                cJSON *cur = ocx_json_get(target, e->string);
                cJSON *nv = ocx_json_merge_patch(cur ? cJSON_Duplicate(cur, true) : cJSON_CreateNull(), e);
                if (cur) cJSON_ReplaceItemInObjectCaseSensitive(target, e->string, nv);
                else cJSON_AddItemToObject(target, e->string, nv);
        }
        return target;
}

bool ocx_json_equal(const cJSON *a, const cJSON *b) {
        if (!a || !b) return a == b;
        return cJSON_Compare(a, b, true);
}
