/* ocxd — admission: per-kind defaulting and policy run after validation and
 * before storage (namespace lifecycle defaults, route host defaulting, ...).
 * Later plugins (SCC, project requests) register here too. */
#pragma once
#include <cjson/cJSON.h>
#include "apiserver/api.h"

enum { ADMIT_CREATE, ADMIT_UPDATE };

/* Mutates obj; adds field causes for rejections (-> 422) or sets *reterr for
 * other refusals (Forbidden). old is NULL on create. */
void api_admit(api_server *s, const api_kind *k, int op, const char *ns, cJSON *obj, const cJSON *old,
               cJSON *causes, ocx_error **reterr);

/* The user of the request being served on this thread (set by api_handle for
 * the duration of a request); NULL for internal callers (controllers,
 * bootstrap), which act as the system. */
void api_set_request_user(const api_user *u);
const api_user *api_request_user(void);

/* SCC plugin (admission-scc.c). */
/* Pods: chooses the SCC and fills the security context (create), or checks
 * the update path; refusals set *reterr (EACCES, upstream's message). */
void api_admit_pod_scc(api_server *s, int op, const char *ns, cJSON *obj, const cJSON *old, ocx_error **reterr);
/* The engine's "may this subject use the SCC" callback: RBAC `use` on
 * securitycontextconstraints (server = the api_server). */
bool api_scc_can_use(void *server, const char *user, const char *const *groups, const char *scc_name,
                     const char *ns);
/* SCC objects: defaulting + validation (field causes). */
void api_admit_scc_object(cJSON *obj, cJSON *causes);
/* Namespaces: uid range, MCS label and supplemental groups from the lowest
 * free block (openshift.io/sa.scc.* annotations), on create. */
void api_admit_namespace_allocation(api_server *s, cJSON *obj, ocx_error **reterr);
