#include "apiserver/validate.h"
#include <stdio.h>
#include "ocx/buf.h"
#include "ocx/json.h"
#include "ocx/names.h"
#include "apiserver/schema.h"
#include "ocx/banned.h"

static const char *type_words(const char *reason) {
        if (ocx_streq(reason, "FieldValueRequired")) return "Required value";
        if (ocx_streq(reason, "FieldValueNotSupported")) return "Unsupported value";
        if (ocx_streq(reason, "FieldValueForbidden")) return "Forbidden";
        if (ocx_streq(reason, "FieldValueTooLong")) return "Too long";
        if (ocx_streq(reason, "FieldValueDuplicate")) return "Duplicate value";
        if (ocx_streq(reason, "FieldValueNotFound")) return "Not found";
        return "Invalid value";
}

static void render_value(ocx_buf *b, const cJSON *v) {
        if (cJSON_IsString(v)) ocx_json_write_string(b, v->valuestring);
        else if (cJSON_IsObject(v) || cJSON_IsArray(v)) ocx_buf_puts(b, cJSON_IsObject(v) ? "\"object\"" : "\"array\"");
        else ocx_json_write(b, v, 0);
}

void api_cause(cJSON *causes, const char *reason, const char *field, const cJSON *value, const char *detail) {
        ocx_buf b = OCX_BUF_INIT;
        ocx_buf_puts(&b, type_words(reason));
        bool with_value = value && !ocx_streq(reason, "FieldValueRequired") &&
                          !ocx_streq(reason, "FieldValueForbidden") && !ocx_streq(reason, "FieldValueTooLong");
        if (with_value) {
                ocx_buf_puts(&b, ": ");
                render_value(&b, value);
        }
        if (detail && *detail) ocx_buf_printf(&b, ": %s", detail);
        cJSON *c = cJSON_CreateObject();
        cJSON_AddStringToObject(c, "reason", reason);
        cJSON_AddStringToObject(c, "message", b.data);
        cJSON_AddStringToObject(c, "field", field);
        cJSON_AddItemToArray(causes, c);
        ocx_buf_release(&b);
}

void api_cause_str(cJSON *causes, const char *reason, const char *field, const char *value, const char *detail) {
        cJSON *v = value ? cJSON_CreateString(value) : NULL;
        api_cause(causes, reason, field, v, detail);
        cJSON_Delete(v);
}

char *api_invalid_message(const api_kind *k, const char *name, const cJSON *causes) {
        ocx_buf b = OCX_BUF_INIT;
        if (k->group[0]) ocx_buf_printf(&b, "%s.%s \"%s\" is invalid: ", k->kind, k->group, name ? name : "");
        else ocx_buf_printf(&b, "%s \"%s\" is invalid: ", k->kind, name ? name : "");
        int n = cJSON_GetArraySize(causes);
        if (n > 1) ocx_buf_puts(&b, "[");
        int i = 0;
        const cJSON *c;
        cJSON_ArrayForEach(c, causes) {
                const char *f = ocx_json_get_str(c, "field");
                ocx_buf_printf(&b, "%s%s%s%s", i++ ? ", " : "", f && *f ? f : "", f && *f ? ": " : "",
                               ocx_json_get_str(c, "message"));
        }
        if (n > 1) ocx_buf_puts(&b, "]");
        return ocx_buf_detach(&b, NULL);
}

/* --- schema walk ------------------------------------------------------------ */

static const char *json_type_name(const cJSON *v) {
        if (cJSON_IsString(v)) return "string";
        if (cJSON_IsNumber(v)) return v->valuedouble == (double)(int64_t)v->valuedouble ? "integer" : "number";
        if (cJSON_IsBool(v)) return "boolean";
        if (cJSON_IsArray(v)) return "array";
        if (cJSON_IsObject(v)) return "object";
        return "null";
}

static void type_error(cJSON *causes, const char *path, const cJSON *v, const char *want) {
        char detail[600];
        snprintf(detail, sizeof(detail), "%s in body must be of type %s: \"%s\"", path, want, json_type_name(v));
        cJSON *tv = cJSON_CreateString(json_type_name(v));
        api_cause(causes, "FieldValueInvalid", path, tv, detail);
        cJSON_Delete(tv);
}

typedef struct walk {
        bool strict, strip;
        cJSON *causes;
        ocx_buf unknown;
} walk;

static void check(walk *w, const cJSON *schema, cJSON *v, const char *path);

static void check_object(walk *w, const cJSON *schema, cJSON *v, const char *path) {
        bool open = ocx_json_get_bool(schema, "$open", false);
        cJSON *c = v->child;
        while (c) {
                cJSON *next = c->next;
                char sub[1024];
                snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "", c->string);
                const cJSON *fs = ocx_json_get(schema, c->string);
                if (fs && c->string[0] != '$') {
                        if (!cJSON_IsNull(c)) check(w, fs, c, sub);
                } else if (!open && w->strict) {
                        if (w->strip) {
                                cJSON_Delete(cJSON_DetachItemViaPointer(v, c));
                        } else {
                                ocx_buf_printf(&w->unknown, "%sunknown field \"%s\"", w->unknown.len ? ", " : "", sub);
                        }
                }
                c = next;
        }
}

static void check(walk *w, const cJSON *schema, cJSON *v, const char *path) {
        if (cJSON_IsString(schema)) {
                const char *t = schema->valuestring;
                int64_t iv;
                if (ocx_streq(t, "any")) return;
                if (ocx_streq(t, "string")) {
                        if (!cJSON_IsString(v)) type_error(w->causes, path, v, "string");
                } else if (ocx_streq(t, "integer")) {
                        if (!cJSON_IsNumber(v) || ocx_json_int(v, INT64_MIN, INT64_MAX, &iv) == -EINVAL)
                                type_error(w->causes, path, v, "integer");
                } else if (ocx_streq(t, "int32")) {
                        if (!cJSON_IsNumber(v) || ocx_json_int(v, INT64_MIN, INT64_MAX, &iv) == -EINVAL)
                                type_error(w->causes, path, v, "integer");
                        else if (ocx_json_int(v, INT32_MIN, INT32_MAX, &iv) < 0)
                                api_cause(w->causes, "FieldValueInvalid", path, v, "must be a 32-bit integer");
                } else if (ocx_streq(t, "number")) {
                        if (!cJSON_IsNumber(v)) type_error(w->causes, path, v, "number");
                } else if (ocx_streq(t, "boolean")) {
                        if (!cJSON_IsBool(v)) type_error(w->causes, path, v, "boolean");
                } else if (ocx_streq(t, "intstr")) {
                        if (!cJSON_IsString(v) && !cJSON_IsNumber(v)) type_error(w->causes, path, v, "integer or string");
                } else if (ocx_streq(t, "map")) {
                        if (!cJSON_IsObject(v)) {
                                type_error(w->causes, path, v, "object");
                                return;
                        }
                        const cJSON *c;
                        cJSON_ArrayForEach(c, v) {
                                if (!cJSON_IsString(c)) {
                                        char sub[1024];
                                        snprintf(sub, sizeof(sub), "%s.%s", path, c->string);
                                        type_error(w->causes, sub, c, "string");
                                }
                        }
                } else if (ocx_streq(t, "object")) {
                        if (!cJSON_IsObject(v)) type_error(w->causes, path, v, "object");
                } else if (ocx_streq(t, "array")) {
                        if (!cJSON_IsArray(v)) type_error(w->causes, path, v, "array");
                }
                return;
        }
        if (cJSON_IsArray(schema)) {
                if (!cJSON_IsArray(v)) {
                        type_error(w->causes, path, v, "array");
                        return;
                }
                const cJSON *elem = cJSON_GetArrayItem(schema, 0);
                int i = 0;
                cJSON *c;
                cJSON_ArrayForEach(c, v) {
                        char sub[1024];
                        snprintf(sub, sizeof(sub), "%s[%d]", path, i++);
                        if (!cJSON_IsNull(c)) check(w, elem, c, sub);
                }
                return;
        }
        if (cJSON_IsObject(schema)) {
                if (!cJSON_IsObject(v)) {
                        type_error(w->causes, path, v, "object");
                        return;
                }
                check_object(w, schema, v, path);
        }
}

void api_schema_check(const api_kind *k, cJSON *obj, bool strip, cJSON *causes, char **ret_unknown) {
        walk w = {.strict = (k->flags & KIND_STRICT) != 0, .strip = strip, .causes = causes};
        ocx_buf_init(&w.unknown, 64 * 1024);
        const cJSON *schema = api_schema_for(k);
        if (schema) check(&w, schema, obj, "");
        *ret_unknown = w.unknown.len ? ocx_buf_detach(&w.unknown, NULL) : NULL;
        ocx_buf_release(&w.unknown);
}

/* --- semantic validation ------------------------------------------------------ */

static void validate_name(const api_kind *k, const cJSON *md, cJSON *causes) {
        const char *name = ocx_json_get_str(md, "name");
        if (!name || !*name) {
                if (!ocx_json_get_str(md, "generateName"))
                        api_cause(causes, "FieldValueRequired", "metadata.name", NULL,
                                  "name or generateName is required");
                return;
        }
        char *msg;
        if (ocx_streq(k->plural, "namespaces") || ocx_streq(k->plural, "projects") ||
            ocx_streq(k->plural, "projectrequests"))
                msg = ocx_validate_dns1123_label(name);
        else if (ocx_streq(k->plural, "services"))
                msg = ocx_validate_dns1035_label(name);
        else if (!k->group[0] || ocx_streq(k->group, "apps.openshift.io") ||
                 ocx_streq(k->group, "route.openshift.io") || ocx_streq(k->group, "security.openshift.io") ||
                 (ocx_streq(k->group, "image.openshift.io") && !ocx_streq(k->plural, "imagestreamtags")))
                msg = ocx_validate_dns1123_subdomain(name);
        else {
                /* users, rbac names, tokens: path segment names (no '/', '%', not '.'/'..') */
                msg = NULL;
                if (ocx_streq(name, ".") || ocx_streq(name, "..")) msg = ocx_xasprintf("may not be '%s'", name);
                else if (strchr(name, '/')) msg = ocx_xstrdup("may not contain '/'");
                else if (strchr(name, '%')) msg = ocx_xstrdup("may not contain '%'");
        }
        if (msg) {
                api_cause_str(causes, "FieldValueInvalid", "metadata.name", name, msg);
                free(msg);
        }
}

static void validate_route(const cJSON *o, cJSON *causes) {
        const char *to_name = ocx_json_path_str(o, "spec.to.name");
        const char *to_kind = ocx_json_path_str(o, "spec.to.kind");
        if (!to_name || !*to_name) api_cause(causes, "FieldValueRequired", "spec.to.name", NULL, NULL);
        if (to_kind && *to_kind && !ocx_streq(to_kind, "Service"))
                api_cause_str(causes, "FieldValueInvalid", "spec.to.kind", to_kind, "must reference a Service");
        const char *host = ocx_json_path_str(o, "spec.host");
        if (host && *host) {
                char *msg = ocx_validate_dns1123_subdomain(host);
                if (msg) {
                        api_cause_str(causes, "FieldValueInvalid", "spec.host", host, msg);
                        free(msg);
                }
        }
        const char *path = ocx_json_path_str(o, "spec.path");
        if (path && *path && path[0] != '/')
                api_cause_str(causes, "FieldValueInvalid", "spec.path", path, "path must begin with /");
}

static void validate_service(const cJSON *o, cJSON *causes) {
        int i = 0;
        const cJSON *p;
        cJSON_ArrayForEach(p, ocx_json_path(o, "spec.ports")) {
                char f[64];
                int64_t port;
                snprintf(f, sizeof(f), "spec.ports[%d].port", i++);
                const cJSON *pv = ocx_json_get(p, "port");
                if (!pv) api_cause(causes, "FieldValueRequired", f, NULL, NULL);
                else if (ocx_json_int(pv, 1, 65535, &port) < 0 && cJSON_IsNumber(pv))
                        api_cause(causes, "FieldValueInvalid", f, pv, "must be between 1 and 65535, inclusive");
        }
}

static void validate_pod(const cJSON *o, cJSON *causes) {
        const cJSON *cs = ocx_json_path(o, "spec.containers");
        if (cJSON_GetArraySize(cs) == 0) {
                api_cause(causes, "FieldValueRequired", "spec.containers", NULL, NULL);
                return;
        }
        int i = 0;
        const cJSON *c;
        cJSON_ArrayForEach(c, cs) {
                char f[64];
                const char *n = ocx_json_get_str(c, "name");
                snprintf(f, sizeof(f), "spec.containers[%d].name", i);
                if (!n || !*n) api_cause(causes, "FieldValueRequired", f, NULL, NULL);
                else {
                        char *msg = ocx_validate_dns1123_label(n);
                        if (msg) {
                                api_cause_str(causes, "FieldValueInvalid", f, n, msg);
                                free(msg);
                        }
                }
                snprintf(f, sizeof(f), "spec.containers[%d].image", i);
                const char *img = ocx_json_get_str(c, "image");
                if (!img || !*img) api_cause(causes, "FieldValueRequired", f, NULL, NULL);
                i++;
        }
}

static void validate_configmap(const cJSON *o, cJSON *causes) {
        const cJSON *c;
        cJSON_ArrayForEach(c, ocx_json_get(o, "data")) {
                const char *k = c->string;
                bool ok = *k && strlen(k) <= 253 && !ocx_streq(k, ".") && !ocx_streq(k, "..");
                for (const char *p = k; ok && *p; p++)
                        ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                             *p == '-' || *p == '_' || *p == '.';
                if (!ok) {
                        char f[600];
                        snprintf(f, sizeof(f), "data[%s]", k);
                        api_cause_str(causes, "FieldValueInvalid", f, k,
                                      "a valid config key must consist of alphanumeric characters, '-', '_' or '.' "
                                      "(e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for "
                                      "validation is '[-._a-zA-Z0-9]+')");
                }
        }
}

static void validate_dc(const cJSON *o, cJSON *causes) {
        const cJSON *r = ocx_json_path(o, "spec.replicas");
        int64_t v;
        if (r && cJSON_IsNumber(r) && ocx_json_int(r, 0, INT32_MAX, &v) < 0)
                api_cause(causes, "FieldValueInvalid", "spec.replicas", r, "must be greater than or equal to 0");
}

static void validate_immutable(const cJSON *o, const cJSON *old, cJSON *causes) {
        static const char *const fields[] = {"metadata.name", "metadata.namespace", "metadata.uid"};
        for (size_t i = 0; i < OCX_ARRAY_SIZE(fields); i++) {
                const cJSON *nv = ocx_json_path(o, fields[i]), *ov = ocx_json_path(old, fields[i]);
                if (nv && !ocx_json_equal(nv, ov)) api_cause(causes, "FieldValueInvalid", fields[i], nv, "field is immutable");
        }
}

void api_validate(const api_kind *k, const cJSON *obj, const cJSON *old, cJSON *causes) {
        const cJSON *md = ocx_json_get(obj, "metadata");
        validate_name(k, md, causes);
        _cleanup_error_ ocx_error *e = NULL;
        if (ocx_validate_labels_annotations(md, &e) < 0)
                api_cause_str(causes, "FieldValueInvalid", e->field ? e->field : "metadata", NULL, e->message);
        if (old) validate_immutable(obj, old, causes);
        if (ocx_streq(k->plural, "routes")) validate_route(obj, causes);
        else if (ocx_streq(k->plural, "services")) validate_service(obj, causes);
        else if (ocx_streq(k->plural, "pods")) validate_pod(obj, causes);
        else if (ocx_streq(k->plural, "configmaps")) validate_configmap(obj, causes);
        else if (ocx_streq(k->plural, "deploymentconfigs")) validate_dc(obj, causes);
}
