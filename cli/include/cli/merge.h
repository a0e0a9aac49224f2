/* ocx — JSON merge patches (RFC 7386) computed on the client: the two-way
 * patch `ocx edit` sends and the three-way patch of `ocx apply`. */
#pragma once
#include <cjson/cJSON.h>
#include <stdbool.h>

/* Patch that turns original into modified: changed/added keys, removed keys
 * as null; arrays are replaced whole. Never NULL ({} when equal). */
cJSON *cli_merge_patch_diff(const cJSON *original, const cJSON *modified);
/* kubectl's three-way JSON merge patch: deletions = keys in last_applied
 * missing from modified (null); changes = keys of modified that differ from
 * live. last_applied may be NULL. Never NULL ({} when nothing to do). */
cJSON *cli_three_way_merge_patch(const cJSON *last_applied, const cJSON *live, const cJSON *modified);
bool cli_patch_is_empty(const cJSON *patch);
