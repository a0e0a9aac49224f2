/* scc — runAsUser, SELinux, group, capabilities, seccomp and sysctl strategies. */
#include "scc/strategy.h"
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include "ocx/buf.h"
#include "ocx/macro.h"
#include "ocx/banned.h"

/* Appends one field error at "<base><child>" with an owned rendered value. */
static void add_err(scc_errlist *errs, scc_err_type t, const char *base, const char *child, char *value,
                    const char *detail) {
        char *path = ocx_xasprintf("%s%s", base, child);
        scc_errlist_add(errs, t, path, value, detail);
        free(path);
        free(value);
}

/* ---- runAsUser ---- */

scc_opt_int scc_uid_generate(const scc_uid_strategy *s) {
        switch (s->type) {
        case SCC_RAU_MUST_RUN_AS: return (scc_opt_int){true, s->uid};
        case SCC_RAU_MUST_RUN_AS_RANGE: return (scc_opt_int){true, s->min};
        default: return (scc_opt_int){false, 0};
        }
}

void scc_uid_validate(const scc_uid_strategy *s, const char *path, scc_opt_int uid, int non_root,
                      scc_errlist *errs) {
        char detail[96];
        switch (s->type) {
        case SCC_RAU_MUST_RUN_AS:
                if (!uid.set) {
                        add_err(errs, SCC_ERR_REQUIRED, path, ".runAsUser", NULL, "");
                } else if (uid.v != s->uid) {
                        snprintf(detail, sizeof(detail), "must be: %lld", (long long)s->uid);
                        add_err(errs, SCC_ERR_INVALID, path, ".runAsUser", scc_val_int(uid.v), detail);
                }
                break;
        case SCC_RAU_MUST_RUN_AS_RANGE:
                if (!uid.set) {
                        add_err(errs, SCC_ERR_REQUIRED, path, ".runAsUser", NULL, "");
                } else if (uid.v < s->min || uid.v > s->max) {
                        snprintf(detail, sizeof(detail), "must be in the ranges: [%lld, %lld]", (long long)s->min,
                                 (long long)s->max);
                        add_err(errs, SCC_ERR_INVALID, path, ".runAsUser", scc_val_int(uid.v), detail);
                }
                break;
        case SCC_RAU_MUST_RUN_AS_NON_ROOT:
                if (non_root < 0 && !uid.set)
                        add_err(errs, SCC_ERR_REQUIRED, path, ".runAsNonRoot", NULL, "must be true");
                else if (non_root == 0)
                        add_err(errs, SCC_ERR_INVALID, path, ".runAsNonRoot", scc_val_bool(false), "must be true");
                else if (uid.set && uid.v == 0)
                        add_err(errs, SCC_ERR_INVALID, path, ".runAsUser", scc_val_int(0),
                                "running with the root UID is forbidden");
                break;
        default:
                break;
        }
}

/* ---- SELinux ---- */

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Splits a category list on ',' into a sorted heap array of heap strings. */
static char **split_sorted(const char *s, size_t *ret_n) {
        size_t n = 1;
        for (const char *p = s; *p; p++) n += *p == ',';
        char **v = ocx_xcalloc(n, sizeof(char *));
        for (size_t i = 0; i < n; i++) {
                const char *e = strchr(s, ',');
                size_t len = e ? (size_t)(e - s) : strlen(s);
                v[i] = ocx_xstrndup(s, len);
                s += len + (e ? 1 : 0);
        }
        qsort(v, n, sizeof(char *), cmp_str);
        *ret_n = n;
        return v;
}

bool scc_selinux_levels_equal(const char *expected, const char *actual) {
        if (strcmp(expected, actual) == 0) return true;
        const char *ce = strchr(expected, ':'), *ca = strchr(actual, ':');
        if (!ce || !ca) return false;
        if ((size_t)(ce - expected) != (size_t)(ca - actual) || strncmp(expected, actual, (size_t)(ce - expected)) != 0)
                return false;
        size_t ne, na;
        char **ve = split_sorted(ce + 1, &ne), **va = split_sorted(ca + 1, &na);
        bool eq = ne == na;
        for (size_t i = 0; eq && i < ne; i++) eq = strcmp(ve[i], va[i]) == 0;
        for (size_t i = 0; i < ne; i++) free(ve[i]);
        for (size_t i = 0; i < na; i++) free(va[i]);
        free(ve);
        free(va);
        return eq;
}

static void sel_field(scc_errlist *errs, const char *path, const char *child, const char *want, const char *got) {
        char *detail = ocx_xasprintf("must be %s", want);
        add_err(errs, SCC_ERR_INVALID, path, child, scc_val_quote(got), detail);
        free(detail);
}

void scc_selinux_validate(const scc_selinux_strategy *s, const char *path, const scc_selinux_opts *o,
                          scc_errlist *errs) {
        if (s->type != SCC_STRAT_MUST_RUN_AS) return;
        if (!o) {
                add_err(errs, SCC_ERR_REQUIRED, path, "", NULL, "");
                return;
        }
        if (!scc_selinux_levels_equal(s->opts.level, o->level)) sel_field(errs, path, ".level", s->opts.level, o->level);
        if (strcmp(s->opts.role, o->role) != 0) sel_field(errs, path, ".role", s->opts.role, o->role);
        if (strcmp(s->opts.type, o->type) != 0) sel_field(errs, path, ".type", s->opts.type, o->type);
        if (strcmp(s->opts.user, o->user) != 0) sel_field(errs, path, ".user", s->opts.user, o->user);
}

/* ---- groups ---- */

scc_opt_int scc_group_generate(const scc_group_strategy *s) {
        if (s->type == SCC_STRAT_MUST_RUN_AS && s->n_ranges > 0) return (scc_opt_int){true, s->ranges[0].min};
        return (scc_opt_int){false, 0};
}

void scc_group_validate(const scc_group_strategy *s, const char *field_path, const int64_t *groups, size_t n,
                        bool groups_nil, scc_errlist *errs) {
        if (s->type != SCC_STRAT_MUST_RUN_AS) return;
        if (n == 0) {
                add_err(errs, SCC_ERR_INVALID, field_path, "", scc_val_int_slice(groups, 0, groups_nil),
                        "unable to validate empty groups against required ranges");
                return;
        }
        for (size_t i = 0; i < n; i++) {
                bool ok = false;
                for (size_t j = 0; j < s->n_ranges && !ok; j++)
                        ok = groups[i] >= s->ranges[j].min && groups[i] <= s->ranges[j].max;
                if (ok) continue;
                char detail[64];
                snprintf(detail, sizeof(detail), "%lld is not an allowed group", (long long)groups[i]);
                add_err(errs, SCC_ERR_INVALID, field_path, "", scc_val_int_slice(groups, n, false), detail);
        }
}

/* ---- capabilities ---- */

static bool in_list(const char *const *v, size_t n, const char *s) {
        for (size_t i = 0; i < n; i++)
                if (strcmp(v[i], s) == 0) return true;
        return false;
}

/* Sorts and de-duplicates v in place; returns the new length. */
static size_t sort_unique(const char **v, size_t n) {
        if (n == 0) return 0;
        qsort(v, n, sizeof(char *), cmp_str);
        size_t k = 1;
        for (size_t i = 1; i < n; i++)
                if (strcmp(v[i], v[k - 1]) != 0) v[k++] = v[i];
        return k;
}

bool scc_caps_generate(const scc_constraints *c, const scc_caps *in, scc_caps *ret) {
        size_t n_add = in->set ? in->n_add : 0, n_drop = in->set ? in->n_drop : 0;
        const char **add = ocx_xcalloc(c->default_add_caps.n + n_add + 1, sizeof(char *));
        const char **drop = ocx_xcalloc(c->required_drop_caps.n + n_drop + 1, sizeof(char *));
        size_t na = 0, nd = 0;
        for (size_t i = 0; i < n_add; i++) add[na++] = in->add[i];
        size_t set_add = sort_unique(add, na);
        for (size_t i = 0; i < n_drop; i++) drop[nd++] = in->drop[i];
        size_t set_drop = sort_unique(drop, nd);
        na = set_add;
        nd = set_drop;
        for (size_t i = 0; i < c->default_add_caps.n; i++)
                if (!in_list(drop, set_drop, c->default_add_caps.v[i])) add[na++] = c->default_add_caps.v[i];
        for (size_t i = 0; i < c->required_drop_caps.n; i++) drop[nd++] = c->required_drop_caps.v[i];
        na = sort_unique(add, na);
        nd = sort_unique(drop, nd);
        if (na == set_add && nd == set_drop) {
                free(add);
                free(drop);
                return false;
        }
        *ret = (scc_caps){.set = true, .add = add, .n_add = na, .add_nil = na == 0,
                          .drop = drop, .n_drop = nd, .drop_nil = nd == 0};
        return true;
}

void scc_caps_validate(const scc_constraints *c, const char *path, const scc_caps *caps, scc_errlist *errs) {
        if (!caps->set) {
                if (c->default_add_caps.n > 0 || c->required_drop_caps.n > 0)
                        add_err(errs, SCC_ERR_INVALID, path, ".capabilities", scc_val_null(),
                                "required capabilities are not set on the securityContext");
                return;
        }
        if (scc_strv_has(&c->allowed_caps, "*")) return;
        for (size_t i = 0; i < caps->n_add; i++) {
                const char *cap = caps->add[i];
                if (!scc_strv_has(&c->default_add_caps, cap) && !scc_strv_has(&c->allowed_caps, cap))
                        add_err(errs, SCC_ERR_INVALID, path, ".capabilities.add", scc_val_quote(cap),
                                "capability may not be added");
        }
        for (size_t i = 0; i < c->required_drop_caps.n; i++) {
                const char *cap = c->required_drop_caps.v[i];
                if (in_list(caps->drop, caps->n_drop, cap)) continue;
                char *detail = ocx_xasprintf("%s is required to be dropped but was not found", cap);
                add_err(errs, SCC_ERR_INVALID, path, ".capabilities.drop",
                        scc_val_str_slice("core.Capability", caps->drop, caps->n_drop, caps->drop_nil), detail);
                free(detail);
        }
}

/* ---- seccomp ---- */

const char *scc_seccomp_default(const scc_constraints *c) {
        for (size_t i = 0; i < c->seccomp_profiles.n; i++)
                if (strcmp(c->seccomp_profiles.v[i], "*") != 0) return c->seccomp_profiles.v[i];
        return NULL;
}

static bool is_runtime_default(const char *p) {
        return strcmp(p, "runtime/default") == 0 || strcmp(p, "docker/default") == 0;
}

void scc_seccomp_validate(const scc_constraints *c, const char *path, const char *profile, scc_errlist *errs) {
        bool any = false, rt_default = false;
        size_t n_allowed = 0;
        for (size_t i = 0; i < c->seccomp_profiles.n; i++) {
                const char *p = c->seccomp_profiles.v[i];
                if (strcmp(p, "*") == 0) {
                        any = true;
                        continue;
                }
                n_allowed++;
                if (is_runtime_default(p)) rt_default = true;
        }
        if (!any && n_allowed == 0 && *profile) {
                scc_errlist_add(errs, SCC_ERR_FORBIDDEN, path, NULL, "seccomp may not be set");
                return;
        }
        if (n_allowed == 0 && !*profile) return;
        if (any) return;
        for (size_t i = 0; i < c->seccomp_profiles.n; i++)
                if (strcmp(c->seccomp_profiles.v[i], profile) == 0) return;
        if (rt_default && is_runtime_default(profile)) return;
        ocx_buf b = OCX_BUF_INIT;
        ocx_buf_printf(&b, "%s is not an allowed seccomp profile. Valid values are [", profile);
        size_t k = 0;
        for (size_t i = 0; i < c->seccomp_profiles.n; i++)
                if (strcmp(c->seccomp_profiles.v[i], "*") != 0)
                        ocx_buf_printf(&b, "%s%s", k++ ? " " : "", c->seccomp_profiles.v[i]);
        ocx_buf_puts(&b, "]");
        scc_errlist_add(errs, SCC_ERR_FORBIDDEN, path, NULL, b.data);
        ocx_buf_release(&b);
}

/* ---- sysctls ---- */

bool scc_sysctl_is_safe(const char *name, unsigned kernel) {
        static const char *const legacy[] = {
                "kernel.shm_rmid_forced",       "net.ipv4.ip_local_port_range",       "net.ipv4.tcp_syncookies",
                "net.ipv4.ping_group_range",    "net.ipv4.ip_unprivileged_port_start", "net.ipv4.tcp_keepalive_time",
                "net.ipv4.tcp_fin_timeout",     "net.ipv4.tcp_keepalive_intvl",       "net.ipv4.tcp_keepalive_probes",
        };
        for (size_t i = 0; i < OCX_ARRAY_SIZE(legacy); i++)
                if (strcmp(name, legacy[i]) == 0) return true;
        if (kernel >= 3016 && strcmp(name, "net.ipv4.ip_local_reserved_ports") == 0) return true;
        if (kernel >= 4015 && (strcmp(name, "net.ipv4.tcp_rmem") == 0 || strcmp(name, "net.ipv4.tcp_wmem") == 0))
                return true;
        return false;
}

bool scc_sysctl_matches(const scc_strv *patterns, const char *name) {
        for (size_t i = 0; i < patterns->n; i++) {
                const char *p = patterns->v[i];
                size_t len = strlen(p);
                if (len > 0 && p[len - 1] == '*') {
                        if (strncmp(name, p, len - 1) == 0) return true;
                } else if (strcmp(name, p) == 0) {
                        return true;
                }
        }
        return false;
}

void scc_sysctl_validate(const scc_constraints *c, const char *path, const char *name, unsigned kernel,
                         scc_errlist *errs) {
        char *detail = NULL;
        if (scc_sysctl_matches(&c->forbidden_sysctls, name)) detail = ocx_xasprintf("sysctl \"%s\" is not allowed", name);
        else if (scc_sysctl_is_safe(name, kernel) || scc_sysctl_matches(&c->allowed_unsafe_sysctls, name))
                return;
        else
                detail = ocx_xasprintf("unsafe sysctl \"%s\" is not allowed", name);
        scc_errlist_add(errs, SCC_ERR_FORBIDDEN, path, NULL, detail);
        free(detail);
}

unsigned scc_kernel_version(void) {
        struct utsname u;
        if (uname(&u) < 0) return 0;
        unsigned maj = 0, min = 0;
        if (sscanf(u.release, "%u.%u", &maj, &min) != 2) return 0;
        return maj * 1000 + (min > 999 ? 999 : min);
}
