/* scc — reading and writing the security-relevant parts of a pod held as a
 * cJSON tree (Kubernetes JSON). JSON null is treated as "unset" everywhere,
 * so unset stays distinct from false, 0 and empty. */
#pragma once
#include <cjson/cJSON.h>
#include <stdbool.h>
#include "ocx/error.h"
#include "scc/constraints.h"
#include "scc/strategy.h"

/* The three container lists in visiting order. */
extern const char *const scc_container_lists[3];

/* Member lookup treating null as absent; NULL when o is not an object. */
const cJSON *scc_jget(const cJSON *o, const char *key);
scc_opt_int scc_jint(const cJSON *o, const char *key);
int scc_jtristate(const cJSON *o, const char *key); /* -1 unset, 0, 1 */
bool scc_jtrue(const cJSON *o, const char *key);
/* Reads seLinuxOptions of a securityContext; false when unset. Strings borrowed. */
bool scc_jselinux(const cJSON *sc, scc_selinux_opts *ret);
/* Reads securityContext.capabilities (borrowed strings; free ret->add/drop). */
void scc_jcaps(const cJSON *sc, scc_caps *ret);

/* Seccomp conversions (3.7): a seccompProfile field → legacy profile string
 * (heap, "" when it cannot be converted), and back (NULL for anything that is
 * not unconfined, runtime/default, docker/default or localhost/<x>). */
char *scc_seccomp_field_to_profile(const cJSON *field);
cJSON *scc_seccomp_profile_to_field(const char *profile);

/* Checks that every field admission reads has the right JSON type (integers
 * within range). Fails with -EACCES and the upstream conversion message
 * "object was marked as kind pod but was unable to be converted: <path>: <why>". */
int scc_pod_check(const cJSON *pod, ocx_error **reterr);
/* The name used in "pods \"<name>\" is forbidden": metadata.name, else
 * generateName, else "Unknown". Borrowed. */
const char *scc_pod_display_name(const cJSON *pod);
