/* ocxd node — core v1 Event objects about pods (docs/runtime.md, "Events").
 *
 * An event is identified by (pod uid, container, reason, message, source):
 * its name is "<pod>.<16 hex digits of a hash of those>", so a repeat —
 * also after an ocxd restart — increments `count` and moves
 * `lastTimestamp` instead of creating a new object. Events this agent wrote
 * are deleted an hour after their last occurrence (as kube-apiserver's
 * default --event-ttl), while ocxd runs.
 *
 * Used by the agent thread only. */
#pragma once
#include <cjson/cJSON.h>
#include "apiserver/api.h"

/* source.component / reportingComponent */
#define EV_KUBELET "kubelet"
#define EV_SCHEDULER "default-scheduler"

void ev_init(api_server *s, const char *node_name);
void ev_release(void);
/* Records an event about pod (the object the agent holds; metadata.name,
 * namespace and uid are used). ctr: the container (involvedObject.fieldPath
 * "spec.containers{NAME}") or NULL; type "Normal" or "Warning". Errors are
 * logged, never returned. */
void ev_pod(const cJSON *pod, const char *ctr, const char *component, const char *type, const char *reason,
            const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* Deletes events whose last occurrence is older than the TTL (called by the
 * agent loop; cheap when nothing is due). */
void ev_expire(void);
/* The event name for these fields (exposed for tests). out: >= 254 bytes. */
void ev_name(const char *pod_name, const char *key, char *out, size_t n);
