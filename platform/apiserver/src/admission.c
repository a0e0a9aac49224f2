#include <stdio.h>
#include "apiserver/admission.h"
#include "apiserver/validate.h"
#include "auth/authz.h"
#include "controllers/ipalloc.h"
#include "ocx/json.h"
#include "ocx/banned.h"

static void admit_namespace(int op, cJSON *obj) {
        if (op != ADMIT_CREATE) return;
        cJSON *spec = ocx_json_ensure_obj(obj, "spec");
        if (!ocx_json_get(spec, "finalizers")) {
                cJSON *f = cJSON_CreateArray();
                cJSON_AddItemToArray(f, cJSON_CreateString("kubernetes"));
                ocx_json_set(spec, "finalizers", f);
        }
        ocx_json_set_str(ocx_json_ensure_obj(obj, "status"), "phase", "Active");
}

/* routes/custom-host (openshift-apiserver routehostassignment and
 * library-go ValidateHostUpdate): setting spec.host or spec.subdomain at
 * create needs `create`, changing them needs `update` on routes/custom-host.
 * Internal callers (no request user) act as the system. */
static bool may_set_host(api_server *s, const char *verb, const char *ns, const cJSON *obj) {
        const api_user *u = api_request_user();
        if (!u) return true;
        const char *name = ocx_json_path_str(obj, "metadata.name");
        auth_attrs a = {.verb = verb, .group = "route.openshift.io", .resource = "routes",
                        .subresource = "custom-host", .ns = ns ? ns : "", .name = name ? name : ""};
        return auth_authorize(s, u, &a, NULL);
}

static void check_custom_host(api_server *s, int op, const char *ns, const cJSON *obj, const cJSON *old,
                              cJSON *causes) {
        const char *host = ocx_json_path_str(obj, "spec.host"), *sub = ocx_json_path_str(obj, "spec.subdomain");
        if (op == ADMIT_CREATE) {
                if ((!host || !*host) && (!sub || !*sub)) return;
                if (!may_set_host(s, "create", ns, obj))
                        api_cause_str(causes, "FieldValueForbidden", "spec.host", host,
                                      "you do not have permission to set the host field of the route");
                return;
        }
        if (op != ADMIT_UPDATE) return;
        const char *oh = ocx_json_path_str(old, "spec.host"), *osub = ocx_json_path_str(old, "spec.subdomain");
        bool host_changed = host && *host && !ocx_streq(host, oh ? oh : "");
        bool sub_changed = !ocx_streq(sub ? sub : "", osub ? osub : "");
        if (!host_changed && !sub_changed) return;
        if (may_set_host(s, "update", ns, obj)) return;
        if (host_changed) api_cause_str(causes, "FieldValueInvalid", "spec.host", host, "field is immutable");
        if (sub_changed) api_cause_str(causes, "FieldValueInvalid", "spec.subdomain", sub ? sub : "", "field is immutable");
}

static void admit_route(api_server *s, int op, const char *ns, cJSON *obj, const cJSON *old, cJSON *causes) {
        cJSON *spec = ocx_json_ensure_obj(obj, "spec");
        check_custom_host(s, op, ns, obj, old, causes);
        const char *host = ocx_json_get_str(spec, "host");
        cJSON *to = ocx_json_get(spec, "to");
        if (cJSON_IsObject(to) && !ocx_json_get(to, "kind")) ocx_json_set_str(to, "kind", "Service");
        if (cJSON_IsObject(to) && !ocx_json_get(to, "weight")) ocx_json_set_int(to, "weight", 100);
        cJSON *alt;
        cJSON_ArrayForEach(alt, ocx_json_get(spec, "alternateBackends")) {
                if (cJSON_IsObject(alt) && !ocx_json_get(alt, "kind")) ocx_json_set_str(alt, "kind", "Service");
                if (cJSON_IsObject(alt) && !ocx_json_get(alt, "weight")) ocx_json_set_int(alt, "weight", 100);
        }
        const char *wp = ocx_json_get_str(spec, "wildcardPolicy");
        if (!wp || !*wp) ocx_json_set_str(spec, "wildcardPolicy", "None");
        /* spec A.4 SetDefaults_TLSConfig: "" (without a destination CA) -> edge; lowercase */
        cJSON *tls = ocx_json_get(spec, "tls");
        if (cJSON_IsObject(tls)) {
                const char *term = ocx_json_get_str(tls, "termination");
                if ((!term || !*term) && !ocx_json_get_str(tls, "destinationCACertificate"))
                        ocx_json_set_str(tls, "termination", "edge");
                else if (term && (!strcmp(term, "Edge") || !strcmp(term, "Passthrough") || !strcmp(term, "Reencrypt"))) {
                        char lc[16];
                        snprintf(lc, sizeof(lc), "%c%s", term[0] + ('a' - 'A'), term + 1);
                        ocx_json_set_str(tls, "termination", lc);
                }
        }
        if (op == ADMIT_UPDATE && (!host || !*host)) {
                /* keep a generated host across updates */
                const char *oh = ocx_json_path_str(old, "spec.host");
                if (oh && *oh) ocx_json_set_str(spec, "host", oh);
                return;
        }
        /* routehostassignment: only without host, subdomain and a Subdomain wildcard policy;
         * a subdomain is resolved by the router (--router-domain) */
        const char *sub = ocx_json_get_str(spec, "subdomain");
        if ((!host || !*host) && (!sub || !*sub) && !ocx_streq(ocx_json_get_str(spec, "wildcardPolicy"), "Subdomain")) {
                const char *name = ocx_json_path_str(obj, "metadata.name");
                char *n = ocx_xstrdup(name ? name : "");
                for (char *p = n; *p; p++)
                        if (*p == '.') *p = '-';
                char *h = ocx_xasprintf("%s-%s.%s", n, ns, s->cfg.routing_suffix);
                ocx_json_set_str(spec, "host", h);
                free(h);
                free(n);
                cJSON *ann = ocx_json_ensure_obj(ocx_json_ensure_obj(obj, "metadata"), "annotations");
                ocx_json_set_str(ann, "openshift.io/host.generated", "true");
        }
}

static void admit_service(api_server *s, int op, cJSON *obj, const cJSON *old, cJSON *causes) {
        cJSON *spec = ocx_json_ensure_obj(obj, "spec");
        if (!ocx_json_get(spec, "type")) ocx_json_set_str(spec, "type", "ClusterIP");
        const char *cip = ocx_json_get_str(spec, "clusterIP");
        if (op != ADMIT_CREATE) {
                /* spec.clusterIP is immutable; an update that leaves it out keeps it */
                const char *oip = ocx_json_path_str(old, "spec.clusterIP");
                if ((!cip || !*cip) && oip) {
                        ocx_json_set_str(spec, "clusterIP", oip);
                        ocx_json_set(spec, "clusterIPs", cJSON_Duplicate(ocx_json_path(old, "spec.clusterIPs"), true));
                        if (!ocx_json_get(spec, "clusterIPs")) cJSON_DeleteItemFromObjectCaseSensitive(spec, "clusterIPs");
                } else if (cip && !ocx_streq(cip, oip ? oip : "")) {
                        api_cause_str(causes, "FieldValueInvalid", "spec.clusterIP", cip, "field is immutable");
                }
                return;
        }
        cJSON *p;
        cJSON_ArrayForEach(p, ocx_json_get(spec, "ports")) {
                if (!ocx_json_get(p, "protocol")) ocx_json_set_str(p, "protocol", "TCP");
                if (!ocx_json_get(p, "targetPort") && ocx_json_get(p, "port"))
                        ocx_json_set(p, "targetPort", cJSON_Duplicate(ocx_json_get(p, "port"), true));
        }
        /* cluster IP from 172.30.0.0/16 (ExternalName and headless services get none) */
        if (ocx_streq(ocx_json_get_str(spec, "type"), "ExternalName") || ocx_streq(cip, "None")) {
                if (ocx_streq(cip, "None")) {
                        cJSON *ips = cJSON_CreateArray();
                        cJSON_AddItemToArray(ips, cJSON_CreateString("None"));
                        ocx_json_set(spec, "clusterIPs", ips);
                }
                return;
        }
        char ip[16];
        _cleanup_error_ ocx_error *e = NULL;
        if (ipalloc_allocate(s, cip, ip, &e) < 0) {
                api_cause_str(causes, "FieldValueInvalid", "spec.clusterIP", cip ? cip : "", e ? e->message : NULL);
                return;
        }
        ocx_json_set_str(spec, "clusterIP", ip);
        cJSON *ips = cJSON_CreateArray();
        cJSON_AddItemToArray(ips, cJSON_CreateString(ip));
        ocx_json_set(spec, "clusterIPs", ips);
}

static void admit_pod(int op, cJSON *obj) {
        if (op != ADMIT_CREATE) return;
        cJSON *spec = ocx_json_ensure_obj(obj, "spec");
        if (!ocx_json_get(spec, "restartPolicy")) ocx_json_set_str(spec, "restartPolicy", "Always");
        if (!ocx_json_get(spec, "serviceAccountName")) ocx_json_set_str(spec, "serviceAccountName", "default");
        if (!ocx_json_get(spec, "terminationGracePeriodSeconds")) ocx_json_set_int(spec, "terminationGracePeriodSeconds", 30);
        cJSON *st = ocx_json_ensure_obj(obj, "status");
        if (!ocx_json_get(st, "phase")) ocx_json_set_str(st, "phase", "Pending");
}

void api_admit(api_server *s, const api_kind *k, int op, const char *ns, cJSON *obj, const cJSON *old, cJSON *causes,
               ocx_error **reterr) {
        if (ocx_streq(k->plural, "namespaces")) {
                admit_namespace(op, obj);
                if (op == ADMIT_CREATE) api_admit_namespace_allocation(s, obj, reterr);
        } else if (ocx_streq(k->plural, "securitycontextconstraints")) api_admit_scc_object(obj, causes);
        else if (ocx_streq(k->plural, "routes")) admit_route(s, op, ns, obj, old, causes);
        else if (ocx_streq(k->plural, "services")) admit_service(s, op, obj, old, causes);
        else if (ocx_streq(k->plural, "secrets") && !ocx_json_get(obj, "type")) ocx_json_set_str(obj, "type", "Opaque");
        else if (ocx_streq(k->plural, "pods")) {
                admit_pod(op, obj);
                api_admit_pod_scc(s, op, ns, obj, old, reterr);
        }
}
