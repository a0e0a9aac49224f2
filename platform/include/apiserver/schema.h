/* ocxd — compact structural schemas per kind: JSON where a string names a
 * type ("string", "integer", "int32", "number", "boolean", "intstr", "map" =
 * map of strings, "object"/"array" = any of that shape, "any"), an object
 * lists its fields ("$open": true allows unknown ones) and a one-element
 * array gives the element schema. Parsed once; read-only afterwards. */
#pragma once
#include <cjson/cJSON.h>
#include "apiserver/kinds.h"

/* NULL when the kind has no schema (anything goes structurally). */
const cJSON *api_schema_for(const api_kind *k);
