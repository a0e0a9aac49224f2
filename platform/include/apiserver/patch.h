/* ocxd — patch application: JSON merge patch (RFC 7386, ocx_json_merge_patch), JSON patch
 * (RFC 6902) and a strategic-merge subset (lists of known Kubernetes fields
 * merged by their merge key; $patch / $setElementOrder / $retainKeys /
 * $deleteFromPrimitiveList directives). Pure. */
#pragma once
#include <cjson/cJSON.h>
#include "ocx/error.h"

typedef enum { PATCH_MERGE, PATCH_JSON, PATCH_STRATEGIC } api_patch_type;

/* Returns a new document (caller frees) or -EINVAL/-EBADMSG with a message
 * (JSON patch: "the server rejected our request due to an error in our request"
 * style texts; a failed "test" op gives -EINVAL). */
int api_patch_apply(api_patch_type type, const cJSON *doc, const cJSON *patch, cJSON **ret,
                    ocx_error **reterr);
