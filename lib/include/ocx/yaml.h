/* ocx — YAML <-> JSON (libyaml). YAML 1.1 scalars are resolved the way kubectl
 * (sigs.k8s.io/yaml over go-yaml v2) resolves them: unquoted true/false/yes/no/
 * on/off (any case form go-yaml accepts) are booleans, ~/null/empty are null,
 * integers (decimal, 0x hex, 0o/0 octal, with _), floats (.5, 1e3, .inf, .nan),
 * everything else a string. Quoted scalars are always strings. Anchors/aliases
 * are expanded (with a cap against alias bombs). Mapping keys become strings. */
#pragma once
#include <cjson/cJSON.h>
#include <stddef.h>
#include "ocx/buf.h"
#include "ocx/error.h"

/* Parses a multi-document stream. *ret is a JSON array with one element per
 * non-empty document (documents that are empty or only comments are skipped).
 * Errors: -EINVAL with "yaml: line N: <problem>" (1-based line). */
int ocx_yaml_parse_stream(const char *s, size_t len, cJSON **ret, ocx_error **reterr);

/* Accepts JSON or YAML (JSON is YAML); one or more documents; a document that
 * is a `kind: List` (or ...List) with `items` is expanded into its items.
 * Returns a JSON array of objects. */
int ocx_decode_manifests(const char *s, size_t len, cJSON **ret, ocx_error **reterr);

/* Appends obj as YAML, block style, map keys sorted alphabetically at every
 * level (kubectl -o yaml), strings quoted only where YAML would misread them.
 * Output is what go-yaml v2 (kubectl) prints: strings that would read back as
 * another type are double-quoted ("true", "123", "", "2021-01-01"), strings
 * that are not valid plain YAML are single-quoted ('a: b', '*'), multi-line
 * strings are |/|- blocks, long plain strings fold at 80 columns, keys sort in
 * go-yaml's natural order (x2 before x10), invalid UTF-8 becomes U+FFFD.
 * One document, no "---". On error (-E2BIG at the buffer cap) b is unchanged. */
int ocx_yaml_write(ocx_buf *b, const cJSON *obj);
