/* ocxd node agent: registers a Node object for this machine (capacity,
 * conditions, heartbeat), binds pending pods through the scheduler, runs the
 * pods bound to it (platform/node/runtime.h, network.h) and reports their
 * status. See docs/runtime.md.
 *
 * Shutdown: node_stop(s, true) (ocxd got SIGTERM/SIGINT: `ocx cluster down`)
 * stops every pod it runs (SIGTERM, SIGKILL after the grace period, at most
 * 4 s in all), deletes
 * their network namespaces, its bridge and its state; node_stop(s, false)
 * (SIGQUIT, or ocxd killed) leaves the pods running for the next ocxd to adopt. */
#pragma once
#include <stdbool.h>
#include "apiserver/api.h"

typedef struct node_config {
        const char *name;     /* node name; default: the host name */
        const char *base_dir; /* BASE: pods/ (logs, rootfs), run/node (state) */
        const char *bridge;   /* default "ocx0" (env OCX_NODE_BRIDGE) */
        const char *pod_cidr; /* default "10.128.0.0/23" (env OCX_POD_CIDR) */
        const char *api_port; /* for KUBERNETES_SERVICE_PORT */
} node_config;

int node_start(api_server *s, const node_config *cfg, ocx_error **reterr);
void node_stop(api_server *s, bool stop_pods);

/* `ocxd node-exec --base-dir BASE [-i] [-t] NS POD CONTAINER -- CMD...`: runs
 * CMD inside a running container (its namespaces, root, environment and
 * security context). Used by `ocx exec` on the node machine. */
int node_exec_main(int argc, char **argv);
