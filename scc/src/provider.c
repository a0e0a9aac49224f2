/* scc — provider construction (pre-allocation) and AssignSecurityContext. */
#include "scc/provider.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "ocx/json.h"
#include "scc/pod.h"
#include "scc/volumes.h"
#include "ocx/banned.h"

/* ---- construction (3.4 step 2, 1.2) ---- */

static int prealloc_fail(ocx_error **reterr, const char *what, const scc_ns_info *ns, const char *scc,
                         const char *why) {
        return ocx_error_set(reterr, EACCES, NULL,
                             "unable to find pre-allocated %s annotation for namespace %s while trying to configure SCC %s: %s",
                             what, ns ? ns->name : "", scc, why);
}

static int create_fail(ocx_error **reterr, const scc_constraints *c, const scc_ns_info *ns, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
static int create_fail(ocx_error **reterr, const scc_constraints *c, const scc_ns_info *ns, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        char *why = NULL;
        if (vasprintf(&why, fmt, ap) < 0) why = NULL;
        va_end(ap);
        int r = ocx_error_set(reterr, EACCES, NULL, "error creating provider for SCC %s in namespace %s: %s", c->name,
                              ns ? ns->name : "", why ? why : "out of memory");
        free(why);
        return r;
}

int scc_provider_init(scc_provider *p, const scc_constraints *c, const scc_ns_info *ns, unsigned kernel,
                      ocx_error **reterr) {
        *p = (scc_provider){.scc = c, .kernel = kernel};
        bool has_min = c->run_as_user.has_min, has_max = c->run_as_user.has_max;
        p->uid = (scc_uid_strategy){c->run_as_user.type, c->run_as_user.uid, c->run_as_user.min, c->run_as_user.max};
        if (c->run_as_user.type == SCC_RAU_MUST_RUN_AS_RANGE && !has_min && !has_max) {
                if (!ns || !ns->uid_ok)
                        return prealloc_fail(reterr, "uid", ns, c->name, ns ? ns->uid_err : "no namespace");
                p->uid.min = ns->uid.start;
                p->uid.max = ns->uid.end;
                has_min = has_max = true;
        }
        p->selinux = (scc_selinux_strategy){c->selinux.type, c->selinux.opts};
        bool has_opts = c->selinux.has_opts;
        if (c->selinux.type == SCC_STRAT_MUST_RUN_AS && (!has_opts || !*c->selinux.opts.level)) {
                if (!ns || ns->mcs_err) return prealloc_fail(reterr, "mcs", ns, c->name, ns ? ns->mcs_err : "no namespace");
                p->selinux.opts.level = ns->mcs;
                has_opts = true;
        }
        p->fs_group = (scc_group_strategy){c->fs_group.type, c->fs_group.ranges, c->fs_group.n_ranges};
        if (c->fs_group.type == SCC_STRAT_MUST_RUN_AS && c->fs_group.n_ranges == 0) {
                if (!ns || ns->groups_err)
                        return prealloc_fail(reterr, "group", ns, c->name, ns ? ns->groups_err : "no namespace");
                p->fs_single = (scc_range){ns->groups[0].min, ns->groups[0].min};
                p->fs_group.ranges = &p->fs_single;
                p->fs_group.n_ranges = 1;
        }
        p->sup_groups = (scc_group_strategy){c->sup_groups.type, c->sup_groups.ranges, c->sup_groups.n_ranges};
        if (c->sup_groups.type == SCC_STRAT_MUST_RUN_AS && c->sup_groups.n_ranges == 0) {
                if (!ns || ns->groups_err)
                        return prealloc_fail(reterr, "group", ns, c->name, ns ? ns->groups_err : "no namespace");
                p->sup_groups.ranges = ns->groups;
                p->sup_groups.n_ranges = ns->n_groups;
        }

        /* strategy constructors, in NewSimpleProvider order */
        switch (c->run_as_user.type) {
        case SCC_RAU_MUST_RUN_AS:
                if (!c->run_as_user.has_uid) return create_fail(reterr, c, ns, "MustRunAs requires a UID");
                break;
        case SCC_RAU_MUST_RUN_AS_RANGE:
                if (!has_min) return create_fail(reterr, c, ns, "MustRunAsRange requires a UIDRangeMin");
                if (!has_max) return create_fail(reterr, c, ns, "MustRunAsRange requires a UIDRangeMax");
                break;
        case SCC_RAU_MUST_RUN_AS_NON_ROOT:
        case SCC_RAU_RUN_AS_ANY:
                break;
        default:
                return create_fail(reterr, c, ns, "Unrecognized RunAsUser strategy type %s",
                                   c->run_as_user.type_str ? c->run_as_user.type_str : "");
        }
        if (c->selinux.type == SCC_STRAT_MUST_RUN_AS && !has_opts)
                return create_fail(reterr, c, ns, "MustRunAs requires SELinuxOptions");
        if (c->selinux.type == SCC_STRAT_UNKNOWN)
                return create_fail(reterr, c, ns, "Unrecognized SELinuxContext strategy type %s",
                                   c->selinux.type_str ? c->selinux.type_str : "");
        if (c->fs_group.type == SCC_STRAT_UNKNOWN)
                return create_fail(reterr, c, ns, "Unrecognized FSGroup strategy type %s",
                                   c->fs_group.type_str ? c->fs_group.type_str : "");
        if (c->fs_group.type == SCC_STRAT_MUST_RUN_AS && p->fs_group.n_ranges == 0)
                return create_fail(reterr, c, ns, "ranges must be supplied for MustRunAs");
        if (c->sup_groups.type == SCC_STRAT_UNKNOWN)
                return create_fail(reterr, c, ns, "Unrecognized SupplementalGroups strategy type %s",
                                   c->sup_groups.type_str ? c->sup_groups.type_str : "");
        if (c->sup_groups.type == SCC_STRAT_MUST_RUN_AS && p->sup_groups.n_ranges == 0)
                return create_fail(reterr, c, ns, "ranges must be supplied for MustRunAs");
        return 0;
}

/* ---- AssignSecurityContext (3.7) ---- */

/* Paths are built in stack buffers; names beyond this are truncated in
 * messages (valid names are far shorter: SCC ≤253, container ≤63). */
#define PATH_MAX_LEN 768

typedef struct ctx {
        const scc_provider *p;
        const scc_constraints *c;
        cJSON *pod;
        scc_errlist *errs;
} ctx;

static char *pathf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *pathf(const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        char *s = NULL;
        if (vasprintf(&s, fmt, ap) < 0) abort();
        va_end(ap);
        return s;
}

static void err_at(ctx *x, scc_err_type t, char *path, char *value, const char *detail) {
        scc_errlist_add(x->errs, t, path, value, detail);
        free(path);
        free(value);
}

/* dst = the concatenation of parts (truncated to cap). Paths are built for
 * every container and provider on the hot path: this is a few memcpy where
 * snprintf costs a format interpretation. Returns dst. */
static char *join(char *dst, size_t cap, const char *const *parts, size_t n) {
        size_t off = 0;
        for (size_t i = 0; i < n && off + 1 < cap; i++) {
                size_t l = strlen(parts[i]);
                if (l > cap - 1 - off) l = cap - 1 - off;
                memcpy(dst + off, parts[i], l);
                off += l;
        }
        dst[off] = 0;
        return dst;
}
#define JOIN(buf, ...) join(buf, sizeof(buf), (const char *const[]){__VA_ARGS__}, \
                            sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *))

/* Decimal of a non-negative index into buf[12]. */
static const char *itoa_idx(int v, char buf[12]) {
        char *p = buf + 11;
        *p = 0;
        unsigned u = v < 0 ? 0u : (unsigned)v;
        do *--p = (char)('0' + u % 10);
        while ((u /= 10) != 0);
        return p;
}

static const char *jstr(const cJSON *o, const char *key) {
        const cJSON *v = scc_jget(o, key);
        return v && (v->type & 0xFF) == cJSON_String ? v->valuestring : NULL;
}

/* Like ocx_json_ensure_obj, with the engine's fast lookup. */
static cJSON *wobj(cJSON *parent, const char *key) {
        cJSON *v = (cJSON *)scc_jget(parent, key);
        if (v && (v->type & 0xFF) == cJSON_Object) return v;
        return ocx_json_ensure_obj(parent, key);
}
static cJSON *pod_sc_w(cJSON *pod) { return wobj(wobj(pod, "spec"), "securityContext"); }
static void set_bool(cJSON *o, const char *k, bool v) { ocx_json_set(o, k, cJSON_CreateBool(v)); }

static cJSON *selinux_json(const scc_selinux_opts *o) {
        cJSON *j = cJSON_CreateObject();
        if (*o->user) cJSON_AddStringToObject(j, "user", o->user);
        if (*o->role) cJSON_AddStringToObject(j, "role", o->role);
        if (*o->type) cJSON_AddStringToObject(j, "type", o->type);
        if (*o->level) cJSON_AddStringToObject(j, "level", o->level);
        return j;
}

/* scc_seccomp_field_to_profile into a caller buffer ("" when not convertible). */
static const char *field_profile(const cJSON *field, char *buf, size_t cap) {
        const char *t = jstr(field, "type");
        if (!t) return "";
        if (strcmp(t, "Unconfined") == 0) return "unconfined";
        if (strcmp(t, "RuntimeDefault") == 0) return "runtime/default";
        if (strcmp(t, "Localhost") == 0) {
                const char *lp = jstr(field, "localhostProfile");
                return lp ? join(buf, cap, (const char *const[]){"localhost/", lp}, 2) : "";
        }
        return "";
}

/* The legacy profile string of the pod: annotation, else converted field.
 * Borrowed from the pod or written to buf. */
static const char *pod_profile(const cJSON *pod, char *buf, size_t cap) {
        const char *a = jstr(scc_jget(scc_jget(pod, "metadata"), "annotations"), SCC_SECCOMP_POD_ANNOTATION);
        if (a && *a) return a;
        const cJSON *f = scc_jget(scc_jget(scc_jget(pod, "spec"), "securityContext"), "seccompProfile");
        return f ? field_profile(f, buf, cap) : "";
}

static void generate_pod(ctx *x) {
        const cJSON *psc = scc_jget(scc_jget(x->pod, "spec"), "securityContext");
        if (!scc_jget(psc, "supplementalGroups")) {
                scc_opt_int g = scc_group_generate(&x->p->sup_groups);
                if (g.set) {
                        cJSON *a = cJSON_CreateArray();
                        cJSON_AddItemToArray(a, cJSON_CreateNumber((double)g.v));
                        ocx_json_set(pod_sc_w(x->pod), "supplementalGroups", a);
                }
        }
        psc = scc_jget(scc_jget(x->pod, "spec"), "securityContext");
        if (!scc_jget(psc, "fsGroup")) {
                scc_opt_int g = scc_group_generate(&x->p->fs_group);
                if (g.set) ocx_json_set_int(pod_sc_w(x->pod), "fsGroup", g.v);
        }
        psc = scc_jget(scc_jget(x->pod, "spec"), "securityContext");
        if (!scc_jget(psc, "seLinuxOptions") && x->p->selinux.type == SCC_STRAT_MUST_RUN_AS)
                ocx_json_set(pod_sc_w(x->pod), "seLinuxOptions", selinux_json(&x->p->selinux.opts));

        /* seccomp: generated on the pod level only */
        char pbuf[PATH_MAX_LEN];
        const char *got = pod_profile(x->pod, pbuf, sizeof(pbuf));
        if (!*got) {
                const char *d = scc_seccomp_default(x->c);
                got = d ? d : "";
        }
        if (*got) {
                /* got points into the annotation only when the annotation already
                 * equals it, so the write below never frees it */
                const char *profile = got;
                cJSON *ann = wobj(wobj(x->pod, "metadata"), "annotations");
                if (!ocx_streq(jstr(ann, SCC_SECCOMP_POD_ANNOTATION), profile))
                        ocx_json_set_str(ann, SCC_SECCOMP_POD_ANNOTATION, profile);
                cJSON *field = scc_seccomp_profile_to_field(profile);
                cJSON *cur = (cJSON *)scc_jget(scc_jget(scc_jget(x->pod, "spec"), "securityContext"), "seccompProfile");
                if (!field) {
                        if (cur) cJSON_DeleteItemFromObjectCaseSensitive(pod_sc_w(x->pod), "seccompProfile");
                } else if (!cur || !ocx_json_equal(cur, field)) {
                        ocx_json_set(pod_sc_w(x->pod), "seccompProfile", field);
                        field = NULL;
                }
                cJSON_Delete(field);
        }
}

static void validate_pod(ctx *x) {
        const scc_provider *p = x->p;
        const char *name = x->c->name;
        const cJSON *spec = scc_jget(x->pod, "spec");
        const cJSON *psc = scc_jget(spec, "securityContext");

        /* 1. fsGroup as a one-element list, [] when unset */
        scc_opt_int fs = scc_jint(psc, "fsGroup");
        if (p->fs_group.type == SCC_STRAT_MUST_RUN_AS) {
                char path[PATH_MAX_LEN];
                JOIN(path, "provider ", name, ": .spec.securityContext.fsGroup");
                scc_group_validate(&p->fs_group, path, &fs.v, fs.set ? 1 : 0, false, x->errs);
        }
        /* 2. supplementalGroups */
        if (p->sup_groups.type == SCC_STRAT_MUST_RUN_AS) {
                const cJSON *sg = scc_jget(psc, "supplementalGroups"), *e;
                size_t n = 0, cnt = (size_t)cJSON_GetArraySize(sg);
                int64_t small[16];
                int64_t *v = cnt <= OCX_ARRAY_SIZE(small) ? small : ocx_xcalloc(cnt, sizeof(int64_t));
                cJSON_ArrayForEach(e, sg) {
                        if (ocx_json_int(e, INT64_MIN, INT64_MAX, &v[n]) == 0) n++;
                }
                char path[PATH_MAX_LEN];
                JOIN(path, "provider ", name, ": .spec.securityContext.supplementalGroups");
                scc_group_validate(&p->sup_groups, path, v, n, !cJSON_IsArray(sg), x->errs);
                if (v != small) free(v);
        }
        /* 3. seccomp (no provider root) */
        char pbuf[PATH_MAX_LEN];
        scc_seccomp_validate(x->c, "pod.metadata.annotations[" SCC_SECCOMP_POD_ANNOTATION "]",
                             pod_profile(x->pod, pbuf, sizeof(pbuf)), x->errs);
        /* 4. SELinux */
        if (p->selinux.type == SCC_STRAT_MUST_RUN_AS) {
                scc_selinux_opts o;
                bool has = scc_jselinux(psc, &o);
                char path[PATH_MAX_LEN];
                JOIN(path, "provider ", name, ": .spec.securityContext.seLinuxOptions");
                scc_selinux_validate(&p->selinux, path, has ? &o : NULL, x->errs);
        }
        /* 5-7. host namespaces */
        if (!x->c->allow_host_network && scc_jtrue(spec, "hostNetwork"))
                err_at(x, SCC_ERR_INVALID, pathf("provider %s: .spec.securityContext.hostNetwork", name),
                       scc_val_bool(true), "Host network is not allowed to be used");
        if (!x->c->allow_host_pid && scc_jtrue(spec, "hostPID"))
                err_at(x, SCC_ERR_INVALID, pathf("provider %s: .spec.securityContext.hostPID", name), scc_val_bool(true),
                       "Host PID is not allowed to be used");
        if (!x->c->allow_host_ipc && scc_jtrue(spec, "hostIPC"))
                err_at(x, SCC_ERR_INVALID, pathf("provider %s: .spec.securityContext.hostIPC", name), scc_val_bool(true),
                       "Host IPC is not allowed to be used");
        /* 8. user namespaces */
        int host_users = scc_jtristate(spec, "hostUsers");
        if (x->c->require_pod_userns && host_users != 0)
                err_at(x, SCC_ERR_INVALID, pathf("provider %s: .spec.securityContext.hostUsers", name),
                       host_users < 0 ? scc_val_null() : scc_val_bool(true), "Host Users must be set to false");
        /* 9. sysctls (no provider root) */
        const cJSON *sysctls = scc_jget(psc, "sysctls"), *s;
        int i = 0;
        cJSON_ArrayForEach(s, sysctls) {
                const char *sn = jstr(s, "name");
                char path[64];
                snprintf(path, sizeof(path), "pod.spec.securityContext.sysctls[%d]", i++);
                scc_sysctl_validate(x->c, path, sn ? sn : "", p->kernel, x->errs);
        }
        /* 10-11. volumes (no provider root) and flex drivers */
        const cJSON *vols = scc_jget(spec, "volumes"), *v;
        bool all = scc_strv_has(&x->c->volumes, "*");
        bool flex_check = x->c->flex_drivers.n > 0 && scc_volumes_allow(&x->c->volumes, "flexVolume");
        i = 0;
        cJSON_ArrayForEach(v, vols) {
                const char *fst = scc_volume_fstype(v);
                if (!all) {
                        if (!fst) {
                                const char *vn = ocx_json_get_str(v, "name");
                                char *q = scc_val_quote(vn ? vn : "");
                                char *detail = pathf("unknown volume type for volume: core.Volume{Name:%s}", q);
                                err_at(x, SCC_ERR_INVALID, pathf("spec.volumes[%d]", i), scc_val_quote(""), detail);
                                free(detail);
                                free(q);
                        } else if (!scc_strv_has(&x->c->volumes, fst) &&
                                   !(strcmp(fst, "projected") == 0 && scc_strv_has(&x->c->volumes, "secret") &&
                                     scc_projected_is_sa_token(scc_jget(v, "projected")))) {
                                char *detail = pathf("%s volumes are not allowed to be used", fst);
                                err_at(x, SCC_ERR_INVALID, pathf("spec.volumes[%d]", i), scc_val_quote(fst), detail);
                                free(detail);
                        }
                }
                if (flex_check && ocx_streq(fst, "flexVolume")) {
                        const char *drv = ocx_json_get_str(scc_jget(v, "flexVolume"), "driver");
                        if (!drv) drv = "";
                        if (!scc_strv_has(&x->c->flex_drivers, drv))
                                err_at(x, SCC_ERR_INVALID,
                                       pathf("provider %s: .spec.securityContext.volumes[%d].driver", name, i),
                                       scc_val_quote(drv), "Flexvolume driver is not allowed to be used");
                }
                i++;
        }
}

/* Effective (container, else pod) values. */
static scc_opt_int eff_uid(const cJSON *csc, const cJSON *psc) {
        scc_opt_int u = scc_jint(csc, "runAsUser");
        return u.set ? u : scc_jint(psc, "runAsUser");
}
static int eff_nonroot(const cJSON *csc, const cJSON *psc) {
        int t = scc_jtristate(csc, "runAsNonRoot");
        return t >= 0 ? t : scc_jtristate(psc, "runAsNonRoot");
}
static bool eff_selinux(const cJSON *csc, const cJSON *psc, scc_selinux_opts *o) {
        return scc_jselinux(csc, o) || scc_jselinux(psc, o);
}

static void generate_container(ctx *x, cJSON *ct, const cJSON *ann) {
        const scc_provider *p = x->p;
        const cJSON *psc = scc_jget(scc_jget(x->pod, "spec"), "securityContext");
        const cJSON *csc = scc_jget(ct, "securityContext");
        scc_opt_int uid = eff_uid(csc, psc);
        if (!uid.set) {
                uid = scc_uid_generate(&p->uid);
                if (uid.set) ocx_json_set_int(wobj(ct, "securityContext"), "runAsUser", uid.v);
        }
        scc_selinux_opts o;
        csc = scc_jget(ct, "securityContext");
        if (!eff_selinux(csc, psc, &o) && p->selinux.type == SCC_STRAT_MUST_RUN_AS)
                ocx_json_set(wobj(ct, "securityContext"), "seLinuxOptions", selinux_json(&p->selinux.opts));
        csc = scc_jget(ct, "securityContext");
        if (eff_nonroot(csc, psc) < 0 &&
            ((!uid.set && p->uid.type == SCC_RAU_MUST_RUN_AS_NON_ROOT) || (uid.set && uid.v > 0)))
                set_bool(wobj(ct, "securityContext"), "runAsNonRoot", true);

        csc = scc_jget(ct, "securityContext");
        scc_caps in, out;
        scc_jcaps(csc, &in);
        bool sys_admin = false;
        if (scc_caps_generate(x->c, &in, &out)) {
                cJSON *caps = cJSON_CreateObject();
                if (out.n_add) cJSON_AddItemToObject(caps, "add", cJSON_CreateStringArray(out.add, (int)out.n_add));
                if (out.n_drop) cJSON_AddItemToObject(caps, "drop", cJSON_CreateStringArray(out.drop, (int)out.n_drop));
                for (size_t i = 0; i < out.n_add; i++) sys_admin |= strcmp(out.add[i], "CAP_SYS_ADMIN") == 0;
                free(out.add);
                free(out.drop);
                ocx_json_set(wobj(ct, "securityContext"), "capabilities", caps);
        } else {
                for (size_t i = 0; i < in.n_add; i++) sys_admin |= strcmp(in.add[i], "CAP_SYS_ADMIN") == 0;
        }
        free(in.add);
        free(in.drop);

        csc = scc_jget(ct, "securityContext");
        if (x->c->read_only_root_fs && scc_jtristate(csc, "readOnlyRootFilesystem") < 0)
                set_bool(wobj(ct, "securityContext"), "readOnlyRootFilesystem", true);

        const char *cname = jstr(ct, "name");
        char key[PATH_MAX_LEN];
        const char *cprof = ann && ann->child ? jstr(ann, JOIN(key, SCC_SECCOMP_CONTAINER_PREFIX, cname ? cname : ""))
                                              : NULL;
        if (cprof) {
                cJSON *field = scc_seccomp_profile_to_field(cprof);
                csc = scc_jget(ct, "securityContext");
                const cJSON *cur = scc_jget(csc, "seccompProfile");
                if (!cur) cur = scc_jget(psc, "seccompProfile");
                if (!ocx_json_equal(cur, field)) {
                        if (field) {
                                ocx_json_set(wobj(ct, "securityContext"), "seccompProfile", field);
                                field = NULL;
                        } else if (scc_jget(csc, "seccompProfile")) {
                                cJSON_DeleteItemFromObjectCaseSensitive((cJSON *)csc, "seccompProfile");
                        }
                }
                cJSON_Delete(field);
        }

        csc = scc_jget(ct, "securityContext");
        int ape = scc_jtristate(csc, "allowPrivilegeEscalation");
        if (x->c->default_allow_priv_esc >= 0 && ape < 0 && !scc_jtrue(csc, "privileged") && !sys_admin) {
                ape = x->c->default_allow_priv_esc;
                set_bool(wobj(ct, "securityContext"), "allowPrivilegeEscalation", ape == 1);
        }
        if (x->c->allow_priv_esc == 0 && ape < 0) set_bool(wobj(ct, "securityContext"), "allowPrivilegeEscalation", false);
}

static void validate_container(ctx *x, const cJSON *ct, const char *list, int idx, const cJSON *ann) {
        const scc_provider *p = x->p;
        const scc_constraints *c = x->c;
        const cJSON *spec = scc_jget(x->pod, "spec");
        const cJSON *psc = scc_jget(spec, "securityContext");
        const cJSON *csc = scc_jget(ct, "securityContext");
        char q[PATH_MAX_LEN], ib[12];
        JOIN(q, "provider ", c->name, ": .", list, "[", itoa_idx(idx, ib), "]");

        scc_uid_validate(&p->uid, q, eff_uid(csc, psc), eff_nonroot(csc, psc), x->errs);
        if (p->selinux.type == SCC_STRAT_MUST_RUN_AS) {
                scc_selinux_opts o;
                bool has = eff_selinux(csc, psc, &o);
                char path[PATH_MAX_LEN + 16];
                JOIN(path, q, ".seLinuxOptions");
                scc_selinux_validate(&p->selinux, path, has ? &o : NULL, x->errs);
        }
        /* seccomp: container field, container annotation, pod field, pod annotation */
        const char *cname = jstr(ct, "name");
        char key[PATH_MAX_LEN], pbuf[PATH_MAX_LEN];
        JOIN(key, SCC_SECCOMP_CONTAINER_PREFIX, cname ? cname : "");
        const char *profile = "";
        const cJSON *f = scc_jget(csc, "seccompProfile");
        if (f) profile = field_profile(f, pbuf, sizeof(pbuf));
        if (!*profile && ann && ann->child) {
                const char *a = jstr(ann, key);
                if (a) profile = a;
        }
        if (!*profile) {
                f = scc_jget(psc, "seccompProfile");
                if (f) profile = field_profile(f, pbuf, sizeof(pbuf));
        }
        if (!*profile) {
                const char *a = jstr(ann, SCC_SECCOMP_POD_ANNOTATION);
                if (a) profile = a;
        }
        char spath[PATH_MAX_LEN + 32];
        JOIN(spath, "pod.metadata.annotations[", key, "]");
        scc_seccomp_validate(c, spath, profile, x->errs);

        if (!c->allow_privileged && scc_jtrue(csc, "privileged"))
                err_at(x, SCC_ERR_INVALID, pathf("%s.privileged", q), scc_val_bool(true), "Privileged containers are not allowed");
        scc_caps caps;
        scc_jcaps(csc, &caps);
        scc_caps_validate(c, q, &caps, x->errs);
        free(caps.add);
        free(caps.drop);
        if (!c->allow_host_network && scc_jtrue(spec, "hostNetwork"))
                err_at(x, SCC_ERR_INVALID, pathf("%s.hostNetwork", q), scc_val_bool(true), "Host network is not allowed to be used");
        if (!c->allow_host_ports) {
                for (size_t l = 0; l < 3; l++) {
                        const cJSON *k, *port;
                        int ki = 0;
                        cJSON_ArrayForEach(k, scc_jget(spec, scc_container_lists[l])) {
                                cJSON_ArrayForEach(port, scc_jget(k, "ports")) {
                                        scc_opt_int hp = scc_jint(port, "hostPort");
                                        if (hp.set && hp.v > 0)
                                                err_at(x, SCC_ERR_INVALID,
                                                       pathf("%s.%s[%d].hostPort", q, scc_container_lists[l], ki),
                                                       scc_val_int(hp.v), "Host ports are not allowed to be used");
                                }
                                ki++;
                        }
                }
        }
        if (!c->allow_host_pid && scc_jtrue(spec, "hostPID"))
                err_at(x, SCC_ERR_INVALID, pathf("%s.hostPID", q), scc_val_bool(true), "Host PID is not allowed to be used");
        if (!c->allow_host_ipc && scc_jtrue(spec, "hostIPC"))
                err_at(x, SCC_ERR_INVALID, pathf("%s.hostIPC", q), scc_val_bool(true), "Host IPC is not allowed to be used");
        if (c->read_only_root_fs) {
                int ro = scc_jtristate(csc, "readOnlyRootFilesystem");
                if (ro < 0)
                        err_at(x, SCC_ERR_INVALID, pathf("%s.readOnlyRootFilesystem", q), scc_val_null(),
                               "ReadOnlyRootFilesystem may not be nil and must be set to true");
                else if (ro == 0)
                        err_at(x, SCC_ERR_INVALID, pathf("%s.readOnlyRootFilesystem", q), scc_val_bool(false),
                               "ReadOnlyRootFilesystem must be set to true");
        }
        if (c->allow_priv_esc == 0) {
                int ape = scc_jtristate(csc, "allowPrivilegeEscalation");
                if (ape != 0)
                        err_at(x, SCC_ERR_INVALID, pathf("%s.allowPrivilegeEscalation", q),
                               ape < 0 ? scc_val_null() : scc_val_bool(true),
                               "Allowing privilege escalation for containers is not allowed");
        }
}

size_t scc_provider_assign(const scc_provider *p, cJSON *pod, scc_errlist *errs) {
        ctx x = {p, p->scc, pod, errs};
        size_t n0 = errs->n;
        generate_pod(&x);
        validate_pod(&x);
        const cJSON *ann = scc_jget(scc_jget(pod, "metadata"), "annotations");
        cJSON *spec = (cJSON *)scc_jget(pod, "spec");
        for (size_t l = 0; l < 3; l++) {
                cJSON *ct;
                int i = 0;
                cJSON_ArrayForEach(ct, scc_jget(spec, scc_container_lists[l])) {
                        if (!cJSON_IsObject(ct)) continue;
                        generate_container(&x, ct, ann);
                        validate_container(&x, ct, scc_container_lists[l], i, ann);
                        i++;
                }
        }
        return errs->n - n0;
}
