/* fuzz entry: image reference parsing and printing */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "imagestreams/ref.h"
#include "ocx/macro.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *s = ocx_xstrndup((const char *)data, size);
        img_ref r;
        ocx_error *e = NULL;
        if (img_ref_parse(s, &r, &e) == 0) {
                char *a = img_ref_string(&r), *b = img_ref_familiar(&r);
                /* the canonical form parses back to the same reference */
                img_ref r2;
                if (img_ref_parse(a, &r2, NULL) != 0) abort();
                char *c = img_ref_string(&r2);
                if (strcmp(a, c) != 0) abort();
                free(c);
                img_ref_release(&r2);
                free(a);
                free(b);
                img_ref_release(&r);
        }
        ocx_error_free(e);
        free(s);
        return 0;
}
