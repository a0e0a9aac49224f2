/* ocx — name and metadata validation with the upstream (apimachinery)
 * messages, plus identifiers. Each validator returns NULL when valid, or a
 * heap message the caller frees, worded exactly as Kubernetes words it, e.g.
 * "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric
 * characters, '-' or '.', and must start and end with an alphanumeric
 * character (e.g. 'example.com', regex used for validation is
 * '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
 * and "must be no more than 253 characters". When several rules are broken
 * the messages are joined with "; " (upstream returns them as a list). */
#pragma once
#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include "ocx/error.h"

char *ocx_validate_dns1123_label(const char *s);     /* max 63 */
char *ocx_validate_dns1123_subdomain(const char *s); /* max 253 */
char *ocx_validate_dns1035_label(const char *s);     /* services: must start with a letter */
/* Label/annotation key: optional DNS subdomain prefix + '/' + name part (63,
 * [A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?) — the "qualified name" rules. */
char *ocx_validate_qualified_name(const char *s);
char *ocx_validate_label_value(const char *s); /* may be empty, max 63 */

/* Validates metadata.labels and metadata.annotations of obj (types, keys,
 * values, total annotation size 256 KiB). Adds the first problem to *reterr
 * with its field path ("metadata.labels") and returns -EINVAL. The message is
 * worded like apimachinery's field error body: `Invalid value: "<key or value>": <why>`,
 * or "Too long: must have at most 262144 bytes". */
int ocx_validate_labels_annotations(const cJSON *metadata, ocx_error **reterr);

/* Random UUIDv4 into out (37 bytes). */
void ocx_uuid4(char out[37]);
/* n random bytes (getrandom); aborts if the kernel cannot supply them. */
void ocx_random_bytes(void *buf, size_t n);
