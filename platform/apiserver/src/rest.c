/* REST dispatch: path → kind → verb handler. */
#include <stdio.h>
#include <time.h>
#include "apiserver/admission.h"
#include "apiserver/api.h"
#include "apiserver/discovery.h"
#include "apiserver/patch.h"
#include "apiserver/path.h"
#include "apiserver/protobuf.h"
#include "apiserver/table.h"
#include "apiserver/validate.h"
#include "apiserver/virtual.h"
#include "apiserver/watch.h"
#include "auth/authz.h"
#include "ocx/buf.h"
#include "ocx/json.h"
#include "ocx/selector.h"
#include "ocx/yaml.h"
#include "ocx/banned.h"

static bool wants_table(const api_request *req) { return req->accept && strstr(req->accept, "as=Table"); }

static table_include include_mode(const api_request *req) {
        if (ocx_streq(req->q.include_object, "Object")) return TABLE_OBJ_FULL;
        if (ocx_streq(req->q.include_object, "None")) return TABLE_OBJ_NONE;
        return TABLE_OBJ_METADATA;
}

static bool is_dry_run(const api_request *req) { return req->q.dry_run && *req->q.dry_run; }

static void respond_invalid(api_response *resp, const api_kind *k, const char *name, cJSON *causes) {
        char *msg = api_invalid_message(k, name, causes);
        cJSON *d = cJSON_CreateObject();
        if (name) cJSON_AddStringToObject(d, "name", name);
        if (k->group[0]) cJSON_AddStringToObject(d, "group", k->group);
        cJSON_AddStringToObject(d, "kind", k->kind);
        cJSON_AddItemToObject(d, "causes", causes);
        api_respond_status(resp, 422, "Invalid", msg, d);
        free(msg);
}

/* Decodes the request body (JSON, YAML or, for the kinds protobuf.c knows,
 * protobuf) into one object. */
static int decode_body(const api_request *req, const api_kind *k, cJSON **ret, ocx_error **reterr) {
        if (!req->body || req->body_len == 0) return ocx_error_set(reterr, EBADMSG, NULL, "request body is empty");
        if (req->content_type && strstr(req->content_type, "protobuf") && api_protobuf_supported(k))
                return api_protobuf_decode(req->body, req->body_len, k, ret, reterr);
        if (req->content_type && strstr(req->content_type, "protobuf"))
                return ocx_error_set(reterr, EPROTONOSUPPORT, NULL,
                                     "the body of the request was in an unknown format - accepted media types include: "
                                     "application/json, application/yaml");
        if (req->content_type && (strstr(req->content_type, "yaml"))) {
                _cleanup_json_ cJSON *docs = NULL;
                int r = ocx_yaml_parse_stream(req->body, req->body_len, &docs, reterr);
                if (r < 0) {
                        if (reterr && *reterr) (*reterr)->code = EBADMSG;
                        return -EBADMSG;
                }
                if (cJSON_GetArraySize(docs) != 1)
                        return ocx_error_set(reterr, EBADMSG, NULL, "expected exactly one YAML document");
                *ret = cJSON_DetachItemFromArray(docs, 0);
                return 0;
        }
        int r = ocx_json_parse(req->body, req->body_len, ret, reterr);
        if (r < 0) {
                if (reterr && *reterr) (*reterr)->code = EBADMSG;
                return -EBADMSG;
        }
        return 0;
}

/* Type checks + unknown fields + kind/apiVersion match. On failure the
 * response is filled and -1 returned. */
static int check_decoded(const api_request *req, const api_kind *k, cJSON *obj, const char *name, api_response *resp) {
        if (!cJSON_IsObject(obj)) {
                api_respond_status(resp, 400, "BadRequest", "the request body must be a JSON object", NULL);
                return -1;
        }
        const char *kind = ocx_json_get_str(obj, "kind"), *av = ocx_json_get_str(obj, "apiVersion");
        if ((kind && !ocx_streq(kind, k->kind)) || (av && !ocx_streq(av, api_kind_api_version(k)))) {
                char *msg = ocx_xasprintf("%s in version \"%s\" cannot be handled as a %s: the object kind or apiVersion does not match the resource %s",
                                          kind ? kind : "", av ? av : "", k->kind, api_kind_qualified(k));
                api_respond_status(resp, 400, "BadRequest", msg, NULL);
                free(msg);
                return -1;
        }
        const char *fv = req->q.field_validation;
        bool ignore = ocx_streq(fv, "Ignore"), warn = ocx_streq(fv, "Warn");
        cJSON *causes = cJSON_CreateArray();
        _cleanup_free_ char *unknown = NULL;
        api_schema_check(k, obj, ignore, causes, &unknown);
        if (cJSON_GetArraySize(causes) > 0) {
                respond_invalid(resp, k, name ? name : ocx_json_path_str(obj, "metadata.name"), causes);
                return -1;
        }
        cJSON_Delete(causes);
        if (unknown) {
                if (warn) {
                        resp->warning = ocx_xstrdup(unknown);
                        cJSON *ignored = cJSON_CreateArray();
                        char *again = NULL;
                        api_schema_check(k, obj, true, ignored, &again);
                        cJSON_Delete(ignored);
                        free(again);
                        return 0;
                }
                char *msg = ocx_xasprintf("strict decoding error: %s", unknown);
                api_respond_status(resp, 400, "BadRequest", msg, NULL);
                free(msg);
                return -1;
        }
        return 0;
}

static void respond_list(api_server *s, const api_kind *k, const char *ns, const api_request *req, api_response *resp) {
        _cleanup_(ocx_selector_freep) ocx_selector *ls = NULL, *fs = NULL;
        _cleanup_error_ ocx_error *e = NULL;
        if (ocx_label_selector_parse(req->q.label_selector, &ls, &e) < 0 ||
            ocx_field_selector_parse(req->q.field_selector, &fs, &e) < 0) {
                api_respond_status(resp, 400, "BadRequest", e->message, NULL);
                return;
        }
        _cleanup_free_ char *prefix = api_key_prefix(k, ns);
        size_t limit = 0;
        if (req->q.limit) limit = (size_t)strtoul(req->q.limit, NULL, 10);
        _cleanup_free_ char *after = NULL;
        if (req->q.cont && *req->q.cont) {
                size_t n = strlen(req->q.cont);
                after = ocx_xcalloc(1, n / 2 + 1);
                for (size_t i = 0; i + 1 < n; i += 2) {
                        unsigned v;
                        if (sscanf(req->q.cont + i, "%2x", &v) != 1) {
                                api_respond_status(resp, 400, "BadRequest", "continue key is not valid", NULL);
                                return;
                        }
                        after[i / 2] = (char)v;
                }
                if (!ocx_startswith(after, prefix)) {
                        api_respond_status(resp, 400, "BadRequest", "continue key is not valid", NULL);
                        return;
                }
        }
        store_kv *items = NULL;
        size_t n = 0;
        int64_t rev = 0;
        int r = store_list(s->st, prefix, after, limit, &items, &n, &rev);
        if (r < 0) {
                api_respond_error(resp, r, NULL, k, NULL);
                return;
        }
        bool filter = !ocx_selector_empty(ls) || !ocx_selector_empty(fs);
        bool table = wants_table(req);
        char rvs[32];
        snprintf(rvs, sizeof(rvs), "%lld", (long long)rev);
        if (table) {
                cJSON *arr = cJSON_CreateArray();
                for (size_t i = 0; i < n; i++) {
                        cJSON *o = NULL;
                        if (ocx_json_parse(items[i].value, items[i].value_len, &o, NULL) < 0) continue;
                        if (filter && (!ocx_label_selector_match(ls, ocx_json_path(o, "metadata.labels")) ||
                                       !ocx_field_selector_match(fs, o))) {
                                cJSON_Delete(o);
                                continue;
                        }
                        cJSON_AddItemToArray(arr, o);
                }
                cJSON *t = api_table_build(k, arr, rvs, include_mode(req), time(NULL));
                api_respond_json(resp, 200, t);
                cJSON_Delete(t);
                cJSON_Delete(arr);
                store_kvs_free(items, n);
                return;
        }
        ocx_buf b = OCX_BUF_INIT;
        ocx_buf_printf(&b, "{\"kind\":\"%sList\",\"apiVersion\":\"%s\",\"metadata\":{\"resourceVersion\":\"%s\"", k->kind,
                       api_kind_api_version(k), rvs);
        if (limit && n == limit) {
                ocx_buf_puts(&b, ",\"continue\":\"");
                for (const char *c = items[n - 1].key; *c; c++) ocx_buf_printf(&b, "%02x", (unsigned char)*c);
                ocx_buf_puts(&b, "\"");
        }
        ocx_buf_puts(&b, "},\"items\":[");
        bool first = true;
        for (size_t i = 0; i < n; i++) {
                if (filter) {
                        _cleanup_json_ cJSON *o = NULL;
                        if (ocx_json_parse(items[i].value, items[i].value_len, &o, NULL) < 0) continue;
                        if (!ocx_label_selector_match(ls, ocx_json_path(o, "metadata.labels")) || !ocx_field_selector_match(fs, o))
                                continue;
                }
                if (!first) ocx_buf_puts(&b, ",");
                first = false;
                ocx_buf_append(&b, items[i].value, items[i].value_len);
        }
        ocx_buf_puts(&b, "]}");
        store_kvs_free(items, n);
        size_t len;
        char *body = ocx_buf_detach(&b, &len);
        api_respond_raw(resp, 200, body, len);
}

static void start_watch(api_server *s, const api_kind *k, const char *ns, const char *name, const api_request *req,
                        api_response *resp) {
        _cleanup_(ocx_selector_freep) ocx_selector *ls = NULL, *fs = NULL;
        _cleanup_error_ ocx_error *e = NULL;
        _cleanup_free_ char *fsel = NULL;
        if (name && *name)
                fsel = req->q.field_selector && *req->q.field_selector
                               ? ocx_xasprintf("%s,metadata.name=%s", req->q.field_selector, name)
                               : ocx_xasprintf("metadata.name=%s", name);
        if (ocx_label_selector_parse(req->q.label_selector, &ls, &e) < 0 ||
            ocx_field_selector_parse(fsel ? fsel : req->q.field_selector, &fs, &e) < 0) {
                api_respond_status(resp, 400, "BadRequest", e->message, NULL);
                return;
        }
        _cleanup_free_ char *prefix = api_key_prefix(k, ns);
        const char *rvq = req->q.resource_version;
        bool table = wants_table(req);
        int64_t after = 0;
        char *initial = NULL;
        size_t initial_len = 0;
        if (!rvq || !*rvq || ocx_streq(rvq, "0")) {
                /* initial state as synthetic ADDED events, then changes after the list */
                store_kv *items = NULL;
                size_t n = 0;
                int r = store_list(s->st, prefix, NULL, 0, &items, &n, &after);
                if (r < 0) {
                        api_respond_error(resp, r, NULL, k, NULL);
                        return;
                }
                ocx_buf b = OCX_BUF_INIT;
                for (size_t i = 0; i < n; i++) {
                        _cleanup_json_ cJSON *o = NULL;
                        if (ocx_json_parse(items[i].value, items[i].value_len, &o, NULL) < 0) continue;
                        if (!ocx_label_selector_match(ls, ocx_json_path(o, "metadata.labels")) || !ocx_field_selector_match(fs, o))
                                continue;
                        ocx_buf_puts(&b, "{\"type\":\"ADDED\",\"object\":");
                        if (table) {
                                cJSON *arr = cJSON_CreateArray();
                                cJSON_AddItemReferenceToArray(arr, o);
                                cJSON *t = api_table_build(k, arr, ocx_json_path_str(o, "metadata.resourceVersion"),
                                                           TABLE_OBJ_METADATA, time(NULL));
                                if (b.len > 40) cJSON_ReplaceItemInObjectCaseSensitive(t, "columnDefinitions", cJSON_CreateArray());
                                ocx_json_write(&b, t, 0);
                                cJSON_Delete(t);
                                cJSON_Delete(arr);
                        } else {
                                ocx_buf_append(&b, items[i].value, items[i].value_len);
                        }
                        ocx_buf_puts(&b, "}\n");
                }
                store_kvs_free(items, n);
                initial = ocx_buf_detach(&b, &initial_len);
        } else {
                char *end;
                after = strtoll(rvq, &end, 10);
                if (*end || after < 0) {
                        api_respond_status(resp, 400, "BadRequest", "resourceVersion must be a decimal revision", NULL);
                        return;
                }
        }
        long timeout = req->q.timeout_seconds ? strtol(req->q.timeout_seconds, NULL, 10) : 0;
        resp->status = 200;
        resp->content_type = "application/json";
        resp->watch = api_watch_new(s->hub, k, prefix, after, TAKE_PTR(ls), TAKE_PTR(fs), req->q.allow_bookmarks, timeout,
                                    initial, initial_len);
        if (table) api_watch_set_table(resp->watch, initial_len > 0);
}

static void respond_object(const api_request *req, api_response *resp, const api_kind *k, int http, cJSON *obj) {
        if (wants_table(req)) {
                cJSON *arr = cJSON_CreateArray();
                cJSON_AddItemReferenceToArray(arr, obj);
                cJSON *t = api_table_build(k, arr, ocx_json_path_str(obj, "metadata.resourceVersion"), include_mode(req), time(NULL));
                api_respond_json(resp, http, t);
                cJSON_Delete(t);
                cJSON_Delete(arr);
                return;
        }
        api_respond_json(resp, http, obj);
}

static void finish(const api_request *req, api_response *resp, const api_kind *k, const char *name, int r, int http,
                   cJSON *obj, cJSON *causes, ocx_error *e) {
        if (r == -EINVAL && causes) respond_invalid(resp, k, name, causes);
        else if (r < 0) {
                cJSON_Delete(causes);
                api_respond_error(resp, r, e, k, name);
        } else respond_object(req, resp, k, http, obj);
        cJSON_Delete(obj);
}

/* decode_body + check_decoded; on failure the response is filled, -1 returned */
static int decode_checked(const api_request *req, const api_kind *k, const char *name, api_response *resp,
                          cJSON **ret) {
        _cleanup_error_ ocx_error *e = NULL;
        cJSON *obj = NULL;
        if (decode_body(req, k, &obj, &e) < 0) {
                api_respond_error(resp, e ? -e->code : -EBADMSG, e, k, name);
                return -1;
        }
        if (check_decoded(req, k, obj, name, resp) < 0) {
                cJSON_Delete(obj);
                return -1;
        }
        *ret = obj;
        return 0;
}

static void do_create(api_server *s, const api_kind *k, const char *ns, const api_request *req, api_response *resp) {
        cJSON *obj = NULL;
        if (decode_checked(req, k, NULL, resp, &obj) < 0) return;
        _cleanup_error_ ocx_error *e = NULL;
        const char *bns = ocx_json_path_str(obj, "metadata.namespace");
        if (k->namespaced && bns && *bns && !ocx_streq(bns, ns)) {
                cJSON_Delete(obj);
                api_respond_status(resp, 400, "BadRequest",
                                   "the namespace of the provided object does not match the namespace sent on the request", NULL);
                return;
        }
        _cleanup_free_ char *name = ocx_xstrdup(ocx_json_path_str(obj, "metadata.name"));
        cJSON *out = NULL, *causes = NULL;
        int r = api_create_object(s, k, ns, obj, is_dry_run(req), &out, &causes, &e);
        finish(req, resp, k, name, r, 201, out, causes, e);
}

static void do_update(api_server *s, const api_kind *k, const char *ns, const char *name, const char *sub,
                      const api_request *req, api_response *resp) {
        cJSON *obj = NULL;
        if (decode_checked(req, k, name, resp, &obj) < 0) return;
        _cleanup_error_ ocx_error *e = NULL;
        cJSON *out = NULL, *causes = NULL;
        int r = api_update_object(s, k, ns, name, obj, sub, is_dry_run(req), &out, &causes, &e);
        finish(req, resp, k, name, r, 200, out, causes, e);
}

static void do_patch(api_server *s, const api_kind *k, const char *ns, const char *name, const char *sub,
                     const api_request *req, api_response *resp) {
        api_patch_type type;
        const char *ct = req->content_type ? req->content_type : "";
        if (ocx_startswith(ct, "application/merge-patch+json")) type = PATCH_MERGE;
        else if (ocx_startswith(ct, "application/json-patch+json")) type = PATCH_JSON;
        else if (ocx_startswith(ct, "application/strategic-merge-patch+json")) type = PATCH_STRATEGIC;
        else {
                char *msg = ocx_xasprintf("the body of the request was in an unknown format - accepted media types include: "
                                          "application/json-patch+json, application/merge-patch+json, "
                                          "application/strategic-merge-patch+json");
                api_respond_status(resp, 415, "UnsupportedMediaType", msg, NULL);
                free(msg);
                return;
        }
        _cleanup_error_ ocx_error *e = NULL;
        _cleanup_json_ cJSON *patch = NULL;
        int r = ocx_json_parse(req->body ? req->body : "", req->body_len, &patch, &e);
        if (r < 0) {
                api_respond_error(resp, -EBADMSG, e, k, name);
                return;
        }
        const char *patch_rv = cJSON_IsObject(patch) ? ocx_json_path_str(patch, "metadata.resourceVersion") : NULL;
        for (int attempt = 0; attempt < 8; attempt++) {
                _cleanup_json_ cJSON *cur = NULL;
                r = api_get_object(s, k, ns, name, &cur);
                if (r < 0) {
                        api_respond_error(resp, r, NULL, k, name);
                        return;
                }
                cJSON *patched = NULL;
                r = api_patch_apply(type, cur, patch, &patched, &e);
                if (r < 0) {
                        api_respond_error(resp, r, e, k, name);
                        return;
                }
                if (check_decoded(req, k, patched, name, resp) < 0) {
                        cJSON_Delete(patched);
                        return;
                }
                /* a patch without resourceVersion applies to what we just read */
                if (!patch_rv) {
                        const char *rv = ocx_json_path_str(cur, "metadata.resourceVersion");
                        ocx_json_set_str(ocx_json_ensure_obj(patched, "metadata"), "resourceVersion", rv ? rv : "");
                }
                cJSON *out = NULL, *causes = NULL;
                r = api_update_object(s, k, ns, name, patched, sub, is_dry_run(req), &out, &causes, &e);
                if (r == -ESTALE && !patch_rv) continue;
                finish(req, resp, k, name, r, 200, out, causes, e);
                return;
        }
        api_respond_error(resp, -ESTALE, NULL, k, name);
}

static const char *delete_propagation(const api_request *req, int64_t *ret_pre) {
        *ret_pre = 0;
        const char *p = req->q.propagation_policy;
        if (req->body && req->body_len) {
                _cleanup_json_ cJSON *opts = NULL;
                if (ocx_json_parse(req->body, req->body_len, &opts, NULL) == 0) {
                        const char *bp = ocx_json_get_str(opts, "propagationPolicy");
                        if (ocx_streq(bp, "Foreground")) p = "Foreground";
                        else if (ocx_streq(bp, "Orphan")) p = "Orphan";
                        else if (ocx_streq(bp, "Background")) p = "Background";
                        const char *rv = ocx_json_path_str(opts, "preconditions.resourceVersion");
                        if (rv) *ret_pre = strtoll(rv, NULL, 10);
                        if (ocx_json_get_bool(opts, "orphanDependents", false)) p = "Orphan";
                }
        }
        return p ? p : "Background";
}

static void do_delete(api_server *s, const api_kind *k, const char *ns, const char *name, const api_request *req,
                      api_response *resp) {
        int64_t pre;
        const char *prop = delete_propagation(req, &pre);
        _cleanup_error_ ocx_error *e = NULL;
        cJSON *out = NULL;
        if (is_dry_run(req)) {
                int r = api_get_object(s, k, ns, name, &out);
                finish(req, resp, k, name, r, 200, out, NULL, NULL);
                return;
        }
        int r = api_delete_object(s, k, ns, name, prop, pre, &out, &e);
        bool pending = r == 0 && ocx_json_path(out, "metadata.deletionTimestamp");
        finish(req, resp, k, name, r, pending ? 202 : 200, out, NULL, e);
}

static void do_delete_collection(api_server *s, const api_kind *k, const char *ns, const api_request *req,
                                 api_response *resp) {
        _cleanup_(ocx_selector_freep) ocx_selector *ls = NULL, *fs = NULL;
        _cleanup_error_ ocx_error *e = NULL;
        if (ocx_label_selector_parse(req->q.label_selector, &ls, &e) < 0 ||
            ocx_field_selector_parse(req->q.field_selector, &fs, &e) < 0) {
                api_respond_status(resp, 400, "BadRequest", e->message, NULL);
                return;
        }
        _cleanup_free_ char *prefix = api_key_prefix(k, ns);
        store_kv *items = NULL;
        size_t n = 0;
        int64_t rev;
        int r = store_list(s->st, prefix, NULL, 0, &items, &n, &rev);
        if (r < 0) {
                api_respond_error(resp, r, NULL, k, NULL);
                return;
        }
        int64_t pre;
        const char *prop = delete_propagation(req, &pre);
        cJSON *list = cJSON_CreateObject();
        cJSON_AddStringToObject(list, "kind", "Status");
        cJSON *deleted = cJSON_CreateArray();
        for (size_t i = 0; i < n; i++) {
                _cleanup_json_ cJSON *o = NULL;
                if (ocx_json_parse(items[i].value, items[i].value_len, &o, NULL) < 0) continue;
                if (!ocx_label_selector_match(ls, ocx_json_path(o, "metadata.labels")) || !ocx_field_selector_match(fs, o)) continue;
                const char *name = ocx_json_path_str(o, "metadata.name");
                const char *ons = ocx_json_path_str(o, "metadata.namespace");
                cJSON *out = NULL;
                if (!is_dry_run(req) && api_delete_object(s, k, ons, name, prop, 0, &out, NULL) < 0) continue;
                cJSON_AddItemToArray(deleted, out ? out : cJSON_Duplicate(o, true));
        }
        store_kvs_free(items, n);
        cJSON_Delete(list);
        cJSON *res = cJSON_CreateObject();
        cJSON_AddStringToObject(res, "kind", "List");
        cJSON_AddStringToObject(res, "apiVersion", "v1");
        cJSON_AddObjectToObject(res, "metadata");
        cJSON_AddItemToObject(res, "items", deleted);
        api_respond_json(resp, 200, res);
        cJSON_Delete(res);
}

static void do_scale(api_server *s, const api_kind *k, const char *ns, const char *name, const api_request *req,
                     api_response *resp) {
        _cleanup_error_ ocx_error *e = NULL;
        _cleanup_json_ cJSON *cur = NULL;
        int r = api_get_object(s, k, ns, name, &cur);
        if (r < 0) {
                api_respond_error(resp, r, NULL, k, name);
                return;
        }
        if (ocx_streq(req->method, "PUT") || ocx_streq(req->method, "PATCH")) {
                _cleanup_json_ cJSON *body = NULL;
                if (ocx_json_parse(req->body ? req->body : "", req->body_len, &body, &e) < 0) {
                        api_respond_error(resp, -EBADMSG, e, k, name);
                        return;
                }
                _cleanup_json_ cJSON *scale = NULL;
                if (ocx_streq(req->method, "PATCH")) {
                        cJSON *tmp = cJSON_CreateObject();
                        cJSON_AddItemToObject(tmp, "spec", cJSON_Duplicate(ocx_json_get(cur, "spec"), true));
                        r = api_patch_apply(ocx_startswith(req->content_type, "application/json-patch") ? PATCH_JSON : PATCH_MERGE,
                                            tmp, body, &scale, &e);
                        cJSON_Delete(tmp);
                        if (r < 0) {
                                api_respond_error(resp, r, e, k, name);
                                return;
                        }
                } else {
                        scale = TAKE_PTR(body);
                }
                const cJSON *rep = ocx_json_path(scale, "spec.replicas");
                int64_t n;
                if (ocx_json_int(rep, 0, INT32_MAX, &n) < 0) {
                        cJSON *causes = cJSON_CreateArray();
                        api_cause(causes, "FieldValueInvalid", "spec.replicas", rep, "must be greater than or equal to 0");
                        respond_invalid(resp, k, name, causes);
                        return;
                }
                ocx_json_set_int(ocx_json_ensure_obj(cur, "spec"), "replicas", n);
                cJSON *out = NULL;
                r = api_update_object(s, k, ns, name, TAKE_PTR(cur), NULL, is_dry_run(req), &out, NULL, &e);
                if (r < 0) {
                        api_respond_error(resp, r, e, k, name);
                        return;
                }
                cur = out;
        }
        cJSON *sc = cJSON_CreateObject();
        cJSON_AddStringToObject(sc, "kind", "Scale");
        cJSON_AddStringToObject(sc, "apiVersion", k->group[0] ? "extensions/v1beta1" : "autoscaling/v1");
        cJSON *md = cJSON_AddObjectToObject(sc, "metadata");
        static const char *const mfields[] = {"name", "namespace", "uid", "resourceVersion", "creationTimestamp"};
        for (size_t i = 0; i < OCX_ARRAY_SIZE(mfields); i++) {
                const cJSON *v = ocx_json_path(ocx_json_get(cur, "metadata"), mfields[i]);
                if (v) cJSON_AddItemToObject(md, mfields[i], cJSON_Duplicate(v, true));
        }
        int64_t want = 1, have = 0;
        ocx_json_int(ocx_json_path(cur, "spec.replicas"), 0, INT32_MAX, &want);
        ocx_json_int(ocx_json_path(cur, "status.replicas"), 0, INT32_MAX, &have);
        cJSON_AddNumberToObject(cJSON_AddObjectToObject(sc, "spec"), "replicas", (double)want);
        cJSON_AddNumberToObject(cJSON_AddObjectToObject(sc, "status"), "replicas", (double)have);
        api_respond_json(resp, 200, sc);
        cJSON_Delete(sc);
}

static void do_log(api_server *s, const api_kind *k, const char *ns, const char *name, const api_request *req,
                   api_response *resp) {
        _cleanup_json_ cJSON *pod = NULL;
        int r = api_get_object(s, k, ns, name, &pod);
        if (r < 0) {
                api_respond_error(resp, r, NULL, k, name);
                return;
        }
        const cJSON *cs = ocx_json_path(pod, "spec.containers");
        const char *container = req->q.container;
        if (!container || !*container) container = ocx_json_get_str(cJSON_GetArrayItem(cs, 0), "name");
        _cleanup_free_ char *path = ocx_xasprintf("%s/pods/%s/%s/%s%s.log", s->cfg.base_dir, ns, name, container ? container : "",
                                                 req->q.previous ? ".previous" : "");
        char *data = NULL;
        size_t len = 0;
        if (ocx_read_file(path, 16u << 20, &data, &len) < 0) {
                char *msg = ocx_xasprintf("container \"%s\" in pod \"%s\" is waiting to start: ContainerCreating",
                                          container ? container : "", name);
                api_respond_status(resp, 400, "BadRequest", msg, NULL);
                free(msg);
                return;
        }
        if (req->q.tail_lines) {
                long want = strtol(req->q.tail_lines, NULL, 10);
                size_t start = len;
                long lines = 0;
                if (start && data[start - 1] == '\n') start--;
                while (start > 0 && lines < want) {
                        if (data[start - 1] == '\n') lines++;
                        if (lines < want) start--;
                }
                memmove(data, data + start, len - start);
                len -= start;
                data[len] = 0;
        }
        api_respond_raw(resp, 200, data, len);
        resp->content_type = "text/plain";
}

/* RBAC (auth/authz.h), then the privilege-escalation check for role and
 * binding writes. false when refused (resp filled). In-process callers
 * without a user (unit tests, controllers) are trusted; OAuth endpoints are
 * not subject to RBAC (as the OpenShift OAuth server). */
static bool authorized(api_server *s, const api_request *req, const api_path *p, const api_kind *k, api_response *resp) {
        if (!req->user.name || (p->type != PATH_RESOURCE && ocx_startswith(req->path, "/oauth/"))) return true;
        auth_attrs a;
        auth_attrs_for_request(req, p, &a);
        _cleanup_free_ char *why = NULL;
        if (!auth_authorize(s, &req->user, &a, &why)) {
                _cleanup_free_ char *msg = NULL;
                if (!k) msg = ocx_xasprintf("forbidden: %s", why);
                else if (p->name[0]) msg = ocx_xasprintf("%s \"%s\" is forbidden: %s", api_kind_qualified(k), p->name, why);
                else msg = ocx_xasprintf("%s is forbidden: %s", api_kind_qualified(k), why);
                ocx_error e = {.code = EACCES, .message = msg};
                if (k) api_respond_error(resp, -EACCES, &e, k, p->name);
                else api_respond_status(resp, 403, "Forbidden", msg, NULL);
                return false;
        }
        _cleanup_error_ ocx_error *e = NULL;
        int r = k ? auth_check_escalation(s, req, k, p->ns, p->name, &e) : 0;
        if (r < 0) {
                api_respond_error(resp, r, e, k, p->name);
                return false;
        }
        return true;
}

static void handle(api_server *s, const api_request *req, api_response *resp) {
        api_path p;
        const char *msg;
        resp->status = 0;
        if (api_path_parse(req->path, &p, &msg) < 0) {
                api_respond_status(resp, 400, "BadRequest", msg, NULL);
                return;
        }
        if (p.type != PATH_RESOURCE) {
                if (!authorized(s, req, &p, NULL, resp)) return;
                if (!api_handle_discovery(s, &p, req, resp))
                        api_respond_status(resp, 404, "NotFound", "the server could not find the requested resource", NULL);
                return;
        }
        const api_kind *k = api_kind_by_plural(p.group, p.version, p.resource);
        if (!k) {
                api_respond_status(resp, 404, "NotFound", "the server could not find the requested resource", NULL);
                return;
        }
        if (!authorized(s, req, &p, k, resp)) return;
        if (req->body_too_large) {
                api_respond_error(resp, -E2BIG, NULL, k, NULL);
                return;
        }
        if (!k->namespaced && p.ns[0]) {
                api_respond_status(resp, 404, "NotFound", "the server could not find the requested resource", NULL);
                return;
        }
        const char *ns = p.ns, *name = p.name, *sub = p.sub;
        const char *m = req->method;
        if (k->flags & (KIND_VIRTUAL | KIND_CREATE_ONLY)) {
                api_handle_virtual(s, k, &p, req, resp);
                return;
        }
        if (k->namespaced && !ns[0] && name[0]) {
                api_respond_status(resp, 404, "NotFound", "the server could not find the requested resource", NULL);
                return;
        }
        if (sub[0]) {
                if (ocx_streq(sub, "status") && (k->flags & KIND_STATUS)) {
                        if (ocx_streq(m, "GET")) {
                                cJSON *o = NULL;
                                int r = api_get_object(s, k, ns, name, &o);
                                finish(req, resp, k, name, r, 200, o, NULL, NULL);
                        } else if (ocx_streq(m, "PUT")) do_update(s, k, ns, name, "status", req, resp);
                        else if (ocx_streq(m, "PATCH")) do_patch(s, k, ns, name, "status", req, resp);
                        else api_respond_error(resp, -EOPNOTSUPP, NULL, k, name);
                } else if (ocx_streq(sub, "scale") && (k->flags & KIND_SCALE)) {
                        if (ocx_streq(m, "GET") || ocx_streq(m, "PUT") || ocx_streq(m, "PATCH")) do_scale(s, k, ns, name, req, resp);
                        else api_respond_error(resp, -EOPNOTSUPP, NULL, k, name);
                } else if (ocx_streq(sub, "log") && (k->flags & KIND_LOG) && ocx_streq(k->plural, "pods")) {
                        if (ocx_streq(m, "GET")) do_log(s, k, ns, name, req, resp);
                        else api_respond_error(resp, -EOPNOTSUPP, NULL, k, name);
                } else if (ocx_streq(sub, "finalize") && ocx_streq(k->plural, "namespaces") && ocx_streq(m, "PUT")) {
                        do_update(s, k, ns, name, NULL, req, resp);
                } else {
                        api_respond_status(resp, 404, "NotFound", "the server could not find the requested resource", NULL);
                }
                return;
        }
        if (!name[0]) {
                if (ocx_streq(m, "GET")) {
                        if (req->q.watch) start_watch(s, k, ns, NULL, req, resp);
                        else respond_list(s, k, ns, req, resp);
                } else if (ocx_streq(m, "POST")) {
                        if (k->namespaced && !ns[0]) {
                                api_respond_status(resp, 404, "NotFound", "the server could not find the requested resource", NULL);
                                return;
                        }
                        do_create(s, k, ns, req, resp);
                } else if (ocx_streq(m, "DELETE")) {
                        do_delete_collection(s, k, ns, req, resp);
                } else {
                        api_respond_error(resp, -EOPNOTSUPP, NULL, k, NULL);
                }
                return;
        }
        if (ocx_streq(m, "GET")) {
                if (req->q.watch) {
                        start_watch(s, k, ns, name, req, resp);
                        return;
                }
                cJSON *o = NULL;
                int r = api_get_object(s, k, ns, name, &o);
                finish(req, resp, k, name, r, 200, o, NULL, NULL);
        } else if (ocx_streq(m, "PUT")) do_update(s, k, ns, name, NULL, req, resp);
        else if (ocx_streq(m, "PATCH")) do_patch(s, k, ns, name, NULL, req, resp);
        else if (ocx_streq(m, "DELETE")) do_delete(s, k, ns, name, req, resp);
        else api_respond_error(resp, -EOPNOTSUPP, NULL, k, name);
}

void api_handle(api_server *s, const api_request *req, api_response *resp) {
        /* admission plugins (SCC) need the requesting user */
        api_set_request_user(&req->user);
        handle(s, req, resp);
        api_set_request_user(NULL);
}
