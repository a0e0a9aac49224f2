/* ocxd node: resource limits through cgroups (see node/cgroup.h). */
#include "node/cgroup.h"
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include "ocx/buf.h"
#include "ocx/json.h"
#include "ocx/log.h"
#include "ocx/quantity.h"
#include "ocx/banned.h"

#define N_CTRL 3
static const char *const ctrl_names[N_CTRL] = {"memory", "cpu", "pids"};
enum { C_MEM, C_CPU, C_PIDS };

#define CFS_PERIOD_US 100000
#define DEFAULT_POD_PIDS 1024

static struct {
        cg_mode mode;
        char *node[N_CTRL]; /* node cgroup per controller (v2: all the same) */
        char *self[N_CTRL]; /* ocxd's own cgroup per controller */
        char *state_file;
} G;

/* ---- pure parts ------------------------------------------------------------ */

static int quantity_at(const cJSON *res, const char *section, const char *name, bool milli, int64_t *ret,
                       ocx_error **reterr) {
        const cJSON *v = ocx_json_get(ocx_json_get(res, section), name);
        *ret = 0;
        if (!v) return 0;
        _cleanup_free_ char *field = ocx_xasprintf("resources.%s.%s", section, name);
        int64_t q = 0;
        int r;
        if (cJSON_IsNumber(v)) {
                char buf[64];
                snprintf(buf, sizeof(buf), "%.17g", v->valuedouble);
                r = milli ? ocx_quantity_milli(buf, &q) : ocx_quantity_value(buf, &q);
        } else if (cJSON_IsString(v)) {
                r = milli ? ocx_quantity_milli(v->valuestring, &q) : ocx_quantity_value(v->valuestring, &q);
        } else {
                r = -EINVAL;
        }
        if (r < 0 || q < 0)
                return ocx_error_set(reterr, EINVAL, field, "%s: '%s' is not a valid quantity", field,
                                     cJSON_IsString(v) ? v->valuestring : "?");
        *ret = q;
        return 0;
}

int cg_limits_from_container(const cJSON *ctr, cg_limits *ret, ocx_error **reterr) {
        memset(ret, 0, sizeof(*ret));
        const cJSON *res = ocx_json_get(ctr, "resources");
        int64_t req = 0;
        int r = quantity_at(res, "limits", "memory", false, &ret->memory, reterr);
        if (r >= 0) r = quantity_at(res, "limits", "cpu", true, &ret->cpu_limit_m, reterr);
        if (r >= 0) r = quantity_at(res, "requests", "cpu", true, &req, reterr);
        if (r >= 0) r = quantity_at(res, "limits", "pids", false, &ret->pids, reterr);
        if (r < 0) return r;
        /* as Kubernetes: a limit without a request requests the limit */
        ret->cpu_request_m = ocx_json_get(ocx_json_get(res, "requests"), "cpu") ? req : ret->cpu_limit_m;
        return 0;
}

int64_t cg_cpu_shares(int64_t request_m) {
        if (request_m <= 0) return 2;
        int64_t s = request_m * 1024 / 1000;
        return s < 2 ? 2 : s > 262144 ? 262144 : s;
}

int64_t cg_cpu_quota_us(int64_t limit_m, int64_t period_us) {
        if (limit_m <= 0) return -1;
        int64_t q = limit_m * period_us / 1000;
        return q < 1000 ? 1000 : q;
}

const char *cg_qos_class(const cJSON *pod) {
        static const char *const lists[] = {"spec.initContainers", "spec.containers"};
        static const char *const res[] = {"cpu", "memory"};
        bool any = false, guaranteed = true;
        for (size_t l = 0; l < 2; l++) {
                const cJSON *c;
                cJSON_ArrayForEach(c, ocx_json_path(pod, lists[l])) {
                        const cJSON *lim = ocx_json_path(c, "resources.limits"),
                                    *rq = ocx_json_path(c, "resources.requests");
                        for (size_t i = 0; i < 2; i++) {
                                const cJSON *lv = ocx_json_get(lim, res[i]), *rv = ocx_json_get(rq, res[i]);
                                if (lv || rv) any = true;
                                if (!lv) {
                                        guaranteed = false;
                                        continue;
                                }
                                if (rv) {
                                        int64_t a, b;
                                        const char *ls = cJSON_IsString(lv) ? lv->valuestring : NULL;
                                        const char *rs = cJSON_IsString(rv) ? rv->valuestring : NULL;
                                        if (!ls || !rs || ocx_quantity_milli(ls, &a) < 0 ||
                                            ocx_quantity_milli(rs, &b) < 0 || a != b)
                                                guaranteed = false;
                                }
                        }
                }
        }
        return !any ? "BestEffort" : guaranteed ? "Guaranteed" : "Burstable";
}

/* ---- files ---------------------------------------------------------------------- */

static int write_file(const char *dir, const char *file, const char *value) {
        _cleanup_free_ char *p = ocx_xasprintf("%s/%s", dir, file);
        int fd = open(p, O_WRONLY | O_CLOEXEC);
        if (fd < 0) return -errno;
        size_t len = strlen(value);
        ssize_t n = write(fd, value, len);
        int r = n == (ssize_t)len ? 0 : n < 0 ? -errno : -EIO;
        close(fd);
        return r;
}

static int write_int(const char *dir, const char *file, int64_t v) {
        char buf[32];
        snprintf(buf, sizeof(buf), "%lld", (long long)v);
        return write_file(dir, file, buf);
}

/* "key N" in a flat keyed file (memory.oom_control, memory.events) */
static int64_t read_key(const char *dir, const char *file, const char *key) {
        _cleanup_free_ char *p = ocx_xasprintf("%s/%s", dir, file);
        _cleanup_free_ char *data = NULL;
        size_t n;
        if (ocx_read_file(p, 65536, &data, &n) < 0) return -1;
        size_t kl = strlen(key);
        for (char *line = data; line && *line;) {
                if (strncmp(line, key, kl) == 0 && line[kl] == ' ') return strtoll(line + kl + 1, NULL, 10);
                line = strchr(line, '\n');
                if (line) line++;
        }
        return -1;
}

static int mkdir_p(const char *path) {
        _cleanup_free_ char *buf = ocx_xstrdup(path);
        for (char *p = buf + 1; *p; p++) {
                if (*p != '/') continue;
                *p = 0;
                if (mkdir(buf, 0755) < 0 && errno != EEXIST) return -errno;
                *p = '/';
        }
        if (mkdir(buf, 0755) < 0 && errno != EEXIST) return -errno;
        return 0;
}

/* rmdir, retried while exiting processes still hold the cgroup */
static int rmdir_wait(const char *dir, int ms) {
        for (int waited = 0;; waited += 10) {
                if (rmdir(dir) == 0 || errno == ENOENT) return 0;
                if (errno != EBUSY || waited >= ms) return -errno;
                struct timespec ts = {0, 10000000L};
                nanosleep(&ts, NULL);
        }
}

/* rmdir of dir's child cgroups, then of dir */
static int rmdir_tree(const char *dir, int ms) {
        DIR *d = opendir(dir);
        if (!d) return errno == ENOENT ? 0 : -errno;
        struct dirent *de;
        while ((de = readdir(d))) {
                if (de->d_name[0] == '.' || de->d_type != DT_DIR) continue;
                _cleanup_free_ char *sub = ocx_xasprintf("%s/%s", dir, de->d_name);
                (void)rmdir_tree(sub, ms);
        }
        closedir(d);
        return rmdir_wait(dir, ms);
}

/* ---- discovery ---------------------------------------------------------------- */

/* The path of a v1 controller (or v2 when ctrl is "") in /proc/self/cgroup */
static char *self_path(const char *ctrl) {
        _cleanup_free_ char *data = NULL;
        size_t n;
        if (ocx_read_file("/proc/self/cgroup", 65536, &data, &n) < 0) return NULL;
        for (char *line = data; line && *line;) {
                char *end = strchr(line, '\n');
                if (end) *end = 0;
                char *c1 = strchr(line, ':');
                char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
                if (c2) {
                        *c2 = 0;
                        const char *list = c1 + 1;
                        bool match = false;
                        if (!*ctrl) {
                                match = !*list && strncmp(line, "0:", 2) == 0;
                        } else {
                                size_t cl = strlen(ctrl);
                                for (const char *p = list; *p;) {
                                        const char *comma = strchr(p, ',');
                                        size_t l = comma ? (size_t)(comma - p) : strlen(p);
                                        if (l == cl && strncmp(p, ctrl, cl) == 0) match = true;
                                        p += l + (comma ? 1 : 0);
                                }
                        }
                        if (match) return ocx_xstrdup(c2 + 1);
                }
                line = end ? end + 1 : NULL;
        }
        return NULL;
}

static bool has_words(const char *file, const char *const *words, size_t n) {
        _cleanup_free_ char *data = NULL;
        size_t len;
        if (ocx_read_file(file, 4096, &data, &len) < 0) return false;
        for (size_t i = 0; i < n; i++) {
                bool found = false;
                size_t wl = strlen(words[i]);
                for (const char *p = data; (p = strstr(p, words[i])); p += wl)
                        if ((p == data || p[-1] == ' ') && (p[wl] == ' ' || p[wl] == '\n' || !p[wl])) found = true;
                if (!found) return false;
        }
        return true;
}

static uint32_t fnv1a(const char *s) {
        uint32_t h = 2166136261u;
        for (; *s; s++) h = (h ^ (uint8_t)*s) * 16777619u;
        return h;
}

static void forget(void) {
        for (size_t i = 0; i < N_CTRL; i++) {
                free(G.node[i]);
                free(G.self[i]);
        }
        free(G.state_file);
        memset(&G, 0, sizeof(G));
}

static int load_state(void) {
        _cleanup_free_ char *data = NULL;
        size_t n;
        if (ocx_read_file(G.state_file, 16384, &data, &n) < 0) return -ENOENT;
        cg_mode mode = CG_NONE;
        char *node[N_CTRL] = {0};
        for (char *line = data; line && *line;) {
                char *end = strchr(line, '\n');
                if (end) *end = 0;
                if (ocx_streq(line, "v1"))
                        mode = CG_V1;
                else if (ocx_streq(line, "v2"))
                        mode = CG_V2;
                for (size_t i = 0; i < N_CTRL; i++) {
                        size_t l = strlen(ctrl_names[i]);
                        if (strncmp(line, ctrl_names[i], l) == 0 && line[l] == ' ' && line[l + 1] == '/' && !node[i])
                                node[i] = ocx_xstrdup(line + l + 1);
                }
                line = end ? end + 1 : NULL;
        }
        bool ok = mode != CG_NONE;
        for (size_t i = 0; i < N_CTRL; i++) ok = ok && node[i] && access(node[i], F_OK) == 0;
        if (!ok) {
                for (size_t i = 0; i < N_CTRL; i++) free(node[i]);
                return -ENOENT;
        }
        G.mode = mode;
        for (size_t i = 0; i < N_CTRL; i++) G.node[i] = node[i];
        return 0;
}

int cg_init(const char *run_dir, const char *base, ocx_error **reterr) {
        forget();
        const char *env = getenv("OCX_NODE_CGROUPS");
        if (ocx_streq(env, "none"))
                return ocx_error_set(reterr, ENOTSUP, NULL, "cgroups disabled (OCX_NODE_CGROUPS=none)");
        char real[PATH_MAX];
        _cleanup_free_ char *name = ocx_xasprintf("ocx-%08x", fnv1a(realpath(base, real) ? real : base));
        static const char *const want[] = {"memory", "cpu", "pids"};
        const char *v2mnt = NULL;
        if (has_words("/sys/fs/cgroup/cgroup.controllers", want, 3))
                v2mnt = "/sys/fs/cgroup";
        else if (has_words("/sys/fs/cgroup/unified/cgroup.controllers", want, 3))
                v2mnt = "/sys/fs/cgroup/unified";
        if (v2mnt && !ocx_streq(env, "v1")) {
                _cleanup_free_ char *sp = self_path("");
                G.mode = CG_V2;
                for (size_t i = 0; i < N_CTRL; i++) {
                        G.self[i] = ocx_xasprintf("%s%s", v2mnt, sp && strcmp(sp, "/") != 0 ? sp : "");
                }
        } else {
                G.mode = CG_V1;
                for (size_t i = 0; i < N_CTRL; i++) {
                        _cleanup_free_ char *sp = self_path(ctrl_names[i]);
                        _cleanup_free_ char *mnt = ocx_xasprintf("/sys/fs/cgroup/%s", ctrl_names[i]);
                        _cleanup_free_ char *tasks = ocx_xasprintf("%s/tasks", mnt);
                        if (!sp || access(tasks, W_OK) < 0) {
                                forget();
                                return ocx_error_set(reterr, ENOTSUP, NULL, "no usable cgroup v1 '%s' controller",
                                                     ctrl_names[i]);
                        }
                        G.self[i] = ocx_xasprintf("%s%s", mnt, strcmp(sp, "/") != 0 ? sp : "");
                }
        }
        G.state_file = ocx_xasprintf("%s/cgroups", run_dir);
        if (load_state() == 0) return 0; /* an earlier ocxd's node cgroup, with its pods */
        ocx_buf st;
        ocx_buf_init(&st, 16384);
        ocx_buf_puts(&st, G.mode == CG_V2 ? "v2\n" : "v1\n");
        for (size_t i = 0; i < N_CTRL; i++) {
                /* v2: at the top of the hierarchy (no internal processes below it) */
                G.node[i] =
                    G.mode == CG_V2 ? ocx_xasprintf("%s/%s", v2mnt, name) : ocx_xasprintf("%s/%s", G.self[i], name);
                int r = mkdir_p(G.node[i]);
                if (r < 0) {
                        ocx_buf_release(&st);
                        int e = -r;
                        char *d = ocx_xstrdup(G.node[i]);
                        forget();
                        r = ocx_error_set(reterr, e, NULL, "cannot create the cgroup '%s': %s", d, strerror(e));
                        free(d);
                        return r;
                }
                ocx_buf_printf(&st, "%s %s\n", ctrl_names[i], G.node[i]);
        }
        if (G.mode == CG_V2) {
                (void)write_file(v2mnt, "cgroup.subtree_control", "+memory +cpu +pids");
                (void)write_file(G.node[0], "cgroup.subtree_control", "+memory +cpu +pids");
        }
        (void)ocx_write_file_atomic(G.state_file, st.data, st.len, 0644);
        ocx_buf_release(&st);
        return 0;
}

cg_mode cg_get_mode(void) { return G.mode; }

static char *pod_dir(size_t i, const char *uid) { return ocx_xasprintf("%s/pod-%s", G.node[i], uid); }

char *cg_ctr_dir(const char *pod_uid, const char *ctr, const char *controller) {
        if (G.mode == CG_NONE) return NULL;
        for (size_t i = 0; i < N_CTRL; i++)
                if (ocx_streq(controller, ctrl_names[i])) return ocx_xasprintf("%s/pod-%s/%s", G.node[i], pod_uid, ctr);
        return NULL;
}

void cg_shutdown(bool remove_pods) {
        if (G.mode == CG_NONE) return;
        for (size_t i = 0; i < N_CTRL; i++) {
                if (G.mode == CG_V2 && i > 0) break;
                if (remove_pods)
                        (void)rmdir_tree(G.node[i], 500);
                else
                        (void)rmdir(G.node[i]); /* only when no pod is left */
        }
        if (remove_pods && access(G.node[0], F_OK) != 0) unlink(G.state_file);
        forget();
}

/* ---- containers ------------------------------------------------------------------- */

/* The node's limit (OCX_NODE_POD_PIDS_MAX, default 1024); the pod annotation
 * may only lower it: pod authors must not raise their own limit. */
static int64_t pod_pids_max(const cJSON *pod) {
        int64_t node = DEFAULT_POD_PIDS, n;
        const char *env = getenv("OCX_NODE_POD_PIDS_MAX");
        if (env && ocx_quantity_value(env, &n) == 0 && n > 0) node = n;
        const char *v = ocx_json_get_str(ocx_json_path(pod, "metadata.annotations"), "ocx.io/pids-limit");
        if (v && ocx_quantity_value(v, &n) == 0 && n > 0 && n < node) return n;
        return node;
}

static int64_t pod_cpu_request(const cJSON *pod) {
        int64_t sum = 0;
        const cJSON *c;
        cJSON_ArrayForEach(c, ocx_json_path(pod, "spec.containers")) {
                cg_limits l;
                if (cg_limits_from_container(c, &l, NULL) == 0) sum += l.cpu_request_m;
        }
        return sum;
}

static int move_self(const char *dir) { return write_file(dir, G.mode == CG_V1 ? "tasks" : "cgroup.procs", "0"); }

int cg_ctr_enter(const char *pod_uid, const cJSON *pod, const char *ctr, const cJSON *ctr_spec, cg_enter *e,
                 ocx_error **reterr) {
        memset(e, 0, sizeof(*e));
        const char *step = NULL;
        int r = cg_limits_from_container(ctr_spec, &e->lim, reterr);
        if (r < 0) return r;
        if (G.mode == CG_NONE) {
                if (e->lim.memory || e->lim.cpu_limit_m || e->lim.pids)
                        log_debug("container '%s': no cgroups on this node, limits not enforced", ctr);
                return 0;
        }
        bool v2 = G.mode == CG_V2;
        for (size_t i = 0; i < N_CTRL; i++) {
                if (v2 && i > 0) {
                        e->dirs[i] = ocx_xstrdup(e->dirs[0]);
                        continue;
                }
                _cleanup_free_ char *pd = pod_dir(i, pod_uid);
                bool fresh_pod = access(pd, F_OK) != 0;
                if ((r = mkdir_p(pd)) < 0) goto fail;
                if (fresh_pod || v2) {
                        if (v2) {
                                (void)write_file(pd, "cgroup.subtree_control", "+memory +cpu +pids");
                                (void)write_int(pd, "pids.max", pod_pids_max(pod));
                        } else if (i == C_PIDS) {
                                (void)write_int(pd, "pids.max", pod_pids_max(pod));
                        } else if (i == C_CPU) {
                                (void)write_int(pd, "cpu.shares", cg_cpu_shares(pod_cpu_request(pod)));
                        }
                }
                e->dirs[i] = ocx_xasprintf("%s/%s", pd, ctr);
                /* fresh per start: the OOM counter starts at 0 */
                (void)rmdir_wait(e->dirs[i], 200);
                if ((r = mkdir_p(e->dirs[i])) < 0) goto fail;
        }
        e->created = true;
        if (v2) {
                if (e->lim.memory) {
                        step = "memory.max";
                        if ((r = write_int(e->dirs[0], "memory.max", e->lim.memory)) < 0) goto fail;
                        (void)write_file(e->dirs[0], "memory.swap.max", "0");
                }
                int64_t w = 1 + ((cg_cpu_shares(e->lim.cpu_request_m) - 2) * 9999) / 262142;
                (void)write_int(e->dirs[0], "cpu.weight", w);
                if (e->lim.pids) {
                        step = "pids.max";
                        if ((r = write_int(e->dirs[0], "pids.max", e->lim.pids)) < 0) goto fail;
                }
                return 0;
        }
        if (e->lim.memory) {
                step = "memory.limit_in_bytes";
                if ((r = write_int(e->dirs[C_MEM], "memory.limit_in_bytes", e->lim.memory)) < 0) goto fail;
                (void)write_int(e->dirs[C_MEM], "memory.memsw.limit_in_bytes", e->lim.memory);
        }
        step = "cpu.shares";
        if ((r = write_int(e->dirs[C_CPU], "cpu.shares", cg_cpu_shares(e->lim.cpu_request_m))) < 0) goto fail;
        if (e->lim.pids) {
                step = "pids.max";
                if ((r = write_int(e->dirs[C_PIDS], "pids.max", e->lim.pids)) < 0) goto fail;
        }
        /* the fork of the monitor happens in the container cgroups */
        for (size_t i = 0; i < N_CTRL; i++) {
                step = "tasks";
                if ((r = move_self(e->dirs[i])) < 0) {
                        for (size_t j = 0; j < i; j++) (void)move_self(G.self[j]);
                        goto fail;
                }
        }
        e->moved = true;
        return 0;
fail : {
        int err = -r;
        ocx_error_set(reterr, err, NULL, "cgroup %s%s%s: %s", e->dirs[0] ? e->dirs[0] : G.node[0], step ? " " : "",
                      step ? step : "", strerror(err));
        cg_ctr_leave(e, 0, 0);
        return -err;
}
}

void cg_ctr_leave(cg_enter *e, pid_t monitor, pid_t pid) {
        if (e->moved)
                for (size_t i = 0; i < N_CTRL; i++) (void)move_self(G.self[i]);
        e->moved = false;
        if (G.mode != CG_NONE && e->created && (monitor > 0 || pid > 0)) {
                char buf[32];
                if (G.mode == CG_V1 && monitor > 0) {
                        /* the monitor stays out of the container's limits and of the OOM killer's choice */
                        snprintf(buf, sizeof(buf), "%d", (int)monitor);
                        for (size_t i = 0; i < N_CTRL; i++) (void)write_file(G.self[i], "cgroup.procs", buf);
                }
                if (G.mode == CG_V2 && pid > 0) {
                        snprintf(buf, sizeof(buf), "%d", (int)pid);
                        if (write_file(e->dirs[0], "cgroup.procs", buf) < 0)
                                log_warn("cannot move container pid %d into %s: %s", (int)pid, e->dirs[0],
                                         strerror(errno));
                }
                size_t ci = G.mode == CG_V2 ? 0 : C_CPU;
                if (e->lim.cpu_limit_m) {
                        if (G.mode == CG_V2) {
                                snprintf(buf, sizeof(buf), "%lld %d",
                                         (long long)cg_cpu_quota_us(e->lim.cpu_limit_m, CFS_PERIOD_US), CFS_PERIOD_US);
                                (void)write_file(e->dirs[ci], "cpu.max", buf);
                        } else {
                                (void)write_int(e->dirs[ci], "cpu.cfs_period_us", CFS_PERIOD_US);
                                (void)write_int(e->dirs[ci], "cpu.cfs_quota_us",
                                                cg_cpu_quota_us(e->lim.cpu_limit_m, CFS_PERIOD_US));
                        }
                }
        }
        if (G.mode != CG_NONE && e->created && monitor <= 0 && pid <= 0) {
                /* nothing started: do not leave an empty container cgroup behind */
                for (size_t i = 0; i < N_CTRL; i++)
                        if (e->dirs[i] && (G.mode == CG_V1 || i == 0)) (void)rmdir(e->dirs[i]);
        }
        for (size_t i = 0; i < N_CTRL; i++) {
                free(e->dirs[i]);
                e->dirs[i] = NULL;
        }
        e->created = false;
}

bool cg_ctr_oom_killed(const char *pod_uid, const char *ctr) {
        if (G.mode == CG_NONE) return false;
        _cleanup_free_ char *d = ocx_xasprintf("%s/pod-%s/%s", G.node[C_MEM], pod_uid, ctr);
        int64_t n =
            G.mode == CG_V2 ? read_key(d, "memory.events", "oom_kill") : read_key(d, "memory.oom_control", "oom_kill");
        return n > 0;
}

size_t cg_ctr_open_procs(const char *pod_uid, const char *ctr, int *fds, size_t max) {
        size_t n = 0;
        if (G.mode == CG_NONE) return 0;
        for (size_t i = 0; i < N_CTRL && n < max; i++) {
                if (G.mode == CG_V2 && i > 0) break;
                _cleanup_free_ char *p = ocx_xasprintf("%s/pod-%s/%s/cgroup.procs", G.node[i], pod_uid, ctr);
                int fd = open(p, O_WRONLY | O_CLOEXEC);
                if (fd >= 0) fds[n++] = fd;
        }
        return n;
}

void cg_pod_remove(const char *pod_uid) {
        if (G.mode == CG_NONE) return;
        for (size_t i = 0; i < N_CTRL; i++) {
                if (G.mode == CG_V2 && i > 0) break;
                _cleanup_free_ char *pd = pod_dir(i, pod_uid);
                int r = rmdir_tree(pd, 500);
                if (r < 0) log_warn("cannot remove the cgroup '%s': %s", pd, strerror(-r));
        }
}
