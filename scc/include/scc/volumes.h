/* scc — pod volume sources and the SCC `volumes` allowlist (spec 1.3, 1.4,
 * 3.7 step 10-11). */
#pragma once
#include <cjson/cJSON.h>
#include <stdbool.h>
#include "scc/constraints.h"

/* The FSType of a pod volume: the first non-null source in upstream order
 * ("hostPath", "emptyDir", ..., "cephFS", "vsphere", "storageOS", ...), or
 * NULL when no known source is set. The result is a static string. */
const char *scc_volume_fstype(const cJSON *volume);
/* True when the SCC allows fstype: "*" in the list or the exact name. */
bool scc_volumes_allow(const scc_strv *volumes, const char *fstype);
/* True when a "projected" volume only holds the service-account-token shape
 * (token, kube-root-ca.crt, openshift-service-ca.crt, namespace). */
bool scc_projected_is_sa_token(const cJSON *projected);
/* "All FSTypes" as used by object defaulting (every name but "*", "none" and
 * "serviceAccountToken"), NULL terminated. */
extern const char *const scc_all_fstypes[];
/* Every valid `volumes` entry (the FSTypes plus "*", "none", "serviceAccountToken"). */
bool scc_fstype_known(const char *s);
