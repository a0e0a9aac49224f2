/* ocxd — decoding checks and validation: the schema walk (types, unknown
 * fields for our own kinds) and per-kind semantic rules, producing the
 * Kubernetes field-error causes ({reason, message, field}). */
#pragma once
#include <cjson/cJSON.h>
#include <stdbool.h>
#include "apiserver/kinds.h"

/* Adds a cause. reason: "FieldValueInvalid", "FieldValueRequired",
 * "FieldValueNotSupported", "FieldValueForbidden", "FieldValueTooLong",
 * "FieldValueDuplicate". value (may be NULL) is rendered like apimachinery:
 * strings quoted, numbers bare. detail may be NULL. */
void api_cause(cJSON *causes, const char *reason, const char *field, const cJSON *value,
               const char *detail);
void api_cause_str(cJSON *causes, const char *reason, const char *field, const char *value,
                   const char *detail);

/* Walks obj against the kind's schema. Wrong types become FieldValueInvalid
 * causes; unknown fields are collected into *ret_unknown (a heap string
 * listing them as `unknown field "spec.foo"`, NULL if none) when the kind is
 * strict; with strip=true they are removed instead. */
void api_schema_check(const api_kind *k, cJSON *obj, bool strip, cJSON *causes, char **ret_unknown);

/* Semantic validation of a whole object (names, labels, per-kind rules).
 * old is the stored object for updates (NULL on create). */
void api_validate(const api_kind *k, const cJSON *obj, const cJSON *old, cJSON *causes);

/* "Route.route.openshift.io \"x\" is invalid: <causes>" as kube-apiserver words it. */
char *api_invalid_message(const api_kind *k, const char *name, const cJSON *causes);
