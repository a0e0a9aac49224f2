/* ocxd node — container probes (docs/runtime.md, "Probes"): exec (through
 * `ocxd node-exec`, in the container's namespaces, cgroups and security
 * context), httpGet (libcurl, to the pod IP) and tcpSocket (to the pod IP).
 *
 * startupProbe gates liveness and readiness; readiness sets the container's
 * `ready` and the pod's Ready / ContainersReady conditions; a liveness (or
 * startup) probe that fails failureThreshold times in a row kills the
 * container (SIGTERM, SIGKILL after the grace period), which the restart
 * policy then restarts with back-off. Failures are Unhealthy events, kills
 * Killing events; a container waiting in back-off gets a BackOff event.
 *
 * Nothing blocks: probes are started and collected on the agent's 50 ms
 * tick. State lives here, keyed by pod uid (pod.h stays untouched). Used by
 * the agent thread only. */
#pragma once
#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>
#include "node/pod.h"
#include "ocx/error.h"

typedef enum { PROBE_NONE, PROBE_EXEC, PROBE_HTTP, PROBE_TCP } probe_type;

typedef struct probe_spec {
        probe_type type;
        char **command; /* exec: NULL-terminated, owned */
        char *scheme;   /* httpGet: "http" or "https" */
        char *host;     /* NULL = the pod IP */
        char *path;     /* httpGet, starts with '/' */
        char **headers; /* httpGet: "Name: value", NULL-terminated, owned */
        int port;
        int initial_delay_s, period_s, timeout_s, success_threshold, failure_threshold;
        int64_t grace_s; /* probe-level terminationGracePeriodSeconds, -1 = the pod's */
} probe_spec;

/* Reads a probe (livenessProbe / readinessProbe / startupProbe object) of
 * the container ctr_spec (for named ports). Defaults as Kubernetes: period
 * 10 s, timeout 1 s, success 1, failure 3. -EINVAL with a message for a
 * probe without a handler, a port that is neither a number nor a named
 * container port, or grpc (not supported). */
int probe_spec_parse(const cJSON *probe, const cJSON *ctr_spec, probe_spec *ret, ocx_error **reterr);
void probe_spec_release(probe_spec *s);

/* Starts due probes, collects finished ones, acts on results. */
void probe_pod_tick(node_ctx *x, pod_rt *p);
/* Adjusts a status built by pod_rt_status: containerStatuses[].ready and
 * .started, the Ready and ContainersReady conditions, qosClass. */
void probe_pod_status(const node_ctx *x, const pod_rt *p, cJSON *status);
/* The pod is being deleted: a Killing event per running container. */
void probe_pod_stopping(const pod_rt *p);
/* Stops the pod's running probes and forgets its state. */
void probe_pod_forget(const char *uid);
/* Forgets everything (node shutdown). */
void probe_release_all(void);
