/* ocx — resource resolution through discovery (cached per invocation):
 * plural, singular, short names, kind, `kind.group`, the `all` category. */
#pragma once
#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include "ocx/error.h"

struct cli_session;

typedef struct cli_resource {
        char *group;   /* "" for core */
        char *version; /* "v1" */
        char *name;    /* plural, lowercase: "routes" */
        char *singular;
        char *kind;    /* "Route" */
        bool namespaced;
        char **short_names;
        size_t nshort;
        char **categories;
        size_t ncat;
        char **verbs;
        size_t nverbs;
} cli_resource;

typedef struct cli_discovery {
        cli_resource *res;
        size_t n, alloc;
} cli_discovery;

cli_discovery *cli_discovery_new(void);
void cli_discovery_free(cli_discovery *d);
/* Pure: adds the resources of one APIResourceList (groupVersion "v1" or
 * "route.openshift.io/v1"); subresources ("pods/log") are skipped; a
 * resource already known from an earlier (preferred) version is kept. */
void cli_discovery_add_list(cli_discovery *d, const cJSON *list);
/* Loads /api/v1 and the preferred version of every group in /apis, once. */
int cli_discovery_get(struct cli_session *s, cli_discovery **ret, ocx_error **reterr);

/* Resolves "po", "pods", "pod", "Pod", "routes.route.openshift.io",
 * "dc.apps.openshift.io". -ENOENT with `the server doesn't have a resource type "x"`. */
int cli_resolve(const cli_discovery *d, const char *arg, const cli_resource **ret, ocx_error **reterr);
/* By apiVersion + kind (for manifests). -ENOENT with kubectl's
 * `no matches for kind "Foo" in version "v1"`. */
int cli_resolve_kind(const cli_discovery *d, const char *api_version, const char *kind,
                     const cli_resource **ret, ocx_error **reterr);
/* Resources of the `all` category in oc's display order; caller frees the array. */
size_t cli_expand_all(const cli_discovery *d, const cli_resource ***ret);

/* "/api/v1/namespaces/ns/pods[/name]" (ns ignored when cluster-scoped; NULL
 * ns on a namespaced resource = all namespaces). Caller frees. */
char *cli_resource_path(const cli_resource *r, const char *ns, const char *name);
/* "pods", "routes.route.openshift.io" (messages). Caller frees. */
char *cli_resource_qualified(const cli_resource *r);
/* "pod", "route.route.openshift.io" (-o name, success lines). Caller frees. */
char *cli_resource_kind_prefix(const cli_resource *r);
/* apiVersion string: "v1" or "group/version". Caller frees. */
char *cli_resource_api_version(const cli_resource *r);
