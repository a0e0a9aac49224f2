/* ocx — -o json / -o yaml and List wrapping (spec 1.4). */
#include "cli/printer.h"
#include <stdio.h>
#include "ocx/json.h"
#include "ocx/yaml.h"
#include "ocx/banned.h"

cJSON *cli_make_list(cJSON *items) {
        cJSON *l = cJSON_CreateObject();
        cJSON_AddStringToObject(l, "apiVersion", "v1");
        cJSON_AddItemToObject(l, "items", items ? items : cJSON_CreateArray());
        cJSON_AddStringToObject(l, "kind", "List");
        cJSON *m = cJSON_AddObjectToObject(l, "metadata");
        cJSON_AddStringToObject(m, "resourceVersion", "");
        return l;
}

int cli_print_object(const cJSON *obj, const char *format, ocx_buf *out) {
        if (ocx_streq(format, "json")) {
                int r = ocx_json_write(out, obj, 4);
                return r < 0 ? r : ocx_buf_puts(out, "\n");
        }
        return ocx_yaml_write(out, obj);
}

static void insert_front(cJSON *obj, const char *key, const char *val, int at) {
        cJSON *s = cJSON_CreateString(val);
        s->string = ocx_xstrdup(key);
        if (!obj->child)
                cJSON_AddItemToObject(obj, key, cJSON_CreateString(val)), cJSON_Delete(s);
        else
                cJSON_InsertItemInArray(obj, at, s);
}

void cli_ensure_type_meta(cJSON *obj, const char *api_version, const char *kind) {
        if (!cJSON_IsObject(obj)) return;
        if (!ocx_json_get(obj, "kind")) insert_front(obj, "kind", kind, 0);
        if (!ocx_json_get(obj, "apiVersion")) insert_front(obj, "apiVersion", api_version, 0);
}
