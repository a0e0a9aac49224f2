/* policies — the RBAC engine: Role/ClusterRole rules, RoleBinding and
 * ClusterRoleBinding subjects, the authorization decision, the upstream
 * denial texts and the privilege-escalation ("covers") check. Pure: no I/O,
 * no locking (callers serialize writes against reads), no aggregation.
 *
 * Semantics follow Kubernetes' rbac authorizer (plugin/pkg/auth/authorizer/rbac)
 * and registry/rbac/validation:
 *   - a rule matches a resource request when verb, API group, resource
 *     ("pods", "pods/log", "*", "* /log" without the space) and, if the rule
 *     lists any, the resource name all match; a non-resource request matches
 *     on verb and URL ("/healthz", "/apis/ *" prefix form, "*");
 *   - a ClusterRoleBinding applies everywhere (and to non-resource URLs); a
 *     RoleBinding only to requests in its own namespace, whether it refers to
 *     a Role of that namespace or to a ClusterRole;
 *   - subjects: User (exact name), Group (one of the user's groups),
 *     ServiceAccount (user "system:serviceaccount:<ns>:<name>", namespace
 *     defaulting to the binding's). Users named like service accounts also
 *     count as members of "system:serviceaccounts" and
 *     "system:serviceaccounts:<ns>". */
#pragma once
#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include "ocx/error.h"

typedef struct pol_rule {
        char **verbs, **groups, **resources, **names, **urls;
        size_t n_verbs, n_groups, n_resources, n_names, n_urls;
} pol_rule;

typedef struct pol_role {
        char *ns; /* "" for a ClusterRole */
        char *name;
        pol_rule *rules;
        size_t n_rules;
} pol_role;

typedef enum { POL_SUBJECT_USER, POL_SUBJECT_GROUP, POL_SUBJECT_SA } pol_subject_kind;

typedef struct pol_subject {
        pol_subject_kind kind;
        char *name;
        char *ns; /* ServiceAccount namespace ("" = the binding's) */
} pol_subject;

typedef struct pol_binding {
        char *ns; /* "" for a ClusterRoleBinding */
        char *name;
        bool cluster_role; /* roleRef.kind == ClusterRole */
        char *role;        /* roleRef.name */
        pol_subject *subjects;
        size_t n_subjects;
} pol_binding;

typedef struct pol_user {
        const char *name;
        const char *const *groups; /* NULL terminated, may be NULL */
} pol_user;

/* One request. resource == NULL means a non-resource request (path). */
typedef struct pol_attrs {
        const char *verb;
        const char *group;
        const char *resource;
        const char *subresource; /* NULL or "" when none */
        const char *ns;          /* NULL or "" at the cluster scope */
        const char *name;        /* NULL or "" */
        const char *path;        /* non-resource requests */
} pol_attrs;

/* --- decoding (objects as stored by the API; -EINVAL with a field path) */
int pol_rules_from_json(const cJSON *rules, pol_rule **ret, size_t *ret_n, ocx_error **reterr);
void pol_rules_free(pol_rule *rules, size_t n);
/* kind Role or ClusterRole. */
int pol_role_from_json(const cJSON *obj, pol_role **ret, ocx_error **reterr);
/* kind RoleBinding or ClusterRoleBinding. */
int pol_binding_from_json(const cJSON *obj, pol_binding **ret, ocx_error **reterr);
pol_role *pol_role_free(pol_role *r);
pol_binding *pol_binding_free(pol_binding *b);

/* --- matching */
bool pol_rule_allows(const pol_rule *rule, const pol_attrs *a);
/* binding_ns: namespace of the binding ("" for cluster bindings). */
bool pol_subject_applies(const pol_subject *s, const pol_user *u, const char *binding_ns);
bool pol_user_in_group(const pol_user *u, const char *group);

/* --- the policy set: roles and bindings by (namespace, name) */
typedef struct pol_rbac pol_rbac;

pol_rbac *pol_rbac_new(void);
pol_rbac *pol_rbac_free(pol_rbac *p);
/* Take ownership; replace an entry with the same namespace and name. */
void pol_rbac_put_role(pol_rbac *p, pol_role *r);
void pol_rbac_put_binding(pol_rbac *p, pol_binding *b);
/* Decodes a Role, ClusterRole, RoleBinding or ClusterRoleBinding and puts it.
 * -EINVAL for a bad object, -ENOTSUP for another kind. */
int pol_rbac_put_json(pol_rbac *p, const cJSON *obj, ocx_error **reterr);
/* kind as above; true when something was removed. */
bool pol_rbac_remove(pol_rbac *p, const char *kind, const char *ns, const char *name);
const pol_role *pol_rbac_role(const pol_rbac *p, const char *ns, const char *name);
size_t pol_rbac_n_roles(const pol_rbac *p);
size_t pol_rbac_n_bindings(const pol_rbac *p);
const pol_binding *pol_rbac_binding_at(const pol_rbac *p, size_t i);

/* The decision. When allowed and ret_why != NULL, *ret_why is upstream's
 * allow reason (`RBAC: allowed by ClusterRoleBinding "x" of ClusterRole "y"
 * to User "z"`, caller frees); otherwise set to NULL. */
bool pol_rbac_allows(const pol_rbac *p, const pol_user *u, const pol_attrs *a, char **ret_why);
/* The upstream denial text (caller frees):
 * `User "u" cannot list resource "pods" in API group "" in the namespace "ns"`,
 * `... at the cluster scope`, `User "u" cannot get path "/foo"`. */
char *pol_deny_reason(const pol_user *u, const pol_attrs *a);

/* Every rule granted to u in namespace ns (cluster bindings + role bindings of
 * ns). *ret is a heap array of borrowed pointers (valid while p is unchanged). */
size_t pol_rbac_rules_for(const pol_rbac *p, const pol_user *u, const char *ns, const pol_rule ***ret);

/* Escalation: true when the owner rules cover every permission of the servant
 * rules. Otherwise, when ret_missing != NULL, *ret_missing lists the missing
 * permissions as upstream prints them (compacted, sorted, one per line:
 * `{APIGroups:[""], Resources:["pods"], Verbs:["create" "delete"]}`). */
bool pol_rules_cover(const pol_rule *const *owner, size_t n_owner, const pol_rule *servant, size_t n_servant,
                     char **ret_missing);
/* `user "u" (groups=["g1" "g2"]) is attempting to grant RBAC permissions not currently held:\n<missing>` */
char *pol_escalation_message(const pol_user *u, const char *missing);
