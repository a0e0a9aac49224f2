/* ocxd — the endpoints controller: keeps, for every Service with a
 * non-empty spec.selector, an Endpoints object of the same name listing the
 * pods the selector matches: ready pods (status.podIP set and condition
 * Ready=True) under addresses, the others that have an IP under
 * notReadyAddresses, with the service's ports resolved against each pod
 * (targetPort number, or a container port name). Services without a selector
 * are left alone: their Endpoints are written by hand (or by tests). When a
 * Service is deleted its Endpoints go too and its cluster IP is released
 * (controllers/ipalloc.h).
 *
 * How it learns about changes: one thread polls the store's revision counter
 * (an atomic load, no SQL) every 20 ms and, when it moved, reads the store's
 * event history for pods, services and endpoints since the last revision it
 * handled. Every namespace touched is reconciled as a whole (list services and
 * pods of the namespace, compute, write what differs). History that was
 * compacted away (-ERANGE) and a timer (every 60 s) lead to a full resync. No
 * dependency on the watch hub, no HTTP round trip, no missed events. */
#pragma once
#include <cjson/cJSON.h>
#include "apiserver/api.h"

int endpoints_start(api_server *s);
void endpoints_stop(api_server *s);
/* Reconciles everything now and waits for it (tests). */
void endpoints_sync_now(api_server *s);

/* The pure part: the Endpoints object (apiVersion, kind, metadata name,
 * namespace and labels = the service's, subsets) for service svc given the
 * pods of its namespace (a JSON array; pods the selector does not match are
 * skipped). NULL when the service has no selector. Caller frees. */
cJSON *endpoints_compute(const cJSON *svc, const cJSON *pods);
/* true when a pod counts as ready (Ready=True condition and a podIP). */
bool endpoints_pod_ready(const cJSON *pod);
