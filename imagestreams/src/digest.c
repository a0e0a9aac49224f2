/* ocx imagestreams — sha256 digests over OpenSSL's EVP interface. */
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include "imagestreams/digest.h"
#include "ocx/macro.h"
#include "ocx/banned.h"

#define IO_CHUNK (64 * 1024)

void img_sha256_init(img_sha256 *h) {
        EVP_MD_CTX *c = EVP_MD_CTX_new();
        if (!c || EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1) abort();
        h->ctx = c;
}

void img_sha256_update(img_sha256 *h, const void *data, size_t len) {
        if (len) EVP_DigestUpdate(h->ctx, data, len);
}

void img_sha256_final(img_sha256 *h, char out[IMG_DIGEST_LEN]) {
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int n = 0;
        EVP_DigestFinal_ex(h->ctx, md, &n);
        img_sha256_release(h);
        static const char hex[] = "0123456789abcdef";
        memcpy(out, "sha256:", 7);
        for (unsigned i = 0; i < n && i < 32; i++) {
                out[7 + 2 * i] = hex[md[i] >> 4];
                out[8 + 2 * i] = hex[md[i] & 15];
        }
        out[7 + 64] = '\0';
}

void img_sha256_release(img_sha256 *h) {
        if (h && h->ctx) {
                EVP_MD_CTX_free(h->ctx);
                h->ctx = NULL;
        }
}

void img_sha256_mem(const void *data, size_t len, char out[IMG_DIGEST_LEN]) {
        img_sha256 h;
        img_sha256_init(&h);
        img_sha256_update(&h, data, len);
        img_sha256_final(&h, out);
}

int img_sha256_file(const char *path, char out[IMG_DIGEST_LEN], int64_t *ret_size) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) return -errno;
        img_sha256 h;
        img_sha256_init(&h);
        _cleanup_free_ char *buf = ocx_xmalloc(IO_CHUNK); /* heap: static TLS would cost every thread of every process */
        int64_t total = 0;
        for (;;) {
                ssize_t n = read(fd, buf, IO_CHUNK);
                if (n < 0) {
                        if (errno == EINTR) continue;
                        int e = -errno;
                        img_sha256_release(&h);
                        return e;
                }
                if (n == 0) break;
                img_sha256_update(&h, buf, (size_t)n);
                total += n;
        }
        img_sha256_final(&h, out);
        if (ret_size) *ret_size = total;
        return 0;
}
