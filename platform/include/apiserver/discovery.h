/* ocxd — discovery (/api, /apis, /apis/G, /apis/G/V, /api/v1), /version,
 * health endpoints and the OpenAPI documents kubectl fetches before it
 * creates objects. */
#pragma once
#include <stdbool.h>
#include "apiserver/api.h"
#include "apiserver/path.h"

/* Handles non-resource paths; false when the path is not one of them. */
bool api_handle_discovery(api_server *s, const api_path *p, const api_request *req, api_response *resp);
