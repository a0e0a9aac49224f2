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
