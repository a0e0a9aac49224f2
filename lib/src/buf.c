#include "ocx/buf.h"
#include "ocx/macro.h"
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

void ocx_buf_init(ocx_buf *b, size_t cap) {
        *b = (ocx_buf)OCX_BUF_INIT;
        b->cap = cap;
}

void ocx_buf_release(ocx_buf *b) {
        free(b->data);
        size_t cap = b->cap;
        ocx_buf_init(b, cap);
}

void ocx_buf_reset(ocx_buf *b) {
        b->len = 0;
        if (b->data) b->data[0] = 0;
}

static int grow(ocx_buf *b, size_t extra) {
        if (b->cap && (extra > b->cap || b->len > b->cap - extra)) return -E2BIG;
        size_t need = b->len + extra + 1;
        if (need <= b->alloc) return 0;
        size_t n = b->alloc ? b->alloc : 64;
        while (n < need) n *= 2;
        b->data = ocx_xrealloc(b->data, n);
        b->alloc = n;
        return 0;
}

int ocx_buf_append(ocx_buf *b, const void *data, size_t len) {
        int r = grow(b, len);
        if (r < 0) return r;
        if (len) memcpy(b->data + b->len, data, len);
        b->len += len;
        b->data[b->len] = 0;
        return 0;
}

int ocx_buf_puts(ocx_buf *b, const char *s) { return ocx_buf_append(b, s, strlen(s)); }

int ocx_buf_vprintf(ocx_buf *b, const char *fmt, va_list ap) {
        va_list ap2;
        va_copy(ap2, ap);
        int n = vsnprintf(NULL, 0, fmt, ap2);
        va_end(ap2);
        if (n < 0) return -EINVAL;
        int r = grow(b, (size_t)n);
        if (r < 0) return r;
        vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
        b->len += (size_t)n;
        return 0;
}

int ocx_buf_printf(ocx_buf *b, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        int r = ocx_buf_vprintf(b, fmt, ap);
        va_end(ap);
        return r;
}

char *ocx_buf_detach(ocx_buf *b, size_t *ret_len) {
        if (!b->data) ocx_buf_append(b, "", 0);
        char *d = b->data;
        if (ret_len) *ret_len = b->len;
        size_t cap = b->cap;
        ocx_buf_init(b, cap);
        return d;
}

int ocx_read_file(const char *path, size_t cap, char **ret, size_t *ret_len) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) return -errno;
        ocx_buf b;
        ocx_buf_init(&b, cap);
        char tmp[65536];
        for (;;) {
                ssize_t n = read(fd, tmp, sizeof(tmp));
                if (n < 0) {
                        if (errno == EINTR) continue;
                        int r = -errno;
                        ocx_buf_release(&b);
                        return r;
                }
                if (n == 0) break;
                int r = ocx_buf_append(&b, tmp, (size_t)n);
                if (r < 0) {
                        ocx_buf_release(&b);
                        return r;
                }
        }
        *ret = ocx_buf_detach(&b, ret_len);
        return 0;
}

int ocx_write_file_atomic(const char *path, const void *data, size_t len, int mode) {
        _cleanup_free_ char *tmp = ocx_xasprintf("%s.tmp.%d", path, (int)getpid());
        int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
        if (fd < 0) return -errno;
        const char *p = data;
        while (len) {
                ssize_t n = write(fd, p, len);
                if (n < 0) {
                        if (errno == EINTR) continue;
                        int r = -errno;
                        close(fd);
                        unlink(tmp);
                        return r;
                }
                p += n;
                len -= (size_t)n;
        }
        if (fchmod(fd, (mode_t)mode) < 0 || fsync(fd) < 0) {
                int r = -errno;
                close(fd);
                unlink(tmp);
                return r;
        }
        close(fd);
        if (rename(tmp, path) < 0) {
                int r = -errno;
                unlink(tmp);
                return r;
        }
        return 0;
}
