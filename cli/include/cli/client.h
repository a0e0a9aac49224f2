/* ocx — the per-invocation session: kubeconfig + global flags → HTTP client
 * and namespace; JSON request helpers; API errors turned into the exact
 * text oc prints (spec 1.1). */
#pragma once
#include <cjson/cJSON.h>
#include <stdbool.h>
#include "cli/command.h"
#include "cli/kubeconfig.h"
#include "ocx/error.h"
#include "ocx/http.h"

struct cli_discovery;

typedef struct cli_session {
        cli_kubeconfig kc;
        ocx_http_config cfg;
        ocx_http *http;
        char *ns;          /* effective namespace ("default" when none) */
        bool ns_explicit;  /* -n given */
        struct cli_discovery *disc; /* cached discovery */
} cli_session;

#define CLI_ACCEPT_TABLE                                                                           \
        "Accept: application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;" \
        "g=meta.k8s.io,application/json"

/* Loads kubeconfig and connects (lazily, once per invocation). */
int cli_session_get(cli_invocation *inv, cli_session **ret, ocx_error **reterr);
void cli_session_free(cli_session *s);

/* Raw request; any HTTP status returns 0. Server warnings are printed to
 * stderr as "Warning: <text>". accept may be NULL (JSON). */
int cli_do(cli_session *s, const char *method, const char *path, const char *content_type,
           const char *body, size_t body_len, const char *accept, ocx_http_response *ret,
           ocx_error **reterr);
/* JSON request: body may be NULL; *ret gets the parsed 2xx body (may be NULL
 * when the body is empty). Non-2xx → cli_status_error(resp, NULL). */
int cli_request_json(cli_session *s, const char *method, const char *path, const char *content_type,
                     const cJSON *body, cJSON **ret, ocx_error **reterr);

/* Formats a failed response the way kubectl's CheckErr does; context, when
 * not NULL, is inserted after "Error from server (Reason): " (for create:
 * `error when creating "app.yaml"`). The error code follows the HTTP status
 * (404 ENOENT, 409 EEXIST/ESTALE, 422 EINVAL, 401 EPERM, 403 EACCES). */
int cli_status_error(const ocx_http_response *r, const char *context, ocx_error **reterr);
/* Pure: the text for a Status object (exposed for tests). Caller frees. */
char *cli_format_status(const cJSON *status, long http_status, const char *context);

/* Appends "?"/"&" + key=urlencoded(value) to a path. */
char *cli_path_add_query(const char *path, const char *key, const char *value);
