/* Shared helpers for the scc unit tests (header only; each test includes it once). */
#pragma once
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "ocx/buf.h"
#include "ocx/json.h"
#include "scc/admission.h"
#include "scc/errlist.h"

/* Parses JSON written with single quotes (no string in the tests needs one). */
static inline cJSON *J(const char *s) {
        char *d = ocx_xstrdup(s);
        for (char *p = d; *p; p++)
                if (*p == '\'') *p = '"';
        cJSON *j = NULL;
        ocx_error *e = NULL;
        if (ocx_json_parse(d, strlen(d), &j, &e) < 0) {
                fprintf(stderr, "bad test JSON: %s\n%s\n", e->message, d);
                fail();
        }
        free(d);
        return j;
}

static inline cJSON *Jf(char *s) {
        cJSON *j = J(s);
        free(s);
        return j;
}

static const char *const default_scc_names[] = {
        "anyuid", "hostaccess", "hostmount-anyuid", "hostmount-anyuid-v2", "hostnetwork", "hostnetwork-v2", "nonroot",
        "nonroot-v2", "privileged", "restricted", "restricted-v2", "restricted-v3", "nested-container",
};

/* The default SCCs from policies/scc/ (tests run with cwd = repo root). */
static inline cJSON *load_default_sccs(void) {
        cJSON *arr = cJSON_CreateArray();
        for (size_t i = 0; i < sizeof(default_scc_names) / sizeof(default_scc_names[0]); i++) {
                char path[256], *data = NULL;
                size_t len = 0;
                snprintf(path, sizeof(path), "policies/scc/%s.json", default_scc_names[i]);
                assert_int_equal(ocx_read_file(path, 1 << 20, &data, &len), 0);
                cJSON *j = NULL;
                assert_int_equal(ocx_json_parse(data, len, &j, NULL), 0);
                free(data);
                cJSON_AddItemToArray(arr, j);
        }
        return arr;
}

static inline cJSON *find_scc(cJSON *arr, const char *name) {
        cJSON *e;
        cJSON_ArrayForEach(e, arr) {
                if (ocx_streq(ocx_json_path_str(e, "metadata.name"), name)) return e;
        }
        return NULL;
}

/* Namespace annotations of the worked examples (spec 3.14). */
static inline cJSON *ns66(void) {
        return J("{'openshift.io/sa.scc.uid-range':'1000660000/10000','openshift.io/sa.scc.mcs':'s0:c26,c5',"
                 "'openshift.io/sa.scc.supplemental-groups':'1000660000/10000'}");
}

/* Authorizer stub: grants "use" on the SCC names in a NULL-terminated list,
 * optionally only to one user and/or in one namespace. */
typedef struct grant {
        const char *const *sccs;
        const char *only_user;
        const char *only_ns;
        int calls;
} grant;

static inline bool grant_can_use(void *ud, const char *user, const char *const *groups, const char *scc,
                                 const char *ns) {
        grant *g = ud;
        (void)groups;
        g->calls++;
        if (g->only_user && strcmp(g->only_user, user) != 0) return false;
        if (g->only_ns && strcmp(g->only_ns, ns) != 0) return false;
        for (size_t i = 0; g->sccs && g->sccs[i]; i++)
                if (strcmp(g->sccs[i], scc) == 0) return true;
        return false;
}

static const char *const developer_groups[] = {"system:authenticated:oauth", "developers", NULL};

static inline scc_request req_for(const cJSON *pod, const cJSON *ns, grant *g) {
        return (scc_request){
                .op = SCC_OP_CREATE,
                .pod = pod,
                .user = "developer",
                .groups = developer_groups,
                .ns = "test",
                .ns_annotations = ns,
                .can_use = g ? grant_can_use : NULL,
                .userdata = g,
        };
}

/* Admits and returns 0/-errno; *msg gets the error message (caller frees). */
static inline int admit_msg(const cJSON *sccs, const scc_request *r, scc_decision *d, char **msg) {
        ocx_error *e = NULL;
        int rc = scc_admit_json(sccs, r, d, &e);
        *msg = e ? ocx_xstrdup(e->message) : NULL;
        ocx_error_free(e);
        return rc;
}

static inline const char *jstr(const cJSON *o, const char *dotted) { return ocx_json_path_str(o, dotted); }
static inline int64_t jint(const cJSON *o, const char *dotted) {
        int64_t v = -424242;
        ocx_json_int(ocx_json_path(o, dotted), INT64_MIN, INT64_MAX, &v);
        return v;
}
static inline const cJSON *ctr(const cJSON *pod, const char *list, int i) {
        return cJSON_GetArrayItem(ocx_json_get(ocx_json_get(pod, "spec"), list), i);
}

/* ---- admission (test-scc-admission.c, test-scc-admission-upstream.c) ---- */

static const char *const only_v2[] = {"restricted-v2", NULL};

/* Admits pod under the default SCCs with the given grants; returns rc. */
static inline int admit_default(const char *pod_json, const char *const *sccs_granted, scc_decision *d, char **msg) {
        cJSON *sccs = load_default_sccs(), *pod = J(pod_json), *ns = ns66();
        grant g = {.sccs = sccs_granted};
        scc_request r = req_for(pod, ns, &g);
        int rc = admit_msg(sccs, &r, d, msg);
        cJSON_Delete(sccs);
        cJSON_Delete(pod);
        cJSON_Delete(ns);
        return rc;
}

static const char *const APP = "{'metadata':{'name':'app'},'spec':{'containers':[{'name':'app','image':'x'}]}}";

/* Admits pod_json for "developer" under sccs, without an authorizer; returns rc. */
static inline int run(cJSON *sccs, const char *pod_json, const cJSON *ns, scc_decision *d, char **msg) {
        cJSON *pod = J(pod_json);
        scc_request r = req_for(pod, ns, NULL);
        int rc = admit_msg(sccs, &r, d, msg);
        cJSON_Delete(pod);
        return rc;
}
