/* ocx — kubeconfig: load (~/.kube/config, $KUBECONFIG list merged with
 * first-wins, --kubeconfig override), oc's naming scheme, atomic 0600 save
 * with a <file>.lock taken O_EXCL while writing. The in-memory form is the
 * kubeconfig as JSON (same shape as the YAML: clusters/contexts/users lists). */
#pragma once
#include <cjson/cJSON.h>
#include "ocx/error.h"
#include "ocx/http.h"

typedef struct cli_kubeconfig {
        cJSON *doc;        /* {"apiVersion":"v1","kind":"Config","clusters":[...],...} */
        char *path;        /* the file new stanzas and current-context are written to */
} cli_kubeconfig;

/* explicit_path: --kubeconfig value or NULL. A missing file yields an empty
 * config (doc with empty lists), not an error. */
int cli_kubeconfig_load(const char *explicit_path, cli_kubeconfig *ret, ocx_error **reterr);
int cli_kubeconfig_save(const cli_kubeconfig *kc, ocx_error **reterr);
void cli_kubeconfig_release(cli_kubeconfig *kc);

/* oc's nicknames: "https://127.0.0.1:8443" -> "127-0-0-1:8443";
 * user "developer/127-0-0-1:8443"; context "ns/127-0-0-1:8443/developer". */
char *cli_cluster_nick(const char *server);

/* Adds or replaces the cluster, user and context stanzas (reusing an existing
 * context with identical cluster+user+namespace) and makes it current.
 * cluster: {"server":..., "certificate-authority-data":...}; user: {"token":...}
 * or {"client-certificate-data":..., "client-key-data":...}. Returns the
 * context name used (caller frees) through ret_context (may be NULL). */
int cli_kubeconfig_set_login(cli_kubeconfig *kc, const char *server, const cJSON *cluster,
                             const char *username, const cJSON *user, const char *ns,
                             char **ret_context, ocx_error **reterr);

/* Resolves the context to use (override or current-context) into an HTTP
 * config and namespace; server_override may be NULL. -ENOENT with oc's
 * "Missing or incomplete configuration info" message when unusable. */
int cli_kubeconfig_client(const cli_kubeconfig *kc, const char *context_override,
                          const char *server_override, ocx_http_config *ret_cfg, char **ret_ns,
                          ocx_error **reterr);
