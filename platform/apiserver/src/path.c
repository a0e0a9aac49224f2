#include "apiserver/path.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "ocx/banned.h"

#define MAX_SEGS 10

static int copy(char *dst, size_t n, const char *src, size_t len) {
        if (len >= n) return -1;
        memcpy(dst, src, len);
        dst[len] = 0;
        return 0;
}

int api_path_parse(const char *path, api_path *ret, const char **ret_msg) {
        const char *segs[MAX_SEGS];
        size_t lens[MAX_SEGS], n = 0;
        memset(ret, 0, sizeof(*ret));
        *ret_msg = NULL;
        if (!path || path[0] != '/') {
                *ret_msg = "path must start with '/'";
                return -EINVAL;
        }
        const char *p = path + 1;
        while (*p) {
                const char *slash = strchr(p, '/');
                size_t len = slash ? (size_t)(slash - p) : strlen(p);
                if (len == 0) {
                        if (!slash) break; /* one trailing slash is fine */
                        *ret_msg = "empty path segment";
                        return -EINVAL;
                }
                if ((len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.')) {
                        *ret_msg = "path segments may not be '.' or '..'";
                        return -EINVAL;
                }
                for (size_t i = 0; i < len; i++)
                        if ((unsigned char)p[i] < 0x20 || p[i] == '%' || p[i] == '\\') {
                                *ret_msg = "path segment contains an invalid character";
                                return -EINVAL;
                        }
                if (n == MAX_SEGS) {
                        *ret_msg = "too many path segments";
                        return -EINVAL;
                }
                segs[n] = p;
                lens[n++] = len;
                p += len;
                if (*p == '/') p++;
        }
#define SEG_IS(i, s) (lens[i] == strlen(s) && memcmp(segs[i], s, lens[i]) == 0)
        size_t i = 0;
        if (n == 0) {
                ret->type = PATH_ROOT;
                return 0;
        }
        if (SEG_IS(0, "api")) {
                if (n == 1) {
                        ret->type = PATH_API;
                        return 0;
                }
                i = 1;
        } else if (SEG_IS(0, "apis")) {
                if (n == 1) {
                        ret->type = PATH_APIS;
                        return 0;
                }
                if (copy(ret->group, sizeof(ret->group), segs[1], lens[1]) < 0) goto toolong;
                if (n == 2) {
                        ret->type = PATH_GROUP;
                        return 0;
                }
                i = 2;
        } else {
                ret->type = PATH_OTHER;
                return 0;
        }
        if (copy(ret->version, sizeof(ret->version), segs[i], lens[i]) < 0) goto toolong;
        i++;
        if (i == n) {
                ret->type = PATH_GROUP_VERSION;
                return 0;
        }
        ret->type = PATH_RESOURCE;
        size_t rest = n - i;
        /* namespaces/{ns}/{resource}[/{name}[/{sub}]] — but namespaces/{name}[/{sub}] is the
         * namespace object itself (sub: status, finalize). */
        if (SEG_IS(i, "namespaces") && rest >= 3 && !(rest == 3 && (SEG_IS(i + 2, "status") || SEG_IS(i + 2, "finalize")))) {
                if (copy(ret->ns, sizeof(ret->ns), segs[i + 1], lens[i + 1]) < 0) goto toolong;
                i += 2;
                rest -= 2;
        }
        if (rest > 3) {
                *ret_msg = "too many path segments";
                return -EINVAL;
        }
        if (copy(ret->resource, sizeof(ret->resource), segs[i], lens[i]) < 0) goto toolong;
        if (rest >= 2 && copy(ret->name, sizeof(ret->name), segs[i + 1], lens[i + 1]) < 0) goto toolong;
        if (rest == 3 && copy(ret->sub, sizeof(ret->sub), segs[i + 2], lens[i + 2]) < 0) goto toolong;
        return 0;
toolong:
        *ret_msg = "path segment too long";
        return -EINVAL;
#undef SEG_IS
}
