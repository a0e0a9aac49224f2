/* scc — decoding SecurityContextConstraints JSON, points and sort order. */
#include "scc/constraints.h"
#include <stdio.h>
#include <string.h>
#include "ocx/json.h"
#include "scc/errlist.h"
#include "ocx/banned.h"

typedef struct dec {
        ocx_error **reterr;
        int r;
} dec;

static const char EMPTY[] = "";

/* Records the first decode error: "<path>: Invalid value: <json>: <detail>". */
static void dec_fail(dec *d, const char *path, const cJSON *v, const char *detail) {
        if (d->r < 0) return;
        scc_errlist l = SCC_ERRLIST_INIT;
        char *val = cJSON_IsString(v) ? scc_val_quote(v->valuestring) : ocx_json_print(v);
        scc_errlist_add(&l, SCC_ERR_INVALID, path, val, detail);
        d->r = ocx_error_set(d->reterr, EINVAL, path, "%s", l.v[0].text);
        free(val);
        scc_errlist_release(&l);
}

/* Member lookup that treats JSON null as absent. */
static const cJSON *member(const cJSON *o, const char *k) {
        const cJSON *v = ocx_json_get(o, k);
        return cJSON_IsNull(v) ? NULL : v;
}

static bool dec_bool(dec *d, const cJSON *o, const char *k, const char *path) {
        const cJSON *v = member(o, k);
        if (!v) return false;
        if (!cJSON_IsBool(v)) {
                dec_fail(d, path, v, "must be a boolean");
                return false;
        }
        return cJSON_IsTrue(v);
}

static int dec_tristate(dec *d, const cJSON *o, const char *k) {
        const cJSON *v = member(o, k);
        if (!v) return -1;
        if (!cJSON_IsBool(v)) {
                dec_fail(d, k, v, "must be a boolean");
                return -1;
        }
        return cJSON_IsTrue(v) ? 1 : 0;
}

static char *dec_str(dec *d, const cJSON *o, const char *k, const char *path) {
        const cJSON *v = member(o, k);
        if (!v) return NULL;
        if (!cJSON_IsString(v)) {
                dec_fail(d, path, v, "must be a string");
                return NULL;
        }
        return ocx_xstrdup(v->valuestring);
}

static bool dec_int(dec *d, const cJSON *o, const char *k, const char *path, int64_t min,
                    int64_t max, const char *what, int64_t *ret) {
        const cJSON *v = member(o, k);
        if (!v) return false;
        if (ocx_json_int(v, min, max, ret) < 0) {
                dec_fail(d, path, v, what);
                return false;
        }
        return true;
}

static void dec_strv(dec *d, const cJSON *o, const char *k, scc_strv *ret) {
        const cJSON *v = member(o, k);
        *ret = (scc_strv){0};
        if (!v) return;
        if (!cJSON_IsArray(v)) {
                dec_fail(d, k, v, "must be a list of strings");
                return;
        }
        size_t n = (size_t)cJSON_GetArraySize(v), i = 0;
        ret->set = true;
        ret->v = ocx_xcalloc(n + 1, sizeof(char *));
        const cJSON *e;
        cJSON_ArrayForEach(e, v) {
                if (!cJSON_IsString(e)) {
                        char p[64];
                        snprintf(p, sizeof(p), "%s[%zu]", k, i);
                        dec_fail(d, p, e, "must be a string");
                        break;
                }
                ret->v[ret->n++] = ocx_xstrdup(e->valuestring);
                i++;
        }
}

static void dec_flex(dec *d, const cJSON *o, scc_strv *ret) {
        const cJSON *v = member(o, "allowedFlexVolumes");
        *ret = (scc_strv){0};
        if (!v) return;
        if (!cJSON_IsArray(v)) {
                dec_fail(d, "allowedFlexVolumes", v, "must be a list");
                return;
        }
        size_t n = (size_t)cJSON_GetArraySize(v);
        ret->set = true;
        ret->v = ocx_xcalloc(n + 1, sizeof(char *));
        const cJSON *e;
        cJSON_ArrayForEach(e, v) {
                char p[64];
                snprintf(p, sizeof(p), "allowedFlexVolumes[%zu].driver", ret->n);
                char *drv = cJSON_IsObject(e) ? dec_str(d, e, "driver", p) : NULL;
                if (!cJSON_IsObject(e)) dec_fail(d, p, e, "must be an object");
                ret->v[ret->n++] = drv ? drv : ocx_xstrdup("");
        }
}

static void dec_ranges(dec *d, const cJSON *o, const char *field, scc_range **ret, size_t *ret_n) {
        const cJSON *v = member(o, "ranges");
        *ret = NULL;
        *ret_n = 0;
        if (!v) return;
        char p[96];
        if (!cJSON_IsArray(v)) {
                snprintf(p, sizeof(p), "%s.ranges", field);
                dec_fail(d, p, v, "must be a list");
                return;
        }
        size_t n = (size_t)cJSON_GetArraySize(v);
        *ret = ocx_xcalloc(n + 1, sizeof(scc_range));
        const cJSON *e;
        cJSON_ArrayForEach(e, v) {
                scc_range r = {0, 0};
                snprintf(p, sizeof(p), "%s.ranges[%zu]", field, *ret_n);
                if (!cJSON_IsObject(e)) dec_fail(d, p, e, "must be an object");
                snprintf(p, sizeof(p), "%s.ranges[%zu].min", field, *ret_n);
                dec_int(d, e, "min", p, INT64_MIN, INT64_MAX, "must be a 64-bit integer", &r.min);
                snprintf(p, sizeof(p), "%s.ranges[%zu].max", field, *ret_n);
                dec_int(d, e, "max", p, INT64_MIN, INT64_MAX, "must be a 64-bit integer", &r.max);
                (*ret)[(*ret_n)++] = r;
        }
}

static const cJSON *dec_obj(dec *d, const cJSON *o, const char *k) {
        const cJSON *v = member(o, k);
        if (v && !cJSON_IsObject(v)) {
                dec_fail(d, k, v, "must be an object");
                return NULL;
        }
        return v;
}

static scc_strategy_type strat_type(const char *s) {
        if (ocx_streq(s, "MustRunAs")) return SCC_STRAT_MUST_RUN_AS;
        if (ocx_streq(s, "RunAsAny")) return SCC_STRAT_RUN_AS_ANY;
        return SCC_STRAT_UNKNOWN;
}

static void dec_group_strategy(dec *d, const cJSON *o, const char *k, char **type_str,
                               scc_strategy_type *type, scc_range **ranges, size_t *n) {
        const cJSON *s = dec_obj(d, o, k);
        char p[64];
        snprintf(p, sizeof(p), "%s.type", k);
        *type_str = dec_str(d, s, "type", p);
        *type = strat_type(*type_str);
        dec_ranges(d, s, k, ranges, n);
}

int scc_constraints_from_json(const cJSON *obj, scc_constraints **ret, ocx_error **reterr) {
        dec d = {reterr, 0};
        scc_constraints *c = ocx_xcalloc(1, sizeof(*c));
        c->selinux.opts = (scc_selinux_opts){EMPTY, EMPTY, EMPTY, EMPTY};
        if (!cJSON_IsObject(obj)) {
                dec_fail(&d, "<root>", obj ? obj : &(cJSON){.type = cJSON_NULL},
                         "must be a SecurityContextConstraints object");
                c->name = ocx_xstrdup("");
                goto out;
        }
        const cJSON *meta = dec_obj(&d, obj, "metadata");
        c->name = dec_str(&d, meta, "name", "metadata.name");
        if (!c->name) c->name = ocx_xstrdup("");

        int64_t prio;
        if (dec_int(&d, obj, "priority", "priority", INT32_MIN, INT32_MAX,
                    "must be a 32-bit integer", &prio)) {
                c->has_priority = true;
                c->priority = (int32_t)prio;
        }
        c->allow_privileged = dec_bool(&d, obj, "allowPrivilegedContainer", "allowPrivilegedContainer");
        c->allow_host_dir = dec_bool(&d, obj, "allowHostDirVolumePlugin", "allowHostDirVolumePlugin");
        c->allow_host_network = dec_bool(&d, obj, "allowHostNetwork", "allowHostNetwork");
        c->allow_host_ports = dec_bool(&d, obj, "allowHostPorts", "allowHostPorts");
        c->allow_host_pid = dec_bool(&d, obj, "allowHostPID", "allowHostPID");
        c->allow_host_ipc = dec_bool(&d, obj, "allowHostIPC", "allowHostIPC");
        c->read_only_root_fs = dec_bool(&d, obj, "readOnlyRootFilesystem", "readOnlyRootFilesystem");
        c->allow_priv_esc = dec_tristate(&d, obj, "allowPrivilegeEscalation");
        c->default_allow_priv_esc = dec_tristate(&d, obj, "defaultAllowPrivilegeEscalation");
        c->userns_level = dec_str(&d, obj, "userNamespaceLevel", "userNamespaceLevel");
        c->require_pod_userns = ocx_streq(c->userns_level, "RequirePodLevel");

        dec_strv(&d, obj, "defaultAddCapabilities", &c->default_add_caps);
        dec_strv(&d, obj, "requiredDropCapabilities", &c->required_drop_caps);
        dec_strv(&d, obj, "allowedCapabilities", &c->allowed_caps);
        dec_strv(&d, obj, "volumes", &c->volumes);
        dec_flex(&d, obj, &c->flex_drivers);
        dec_strv(&d, obj, "users", &c->users);
        dec_strv(&d, obj, "groups", &c->groups);
        dec_strv(&d, obj, "seccompProfiles", &c->seccomp_profiles);
        dec_strv(&d, obj, "allowedUnsafeSysctls", &c->allowed_unsafe_sysctls);
        dec_strv(&d, obj, "forbiddenSysctls", &c->forbidden_sysctls);

        const cJSON *rau = dec_obj(&d, obj, "runAsUser");
        c->run_as_user.type_str = dec_str(&d, rau, "type", "runAsUser.type");
        const char *t = c->run_as_user.type_str;
        c->run_as_user.type = ocx_streq(t, "MustRunAs")          ? SCC_RAU_MUST_RUN_AS
                              : ocx_streq(t, "MustRunAsRange")   ? SCC_RAU_MUST_RUN_AS_RANGE
                              : ocx_streq(t, "MustRunAsNonRoot") ? SCC_RAU_MUST_RUN_AS_NON_ROOT
                              : ocx_streq(t, "RunAsAny")         ? SCC_RAU_RUN_AS_ANY
                                                                 : SCC_RAU_UNKNOWN;
        const char *what = "must be a 64-bit integer";
        c->run_as_user.has_uid = dec_int(&d, rau, "uid", "runAsUser.uid", INT64_MIN, INT64_MAX, what,
                                         &c->run_as_user.uid);
        c->run_as_user.has_min = dec_int(&d, rau, "uidRangeMin", "runAsUser.uidRangeMin", INT64_MIN,
                                         INT64_MAX, what, &c->run_as_user.min);
        c->run_as_user.has_max = dec_int(&d, rau, "uidRangeMax", "runAsUser.uidRangeMax", INT64_MIN,
                                         INT64_MAX, what, &c->run_as_user.max);

        const cJSON *sel = dec_obj(&d, obj, "seLinuxContext");
        c->selinux.type_str = dec_str(&d, sel, "type", "seLinuxContext.type");
        c->selinux.type = strat_type(c->selinux.type_str);
        const cJSON *opts = member(sel, "seLinuxOptions");
        if (opts && !cJSON_IsObject(opts)) dec_fail(&d, "seLinuxContext.seLinuxOptions", opts, "must be an object");
        if (cJSON_IsObject(opts)) {
                c->selinux.has_opts = true;
                char *u = dec_str(&d, opts, "user", "seLinuxContext.seLinuxOptions.user");
                char *r = dec_str(&d, opts, "role", "seLinuxContext.seLinuxOptions.role");
                char *ty = dec_str(&d, opts, "type", "seLinuxContext.seLinuxOptions.type");
                char *l = dec_str(&d, opts, "level", "seLinuxContext.seLinuxOptions.level");
                c->selinux.opts = (scc_selinux_opts){u ? u : EMPTY, r ? r : EMPTY, ty ? ty : EMPTY,
                                                     l ? l : EMPTY};
        }
        dec_group_strategy(&d, obj, "fsGroup", &c->fs_group.type_str, &c->fs_group.type,
                           &c->fs_group.ranges, &c->fs_group.n_ranges);
        dec_group_strategy(&d, obj, "supplementalGroups", &c->sup_groups.type_str, &c->sup_groups.type,
                           &c->sup_groups.ranges, &c->sup_groups.n_ranges);
        c->points = scc_constraints_points(c);
out:
        if (d.r < 0) {
                scc_constraints_free(c);
                return d.r;
        }
        *ret = c;
        return 0;
}

static void strv_free(scc_strv *l) {
        for (size_t i = 0; i < l->n; i++) free(l->v[i]);
        free(l->v);
}

static void opt_free(const char *s) {
        if (s != EMPTY) free((char *)s);
}

scc_constraints *scc_constraints_free(scc_constraints *c) {
        if (!c) return NULL;
        free(c->name);
        free(c->userns_level);
        scc_strv *lists[] = {&c->default_add_caps, &c->required_drop_caps, &c->allowed_caps,
                             &c->volumes, &c->flex_drivers, &c->users, &c->groups,
                             &c->seccomp_profiles, &c->allowed_unsafe_sysctls, &c->forbidden_sysctls};
        for (size_t i = 0; i < OCX_ARRAY_SIZE(lists); i++) strv_free(lists[i]);
        free(c->run_as_user.type_str);
        free(c->selinux.type_str);
        opt_free(c->selinux.opts.user);
        opt_free(c->selinux.opts.role);
        opt_free(c->selinux.opts.type);
        opt_free(c->selinux.opts.level);
        free(c->fs_group.type_str);
        free(c->fs_group.ranges);
        free(c->sup_groups.type_str);
        free(c->sup_groups.ranges);
        free(c);
        return NULL;
}

bool scc_strv_has(const scc_strv *l, const char *s) {
        for (size_t i = 0; i < l->n; i++)
                if (strcmp(l->v[i], s) == 0) return true;
        return false;
}

/* ---- points (3.9) ---- */

int64_t scc_volume_points(const scc_strv *volumes) {
        static const char *const trivial[] = {"secret", "configMap", "emptyDir", "downwardAPI", "projected", "none"};
        bool nontrivial = false;
        for (size_t i = 0; i < volumes->n; i++) {
                const char *v = volumes->v[i];
                if (strcmp(v, "hostPath") == 0 || strcmp(v, "*") == 0) return 200000;
                bool t = false;
                for (size_t j = 0; j < OCX_ARRAY_SIZE(trivial) && !t; j++) t = strcmp(v, trivial[j]) == 0;
                if (!t) nontrivial = true;
        }
        return nontrivial ? 100000 : 0;
}

static bool has_upper(const scc_strv *l, const char *want) {
        for (size_t i = 0; i < l->n; i++)
                if (strcasecmp(l->v[i], want) == 0) return true;
        return false;
}

int64_t scc_caps_points(const scc_constraints *c) {
        int64_t p = 5000 + 300 * (int64_t)c->default_add_caps.n;
        if (has_upper(&c->allowed_caps, "*") || has_upper(&c->allowed_caps, "ALL")) p += 4000;
        else p += 10 * (int64_t)c->allowed_caps.n;
        if (has_upper(&c->required_drop_caps, "ALL")) p -= 3000;
        else p -= 50 * (int64_t)c->required_drop_caps.n;
        if (p > 9999) p = 9999;
        if (p < 0) p = 0;
        return p;
}

static int64_t strategy_points(const char *t) {
        if (ocx_streq(t, "RunAsAny")) return 40000;
        if (ocx_streq(t, "MustRunAsNonRoot")) return 30000;
        if (ocx_streq(t, "MustRunAsRange")) return 20000;
        if (ocx_streq(t, "MustRunAs")) return 10000;
        return 0;
}

int64_t scc_constraints_points(const scc_constraints *c) {
        int64_t p = 0;
        if (c->allow_privileged) p += 1600000;
        p += scc_volume_points(&c->volumes);
        if (c->allow_host_network) p += 400000;
        if (c->allow_host_ports) p += 800000;
        p += scc_caps_points(c);
        p += strategy_points(c->selinux.type_str);
        p += strategy_points(c->run_as_user.type_str);
        return p;
}

int scc_constraints_compare(const scc_constraints *a, const scc_constraints *b) {
        int32_t pa = a->has_priority ? a->priority : 0, pb = b->has_priority ? b->priority : 0;
        if (pa != pb) return pa > pb ? -1 : 1;
        if (a->points != b->points) return a->points < b->points ? -1 : 1;
        return strcmp(a->name, b->name);
}
