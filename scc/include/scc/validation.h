/* scc — SecurityContextConstraints object defaulting and validation (spec
 * 1.4, 1.5), as the API server applies them on SCC create and update.
 * Error texts are apimachinery field errors, e.g.
 *   "priority: Invalid value: -1: priority cannot be negative"
 *   "runAsUser.type: Invalid value: \"Foo\": invalid strategy type.  Valid values are MustRunAs, MustRunAsNonRoot, MustRunAsRange, RunAsAny"
 *   "fsGroup.ranges[0].min: Invalid value: 5: min cannot be greater than max" */
#pragma once
#include <cjson/cJSON.h>
#include "ocx/error.h"
#include "scc/errlist.h"

/* SetDefaults_SCC on the JSON object in place (strategy types, users,
 * groups, volumes, allowPrivilegeEscalation). Returns -EINVAL, changing
 * nothing, when obj is not an object. */
int scc_object_set_defaults(cJSON *obj);

/* Validates obj; appends one field error per problem to errs (type errors from
 * decoding, such as a priority beyond int32, come first and stop the semantic
 * checks). Returns the number of errors appended. */
size_t scc_object_validate(const cJSON *obj, scc_errlist *errs);

/* scc_object_validate folded into one error: -EINVAL with message
 * "[e1, e2]" (or the single text) and field = the first error's path. */
int scc_object_check(const cJSON *obj, ocx_error **reterr);
