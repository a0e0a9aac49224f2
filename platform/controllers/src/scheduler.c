#include "controllers/scheduler.h"
#include <stdio.h>
#include "ocx/json.h"
#include "ocx/banned.h"

int scheduler_bind_pending(api_server *s, const char *node) {
        const api_kind *k = api_kind_by_plural("", "v1", "pods");
        if (!k || !node || !*node) return -EINVAL;
        _cleanup_free_ char *prefix = api_key_prefix(k, NULL);
        store_kv *items = NULL;
        size_t n = 0;
        int64_t rev;
        int r = store_list(s->st, prefix, NULL, 0, &items, &n, &rev);
        if (r < 0) return r;
        int bound = 0;
        for (size_t i = 0; i < n; i++) {
                cJSON *o = NULL;
                if (ocx_json_parse(items[i].value, items[i].value_len, &o, NULL) < 0) continue;
                const char *nn = ocx_json_path_str(o, "spec.nodeName");
                if ((nn && *nn) || ocx_json_path(o, "metadata.deletionTimestamp")) {
                        cJSON_Delete(o);
                        continue;
                }
                _cleanup_free_ char *ns = ocx_xstrdup(ocx_json_path_str(o, "metadata.namespace"));
                _cleanup_free_ char *name = ocx_xstrdup(ocx_json_path_str(o, "metadata.name"));
                ocx_json_set_str(ocx_json_ensure_obj(o, "spec"), "nodeName", node);
                /* resourceVersion kept: a concurrent change wins and we look again next pass */
                if (api_update_object(s, k, ns, name, o, NULL, false, NULL, NULL, NULL) == 0) bound++;
        }
        store_kvs_free(items, n);
        return bound;
}
