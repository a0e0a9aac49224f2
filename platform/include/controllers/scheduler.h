/* ocxd — the scheduler: binds pending pods to a node. A pod that names a
 * node in spec.nodeName keeps it; any other pending pod (no nodeName, no
 * deletionTimestamp) is bound to `node` (one node per cluster today). */
#pragma once
#include "apiserver/api.h"

/* One pass over every pod; returns the number of pods bound, or -errno. */
int scheduler_bind_pending(api_server *s, const char *node);
