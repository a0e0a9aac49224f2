/* ocx — client-side JSON merge patches (see cli/merge.h). */
#include "cli/merge.h"
#include "ocx/json.h"
#include "ocx/banned.h"

bool cli_patch_is_empty(const cJSON *patch) { return !patch || (cJSON_IsObject(patch) && !patch->child); }

/* The merge patch turning from into to; keys missing from to become null only
 * when with_deletions (apply's "changes" part leaves deletions to last-applied). */
static cJSON *diff(const cJSON *from, const cJSON *to, bool with_deletions) {
        cJSON *p = cJSON_CreateObject();
        const cJSON *m;
        cJSON_ArrayForEach(m, to) {
                const cJSON *o = ocx_json_get(from, m->string);
                if (o && ocx_json_equal(o, m)) continue;
                if (o && cJSON_IsObject(o) && cJSON_IsObject(m)) {
                        cJSON *sub = diff(o, m, with_deletions);
                        if (cli_patch_is_empty(sub))
                                cJSON_Delete(sub);
                        else
                                cJSON_AddItemToObject(p, m->string, sub);
                        continue;
                }
                cJSON_AddItemToObject(p, m->string, cJSON_Duplicate(m, true));
        }
        const cJSON *o;
        if (with_deletions)
                cJSON_ArrayForEach(o, from) if (!ocx_json_get(to, o->string)) cJSON_AddNullToObject(p, o->string);
        return p;
}

cJSON *cli_merge_patch_diff(const cJSON *original, const cJSON *modified) { return diff(original, modified, true); }

static cJSON *deletions(const cJSON *last, const cJSON *modified) {
        cJSON *p = cJSON_CreateObject();
        const cJSON *l;
        cJSON_ArrayForEach(l, last) {
                const cJSON *m = ocx_json_get(modified, l->string);
                if (!m) {
                        cJSON_AddNullToObject(p, l->string);
                } else if (cJSON_IsObject(l) && cJSON_IsObject(m)) {
                        cJSON *sub = deletions(l, m);
                        if (cli_patch_is_empty(sub))
                                cJSON_Delete(sub);
                        else
                                cJSON_AddItemToObject(p, l->string, sub);
                }
        }
        return p;
}

/* merges patch b into a (both patches), b wins on conflicts */
static void merge_patches(cJSON *a, const cJSON *b) {
        const cJSON *e;
        cJSON_ArrayForEach(e, b) {
                cJSON *x = ocx_json_get(a, e->string);
                if (x && cJSON_IsObject(x) && cJSON_IsObject(e))
                        merge_patches(x, e);
                else
                        ocx_json_set(a, e->string, cJSON_Duplicate(e, true));
        }
}

cJSON *cli_three_way_merge_patch(const cJSON *last_applied, const cJSON *live, const cJSON *modified) {
        cJSON *p = last_applied ? deletions(last_applied, modified) : cJSON_CreateObject();
        cJSON *c = diff(live, modified, false);
        merge_patches(p, c);
        cJSON_Delete(c);
        return p;
}
