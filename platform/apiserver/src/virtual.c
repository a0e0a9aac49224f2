#include <stdio.h>
#include <time.h>
#include "apiserver/table.h"
#include "apiserver/validate.h"
#include "apiserver/virtual.h"
#include "ocx/json.h"
#include "ocx/banned.h"

static const api_kind *ns_kind(void) { return api_kind_by_plural("", "v1", "namespaces"); }

/* Namespace JSON -> Project JSON (same metadata, spec/status carried over). */
static cJSON *to_project(const cJSON *ns) {
        cJSON *p = cJSON_Duplicate(ns, true);
        ocx_json_set_str(p, "kind", "Project");
        ocx_json_set_str(p, "apiVersion", "project.openshift.io/v1");
        return p;
}

static void projects(api_server *s, const api_kind *k, const api_path *p, const api_request *req, api_response *resp) {
        const char *m = req->method;
        if (!p->name[0] && ocx_streq(m, "GET")) {
                _cleanup_free_ char *prefix = api_key_prefix(ns_kind(), NULL);
                store_kv *items = NULL;
                size_t n = 0;
                int64_t rev = 0;
                int r = store_list(s->st, prefix, NULL, 0, &items, &n, &rev);
                if (r < 0) {
                        api_respond_error(resp, r, NULL, k, NULL);
                        return;
                }
                cJSON *list = cJSON_CreateObject();
                cJSON_AddStringToObject(list, "kind", "ProjectList");
                cJSON_AddStringToObject(list, "apiVersion", "project.openshift.io/v1");
                char rvs[32];
                snprintf(rvs, sizeof(rvs), "%lld", (long long)rev);
                cJSON_AddStringToObject(cJSON_AddObjectToObject(list, "metadata"), "resourceVersion", rvs);
                cJSON *arr = cJSON_AddArrayToObject(list, "items");
                for (size_t i = 0; i < n; i++) {
                        _cleanup_json_ cJSON *o = NULL;
                        if (ocx_json_parse(items[i].value, items[i].value_len, &o, NULL) == 0) cJSON_AddItemToArray(arr, to_project(o));
                }
                store_kvs_free(items, n);
                if (req->accept && strstr(req->accept, "as=Table")) {
                        cJSON *t = api_table_build(k, arr, rvs, TABLE_OBJ_METADATA, time(NULL));
                        api_respond_json(resp, 200, t);
                        cJSON_Delete(t);
                } else {
                        api_respond_json(resp, 200, list);
                }
                cJSON_Delete(list);
                return;
        }
        if (p->name[0] && ocx_streq(m, "GET")) {
                _cleanup_json_ cJSON *o = NULL;
                int r = api_get_object(s, ns_kind(), NULL, p->name, &o);
                if (r < 0) {
                        api_respond_error(resp, r, NULL, k, p->name);
                        return;
                }
                _cleanup_json_ cJSON *proj = to_project(o);
                if (req->accept && strstr(req->accept, "as=Table")) {
                        cJSON *arr = cJSON_CreateArray();
                        cJSON_AddItemReferenceToArray(arr, proj);
                        cJSON *t = api_table_build(k, arr, NULL, TABLE_OBJ_METADATA, time(NULL));
                        api_respond_json(resp, 200, t);
                        cJSON_Delete(t);
                        cJSON_Delete(arr);
                } else {
                        api_respond_json(resp, 200, proj);
                }
                return;
        }
        if (p->name[0] && ocx_streq(m, "DELETE")) {
                _cleanup_error_ ocx_error *e = NULL;
                int r = api_delete_object(s, ns_kind(), NULL, p->name, "Background", 0, NULL, &e);
                if (r < 0) api_respond_error(resp, r, e, k, p->name);
                else api_respond_status(resp, 200, NULL, NULL, NULL);
                return;
        }
        api_respond_error(resp, -EOPNOTSUPP, NULL, k, p->name);
}

static void project_request(api_server *s, const api_kind *k, const api_request *req, api_response *resp) {
        if (ocx_streq(req->method, "GET")) {
                api_respond_status(resp, 200, NULL, NULL, NULL);
                return;
        }
        if (!ocx_streq(req->method, "POST")) {
                api_respond_error(resp, -EOPNOTSUPP, NULL, k, NULL);
                return;
        }
        _cleanup_error_ ocx_error *e = NULL;
        _cleanup_json_ cJSON *body = NULL;
        if (ocx_json_parse(req->body ? req->body : "", req->body_len, &body, &e) < 0) {
                api_respond_error(resp, -EBADMSG, e, k, NULL);
                return;
        }
        const char *name = ocx_json_path_str(body, "metadata.name");
        cJSON *ns = cJSON_CreateObject();
        cJSON *md = cJSON_AddObjectToObject(ns, "metadata");
        cJSON_AddStringToObject(md, "name", name ? name : "");
        cJSON *ann = cJSON_AddObjectToObject(md, "annotations");
        const char *dn = ocx_json_get_str(body, "displayName"), *desc = ocx_json_get_str(body, "description");
        cJSON_AddStringToObject(ann, "openshift.io/description", desc ? desc : "");
        cJSON_AddStringToObject(ann, "openshift.io/display-name", dn ? dn : "");
        cJSON_AddStringToObject(ann, "openshift.io/requester", req->user.name ? req->user.name : "");
        cJSON *out = NULL, *causes = NULL;
        int r = api_create_object(s, ns_kind(), NULL, ns, false, &out, &causes, &e);
        if (r == -EINVAL && causes) {
                char *msg = api_invalid_message(k, name, causes);
                cJSON *d = cJSON_CreateObject();
                if (name) cJSON_AddStringToObject(d, "name", name);
                cJSON_AddStringToObject(d, "group", k->group);
                cJSON_AddStringToObject(d, "kind", k->kind);
                cJSON_AddItemToObject(d, "causes", causes);
                api_respond_status(resp, 422, "Invalid", msg, d);
                free(msg);
                return;
        }
        cJSON_Delete(causes);
        if (r == -EEXIST) {
                api_respond_error(resp, r, NULL, api_kind_by_plural("project.openshift.io", "v1", "projects"), name);
                return;
        }
        if (r < 0) {
                api_respond_error(resp, r, e, k, name);
                return;
        }
        _cleanup_json_ cJSON *proj = to_project(out);
        cJSON_Delete(out);
        api_respond_json(resp, 201, proj);
}

static void self_subject_review(const api_request *req, api_response *resp) {
        cJSON *r = cJSON_CreateObject();
        cJSON_AddStringToObject(r, "kind", "SelfSubjectReview");
        cJSON_AddStringToObject(r, "apiVersion", "authentication.k8s.io/v1");
        cJSON_AddObjectToObject(r, "metadata");
        cJSON *ui = cJSON_AddObjectToObject(cJSON_AddObjectToObject(r, "status"), "userInfo");
        cJSON_AddStringToObject(ui, "username", req->user.name ? req->user.name : "system:anonymous");
        cJSON *groups = cJSON_AddArrayToObject(ui, "groups");
        for (const char *const *g = req->user.groups; g && *g; g++) cJSON_AddItemToArray(groups, cJSON_CreateString(*g));
        api_respond_json(resp, 201, r);
        cJSON_Delete(r);
}

void api_handle_virtual(api_server *s, const api_kind *k, const api_path *p, const api_request *req, api_response *resp) {
        if (ocx_streq(k->plural, "projects")) projects(s, k, p, req, resp);
        else if (ocx_streq(k->plural, "projectrequests")) project_request(s, k, req, resp);
        else if (ocx_streq(k->plural, "selfsubjectreviews") && ocx_streq(req->method, "POST")) self_subject_review(req, resp);
        else if (ocx_streq(k->plural, "selfsubjectaccessreviews") && ocx_streq(req->method, "POST")) {
                _cleanup_json_ cJSON *body = NULL;
                if (ocx_json_parse(req->body ? req->body : "", req->body_len, &body, NULL) < 0) body = cJSON_CreateObject();
                cJSON *st = ocx_json_ensure_obj(body, "status");
                ocx_json_set(st, "allowed", cJSON_CreateTrue());
                api_respond_json(resp, 201, body);
        } else api_respond_error(resp, -EOPNOTSUPP, NULL, k, p->name);
}
