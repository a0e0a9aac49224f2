/* ocx imagestreams — sha256 content digests ("sha256:<64 hex>"). */
#pragma once
#include <stddef.h>
#include <stdint.h>

#define IMG_DIGEST_LEN 72 /* "sha256:" + 64 hex + NUL, rounded */

typedef struct img_sha256 {
        void *ctx; /* EVP_MD_CTX */
} img_sha256;

void img_sha256_init(img_sha256 *h);
void img_sha256_update(img_sha256 *h, const void *data, size_t len);
/* Writes "sha256:<hex>" into out and releases the context. */
void img_sha256_final(img_sha256 *h, char out[IMG_DIGEST_LEN]);
/* Releases without a result (NULL-safe, idempotent). */
void img_sha256_release(img_sha256 *h);

void img_sha256_mem(const void *data, size_t len, char out[IMG_DIGEST_LEN]);
/* Digest and size of a file; -errno when it cannot be read. */
int img_sha256_file(const char *path, char out[IMG_DIGEST_LEN], int64_t *ret_size);
