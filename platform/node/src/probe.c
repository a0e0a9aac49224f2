/* ocxd node: container probes (see node/probe.h). */
#include "node/probe.h"
#include <arpa/inet.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include "node/cgroup.h"
#include "node/events.h"
#include "ocx/json.h"
#include "ocx/log.h"
#include "ocx/timefmt.h"
#include "ocx/banned.h"

#define OUT_MAX 1024 /* probe output kept for the event message */
#define MAX_ARGS 256

enum { K_STARTUP, K_LIVENESS, K_READINESS, K_N };
static const char *const kind_key[K_N] = {"startupProbe", "livenessProbe", "readinessProbe"};
static const char *const kind_word[K_N] = {"Startup", "Liveness", "Readiness"};

typedef struct probe_run {
        probe_spec spec;
        bool defined;
        int64_t next_ms;
        int successes, failures;
        bool result; /* settled outcome (thresholds applied) */
        /* an attempt in flight */
        bool busy;
        int64_t deadline_ms;
        pid_t pid; /* exec */
        int outfd;
        char out[OUT_MAX];
        size_t outlen;
        CURL *easy; /* http */
        struct curl_slist *hdrs;
        bool curl_done;
        CURLcode curl_result;
        char url[512];
        int sock; /* tcp */
        char target[64];
} probe_run;

typedef struct probe_ctr {
        char *name;
        pid_t pid;    /* the instance being probed */
        bool started; /* startup probe passed (or none) */
        bool ready;   /* readiness passed (or none) */
        bool killing;
        int64_t kill_at_ms; /* SIGKILL after the grace period */
        time_t backoff_for; /* finished_at a BackOff event was recorded for */
        probe_run k[K_N];
} probe_ctr;

typedef struct probe_pod {
        char *uid;
        size_t n;
        probe_ctr *c;
        int ready; /* -1 unknown; else the last Ready condition */
        char ready_since[32];
        struct probe_pod *next;
} probe_pod;

static struct {
        probe_pod *pods;
        CURLM *multi;
        char exe[PATH_MAX];
} P;

static int64_t now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- spec ------------------------------------------------------------------ */

static int get_int(const cJSON *o, const char *key, int dflt, int min, int max) {
        int64_t v;
        if (ocx_json_int(ocx_json_get(o, key), INT32_MIN, INT32_MAX, &v) < 0) return dflt;
        return v < min ? min : v > max ? max : (int)v;
}

static int resolve_port(const cJSON *port, const cJSON *ctr_spec, int *ret) {
        int64_t v;
        if (cJSON_IsNumber(port)) {
                if (ocx_json_int(port, 1, 65535, &v) < 0) return -EINVAL;
                *ret = (int)v;
                return 0;
        }
        if (!cJSON_IsString(port)) return -EINVAL;
        const char *name = port->valuestring;
        char *end;
        long n = strtol(name, &end, 10);
        if (*name && !*end) {
                if (n < 1 || n > 65535) return -EINVAL;
                *ret = (int)n;
                return 0;
        }
        const cJSON *p;
        cJSON_ArrayForEach(p, ocx_json_get(ctr_spec, "ports")) {
                if (ocx_streq(ocx_json_get_str(p, "name"), name) &&
                    ocx_json_int(ocx_json_get(p, "containerPort"), 1, 65535, &v) == 0) {
                        *ret = (int)v;
                        return 0;
                }
        }
        return -ENOENT;
}

void probe_spec_release(probe_spec *s) {
        for (size_t i = 0; s->command && s->command[i]; i++) free(s->command[i]);
        for (size_t i = 0; s->headers && s->headers[i]; i++) free(s->headers[i]);
        free(s->command);
        free(s->headers);
        free(s->scheme);
        free(s->host);
        free(s->path);
        memset(s, 0, sizeof(*s));
}

static bool header_ok(const char *s) {
        for (; *s; s++)
                if (*s == '\r' || *s == '\n') return false;
        return true;
}

int probe_spec_parse(const cJSON *probe, const cJSON *ctr_spec, probe_spec *ret, ocx_error **reterr) {
        memset(ret, 0, sizeof(*ret));
        ret->initial_delay_s = get_int(probe, "initialDelaySeconds", 0, 0, 86400);
        ret->period_s = get_int(probe, "periodSeconds", 10, 1, 86400);
        ret->timeout_s = get_int(probe, "timeoutSeconds", 1, 1, 86400);
        ret->success_threshold = get_int(probe, "successThreshold", 1, 1, 1000);
        ret->failure_threshold = get_int(probe, "failureThreshold", 3, 1, 1000);
        int64_t g;
        ret->grace_s = ocx_json_int(ocx_json_get(probe, "terminationGracePeriodSeconds"), 0, 86400, &g) == 0 ? g : -1;
        const cJSON *ex = ocx_json_get(probe, "exec"), *hg = ocx_json_get(probe, "httpGet"),
                    *ts = ocx_json_get(probe, "tcpSocket");
        if (ex) {
                const cJSON *cmd = ocx_json_get(ex, "command"), *a;
                int n = cJSON_GetArraySize(cmd);
                if (!cJSON_IsArray(cmd) || n == 0 || n > MAX_ARGS)
                        return ocx_error_set(reterr, EINVAL, "exec.command", "exec probe without a command");
                ret->type = PROBE_EXEC;
                ret->command = ocx_xcalloc((size_t)n + 1, sizeof(char *));
                size_t i = 0;
                cJSON_ArrayForEach(a, cmd) {
                        if (!cJSON_IsString(a)) {
                                probe_spec_release(ret);
                                return ocx_error_set(reterr, EINVAL, "exec.command",
                                                     "exec probe command must be strings");
                        }
                        ret->command[i++] = ocx_xstrdup(a->valuestring);
                }
                return 0;
        }
        const cJSON *h = hg ? hg : ts;
        if (!h) {
                if (ocx_json_get(probe, "grpc"))
                        return ocx_error_set(reterr, EINVAL, "grpc", "grpc probes are not supported");
                return ocx_error_set(reterr, EINVAL, NULL, "probe without a handler (exec, httpGet or tcpSocket)");
        }
        ret->type = hg ? PROBE_HTTP : PROBE_TCP;
        int r = resolve_port(ocx_json_get(h, "port"), ctr_spec, &ret->port);
        if (r < 0) {
                const cJSON *pv = ocx_json_get(h, "port");
                return ocx_error_set(reterr, EINVAL, hg ? "httpGet.port" : "tcpSocket.port", "probe port '%s' %s",
                                     cJSON_IsString(pv) ? pv->valuestring : "?",
                                     r == -ENOENT ? "is not a named port of the container" : "is not valid");
        }
        const char *host = ocx_json_get_str(h, "host");
        if (host && *host) {
                struct in_addr a;
                if (inet_pton(AF_INET, host, &a) != 1) {
                        probe_spec_release(ret);
                        return ocx_error_set(reterr, EINVAL, "host", "probe host '%s' must be an IPv4 address", host);
                }
                ret->host = ocx_xstrdup(host);
        }
        if (hg) {
                const char *scheme = ocx_json_get_str(hg, "scheme");
                ret->scheme = ocx_xstrdup(scheme && !strcasecmp(scheme, "HTTPS") ? "https" : "http");
                const char *path = ocx_json_get_str(hg, "path");
                ret->path = path && *path == '/' ? ocx_xstrdup(path) : ocx_xasprintf("/%s", path ? path : "");
                if (!header_ok(ret->path)) {
                        probe_spec_release(ret);
                        return ocx_error_set(reterr, EINVAL, "httpGet.path", "invalid probe path");
                }
                const cJSON *hh = ocx_json_get(hg, "httpHeaders"), *e;
                int n = cJSON_GetArraySize(hh);
                ret->headers = ocx_xcalloc((size_t)(n > 0 ? n : 0) + 1, sizeof(char *));
                size_t i = 0;
                cJSON_ArrayForEach(e, hh) {
                        const char *k = ocx_json_get_str(e, "name"), *v = ocx_json_get_str(e, "value");
                        if (!k || !*k || !header_ok(k) || (v && !header_ok(v)) || strchr(k, ':') || i >= (size_t)n)
                                continue;
                        ret->headers[i++] = ocx_xasprintf("%s: %s", k, v ? v : "");
                }
        }
        return 0;
}

/* ---- state ------------------------------------------------------------------------ */

static void free_http(probe_run *r);

static void run_cancel(probe_run *r) {
        if (!r->busy) return;
        if (r->pid > 0) {
                kill(-r->pid, SIGKILL);
                kill(r->pid, SIGKILL);
                while (waitpid(r->pid, NULL, 0) < 0 && errno == EINTR) {
                }
        }
        if (r->outfd >= 0) close(r->outfd);
        free_http(r);
        if (r->sock >= 0) close(r->sock);
        r->pid = 0;
        r->outfd = r->sock = -1;
        r->easy = NULL;
        r->busy = false;
}

static void ctr_reset(probe_ctr *c) {
        for (size_t k = 0; k < K_N; k++) {
                run_cancel(&c->k[k]);
                probe_spec_release(&c->k[k].spec);
                memset(&c->k[k], 0, sizeof(c->k[k]));
                c->k[k].outfd = c->k[k].sock = -1;
        }
        c->pid = 0;
        c->started = c->ready = c->killing = false;
}

static void pod_free(probe_pod *pp) {
        for (size_t i = 0; i < pp->n; i++) {
                ctr_reset(&pp->c[i]);
                free(pp->c[i].name);
        }
        free(pp->c);
        free(pp->uid);
        free(pp);
}

static probe_pod *pod_get(const pod_rt *p, bool create) {
        for (probe_pod *pp = P.pods; pp; pp = pp->next)
                if (ocx_streq(pp->uid, p->uid)) return pp;
        if (!create) return NULL;
        probe_pod *pp = ocx_xcalloc(1, sizeof(*pp));
        pp->uid = ocx_xstrdup(p->uid);
        pp->ready = -1;
        pp->n = p->n;
        pp->c = ocx_xcalloc(p->n ? p->n : 1, sizeof(probe_ctr));
        for (size_t i = 0; i < p->n; i++) {
                pp->c[i].name = ocx_xstrdup(p->c[i].name);
                ctr_reset(&pp->c[i]);
        }
        pp->next = P.pods;
        P.pods = pp;
        return pp;
}

void probe_pod_forget(const char *uid) {
        for (probe_pod **pp = &P.pods; *pp; pp = &(*pp)->next)
                if (ocx_streq((*pp)->uid, uid)) {
                        probe_pod *x = *pp;
                        *pp = x->next;
                        pod_free(x);
                        return;
                }
}

void probe_pod_stopping(const pod_rt *p) {
        for (size_t i = 0; i < p->n; i++)
                if (p->c[i].state == CS_RUNNING)
                        ev_pod(p->pod, p->c[i].name, EV_KUBELET, "Normal", "Killing", "Stopping container %s",
                               p->c[i].name);
}

void probe_release_all(void) {
        while (P.pods) {
                probe_pod *x = P.pods;
                P.pods = x->next;
                pod_free(x);
        }
        if (P.multi) curl_multi_cleanup(P.multi);
        P.multi = NULL;
}

static const cJSON *find_spec(const pod_rt *p, const char *name) {
        const cJSON *s;
        cJSON_ArrayForEach(
            s, ocx_json_path(p->pod, "spec.containers")) if (ocx_streq(ocx_json_get_str(s, "name"), name)) return s;
        return NULL;
}

/* ---- attempts ------------------------------------------------------------------------ */

static size_t discard(char *ptr, size_t size, size_t n, void *ud) {
        (void)ptr;
        (void)ud;
        return size * n;
}

static void target_host(const pod_rt *p, const probe_spec *s, char out[16]) {
        if (s->host)
                snprintf(out, 16, "%s", s->host);
        else if (p->host_network || !p->ip)
                snprintf(out, 16, "127.0.0.1");
        else
                net_ip_str(p->ip, out);
}

static int start_exec(node_ctx *x, pod_rt *p, probe_ctr *pc, probe_run *r) {
        if (!P.exe[0]) {
                ssize_t n = readlink("/proc/self/exe", P.exe, sizeof(P.exe) - 1);
                if (n <= 0) return -errno;
                P.exe[n] = 0;
        }
        /* argv and env are built before fork: the child only makes syscalls */
        const char *argv[MAX_ARGS + 16];
        size_t n = 0;
        argv[n++] = "ocxd";
        argv[n++] = "node-exec";
        argv[n++] = "--base-dir";
        argv[n++] = x->base;
        argv[n++] = p->ns;
        argv[n++] = p->name;
        argv[n++] = pc->name;
        argv[n++] = "--";
        for (size_t i = 0; r->spec.command[i] && n < OCX_ARRAY_SIZE(argv) - 1; i++) argv[n++] = r->spec.command[i];
        argv[n] = NULL;
        /* node-exec takes the container's environment from its PID 1; this one is
         * node-exec's own. LeakSanitizer (make asan) cannot stop the world once
         * node-exec has entered the container's pid namespace: keep it off there. */
        static char *const envp[] = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "ASAN_OPTIONS=detect_leaks=0", NULL};
        int fds[4];
        size_t nfd = cg_ctr_open_procs(p->uid, pc->name, fds, OCX_ARRAY_SIZE(fds));
        int pfd[2];
        if (pipe2(pfd, O_CLOEXEC | O_NONBLOCK) < 0) {
                int e = errno;
                for (size_t i = 0; i < nfd; i++) close(fds[i]);
                return -e;
        }
        pid_t pid = fork();
        if (pid < 0) {
                int e = errno;
                for (size_t i = 0; i < nfd; i++) close(fds[i]);
                close(pfd[0]);
                close(pfd[1]);
                return -e;
        }
        if (pid == 0) {
                setpgid(0, 0);
                /* the probe counts against the container's limits */
                for (size_t i = 0; i < nfd; i++)
                        if (write(fds[i], "0", 1) < 0) {
                        }
                int nul = open("/dev/null", O_RDONLY | O_CLOEXEC);
                if (nul >= 0) dup2(nul, 0);
                dup2(pfd[1], 1);
                dup2(pfd[1], 2);
                sigset_t none;
                sigemptyset(&none);
                sigprocmask(SIG_SETMASK, &none, NULL);
                execve("/proc/self/exe", (char *const *)argv, envp);
                _exit(127);
        }
        setpgid(pid, pid);
        for (size_t i = 0; i < nfd; i++) close(fds[i]);
        close(pfd[1]);
        r->pid = pid;
        r->outfd = pfd[0];
        r->outlen = 0;
        r->out[0] = 0;
        return 0;
}

static int start_http(const pod_rt *p, probe_run *r) {
        if (!P.multi) P.multi = curl_multi_init();
        if (!P.multi) return -ENOMEM;
        char host[16];
        target_host(p, &r->spec, host);
        snprintf(r->url, sizeof(r->url), "%s://%s:%d%s", r->spec.scheme, host, r->spec.port, r->spec.path);
        CURL *h = curl_easy_init();
        if (!h) return -ENOMEM;
        curl_easy_setopt(h, CURLOPT_URL, r->url);
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)r->spec.timeout_s * 1000);
        curl_easy_setopt(h, CURLOPT_PROXY, "");
        curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
        curl_easy_setopt(h, CURLOPT_USERAGENT, "kube-probe/1.27");
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
        curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(h, CURLOPT_PRIVATE, r);
        struct curl_slist *hl = NULL;
        for (size_t i = 0; r->spec.headers && r->spec.headers[i]; i++) hl = curl_slist_append(hl, r->spec.headers[i]);
        if (hl) curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
        if (curl_multi_add_handle(P.multi, h) != CURLM_OK) {
                curl_easy_cleanup(h);
                curl_slist_free_all(hl);
                return -EIO;
        }
        r->easy = h;
        r->hdrs = hl; /* must outlive the transfer */
        r->curl_done = false;
        return 0;
}

static void free_http(probe_run *r) {
        if (!r->easy) return;
        curl_multi_remove_handle(P.multi, r->easy);
        curl_easy_cleanup(r->easy);
        curl_slist_free_all(r->hdrs);
        r->easy = NULL;
        r->hdrs = NULL;
}

static int start_tcp(const pod_rt *p, probe_run *r) {
        char host[16];
        target_host(p, &r->spec, host);
        snprintf(r->target, sizeof(r->target), "%s:%d", host, r->spec.port);
        struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)r->spec.port)};
        inet_pton(AF_INET, host, &sa.sin_addr);
        int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (s < 0) return -errno;
        if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0 && errno != EINPROGRESS) {
                int e = errno;
                close(s);
                return -e;
        }
        r->sock = s;
        return 0;
}

/* 1 success, 0 failure (message in msg), -1 still running */
static int poll_attempt(probe_run *r, int64_t now, char *msg, size_t mlen) {
        bool timed_out = now >= r->deadline_ms;
        switch (r->spec.type) {
        case PROBE_EXEC: {
                for (;;) {
                        char tmp[512];
                        ssize_t n = read(r->outfd, tmp, sizeof(tmp));
                        if (n <= 0) break;
                        size_t take = (size_t)n;
                        if (take > sizeof(r->out) - 1 - r->outlen) take = sizeof(r->out) - 1 - r->outlen;
                        memcpy(r->out + r->outlen, tmp, take);
                        r->outlen += take;
                        r->out[r->outlen] = 0;
                }
                int st;
                pid_t w = waitpid(r->pid, &st, WNOHANG);
                if (w == 0 && !timed_out) return -1;
                if (w == 0) {
                        kill(-r->pid, SIGKILL);
                        kill(r->pid, SIGKILL);
                        while (waitpid(r->pid, NULL, 0) < 0 && errno == EINTR) {
                        }
                        r->pid = 0;
                        snprintf(msg, mlen, "command timed out after %ds", r->spec.timeout_s);
                        return 0;
                }
                r->pid = 0;
                /* whatever the probe's children still hold open: drop them */
                kill(-w, SIGKILL);
                while (r->outlen > 0 && (r->out[r->outlen - 1] == '\n' || r->out[r->outlen - 1] == ' '))
                        r->out[--r->outlen] = 0;
                if (WIFEXITED(st) && WEXITSTATUS(st) == 0) return 1;
                if (r->outlen)
                        snprintf(msg, mlen, "%s", r->out);
                else
                        snprintf(msg, mlen, "command exited with %d",
                                 WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
                return 0;
        }
        case PROBE_HTTP: {
                int running = 0;
                curl_multi_perform(P.multi, &running);
                CURLMsg *m;
                int left;
                while ((m = curl_multi_info_read(P.multi, &left))) {
                        if (m->msg != CURLMSG_DONE) continue;
                        probe_run *owner = NULL;
                        curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&owner);
                        if (owner) {
                                owner->curl_done = true;
                                owner->curl_result = m->data.result;
                        }
                }
                if (!r->curl_done && !timed_out) return -1;
                CURLcode code = r->curl_done ? r->curl_result : CURLE_OPERATION_TIMEDOUT;
                long status = 0;
                if (code == CURLE_OK) curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &status);
                free_http(r);
                if (code == CURLE_OK && status >= 200 && status < 400) return 1;
                if (code == CURLE_OK)
                        snprintf(msg, mlen, "HTTP probe failed with statuscode: %ld", status);
                else
                        snprintf(msg, mlen, "Get \"%s\": %s", r->url, curl_easy_strerror(code));
                return 0;
        }
        case PROBE_TCP: {
                struct pollfd pf = {.fd = r->sock, .events = POLLOUT};
                int pr = poll(&pf, 1, 0);
                if (pr == 0 && !timed_out) return -1;
                int err = ETIMEDOUT;
                socklen_t el = sizeof(err);
                if (pr > 0) getsockopt(r->sock, SOL_SOCKET, SO_ERROR, &err, &el);
                close(r->sock);
                r->sock = -1;
                if (err == 0) return 1;
                snprintf(msg, mlen, "dial tcp %s: %s", r->target, strerror(err));
                return 0;
        }
        default:
                snprintf(msg, mlen, "no probe handler");
                return 0;
        }
}

static int64_t pod_grace_s(const pod_rt *p) {
        int64_t g = 30;
        ocx_json_int(ocx_json_path(p->pod, "spec.terminationGracePeriodSeconds"), 0, 86400, &g);
        return g;
}

static void on_result(pod_rt *p, ctr_rt *c, probe_ctr *pc, size_t k, int ok, const char *msg, int64_t now) {
        probe_run *r = &pc->k[k];
        if (ok) {
                r->failures = 0;
                if (++r->successes >= r->spec.success_threshold) r->result = true;
        } else {
                r->successes = 0;
                r->failures++;
                ev_pod(p->pod, pc->name, EV_KUBELET, "Warning", "Unhealthy", "%s probe failed: %s", kind_word[k], msg);
                if (r->failures >= r->spec.failure_threshold) r->result = false;
        }
        if (k == K_STARTUP && r->result && !pc->started) {
                pc->started = true;
                /* initialDelaySeconds counts from the container start; not before now */
                for (size_t j = K_LIVENESS; j < K_N; j++)
                        if (pc->k[j].next_ms < now) pc->k[j].next_ms = now;
        }
        if (k == K_READINESS) pc->ready = r->result;
        if ((k == K_LIVENESS || k == K_STARTUP) && !ok && r->failures >= r->spec.failure_threshold && !pc->killing) {
                int64_t grace = r->spec.grace_s >= 0 ? r->spec.grace_s : pod_grace_s(p);
                ev_pod(p->pod, pc->name, EV_KUBELET, "Normal", "Killing",
                       "Container %s failed %s probe, will be restarted", pc->name,
                       k == K_LIVENESS ? "liveness" : "startup");
                log_info("pod %s/%s: container %s failed its %s probe: restarting it", p->ns, p->name, pc->name,
                         k == K_LIVENESS ? "liveness" : "startup");
                kill(c->pid, SIGTERM);
                pc->killing = true;
                pc->kill_at_ms = now + grace * 1000;
                r->failures = 0;
        }
}

static void new_instance(pod_rt *p, ctr_rt *c, probe_ctr *pc, int64_t now) {
        ctr_reset(pc);
        pc->pid = c->pid;
        const cJSON *spec = find_spec(p, pc->name);
        /* the container started at c->started_at (seconds); adopted ones long ago */
        time_t age = time(NULL) - c->started_at;
        int64_t start = now - (age > 0 ? (int64_t)age * 1000 : 0);
        for (size_t k = 0; k < K_N; k++) {
                probe_run *r = &pc->k[k];
                const cJSON *pj = ocx_json_get(spec, kind_key[k]);
                if (!pj) continue;
                _cleanup_error_ ocx_error *e = NULL;
                if (probe_spec_parse(pj, spec, &r->spec, &e) < 0) {
                        ev_pod(p->pod, pc->name, EV_KUBELET, "Warning", "Unhealthy", "%s probe errored: %s",
                               kind_word[k], e ? e->message : "invalid probe");
                        /* an invalid probe never succeeds (as the kubelet's errored probes) */
                        r->spec.type = PROBE_NONE;
                        r->spec.period_s = 10;
                        r->spec.success_threshold = r->spec.failure_threshold = 1;
                }
                r->defined = true;
                r->next_ms = start + (int64_t)r->spec.initial_delay_s * 1000;
        }
        pc->started = !pc->k[K_STARTUP].defined;
        pc->ready = !pc->k[K_READINESS].defined;
}

void probe_pod_tick(node_ctx *x, pod_rt *p) {
        int64_t now = now_ms();
        probe_pod *pp = NULL;
        for (size_t i = 0; i < p->n; i++) {
                ctr_rt *c = &p->c[i];
                if (c->init) continue;
                bool has = false;
                const cJSON *spec = NULL;
                if (!pp) pp = pod_get(p, false);
                if (!pp) {
                        spec = find_spec(p, c->name);
                        for (size_t k = 0; k < K_N; k++) has |= ocx_json_get(spec, kind_key[k]) != NULL;
                        /* BackOff events are wanted for every pod */
                        has |= c->state == CS_TERMINATED;
                        if (!has) continue;
                        pp = pod_get(p, true);
                }
                if (i >= pp->n) continue;
                probe_ctr *pc = &pp->c[i];
                if (c->state != CS_RUNNING) {
                        if (pc->pid) ctr_reset(pc);
                        if (c->state == CS_TERMINATED && c->next_start > c->finished_at &&
                            pc->backoff_for != c->finished_at) {
                                pc->backoff_for = c->finished_at;
                                ev_pod(p->pod, c->name, EV_KUBELET, "Warning", "BackOff",
                                       "Back-off restarting failed container %s in pod %s_%s(%s)", c->name, p->name,
                                       p->ns, p->uid);
                        }
                        continue;
                }
                if (pc->pid != c->pid) new_instance(p, c, pc, now);
                if (pc->killing) {
                        if (now >= pc->kill_at_ms) {
                                kill(c->pid, SIGKILL);
                                pc->kill_at_ms = INT64_MAX;
                        }
                        continue;
                }
                for (size_t k = 0; k < K_N; k++) {
                        probe_run *r = &pc->k[k];
                        if (!r->defined) continue;
                        if ((k == K_STARTUP) == pc->started) continue; /* startup until passed, then the others */
                        if (r->busy) {
                                char msg[OUT_MAX + 128] = "";
                                int res = poll_attempt(r, now, msg, sizeof(msg));
                                if (res < 0) continue;
                                r->busy = false;
                                on_result(p, c, pc, k, res, msg, now);
                                if (pc->killing) break;
                                continue;
                        }
                        if (now < r->next_ms) continue;
                        r->next_ms = now + (int64_t)r->spec.period_s * 1000;
                        r->deadline_ms = now + (int64_t)r->spec.timeout_s * 1000;
                        int sr = -EINVAL;
                        if (r->spec.type == PROBE_EXEC)
                                sr = start_exec(x, p, pc, r);
                        else if (r->spec.type == PROBE_HTTP)
                                sr = start_http(p, r);
                        else if (r->spec.type == PROBE_TCP)
                                sr = start_tcp(p, r);
                        if (sr < 0) {
                                on_result(p, c, pc, k, 0, r->spec.type == PROBE_NONE ? "invalid probe" : strerror(-sr),
                                          now);
                                if (pc->killing) break;
                                continue;
                        }
                        r->busy = true;
                }
        }
}

/* ---- status ------------------------------------------------------------------------------ */

static void set_cond(cJSON *status, const char *type, bool ok, const char *since) {
        cJSON *c;
        cJSON_ArrayForEach(c, ocx_json_get(status, "conditions")) {
                if (!ocx_streq(ocx_json_get_str(c, "type"), type)) continue;
                ocx_json_set_str(c, "status", ok ? "True" : "False");
                if (since) ocx_json_set_str(c, "lastTransitionTime", since);
        }
}

void probe_pod_status(const node_ctx *x, const pod_rt *p, cJSON *status) {
        (void)x;
        ocx_json_set_str(status, "qosClass", cg_qos_class(p->pod));
        probe_pod *pp = pod_get(p, false);
        if (!pp) return;
        bool all_ready = true;
        cJSON *cs;
        cJSON_ArrayForEach(cs, ocx_json_get(status, "containerStatuses")) {
                const char *name = ocx_json_get_str(cs, "name");
                for (size_t i = 0; i < pp->n && i < p->n; i++) {
                        if (p->c[i].init || !ocx_streq(pp->c[i].name, name)) continue;
                        const probe_ctr *pc = &pp->c[i];
                        bool running = p->c[i].state == CS_RUNNING && pc->pid == p->c[i].pid && pc->pid > 0;
                        bool ready = running && pc->started && pc->ready;
                        if (running) {
                                cJSON_ReplaceItemInObjectCaseSensitive(cs, "ready", cJSON_CreateBool(ready));
                                cJSON_ReplaceItemInObjectCaseSensitive(cs, "started", cJSON_CreateBool(pc->started));
                        }
                        if (!ready) all_ready = false;
                }
                if (!ocx_json_get_bool(cs, "ready", false)) all_ready = false;
        }
        /* Ready only when the runtime's view and every probe agree */
        bool was = false;
        const cJSON *c;
        cJSON_ArrayForEach(c, ocx_json_get(status, "conditions")) if (ocx_streq(ocx_json_get_str(c, "type"), "Ready"))
            was = ocx_streq(ocx_json_get_str(c, "status"), "True");
        bool ready = was && all_ready;
        if (pp->ready != (int)ready) {
                ocx_time_rfc3339(time(NULL), pp->ready_since, sizeof(pp->ready_since));
                pp->ready = ready;
        }
        set_cond(status, "Ready", ready, pp->ready_since);
        set_cond(status, "ContainersReady", ready, pp->ready_since);
}
