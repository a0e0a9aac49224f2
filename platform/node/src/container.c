/* ocxd node: from a pod's container spec to rt_start (see node/pod.h).
 *
 * Images: "ocx-rootfs:/abs/dir" uses the directory as the single read-only
 * lower layer (no config: the pod must give a command); anything else goes
 * through imagestreams' img_pull into BASE (layers + config). */
#include <ftw.h>
#include <stdio.h>
#include <sys/stat.h>
#include "imagestreams/pull.h"
#include "node/apiaccess.h"
#include "node/cgroup.h"
#include "node/events.h"
#include "node/pod.h"
#include "node/runtime.h"
#include "node/volumes.h"
#include "ocx/buf.h"
#include "ocx/json.h"
#include "ocx/log.h"
#include "scc/enforce.h"
#include "ocx/banned.h"


#define ROOTFS_PREFIX "ocx-rootfs:"
#define MAX_ARGS 1024
#define MAX_ENV 1024

typedef struct strv {
        char **v;
        size_t n, cap;
} strv;

static void strv_add(strv *s, char *owned) {
        if (s->n + 2 > s->cap) {
                s->cap = s->cap ? s->cap * 2 : 16;
                s->v = ocx_xrealloc(s->v, s->cap * sizeof(char *));
        }
        s->v[s->n++] = owned;
        s->v[s->n] = NULL;
}

static void strv_release(strv *s) {
        for (size_t i = 0; i < s->n; i++) free(s->v[i]);
        free(s->v);
        memset(s, 0, sizeof(*s));
}

static void strv_add_json(strv *s, const cJSON *arr, size_t max) {
        const cJSON *a;
        cJSON_ArrayForEach(a, arr) if (cJSON_IsString(a) && s->n < max) strv_add(s, ocx_xstrdup(a->valuestring));
}

static void strv_add_vec(strv *s, char *const *v, size_t max) {
        for (size_t i = 0; v && v[i] && s->n < max; i++) strv_add(s, ocx_xstrdup(v[i]));
}

/* KEY=value, replacing an earlier KEY */
static void env_set(strv *env, const char *key, const char *value) {
        size_t kl = strlen(key);
        char *kv = ocx_xasprintf("%s=%s", key, value ? value : "");
        for (size_t i = 0; i < env->n; i++)
                if (strncmp(env->v[i], key, kl) == 0 && env->v[i][kl] == '=') {
                        free(env->v[i]);
                        env->v[i] = kv;
                        return;
                }
        if (env->n < MAX_ENV) strv_add(env, kv);
        else free(kv);
}

static bool env_has(const strv *env, const char *key) {
        size_t kl = strlen(key);
        for (size_t i = 0; i < env->n; i++)
                if (strncmp(env->v[i], key, kl) == 0 && env->v[i][kl] == '=') return true;
        return false;
}

static const cJSON *find_spec(const pod_rt *p, const ctr_rt *c) {
        const cJSON *s;
        cJSON_ArrayForEach(s, ocx_json_path(p->pod, c->init ? "spec.initContainers" : "spec.containers"))
                if (ocx_streq(ocx_json_get_str(s, "name"), c->name)) return s;
        return NULL;
}

static const char *field_ref(const pod_rt *p, const char *path) {
        if (ocx_streq(path, "metadata.name")) return p->name;
        if (ocx_streq(path, "metadata.namespace")) return p->ns;
        if (ocx_streq(path, "metadata.uid")) return p->uid;
        if (ocx_streq(path, "spec.nodeName")) return ocx_json_path_str(p->pod, "spec.nodeName");
        if (ocx_streq(path, "spec.serviceAccountName")) return ocx_json_path_str(p->pod, "spec.serviceAccountName");
        return NULL;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *f) {
        (void)st;
        (void)f;
        if (flag == FTW_DP) rmdir(path);
        else unlink(path);
        return 0;
}

int ctr_start(node_ctx *x, pod_rt *p, ctr_rt *c, ocx_error **reterr) {
        const cJSON *spec = find_spec(p, c);
        if (!spec) return ocx_error_set(reterr, EINVAL, NULL, "container '%s' is not in the pod spec", c->name);
        /* image */
        img_pulled *pulled = NULL;
        const char *lower_one[1];
        const char *const *lowers = lower_one;
        size_t n_lowers = 1;
        _cleanup_free_ const char **rev = NULL;
        if (ocx_startswith(c->image, ROOTFS_PREFIX)) {
                lower_one[0] = c->image + strlen(ROOTFS_PREFIX);
                struct stat st;
                if (lower_one[0][0] != '/' || stat(lower_one[0], &st) < 0 || !S_ISDIR(st.st_mode))
                        return ocx_error_set(reterr, ENOENT, NULL, "image '%s': not a directory", c->image);
                ev_pod(p->pod, c->name, EV_KUBELET, "Normal", "Pulled", "Container image \"%s\" already present on machine", c->image);
        } else {
                ev_pod(p->pod, c->name, EV_KUBELET, "Normal", "Pulling", "Pulling image \"%s\"", c->image);
                struct timespec t0, t1;
                clock_gettime(CLOCK_MONOTONIC, &t0);
                int r = img_pull(x->base, c->image, &pulled, reterr);
                clock_gettime(CLOCK_MONOTONIC, &t1);
                if (r >= 0)
                        ev_pod(p->pod, c->name, EV_KUBELET, "Normal", "Pulled", "Successfully pulled image \"%s\" in %.3fs", c->image,
                               (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
                else
                        ev_pod(p->pod, c->name, EV_KUBELET, "Warning", "Failed", "Failed to pull image \"%s\": %s", c->image,
                               reterr && *reterr ? (*reterr)->message : strerror(-r));
                if (r < 0) {
                        ocx_error_wrap(reterr, "image '%s'", c->image);
                        return -ENOENT;
                }
                if (pulled->n_layers == 0) {
                        img_pulled_free(pulled);
                        return ocx_error_set(reterr, ENOENT, NULL, "image '%s' has no layers", c->image);
                }
                rev = ocx_xcalloc(pulled->n_layers, sizeof(char *));
                for (size_t i = 0; i < pulled->n_layers; i++) rev[i] = pulled->layers[pulled->n_layers - 1 - i];
                lowers = rev;
                n_lowers = pulled->n_layers;
        }
        const img_config *cfg = pulled ? &pulled->config : NULL;
        _cleanup_free_ char *profiles = NULL, *rootfs = NULL, *upper = NULL, *work = NULL, *log = NULL, *prev = NULL,
                            *netns = NULL, *podf = NULL, *podj = NULL;
        int r = 0;
        strv argv = {0}, env = {0};
        scc_exec_context sc = {0};
        scc_enforcement *enf = NULL;
        rt_mount mounts[64];
        size_t n_mounts = 0;
        char *mount_src[64] = {0};
        /* security context */
        r = scc_exec_context_from_pod(p->pod, c->name, &sc, reterr);
        if (r >= 0) r = scc_exec_context_resolve_user(&sc, cfg ? cfg->user : NULL, reterr);
        profiles = ocx_xasprintf("%s/seccomp", x->base);
        if (r >= 0) r = scc_enforce_prepare(&sc, profiles, &enf, reterr);
        if (r < 0) {
                r = -EINVAL;
                goto out;
        }
        /* command: command+args, else entrypoint + (args or cmd) */
        const cJSON *cmd = ocx_json_get(spec, "command"), *args = ocx_json_get(spec, "args");
        if (cJSON_GetArraySize(cmd) > 0) strv_add_json(&argv, cmd, MAX_ARGS);
        else if (cfg) strv_add_vec(&argv, cfg->entrypoint, MAX_ARGS);
        if (cJSON_GetArraySize(args) > 0) strv_add_json(&argv, args, MAX_ARGS);
        else if (cJSON_GetArraySize(cmd) == 0 && cfg) strv_add_vec(&argv, cfg->cmd, MAX_ARGS);
        if (argv.n == 0) {
                r = ocx_error_set(reterr, EINVAL, NULL, "no command specified");
                goto out;
        }
        /* environment from scratch: PATH, image, HOSTNAME, service env, pod env, HOME */
        env_set(&env, "PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        for (size_t i = 0; cfg && cfg->env && cfg->env[i]; i++) {
                const char *eq = strchr(cfg->env[i], '=');
                if (!eq) continue;
                _cleanup_free_ char *k = ocx_xstrndup(cfg->env[i], (size_t)(eq - cfg->env[i]));
                env_set(&env, k, eq + 1);
        }
        env_set(&env, "HOSTNAME", ocx_json_path_str(p->pod, "spec.hostname") ? ocx_json_path_str(p->pod, "spec.hostname") : p->name);
        char gw[16];
        net_ip_str(x->net.gateway, gw);
        const char *kh = apiaccess_service_host(), *kp = apiaccess_service_port();
        env_set(&env, "KUBERNETES_SERVICE_HOST", kh ? kh : gw);
        env_set(&env, "KUBERNETES_SERVICE_PORT", kp ? kp : x->api_port);
        env_set(&env, "KUBERNETES_SERVICE_PORT_HTTPS", kp ? kp : x->api_port);
        const cJSON *e;
        cJSON_ArrayForEach(e, ocx_json_get(spec, "env")) {
                const char *k = ocx_json_get_str(e, "name");
                if (!k || !*k) continue;
                const char *v = ocx_json_get_str(e, "value");
                const char *fp = ocx_json_path_str(e, "valueFrom.fieldRef.fieldPath");
                char ipbuf[16];
                if (fp && ocx_streq(fp, "status.podIP")) {
                        net_ip_str(p->ip, ipbuf);
                        v = ipbuf;
                } else if (fp) {
                        v = field_ref(p, fp);
                }
                env_set(&env, k, v ? v : "");
        }
        if (!env_has(&env, "HOME")) env_set(&env, "HOME", sc.uid == 0 ? "/root" : "/");
        /* mounts: /etc files, then volumeMounts */
        static const char *const etc[] = {"hosts", "resolv.conf", "hostname"};
        for (size_t i = 0; i < OCX_ARRAY_SIZE(etc); i++) {
                mount_src[n_mounts] = ocx_xasprintf("%s/%s", p->pod_dir, etc[i]);
                _cleanup_free_ char *want = ocx_xasprintf("/etc/%s", etc[i]);
                char *t = vol_resolve_in_root(lowers, n_lowers, want);
                mounts[n_mounts] = (rt_mount){mount_src[n_mounts], t, false};
                n_mounts++;
        }
        /* configMap/secret/downwardAPI/projected files are rewritten on a restart (node/volumes.h) */
        if (c->restarts > 0) {
                char ipb[16] = "";
                if (p->ip) net_ip_str(p->ip, ipb);
                _cleanup_error_ ocx_error *ve = NULL;
                if (vol_pod_prepare(p->pod, p->pod_dir, ipb, true, &ve) < 0)
                        log_warn("pod %s/%s: keeping the previous volume files: %s", p->ns, p->name, ve ? ve->message : "failed");
        }
        const cJSON *vm;
        cJSON_ArrayForEach(vm, ocx_json_get(spec, "volumeMounts")) {
                const char *vn = ocx_json_get_str(vm, "name"), *mp = ocx_json_get_str(vm, "mountPath");
                if (!vn || !mp || mp[0] != '/' || n_mounts >= OCX_ARRAY_SIZE(mounts)) continue;
                const cJSON *vol = NULL, *v;
                cJSON_ArrayForEach(v, ocx_json_path(p->pod, "spec.volumes")) if (ocx_streq(ocx_json_get_str(v, "name"), vn)) vol = v;
                char *src = NULL;
                bool ro = cJSON_IsTrue(ocx_json_get(vm, "readOnly"));
                const char *sub = ocx_json_get_str(vm, "subPath");
                int verr = 0;
                if (sub && *sub && !(vol && vol_is_file_volume(vol))) {
                        r = ocx_error_set(reterr, EINVAL, NULL, "volume '%s': subPath is supported for configMap, secret, downwardAPI and projected volumes only", vn);
                        goto out;
                }
                if (vol && ocx_json_get(vol, "emptyDir")) src = ocx_xasprintf("%s/volumes/%s", p->pod_dir, vn);
                else if (vol && ocx_json_path_str(vol, "hostPath.path")) {
                        if ((r = vol_host_path_check(vol, reterr)) < 0) goto out;
                        src = ocx_xstrdup(ocx_json_path_str(vol, "hostPath.path"));
                } else if (vol && vol_is_file_volume(vol)) {
                        src = vol_mount_source(p->pod_dir, vol, sub, &verr);
                        ro = true;
                        if (verr < 0) {
                                r = ocx_error_set(reterr, EINVAL, NULL, "volume '%s': invalid subPath '%s'", vn, sub ? sub : "");
                                goto out;
                        }
                }
                if (!src) {
                        r = ocx_error_set(reterr, EINVAL, NULL, "volume '%s' is missing or of an unsupported type", vn);
                        goto out;
                }
                mount_src[n_mounts] = src;
                mounts[n_mounts] = (rt_mount){src, vol_resolve_in_root(lowers, n_lowers, mp), ro};
                n_mounts++;
        }
        /* the service-account token, unless automountServiceAccountToken is false */
        char *sa_src = vol_sa_mount_source(p->pod_dir, spec);
        if (sa_src && n_mounts < OCX_ARRAY_SIZE(mounts)) {
                mount_src[n_mounts] = sa_src;
                mounts[n_mounts] = (rt_mount){sa_src, vol_resolve_in_root(lowers, n_lowers, VOL_SA_MOUNT_PATH), true};
                n_mounts++;
        } else {
                free(sa_src);
        }
        /* a fresh writable layer per start; the previous log is kept */
        rootfs = ocx_xasprintf("%s/rootfs/%s", p->pod_dir, c->name);
        upper = ocx_xasprintf("%s/upper", rootfs);
        work = ocx_xasprintf("%s/work", rootfs);
        (void)nftw(upper, rm_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
        (void)nftw(work, rm_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
        log = ocx_xasprintf("%s/%s.log", p->pod_dir, c->name);
        prev = ocx_xasprintf("%s/%s.previous.log", p->pod_dir, c->name);
        if (c->restarts > 0) (void)rename(log, prev);
        else (void)unlink(log);
        netns = p->host_network ? NULL : ocx_xasprintf("/run/netns/%s", p->netns);
        const char *wd = ocx_json_get_str(spec, "workingDir");
        if ((!wd || !*wd) && cfg) wd = cfg->working_dir;
        rt_spec rs = {
                .name = c->name,
                .state_dir = p->state_dir,
                .lowers = lowers,
                .n_lowers = n_lowers,
                .rootfs_dir = rootfs,
                .read_only_root = sc.read_only_root,
                .privileged = sc.privileged,
                .argv = argv.v,
                .envp = env.v,
                .cwd = wd,
                .hostname = ocx_json_path_str(p->pod, "spec.hostname") ? ocx_json_path_str(p->pod, "spec.hostname") : p->name,
                .netns_path = netns,
                .log_path = log,
                .mounts = mounts,
                .n_mounts = n_mounts,
                .enforcement = enf,
        };
        if (p->host_network) rs.hostname = NULL;
        /* the pod JSON next to the pid files: `ocxd node-exec` reads it */
        podf = ocx_xasprintf("%s/pod.json", p->state_dir);
        podj = ocx_json_print(p->pod);
        (void)ocx_write_file_atomic(podf, podj, strlen(podj), 0600);
        /* resource limits: the container starts inside its cgroups (node/cgroup.h) */
        cg_enter cge;
        r = cg_ctr_enter(p->uid, p->pod, c->name, spec, &cge, reterr);
        if (r < 0) {
                if (r != -EINVAL) r = -EIO;
                goto out;
        }
        c->monitor = 0;
        r = rt_start(&rs, &c->pid, &c->monitor, reterr);
        cg_ctr_leave(&cge, c->monitor, r < 0 ? 0 : c->pid);
        if (r < 0) r = -EIO;
out:
        for (size_t i = 0; i < n_mounts; i++) {
                free(mount_src[i]);
                free((char *)mounts[i].target);
        }
        strv_release(&argv);
        strv_release(&env);
        scc_enforcement_free(enf);
        scc_exec_context_release(&sc);
        if (pulled) img_pulled_free(pulled);
        return r;
}
