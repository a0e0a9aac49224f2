/* Fuzz target: the SCC admission engine, SCC object validation/defaulting
 * and the namespace annotation parsers must never crash.
 * Input: a JSON object
 *   {"pod": {...}, "old": {...}, "op": "create"|"update", "sub": "...",
 *    "user": "u", "groups": ["g"], "grant": ["scc-name"], "ns": {annotations},
 *    "sccs": [...]}      (without "sccs": the default SCCs of policies/scc/) */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "ocx/buf.h"
#include "ocx/json.h"
#include "scc/admission.h"
#include "scc/allocation.h"
#include "scc/validation.h"
#include "ocx/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static cJSON *defaults;

static cJSON *load_defaults(void) {
        static const char *const names[] = {"anyuid", "hostaccess", "hostmount-anyuid", "hostmount-anyuid-v2",
                                            "hostnetwork", "hostnetwork-v2", "nonroot", "nonroot-v2", "privileged",
                                            "restricted", "restricted-v2", "restricted-v3", "nested-container"};
        cJSON *arr = cJSON_CreateArray();
        for (size_t i = 0; i < OCX_ARRAY_SIZE(names); i++) {
                char path[128], *buf = NULL;
                size_t len = 0;
                cJSON *j = NULL;
                snprintf(path, sizeof(path), "policies/scc/%s.json", names[i]);
                if (ocx_read_file(path, 1 << 20, &buf, &len) == 0 && ocx_json_parse(buf, len, &j, NULL) == 0)
                        cJSON_AddItemToArray(arr, j);
                free(buf);
        }
        return arr;
}

static bool can_use(void *ud, const char *user, const char *const *groups, const char *scc, const char *ns) {
        const cJSON *grant = ud, *e;
        (void)user;
        (void)groups;
        (void)ns;
        cJSON_ArrayForEach(e, grant) {
                if (cJSON_IsString(e) && strcmp(e->valuestring, scc) == 0) return true;
        }
        return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        cJSON *in = NULL;
        if (ocx_json_parse((const char *)data, size, &in, NULL) < 0) return 0;
        if (!defaults) defaults = load_defaults();
        const cJSON *sccs = ocx_json_get(in, "sccs");
        if (!sccs) sccs = defaults;

        /* object validation and defaulting of every SCC */
        const cJSON *o;
        cJSON_ArrayForEach(o, sccs) {
                scc_errlist errs = SCC_ERRLIST_INIT;
                scc_object_validate(o, &errs);
                char *a = scc_errlist_aggregate(&errs), *r = scc_errlist_raw(&errs);
                free(a);
                free(r);
                scc_errlist_release(&errs);
                cJSON *copy = cJSON_Duplicate(o, true);
                scc_object_set_defaults(copy);
                ocx_error *e = NULL;
                scc_object_check(copy, &e);
                ocx_error_free(e);
                cJSON_Delete(copy);
        }
        /* annotation parsers */
        const cJSON *ns = ocx_json_get(in, "ns"), *a;
        cJSON_ArrayForEach(a, ns) {
                if (!cJSON_IsString(a)) continue;
                scc_block b;
                scc_block *bl = NULL;
                size_t n = 0;
                uint64_t rank;
                ocx_error *e = NULL;
                if (scc_block_parse(a->valuestring, &b, &e) == 0) free(scc_block_format(b));
                e = ocx_error_free(e);
                if (scc_blocks_parse(a->valuestring, &bl, &n, &e) == 0) free(bl);
                e = ocx_error_free(e);
                scc_mcs_rank(a->valuestring, &rank, &e);
                ocx_error_free(e);
        }
        /* admission, both phases */
        const char *op = ocx_json_get_str(in, "op");
        const cJSON *groups = ocx_json_get(in, "groups"), *g;
        const char *gv[17] = {0};
        size_t ng = 0;
        cJSON_ArrayForEach(g, groups) {
                if (cJSON_IsString(g) && ng < 16) gv[ng++] = g->valuestring;
        }
        scc_request req = {
                .op = ocx_streq(op, "update") ? SCC_OP_UPDATE : SCC_OP_CREATE,
                .subresource = ocx_json_get_str(in, "sub"),
                .pod = ocx_json_get(in, "pod"),
                .old_pod = ocx_json_get(in, "old"),
                .user = ocx_json_get_str(in, "user"),
                .groups = gv,
                .ns = "fuzz",
                .ns_annotations = ns,
                .can_use = can_use,
                .userdata = ocx_json_get(in, "grant"),
        };
        scc_set *set = NULL;
        if (scc_set_new(sccs, &set, NULL) == 0) {
                scc_decision d;
                ocx_error *e = NULL;
                if (scc_admit(set, &req, &d, &e) == 0 && d.pod) {
                        /* the admitted pod must validate in the second phase */
                        scc_request v = req;
                        v.pod = d.pod;
                        scc_decision d2;
                        ocx_error *e2 = NULL;
                        if (scc_validate(set, &v, &d2, &e2) == 0) scc_decision_release(&d2);
                        ocx_error_free(e2);
                        scc_decision_release(&d);
                }
                ocx_error_free(e);
                scc_set_check_standard(set, NULL);
                scc_set_free(set);
        }
        cJSON_Delete(in);
        return 0;
}
