/* RBAC decision time: the bootstrap policy plus N bindings (default 200:
 * three quarters RoleBindings spread over 40 namespaces, one quarter
 * ClusterRoleBindings to groups), decisions timed one by one.
 * Usage: authz-bench [BINDINGS] [DECISIONS] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "ocx/json.h"
#include "policies/data.h"
#include "policies/rbac.h"

static double now_ns(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp(const void *a, const void *b) {
        double x = *(const double *)a, y = *(const double *)b;
        return x < y ? -1 : x > y;
}

static void put(pol_rbac *p, const char *json) {
        cJSON *j = NULL;
        if (ocx_json_parse(json, strlen(json), &j, NULL) < 0 || pol_rbac_put_json(p, j, NULL) < 0) {
                fprintf(stderr, "bad object: %s\n", json);
                exit(1);
        }
        cJSON_Delete(j);
}

static void report(const char *what, double *t, size_t n) {
        qsort(t, n, sizeof(double), cmp);
        printf("%-44s median %7.0f ns   p99 %7.0f ns   max %8.0f ns\n", what, t[n / 2], t[n * 99 / 100], t[n - 1]);
}

int main(int argc, char **argv) {
        int nb = argc > 1 ? atoi(argv[1]) : 200;
        size_t nd = argc > 2 ? (size_t)atol(argv[2]) : 200000;
        pol_rbac *p = pol_rbac_new();
        for (size_t i = 0; i < pol_files_n; i++) {
                if (strncmp(pol_files[i].name, "rbac/", 5) != 0) continue;
                cJSON *doc = NULL;
                ocx_json_parse(pol_files[i].data, pol_files[i].len, &doc, NULL);
                const cJSON *it;
                cJSON_ArrayForEach(it, ocx_json_get(doc, "items")) pol_rbac_put_json(p, it, NULL);
                cJSON_Delete(doc);
        }
        size_t boot = pol_rbac_n_bindings(p);
        static const char *const roles[] = {"view", "edit", "admin", "system:image-puller"};
        char buf[512];
        for (int i = 0; i < nb; i++) {
                if (i % 4 == 3)
                        snprintf(buf, sizeof(buf),
                                 "{\"kind\":\"ClusterRoleBinding\",\"metadata\":{\"name\":\"crb%d\"},\"roleRef\":{\"kind\":\"ClusterRole\","
                                 "\"name\":\"%s\"},\"subjects\":[{\"kind\":\"Group\",\"name\":\"team%d\"}]}",
                                 i, roles[i % 3], i);
                else
                        snprintf(buf, sizeof(buf),
                                 "{\"kind\":\"RoleBinding\",\"metadata\":{\"name\":\"rb%d\",\"namespace\":\"ns%d\"},\"roleRef\":{\"kind\":"
                                 "\"ClusterRole\",\"name\":\"%s\"},\"subjects\":[{\"kind\":\"User\",\"name\":\"user%d\"},{\"kind\":"
                                 "\"ServiceAccount\",\"name\":\"default\",\"namespace\":\"ns%d\"}]}",
                                 i, i % 40, roles[i % 4], i, i % 40);
                put(p, buf);
        }
        printf("policy: %zu roles, %zu bindings (%zu bootstrap + %d added); %zu decisions per case\n", pol_rbac_n_roles(p),
               pol_rbac_n_bindings(p), boot, nb, nd);
        double *t = malloc(nd * sizeof(double));
        static const char *const authn[] = {"system:authenticated", "system:authenticated:oauth", NULL};
        char user[32], ns[32];
        volatile size_t allowed = 0;
        /* 1: allowed through a RoleBinding (user i in namespace i % 40) */
        for (size_t k = 0; k < nd; k++) {
                int i = (int)(k % (size_t)nb);
                if (i % 4 == 3) i--;
                snprintf(user, sizeof(user), "user%d", i);
                snprintf(ns, sizeof(ns), "ns%d", i % 40);
                pol_user u = {user, authn};
                pol_attrs a = {.verb = "get", .group = "", .resource = "configmaps", .ns = ns, .name = "c"};
                double t0 = now_ns();
                allowed += pol_rbac_allows(p, &u, &a, NULL);
                t[k] = now_ns() - t0;
        }
        report("allowed (RoleBinding, get configmaps)", t, nd);
        /* 2: denied: a full scan of every binding */
        for (size_t k = 0; k < nd; k++) {
                snprintf(user, sizeof(user), "nobody%zu", k % 100);
                pol_user u = {user, authn};
                pol_attrs a = {.verb = "delete", .group = "", .resource = "secrets", .ns = "ns7", .name = "s"};
                double t0 = now_ns();
                allowed += pol_rbac_allows(p, &u, &a, NULL);
                t[k] = now_ns() - t0;
        }
        report("denied (full scan, delete secrets)", t, nd);
        /* 3: SCC use as the admission asks (restricted via system:authenticated) */
        for (size_t k = 0; k < nd; k++) {
                snprintf(user, sizeof(user), "user%zu", k % 200);
                pol_user u = {user, authn};
                pol_attrs a = {.verb = "use", .group = "security.openshift.io", .resource = "securitycontextconstraints",
                               .ns = "ns3", .name = k % 2 ? "restricted" : "anyuid"};
                double t0 = now_ns();
                allowed += pol_rbac_allows(p, &u, &a, NULL);
                t[k] = now_ns() - t0;
        }
        report("scc use (restricted yes / anyuid no)", t, nd);
        /* 4: discovery (non-resource URL) */
        for (size_t k = 0; k < nd; k++) {
                pol_user u = {"developer", authn};
                pol_attrs a = {.verb = "get", .path = "/apis/route.openshift.io/v1"};
                double t0 = now_ns();
                allowed += pol_rbac_allows(p, &u, &a, NULL);
                t[k] = now_ns() - t0;
        }
        report("discovery GET /apis/... (ClusterRoleBinding)", t, nd);
        /* 5: denial text */
        for (size_t k = 0; k < nd / 10; k++) {
                pol_user u = {"developer", authn};
                pol_attrs a = {.verb = "list", .group = "", .resource = "pods", .ns = "default"};
                double t0 = now_ns();
                char *s = pol_deny_reason(&u, &a);
                t[k] = now_ns() - t0;
                free(s);
        }
        report("deny reason text", t, nd / 10);
        printf("(allowed total %zu)\n", (size_t)allowed);
        free(t);
        pol_rbac_free(p);
        return 0;
}
