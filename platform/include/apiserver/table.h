/* ocxd — server-side Table responses (meta.k8s.io/v1 Table) with the columns
 * `oc get` prints for each kind (oc-cli spec 5.8, 5.22). */
#pragma once
#include <cjson/cJSON.h>
#include <time.h>
#include "apiserver/kinds.h"

enum {
        TABLE_DEFAULT,
        TABLE_POD,
        TABLE_RC,
        TABLE_SERVICE,
        TABLE_NAMESPACE,
        TABLE_ENDPOINTS,
        TABLE_SA,
        TABLE_SECRET,
        TABLE_CONFIGMAP,
        TABLE_EVENT,
        TABLE_NODE,
        TABLE_DC,
        TABLE_IS,
        TABLE_ROUTE,
        TABLE_SCC,
        TABLE_PROJECT,
        TABLE_USER,
        TABLE_IDENTITY,
        TABLE_GROUP,
        TABLE_ROLEBINDING,
};

typedef enum { TABLE_OBJ_METADATA, TABLE_OBJ_FULL, TABLE_OBJ_NONE } table_include;

/* Builds a Table from a list of objects (a cJSON array, not consumed).
 * now is the reference time for AGE cells. */
cJSON *api_table_build(const api_kind *k, const cJSON *items, const char *resource_version,
                       table_include inc, time_t now);
