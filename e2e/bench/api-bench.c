/* ocxd API benchmark: prints latency and memory figures. Not part of the
 * pass/fail suite. Usage (see api.sh):
 *   api-bench SERVER CA CERT KEY PID MODE
 * MODE: latency | list | objects N | watchers N */
#define _GNU_SOURCE
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *server, *ca, *cert, *key;
static int pid;

static double now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static long rss_kib(void) {
        char path[64], line[256];
        snprintf(path, sizeof(path), "/proc/%d/status", pid);
        FILE *f = fopen(path, "r");
        long v = -1;
        while (f && fgets(line, sizeof(line), f))
                if (strncmp(line, "VmRSS:", 6) == 0) v = strtol(line + 6, NULL, 10);
        if (f) fclose(f);
        return v;
}

static size_t sink(void *p, size_t s, size_t n, void *ud) {
        (void)p;
        size_t *total = ud;
        if (total) *total += s * n;
        return s * n;
}

static CURL *handle(void) {
        CURL *c = curl_easy_init();
        curl_easy_setopt(c, CURLOPT_CAINFO, ca);
        curl_easy_setopt(c, CURLOPT_SSLCERT, cert);
        curl_easy_setopt(c, CURLOPT_SSLKEY, key);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, NULL);
        return c;
}

static long request(CURL *c, const char *method, const char *path, const char *body) {
        char url[512];
        snprintf(url, sizeof(url), "%s%s", server, path);
        struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
        if (body) curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        else curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
        long code = 0;
        if (curl_easy_perform(c) == CURLE_OK) curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
        curl_slist_free_all(h);
        return code;
}

static int cmp_d(const void *a, const void *b) {
        double x = *(const double *)a, y = *(const double *)b;
        return x < y ? -1 : x > y;
}

static void report(const char *what, double *v, int n) {
        qsort(v, (size_t)n, sizeof(double), cmp_d);
        printf("%-34s n=%-6d p50=%.2f ms  p99=%.2f ms  max=%.2f ms\n", what, n, v[n / 2], v[(int)(n * 0.99)], v[n - 1]);
}

static pthread_barrier_t phase;

typedef struct job {
        int id, n;
        const char *ns;
        double *create_ms, *get_ms;
        int errors;
} job;

static void *worker(void *arg) {
        job *j = arg;
        CURL *c = handle();
        char path[256], body[256];
        snprintf(path, sizeof(path), "/api/v1/namespaces/%s/configmaps", j->ns);
        for (int i = 0; i < j->n; i++) {
                snprintf(body, sizeof(body), "{\"metadata\":{\"name\":\"b%d-%d\"},\"data\":{\"k\":\"v\"}}", j->id, i);
                double t0 = now_ms();
                if (request(c, "POST", path, body) != 201) j->errors++;
                if (j->create_ms) j->create_ms[i] = now_ms() - t0;
        }
        if (j->get_ms) pthread_barrier_wait(&phase); /* all creates done before gets start */
        for (int i = 0; j->get_ms && i < j->n; i++) {
                snprintf(path, sizeof(path), "/api/v1/namespaces/%s/configmaps/b%d-%d", j->ns, j->id, i);
                double t0 = now_ms();
                if (request(c, "GET", path, NULL) != 200) j->errors++;
                j->get_ms[i] = now_ms() - t0;
        }
        curl_easy_cleanup(c);
        return NULL;
}

static void ensure_ns(const char *ns) {
        CURL *c = handle();
        char body[128];
        snprintf(body, sizeof(body), "{\"metadata\":{\"name\":\"%s\"}}", ns);
        request(c, "POST", "/api/v1/namespaces", body);
        curl_easy_cleanup(c);
}

static int load(const char *ns, int clients, int per, double *cms, double *gms) {
        pthread_t t[256];
        job jobs[256];
        ensure_ns(ns);
        pthread_barrier_init(&phase, NULL, (unsigned)clients);
        for (int i = 0; i < clients; i++) {
                jobs[i] = (job){i, per, ns, cms ? cms + i * per : NULL, gms ? gms + i * per : NULL, 0};
                pthread_create(&t[i], NULL, worker, &jobs[i]);
        }
        int errors = 0;
        for (int i = 0; i < clients; i++) {
                pthread_join(t[i], NULL);
                errors += jobs[i].errors;
        }
        pthread_barrier_destroy(&phase);
        return errors;
}

static void mode_latency(void) {
        int clients = 50, per = 100;
        double *c = calloc((size_t)(clients * per), sizeof(double)), *g = calloc((size_t)(clients * per), sizeof(double));
        double t0 = now_ms();
        int errors = load("bench-latency", clients, per, c, g);
        double secs = (now_ms() - t0) / 1e3;
        report("create (50 concurrent clients)", c, clients * per);
        report("get (50 concurrent clients)", g, clients * per);
        printf("%-34s %d requests in %.1f s, %d errors\n", "throughput", 2 * clients * per, secs, errors);
}

static void mode_list(void) {
        load("bench-list", 50, 200, NULL, NULL);
        CURL *c = handle();
        size_t bytes = 0;
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &bytes);
        double v[7];
        for (int i = 0; i < 7; i++) {
                bytes = 0;
                double t0 = now_ms();
                request(c, "GET", "/api/v1/namespaces/bench-list/configmaps", NULL);
                v[i] = now_ms() - t0;
        }
        report("list of 10 000 configmaps", v, 7);
        printf("%-34s %zu bytes\n", "list body size", bytes);
        curl_easy_cleanup(c);
}

static void mode_objects(int n) {
        long before = rss_kib();
        int clients = 50;
        double t0 = now_ms();
        int errors = load("bench-objects", clients, n / clients, NULL, NULL);
        printf("%-34s %d objects in %.1f s (%d errors)\n", "created", n, (now_ms() - t0) / 1e3, errors);
        printf("%-34s before %ld KiB, after %ld KiB\n", "ocxd RSS", before, rss_kib());
}

typedef struct watcher {
        double got_ms;
        size_t bytes;
} watcher;

static size_t watch_sink(void *p, size_t s, size_t n, void *ud) {
        watcher *w = ud;
        if (memmem(p, s * n, "bench-event", 11) && w->got_ms == 0) w->got_ms = now_ms();
        w->bytes += s * n;
        return s * n;
}

static void mode_watchers(int n) {
        ensure_ns("bench-watch");
        long before = rss_kib();
        CURLM *m = curl_multi_init();
        curl_multi_setopt(m, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)n + 10);
        watcher *ws = calloc((size_t)n, sizeof(watcher));
        CURL **hs = calloc((size_t)n, sizeof(CURL *));
        char url[512];
        snprintf(url, sizeof(url), "%s/api/v1/namespaces/bench-watch/configmaps?watch=1&resourceVersion=%s", server, "999999999");
        /* start at "now": read the current revision first */
        {
                CURL *c = handle();
                char *buf = NULL;
                size_t len = 0;
                FILE *mem = open_memstream(&buf, &len);
                curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, NULL);
                curl_easy_setopt(c, CURLOPT_WRITEDATA, mem);
                char u[512];
                snprintf(u, sizeof(u), "%s/api/v1/namespaces/bench-watch/configmaps", server);
                curl_easy_setopt(c, CURLOPT_URL, u);
                curl_easy_perform(c);
                fclose(mem);
                char *rv = buf ? strstr(buf, "\"resourceVersion\":\"") : NULL;
                long rev = rv ? strtol(rv + 19, NULL, 10) : 0;
                snprintf(url, sizeof(url), "%s/api/v1/namespaces/bench-watch/configmaps?watch=1&resourceVersion=%ld", server, rev);
                free(buf);
                curl_easy_cleanup(c);
        }
        for (int i = 0; i < n; i++) {
                hs[i] = handle();
                curl_easy_setopt(hs[i], CURLOPT_URL, url);
                curl_easy_setopt(hs[i], CURLOPT_WRITEFUNCTION, watch_sink);
                curl_easy_setopt(hs[i], CURLOPT_WRITEDATA, &ws[i]);
                curl_multi_add_handle(m, hs[i]);
        }
        int running = 1;
        double t_setup = now_ms();
        while (now_ms() - t_setup < 8000) {
                curl_multi_perform(m, &running);
                curl_multi_poll(m, NULL, 0, 50, NULL);
        }
        long after = rss_kib();
        printf("%-34s %d watchers: RSS %ld KiB -> %ld KiB (+%.1f MiB)\n", "idle watchers", n, before, after, (after - before) / 1024.0);
        CURL *c = handle();
        double t0 = now_ms();
        request(c, "POST", "/api/v1/namespaces/bench-watch/configmaps", "{\"metadata\":{\"name\":\"bench-event\"}}");
        curl_easy_cleanup(c);
        int got = 0;
        while (got < n && now_ms() - t0 < 10000) {
                curl_multi_perform(m, &running);
                curl_multi_poll(m, NULL, 0, 5, NULL);
                got = 0;
                for (int i = 0; i < n; i++) got += ws[i].got_ms > 0;
        }
        double *lat = calloc((size_t)n, sizeof(double));
        int k = 0;
        for (int i = 0; i < n; i++)
                if (ws[i].got_ms > 0) lat[k++] = ws[i].got_ms - t0;
        printf("%-34s %d of %d watchers received the event\n", "fan-out", got, n);
        if (k) report("event latency to all watchers", lat, k);
        for (int i = 0; i < n; i++) {
                curl_multi_remove_handle(m, hs[i]);
                curl_easy_cleanup(hs[i]);
        }
        curl_multi_cleanup(m);
}

int main(int argc, char **argv) {
        if (argc < 7) {
                fprintf(stderr, "usage: api-bench SERVER CA CERT KEY PID latency|list|objects N|watchers N\n");
                return 2;
        }
        server = argv[1];
        ca = argv[2];
        cert = argv[3];
        key = argv[4];
        pid = atoi(argv[5]);
        curl_global_init(CURL_GLOBAL_ALL);
        const char *mode = argv[6];
        int n = argc > 7 ? atoi(argv[7]) : 0;
        if (!strcmp(mode, "latency")) mode_latency();
        else if (!strcmp(mode, "list")) mode_list();
        else if (!strcmp(mode, "objects")) mode_objects(n ? n : 100000);
        else if (!strcmp(mode, "watchers")) mode_watchers(n ? n : 1000);
        printf("%-34s %ld KiB\n", "ocxd RSS now", rss_kib());
        return 0;
}
