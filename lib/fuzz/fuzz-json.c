/* Fuzz entry point: ocx_json_parse, then print and re-parse; printing must be
 * stable after the first round trip. */
#include <stdint.h>
#include <stdlib.h>
#include "ocx/json.h"
#include "ocx/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        cJSON *j = NULL;
        ocx_error *e = NULL;
        if (ocx_json_parse((const char *)data, size, &j, &e) < 0) {
                if (!e || !e->message) abort();
                ocx_error_free(e);
                return 0;
        }
        char *once = ocx_json_print(j);
        cJSON *k = NULL;
        if (ocx_json_parse(once, strlen(once), &k, NULL) < 0) abort();
        char *twice = ocx_json_print(k);
        if (strcmp(once, twice) != 0) abort();
        ocx_buf b = OCX_BUF_INIT;
        ocx_json_write(&b, k, 4);
        ocx_buf_release(&b);
        free(once);
        free(twice);
        cJSON_Delete(j);
        cJSON_Delete(k);
        return 0;
}
