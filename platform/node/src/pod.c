/* ocxd node: one pod's sandbox, containers and status (see node/pod.h). */
#include "node/pod.h"
#include <arpa/inet.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include "node/cgroup.h"
#include "node/events.h"
#include "node/probe.h"
#include "node/runtime.h"
#include "node/volumes.h"
#include "ocx/buf.h"
#include "ocx/json.h"
#include "ocx/log.h"
#include "ocx/timefmt.h"
#include "scc/enforce.h"
#include "ocx/banned.h"

/* image pulling is optional at link time (the imagestreams puller may not be
 * built yet): without it only ocx-rootfs: images run */

#define MAX_BACKOFF_MS 300000L

static int mkdir_p(const char *path, mode_t mode) {
        _cleanup_free_ char *buf = ocx_xstrdup(path);
        for (char *p = buf + 1; *p; p++) {
                if (*p != '/') continue;
                *p = 0;
                if (mkdir(buf, mode) < 0 && errno != EEXIST) return -errno;
                *p = '/';
        }
        if (mkdir(buf, mode) < 0 && errno != EEXIST) return -errno;
        return 0;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *f) {
        (void)st;
        (void)f;
        if (flag == FTW_DP) rmdir(path);
        else unlink(path);
        return 0;
}

static void rm_rf(const char *path) { (void)nftw(path, rm_one, 32, FTW_DEPTH | FTW_PHYS | FTW_MOUNT); }

int pod_ctx_init(node_ctx *x, const char *name, const char *base, const char *bridge, const char *cidr, const char *api_port,
                 ocx_error **reterr) {
        memset(x, 0, sizeof(*x));
        int r = net_config_parse(bridge, cidr, &x->net, reterr);
        if (r < 0) return r;
        x->name = ocx_xstrdup(name);
        x->base = ocx_xstrdup(base);
        x->run_dir = ocx_xasprintf("%s/run/node", base);
        x->api_port = ocx_xstrdup(api_port && *api_port ? api_port : "8443");
        ocx_time_rfc3339(time(NULL), x->started_at, sizeof(x->started_at));
        const char *b = getenv("OCX_NODE_BACKOFF_MS");
        x->backoff_ms = b ? strtol(b, NULL, 10) : 10000;
        if (x->backoff_ms <= 0) x->backoff_ms = 10000;
        _cleanup_free_ char *pods = ocx_xasprintf("%s/pods", x->run_dir);
        if ((r = mkdir_p(pods, 0700)) < 0) {
                pod_ctx_release(x);
                return ocx_error_set(reterr, -r, NULL, "cannot create '%s'", pods);
        }
        return 0;
}

void pod_ctx_release(node_ctx *x) {
        free(x->name);
        free(x->base);
        free(x->run_dir);
        free(x->api_port);
        memset(x, 0, sizeof(*x));
}

bool pod_rt_has_state(const node_ctx *x, const char *uid) {
        _cleanup_free_ char *d = ocx_xasprintf("%s/pods/%s", x->run_dir, uid);
        return access(d, F_OK) == 0;
}

static void set_str(char **dst, const char *v) {
        free(*dst);
        *dst = v ? ocx_xstrdup(v) : NULL;
}

static void add_containers(pod_rt *p, const cJSON *list, bool init) {
        const cJSON *c;
        cJSON_ArrayForEach(c, list) {
                p->c = ocx_xrealloc(p->c, (p->n + 1) * sizeof(ctr_rt));
                ctr_rt *x = &p->c[p->n++];
                memset(x, 0, sizeof(*x));
                x->name = ocx_xstrdup(ocx_json_get_str(c, "name") ? ocx_json_get_str(c, "name") : "");
                x->image = ocx_xstrdup(ocx_json_get_str(c, "image") ? ocx_json_get_str(c, "image") : "");
                x->init = init;
                x->state = CS_WAITING;
                set_str(&x->reason, "ContainerCreating");
        }
}

pod_rt *pod_rt_new(node_ctx *x, const cJSON *pod) {
        pod_rt *p = ocx_xcalloc(1, sizeof(*p));
        p->uid = ocx_xstrdup(ocx_json_path_str(pod, "metadata.uid"));
        p->ns = ocx_xstrdup(ocx_json_path_str(pod, "metadata.namespace"));
        p->name = ocx_xstrdup(ocx_json_path_str(pod, "metadata.name"));
        p->state_dir = ocx_xasprintf("%s/pods/%s", x->run_dir, p->uid);
        p->pod_dir = ocx_xasprintf("%s/pods/%s/%s", x->base, p->ns, p->name);
        p->host_network = cJSON_IsTrue(ocx_json_path(pod, "spec.hostNetwork"));
        char short_uid[16] = {0};
        size_t j = 0;
        for (const char *u = p->uid; *u && j < 11; u++)
                if (*u != '-') short_uid[j++] = *u;
        snprintf(p->netns, sizeof(p->netns), "ocx-%s", short_uid);
        snprintf(p->host_if, sizeof(p->host_if), "ocxv%.10s", short_uid);
        add_containers(p, ocx_json_path(pod, "spec.initContainers"), true);
        add_containers(p, ocx_json_path(pod, "spec.containers"), false);
        p->start_time = time(NULL);
        if (access(p->state_dir, F_OK) != 0) return p;
        /* adoption: the state directory survived an ocxd restart */
        p->adopted = true;
        _cleanup_free_ char *ipf = ocx_xasprintf("%s/ip", p->state_dir);
        _cleanup_free_ char *ips = NULL;
        size_t n;
        struct in_addr a;
        if (ocx_read_file(ipf, 64, &ips, &n) == 0) {
                ips[strcspn(ips, "\n")] = 0;
                if (inet_pton(AF_INET, ips, &a) == 1) {
                        p->ip = ntohl(a.s_addr);
                        net_ip_mark(&x->net, p->ip);
                }
        }
        _cleanup_free_ char *nsf = ocx_xasprintf("/run/netns/%s", p->netns);
        p->ready = (p->ip || p->host_network) && (p->host_network || access(nsf, F_OK) == 0);
        const char *st = ocx_json_path_str(pod, "status.startTime");
        time_t t;
        if (st && ocx_time_parse_rfc3339(st, &t) == 0) p->start_time = t;
        for (size_t i = 0; i < p->n; i++) {
                ctr_rt *c = &p->c[i];
                const cJSON *cs;
                cJSON_ArrayForEach(cs, ocx_json_path(pod, c->init ? "status.initContainerStatuses" : "status.containerStatuses")) {
                        if (!ocx_streq(ocx_json_get_str(cs, "name"), c->name)) continue;
                        int64_t rc = 0;
                        ocx_json_int(ocx_json_get(cs, "restartCount"), 0, INT32_MAX, &rc);
                        c->restarts = (int)rc;
                        const char *sa = ocx_json_path_str(cs, "state.running.startedAt");
                        if (sa) ocx_time_parse_rfc3339(sa, &c->started_at);
                        const cJSON *ls = ocx_json_get(cs, "lastState");
                        if (ls && ls->child) c->last_state = cJSON_Duplicate(ls, true);
                }
                int status;
                if (rt_running(p->state_dir, c->name, &c->pid, &c->monitor) == 1) {
                        c->state = CS_RUNNING;
                        set_str(&c->reason, NULL);
                        if (!c->started_at) c->started_at = time(NULL);
                } else if (rt_exit_status(p->state_dir, c->name, &status) == 0) {
                        c->state = CS_RUNNING; /* pod_rt_poll turns it into terminated */
                }
        }
        return p;
}

void pod_rt_free(pod_rt *p) {
        if (!p) return;
        probe_pod_forget(p->uid);
        for (size_t i = 0; i < p->n; i++) {
                free(p->c[i].name);
                free(p->c[i].image);
                free(p->c[i].reason);
                free(p->c[i].message);
                cJSON_Delete(p->c[i].last_state);
        }
        free(p->c);
        free(p->uid);
        free(p->ns);
        free(p->name);
        free(p->state_dir);
        free(p->pod_dir);
        free(p->last_status);
        cJSON_Delete(p->pod);
        free(p);
}

void pod_rt_kill(pod_rt *p, int sig) {
        for (size_t i = 0; i < p->n; i++)
                if (p->c[i].state == CS_RUNNING && p->c[i].pid > 0) kill(p->c[i].pid, sig);
}

int pod_rt_running(const pod_rt *p) {
        int n = 0;
        for (size_t i = 0; i < p->n; i++) n += p->c[i].state == CS_RUNNING;
        return n;
}

static const char *restart_policy(const pod_rt *p) {
        const char *r = ocx_json_path_str(p->pod, "spec.restartPolicy");
        return r ? r : "Always";
}

static bool should_restart(const pod_rt *p, const ctr_rt *c) {
        const char *pol = restart_policy(p);
        if (c->init) return !ocx_streq(pol, "Never") && c->exit_code != 0;
        if (ocx_streq(pol, "Always")) return true;
        if (ocx_streq(pol, "OnFailure")) return c->exit_code != 0;
        return false;
}

static void terminated(node_ctx *x, pod_rt *p, ctr_rt *c, int code, const char *reason) {
        (void)x;
        if (!reason && code != 0 && cg_ctr_oom_killed(p->uid, c->name)) reason = "OOMKilled";
        c->state = CS_TERMINATED;
        c->exit_code = code;
        c->finished_at = time(NULL);
        set_str(&c->reason, reason ? reason : code == 0 ? "Completed" : "Error");
        set_str(&c->message, NULL);
        rt_reap(c->monitor);
        if (!p->terminating && should_restart(p, c)) {
                /* back-off: 10s, 20s, ... 5 min; reset after 10 min of running */
                if (c->started_at && c->finished_at - c->started_at > 600) c->backoff_ms = 0;
                c->next_start = c->finished_at + (c->backoff_ms ? c->backoff_ms : 0) / 1000;
                c->backoff_ms = c->backoff_ms ? c->backoff_ms * 2 : x->backoff_ms;
                if (c->backoff_ms > MAX_BACKOFF_MS) c->backoff_ms = MAX_BACKOFF_MS;
        }
}

void pod_rt_poll(node_ctx *x, pod_rt *p) {
        for (size_t i = 0; i < p->n; i++) {
                ctr_rt *c = &p->c[i];
                if (c->state != CS_RUNNING) continue;
                int status;
                if (rt_exit_status(p->state_dir, c->name, &status) == 0) {
                        terminated(x, p, c, status, status == 137 && p->killed ? "Error" : NULL);
                        continue;
                }
                rt_reap(c->monitor);
                if (rt_running(p->state_dir, c->name, NULL, NULL) == 1) continue;
                if (c->monitor > 0 && rt_proc_starttime(c->monitor) != 0) continue; /* exit file on its way */
                if (rt_exit_status(p->state_dir, c->name, &status) == 0) terminated(x, p, c, status, NULL);
                else terminated(x, p, c, 137, "ContainerStatusUnknown");
        }
}

void pod_rt_wait_stopped(node_ctx *x, pod_rt *p, int ms) {
        for (int waited = 0;; waited += 20) {
                pod_rt_poll(x, p);
                if (pod_rt_running(p) == 0 || waited >= ms) return;
                struct timespec ts = {0, 20 * 1000 * 1000};
                nanosleep(&ts, NULL);
        }
}

void pod_rt_cleanup(node_ctx *x, pod_rt *p) {
        if (!p->host_network) net_pod_teardown(p->netns);
        if (p->ip) net_ip_release(&x->net, p->ip);
        p->ip = 0;
        rm_rf(p->state_dir);
        cg_pod_remove(p->uid);
        vol_pod_teardown(p->pod_dir);
        rm_rf(p->pod_dir);
        p->ready = false;
}

/* ---- sandbox ---------------------------------------------------------------- */

static int write_str(const char *path, const char *s) { return ocx_write_file_atomic(path, s, strlen(s), 0644); }

static const char *pod_hostname(const pod_rt *p) {
        const char *h = ocx_json_path_str(p->pod, "spec.hostname");
        return h && *h ? h : p->name;
}

static int setup_sandbox(node_ctx *x, pod_rt *p, ocx_error **reterr) {
        int r = mkdir_p(p->state_dir, 0700);
        if (r >= 0) r = mkdir_p(p->pod_dir, 0755);
        if (r < 0) return ocx_error_set(reterr, -r, NULL, "cannot create the pod directories");
        char ips[16] = "127.0.0.1";
        if (!p->host_network) {
                if (!x->bridge_ready) {
                        r = net_ensure_bridge(&x->net, reterr);
                        if (r < 0) return r;
                        x->bridge_ready = true;
                }
                if (!p->ip && net_ip_alloc(&x->net, &p->ip) < 0)
                        return ocx_error_set(reterr, ENOSPC, NULL, "no free pod address on this node");
                r = net_pod_setup(&x->net, p->netns, p->host_if, p->ip, reterr);
                if (r < 0) return r;
                net_ip_str(p->ip, ips);
                _cleanup_free_ char *ipf = ocx_xasprintf("%s/ip", p->state_dir);
                write_str(ipf, ips);
        }
        char gw[16];
        net_ip_str(x->net.gateway, gw);
        _cleanup_free_ char *hosts = ocx_xasprintf("# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n%s\t%s\n",
                                                   ips, pod_hostname(p));
        _cleanup_free_ char *resolv = ocx_xasprintf("search %s.svc.cluster.local svc.cluster.local cluster.local\nnameserver %s\noptions ndots:5\n",
                                                    p->ns, gw);
        _cleanup_free_ char *hname = ocx_xasprintf("%s\n", pod_hostname(p));
        _cleanup_free_ char *f1 = ocx_xasprintf("%s/hosts", p->pod_dir);
        _cleanup_free_ char *f2 = ocx_xasprintf("%s/resolv.conf", p->pod_dir);
        _cleanup_free_ char *f3 = ocx_xasprintf("%s/hostname", p->pod_dir);
        if (write_str(f1, hosts) < 0 || write_str(f2, resolv) < 0 || write_str(f3, hname) < 0)
                return ocx_error_set(reterr, EIO, NULL, "cannot write the pod's /etc files");
        /* emptyDir volumes: world-writable as in Kubernetes; fsGroup owns them */
        int64_t fsg = -1;
        ocx_json_int(ocx_json_path(p->pod, "spec.securityContext.fsGroup"), 0, UINT32_MAX - 1, &fsg);
        const cJSON *v;
        cJSON_ArrayForEach(v, ocx_json_path(p->pod, "spec.volumes")) {
                const char *vn = ocx_json_get_str(v, "name");
                if (!vn || !ocx_json_get(v, "emptyDir") || strchr(vn, '/') || vn[0] == '.') continue;
                _cleanup_free_ char *d = ocx_xasprintf("%s/volumes/%s", p->pod_dir, vn);
                if (mkdir_p(d, 0777) < 0) return ocx_error_set(reterr, EIO, NULL, "cannot create the volume '%s'", vn);
                chmod(d, fsg >= 0 ? 02777 : 0777);
                if (fsg >= 0 && chown(d, 0, (gid_t)fsg) < 0) return ocx_error_set(reterr, errno, NULL, "cannot chown the volume '%s'", vn);
        }
        p->ready = true;
        return 0;
}

/* ---- lifecycle ----------------------------------------------------------------- */

static void start_one(node_ctx *x, pod_rt *p, ctr_rt *c, time_t now) {
        {
                if (c->state == CS_TERMINATED) {
                        cJSON_Delete(c->last_state);
                        char a[32], b[32];
                        ocx_time_rfc3339(c->started_at, a, sizeof(a));
                        ocx_time_rfc3339(c->finished_at, b, sizeof(b));
                        c->last_state = cJSON_CreateObject();
                        cJSON *t = cJSON_AddObjectToObject(c->last_state, "terminated");
                        cJSON_AddNumberToObject(t, "exitCode", c->exit_code);
                        cJSON_AddStringToObject(t, "reason", c->reason ? c->reason : "Error");
                        cJSON_AddStringToObject(t, "startedAt", a);
                        cJSON_AddStringToObject(t, "finishedAt", b);
                        c->restarts++;
                }
        }
        _cleanup_error_ ocx_error *e = NULL;
        int r = ctr_start(x, p, c, &e);
        if (r < 0) {
                const char *reason = r == -ENOENT ? "ErrImagePull" : r == -EINVAL || r == -EPERM ? "CreateContainerConfigError"
                                                                                               : "RunContainerError";
                if (c->reason == NULL || !ocx_streq(c->message, e ? e->message : ""))
                        log_warn("pod %s/%s: container %s: %s", p->ns, p->name, c->name, e ? e->message : strerror(-r));
                c->state = CS_WAITING;
                set_str(&c->reason, reason);
                set_str(&c->message, e ? e->message : strerror(-r));
                ev_pod(p->pod, c->name, EV_KUBELET, "Warning", "Failed", "Error: %s", c->message);
                c->backoff_ms = c->backoff_ms ? c->backoff_ms * 2 : x->backoff_ms;
                if (c->backoff_ms > MAX_BACKOFF_MS) c->backoff_ms = MAX_BACKOFF_MS;
                c->next_start = now + c->backoff_ms / 1000;
                return;
        }
        c->state = CS_RUNNING;
        c->started_at = time(NULL);
        ev_pod(p->pod, c->name, EV_KUBELET, "Normal", "Created", "Created container %s", c->name);
        ev_pod(p->pod, c->name, EV_KUBELET, "Normal", "Started", "Started container %s", c->name);
        set_str(&c->reason, NULL);
        set_str(&c->message, NULL);
}

void pod_rt_advance(node_ctx *x, pod_rt *p, time_t now) {
        if (!p->ready) {
                static time_t retry_at;
                if (now < retry_at && p->c[0].message) return;
                _cleanup_error_ ocx_error *e = NULL;
                if (setup_sandbox(x, p, &e) < 0) {
                        if (!p->c[0].message || !ocx_streq(p->c[0].message, e ? e->message : ""))
                                log_warn("pod %s/%s: sandbox: %s", p->ns, p->name, e ? e->message : "failed");
                        for (size_t i = 0; i < p->n; i++) {
                                set_str(&p->c[i].reason, "ContainerCreating");
                                set_str(&p->c[i].message, e ? e->message : "cannot create the pod sandbox");
                        }
                        retry_at = now + 2;
                        return;
                }
        }
        /* configMap/secret/downwardAPI/projected files and the service-account
         * token (node/volumes.h); the pod waits in ContainerCreating for them */
        {
                char ipb[16] = "";
                if (p->ip) net_ip_str(p->ip, ipb);
                _cleanup_error_ ocx_error *ve = NULL;
                if (vol_pod_prepare(p->pod, p->pod_dir, ipb, false, &ve) < 0) {
                        const char *m = ve ? ve->message : "cannot prepare the volumes";
                        for (size_t i = 0; i < p->n; i++) {
                                if (p->c[i].state != CS_WAITING) continue;
                                if (i == 0 && !ocx_streq(p->c[i].message, m)) log_info("pod %s/%s: %s", p->ns, p->name, m);
                                set_str(&p->c[i].reason, "ContainerCreating");
                                set_str(&p->c[i].message, m);
                        }
                        return;
                }
        }
        /* init containers, one at a time, each to success */
        for (size_t i = 0; i < p->n; i++) {
                ctr_rt *c = &p->c[i];
                if (!c->init) continue;
                if (c->state == CS_RUNNING) return;
                if (c->state == CS_TERMINATED && c->exit_code == 0) continue;
                if (c->state == CS_TERMINATED && !should_restart(p, c)) return; /* pod failed */
                if (now >= c->next_start) start_one(x, p, c, now);
                return;
        }
        for (size_t i = 0; i < p->n; i++) {
                ctr_rt *c = &p->c[i];
                if (c->init || c->state == CS_RUNNING) continue;
                if (c->state == CS_TERMINATED && !should_restart(p, c)) continue;
                if (now >= c->next_start) start_one(x, p, c, now);
        }
}

/* ---- status ---------------------------------------------------------------------- */

static cJSON *ctr_status(const pod_rt *p, const ctr_rt *c, time_t now) {
        char ts[32], ts2[32];
        cJSON *s = cJSON_CreateObject();
        cJSON_AddStringToObject(s, "name", c->name);
        cJSON *state = cJSON_AddObjectToObject(s, "state");
        if (c->state == CS_RUNNING) {
                ocx_time_rfc3339(c->started_at, ts, sizeof(ts));
                cJSON_AddStringToObject(cJSON_AddObjectToObject(state, "running"), "startedAt", ts);
        } else if (c->state == CS_TERMINATED && !(now < c->next_start && should_restart(p, c) && !p->terminating)) {
                cJSON *t = cJSON_AddObjectToObject(state, "terminated");
                cJSON_AddNumberToObject(t, "exitCode", c->exit_code);
                cJSON_AddStringToObject(t, "reason", c->reason ? c->reason : "Error");
                ocx_time_rfc3339(c->started_at, ts, sizeof(ts));
                ocx_time_rfc3339(c->finished_at, ts2, sizeof(ts2));
                cJSON_AddStringToObject(t, "startedAt", ts);
                cJSON_AddStringToObject(t, "finishedAt", ts2);
                cJSON_AddStringToObject(t, "containerID", "");
        } else {
                cJSON *w = cJSON_AddObjectToObject(state, "waiting");
                const char *reason = c->state == CS_TERMINATED ? "CrashLoopBackOff" : c->reason ? c->reason : "ContainerCreating";
                cJSON_AddStringToObject(w, "reason", reason);
                if (c->state == CS_TERMINATED) {
                        char *m = ocx_xasprintf("back-off %lds restarting failed container=%s pod=%s_%s(%s)",
                                                (long)(c->next_start - c->finished_at), c->name, p->name, p->ns, p->uid);
                        cJSON_AddStringToObject(w, "message", m);
                        free(m);
                } else if (c->message) {
                        cJSON_AddStringToObject(w, "message", c->message);
                }
        }
        cJSON *term = ocx_json_path(s, "state.terminated");
        if (term) {
                char *id = ocx_xasprintf("ocx://%s-%s", p->uid, c->name);
                ocx_json_set_str(term, "containerID", id);
                free(id);
        }
        cJSON_AddItemToObject(s, "lastState", c->last_state ? cJSON_Duplicate(c->last_state, true) : cJSON_CreateObject());
        cJSON_AddBoolToObject(s, "ready", c->state == CS_RUNNING && !c->init);
        cJSON_AddNumberToObject(s, "restartCount", c->restarts);
        cJSON_AddStringToObject(s, "image", c->image);
        cJSON_AddStringToObject(s, "imageID", c->image);
        if (c->state != CS_WAITING || c->started_at) {
                char *id = ocx_xasprintf("ocx://%s-%s", p->uid, c->name);
                cJSON_AddStringToObject(s, "containerID", id);
                free(id);
        }
        cJSON_AddBoolToObject(s, "started", c->state == CS_RUNNING);
        return s;
}

static void add_cond(cJSON *conds, const char *type, bool ok, const char *since) {
        cJSON *c = cJSON_CreateObject();
        cJSON_AddStringToObject(c, "type", type);
        cJSON_AddStringToObject(c, "status", ok ? "True" : "False");
        cJSON_AddNullToObject(c, "lastProbeTime");
        cJSON_AddStringToObject(c, "lastTransitionTime", since);
        cJSON_AddItemToArray(conds, c);
}

cJSON *pod_rt_status(const node_ctx *x, const pod_rt *p) {
        time_t now = time(NULL);
        bool inits_done = true, init_failed = false, all_ready = true, any_app = false;
        int running = 0, succeeded = 0, failed_final = 0, apps = 0;
        for (size_t i = 0; i < p->n; i++) {
                const ctr_rt *c = &p->c[i];
                if (c->init) {
                        if (!(c->state == CS_TERMINATED && c->exit_code == 0)) inits_done = false;
                        if (c->state == CS_TERMINATED && c->exit_code != 0 && !should_restart(p, c)) init_failed = true;
                        continue;
                }
                apps++;
                any_app = true;
                if (c->state != CS_RUNNING) all_ready = false;
                if (c->state == CS_RUNNING) running++;
                if (c->state == CS_TERMINATED && !should_restart(p, c)) {
                        if (c->exit_code == 0) succeeded++;
                        else failed_final++;
                }
        }
        const char *phase = "Pending";
        if (init_failed) phase = "Failed";
        else if (inits_done && any_app) {
                if (succeeded + failed_final == apps) phase = failed_final ? "Failed" : "Succeeded";
                else if (running > 0 || p->c[p->n - 1].restarts > 0 || succeeded + failed_final > 0) phase = "Running";
                else {
                        for (size_t i = 0; i < p->n; i++)
                                if (!p->c[i].init && (p->c[i].state == CS_TERMINATED || p->c[i].restarts)) phase = "Running";
                }
        }
        char since[32], ips[16] = "", gw[16];
        ocx_time_rfc3339(p->start_time, since, sizeof(since));
        net_ip_str(x->net.gateway, gw);
        cJSON *st = cJSON_CreateObject();
        cJSON_AddStringToObject(st, "phase", phase);
        cJSON *conds = cJSON_AddArrayToObject(st, "conditions");
        add_cond(conds, "Initialized", inits_done, since);
        add_cond(conds, "Ready", inits_done && all_ready && any_app, since);
        add_cond(conds, "ContainersReady", inits_done && all_ready && any_app, since);
        add_cond(conds, "PodScheduled", true, since);
        cJSON_AddStringToObject(st, "hostIP", gw);
        if (p->host_network) snprintf(ips, sizeof(ips), "%s", gw);
        else if (p->ip && p->ready) net_ip_str(p->ip, ips);
        if (ips[0]) {
                cJSON_AddStringToObject(st, "podIP", ips);
                cJSON *arr = cJSON_AddArrayToObject(st, "podIPs");
                cJSON *o = cJSON_CreateObject();
                cJSON_AddStringToObject(o, "ip", ips);
                cJSON_AddItemToArray(arr, o);
        }
        cJSON_AddStringToObject(st, "startTime", since);
        cJSON *ics = NULL, *cs = cJSON_AddArrayToObject(st, "containerStatuses");
        for (size_t i = 0; i < p->n; i++) {
                if (p->c[i].init && !ics) ics = cJSON_AddArrayToObject(st, "initContainerStatuses");
                cJSON_AddItemToArray(p->c[i].init ? ics : cs, ctr_status(p, &p->c[i], now));
        }
        cJSON_AddStringToObject(st, "qosClass", "BestEffort");
        return st;
}
