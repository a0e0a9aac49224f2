/* ocx — discovery and resource resolution (see cli/resources.h). */
#include "cli/resources.h"
#include <ctype.h>
#include <stdio.h>
#include <strings.h>
#include "cli/client.h"
#include "ocx/json.h"
#include "ocx/banned.h"

cli_discovery *cli_discovery_new(void) { return ocx_xcalloc(1, sizeof(cli_discovery)); }

static void free_strv(char **v, size_t n) {
        for (size_t i = 0; i < n; i++) free(v[i]);
        free(v);
}

void cli_discovery_free(cli_discovery *d) {
        if (!d) return;
        for (size_t i = 0; i < d->n; i++) {
                cli_resource *r = &d->res[i];
                free(r->group);
                free(r->version);
                free(r->name);
                free(r->singular);
                free(r->kind);
                free_strv(r->short_names, r->nshort);
                free_strv(r->categories, r->ncat);
                free_strv(r->verbs, r->nverbs);
        }
        free(d->res);
        free(d);
}

static char **strv_from(const cJSON *arr, size_t *ret_n) {
        *ret_n = 0;
        if (!cJSON_IsArray(arr)) return NULL;
        char **v = ocx_xcalloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof(char *));
        const cJSON *e;
        cJSON_ArrayForEach(e, arr) if (cJSON_IsString(e)) v[(*ret_n)++] = ocx_xstrdup(e->valuestring);
        return v;
}

static char *lower(const char *s) {
        char *r = ocx_xstrdup(s);
        for (char *p = r; *p; p++) *p = (char)tolower((unsigned char)*p);
        return r;
}

void cli_discovery_add_list(cli_discovery *d, const cJSON *list) {
        const char *gv = ocx_json_get_str(list, "groupVersion");
        if (!gv) return;
        const char *slash = strchr(gv, '/');
        _cleanup_free_ char *group = slash ? ocx_xstrndup(gv, (size_t)(slash - gv)) : ocx_xstrdup("");
        const char *version = slash ? slash + 1 : gv;
        const cJSON *e;
        cJSON_ArrayForEach(e, ocx_json_get(list, "resources")) {
                const char *name = ocx_json_get_str(e, "name"), *kind = ocx_json_get_str(e, "kind");
                if (!name || !kind || strchr(name, '/')) continue;
                bool dup = false;
                for (size_t i = 0; i < d->n; i++)
                        if (strcmp(d->res[i].group, group) == 0 && strcmp(d->res[i].name, name) == 0) dup = true;
                if (dup) continue;
                if (d->n == d->alloc) {
                        d->alloc = d->alloc ? d->alloc * 2 : 32;
                        d->res = ocx_xrealloc(d->res, d->alloc * sizeof(cli_resource));
                }
                cli_resource *r = &d->res[d->n++];
                memset(r, 0, sizeof(*r));
                r->group = ocx_xstrdup(group);
                r->version = ocx_xstrdup(version);
                r->name = ocx_xstrdup(name);
                const char *sing = ocx_json_get_str(e, "singularName");
                r->singular = sing && *sing ? ocx_xstrdup(sing) : lower(kind);
                r->kind = ocx_xstrdup(kind);
                r->namespaced = ocx_json_get_bool(e, "namespaced", false);
                r->short_names = strv_from(ocx_json_get(e, "shortNames"), &r->nshort);
                r->categories = strv_from(ocx_json_get(e, "categories"), &r->ncat);
                r->verbs = strv_from(ocx_json_get(e, "verbs"), &r->nverbs);
        }
}

static int fetch_list(cli_session *s, const char *path, cli_discovery *d, ocx_error **reterr) {
        _cleanup_json_ cJSON *j = NULL;
        int r = cli_request_json(s, "GET", path, NULL, NULL, &j, reterr);
        if (r < 0) return r;
        cli_discovery_add_list(d, j);
        return 0;
}

int cli_discovery_get(cli_session *s, cli_discovery **ret, ocx_error **reterr) {
        if (s->disc) {
                *ret = s->disc;
                return 0;
        }
        cli_discovery *d = cli_discovery_new();
        int r = fetch_list(s, "/api/v1", d, reterr);
        _cleanup_json_ cJSON *groups = NULL;
        if (r >= 0) r = cli_request_json(s, "GET", "/apis", NULL, NULL, &groups, reterr);
        const cJSON *g;
        cJSON *glist = r >= 0 ? ocx_json_get(groups, "groups") : (cJSON *)NULL;
        cJSON_ArrayForEach(g, glist) {
                const char *gv = ocx_json_path_str(g, "preferredVersion.groupVersion");
                if (!gv) {
                        const cJSON *v0 = cJSON_GetArrayItem(ocx_json_get(g, "versions"), 0);
                        gv = ocx_json_get_str(v0, "groupVersion");
                }
                if (!gv) continue;
                _cleanup_free_ char *path = ocx_xasprintf("/apis/%s", gv);
                ocx_error *ignored = NULL; /* a broken group must not break every command */
                (void)fetch_list(s, path, d, &ignored);
                ocx_error_free(ignored);
        }
        if (r < 0) {
                cli_discovery_free(d);
                return r;
        }
        s->disc = d;
        *ret = d;
        return 0;
}

static bool matches(const cli_resource *r, const char *name) {
        if (strcmp(r->name, name) == 0 || strcmp(r->singular, name) == 0) return true;
        for (size_t i = 0; i < r->nshort; i++)
                if (strcmp(r->short_names[i], name) == 0) return true;
        return strcasecmp(r->kind, name) == 0;
}

static bool group_matches(const cli_resource *r, const char *grp) {
        if (!grp) return true;
        if (strcmp(r->group, grp) == 0) return true;
        /* "kind.version.group" */
        _cleanup_free_ char *vg = ocx_xasprintf("%s.%s", r->version, r->group);
        return strcmp(vg, grp) == 0;
}

int cli_resolve(const cli_discovery *d, const char *arg, const cli_resource **ret, ocx_error **reterr) {
        _cleanup_free_ char *name = lower(arg);
        const char *grp = NULL;
        char *dot = strchr(name, '.');
        if (dot) {
                *dot = 0;
                grp = dot + 1;
        }
        /* priority: plural, singular, short name, kind; first group wins */
        for (int pass = 0; pass < 4; pass++)
                for (size_t i = 0; i < d->n; i++) {
                        const cli_resource *r = &d->res[i];
                        if (!group_matches(r, grp)) continue;
                        bool m = false;
                        if (pass == 0) m = strcmp(r->name, name) == 0;
                        if (pass == 1) m = strcmp(r->singular, name) == 0;
                        if (pass == 2) m = matches(r, name) && strcasecmp(r->kind, name) != 0;
                        if (pass == 3) m = strcasecmp(r->kind, name) == 0;
                        if (m) {
                                *ret = r;
                                return 0;
                        }
                }
        return ocx_error_set(reterr, ENOENT, NULL, "the server doesn't have a resource type \"%s\"", arg);
}

int cli_resolve_kind(const cli_discovery *d, const char *api_version, const char *kind,
                     const cli_resource **ret, ocx_error **reterr) {
        const char *slash = api_version ? strchr(api_version, '/') : NULL;
        _cleanup_free_ char *group = slash ? ocx_xstrndup(api_version, (size_t)(slash - api_version)) : ocx_xstrdup("");
        const char *version = slash ? slash + 1 : api_version;
        for (size_t i = 0; i < d->n; i++) {
                const cli_resource *r = &d->res[i];
                if (strcmp(r->kind, kind) == 0 && strcmp(r->group, group) == 0) {
                        (void)version; /* one served version per group in ocx */
                        *ret = r;
                        return 0;
                }
        }
        return ocx_error_set(reterr, ENOENT, NULL, "no matches for kind \"%s\" in version \"%s\"", kind,
                             api_version ? api_version : "");
}

static const char *const all_order[] = {
        "pods", "replicationcontrollers", "services", "daemonsets", "deployments", "replicasets",
        "statefulsets", "horizontalpodautoscalers", "cronjobs", "jobs", "deploymentconfigs",
        "buildconfigs", "builds", "imagestreams", "routes",
};

static size_t order_of(const cli_resource *r) {
        for (size_t i = 0; i < OCX_ARRAY_SIZE(all_order); i++)
                if (strcmp(r->name, all_order[i]) == 0) return i;
        return OCX_ARRAY_SIZE(all_order);
}

size_t cli_expand_all(const cli_discovery *d, const cli_resource ***ret) {
        const cli_resource **v = ocx_xcalloc(d->n + 1, sizeof(*v));
        size_t n = 0;
        for (size_t i = 0; i < d->n; i++)
                for (size_t c = 0; c < d->res[i].ncat; c++)
                        if (strcmp(d->res[i].categories[c], "all") == 0) {
                                v[n++] = &d->res[i];
                                break;
                        }
        /* stable insertion sort by display order */
        for (size_t i = 1; i < n; i++) {
                const cli_resource *x = v[i];
                size_t j = i;
                while (j > 0 && order_of(v[j - 1]) > order_of(x)) {
                        v[j] = v[j - 1];
                        j--;
                }
                v[j] = x;
        }
        *ret = v;
        return n;
}

char *cli_resource_path(const cli_resource *r, const char *ns, const char *name) {
        ocx_buf b = OCX_BUF_INIT;
        if (*r->group)
                ocx_buf_printf(&b, "/apis/%s/%s", r->group, r->version);
        else
                ocx_buf_printf(&b, "/api/%s", r->version);
        if (r->namespaced && ns) ocx_buf_printf(&b, "/namespaces/%s", ns);
        ocx_buf_printf(&b, "/%s", r->name);
        if (name) ocx_buf_printf(&b, "/%s", name);
        return ocx_buf_detach(&b, NULL);
}

char *cli_resource_qualified(const cli_resource *r) {
        return *r->group ? ocx_xasprintf("%s.%s", r->name, r->group) : ocx_xstrdup(r->name);
}

char *cli_resource_kind_prefix(const cli_resource *r) {
        _cleanup_free_ char *k = lower(r->kind);
        return *r->group ? ocx_xasprintf("%s.%s", k, r->group) : ocx_xstrdup(k);
}

char *cli_resource_api_version(const cli_resource *r) {
        return *r->group ? ocx_xasprintf("%s/%s", r->group, r->version) : ocx_xstrdup(r->version);
}
