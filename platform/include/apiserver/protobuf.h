/* ocxd — request bodies in the Kubernetes protobuf encoding
 * (application/vnd.kubernetes.protobuf), as kubectl's typed generators send
 * them (`kubectl create namespace|configmap|secret|serviceaccount`).
 *
 * A body is the magic "k8s\0" followed by a runtime.Unknown message
 * {typeMeta{apiVersion, kind}, raw, contentEncoding, contentType} whose raw
 * bytes are the object message. The object is turned into the JSON a client
 * would have sent: strings and numbers that are empty or zero and optional
 * sub-objects that are empty are left out, `bytes` fields and map values
 * become base64, timestamps RFC 3339 (seconds precision). Unknown fields are
 * skipped by wire type; responses stay JSON. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include "apiserver/kinds.h"
#include "ocx/json.h"

/* At most this many entries in one map or repeated field. */
#define API_PROTOBUF_MAX_ITEMS 4096
/* Nesting of messages (Unknown → object → metadata → managedFields → time). */
#define API_PROTOBUF_MAX_DEPTH 8

/* True for the kinds whose messages api_protobuf_decode knows: core/v1
 * Namespace, ConfigMap, Secret and ServiceAccount. */
bool api_protobuf_supported(const api_kind *k);

/* Decodes len bytes of a protobuf request body for kind k into a new JSON
 * object (*ret, caller frees) carrying apiVersion and kind from the envelope.
 * Errors: -EBADMSG for malformed input (bad magic, truncated or overlong
 * varints, lengths beyond the buffer, wrong wire types, strings with NUL or
 * invalid UTF-8, too many map entries, nesting too deep, a typeMeta that does
 * not name k, a content encoding); -EPROTONOSUPPORT when k is not supported.
 * The message names the field ("metadata.labels: ..."). */
int api_protobuf_decode(const char *data, size_t len, const api_kind *k, cJSON **ret, ocx_error **reterr);
