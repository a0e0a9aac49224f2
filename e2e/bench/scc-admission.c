/* SCC admission benchmark. Prints figures; never part of the pass/fail suite.
 *
 *   scc-admission engine POLICY_DIR [N]
 *       scc_admit() decisions per second on one core (thread CPU time) with
 *       the default SCCs of POLICY_DIR and a typical pod (the accept path
 *       under restricted-v2), plus the refusal path that walks every SCC.
 *   scc-admission api SERVER CA CERT KEY [CLIENTS] [PER_CLIENT]
 *       pod create through the whole API (TLS, authn, SCC admission, store)
 *       at CLIENTS concurrent clients; pods carry spec.nodeName "elsewhere"
 *       so the node never runs them. p50/p99/max latency.
 * See scc.sh. */
#include <curl/curl.h>
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "ocx/json.h"
#include "scc/admission.h"

static const char *const typical_pod =
    "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"localstack-1-abcde\",\"namespace\":\"test\","
    "\"labels\":{\"app\":\"localstack\",\"deploymentconfig\":\"localstack\"}},"
    "\"spec\":{\"serviceAccountName\":\"default\",\"volumes\":[{\"name\":\"data\",\"emptyDir\":{}}],"
    "\"containers\":[{\"name\":\"localstack\",\"image\":\"172.30.1.1:5000/test/localstack-lite@sha256:0123\","
    "\"ports\":[{\"containerPort\":4568,\"protocol\":\"TCP\"},{\"containerPort\":8080,\"protocol\":\"TCP\"}],"
    "\"env\":[{\"name\":\"SERVICES\",\"value\":\"kinesis\"}],"
    "\"volumeMounts\":[{\"name\":\"data\",\"mountPath\":\"/tmp/data\"}]}]}}";

static cJSON *parse(const char *s) {
        cJSON *j = NULL;
        ocx_error *e = NULL;
        if (ocx_json_parse(s, strlen(s), &j, &e) < 0) {
                fprintf(stderr, "bad JSON: %s\n", e->message);
                exit(1);
        }
        return j;
}

static cJSON *load_sccs(const char *dir) {
        cJSON *arr = cJSON_CreateArray();
        DIR *d = opendir(dir);
        if (!d) {
                perror(dir);
                exit(1);
        }
        struct dirent *de;
        while ((de = readdir(d))) {
                size_t l = strlen(de->d_name);
                if (l < 6 || strcmp(de->d_name + l - 5, ".json") != 0) continue;
                char path[4096], *data = NULL;
                size_t len = 0;
                snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
                if (ocx_read_file(path, 1 << 20, &data, &len) < 0) continue;
                cJSON *j = NULL;
                if (ocx_json_parse(data, len, &j, NULL) == 0) cJSON_AddItemToArray(arr, j);
                free(data);
        }
        closedir(d);
        return arr;
}

static bool grant_v2(void *ud, const char *user, const char *const *groups, const char *scc, const char *ns) {
        (void)ud, (void)user, (void)groups, (void)ns;
        return strcmp(scc, "restricted-v2") == 0;
}

static double cpu_s(void) {
        struct timespec t;
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
        return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int mode_engine(const char *dir, long n) {
        cJSON *sccs = load_sccs(dir), *pod = parse(typical_pod);
        cJSON *ns = parse("{\"openshift.io/sa.scc.uid-range\":\"1000660000/10000\",\"openshift.io/sa.scc.mcs\":"
                          "\"s0:c26,c5\",\"openshift.io/sa.scc.supplemental-groups\":\"1000660000/10000\"}");
        static const char *const groups[] = {"system:authenticated:oauth", "system:authenticated", NULL};
        scc_request r = {.op = SCC_OP_CREATE,
                         .pod = pod,
                         .user = "developer",
                         .groups = groups,
                         .ns = "test",
                         .ns_annotations = ns,
                         .can_use = grant_v2};
        scc_set *set = NULL;
        if (scc_set_new(sccs, &set, NULL) < 0) return 1;
        scc_decision d;
        ocx_error *e = NULL;
        if (scc_admit(set, &r, &d, &e) < 0) {
                fprintf(stderr, "typical pod refused: %s\n", e->message);
                return 1;
        }
        printf("typical pod admitted by %s (%zu SCCs loaded)\n", d.scc, scc_set_size(set));
        scc_decision_release(&d);
        for (int round = 0; round < 3; round++) {
                double t0 = cpu_s();
                for (long i = 0; i < n; i++) {
                        scc_admit(set, &r, &d, NULL);
                        scc_decision_release(&d);
                }
                double s = cpu_s() - t0;
                printf("accept (restricted-v2):      %ld decisions in %.3f s CPU = %.0f decisions/s\n", n, s,
                       (double)n / s);
        }
        cJSON *bad =
            parse("{\"metadata\":{\"name\":\"x\"},\"spec\":{\"hostPID\":true,\"containers\":[{\"name\":\"a\"}]}}");
        r.pod = bad;
        long nb = n / 10;
        double t0 = cpu_s();
        for (long i = 0; i < nb; i++) {
                ocx_error *err = NULL;
                scc_admit(set, &r, &d, &err);
                ocx_error_free(err);
        }
        double s = cpu_s() - t0;
        printf("refusal (walks all SCCs):    %ld decisions in %.3f s CPU = %.0f decisions/s\n", nb, s, (double)nb / s);
        scc_set_free(set);
        cJSON_Delete(bad);
        cJSON_Delete(sccs);
        cJSON_Delete(pod);
        cJSON_Delete(ns);
        return 0;
}

/* ---- through the API ---- */

static const char *server, *ca, *cert, *key;

static double now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static size_t sink(void *p, size_t s, size_t n, void *ud) {
        (void)p, (void)ud;
        return s * n;
}

static long post(CURL *c, const char *path, const char *body) {
        char url[512];
        snprintf(url, sizeof(url), "%s%s", server, path);
        struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        long code = 0;
        if (curl_easy_perform(c) == CURLE_OK) curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
        curl_slist_free_all(h);
        return code;
}

static CURL *handle(void) {
        CURL *c = curl_easy_init();
        curl_easy_setopt(c, CURLOPT_CAINFO, ca);
        curl_easy_setopt(c, CURLOPT_SSLCERT, cert);
        curl_easy_setopt(c, CURLOPT_SSLKEY, key);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
        return c;
}

static long run_id; /* pod names are unique per run */

typedef struct job {
        int id, n, errors;
        double *ms;
} job;

static void *worker(void *arg) {
        job *j = arg;
        CURL *c = handle();
        char body[1024];
        for (int i = 0; i < j->n; i++) {
                snprintf(body, sizeof(body),
                         "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p%ld-%d-%d\",\"labels\":{"
                         "\"app\":\"bench\"}},"
                         "\"spec\":{\"nodeName\":\"elsewhere\",\"volumes\":[{\"name\":\"data\",\"emptyDir\":{}}],"
                         "\"containers\":[{\"name\":\"app\",\"image\":\"registry.example/app:1\","
                         "\"ports\":[{\"containerPort\":8080}],\"volumeMounts\":[{\"name\":\"data\",\"mountPath\":\"/"
                         "data\"}]}]}}",
                         run_id, j->id, i);
                double t0 = now_ms();
                if (post(c, "/api/v1/namespaces/bench-scc/pods", body) != 201) j->errors++;
                j->ms[i] = now_ms() - t0;
        }
        curl_easy_cleanup(c);
        return NULL;
}

static int cmp_d(const void *a, const void *b) {
        double x = *(const double *)a, y = *(const double *)b;
        return x < y ? -1 : x > y;
}

static int mode_api(int clients, int per) {
        curl_global_init(CURL_GLOBAL_ALL);
        run_id = (long)time(NULL) % 100000;
        CURL *c = handle();
        post(c, "/api/v1/namespaces", "{\"metadata\":{\"name\":\"bench-scc\"}}");
        curl_easy_cleanup(c);
        pthread_t *t = calloc((size_t)clients, sizeof(pthread_t));
        job *jobs = calloc((size_t)clients, sizeof(job));
        double *ms = calloc((size_t)clients * (size_t)per, sizeof(double));
        double t0 = now_ms();
        for (int i = 0; i < clients; i++) {
                jobs[i] = (job){.id = i, .n = per, .ms = ms + (size_t)i * (size_t)per};
                pthread_create(&t[i], NULL, worker, &jobs[i]);
        }
        int errors = 0;
        for (int i = 0; i < clients; i++) {
                pthread_join(t[i], NULL);
                errors += jobs[i].errors;
        }
        double secs = (now_ms() - t0) / 1e3;
        int n = clients * per;
        qsort(ms, (size_t)n, sizeof(double), cmp_d);
        printf("pod create, %d clients: n=%d p50=%.2f ms p99=%.2f ms max=%.2f ms; %.0f pods/s, %d errors\n", clients, n,
               ms[n / 2], ms[(int)(n * 0.99)], ms[n - 1], n / secs, errors);
        free(t);
        free(jobs);
        free(ms);
        return errors ? 1 : 0;
}

int main(int argc, char **argv) {
        if (argc >= 3 && strcmp(argv[1], "engine") == 0) return mode_engine(argv[2], argc > 3 ? atol(argv[3]) : 200000);
        if (argc >= 6 && strcmp(argv[1], "api") == 0) {
                server = argv[2], ca = argv[3], cert = argv[4], key = argv[5];
                return mode_api(argc > 6 ? atoi(argv[6]) : 50, argc > 7 ? atoi(argv[7]) : 40);
        }
        fprintf(stderr, "usage: scc-admission engine POLICY_DIR [N] | api SERVER CA CERT KEY [CLIENTS] [PER]\n");
        return 2;
}
