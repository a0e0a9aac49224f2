/* scc — the SecurityContextConstraint admission engine (spec section 3): pure
 * functions from (operation, pod, old pod, user, service account, namespace
 * annotations, SCC list, authorizer) to a mutated pod and the chosen SCC, or
 * a Forbidden error whose message is upstream's byte for byte.
 *
 * Typical use (the API server):
 *     scc_set *set; scc_set_new(sccs_json_array, &set, &err);   // once per SCC change
 *     scc_decision d; scc_admit(set, &req, &d, &err);           // per pod request
 *     ... use d.pod ...; scc_decision_release(&d);
 * The edge renders a failure as `pods "<scc_pod_display_name(pod)>" is forbidden: <message>`. */
#pragma once
#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include "ocx/error.h"
#include "scc/constraints.h"

#define SCC_ANN_SCC "openshift.io/scc"
#define SCC_ANN_SUBJECT_TYPE "security.openshift.io/validated-scc-subject-type"
#define SCC_ANN_REQUIRED "openshift.io/required-scc"

/* A decoded, sorted (ByPriority) set of SCCs. Immutable once built; may be
 * shared by threads. */
typedef struct scc_set scc_set;

/* Decodes every SCC of a JSON array. An element that cannot be decoded is
 * kept as "broken": admission then fails with "error creating provider for
 * SCC <name> ...", as upstream fails when one SCC cannot build a provider.
 * -EINVAL when sccs is not an array. *ret is owned by the caller. */
int scc_set_new(const cJSON *sccs, scc_set **ret, ocx_error **reterr);
scc_set *scc_set_free(scc_set *s);
/* Safe-sysctl list selection (major*1000+minor, see scc_kernel_version());
 * default 0 = legacy list. */
void scc_set_set_kernel(scc_set *s, unsigned kernel);
size_t scc_set_size(const scc_set *s);
/* The i-th SCC in evaluation order (NULL for a broken entry). */
const scc_constraints *scc_set_get(const scc_set *s, size_t i);
const char *scc_set_name(const scc_set *s, size_t i);
/* Readiness gate (3.2): -EACCES "securitycontextconstraints.security.openshift.io
 * cache is missing <sorted, comma+space joined names>" unless the 10 standard
 * SCCs are present. */
int scc_set_check_standard(const scc_set *s, ocx_error **reterr);

/* RBAC "use" on securitycontextconstraints/<scc> in ns. groups is
 * NULL-terminated. The SCC's own users/groups fields are checked by the
 * engine before the callback is asked. */
typedef bool (*scc_can_use_fn)(void *userdata, const char *user, const char *const *groups, const char *scc_name,
                               const char *ns);

typedef enum scc_operation { SCC_OP_CREATE, SCC_OP_UPDATE } scc_operation;

typedef struct scc_request {
        scc_operation op;
        const char *subresource;        /* NULL or "" for the pod itself; "ephemeralcontainers", "status", ... */
        const cJSON *pod;               /* the new pod; borrowed, never modified */
        const cJSON *old_pod;           /* UPDATE: the stored pod; borrowed */
        const char *user;               /* requesting user name */
        const char *const *groups;      /* requesting user's groups, NULL-terminated (or NULL) */
        const char *ns;                 /* pod namespace (also the service account's) */
        const char *service_account;    /* NULL: use pod.spec.serviceAccountName */
        const cJSON *ns_annotations;    /* the namespace's metadata.annotations */
        scc_can_use_fn can_use;         /* may be NULL (only users/groups fields grant) */
        void *userdata;
} scc_request;

typedef struct scc_decision {
        bool ignored;       /* out of scope (3.1): pod is NULL and nothing was decided */
        cJSON *pod;         /* the admitted pod (a new tree, caller owns) */
        char *scc;          /* chosen SCC name (caller owns) */
        char *subject_type; /* "user" or "serviceaccount" */
} scc_decision;

void scc_decision_release(scc_decision *d);

/* The mutating phase (Admit). On success the returned pod carries the
 * generated defaults and the annotations openshift.io/scc,
 * security.openshift.io/validated-scc-subject-type and, when a seccomp
 * profile applies, seccomp.security.alpha.kubernetes.io/pod.
 * Errors, all -EACCES (Forbidden) unless noted:
 *   "unable to validate against any security context constraint: [...]"
 *   "invalid change of required security context constraint annotation: openshift.io/required-scc"
 *   "failed to retrieve the required SCC \"R\": securitycontextconstraints.security.openshift.io \"R\" not found"
 *   "no SecurityContextConstraints found in cluster"
 *   "error fetching namespace \"<ns>\": unable to find annotation ..."
 *   provider construction failures (aggregated)
 *   "object was marked as kind pod but was unable to be converted: ..." */
int scc_admit(const scc_set *set, const scc_request *req, scc_decision *ret, ocx_error **reterr);

/* The validating phase (3.12): the pod must validate, unchanged, against a
 * usable SCC (its openshift.io/scc annotation is tried first). On success
 * ret->pod is NULL and ret->scc names the SCC. The failure message uses the
 * raw list format "[e1 e2]". */
int scc_validate(const scc_set *set, const scc_request *req, scc_decision *ret, ocx_error **reterr);

/* Convenience: builds a set from a JSON array and admits. */
int scc_admit_json(const cJSON *sccs, const scc_request *req, scc_decision *ret, ocx_error **reterr);

/* 3.1 ignore rules (subresource list, Windows pods, metadata-only updates). */
bool scc_should_ignore(const scc_request *req);
