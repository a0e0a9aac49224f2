/* Fuzz entry: the protobuf body decoder on arbitrary bytes, once for every
 * kind it knows and once for a kind it does not (Service). */
#include <stdint.h>
#include <stdlib.h>
#include "apiserver/kinds.h"
#include "apiserver/protobuf.h"
#include "ocx/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static const char *kinds[] = {"Namespace", "ConfigMap", "Secret", "ServiceAccount", "Service"};
        for (size_t i = 0; i < OCX_ARRAY_SIZE(kinds); i++) {
                const api_kind *k = api_kind_by_kind("", kinds[i]);
                if (!k) abort();
                cJSON *obj = NULL;
                ocx_error *e = NULL;
                int r = api_protobuf_decode((const char *)data, size, k, &obj, &e);
                /* success yields an object and no error; failure an error and no object */
                if ((r >= 0) != (obj != NULL) || (r < 0) != (e != NULL)) abort();
                if (obj) {
                        char *s = ocx_json_print(obj);
                        free(s);
                }
                cJSON_Delete(obj);
                ocx_error_free(e);
        }
        return 0;
}
