/* ocxd — authorization of API requests with RBAC (Role, ClusterRole,
 * RoleBinding, ClusterRoleBinding as stored in the API), evaluated by the
 * pure rule engine in policies/. Bindings and roles are cached in memory and
 * kept current from the store's change notifications, so a decision costs no
 * storage access. */
#pragma once
#include <stdbool.h>
#include "apiserver/api.h"
#include "apiserver/path.h"
#include "policies/rbac.h"

typedef struct auth_attrs {
        const char *verb;        /* get, list, watch, create, update, patch, delete, deletecollection, use, ... */
        const char *group;       /* API group ("" for core) */
        const char *resource;    /* plural, e.g. "pods" */
        const char *subresource; /* "" or e.g. "status", "log" */
        const char *ns;          /* "" for cluster scope */
        const char *name;        /* "" when not about one object */
        const char *path;        /* non-resource requests: the URL path, resource NULL */
} auth_attrs;

/* Prepares the cache (loads roles and bindings, subscribes to changes). */
int auth_init(api_server *s, ocx_error **reterr);
void auth_release(api_server *s);

/* true when allowed. When denied and ret_reason != NULL, *ret_reason is the
 * upstream reason text (caller frees), e.g.
 * `User "developer" cannot list resource "pods" in API group "" in the namespace "default"`. */
bool auth_authorize(api_server *s, const api_user *u, const auth_attrs *a, char **ret_reason);

/* --- additions (RBAC engineer) ------------------------------------------ */
/* Keeps the cache current: call for every committed store change (the
 * apiserver's notify fan-out does). Cheap for keys that are not RBAC objects;
 * runs with the store's write lock held. */
void auth_notify(const store_event *ev, api_server *s);

/* As auth_authorize; also gives the allow reason (`RBAC: allowed by ...`,
 * empty for system:masters) in *ret_why when allowed. Both outputs may be NULL. */
bool auth_decide(api_server *s, const api_user *u, const auth_attrs *a, char **ret_why, char **ret_reason);

/* The attributes of a REST request (verb from method, watch, collection vs
 * object; projects/NAME is authorized in namespace NAME as OpenShift does).
 * Strings point into req/p. */
void auth_attrs_for_request(const api_request *req, const api_path *p, auth_attrs *ret);

/* Privilege-escalation check for writes (POST/PUT/PATCH) of roles,
 * clusterroles, rolebindings and clusterrolebindings, as Kubernetes' RBAC
 * storage does: a role may only grant what its author holds (or has the
 * `escalate` verb on it), a binding may only refer to a role whose
 * permissions its author holds (or has the `bind` verb on it). 0 when the
 * write may go on (also when the body does not decode: the handler reports
 * that); -EACCES with the full Forbidden message, or -ENOENT for a missing
 * referenced role. */
int auth_check_escalation(api_server *s, const api_request *req, const api_kind *k, const char *ns,
                          const char *name, ocx_error **reterr);

/* POST selfsubjectaccessreviews: answers with status.allowed (and reason). */
void auth_self_subject_access_review(api_server *s, const api_request *req, api_response *resp);

/* Creates the bootstrap roles and bindings (policies/rbac/NAME.json, objects
 * or Lists) when absent; never overwrites. Called by api_bootstrap. */
int auth_bootstrap(api_server *s, ocx_error **reterr);

/* Whether u holds, in namespace ns, every permission of rules[0..n) — or,
 * when role_name != NULL, of the cached role (role_ns "" = ClusterRole).
 * 0 yes; -EACCES no (*ret_missing, when not NULL, lists what is missing as
 * pol_rules_cover does); -ENOENT the role is not there. */
int auth_covers(api_server *s, const api_user *u, const char *ns, const pol_rule *rules, size_t n,
                const char *role_ns, const char *role_name, char **ret_missing);
