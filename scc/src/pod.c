/* scc — pod JSON accessors, seccomp conversions and the shape check. */
#include "scc/pod.h"
#include <stdio.h>
#include <string.h>
#include "ocx/json.h"
#include "ocx/banned.h"

const char *const scc_container_lists[3] = {"initContainers", "containers", "ephemeralContainers"};

/* The hot lookup of the engine: a linear walk over the members comparing the
 * first byte before the whole key (cJSON compares every member with strcmp);
 * case-sensitive, first match, like ocx_json_get. */
const cJSON *scc_jget(const cJSON *o, const char *key) {
        if (!o || (o->type & 0xFF) != cJSON_Object) return NULL;
        const char k0 = key[0];
        for (const cJSON *c = o->child; c; c = c->next) {
                if (c->string && c->string[0] == k0 && (k0 == 0 || strcmp(c->string + 1, key + 1) == 0))
                        return (c->type & 0xFF) == cJSON_NULL ? NULL : c;
        }
        return NULL;
}

scc_opt_int scc_jint(const cJSON *o, const char *key) {
        scc_opt_int r = {false, 0};
        const cJSON *v = scc_jget(o, key);
        if (v && ocx_json_int(v, INT64_MIN, INT64_MAX, &r.v) == 0) r.set = true;
        return r;
}

int scc_jtristate(const cJSON *o, const char *key) {
        const cJSON *v = scc_jget(o, key);
        return cJSON_IsBool(v) ? (cJSON_IsTrue(v) ? 1 : 0) : -1;
}

bool scc_jtrue(const cJSON *o, const char *key) { return scc_jtristate(o, key) == 1; }

static const char *str_or_empty(const cJSON *o, const char *k) {
        const char *s = ocx_json_get_str(o, k);
        return s ? s : "";
}

bool scc_jselinux(const cJSON *sc, scc_selinux_opts *ret) {
        const cJSON *o = scc_jget(sc, "seLinuxOptions");
        if (!cJSON_IsObject(o)) return false;
        *ret = (scc_selinux_opts){str_or_empty(o, "user"), str_or_empty(o, "role"), str_or_empty(o, "type"),
                                  str_or_empty(o, "level")};
        return true;
}

static const char **str_array(const cJSON *a, size_t *ret_n, bool *ret_nil) {
        *ret_n = 0;
        *ret_nil = !cJSON_IsArray(a);
        if (*ret_nil) return NULL;
        const char **v = ocx_xcalloc((size_t)cJSON_GetArraySize(a) + 1, sizeof(char *));
        const cJSON *e;
        cJSON_ArrayForEach(e, a) {
                if (cJSON_IsString(e)) v[(*ret_n)++] = e->valuestring;
        }
        return v;
}

void scc_jcaps(const cJSON *sc, scc_caps *ret) {
        const cJSON *c = scc_jget(sc, "capabilities");
        *ret = (scc_caps){.set = cJSON_IsObject(c), .add_nil = true, .drop_nil = true};
        if (!ret->set) return;
        ret->add = str_array(scc_jget(c, "add"), &ret->n_add, &ret->add_nil);
        ret->drop = str_array(scc_jget(c, "drop"), &ret->n_drop, &ret->drop_nil);
}

char *scc_seccomp_field_to_profile(const cJSON *field) {
        const char *t = ocx_json_get_str(field, "type");
        if (ocx_streq(t, "Unconfined")) return ocx_xstrdup("unconfined");
        if (ocx_streq(t, "RuntimeDefault")) return ocx_xstrdup("runtime/default");
        if (ocx_streq(t, "Localhost")) {
                const char *lp = ocx_json_get_str(field, "localhostProfile");
                return lp ? ocx_xasprintf("localhost/%s", lp) : ocx_xstrdup("");
        }
        return ocx_xstrdup("");
}

cJSON *scc_seccomp_profile_to_field(const char *profile) {
        cJSON *f = NULL;
        if (!strcmp(profile, "runtime/default") || !strcmp(profile, "docker/default")) {
                f = cJSON_CreateObject();
                cJSON_AddStringToObject(f, "type", "RuntimeDefault");
        } else if (!strcmp(profile, "unconfined")) {
                f = cJSON_CreateObject();
                cJSON_AddStringToObject(f, "type", "Unconfined");
        } else if (ocx_startswith(profile, "localhost/")) {
                f = cJSON_CreateObject();
                cJSON_AddStringToObject(f, "type", "Localhost");
                cJSON_AddStringToObject(f, "localhostProfile", profile + strlen("localhost/"));
        }
        return f;
}

const char *scc_pod_display_name(const cJSON *pod) {
        const cJSON *meta = scc_jget(pod, "metadata");
        const char *n = ocx_json_get_str(meta, "name");
        if (n && *n) return n;
        n = ocx_json_get_str(meta, "generateName");
        if (n && *n) return n;
        return "Unknown";
}

/* ---- shape check ---- */

typedef struct chk {
        ocx_error **reterr;
        int r;
} chk;

static void bad(chk *c, const char *path, const char *why) {
        if (c->r == 0)
                c->r = ocx_error_set(c->reterr, EACCES, NULL,
                                     "object was marked as kind pod but was unable to be converted: %s: %s", path, why);
}

/* kind: 'b' bool, 's' string, 'i' int64, 'I' int32, 'o' object, 'a' array */
static const cJSON *want(chk *c, const cJSON *o, const char *key, char kind, const char *base) {
        const cJSON *v = scc_jget(o, key);
        if (!v) return NULL;
        bool ok;
        int64_t x;
        switch (kind) {
        case 'b': ok = cJSON_IsBool(v); break;
        case 's': ok = cJSON_IsString(v); break;
        case 'i': ok = ocx_json_int(v, INT64_MIN, INT64_MAX, &x) == 0; break;
        case 'I': ok = ocx_json_int(v, INT32_MIN, INT32_MAX, &x) == 0; break;
        case 'o': ok = cJSON_IsObject(v); break;
        default: ok = cJSON_IsArray(v); break;
        }
        if (!ok) {
                char p[512];
                snprintf(p, sizeof(p), "%s.%s", base, key);
                bad(c, p, kind == 'b'   ? "expected a boolean"
                          : kind == 's' ? "expected a string"
                          : kind == 'o' ? "expected an object"
                          : kind == 'a' ? "expected an array"
                                        : "expected an integer in range");
                return NULL;
        }
        return v;
}

static void want_elems(chk *c, const cJSON *a, char kind, const char *base) {
        const cJSON *e;
        int i = 0;
        cJSON_ArrayForEach(e, a) {
                int64_t x;
                bool ok = kind == 's' ? cJSON_IsString(e)
                          : kind == 'o' ? cJSON_IsObject(e)
                                        : ocx_json_int(e, INT64_MIN, INT64_MAX, &x) == 0;
                if (!ok) {
                        char p[512];
                        snprintf(p, sizeof(p), "%s[%d]", base, i);
                        bad(c, p, kind == 's' ? "expected a string" : kind == 'o' ? "expected an object" : "expected an integer");
                        return;
                }
                i++;
        }
}

/* Paths are only needed for the error message; they are built when the
 * object they name is present (most pods carry few of these fields). */
static void check_common_sc(chk *c, const cJSON *sc, const char *p) {
        if (!sc) return;
        char sp[512];
        const cJSON *se = want(c, sc, "seLinuxOptions", 'o', p);
        if (se) {
                snprintf(sp, sizeof(sp), "%s.seLinuxOptions", p);
                static const char *const sel[] = {"user", "role", "type", "level"};
                for (size_t i = 0; i < 4; i++) want(c, se, sel[i], 's', sp);
        }
        want(c, sc, "runAsUser", 'i', p);
        want(c, sc, "runAsGroup", 'i', p);
        want(c, sc, "runAsNonRoot", 'b', p);
        const cJSON *sp_ = want(c, sc, "seccompProfile", 'o', p);
        if (sp_) {
                snprintf(sp, sizeof(sp), "%s.seccompProfile", p);
                want(c, sp_, "type", 's', sp);
                want(c, sp_, "localhostProfile", 's', sp);
        }
}

static void check_container(chk *c, const cJSON *ct, const char *list, int idx) {
        char p[96], q[512];
        /* "spec.<list>[<idx>]" without snprintf: this runs for every container of every pod */
        size_t ll = strlen(list), o = 0;
        memcpy(p, "spec.", 5), o = 5;
        memcpy(p + o, list, ll), o += ll; /* lists are the three fixed names: fits */
        p[o++] = '[';
        char digits[12];
        size_t nd = 0;
        unsigned u = idx < 0 ? 0u : (unsigned)idx;
        do digits[nd++] = (char)('0' + u % 10);
        while ((u /= 10) != 0);
        while (nd) p[o++] = digits[--nd];
        p[o++] = ']';
        p[o] = 0;
        want(c, ct, "name", 's', p);
        const cJSON *ports = want(c, ct, "ports", 'a', p);
        if (ports) {
                snprintf(q, sizeof(q), "%s.ports", p);
                want_elems(c, ports, 'o', q);
                const cJSON *port;
                cJSON_ArrayForEach(port, ports) want(c, port, "hostPort", 'I', q);
        }
        const cJSON *sc = want(c, ct, "securityContext", 'o', p);
        if (!sc) return;
        snprintf(q, sizeof(q), "%s.securityContext", p);
        check_common_sc(c, sc, q);
        static const char *const bools[] = {"privileged", "readOnlyRootFilesystem", "allowPrivilegeEscalation"};
        for (size_t i = 0; i < 3; i++) want(c, sc, bools[i], 'b', q);
        const cJSON *caps = want(c, sc, "capabilities", 'o', q);
        if (!caps) return;
        char r[600];
        snprintf(r, sizeof(r), "%s.capabilities", q);
        const cJSON *add = want(c, caps, "add", 'a', r), *drop = want(c, caps, "drop", 'a', r);
        want_elems(c, add, 's', r);
        want_elems(c, drop, 's', r);
}

int scc_pod_check(const cJSON *pod, ocx_error **reterr) {
        chk c = {reterr, 0};
        if (!cJSON_IsObject(pod)) {
                bad(&c, "<root>", "expected an object");
                return c.r;
        }
        const cJSON *meta = want(&c, pod, "metadata", 'o', "pod");
        want(&c, meta, "name", 's', "metadata");
        want(&c, meta, "generateName", 's', "metadata");
        const cJSON *ann = want(&c, meta, "annotations", 'o', "metadata"), *a;
        cJSON_ArrayForEach(a, ann) {
                if (!cJSON_IsString(a)) bad(&c, "metadata.annotations", "expected string values");
        }
        const cJSON *spec = want(&c, pod, "spec", 'o', "pod");
        want(&c, spec, "serviceAccountName", 's', "spec");
        static const char *const hb[] = {"hostNetwork", "hostPID", "hostIPC", "hostUsers"};
        for (size_t i = 0; i < 4; i++) want(&c, spec, hb[i], 'b', "spec");
        want(&c, want(&c, spec, "os", 'o', "spec"), "name", 's', "spec.os");
        const cJSON *psc = want(&c, spec, "securityContext", 'o', "spec");
        check_common_sc(&c, psc, "spec.securityContext");
        want(&c, psc, "fsGroup", 'i', "spec.securityContext");
        want_elems(&c, want(&c, psc, "supplementalGroups", 'a', "spec.securityContext"), 'i',
                   "spec.securityContext.supplementalGroups");
        const cJSON *sysctls = want(&c, psc, "sysctls", 'a', "spec.securityContext"), *s;
        want_elems(&c, sysctls, 'o', "spec.securityContext.sysctls");
        cJSON_ArrayForEach(s, sysctls) want(&c, s, "name", 's', "spec.securityContext.sysctls");
        const cJSON *vols = want(&c, spec, "volumes", 'a', "spec"), *v;
        want_elems(&c, vols, 'o', "spec.volumes");
        cJSON_ArrayForEach(v, vols) {
                want(&c, v, "name", 's', "spec.volumes");
                want(&c, want(&c, v, "flexVolume", 'o', "spec.volumes"), "driver", 's', "spec.volumes.flexVolume");
        }
        for (size_t l = 0; l < 3; l++) {
                const cJSON *list = want(&c, spec, scc_container_lists[l], 'a', "spec"), *ct;
                if (!list) continue;
                char p[64];
                snprintf(p, sizeof(p), "spec.%s", scc_container_lists[l]);
                want_elems(&c, list, 'o', p);
                int i = 0;
                cJSON_ArrayForEach(ct, list) check_container(&c, ct, scc_container_lists[l], i++);
        }
        return c.r;
}
