/* scc — SCC object defaulting and validation. */
#include "scc/validation.h"
#include <pthread.h>
#include <regex.h>
#include <stdio.h>
#include <string.h>
#include "ocx/json.h"
#include "scc/constraints.h"
#include "scc/volumes.h"
#include "ocx/banned.h"

/* ---- defaulting (1.4) ---- */

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void default_type(cJSON *obj, const char *key) {
        cJSON *s = ocx_json_ensure_obj(obj, key);
        const char *t = ocx_json_get_str(s, "type");
        if (!t || !*t) ocx_json_set_str(s, "type", "RunAsAny");
}

static void default_list(cJSON *obj, const char *key) {
        cJSON *v = ocx_json_get(obj, key);
        if (!v || cJSON_IsNull(v)) ocx_json_set(obj, key, cJSON_CreateArray());
}

int scc_object_set_defaults(cJSON *obj) {
        if (!cJSON_IsObject(obj)) return -EINVAL;
        default_type(obj, "fsGroup");
        default_type(obj, "supplementalGroups");
        default_list(obj, "users");
        default_list(obj, "groups");

        bool host_dir = cJSON_IsTrue(ocx_json_get(obj, "allowHostDirVolumePlugin"));
        const cJSON *vols = ocx_json_get(obj, "volumes");
        size_t cap = 64 + (cJSON_IsArray(vols) ? (size_t)cJSON_GetArraySize(vols) : 0);
        const char **set = ocx_xcalloc(cap, sizeof(char *));
        size_t n = 0;
        if (!vols || cJSON_IsNull(vols)) {
                set[n++] = "*";
        } else if (cJSON_IsArray(vols) && cJSON_GetArraySize(vols) == 0) {
                set[n++] = host_dir ? "hostPath" : "none";
        } else {
                const cJSON *e;
                cJSON_ArrayForEach(e, vols) {
                        if (cJSON_IsString(e)) set[n++] = e->valuestring;
                }
        }
        bool star = false;
        for (size_t i = 0; i < n; i++) star |= strcmp(set[i], "*") == 0;
        if (host_dir) {
                if (!star) set[n++] = "hostPath";
        } else {
                size_t k = 0;
                for (size_t i = 0; i < n; i++)
                        if (strcmp(set[i], "*") != 0 && strcmp(set[i], "hostPath") != 0) set[k++] = set[i];
                n = k;
                if (star)
                        for (size_t i = 0; scc_all_fstypes[i]; i++)
                                if (strcmp(scc_all_fstypes[i], "hostPath") != 0) set[n++] = scc_all_fstypes[i];
        }
        qsort(set, n, sizeof(char *), cmp_str);
        cJSON *out = cJSON_CreateArray();
        for (size_t i = 0; i < n; i++)
                if (i == 0 || strcmp(set[i], set[i - 1]) != 0) cJSON_AddItemToArray(out, cJSON_CreateString(set[i]));
        free(set);
        ocx_json_set(obj, "volumes", out); /* frees the old array, and with it the borrowed strings */

        const cJSON *ape = ocx_json_get(obj, "allowPrivilegeEscalation");
        if (!ape || cJSON_IsNull(ape)) ocx_json_set(obj, "allowPrivilegeEscalation", cJSON_CreateTrue());
        return 0;
}

/* ---- validation (1.5) ---- */

static void inval(scc_errlist *errs, const char *path, char *value, const char *detail) {
        scc_errlist_add(errs, SCC_ERR_INVALID, path, value, detail);
        free(value);
}

static char *caps_val(const scc_strv *l) {
        return scc_val_str_slice("core.Capability", (const char *const *)l->v, l->n, !l->set);
}

static void caps_vs_drops(const scc_constraints *c, const scc_strv *caps, const char *field, scc_errlist *errs) {
        if (!c->required_drop_caps.set) return;
        for (size_t i = 0; i < caps->n; i++)
                if (scc_strv_has(&c->required_drop_caps, caps->v[i])) {
                        char *detail = ocx_xasprintf("capability is listed in %s and requiredDropCapabilities", field);
                        inval(errs, field, scc_val_quote(caps->v[i]), detail);
                        free(detail);
                }
}

static void id_ranges(const scc_range *r, size_t n, const char *field, scc_errlist *errs) {
        for (size_t i = 0; i < n; i++) {
                char minp[96], maxp[96];
                snprintf(minp, sizeof(minp), "%s.ranges[%zu].min", field, i);
                snprintf(maxp, sizeof(maxp), "%s.ranges[%zu].max", field, i);
                if (r[i].min < 0) inval(errs, minp, scc_val_int(r[i].min), "min cannot be negative");
                if (r[i].max < 0) inval(errs, maxp, scc_val_int(r[i].max), "max cannot be negative");
                if (r[i].min > r[i].max)
                        inval(errs, minp,
                              ocx_xasprintf("security.IDRange{Min:%lld, Max:%lld}", (long long)r[i].min, (long long)r[i].max),
                              "min cannot be greater than max");
        }
}

#define SYSCTL_SEG "[a-z0-9]([-_a-z0-9]*[a-z0-9])?"
#define SYSCTL_PATTERN "^(" SYSCTL_SEG "\\.)*([a-z0-9][-_a-z0-9]*)?[a-z0-9*]$"

static regex_t sysctl_re;
static bool sysctl_re_ok;
static pthread_once_t sysctl_once = PTHREAD_ONCE_INIT;
static void sysctl_compile(void) {
        sysctl_re_ok = regcomp(&sysctl_re, SYSCTL_PATTERN, REG_EXTENDED | REG_NOSUB) == 0;
}

static bool sysctl_pattern_ok(const char *s) {
        pthread_once(&sysctl_once, sysctl_compile);
        if (!sysctl_re_ok) return false;
        return strlen(s) <= 253 && regexec(&sysctl_re, s, 0, NULL, 0) == 0;
}

static void sysctl_list(const scc_strv *l, const char *field, scc_errlist *errs) {
        bool covers_all = false;
        for (size_t i = 0; i < l->n; i++) {
                char p[64];
                snprintf(p, sizeof(p), "%s[%zu]", field, i);
                if (!*l->v[i]) inval(errs, p, scc_val_quote(""), "empty sysctl not allowed");
                else if (!sysctl_pattern_ok(l->v[i]))
                        inval(errs, p, scc_val_quote(l->v[i]),
                              "must have at most 253 characters and match regex " SYSCTL_PATTERN);
                else if (l->v[i][0] == '*')
                        covers_all = true;
        }
        if (covers_all && l->n > 1) {
                char p[64];
                snprintf(p, sizeof(p), "%s.items", field);
                scc_errlist_add(errs, SCC_ERR_FORBIDDEN, p, NULL, "if '*' is present, must not specify other sysctls");
        }
}

static bool pattern_prefix(const char *s, size_t *len) {
        *len = strlen(s);
        if (*len && s[*len - 1] == '*') {
                (*len)--;
                return true;
        }
        return false;
}

static void sysctl_overlap(const scc_constraints *c, scc_errlist *errs) {
        const scc_strv *al = &c->allowed_unsafe_sysctls, *fb = &c->forbidden_sysctls;
        for (size_t i = 0; i < al->n; i++) {
                size_t alen, flen;
                bool ap = pattern_prefix(al->v[i], &alen);
                for (size_t j = 0; j < fb->n; j++) {
                        bool fp = pattern_prefix(fb->v[j], &flen);
                        char pa[64], pf[64];
                        snprintf(pa, sizeof(pa), "allowedUnsafeSysctls[%zu]", i);
                        snprintf(pf, sizeof(pf), "forbiddenSysctls[%zu]", j);
                        char *da = ocx_xasprintf("sysctl overlaps with %s", fb->v[j]);
                        char *df = ocx_xasprintf("sysctl overlaps with %s", al->v[i]);
                        if (ap && fp) {
                                if (alen >= flen && strncmp(al->v[i], fb->v[j], flen) == 0)
                                        inval(errs, pa, scc_val_quote(al->v[i]), da);
                                else if (flen >= alen && strncmp(fb->v[j], al->v[i], alen) == 0)
                                        inval(errs, pf, scc_val_quote(fb->v[j]), df);
                        } else if (ap) {
                                if (strncmp(fb->v[j], al->v[i], alen) == 0) inval(errs, pf, scc_val_quote(fb->v[j]), df);
                        } else if (fp) {
                                if (strncmp(al->v[i], fb->v[j], flen) == 0) inval(errs, pa, scc_val_quote(al->v[i]), da);
                        } else if (strcmp(al->v[i], fb->v[j]) == 0) {
                                inval(errs, pa, scc_val_quote(al->v[i]), da);
                        }
                        free(da);
                        free(df);
                }
        }
}

static bool dns_subdomain_ok(const char *s) {
        size_t n = strlen(s);
        if (n == 0 || n > 253) return false;
        for (size_t i = 0; i < n; i++) {
                char ch = s[i];
                bool alnum = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
                if (!alnum && ch != '-' && ch != '.') return false;
                bool edge = i == 0 || i == n - 1 || s[i - 1] == '.' || s[i + 1] == '.';
                if (edge && !alnum) return false;
        }
        return true;
}

size_t scc_object_validate(const cJSON *obj, scc_errlist *errs) {
        size_t n0 = errs->n;
        scc_constraints *c = NULL;
        ocx_error *e = NULL;
        if (scc_constraints_from_json(obj, &c, &e) < 0) {
                /* the decoder already rendered "<path>: Invalid value: ..." */
                scc_errlist_add_text(errs, e->message);
                free(errs->v[errs->n - 1].field);
                errs->v[errs->n - 1].field = ocx_xstrdup(e->field ? e->field : "");
                ocx_error_free(e);
                return errs->n - n0;
        }
        const char *name = c->name;
        if (!*name) scc_errlist_add(errs, SCC_ERR_REQUIRED, "metadata.name", NULL, "name or generateName is required");
        else if (!dns_subdomain_ok(name))
                inval(errs, "metadata.name", scc_val_quote(name),
                      strlen(name) > 253 ? "must be no more than 253 characters"
                                         : "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
                                           "characters, '-' or '.', and must start and end with an alphanumeric "
                                           "character (e.g. 'example.com', regex used for validation is "
                                           "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
        if (c->has_priority && c->priority < 0)
                inval(errs, "priority", scc_val_int(c->priority), "priority cannot be negative");
        if (c->run_as_user.type == SCC_RAU_UNKNOWN)
                inval(errs, "runAsUser.type", scc_val_quote(c->run_as_user.type_str),
                      "invalid strategy type.  Valid values are MustRunAs, MustRunAsNonRoot, MustRunAsRange, RunAsAny");
        if (c->run_as_user.has_uid && c->run_as_user.uid < 0)
                inval(errs, "runAsUser.uid", scc_val_int(c->run_as_user.uid), "uid cannot be negative");
        /* beyond upstream (which accepts these and then admits nothing): the range bounds */
        if (c->run_as_user.has_min && c->run_as_user.min < 0)
                inval(errs, "runAsUser.uidRangeMin", scc_val_int(c->run_as_user.min), "min cannot be negative");
        if (c->run_as_user.has_max && c->run_as_user.max < 0)
                inval(errs, "runAsUser.uidRangeMax", scc_val_int(c->run_as_user.max), "max cannot be negative");
        if (c->run_as_user.has_min && c->run_as_user.has_max && c->run_as_user.min > c->run_as_user.max)
                inval(errs, "runAsUser.uidRangeMin", scc_val_int(c->run_as_user.min), "min cannot be greater than max");
        if (c->selinux.type == SCC_STRAT_UNKNOWN)
                inval(errs, "seLinuxContext.type", scc_val_quote(c->selinux.type_str),
                      "invalid strategy type.  Valid values are MustRunAs, RunAsAny");
        const char *supported = "supported values: \"MustRunAs\", \"RunAsAny\"";
        if (c->fs_group.type == SCC_STRAT_UNKNOWN) {
                char *v = scc_val_quote(c->fs_group.type_str);
                scc_errlist_add(errs, SCC_ERR_NOT_SUPPORTED, "fsGroup.type", v, supported);
                free(v);
        }
        id_ranges(c->fs_group.ranges, c->fs_group.n_ranges, "fsGroup", errs);
        if (c->sup_groups.type == SCC_STRAT_UNKNOWN) {
                char *v = scc_val_quote(c->sup_groups.type_str);
                scc_errlist_add(errs, SCC_ERR_NOT_SUPPORTED, "supplementalGroups.type", v, supported);
                free(v);
        }
        id_ranges(c->sup_groups.ranges, c->sup_groups.n_ranges, "supplementalGroups", errs);
        caps_vs_drops(c, &c->default_add_caps, "defaultAddCapabilities", errs);
        caps_vs_drops(c, &c->allowed_caps, "allowedCapabilities", errs);
        if (scc_strv_has(&c->allowed_caps, "*") && c->required_drop_caps.n > 0)
                inval(errs, "requiredDropCapabilities", caps_val(&c->required_drop_caps),
                      "required capabilities must be empty when all capabilities are allowed by a wildcard");
        if (c->default_allow_priv_esc == 1 && c->allow_priv_esc == 0)
                inval(errs, "defaultAllowPrivilegeEscalation", scc_val_bool(true),
                      "Cannot set DefaultAllowPrivilegeEscalation to true without also setting AllowPrivilegeEscalation to true");
        bool none = scc_strv_has(&c->volumes, "none");
        bool flex = scc_strv_has(&c->volumes, "flexVolume") || scc_strv_has(&c->volumes, "*");
        if (none && c->volumes.n > 1)
                inval(errs, "volumes", scc_val_str_slice("security.FSType", (const char *const *)c->volumes.v, c->volumes.n, false),
                      "if 'none' is specified, no other values are allowed");
        if (c->flex_drivers.n > 0) {
                if (flex) {
                        for (size_t i = 0; i < c->flex_drivers.n; i++)
                                if (!*c->flex_drivers.v[i]) {
                                        char p[64];
                                        snprintf(p, sizeof(p), "allowedFlexVolumes[%zu].driver", i);
                                        scc_errlist_add(errs, SCC_ERR_REQUIRED, p, NULL, "must specify a driver");
                                }
                } else {
                        ocx_buf b = OCX_BUF_INIT;
                        ocx_buf_puts(&b, "[]security.AllowedFlexVolume{");
                        for (size_t i = 0; i < c->flex_drivers.n; i++) {
                                char *q = scc_val_quote(c->flex_drivers.v[i]);
                                ocx_buf_printf(&b, "%ssecurity.AllowedFlexVolume{Driver:%s}", i ? ", " : "", q);
                                free(q);
                        }
                        ocx_buf_puts(&b, "}");
                        inval(errs, "allowedFlexVolumes", ocx_buf_detach(&b, NULL),
                              "volumes does not include 'flexVolume' or '*', so no flex volumes are allowed");
                }
        }
        sysctl_list(&c->allowed_unsafe_sysctls, "allowedUnsafeSysctls", errs);
        sysctl_list(&c->forbidden_sysctls, "forbiddenSysctls", errs);
        sysctl_overlap(c, errs);
        scc_constraints_free(c);
        return errs->n - n0;
}

int scc_object_check(const cJSON *obj, ocx_error **reterr) {
        scc_errlist errs = SCC_ERRLIST_INIT;
        if (scc_object_validate(obj, &errs) == 0) return 0;
        char *msg = scc_errlist_aggregate(&errs);
        int r = ocx_error_set(reterr, EINVAL, errs.v[0].field, "%s", msg);
        free(msg);
        scc_errlist_release(&errs);
        return r;
}
