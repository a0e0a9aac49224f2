#include <stdio.h>
#include "apiserver/discovery.h"
#include "ocx/json.h"
#include "ocx/banned.h"

static void add_strings(cJSON *obj, const char *key, const char *const *v, size_t n) {
        cJSON *a = cJSON_AddArrayToObject(obj, key);
        for (size_t i = 0; i < n && v[i]; i++) cJSON_AddItemToArray(a, cJSON_CreateString(v[i]));
}

static cJSON *resource_entry(const api_kind *k, const char *sub) {
        cJSON *r = cJSON_CreateObject();
        char name[300];
        snprintf(name, sizeof(name), "%s%s%s", k->plural, sub ? "/" : "", sub ? sub : "");
        cJSON_AddStringToObject(r, "name", name);
        cJSON_AddStringToObject(r, "singularName", sub ? "" : k->singular);
        cJSON_AddBoolToObject(r, "namespaced", k->namespaced);
        cJSON_AddStringToObject(r, "kind", sub && ocx_streq(sub, "scale") ? "Scale" : k->kind);
        if (sub) {
                static const char *const subverbs[] = {"get", "patch", "update"};
                static const char *const logverbs[] = {"get"};
                if (ocx_streq(sub, "log")) add_strings(r, "verbs", logverbs, 1);
                else add_strings(r, "verbs", subverbs, 3);
                return r;
        }
        static const char *const all_verbs[] = {"create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"};
        static const char *const create_only[] = {"create"};
        static const char *const project_verbs[] = {"create", "delete", "get", "list", "patch", "update", "watch"};
        if (k->flags & KIND_CREATE_ONLY) add_strings(r, "verbs", create_only, 1);
        else if (k->flags & KIND_VIRTUAL) add_strings(r, "verbs", project_verbs, 7);
        else add_strings(r, "verbs", all_verbs, 8);
        size_t ns = 0;
        while (ns < 4 && k->short_names[ns]) ns++;
        if (ns) add_strings(r, "shortNames", k->short_names, ns);
        if (k->flags & KIND_ALL) {
                static const char *const all[] = {"all"};
                add_strings(r, "categories", all, 1);
        }
        return r;
}

static cJSON *resource_list(const char *group, const char *version) {
        cJSON *l = cJSON_CreateObject();
        cJSON_AddStringToObject(l, "kind", "APIResourceList");
        cJSON_AddStringToObject(l, "apiVersion", "v1");
        char gv[300];
        snprintf(gv, sizeof(gv), "%s%s%s", group, group[0] ? "/" : "", version);
        cJSON_AddStringToObject(l, "groupVersion", gv);
        cJSON *res = cJSON_AddArrayToObject(l, "resources");
        for (size_t i = 0; i < api_kinds_n; i++) {
                const api_kind *k = &api_kinds[i];
                if (!ocx_streq(k->group, group) || !ocx_streq(k->version, version)) continue;
                cJSON_AddItemToArray(res, resource_entry(k, NULL));
                if (k->flags & KIND_STATUS) cJSON_AddItemToArray(res, resource_entry(k, "status"));
                if (k->flags & KIND_SCALE) cJSON_AddItemToArray(res, resource_entry(k, "scale"));
                if (k->flags & KIND_LOG) cJSON_AddItemToArray(res, resource_entry(k, "log"));
        }
        return l;
}

static bool group_exists(const char *group) {
        for (size_t i = 0; i < api_kinds_n; i++)
                if (ocx_streq(api_kinds[i].group, group)) return true;
        return false;
}

static cJSON *group_obj(const char *group) {
        cJSON *g = cJSON_CreateObject();
        cJSON_AddStringToObject(g, "name", group);
        char gv[300];
        snprintf(gv, sizeof(gv), "%s/v1", group);
        cJSON *versions = cJSON_AddArrayToObject(g, "versions");
        cJSON *v = cJSON_CreateObject();
        cJSON_AddStringToObject(v, "groupVersion", gv);
        cJSON_AddStringToObject(v, "version", "v1");
        cJSON_AddItemToArray(versions, v);
        cJSON *pv = cJSON_AddObjectToObject(g, "preferredVersion");
        cJSON_AddStringToObject(pv, "groupVersion", gv);
        cJSON_AddStringToObject(pv, "version", "v1");
        return g;
}

static cJSON *group_list(void) {
        cJSON *l = cJSON_CreateObject();
        cJSON_AddStringToObject(l, "kind", "APIGroupList");
        cJSON_AddStringToObject(l, "apiVersion", "v1");
        cJSON *groups = cJSON_AddArrayToObject(l, "groups");
        for (size_t i = 0; i < api_kinds_n; i++) {
                const char *g = api_kinds[i].group;
                if (!g[0]) continue;
                bool seen = false;
                for (size_t j = 0; j < i; j++) seen |= ocx_streq(api_kinds[j].group, g);
                if (!seen) cJSON_AddItemToArray(groups, group_obj(g));
        }
        return l;
}

static void respond_text(api_response *resp, int http, const char *text) {
        api_respond_raw(resp, http, ocx_xstrdup(text), strlen(text));
        resp->content_type = "text/plain; charset=utf-8";
}

/* The per-group-version OpenAPI v3 document: one POST operation per
 * collection, enough for kubectl to leave validation to the server. */
static cJSON *openapi_v3_gv(const char *group, const char *version) {
        cJSON *d = cJSON_CreateObject();
        cJSON_AddStringToObject(d, "openapi", "3.0.0");
        cJSON *info = cJSON_AddObjectToObject(d, "info");
        cJSON_AddStringToObject(info, "title", "ocx");
        cJSON_AddStringToObject(info, "version", "v1");
        cJSON *paths = cJSON_AddObjectToObject(d, "paths");
        for (size_t i = 0; i < api_kinds_n; i++) {
                const api_kind *k = &api_kinds[i];
                if (!ocx_streq(k->group, group) || !ocx_streq(k->version, version)) continue;
                char path[256];
                const char *root = group[0] ? "/apis/" : "/api";
                snprintf(path, sizeof(path), "%s%s%s/%s%s%s", root, group, group[0] ? "/" : "", version,
                         k->namespaced ? "namespaces/{namespace}/" : "", k->plural);
                if (!group[0]) snprintf(path, sizeof(path), "/api/%s/%s%s", version, k->namespaced ? "namespaces/{namespace}/" : "", k->plural);
                cJSON *item = cJSON_AddObjectToObject(paths, path);
                cJSON *post = cJSON_AddObjectToObject(item, "post");
                cJSON_AddStringToObject(post, "x-kubernetes-action", "post");
                cJSON *gvk = cJSON_AddObjectToObject(post, "x-kubernetes-group-version-kind");
                cJSON_AddStringToObject(gvk, "group", group);
                cJSON_AddStringToObject(gvk, "version", version);
                cJSON_AddStringToObject(gvk, "kind", k->kind);
                cJSON *params = cJSON_AddArrayToObject(post, "parameters");
                static const char *const names[] = {"dryRun", "fieldManager", "fieldValidation"};
                for (size_t j = 0; j < OCX_ARRAY_SIZE(names); j++) {
                        cJSON *prm = cJSON_CreateObject();
                        cJSON_AddStringToObject(prm, "name", names[j]);
                        cJSON_AddStringToObject(prm, "in", "query");
                        cJSON_AddStringToObject(cJSON_AddObjectToObject(prm, "schema"), "type", "string");
                        cJSON_AddItemToArray(params, prm);
                }
                cJSON *r201 = cJSON_AddObjectToObject(cJSON_AddObjectToObject(post, "responses"), "201");
                cJSON_AddStringToObject(r201, "description", "Created");
        }
        cJSON_AddObjectToObject(cJSON_AddObjectToObject(d, "components"), "schemas");
        return d;
}

static cJSON *openapi_v3_index(void) {
        cJSON *d = cJSON_CreateObject();
        cJSON *paths = cJSON_AddObjectToObject(d, "paths");
        cJSON *core = cJSON_AddObjectToObject(paths, "api/v1");
        cJSON_AddStringToObject(core, "serverRelativeURL", "/openapi/v3/api/v1?hash=ocx1");
        for (size_t i = 0; i < api_kinds_n; i++) {
                const char *g = api_kinds[i].group;
                if (!g[0]) continue;
                char key[160], url[200];
                snprintf(key, sizeof(key), "apis/%s/v1", g);
                if (ocx_json_get(paths, key)) continue;
                snprintf(url, sizeof(url), "/openapi/v3/apis/%s/v1?hash=ocx1", g);
                cJSON_AddStringToObject(cJSON_AddObjectToObject(paths, key), "serverRelativeURL", url);
        }
        return d;
}

bool api_handle_discovery(api_server *s, const api_path *p, const api_request *req, api_response *resp) {
        cJSON *doc = NULL;
        if (!ocx_streq(req->method, "GET") && !ocx_streq(req->method, "HEAD")) {
                if (p->type == PATH_OTHER) return false;
                api_respond_error(resp, -EOPNOTSUPP, NULL, NULL, NULL);
                return true;
        }
        switch (p->type) {
        case PATH_ROOT: {
                doc = cJSON_CreateObject();
                cJSON *paths = cJSON_AddArrayToObject(doc, "paths");
                static const char *const roots[] = {"/api", "/api/v1", "/apis", "/healthz", "/livez", "/openapi/v2", "/openapi/v3", "/readyz", "/version"};
                for (size_t i = 0; i < OCX_ARRAY_SIZE(roots); i++) cJSON_AddItemToArray(paths, cJSON_CreateString(roots[i]));
                break;
        }
        case PATH_API: {
                doc = cJSON_CreateObject();
                cJSON_AddStringToObject(doc, "kind", "APIVersions");
                cJSON *v = cJSON_AddArrayToObject(doc, "versions");
                cJSON_AddItemToArray(v, cJSON_CreateString("v1"));
                cJSON *addrs = cJSON_AddArrayToObject(doc, "serverAddressByClientCIDRs");
                cJSON *a = cJSON_CreateObject();
                cJSON_AddStringToObject(a, "clientCIDR", "0.0.0.0/0");
                cJSON_AddStringToObject(a, "serverAddress", s->cfg.listen ? s->cfg.listen : "127.0.0.1:8443");
                cJSON_AddItemToArray(addrs, a);
                break;
        }
        case PATH_APIS:
                doc = group_list();
                break;
        case PATH_GROUP:
                if (!group_exists(p->group)) return false;
                doc = group_obj(p->group);
                cJSON_AddStringToObject(doc, "kind", "APIGroup");
                cJSON_AddStringToObject(doc, "apiVersion", "v1");
                break;
        case PATH_GROUP_VERSION:
                if (!group_exists(p->group) || !ocx_streq(p->version, "v1")) return false;
                doc = resource_list(p->group, p->version);
                break;
        case PATH_OTHER: {
                const char *path = req->path;
                if (ocx_streq(path, "/healthz") || ocx_streq(path, "/livez") || ocx_streq(path, "/readyz") ||
                    ocx_startswith(path, "/healthz/") || ocx_startswith(path, "/readyz/") || ocx_startswith(path, "/livez/")) {
                        respond_text(resp, 200, "ok");
                        return true;
                }
                if (ocx_streq(path, "/version") || ocx_streq(path, "/version/")) {
                        doc = cJSON_CreateObject();
                        cJSON_AddStringToObject(doc, "major", "1");
                        cJSON_AddStringToObject(doc, "minor", "32");
                        cJSON_AddStringToObject(doc, "gitVersion", s->cfg.version ? s->cfg.version : "v1.32.0-ocx");
                        cJSON_AddStringToObject(doc, "gitCommit", "");
                        cJSON_AddStringToObject(doc, "gitTreeState", "clean");
                        cJSON_AddStringToObject(doc, "buildDate", "2026-11-26T00:00:00Z");
                        cJSON_AddStringToObject(doc, "goVersion", "c17");
                        cJSON_AddStringToObject(doc, "compiler", "gcc");
                        cJSON_AddStringToObject(doc, "platform", "linux/amd64");
                        break;
                }
                if (ocx_streq(path, "/openapi/v2")) {
                        if (req->accept && strstr(req->accept, "protobuf")) {
                                static const char pb[] = {0x0a, 0x03, '2', '.', '0', 0x12, 0x09, 0x0a, 0x03,
                                                          'o',  'c',  'x', 0x12, 0x02, 'v',  '1'};
                                char *body = ocx_xmalloc(sizeof(pb) + 1);
                                memcpy(body, pb, sizeof(pb));
                                api_respond_raw(resp, 200, body, sizeof(pb));
                                resp->content_type = "application/octet-stream";
                                return true;
                        }
                        const char *txt = "{\"swagger\":\"2.0\",\"info\":{\"title\":\"ocx\",\"version\":\"v1\"},\"paths\":{}}";
                        api_respond_raw(resp, 200, ocx_xstrdup(txt), strlen(txt));
                        return true;
                }
                if (ocx_streq(path, "/openapi/v3")) {
                        doc = openapi_v3_index();
                        break;
                }
                if (ocx_streq(path, "/openapi/v3/api/v1")) {
                        doc = openapi_v3_gv("", "v1");
                        break;
                }
                if (ocx_startswith(path, "/openapi/v3/apis/")) {
                        char group[200] = "", version[32] = "";
                        if (sscanf(path + strlen("/openapi/v3/apis/"), "%199[^/]/%31s", group, version) == 2 &&
                            group_exists(group) && ocx_streq(version, "v1")) {
                                doc = openapi_v3_gv(group, version);
                                break;
                        }
                }
                return false;
        }
        default:
                return false;
        }
        api_respond_json(resp, 200, doc);
        cJSON_Delete(doc);
        return true;
}
