/* ocxd — REST path parser: turns "/apis/route.openshift.io/v1/namespaces/ns/routes/web/status"
 * into its parts. Pure; fuzzed. */
#pragma once
#include <stddef.h>

typedef enum {
        PATH_ROOT,          /* "/" */
        PATH_API,           /* /api */
        PATH_APIS,          /* /apis */
        PATH_GROUP,         /* /apis/G */
        PATH_GROUP_VERSION, /* /api/v1, /apis/G/V */
        PATH_RESOURCE,      /* collection or object */
        PATH_OTHER,         /* /version, /healthz, /openapi/..., /oauth/... : see raw */
} api_path_type;

#define API_NAME_MAX 253

typedef struct api_path {
        api_path_type type;
        char group[API_NAME_MAX + 1];
        char version[64];
        char ns[API_NAME_MAX + 1]; /* empty = not namespaced in the URL */
        char resource[API_NAME_MAX + 1];
        char name[API_NAME_MAX + 1]; /* empty = collection */
        char sub[64];                /* subresource or empty */
} api_path;

/* 0 on success; -EINVAL for malformed paths (empty, "." or ".." segments,
 * segments too long, too many segments), with a message in ret_msg (static). */
int api_path_parse(const char *path, api_path *ret, const char **ret_msg);
