/* ocx — label selectors (kubectl grammar: "a=b,c!=d,e in (x,y),f notin (z),g,!h",
 * "==" same as "=", also "n>3"/"n<3" on integer values) and field selectors ("metadata.name=x,status.phase!=Running"). */
#pragma once
#include <cjson/cJSON.h>
#include <stdbool.h>
#include "ocx/error.h"

typedef struct ocx_selector ocx_selector;

/* Parses; an empty or NULL string is the everything selector. Errors -EINVAL
 * with a message naming the problem ("unable to parse requirement: ..."). */
int ocx_label_selector_parse(const char *s, ocx_selector **ret, ocx_error **reterr);
/* labels: the metadata.labels object (may be NULL = no labels). */
bool ocx_label_selector_match(const ocx_selector *sel, const cJSON *labels);
/* Matches a structured selector object ({matchLabels:{}, matchExpressions:[]},
 * operators In/NotIn/Exists/DoesNotExist). {} selects everything; NULL or a
 * JSON null selects nothing (as metav1.LabelSelectorAsSelector). Errors -EINVAL
 * with the field ("matchExpressions[0]") and apimachinery's wording. */
int ocx_label_selector_from_json(const cJSON *sel, ocx_selector **ret, ocx_error **reterr);

/* Field selector: only =, ==, != on dotted paths; values compared as strings
 * (numbers and booleans by their JSON text). */
int ocx_field_selector_parse(const char *s, ocx_selector **ret, ocx_error **reterr);
bool ocx_field_selector_match(const ocx_selector *sel, const cJSON *obj);

bool ocx_selector_empty(const ocx_selector *sel);
ocx_selector *ocx_selector_free(ocx_selector *sel);
static inline void ocx_selector_freep(ocx_selector **s) { *s = ocx_selector_free(*s); }
