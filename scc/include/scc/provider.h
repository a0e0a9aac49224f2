/* scc — one SCC resolved for one namespace (a "provider", spec 3.4) and the
 * application of it to a pod (AssignSecurityContext, spec 3.7). */
#pragma once
#include <cjson/cJSON.h>
#include <stddef.h>
#include "scc/allocation.h"
#include "scc/constraints.h"
#include "scc/errlist.h"
#include "scc/strategy.h"

typedef struct scc_provider {
        const scc_constraints *scc; /* borrowed; must outlive the provider */
        scc_uid_strategy uid;
        scc_selinux_strategy selinux; /* strings borrowed from scc or the namespace */
        scc_group_strategy fs_group, sup_groups;
        scc_range fs_single; /* storage for the pre-allocated fsGroup value */
        unsigned kernel;     /* see scc_sysctl_is_safe */
} scc_provider;

/* Resolves namespace pre-allocation and builds the strategies. ns may be NULL
 * only if no strategy needs pre-allocation. On failure returns -EACCES with
 * the upstream message:
 *   "unable to find pre-allocated uid|mcs|group annotation for namespace <ns>
 *    while trying to configure SCC <name>: <why>", or
 *   "error creating provider for SCC <name> in namespace <ns>: <why>"
 * (why: "MustRunAs requires a UID", "Unrecognized RunAsUser strategy type X", ...). */
int scc_provider_init(scc_provider *p, const scc_constraints *c, const scc_ns_info *ns, unsigned kernel,
                      ocx_error **reterr);

/* Applies the provider to pod (mutated in place: generated defaults, the
 * seccomp pod annotation) and validates the result. Appends the field errors
 * in upstream order and returns how many were appended (0 = the pod is
 * accepted). pod must have passed scc_pod_check. */
size_t scc_provider_assign(const scc_provider *p, cJSON *pod, scc_errlist *errs);
