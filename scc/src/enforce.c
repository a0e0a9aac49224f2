/* scc enforcer: effective security context from a pod, and its application
 * in a child about to execve (see scc/enforce.h). */
#include "scc/enforce.h"
#include <ctype.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <seccomp.h>
#include <selinux/selinux.h>
#include "ocx/buf.h"
#include "ocx/json.h"
#include "ocx/banned.h"

OCX_DEFINE_CLEANUP_FUNC(cap_t, cap_free)

struct scc_enforcement {
        bool set_ids;
        uid_t uid;
        gid_t gid;
        size_t n_groups;
        gid_t groups[SCC_MAX_GROUPS + 1];
        uint64_t keep;    /* kept capabilities: bounding, and permitted/effective for root */
        uint64_t ambient; /* raised as ambient (non-root) */
        int last_cap;
        cap_t caps; /* the sets installed after the id change */
        bool nnp;
        scmp_filter_ctx filter; /* NULL: no seccomp */
        char *selinux_label;    /* applied only when SELinux is enabled */
};

static const char *const default_caps[] = {"CHOWN",  "DAC_OVERRIDE", "FSETID",           "FOWNER", "SETGID",
                                           "SETUID", "SETPCAP",      "NET_BIND_SERVICE", "KILL"};

bool scc_selinux_available(void) { return is_selinux_enabled() > 0; }

int scc_cap_from_name(const char *name) {
        if (!name || !*name || strlen(name) > 40) return -EINVAL;
        char buf[48];
        const char *n = name;
        if (strncasecmp(n, "CAP_", 4) == 0) n += 4;
        int len = snprintf(buf, sizeof(buf), "cap_%s", n);
        for (int i = 0; i < len; i++) buf[i] = (char)tolower((unsigned char)buf[i]);
        cap_value_t v;
        if (cap_from_name(buf, &v) < 0 || v < 0 || v > 63) return -EINVAL;
        return (int)v;
}

/* ---- reading the pod ---------------------------------------------------- */

static const cJSON *find_container(const cJSON *pod, const char *name) {
        static const char *const lists[] = {"spec.containers", "spec.initContainers"};
        for (size_t i = 0; i < OCX_ARRAY_SIZE(lists); i++) {
                const cJSON *c;
                cJSON_ArrayForEach(c, ocx_json_path(pod, lists[i])) if (ocx_streq(ocx_json_get_str(c, "name"), name)) return c;
        }
        return NULL;
}

/* container value, else pod value */
static const cJSON *eff(const cJSON *csc, const cJSON *psc, const char *key) {
        const cJSON *v = ocx_json_get(csc, key);
        if (v && !cJSON_IsNull(v)) return v;
        v = ocx_json_get(psc, key);
        return v && !cJSON_IsNull(v) ? v : NULL;
}

static int read_id(const cJSON *v, const char *path, bool *has, uint32_t *ret, ocx_error **reterr) {
        if (!v) return 0;
        int64_t x;
        if (ocx_json_int(v, 0, UINT32_MAX - 1, &x) < 0)
                return ocx_error_set(reterr, EINVAL, path, "must be an id between 0 and 4294967294");
        *has = true;
        *ret = (uint32_t)x;
        return 0;
}

static int read_strv(const cJSON *arr, const char *path, char ***ret, ocx_error **reterr) {
        if (!arr || cJSON_IsNull(arr)) return 0;
        if (!cJSON_IsArray(arr)) return ocx_error_set(reterr, EINVAL, path, "must be a list of strings");
        int n = cJSON_GetArraySize(arr);
        if (n > SCC_MAX_CAPS) return ocx_error_set(reterr, EINVAL, path, "too many entries");
        char **v = ocx_xcalloc((size_t)n + 1, sizeof(char *));
        int i = 0;
        const cJSON *s;
        cJSON_ArrayForEach(s, arr) {
                if (!cJSON_IsString(s)) {
                        for (int j = 0; j < i; j++) free(v[j]);
                        free(v);
                        return ocx_error_set(reterr, EINVAL, path, "must be a list of strings");
                }
                v[i++] = ocx_xstrdup(s->valuestring);
        }
        *ret = v;
        return 0;
}

static char *profile_from_field(const cJSON *sp) {
        const char *t = ocx_json_get_str(sp, "type");
        if (ocx_streq(t, "RuntimeDefault")) return ocx_xstrdup("runtime/default");
        if (ocx_streq(t, "Unconfined")) return ocx_xstrdup("unconfined");
        if (ocx_streq(t, "Localhost")) {
                const char *lp = ocx_json_get_str(sp, "localhostProfile");
                return ocx_xasprintf("localhost/%s", lp ? lp : "");
        }
        return NULL;
}

int scc_exec_context_from_pod(const cJSON *pod, const char *container, scc_exec_context *ret, ocx_error **reterr) {
        _cleanup_free_ char *ckey = NULL;
        memset(ret, 0, sizeof(*ret));
        ret->allow_privilege_escalation = -1;
        const cJSON *c = find_container(pod, container);
        if (!c) return ocx_error_set(reterr, ENOENT, NULL, "container '%s' not found in the pod", container);
        const cJSON *csc = ocx_json_get(c, "securityContext");
        const cJSON *psc = ocx_json_path(pod, "spec.securityContext");
        int r = read_id(eff(csc, psc, "runAsUser"), "securityContext.runAsUser", &ret->has_uid, &ret->uid, reterr);
        if (r >= 0) r = read_id(eff(csc, psc, "runAsGroup"), "securityContext.runAsGroup", &ret->has_gid, &ret->gid, reterr);
        bool has_fs = false;
        if (r >= 0) r = read_id(ocx_json_get(psc, "fsGroup"), "spec.securityContext.fsGroup", &has_fs, &ret->fs_group, reterr);
        ret->has_fs_group = has_fs;
        if (r < 0) goto fail;
        const cJSON *nr = eff(csc, psc, "runAsNonRoot");
        ret->run_as_non_root = cJSON_IsTrue(nr);
        const cJSON *g;
        cJSON_ArrayForEach(g, ocx_json_get(psc, "supplementalGroups")) {
                bool h = false;
                uint32_t v = 0;
                r = read_id(g, "spec.securityContext.supplementalGroups", &h, &v, reterr);
                if (r < 0) goto fail;
                if (ret->n_groups < SCC_MAX_GROUPS) ret->groups[ret->n_groups++] = v;
        }
        if (has_fs && ret->n_groups < SCC_MAX_GROUPS) ret->groups[ret->n_groups++] = ret->fs_group;
        r = read_strv(ocx_json_path(csc, "capabilities.add"), "securityContext.capabilities.add", &ret->cap_add, reterr);
        if (r >= 0)
                r = read_strv(ocx_json_path(csc, "capabilities.drop"), "securityContext.capabilities.drop", &ret->cap_drop, reterr);
        if (r < 0) goto fail;
        ret->privileged = cJSON_IsTrue(ocx_json_get(csc, "privileged"));
        const cJSON *ape = ocx_json_get(csc, "allowPrivilegeEscalation");
        if (cJSON_IsBool(ape)) ret->allow_privilege_escalation = cJSON_IsTrue(ape) ? 1 : 0;
        ret->read_only_root = cJSON_IsTrue(ocx_json_get(csc, "readOnlyRootFilesystem"));
        /* seccomp: container field, container annotation, pod field, pod annotation */
        const cJSON *ann = ocx_json_path(pod, "metadata.annotations");
        ckey = ocx_xasprintf("container.seccomp.security.alpha.kubernetes.io/%s", container);
        ret->seccomp = profile_from_field(ocx_json_get(csc, "seccompProfile"));
        if (!ret->seccomp && ocx_json_get_str(ann, ckey) && *ocx_json_get_str(ann, ckey))
                ret->seccomp = ocx_xstrdup(ocx_json_get_str(ann, ckey));
        if (!ret->seccomp) ret->seccomp = profile_from_field(ocx_json_get(psc, "seccompProfile"));
        const char *pa = ocx_json_get_str(ann, "seccomp.security.alpha.kubernetes.io/pod");
        if (!ret->seccomp && pa && *pa) ret->seccomp = ocx_xstrdup(pa);
        const cJSON *se = eff(csc, psc, "seLinuxOptions");
        if (se) {
                const char *u = ocx_json_get_str(se, "user"), *ro = ocx_json_get_str(se, "role"),
                           *t = ocx_json_get_str(se, "type"), *l = ocx_json_get_str(se, "level");
                if ((u && *u) || (ro && *ro) || (t && *t) || (l && *l))
                        ret->selinux_label = ocx_xasprintf("%s:%s:%s:%s", u && *u ? u : "system_u", ro && *ro ? ro : "system_r",
                                                           t && *t ? t : "container_t", l && *l ? l : "s0");
        }
        return 0;
fail:
        scc_exec_context_release(ret);
        return r;
}

static char **strv_free(char **v) {
        for (size_t i = 0; v && v[i]; i++) free(v[i]);
        free(v);
        return NULL;
}

void scc_exec_context_release(scc_exec_context *c) {
        if (!c) return;
        c->cap_add = strv_free(c->cap_add);
        c->cap_drop = strv_free(c->cap_drop);
        free(c->seccomp);
        free(c->selinux_label);
        c->seccomp = c->selinux_label = NULL;
}

static int parse_uint32(const char *s, size_t n, uint32_t *ret) {
        if (n == 0 || n > 10) return -EINVAL;
        uint64_t v = 0;
        for (size_t i = 0; i < n; i++) {
                if (!isdigit((unsigned char)s[i])) return -EINVAL;
                v = v * 10 + (uint64_t)(s[i] - '0');
        }
        if (v >= UINT32_MAX) return -EINVAL;
        *ret = (uint32_t)v;
        return 0;
}

int scc_exec_context_resolve_user(scc_exec_context *c, const char *image_user, ocx_error **reterr) {
        if (!c->has_uid && image_user && *image_user) {
                const char *colon = strchr(image_user, ':');
                size_t ulen = colon ? (size_t)(colon - image_user) : strlen(image_user);
                if (parse_uint32(image_user, ulen, &c->uid) < 0)
                        return ocx_error_set(reterr, EINVAL, NULL,
                                             "image user '%s' is not numeric and the image has no user database lookup", image_user);
                c->has_uid = true;
                if (colon && !c->has_gid) {
                        if (parse_uint32(colon + 1, strlen(colon + 1), &c->gid) < 0)
                                return ocx_error_set(reterr, EINVAL, NULL, "image group in '%s' is not numeric", image_user);
                        c->has_gid = true;
                }
        }
        if (!c->has_uid) {
                c->uid = 0;
                c->has_uid = true;
        }
        if (!c->has_gid) {
                c->gid = 0;
                c->has_gid = true;
        }
        if (c->run_as_non_root && c->uid == 0)
                return ocx_error_set(reterr, EPERM, NULL, "container has runAsNonRoot and image will run as root");
        return 0;
}

/* ---- seccomp ------------------------------------------------------------- */

static const char *const denied_always[] = {
        "keyctl", "add_key", "request_key", "bpf", "perf_event_open", "kexec_load", "kexec_file_load",
        "userfaultfd", "open_by_handle_at", "lookup_dcookie", "nfsservctl", "uselib", "sysfs", "_sysctl",
        "create_module", "get_kernel_syms", "query_module", "vm86", "vm86old", "fanotify_init",
        "io_pgetevents"};
static const char *const denied_sys_admin[] = {"mount", "umount", "umount2", "unshare", "setns", "pivot_root",
                                               "quotactl", "fsopen", "fsconfig", "fsmount", "fspick", "move_mount",
                                               "open_tree", "mount_setattr", "name_to_handle_at", "vhangup", "swapon",
                                               "swapoff", "setdomainname", "sethostname"};
static const char *const denied_ptrace[] = {"ptrace", "process_vm_readv", "process_vm_writev", "kcmp"};
static const char *const denied_module[] = {"init_module", "finit_module", "delete_module"};
static const char *const denied_boot[] = {"reboot"};
static const char *const denied_time[] = {"clock_settime", "clock_adjtime", "settimeofday", "adjtimex", "stime"};
static const char *const denied_pacct[] = {"acct"};
static const char *const denied_rawio[] = {"iopl", "ioperm"};
static const char *const denied_syslog[] = {"syslog"};

static int deny(scmp_filter_ctx f, const char *const *names, size_t n) {
        for (size_t i = 0; i < n; i++) {
                int nr = seccomp_syscall_resolve_name(names[i]);
                if (nr == __NR_SCMP_ERROR) continue; /* not on this architecture */
                int r = seccomp_rule_add(f, SCMP_ACT_ERRNO(EPERM), nr, 0);
                if (r < 0 && r != -EEXIST) return r;
        }
        return 0;
}

#define CAPBIT(c) (1ULL << (c))

static int build_runtime_default(uint64_t keep, scmp_filter_ctx f) {
        int r = deny(f, denied_always, OCX_ARRAY_SIZE(denied_always));
        if (r >= 0 && !(keep & CAPBIT(CAP_SYS_ADMIN))) {
                r = deny(f, denied_sys_admin, OCX_ARRAY_SIZE(denied_sys_admin));
                /* new namespaces through clone(2) only with CAP_SYS_ADMIN: one rule per
                 * flag, as libseccomp ORs the rules of one syscall */
                static const uint64_t nsflags[] = {CLONE_NEWNS,  CLONE_NEWUTS, CLONE_NEWIPC,   CLONE_NEWUSER,
                                                   CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWCGROUP};
                for (size_t i = 0; r >= 0 && i < OCX_ARRAY_SIZE(nsflags); i++)
                        r = seccomp_rule_add(f, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
                                             SCMP_A0(SCMP_CMP_MASKED_EQ, nsflags[i], nsflags[i]));
        }
        if (r >= 0 && !(keep & CAPBIT(CAP_SYS_PTRACE))) r = deny(f, denied_ptrace, OCX_ARRAY_SIZE(denied_ptrace));
        if (r >= 0 && !(keep & CAPBIT(CAP_SYS_MODULE))) r = deny(f, denied_module, OCX_ARRAY_SIZE(denied_module));
        if (r >= 0 && !(keep & CAPBIT(CAP_SYS_BOOT))) r = deny(f, denied_boot, OCX_ARRAY_SIZE(denied_boot));
        if (r >= 0 && !(keep & CAPBIT(CAP_SYS_TIME))) r = deny(f, denied_time, OCX_ARRAY_SIZE(denied_time));
        if (r >= 0 && !(keep & CAPBIT(CAP_SYS_PACCT))) r = deny(f, denied_pacct, OCX_ARRAY_SIZE(denied_pacct));
        if (r >= 0 && !(keep & CAPBIT(CAP_SYS_RAWIO))) r = deny(f, denied_rawio, OCX_ARRAY_SIZE(denied_rawio));
        if (r >= 0 && !(keep & CAPBIT(CAP_SYSLOG))) r = deny(f, denied_syslog, OCX_ARRAY_SIZE(denied_syslog));
        /* clone3 passes flags in memory seccomp cannot read: ENOSYS makes libc fall back to clone */
        if (r >= 0) r = seccomp_rule_add(f, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
        return r < 0 ? r : 0;
}

static int parse_action(const char *a, int64_t errno_ret, uint32_t *ret) {
        if (ocx_streq(a, "SCMP_ACT_ALLOW")) *ret = SCMP_ACT_ALLOW;
        else if (ocx_streq(a, "SCMP_ACT_ERRNO")) *ret = SCMP_ACT_ERRNO((uint16_t)errno_ret);
        else if (ocx_streq(a, "SCMP_ACT_KILL") || ocx_streq(a, "SCMP_ACT_KILL_THREAD")) *ret = SCMP_ACT_KILL;
        else if (ocx_streq(a, "SCMP_ACT_KILL_PROCESS")) *ret = SCMP_ACT_KILL_PROCESS;
        else if (ocx_streq(a, "SCMP_ACT_TRAP")) *ret = SCMP_ACT_TRAP;
        else if (ocx_streq(a, "SCMP_ACT_LOG")) *ret = SCMP_ACT_LOG;
        else return -EINVAL;
        return 0;
}

static int parse_op(const char *o, enum scmp_compare *ret) {
        static const struct {
                const char *name;
                enum scmp_compare op;
        } ops[] = {{"SCMP_CMP_NE", SCMP_CMP_NE}, {"SCMP_CMP_LT", SCMP_CMP_LT}, {"SCMP_CMP_LE", SCMP_CMP_LE},
                   {"SCMP_CMP_EQ", SCMP_CMP_EQ}, {"SCMP_CMP_GE", SCMP_CMP_GE}, {"SCMP_CMP_GT", SCMP_CMP_GT},
                   {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ}};
        for (size_t i = 0; i < OCX_ARRAY_SIZE(ops); i++)
                if (ocx_streq(o, ops[i].name)) {
                        *ret = ops[i].op;
                        return 0;
                }
        return -EINVAL;
}

static uint64_t json_u64(const cJSON *v) {
        return cJSON_IsNumber(v) && v->valuedouble >= 0 ? (uint64_t)v->valuedouble : 0;
}

/* Docker's seccomp JSON format: defaultAction, defaultErrnoRet, syscalls[]
 * {names|name, action, errnoRet, args[] {index, value, valueTwo, op}}. */
static int build_localhost(const char *path, scmp_filter_ctx *ret, ocx_error **reterr) {
        _cleanup_free_ char *data = NULL;
        size_t len;
        int r = ocx_read_file(path, 4 << 20, &data, &len);
        if (r < 0) return ocx_error_set(reterr, -r, NULL, "cannot read seccomp profile '%s': %s", path, strerror(-r));
        _cleanup_json_ cJSON *j = NULL;
        r = ocx_json_parse(data, len, &j, reterr);
        if (r < 0) return ocx_error_wrap(reterr, "seccomp profile '%s'", path);
        int64_t def_errno = EPERM;
        ocx_json_int(ocx_json_get(j, "defaultErrnoRet"), 0, 4095, &def_errno);
        uint32_t def;
        if (parse_action(ocx_json_get_str(j, "defaultAction"), def_errno, &def) < 0)
                return ocx_error_set(reterr, EINVAL, "defaultAction", "seccomp profile '%s': unknown defaultAction", path);
        scmp_filter_ctx f = seccomp_init(def);
        if (!f) return ocx_error_set(reterr, ENOMEM, NULL, "seccomp_init failed");
        const cJSON *sc;
        cJSON_ArrayForEach(sc, ocx_json_get(j, "syscalls")) {
                int64_t er = EPERM;
                ocx_json_int(ocx_json_get(sc, "errnoRet"), 0, 4095, &er);
                uint32_t act;
                if (parse_action(ocx_json_get_str(sc, "action"), er, &act) < 0) {
                        seccomp_release(f);
                        return ocx_error_set(reterr, EINVAL, "syscalls", "seccomp profile '%s': unknown action '%s'", path,
                                             ocx_json_get_str(sc, "action") ? ocx_json_get_str(sc, "action") : "");
                }
                struct scmp_arg_cmp cmps[6];
                unsigned ncmp = 0;
                const cJSON *a;
                cJSON_ArrayForEach(a, ocx_json_get(sc, "args")) {
                        enum scmp_compare op;
                        int64_t idx;
                        if (ncmp >= 6 || parse_op(ocx_json_get_str(a, "op"), &op) < 0 ||
                            ocx_json_int(ocx_json_get(a, "index"), 0, 5, &idx) < 0) {
                                seccomp_release(f);
                                return ocx_error_set(reterr, EINVAL, "syscalls.args", "seccomp profile '%s': invalid argument rule", path);
                        }
                        cmps[ncmp++] = (struct scmp_arg_cmp){.arg = (unsigned)idx, .op = op,
                                                             .datum_a = json_u64(ocx_json_get(a, "value")),
                                                             .datum_b = json_u64(ocx_json_get(a, "valueTwo"))};
                }
                const cJSON *names = ocx_json_get(sc, "names");
                cJSON *one = NULL;
                if (!names && ocx_json_get_str(sc, "name")) {
                        one = cJSON_CreateArray();
                        cJSON_AddItemToArray(one, cJSON_CreateString(ocx_json_get_str(sc, "name")));
                        names = one;
                }
                const cJSON *n;
                cJSON_ArrayForEach(n, names) {
                        if (!cJSON_IsString(n)) continue;
                        int nr = seccomp_syscall_resolve_name(n->valuestring);
                        if (nr == __NR_SCMP_ERROR) continue;
                        int rr = seccomp_rule_add_array(f, act, nr, ncmp, cmps);
                        /* a rule equal to the default action is refused by libseccomp: harmless */
                        if (rr < 0 && rr != -EACCES && rr != -EEXIST && act != def) {
                                cJSON_Delete(one);
                                seccomp_release(f);
                                return ocx_error_set(reterr, -rr, NULL, "seccomp profile '%s': cannot add a rule for '%s'", path,
                                                     n->valuestring);
                        }
                }
                cJSON_Delete(one);
        }
        *ret = f;
        return 0;
}

/* ---- prepare / apply ------------------------------------------------------ */

static int cap_mask(char **names, uint64_t all, uint64_t *ret, bool *ret_all, ocx_error **reterr, const char *path) {
        *ret = 0;
        *ret_all = false;
        for (size_t i = 0; names && names[i]; i++) {
                if (strcasecmp(names[i], "ALL") == 0) {
                        *ret_all = true;
                        *ret |= all;
                        continue;
                }
                int c = scc_cap_from_name(names[i]);
                if (c < 0) return ocx_error_set(reterr, EINVAL, path, "unknown capability '%s'", names[i]);
                *ret |= CAPBIT(c);
        }
        return 0;
}

static uint64_t held_caps(uint64_t all) {
        _cleanup_(cap_freep) cap_t cur = cap_get_proc();
        if (!cur) return all;
        uint64_t m = 0;
        for (int cap = 0; cap < 64 && (all & CAPBIT(cap)); cap++) {
                cap_flag_value_t v = CAP_CLEAR;
                if (cap_get_flag(cur, (cap_value_t)cap, CAP_PERMITTED, &v) == 0 && v == CAP_SET) m |= CAPBIT(cap);
        }
        return m;
}

scc_enforcement *scc_enforcement_free(scc_enforcement *e) {
        if (!e) return NULL;
        if (e->caps) cap_free(e->caps);
        if (e->filter) seccomp_release(e->filter);
        free(e->selinux_label);
        free(e);
        return NULL;
}

int scc_enforce_prepare(const scc_exec_context *c, const char *profile_root, scc_enforcement **ret, ocx_error **reterr) {
        scc_enforcement *e = ocx_xcalloc(1, sizeof(*e));
        int r = 0;
        e->last_cap = (int)cap_max_bits() - 1;
        if (e->last_cap < 0 || e->last_cap > 63) e->last_cap = 40;
        uint64_t all = e->last_cap >= 63 ? ~0ULL : (CAPBIT(e->last_cap + 1) - 1);
        e->set_ids = true;
        e->uid = c->has_uid ? c->uid : 0;
        e->gid = c->has_gid ? c->gid : 0;
        for (size_t i = 0; i < c->n_groups && i < SCC_MAX_GROUPS; i++) {
                bool dup = (gid_t)c->groups[i] == e->gid;
                for (size_t j = 0; j < e->n_groups; j++) dup |= e->groups[j] == (gid_t)c->groups[i];
                if (!dup) e->groups[e->n_groups++] = (gid_t)c->groups[i];
        }
        uint64_t add, drop;
        bool add_all, drop_all;
        r = cap_mask(c->cap_add, all, &add, &add_all, reterr, "securityContext.capabilities.add");
        if (r >= 0) r = cap_mask(c->cap_drop, all, &drop, &drop_all, reterr, "securityContext.capabilities.drop");
        if (r < 0) goto fail;
        uint64_t defaults = 0;
        for (size_t i = 0; i < OCX_ARRAY_SIZE(default_caps); i++) defaults |= CAPBIT(scc_cap_from_name(default_caps[i]));
        if (c->privileged) e->keep = all;
        else e->keep = ((defaults & ~drop) | add) & all;
        /* nothing beyond what the caller holds (root here may lack CAP_SYS_RESOURCE) */
        e->keep &= held_caps(all);
        bool root = e->uid == 0;
        if (!root && !c->privileged) e->ambient = add & e->keep;
        e->caps = cap_init();
        for (int cap = 0; cap <= e->last_cap; cap++) {
                cap_value_t v = cap;
                if (root || c->privileged) {
                        if (e->keep & CAPBIT(cap)) {
                                cap_set_flag(e->caps, CAP_PERMITTED, 1, &v, CAP_SET);
                                cap_set_flag(e->caps, CAP_EFFECTIVE, 1, &v, CAP_SET);
                        }
                } else if (e->ambient & CAPBIT(cap)) {
                        cap_set_flag(e->caps, CAP_PERMITTED, 1, &v, CAP_SET);
                        cap_set_flag(e->caps, CAP_EFFECTIVE, 1, &v, CAP_SET);
                        cap_set_flag(e->caps, CAP_INHERITABLE, 1, &v, CAP_SET);
                }
        }
        e->nnp = !c->privileged && (c->allow_privilege_escalation == 0 || !root);
        /* No profile set: runtime/default, as OpenShift's CRI-O does (seccomp_use_default_when_empty);
         * the `restricted` SCC sets none, and an unfiltered pod could create user namespaces. */
        const char *prof = c->seccomp && *c->seccomp ? c->seccomp : "runtime/default";
        if (c->privileged || ocx_streq(prof, "unconfined")) {
                e->filter = NULL;
        } else if (ocx_streq(prof, "runtime/default") || ocx_streq(prof, "docker/default")) {
                e->filter = seccomp_init(SCMP_ACT_ALLOW);
                if (!e->filter) {
                        r = ocx_error_set(reterr, ENOMEM, NULL, "seccomp_init failed");
                        goto fail;
                }
                r = build_runtime_default(e->keep, e->filter);
                if (r < 0) {
                        r = ocx_error_set(reterr, -r, NULL, "cannot build the runtime/default seccomp filter");
                        goto fail;
                }
        } else if (ocx_startswith(prof, "localhost/")) {
                const char *file = prof + strlen("localhost/");
                if (!profile_root) {
                        r = ocx_error_set(reterr, EINVAL, NULL, "seccomp profile '%s': no localhost profile directory", prof);
                        goto fail;
                }
                if (!*file || strstr(file, "..") || file[0] == '/') {
                        r = ocx_error_set(reterr, EINVAL, NULL, "seccomp profile '%s': invalid file name", prof);
                        goto fail;
                }
                _cleanup_free_ char *path = ocx_xasprintf("%s/%s", profile_root, file);
                r = build_localhost(path, &e->filter, reterr);
                if (r < 0) goto fail;
        } else {
                r = ocx_error_set(reterr, EINVAL, NULL, "unknown seccomp profile '%s'", prof);
                goto fail;
        }
        /* libseccomp sets no_new_privs itself unless told not to */
        if (e->filter && seccomp_attr_set(e->filter, SCMP_FLTATR_CTL_NNP, e->nnp ? 1 : 0) < 0) {
                r = ocx_error_set(reterr, EINVAL, NULL, "cannot configure the seccomp filter");
                goto fail;
        }
        if (c->selinux_label) e->selinux_label = ocx_xstrdup(c->selinux_label);
        *ret = e;
        return 0;
fail:
        scc_enforcement_free(e);
        return r;
}

uint64_t scc_enforcement_caps(const scc_enforcement *e) { return e->keep; }
bool scc_enforcement_no_new_privs(const scc_enforcement *e) { return e->nnp; }

#define STEP(s)                                                                                                        \
        do {                                                                                                           \
                if (ret_step) *ret_step = (s);                                                                         \
        } while (0)

int scc_enforce_apply(const scc_enforcement *e, const char **ret_step) {
        if (e->selinux_label && is_selinux_enabled() > 0) {
                STEP("setexeccon");
                if (setexeccon(e->selinux_label) < 0) return -errno;
        }
        /* without no_new_privs the filter must go in while we still hold CAP_SYS_ADMIN */
        if (e->filter && !e->nnp) {
                STEP("seccomp_load");
                int r = seccomp_load(e->filter);
                if (r < 0) return r;
        }
        STEP("prctl(PR_SET_KEEPCAPS)");
        if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) return -errno;
        STEP("prctl(PR_CAPBSET_DROP)");
        for (int cap = 0; cap <= e->last_cap; cap++)
                if (!(e->keep & CAPBIT(cap)) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL) return -errno;
        if (e->set_ids) {
                STEP("setgroups");
                if (setgroups(e->n_groups, e->groups) < 0) return -errno;
                STEP("setresgid");
                if (setresgid(e->gid, e->gid, e->gid) < 0) return -errno;
                STEP("setresuid");
                if (setresuid(e->uid, e->uid, e->uid) < 0) return -errno;
        }
        STEP("capset");
        if (cap_set_proc(e->caps) < 0) return -errno;
        STEP("prctl(PR_CAP_AMBIENT)");
        for (int cap = 0; cap <= e->last_cap; cap++)
                if ((e->ambient & CAPBIT(cap)) && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0) return -errno;
        prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
        if (e->nnp) {
                STEP("prctl(PR_SET_NO_NEW_PRIVS)");
                if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) return -errno;
        }
        if (e->filter && e->nnp) {
                STEP("seccomp_load");
                int r = seccomp_load(e->filter);
                if (r < 0) return r;
        }
        STEP(NULL);
        return 0;
}
