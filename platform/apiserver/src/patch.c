#include "apiserver/patch.h"
#include <stdio.h>
#include "ocx/json.h"
#include "ocx/banned.h"

/* --- strategic merge (subset) ---------------------------------------------- */

static const char *merge_key(const char *field) {
        static const char *const map[][2] = {
                {"containers", "name"},    {"initContainers", "name"}, {"ephemeralContainers", "name"},
                {"volumes", "name"},       {"env", "name"},            {"volumeMounts", "mountPath"},
                {"imagePullSecrets", "name"}, {"ownerReferences", "uid"}, {"conditions", "type"},
                {"hostAliases", "ip"},     {"tolerations", "key"},     {"volumeDevices", "devicePath"},
        };
        for (size_t i = 0; i < OCX_ARRAY_SIZE(map); i++)
                if (ocx_streq(field, map[i][0])) return map[i][1];
        return NULL;
}

static void strategic(cJSON *target, const cJSON *patch);

static cJSON *find_by_key(cJSON *list, const char *key, const cJSON *val) {
        cJSON *e;
        cJSON_ArrayForEach(e, list) if (ocx_json_equal(ocx_json_get(e, key), val)) return e;
        return NULL;
}

static void strategic_list(cJSON *target, const char *field, const cJSON *plist) {
        const char *key = merge_key(field);
        cJSON *tl = ocx_json_get(target, field);
        if (!key || !cJSON_IsArray(tl)) {
                ocx_json_set(target, field, cJSON_Duplicate(plist, true));
                return;
        }
        const cJSON *pe;
        cJSON_ArrayForEach(pe, plist) {
                const cJSON *kv = ocx_json_get(pe, key);
                if (!cJSON_IsObject(pe) || !kv) {
                        cJSON_AddItemToArray(tl, cJSON_Duplicate(pe, true));
                        continue;
                }
                cJSON *te = find_by_key(tl, key, kv);
                const char *directive = ocx_json_get_str(pe, "$patch");
                if (ocx_streq(directive, "delete")) {
                        if (te) cJSON_Delete(cJSON_DetachItemViaPointer(tl, te));
                        continue;
                }
                if (te) strategic(te, pe);
                else {
                        cJSON *n = cJSON_CreateObject();
                        strategic(n, pe);
                        cJSON_AddItemToArray(tl, n);
                }
        }
}

static void strategic(cJSON *target, const cJSON *patch) {
        const cJSON *p;
        if (ocx_streq(ocx_json_get_str(patch, "$patch"), "replace")) {
                while (target->child) cJSON_Delete(cJSON_DetachItemViaPointer(target, target->child));
                cJSON_ArrayForEach(p, patch) if (p->string[0] != '$') cJSON_AddItemToObject(target, p->string, cJSON_Duplicate(p, true));
                return;
        }
        cJSON_ArrayForEach(p, patch) {
                const char *f = p->string;
                if (f[0] == '$') continue;
                if (ocx_startswith(f, "$setElementOrder/") || ocx_startswith(f, "$deleteFromPrimitiveList/")) continue;
                if (cJSON_IsNull(p)) cJSON_DeleteItemFromObjectCaseSensitive(target, f);
                else if (cJSON_IsObject(p)) {
                        cJSON *t = ocx_json_get(target, f);
                        if (!cJSON_IsObject(t)) {
                                t = cJSON_CreateObject();
                                ocx_json_set(target, f, t);
                        }
                        strategic(t, p);
                } else if (cJSON_IsArray(p)) {
                        strategic_list(target, f, p);
                } else {
                        ocx_json_set(target, f, cJSON_Duplicate(p, true));
                }
        }
        /* $deleteFromPrimitiveList/<field>: remove listed values */
        cJSON_ArrayForEach(p, patch) {
                if (!ocx_startswith(p->string, "$deleteFromPrimitiveList/")) continue;
                cJSON *tl = ocx_json_get(target, p->string + strlen("$deleteFromPrimitiveList/"));
                const cJSON *v;
                cJSON_ArrayForEach(v, p) {
                        cJSON *e = tl ? tl->child : NULL;
                        while (e) {
                                cJSON *next = e->next;
                                if (ocx_json_equal(e, v)) cJSON_Delete(cJSON_DetachItemViaPointer(tl, e));
                                e = next;
                        }
                }
        }
}

/* --- JSON patch -------------------------------------------------------------- */

/* Resolves a JSON pointer to (parent, token). Returns the parent container. */
static cJSON *resolve_parent(cJSON *doc, const char *ptr, char *tok, size_t toklen) {
        if (ptr[0] != '/') return NULL;
        cJSON *cur = doc;
        const char *p = ptr + 1;
        for (;;) {
                const char *slash = strchr(p, '/');
                size_t n = slash ? (size_t)(slash - p) : strlen(p);
                /* unescape ~1 and ~0 */
                size_t j = 0;
                for (size_t i = 0; i < n && j + 1 < toklen; i++) {
                        if (p[i] == '~' && i + 1 < n && p[i + 1] == '1') {
                                tok[j++] = '/';
                                i++;
                        } else if (p[i] == '~' && i + 1 < n && p[i + 1] == '0') {
                                tok[j++] = '~';
                                i++;
                        } else tok[j++] = p[i];
                }
                tok[j] = 0;
                if (!slash) return cur;
                if (cJSON_IsObject(cur)) cur = ocx_json_get(cur, tok);
                else if (cJSON_IsArray(cur)) {
                        char *end;
                        long idx = strtol(tok, &end, 10);
                        if (*end || idx < 0 || !*tok) return NULL;
                        cur = cJSON_GetArrayItem(cur, (int)idx);
                } else return NULL;
                if (!cur) return NULL;
                p = slash + 1;
        }
}

static int array_index(const cJSON *arr, const char *tok, bool for_add, int *ret) {
        int n = cJSON_GetArraySize(arr);
        if (for_add && ocx_streq(tok, "-")) {
                *ret = n;
                return 0;
        }
        char *end;
        long idx = strtol(tok, &end, 10);
        if (!*tok || *end || idx < 0 || idx > n || (!for_add && idx == n)) return -EINVAL;
        *ret = (int)idx;
        return 0;
}

static cJSON *get_ptr(cJSON *doc, const char *ptr) {
        if (!*ptr) return doc;
        char tok[512];
        cJSON *parent = resolve_parent(doc, ptr, tok, sizeof(tok));
        if (!parent) return NULL;
        if (cJSON_IsObject(parent)) return ocx_json_get(parent, tok);
        int i;
        if (cJSON_IsArray(parent) && array_index(parent, tok, false, &i) == 0) return cJSON_GetArrayItem(parent, i);
        return NULL;
}

static int op_remove(cJSON *doc, const char *path, cJSON **ret_removed) {
        char tok[512];
        cJSON *parent = resolve_parent(doc, path, tok, sizeof(tok));
        if (!parent) return -EINVAL;
        cJSON *item = NULL;
        if (cJSON_IsObject(parent)) item = cJSON_DetachItemFromObjectCaseSensitive(parent, tok);
        else if (cJSON_IsArray(parent)) {
                int i;
                if (array_index(parent, tok, false, &i) < 0) return -EINVAL;
                item = cJSON_DetachItemFromArray(parent, i);
        }
        if (!item) return -EINVAL;
        if (ret_removed) *ret_removed = item;
        else cJSON_Delete(item);
        return 0;
}

static int op_add(cJSON *doc, const char *path, cJSON *val) {
        char tok[512];
        cJSON *parent = resolve_parent(doc, path, tok, sizeof(tok));
        if (!parent) return -EINVAL;
        if (cJSON_IsObject(parent)) {
                ocx_json_set(parent, tok, val);
                return 0;
        }
        if (cJSON_IsArray(parent)) {
                int i;
                if (array_index(parent, tok, true, &i) < 0) return -EINVAL;
                if (i == cJSON_GetArraySize(parent)) cJSON_AddItemToArray(parent, val);
                else cJSON_InsertItemInArray(parent, i, val);
                return 0;
        }
        return -EINVAL;
}

static int json_patch(cJSON *doc, const cJSON *ops, ocx_error **reterr) {
        if (!cJSON_IsArray(ops)) return ocx_error_set(reterr, EBADMSG, NULL, "json patch must be an array of operations");
        int i = 0;
        const cJSON *op;
        cJSON_ArrayForEach(op, ops) {
                const char *o = ocx_json_get_str(op, "op"), *path = ocx_json_get_str(op, "path");
                const char *from = ocx_json_get_str(op, "from");
                const cJSON *value = ocx_json_get(op, "value");
                if (!o || !path)
                        return ocx_error_set(reterr, EBADMSG, NULL, "json patch operation %d: missing op or path", i);
                int r = 0;
                if (ocx_streq(o, "add")) {
                        r = value ? op_add(doc, path, cJSON_Duplicate(value, true)) : -EINVAL;
                } else if (ocx_streq(o, "remove")) {
                        r = op_remove(doc, path, NULL);
                } else if (ocx_streq(o, "replace")) {
                        r = value && get_ptr(doc, path) ? op_remove(doc, path, NULL) : -EINVAL;
                        if (r == 0) r = op_add(doc, path, cJSON_Duplicate(value, true));
                } else if (ocx_streq(o, "move") || ocx_streq(o, "copy")) {
                        cJSON *src = from ? get_ptr(doc, from) : NULL;
                        if (!src) r = -EINVAL;
                        else if (ocx_streq(o, "copy")) r = op_add(doc, path, cJSON_Duplicate(src, true));
                        else {
                                cJSON *moved = NULL;
                                r = op_remove(doc, from, &moved);
                                if (r == 0) r = op_add(doc, path, moved);
                        }
                } else if (ocx_streq(o, "test")) {
                        cJSON *cur = get_ptr(doc, path);
                        if (!cur || !ocx_json_equal(cur, value))
                                return ocx_error_set(reterr, EINVAL, NULL, "the server rejected our request due to an error in our request: testing value %s failed", path);
                } else {
                        return ocx_error_set(reterr, EBADMSG, NULL, "json patch operation %d: unknown op '%s'", i, o);
                }
                if (r < 0)
                        return ocx_error_set(reterr, EBADMSG, NULL,
                                             "the server rejected our request due to an error in our request: %s operation does not apply: doc is missing path: \"%s\"",
                                             o, path);
                i++;
        }
        return 0;
}

int api_patch_apply(api_patch_type type, const cJSON *doc, const cJSON *patch, cJSON **ret, ocx_error **reterr) {
        cJSON *out = cJSON_Duplicate(doc, true);
        int r = 0;
        switch (type) {
        case PATCH_MERGE:
                if (!cJSON_IsObject(patch)) r = ocx_error_set(reterr, EBADMSG, NULL, "merge patch must be a JSON object");
                else out = ocx_json_merge_patch(out, patch);
                break;
        case PATCH_STRATEGIC:
                if (!cJSON_IsObject(patch)) r = ocx_error_set(reterr, EBADMSG, NULL, "strategic merge patch must be a JSON object");
                else strategic(out, patch);
                break;
        case PATCH_JSON:
                r = json_patch(out, patch, reterr);
                break;
        }
        if (r < 0) {
                cJSON_Delete(out);
                return r;
        }
        *ret = out;
        return 0;
}
