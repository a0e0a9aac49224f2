#include <stdio.h>
#include "apiserver/api.h"
#include "auth/authz.h"
#include "ocx/json.h"
#include "ocx/log.h"
#include "policies/data.h"
#include "ocx/banned.h"

static int ensure_namespace(api_server *s, const char *name, ocx_error **reterr) {
        const api_kind *k = api_kind_by_plural("", "v1", "namespaces");
        cJSON *ns = cJSON_CreateObject();
        cJSON_AddStringToObject(cJSON_AddObjectToObject(ns, "metadata"), "name", name);
        int r = api_create_object(s, k, NULL, ns, false, NULL, NULL, reterr);
        return r == -EEXIST ? 0 : r;
}

int api_bootstrap(api_server *s, ocx_error **reterr) {
        static const char *const namespaces[] = {"default", "kube-system", "kube-public", "openshift", "openshift-infra"};
        for (size_t i = 0; i < OCX_ARRAY_SIZE(namespaces); i++) {
                int r = ensure_namespace(s, namespaces[i], reterr);
                if (r < 0) return r;
        }
        /* default objects shipped as data (SCCs, ...): created when absent, never overwritten */
        for (size_t i = 0; i < pol_files_n; i++) {
                const pol_file *f = &pol_files[i];
                if (!ocx_startswith(f->name, "scc/")) continue;
                cJSON *obj = NULL;
                _cleanup_error_ ocx_error *e = NULL;
                if (ocx_json_parse(f->data, f->len, &obj, &e) < 0) {
                        log_error("policy file %s: %s", f->name, e->message);
                        continue;
                }
                const api_kind *k = api_kind_by_kind("security.openshift.io", "SecurityContextConstraints");
                cJSON *causes = NULL;
                int r = api_create_object(s, k, NULL, obj, false, NULL, &causes, &e);
                if (r < 0 && r != -EEXIST) {
                        char *c = causes ? ocx_json_print(causes) : NULL;
                        log_error("cannot create %s: %s", f->name, c ? c : e ? e->message : strerror(-r));
                        free(c);
                }
                cJSON_Delete(causes);
        }
        /* bootstrap RBAC policy (policies/rbac/) */
        return auth_bootstrap(s, reterr);
}
