#include <stdio.h>
#include "apiserver/admission.h"
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

static void admit_route(api_server *s, int op, const char *ns, cJSON *obj, const cJSON *old) {
        cJSON *spec = ocx_json_ensure_obj(obj, "spec");
        const char *host = ocx_json_get_str(spec, "host");
        cJSON *to = ocx_json_get(spec, "to");
        if (cJSON_IsObject(to) && !ocx_json_get(to, "kind")) ocx_json_set_str(to, "kind", "Service");
        if (cJSON_IsObject(to) && !ocx_json_get(to, "weight")) ocx_json_set_int(to, "weight", 100);
        if (!ocx_json_get(spec, "wildcardPolicy")) ocx_json_set_str(spec, "wildcardPolicy", "None");
        if (op == ADMIT_UPDATE && (!host || !*host)) {
                /* keep a generated host across updates */
                const char *oh = ocx_json_path_str(old, "spec.host");
                if (oh) ocx_json_set_str(spec, "host", oh);
                return;
        }
        if (!host || !*host) {
                const char *name = ocx_json_path_str(obj, "metadata.name");
                const char *sub = ocx_json_get_str(spec, "subdomain");
                char *h = sub && *sub ? ocx_xasprintf("%s.%s", sub, s->cfg.routing_suffix)
                                      : ocx_xasprintf("%s-%s.%s", name ? name : "", ns, s->cfg.routing_suffix);
                ocx_json_set_str(spec, "host", h);
                free(h);
                cJSON *ann = ocx_json_ensure_obj(ocx_json_ensure_obj(obj, "metadata"), "annotations");
                ocx_json_set_str(ann, "openshift.io/host.generated", "true");
        }
}

static void admit_service(int op, cJSON *obj) {
        cJSON *spec = ocx_json_ensure_obj(obj, "spec");
        if (!ocx_json_get(spec, "type")) ocx_json_set_str(spec, "type", "ClusterIP");
        if (op != ADMIT_CREATE) return;
        cJSON *p;
        cJSON_ArrayForEach(p, ocx_json_get(spec, "ports")) {
                if (!ocx_json_get(p, "protocol")) ocx_json_set_str(p, "protocol", "TCP");
                if (!ocx_json_get(p, "targetPort") && ocx_json_get(p, "port"))
                        ocx_json_set(p, "targetPort", cJSON_Duplicate(ocx_json_get(p, "port"), true));
        }
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
        (void)causes;
        (void)reterr;
        if (ocx_streq(k->plural, "namespaces")) admit_namespace(op, obj);
        else if (ocx_streq(k->plural, "routes")) admit_route(s, op, ns, obj, old);
        else if (ocx_streq(k->plural, "services")) admit_service(op, obj);
        else if (ocx_streq(k->plural, "pods")) admit_pod(op, obj);
}
