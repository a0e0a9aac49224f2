/* ocx — the JSON wrapper every component uses instead of raw cJSON parsing.
 * Parsing is length-checked, rejects trailing bytes, duplicate keys and
 * nesting deeper than OCX_JSON_MAX_DEPTH. Lookups are case-sensitive.
 * Integers are read through checked accessors (cJSON saturates valueint). */
#pragma once
#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>
#include "ocx/buf.h"
#include "ocx/error.h"

#define OCX_JSON_MAX_DEPTH 100

OCX_DEFINE_CLEANUP_FUNC(cJSON *, cJSON_Delete)
#define _cleanup_json_ _cleanup_(cJSON_Deletep)

/* Parses exactly len bytes. On failure returns -EINVAL and an error whose
 * message names the line and column ("invalid JSON at line 3, column 7: ..."). */
int ocx_json_parse(const char *s, size_t len, cJSON **ret, ocx_error **reterr);

/* Case-sensitive member lookup; NULL when obj is not an object or has no key. */
cJSON *ocx_json_get(const cJSON *obj, const char *key);
/* Dotted path lookup ("metadata.name"); no array indexing. */
cJSON *ocx_json_path(const cJSON *obj, const char *dotted);
/* String member or NULL (also NULL when the member is not a string). */
const char *ocx_json_get_str(const cJSON *obj, const char *key);
const char *ocx_json_path_str(const cJSON *obj, const char *dotted);
/* Checked integer: -EINVAL when not an integral number, -ERANGE when outside
 * [min,max] or beyond 2^53 (where doubles lose precision). */
int ocx_json_int(const cJSON *item, int64_t min, int64_t max, int64_t *ret);
bool ocx_json_get_bool(const cJSON *obj, const char *key, bool dflt);

/* Get-or-create an object member (replacing a non-object value). */
cJSON *ocx_json_ensure_obj(cJSON *obj, const char *key);
/* Replace (or add) a member; takes ownership of val. */
void ocx_json_set(cJSON *obj, const char *key, cJSON *val);
void ocx_json_set_str(cJSON *obj, const char *key, const char *val);
void ocx_json_set_int(cJSON *obj, const char *key, int64_t val);

/* Compact serialisation; caller frees. Never NULL. */
char *ocx_json_print(const cJSON *obj);
/* Appends a serialisation: indent 0 = compact; otherwise that many spaces per
 * level, members in stored order (as `oc -o json` prints). */
int ocx_json_write(ocx_buf *b, const cJSON *obj, int indent);
/* Appends s as a JSON string literal. */
int ocx_json_write_string(ocx_buf *b, const char *s);
/* RFC 7386 JSON merge patch: consumes target, returns the patched document
 * (a non-object patch replaces the target; null members delete keys). */
cJSON *ocx_json_merge_patch(cJSON *target, const cJSON *patch);
/* Deep equality (member order ignored). */
bool ocx_json_equal(const cJSON *a, const cJSON *b);
