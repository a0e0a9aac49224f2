/* scc — candidate list, who-may-use, the selection loop and its errors. */
#include "scc/admission.h"
#include <stdio.h>
#include <string.h>
#include "ocx/json.h"
#include "scc/allocation.h"
#include "scc/errlist.h"
#include "scc/pod.h"
#include "scc/provider.h"
#include "ocx/banned.h"

typedef struct entry {
        scc_constraints *c; /* NULL when broken */
        char *name;
        char *err; /* decode error of a broken entry */
} entry;

struct scc_set {
        entry *v;
        size_t n;
        unsigned kernel;
};

static int cmp_entry(const void *a, const void *b) {
        const entry *x = a, *y = b;
        if (x->c && y->c) return scc_constraints_compare(x->c, y->c);
        if (!x->c && !y->c) return strcmp(x->name, y->name);
        return x->c ? -1 : 1;
}

int scc_set_new(const cJSON *sccs, scc_set **ret, ocx_error **reterr) {
        if (!cJSON_IsArray(sccs)) return ocx_error_set(reterr, EINVAL, NULL, "security context constraints must be a list");
        scc_set *s = ocx_xcalloc(1, sizeof(*s));
        s->v = ocx_xcalloc((size_t)cJSON_GetArraySize(sccs) + 1, sizeof(entry));
        const cJSON *o;
        cJSON_ArrayForEach(o, sccs) {
                entry *e = &s->v[s->n++];
                ocx_error *err = NULL;
                if (scc_constraints_from_json(o, &e->c, &err) < 0) {
                        const char *nm = ocx_json_get_str(ocx_json_get(o, "metadata"), "name");
                        e->name = ocx_xstrdup(nm ? nm : "");
                        e->err = ocx_xstrdup(err ? err->message : "invalid object");
                        ocx_error_free(err);
                } else {
                        e->name = ocx_xstrdup(e->c->name);
                }
        }
        qsort(s->v, s->n, sizeof(entry), cmp_entry);
        *ret = s;
        return 0;
}

scc_set *scc_set_free(scc_set *s) {
        if (!s) return NULL;
        for (size_t i = 0; i < s->n; i++) {
                scc_constraints_free(s->v[i].c);
                free(s->v[i].name);
                free(s->v[i].err);
        }
        free(s->v);
        free(s);
        return NULL;
}

void scc_set_set_kernel(scc_set *s, unsigned kernel) { s->kernel = kernel; }
size_t scc_set_size(const scc_set *s) { return s->n; }
const scc_constraints *scc_set_get(const scc_set *s, size_t i) { return i < s->n ? s->v[i].c : NULL; }
const char *scc_set_name(const scc_set *s, size_t i) { return i < s->n ? s->v[i].name : NULL; }

static ssize_t set_find(const scc_set *s, const char *name) {
        for (size_t i = 0; i < s->n; i++)
                if (strcmp(s->v[i].name, name) == 0) return (ssize_t)i;
        return -1;
}

int scc_set_check_standard(const scc_set *s, ocx_error **reterr) {
        static const char *const standard[] = {"anyuid", "hostaccess", "hostmount-anyuid", "hostnetwork",
                                               "hostnetwork-v2", "nonroot", "nonroot-v2", "privileged",
                                               "restricted", "restricted-v2"};
        ocx_buf b = OCX_BUF_INIT;
        for (size_t i = 0; i < OCX_ARRAY_SIZE(standard); i++)
                if (set_find(s, standard[i]) < 0) ocx_buf_printf(&b, "%s%s", b.len ? ", " : "", standard[i]);
        if (b.len == 0) {
                ocx_buf_release(&b);
                return 0;
        }
        int r = ocx_error_set(reterr, EACCES, NULL, "securitycontextconstraints.security.openshift.io cache is missing %s",
                              b.data);
        ocx_buf_release(&b);
        return r;
}

void scc_decision_release(scc_decision *d) {
        cJSON_Delete(d->pod);
        free(d->scc);
        free(d->subject_type);
        *d = (scc_decision){0};
}

/* ---- ignore rules (3.1) ---- */

static const cJSON *annotations_of(const cJSON *pod) { return scc_jget(scc_jget(pod, "metadata"), "annotations"); }

static bool only_ignorable_annotation_changes(const cJSON *a, const cJSON *b) {
        const cJSON *sides[2][2] = {{a, b}, {b, a}};
        for (int s = 0; s < 2; s++) {
                const cJSON *e;
                cJSON_ArrayForEach(e, sides[s][0]) {
                        const cJSON *o = scc_jget(sides[s][1], e->string);
                        if (o && ocx_json_equal(o, e)) continue;
                        if (strcmp(e->string, "k8s.ovn.org/pod-networks") != 0) return false;
                }
        }
        return true;
}

bool scc_should_ignore(const scc_request *req) {
        static const char *const ignored[] = {"exec", "attach", "binding", "eviction", "log", "portforward", "proxy", "status"};
        if (req->subresource)
                for (size_t i = 0; i < OCX_ARRAY_SIZE(ignored); i++)
                        if (strcmp(req->subresource, ignored[i]) == 0) return true;
        if (ocx_streq(ocx_json_get_str(scc_jget(scc_jget(req->pod, "spec"), "os"), "name"), "windows")) return true;
        if (req->op != SCC_OP_UPDATE || !req->old_pod || !cJSON_IsObject(req->pod)) return false;
        if (!ocx_json_equal(scc_jget(req->pod, "spec"), scc_jget(req->old_pod, "spec"))) return false;
        if (!only_ignorable_annotation_changes(annotations_of(req->pod), annotations_of(req->old_pod))) return false;
        /* apart from annotations, only garbage-collector fields may differ */
        cJSON *cp = cJSON_Duplicate(req->pod, true);
        cJSON *meta = ocx_json_ensure_obj(cp, "metadata");
        const cJSON *old_meta = scc_jget(req->old_pod, "metadata");
        static const char *const keys[] = {"annotations", "ownerReferences", "finalizers"};
        for (size_t i = 0; i < OCX_ARRAY_SIZE(keys); i++) {
                cJSON_DeleteItemFromObjectCaseSensitive(meta, keys[i]);
                const cJSON *v = ocx_json_get(old_meta, keys[i]);
                if (v) cJSON_AddItemToObject(meta, keys[i], cJSON_Duplicate(v, true));
        }
        if (!cJSON_GetArraySize(meta) && !ocx_json_get(req->old_pod, "metadata"))
                cJSON_DeleteItemFromObjectCaseSensitive(cp, "metadata");
        bool eq = ocx_json_equal(cp, req->old_pod);
        cJSON_Delete(cp);
        return eq;
}

/* ---- who may use an SCC (3.5) ---- */

typedef enum subject { SUBJ_NONE, SUBJ_USER, SUBJ_SA } subject;

typedef struct who {
        const scc_request *req;
        const char *sa_user; /* NULL when the pod has no service account */
        const char *sa_groups[3];
        const char *user;
        const char *const *groups;
} who;

static bool applies(const who *w, const scc_constraints *c, const char *name, const char *user,
                    const char *const *groups) {
        if (c && scc_strv_has(&c->users, user)) return true;
        if (c && groups)
                for (size_t i = 0; groups[i]; i++)
                        if (scc_strv_has(&c->groups, groups[i])) return true;
        if (w->req->can_use) {
                static const char *const none[] = {NULL};
                return w->req->can_use(w->req->userdata, user, groups ? groups : none, name, w->req->ns ? w->req->ns : "");
        }
        return false;
}

static subject allowed_for(const who *w, const scc_constraints *c, const char *name) {
        if (w->sa_user && applies(w, c, name, w->sa_user, w->sa_groups)) return SUBJ_SA;
        if (applies(w, c, name, w->user, w->groups)) return SUBJ_USER;
        return SUBJ_NONE;
}

/* ---- the computation shared by Admit and Validate (3.3-3.6) ---- */

typedef enum mode { MODE_ADMIT, MODE_VALIDATE } mode;

static int forbidden(ocx_error **reterr, const char *msg) { return ocx_error_set(reterr, EACCES, NULL, "%s", msg); }

static bool equal_ignoring_ephemeral(const cJSON *pod, const cJSON *copy) {
        cJSON *cmp = cJSON_Duplicate(copy, true);
        cJSON *spec = (cJSON *)scc_jget(cmp, "spec");
        const cJSON *orig = ocx_json_get(scc_jget(pod, "spec"), "ephemeralContainers");
        if (spec) {
                cJSON_DeleteItemFromObjectCaseSensitive(spec, "ephemeralContainers");
                if (orig) cJSON_AddItemToObject(spec, "ephemeralContainers", cJSON_Duplicate(orig, true));
        }
        bool eq = ocx_json_equal(pod, cmp);
        cJSON_Delete(cmp);
        return eq;
}

static int compute(const scc_set *set, const scc_request *req, mode m, scc_decision *ret, ocx_error **reterr) {
        *ret = (scc_decision){0};
        if (scc_should_ignore(req)) {
                ret->ignored = true;
                return 0;
        }
        int r = scc_pod_check(req->pod, reterr);
        if (r < 0) return r;
        if (req->op == SCC_OP_UPDATE && req->old_pod && scc_pod_check(req->old_pod, NULL) < 0) {
                return forbidden(reterr, "object was marked as kind pod but was unable to be converted: old object");
        }
        const cJSON *ann = annotations_of(req->pod);
        const char *required = ocx_json_get_str(ann, SCC_ANN_REQUIRED);
        if (req->op == SCC_OP_UPDATE && required) {
                const cJSON *old = req->old_pod ? req->old_pod : req->pod;
                const char *old_req = ocx_json_get_str(annotations_of(old), SCC_ANN_REQUIRED);
                if (!old_req || strcmp(old_req, required) != 0)
                        return forbidden(reterr, "invalid change of required security context constraint annotation: "
                                                 SCC_ANN_REQUIRED);
        }
        const char *hint = NULL;
        if (m == MODE_VALIDATE) {
                hint = ocx_json_get_str(ann, SCC_ANN_SCC);
                if (required && !ocx_streq(required, hint))
                        return ocx_error_set(reterr, EACCES, NULL, "required scc/%s does not match the suggested scc/%s",
                                             required, hint ? hint : "");
        }
        bool spec_mut = m == MODE_ADMIT && req->op == SCC_OP_CREATE;
        bool eph_mut = spec_mut || (m == MODE_ADMIT && req->op == SCC_OP_UPDATE &&
                                    ocx_streq(req->subresource, "ephemeralcontainers"));

        /* 3.3 candidates, in order */
        size_t n = 0;
        /* small sets (the 13 defaults) keep every per-decision array on the stack */
        enum { SMALL = 24 };
        size_t order_stack[SMALL];
        size_t *order = set->n < SMALL ? order_stack : ocx_xcalloc(set->n + 1, sizeof(size_t));
        if (required) {
                ssize_t i = set_find(set, required);
                if (i < 0) {
                        if (order != order_stack) free(order);
                        return ocx_error_set(reterr, EACCES, NULL,
                                             "failed to retrieve the required SCC \"%s\": "
                                             "securitycontextconstraints.security.openshift.io \"%s\" not found",
                                             required, required);
                }
                order[n++] = (size_t)i;
        } else {
                ssize_t h = !spec_mut && hint && *hint ? set_find(set, hint) : -1;
                if (h >= 0) order[n++] = (size_t)h;
                for (size_t i = 0; i < set->n; i++)
                        if ((ssize_t)i != h) order[n++] = i;
        }
        if (n == 0) {
                if (order != order_stack) free(order);
                return forbidden(reterr, "no SecurityContextConstraints found in cluster");
        }

        /* 3.4 namespace and providers */
        scc_ns_info ns;
        r = scc_ns_info_init(&ns, req->ns, req->ns_annotations, reterr);
        if (r < 0) {
                if (order != order_stack) free(order);
                return r;
        }
        /* small sets live on the stack: a >1 KiB heap request makes glibc
         * consolidate its fast bins on every call */
        scc_provider prov_stack[SMALL];
        scc_provider *prov = n <= OCX_ARRAY_SIZE(prov_stack) ? prov_stack : ocx_xcalloc(n, sizeof(*prov));
        memset(prov, 0, n * sizeof(*prov));
        scc_errlist errs = SCC_ERRLIST_INIT;
        for (size_t k = 0; k < n; k++) {
                const entry *e = &set->v[order[k]];
                ocx_error *pe = NULL;
                if (!e->c) {
                        char *msg = ocx_xasprintf("error creating provider for SCC %s in namespace %s: %s", e->name,
                                                  ns.name, e->err);
                        scc_errlist_add_text(&errs, msg);
                        free(msg);
                } else if (scc_provider_init(&prov[k], e->c, &ns, set->kernel, &pe) < 0) {
                        scc_errlist_add_text(&errs, pe->message);
                }
                ocx_error_free(pe);
        }
        if (errs.n) {
                char *msg = scc_errlist_aggregate(&errs);
                r = forbidden(reterr, msg);
                free(msg);
                goto out;
        }

        /* 3.5-3.6 selection */
        const char *sa = req->service_account ? req->service_account
                                              : ocx_json_get_str(scc_jget(req->pod, "spec"), "serviceAccountName");
        char sa_user_buf[384], sa_group_buf[320];
        char *sa_user = NULL, *sa_group = sa_group_buf;
        size_t nl = strlen(ns.name);
        if (sa && *sa) {
                size_t sl = strlen(sa), pl = strlen("system:serviceaccount:");
                size_t need = pl + nl + 1 + sl + 1;
                sa_user = need <= sizeof(sa_user_buf) ? sa_user_buf : ocx_xmalloc(need);
                memcpy(sa_user, "system:serviceaccount:", pl);
                memcpy(sa_user + pl, ns.name, nl);
                sa_user[pl + nl] = ':';
                memcpy(sa_user + pl + nl + 1, sa, sl + 1);
        }
        size_t gl = strlen("system:serviceaccounts:");
        if (gl + nl + 1 > sizeof(sa_group_buf)) sa_group = ocx_xmalloc(gl + nl + 1);
        memcpy(sa_group, "system:serviceaccounts:", gl);
        memcpy(sa_group + gl, ns.name, nl + 1);
        who w = {req, sa_user, {"system:serviceaccounts", sa_group, NULL}, req->user ? req->user : "", req->groups};
        /* per-provider outcomes; the error texts are only rendered when nothing is chosen */
        bool denied_stack[SMALL];
        scc_errlist perr_stack[SMALL];
        bool *denied = n <= SMALL ? denied_stack : ocx_xcalloc(n, sizeof(bool));
        scc_errlist *perr = n <= SMALL ? perr_stack : ocx_xcalloc(n, sizeof(scc_errlist));
        memset(denied, 0, n * sizeof(bool));
        memset(perr, 0, n * sizeof(scc_errlist));
        ssize_t restricted = -1, restricted_v2 = -1;
        bool restricted_denied = false;
        cJSON *chosen = NULL;
        for (size_t k = 0; k < n && !chosen; k++) {
                const scc_provider *p = &prov[k];
                const char *name = p->scc->name;
                if (strcmp(name, "restricted") == 0) restricted = (ssize_t)k;
                if (strcmp(name, "restricted-v2") == 0) restricted_v2 = (ssize_t)k;
                subject t = allowed_for(&w, p->scc, name);
                if (t == SUBJ_NONE) {
                        if (restricted == (ssize_t)k) restricted_denied = true;
                        denied[k] = true;
                        continue;
                }
                cJSON *copy = cJSON_Duplicate(req->pod, true);
                if (scc_provider_assign(p, copy, &perr[k]) > 0) {
                        cJSON_Delete(copy);
                        continue;
                }
                bool ok = spec_mut ? true
                          : eph_mut ? equal_ignoring_ephemeral(req->pod, copy)
                                    : ocx_json_equal(req->pod, copy);
                if (!ok) {
                        cJSON_Delete(copy);
                        continue;
                }
                chosen = copy;
                ret->scc = ocx_xstrdup(name);
                ret->subject_type = ocx_xstrdup(t == SUBJ_SA ? "serviceaccount" : "user");
        }
        for (size_t k = 0; k < n && !chosen; k++) {
                if (denied[k]) {
                        char *path = ocx_xasprintf("provider \"%s\"", prov[k].scc->name);
                        scc_errlist_add(&errs, SCC_ERR_FORBIDDEN, path, NULL, "not usable by user or serviceaccount");
                        free(path);
                } else {
                        scc_errlist_move(&errs, &perr[k]);
                }
        }
        for (size_t k = 0; k < n; k++) scc_errlist_release(&perr[k]);
        if (perr != perr_stack) free(perr);
        if (denied != denied_stack) free(denied);
        if (!chosen && restricted_v2 >= 0 && restricted >= 0 && restricted_denied) {
                cJSON *copy = cJSON_Duplicate(req->pod, true);
                scc_errlist tmp = SCC_ERRLIST_INIT;
                if (scc_provider_assign(&prov[restricted], copy, &tmp) == 0)
                        scc_errlist_add(&errs, SCC_ERR_FORBIDDEN, "no access to scc/restricted", NULL,
                                        "the pod fails to validate against the `restricted-v2` security context "
                                        "constraint, but would validate successfully against the `restricted` "
                                        "security context constraint");
                scc_errlist_release(&tmp);
                cJSON_Delete(copy);
        }
        if (sa_user != sa_user_buf) free(sa_user);
        if (sa_group != sa_group_buf) free(sa_group);
        if (!chosen) {
                char *list = m == MODE_ADMIT ? scc_errlist_aggregate(&errs) : scc_errlist_raw(&errs);
                r = ocx_error_set(reterr, EACCES, NULL, "unable to validate against any security context constraint: %s",
                                  list);
                free(list);
                goto out;
        }
        if (m == MODE_ADMIT) {
                cJSON *pann = ocx_json_ensure_obj(ocx_json_ensure_obj(chosen, "metadata"), "annotations");
                ocx_json_set_str(pann, SCC_ANN_SCC, ret->scc);
                ocx_json_set_str(pann, SCC_ANN_SUBJECT_TYPE, ret->subject_type);
                ret->pod = chosen;
        } else {
                cJSON_Delete(chosen);
        }
        r = 0;
out:
        scc_errlist_release(&errs);
        if (prov != prov_stack) free(prov);
        if (order != order_stack) free(order);
        scc_ns_info_release(&ns);
        return r;
}

int scc_admit(const scc_set *set, const scc_request *req, scc_decision *ret, ocx_error **reterr) {
        return compute(set, req, MODE_ADMIT, ret, reterr);
}

int scc_validate(const scc_set *set, const scc_request *req, scc_decision *ret, ocx_error **reterr) {
        return compute(set, req, MODE_VALIDATE, ret, reterr);
}

int scc_admit_json(const cJSON *sccs, const scc_request *req, scc_decision *ret, ocx_error **reterr) {
        scc_set *set = NULL;
        int r = scc_set_new(sccs, &set, reterr);
        if (r < 0) return r;
        r = scc_admit(set, req, ret, reterr);
        scc_set_free(set);
        return r;
}
