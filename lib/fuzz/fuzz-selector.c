/* Fuzz entry point: the input up to the first newline is a label selector,
 * the rest a field selector; both are parsed and matched. */
#include <stdint.h>
#include <stdlib.h>
#include "ocx/json.h"
#include "ocx/selector.h"
#include "ocx/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char labels_json[] = "{\"app\":\"web\",\"tier\":\"front\",\"ver\":\"3\",\"empty\":\"\"}";
static const char obj_json[] = "{\"metadata\":{\"name\":\"web-1\",\"namespace\":\"test\",\"labels\":{\"app\":\"web\"}},"
                               "\"spec\":{\"replicas\":3,\"nodeName\":\"node-a\"},\"status\":{\"phase\":\"Running\"}}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *s = ocx_xstrndup((const char *)data, size); /* stops at an embedded NUL */
        char *nl = strchr(s, '\n');
        const char *field = "";
        if (nl) {
                *nl = 0;
                field = nl + 1;
        }
        cJSON *labels = NULL, *obj = NULL;
        if (ocx_json_parse(labels_json, strlen(labels_json), &labels, NULL) < 0) abort();
        if (ocx_json_parse(obj_json, strlen(obj_json), &obj, NULL) < 0) abort();

        ocx_selector *sel = NULL;
        ocx_error *e = NULL;
        if (ocx_label_selector_parse(s, &sel, &e) >= 0) {
                (void)ocx_label_selector_match(sel, labels);
                (void)ocx_label_selector_match(sel, NULL);
                (void)ocx_selector_empty(sel);
                sel = ocx_selector_free(sel);
        } else if (!e || !e->message) {
                abort();
        }
        e = ocx_error_free(e);
        if (ocx_field_selector_parse(field, &sel, &e) >= 0) {
                (void)ocx_field_selector_match(sel, obj);
                sel = ocx_selector_free(sel);
        } else if (!e || !e->message) {
                abort();
        }
        ocx_error_free(e);
        cJSON_Delete(labels);
        cJSON_Delete(obj);
        free(s);
        return 0;
}
