/* ocxd node agent: Node object, pod lifecycle and status (see node/node.h).
 * One thread; level-triggered: whenever the store revision moves (or every
 * second) the pods bound to this node are listed and reconciled; every tick
 * (50 ms) container exits, back-offs and grace periods are checked. */
#include "node/node.h"
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include "controllers/scheduler.h"
#include "node/cgroup.h"
#include "node/events.h"
#include "node/network.h"
#include "node/pod.h"
#include "node/probe.h"
#include "node/volumes.h"
#include "ocx/json.h"
#include "ocx/log.h"
#include "ocx/timefmt.h"
#include "scc/enforce.h"
#include "ocx/banned.h"

#define NODE_FINALIZER "ocx.io/node-agent"

static struct {
        api_server *s;
        node_ctx ctx;
        pthread_t th;
        bool started;
        volatile bool stop;
        bool stop_pods;
        pod_rt *pods;
        time_t next_heartbeat;
} A;

static const api_kind *pods_kind(void) { return api_kind_by_plural("", "v1", "pods"); }

static void now_str(char out[32]) { ocx_time_rfc3339(time(NULL), out, 32); }

/* ---- Node object ---------------------------------------------------------- */

static cJSON *node_status(void) {
        char ts[32];
        now_str(ts);
        struct utsname u;
        uname(&u);
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        long long mem = (long long)sysconf(_SC_PHYS_PAGES) * sysconf(_SC_PAGESIZE) / 1024;
        char cpu[32], memq[48];
        snprintf(cpu, sizeof(cpu), "%ld", cpus);
        snprintf(memq, sizeof(memq), "%lldKi", mem);
        cJSON *st = cJSON_CreateObject();
        cJSON *cap = cJSON_AddObjectToObject(st, "capacity");
        cJSON_AddStringToObject(cap, "cpu", cpu);
        cJSON_AddStringToObject(cap, "memory", memq);
        cJSON_AddStringToObject(cap, "pods", "250");
        cJSON_AddItemToObject(st, "allocatable", cJSON_Duplicate(cap, true));
        cJSON *conds = cJSON_AddArrayToObject(st, "conditions");
        cJSON *c = cJSON_CreateObject();
        cJSON_AddStringToObject(c, "type", "Ready");
        cJSON_AddStringToObject(c, "status", "True");
        cJSON_AddStringToObject(c, "lastHeartbeatTime", ts);
        cJSON_AddStringToObject(c, "lastTransitionTime", A.ctx.started_at);
        cJSON_AddStringToObject(c, "reason", "KubeletReady");
        cJSON_AddStringToObject(c, "message", "ocx node agent is posting ready status");
        cJSON_AddItemToArray(conds, c);
        cJSON *addrs = cJSON_AddArrayToObject(st, "addresses");
        cJSON *a = cJSON_CreateObject();
        cJSON_AddStringToObject(a, "type", "InternalIP");
        char gw[16];
        net_ip_str(A.ctx.net.gateway, gw);
        cJSON_AddStringToObject(a, "address", gw);
        cJSON_AddItemToArray(addrs, a);
        a = cJSON_CreateObject();
        cJSON_AddStringToObject(a, "type", "Hostname");
        cJSON_AddStringToObject(a, "address", A.ctx.name);
        cJSON_AddItemToArray(addrs, a);
        cJSON *ni = cJSON_AddObjectToObject(st, "nodeInfo");
        cJSON_AddStringToObject(ni, "kernelVersion", u.release);
        cJSON_AddStringToObject(ni, "osImage", "Debian GNU/Linux 12 (bookworm)");
        cJSON_AddStringToObject(ni, "containerRuntimeVersion", "ocx://0.1.0");
        cJSON_AddStringToObject(ni, "kubeletVersion", "v1.27.0-ocx");
        cJSON_AddStringToObject(ni, "operatingSystem", "linux");
        cJSON_AddStringToObject(ni, "architecture", "amd64");
        return st;
}

static void heartbeat(void) {
        const api_kind *k = api_kind_by_plural("", "v1", "nodes");
        cJSON *o = cJSON_CreateObject();
        cJSON *md = cJSON_AddObjectToObject(o, "metadata");
        cJSON_AddStringToObject(md, "name", A.ctx.name);
        cJSON *labels = cJSON_AddObjectToObject(md, "labels");
        cJSON_AddStringToObject(labels, "kubernetes.io/hostname", A.ctx.name);
        cJSON_AddStringToObject(labels, "kubernetes.io/os", "linux");
        cJSON_AddStringToObject(labels, "node-role.kubernetes.io/worker", "");
        char cidr[40], sub[16];
        net_ip_str(A.ctx.net.subnet, sub);
        snprintf(cidr, sizeof(cidr), "%s/%d", sub, A.ctx.net.prefix);
        cJSON_AddStringToObject(cJSON_AddObjectToObject(o, "spec"), "podCIDR", cidr);
        cJSON_AddItemToObject(o, "status", node_status());
        int r = api_create_object(A.s, k, NULL, cJSON_Duplicate(o, true), false, NULL, NULL, NULL);
        if (r == -EEXIST) r = api_update_object(A.s, k, NULL, A.ctx.name, cJSON_Duplicate(o, true), "status", false, NULL, NULL, NULL);
        if (r < 0) log_warn("node %s: cannot post the node status: %s", A.ctx.name, strerror(-r));
        cJSON_Delete(o);
}

/* ---- finalizer --------------------------------------------------------------- */

static int set_finalizer(const char *ns, const char *name, bool present) {
        const api_kind *k = pods_kind();
        for (int attempt = 0; attempt < 5; attempt++) {
                cJSON *o = NULL;
                int r = api_get_object(A.s, k, ns, name, &o);
                if (r < 0) return r;
                cJSON *md = ocx_json_ensure_obj(o, "metadata");
                cJSON *fin = ocx_json_get(md, "finalizers");
                bool have = false;
                cJSON *f = fin ? fin->child : NULL;
                while (f) {
                        cJSON *next = f->next;
                        if (cJSON_IsString(f) && ocx_streq(f->valuestring, NODE_FINALIZER)) {
                                have = true;
                                if (!present) cJSON_Delete(cJSON_DetachItemViaPointer(fin, f));
                        }
                        f = next;
                }
                if (have == present) {
                        cJSON_Delete(o);
                        return 0;
                }
                if (present) {
                        if (!cJSON_IsArray(fin)) {
                                fin = cJSON_CreateArray();
                                ocx_json_set(md, "finalizers", fin);
                        }
                        cJSON_AddItemToArray(fin, cJSON_CreateString(NODE_FINALIZER));
                } else if (cJSON_GetArraySize(fin) == 0) {
                        cJSON_DeleteItemFromObjectCaseSensitive(md, "finalizers");
                }
                r = api_update_object(A.s, k, ns, name, o, NULL, false, NULL, NULL, NULL);
                if (r != -ESTALE) return r;
        }
        return -ESTALE;
}

/* ---- reconcile ------------------------------------------------------------------ */

static pod_rt *find_pod(const char *uid) {
        for (pod_rt *p = A.pods; p; p = p->next)
                if (ocx_streq(p->uid, uid)) return p;
        return NULL;
}

static void unlink_pod(pod_rt *p) {
        for (pod_rt **pp = &A.pods; *pp; pp = &(*pp)->next)
                if (*pp == p) {
                        *pp = p->next;
                        return;
                }
}

static void post_status(pod_rt *p) {
        cJSON *st = pod_rt_status(&A.ctx, p);
        probe_pod_status(&A.ctx, p, st);
        char *printed = ocx_json_print(st);
        if (p->last_status && ocx_streq(printed, p->last_status)) {
                free(printed);
                cJSON_Delete(st);
                return;
        }
        cJSON *o = cJSON_CreateObject();
        cJSON *md = cJSON_AddObjectToObject(o, "metadata");
        cJSON_AddStringToObject(md, "name", p->name);
        cJSON_AddStringToObject(md, "namespace", p->ns);
        cJSON_AddItemToObject(o, "status", st);
        int r = api_update_object(A.s, pods_kind(), p->ns, p->name, o, "status", false, NULL, NULL, NULL);
        if (r < 0 && r != -ENOENT) {
                log_warn("pod %s/%s: cannot post the status: %s", p->ns, p->name, strerror(-r));
                free(printed);
                return;
        }
        free(p->last_status);
        p->last_status = printed;
}

static void sync_pods(void) {
        const api_kind *k = pods_kind();
        _cleanup_free_ char *prefix = api_key_prefix(k, NULL);
        store_kv *items = NULL;
        size_t n = 0;
        int64_t rev;
        if (store_list(A.s->st, prefix, NULL, 0, &items, &n, &rev) < 0) return;
        for (pod_rt *p = A.pods; p; p = p->next) p->seen = false;
        for (size_t i = 0; i < n; i++) {
                cJSON *o = NULL;
                if (ocx_json_parse(items[i].value, items[i].value_len, &o, NULL) < 0) continue;
                const char *uid = ocx_json_path_str(o, "metadata.uid");
                if (!ocx_streq(ocx_json_path_str(o, "spec.nodeName"), A.ctx.name) || !uid) {
                        cJSON_Delete(o);
                        continue;
                }
                pod_rt *p = find_pod(uid);
                if (!p) {
                        const char *ph = ocx_json_path_str(o, "status.phase");
                        bool finished = ocx_streq(ph, "Succeeded") || ocx_streq(ph, "Failed");
                        if (ocx_json_path(o, "metadata.deletionTimestamp") || (finished && !pod_rt_has_state(&A.ctx, uid))) {
                                /* not ours to run (any more) */
                                if (ocx_json_path(o, "metadata.deletionTimestamp"))
                                        set_finalizer(ocx_json_path_str(o, "metadata.namespace"), ocx_json_path_str(o, "metadata.name"), false);
                                cJSON_Delete(o);
                                continue;
                        }
                        p = pod_rt_new(&A.ctx, o);
                        p->next = A.pods;
                        A.pods = p;
                        if (!p->adopted) set_finalizer(p->ns, p->name, true);
                        if (!p->adopted) ev_pod(o, NULL, EV_SCHEDULER, "Normal", "Scheduled", "Successfully assigned %s/%s to %s", p->ns, p->name, A.ctx.name);
                        else log_info("pod %s/%s: adopted", p->ns, p->name);
                }
                cJSON_Delete(p->pod);
                p->pod = o;
                p->seen = true;
        }
        store_kvs_free(items, n);
        /* gone from the API (force deletion): stop at once */
        for (pod_rt *p = A.pods, *next; p; p = next) {
                next = p->next;
                if (p->seen) continue;
                pod_rt_kill(p, SIGKILL);
                pod_rt_wait_stopped(&A.ctx, p, 2000);
                pod_rt_cleanup(&A.ctx, p);
                unlink_pod(p);
                pod_rt_free(p);
        }
}

static void tick(void) {
        time_t now = time(NULL);
        for (pod_rt *p = A.pods, *next; p; p = next) {
                next = p->next;
                if (ocx_json_path(p->pod, "metadata.deletionTimestamp") && !p->terminating) {
                        int64_t grace = 30;
                        ocx_json_int(ocx_json_path(p->pod, "spec.terminationGracePeriodSeconds"), 0, 86400, &grace);
                        p->terminating = true;
                        p->kill_at = now + grace;
                        probe_pod_stopping(p);
                        pod_rt_kill(p, SIGTERM);
                }
                pod_rt_poll(&A.ctx, p);
                if (p->terminating) {
                        if (!p->killed && now >= p->kill_at) {
                                pod_rt_kill(p, SIGKILL);
                                p->killed = true;
                        }
                        if (pod_rt_running(p) == 0) {
                                pod_rt_cleanup(&A.ctx, p);
                                int r = set_finalizer(p->ns, p->name, false);
                                if (r < 0 && r != -ENOENT) log_warn("pod %s/%s: cannot finish deletion: %s", p->ns, p->name, strerror(-r));
                                unlink_pod(p);
                                pod_rt_free(p);
                        }
                        continue;
                }
                pod_rt_advance(&A.ctx, p, now);
                probe_pod_tick(&A.ctx, p);
                post_status(p);
        }
}

static void *node_loop(void *arg) {
        (void)arg;
        int64_t last_rev = -1;
        time_t next_sync = 0;
        while (!A.stop) {
                time_t now = time(NULL);
                if (now >= A.next_heartbeat) {
                        heartbeat();
                        A.next_heartbeat = now + 10;
                }
                int64_t rev = store_revision(A.s->st);
                if (rev != last_rev || now >= next_sync) {
                        last_rev = rev;
                        next_sync = now + 1;
                        scheduler_bind_pending(A.s, A.ctx.name);
                        sync_pods();
                }
                tick();
                ev_expire();
                struct timespec ts = {0, 50 * 1000 * 1000};
                nanosleep(&ts, NULL);
        }
        return NULL;
}

int node_start(api_server *s, const node_config *cfg, ocx_error **reterr) {
        memset(&A, 0, sizeof(A));
        A.s = s;
        vol_set_api(s);
        char host[256] = "localhost";
        gethostname(host, sizeof(host) - 1);
        const char *bridge = cfg->bridge ? cfg->bridge : getenv("OCX_NODE_BRIDGE");
        const char *cidr = cfg->pod_cidr ? cfg->pod_cidr : getenv("OCX_POD_CIDR");
        int r = pod_ctx_init(&A.ctx, cfg->name && *cfg->name ? cfg->name : host, cfg->base_dir, bridge ? bridge : "ocx0",
                             cidr ? cidr : "10.128.0.0/23", cfg->api_port, reterr);
        if (r < 0) return r;
        ev_init(s, A.ctx.name);
        _cleanup_error_ ocx_error *cge = NULL;
        if (cg_init(A.ctx.run_dir, A.ctx.base, &cge) < 0)
                log_warn("node %s: containers run without resource limits: %s", A.ctx.name, cge ? cge->message : "no cgroups");
        if (!scc_selinux_available()) log_info("node %s: SELinux is not enabled on this kernel: pod labels are recorded, not applied", A.ctx.name);
        r = pthread_create(&A.th, NULL, node_loop, NULL);
        if (r != 0) {
                pod_ctx_release(&A.ctx);
                return ocx_error_set(reterr, r, NULL, "cannot start the node agent thread");
        }
        A.started = true;
        log_info("node %s: agent started (bridge %s, pods under %s/pods)", A.ctx.name, A.ctx.net.bridge, A.ctx.base);
        return 0;
}

void node_stop(api_server *s, bool stop_pods) {
        (void)s;
        if (!A.started) return;
        A.stop = true;
        pthread_join(A.th, NULL);
        A.started = false;
        if (stop_pods) {
                /* one shared deadline: `cluster down` allows ocxd 10s in all */
                int64_t grace_max = 0;
                for (pod_rt *p = A.pods; p; p = p->next) {
                        int64_t grace = 30;
                        ocx_json_int(ocx_json_path(p->pod, "spec.terminationGracePeriodSeconds"), 0, 86400, &grace);
                        if (grace > grace_max) grace_max = grace;
                        pod_rt_kill(p, SIGTERM);
                }
                if (grace_max > 4) grace_max = 4;
                for (int waited = 0; waited < grace_max * 1000; waited += 20) {
                        int running = 0;
                        for (pod_rt *p = A.pods; p; p = p->next) {
                                pod_rt_poll(&A.ctx, p);
                                running += pod_rt_running(p);
                        }
                        if (!running) break;
                        struct timespec ts = {0, 20 * 1000 * 1000};
                        nanosleep(&ts, NULL);
                }
                for (pod_rt *p = A.pods; p; p = p->next) pod_rt_kill(p, SIGKILL);
                for (pod_rt *p = A.pods; p; p = p->next) {
                        pod_rt_wait_stopped(&A.ctx, p, 2000);
                        pod_rt_cleanup(&A.ctx, p);
                }
                net_remove_bridge(&A.ctx.net);
                log_info("node %s: stopped every pod and removed the pod network", A.ctx.name);
        } else {
                log_info("node %s: leaving %s pods running for the next ocxd", A.ctx.name, A.pods ? "its" : "no");
        }
        while (A.pods) {
                pod_rt *p = A.pods;
                A.pods = p->next;
                pod_rt_free(p);
        }
        probe_release_all();
        cg_shutdown(stop_pods);
        ev_release();
        pod_ctx_release(&A.ctx);
}
