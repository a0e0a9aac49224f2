/* fuzz entry: manifests, manifest lists and image configs (registry input) */
#include <stdint.h>
#include <stdlib.h>
#include "imagestreams/image.h"
#include "imagestreams/manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const char *s = (const char *)data;
        img_manifest m;
        ocx_error *e = NULL;
        if (img_manifest_parse(s, size, "", &m, &e) == 0) img_manifest_release(&m);
        ocx_error_free(e);
        e = NULL;
        char *d = NULL;
        if (img_manifest_is_index(s, size, "") && img_manifest_pick(s, size, "linux", "amd64", &d, &e) == 0) free(d);
        ocx_error_free(e);
        e = NULL;
        img_config c;
        if (img_config_parse(s, size, &c, &e) == 0) img_config_release(&c);
        ocx_error_free(e);
        return 0;
}
