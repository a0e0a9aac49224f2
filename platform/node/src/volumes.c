/* ocxd node: configMap, secret, downwardAPI and projected volumes and the
 * automatic service-account token mount (see node/volumes.h). */
#include "node/volumes.h"
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include "apiserver/api.h"
#include "ocx/buf.h"
#include "ocx/encoding.h"
#include "ocx/json.h"
#include "ocx/log.h"
#include "ocx/banned.h"

#define SA_TOKEN_TYPE "kubernetes.io/service-account-token"
#define DEFAULT_MODE 0644
#define MAX_FILES 4096

void vol_files_release(vol_files *f) {
        for (size_t i = 0; i < f->n; i++) {
                free(f->v[i].path);
                if (f->v[i].data) explicit_bzero(f->v[i].data, f->v[i].len);
                free(f->v[i].data);
        }
        free(f->v);
        memset(f, 0, sizeof(*f));
}

bool vol_path_ok(const char *path) {
        if (!path || !*path || path[0] == '/' || strlen(path) > 4096 || ocx_startswith(path, "..")) return false;
        for (const char *p = path; *p;) {
                size_t n = strcspn(p, "/");
                if (n == 0) return false; /* "a//b" or trailing "/" */
                if ((n == 2 && p[0] == '.' && p[1] == '.') || (n == 1 && p[0] == '.')) return false;
                p += n;
                if (*p == '/' && !*++p) return false; /* trailing "/" */
        }
        return true;
}

static int add_file(vol_files *f, const char *path, const char *data, size_t len, mode_t mode, ocx_error **reterr) {
        if (!vol_path_ok(path))
                return ocx_error_set(reterr, EINVAL, NULL, "invalid volume file path '%s'", path ? path : "");
        if (f->n >= MAX_FILES) return ocx_error_set(reterr, E2BIG, NULL, "too many files in one volume");
        for (size_t i = 0; i < f->n; i++) {
                const char *a = f->v[i].path;
                size_t al = strlen(a), pl = strlen(path);
                /* a file may not also be a directory of another */
                if (ocx_streq(a, path) || (al < pl && strncmp(a, path, al) == 0 && path[al] == '/') ||
                    (pl < al && strncmp(a, path, pl) == 0 && a[pl] == '/'))
                        return ocx_error_set(reterr, EINVAL, NULL, "conflicting volume file paths '%s' and '%s'", a,
                                             path);
        }
        f->v = ocx_xrealloc(f->v, (f->n + 1) * sizeof(*f->v));
        vol_file *x = &f->v[f->n++];
        x->path = ocx_xstrdup(path);
        x->data = ocx_xmalloc(len + 1);
        if (len && data) memcpy(x->data, data, len);
        x->data[len] = 0;
        x->len = len;
        x->mode = mode;
        return 0;
}

/* mode: item → default → 0644; -EINVAL outside 0..0777 */
static int read_mode(const cJSON *item, const char *key, mode_t dflt, mode_t *ret, ocx_error **reterr) {
        const cJSON *m = ocx_json_get(item, key);
        if (!m || cJSON_IsNull(m)) {
                *ret = dflt;
                return 0;
        }
        int64_t v;
        if (ocx_json_int(m, 0, 0777, &v) < 0)
                return ocx_error_set(reterr, EINVAL, NULL, "invalid file mode in '%s': must be 0..0777", key);
        *ret = (mode_t)v;
        return 0;
}

/* ---- configMap / secret ----------------------------------------------------- */

/* The bytes of one key: configMap data (text) or binaryData (base64), secret
 * data (base64). 0 and *ret (caller frees), -ENOENT when absent. */
static int key_value(const cJSON *obj, bool secret, const char *key, char **ret, size_t *ret_len, ocx_error **reterr) {
        const char *s = ocx_json_get_str(ocx_json_get(obj, "data"), key);
        bool b64 = secret;
        if (!s && !secret) {
                s = ocx_json_get_str(ocx_json_get(obj, "binaryData"), key);
                b64 = true;
        }
        if (!s) return -ENOENT;
        if (!b64) {
                *ret_len = strlen(s);
                if (*ret_len > VOL_MAX_FILE) return ocx_error_set(reterr, E2BIG, NULL, "key '%s' is too large", key);
                *ret = ocx_xstrdup(s);
                return 0;
        }
        if (strlen(s) / 4 * 3 > VOL_MAX_FILE) return ocx_error_set(reterr, E2BIG, NULL, "key '%s' is too large", key);
        unsigned char *raw = NULL;
        if (ocx_base64_decode(s, strlen(s), false, &raw, ret_len) < 0)
                return ocx_error_set(reterr, EINVAL, NULL, "key '%s' is not valid base64", key);
        *ret = (char *)raw;
        return 0;
}

/* configMap (secret = false) or secret source: name, items, optional */
static int render_keys(const vol_ctx *c, const char *name, const cJSON *items, bool optional, bool secret, mode_t dmode,
                       vol_files *ret, ocx_error **reterr) {
        const char *what = secret ? "secret" : "configmap";
        const char *ns = ocx_json_path_str(c->pod, "metadata.namespace");
        if (!name || !*name) return ocx_error_set(reterr, EINVAL, NULL, "%s volume without a name", what);
        _cleanup_json_ cJSON *obj = NULL;
        int r = c->lookup(c->userdata, secret ? "secrets" : "configmaps", ns, name, &obj);
        if (r == -ENOENT) {
                if (optional) return 0;
                return ocx_error_set(reterr, EAGAIN, NULL, "%s \"%s\" not found", what, name);
        }
        if (r < 0) return ocx_error_set(reterr, -r, NULL, "%s \"%s\": %s", what, name, strerror(-r));
        if (cJSON_GetArraySize(items) > 0) {
                const cJSON *it;
                cJSON_ArrayForEach(it, items) {
                        const char *key = ocx_json_get_str(it, "key"), *path = ocx_json_get_str(it, "path");
                        if (!key || !path)
                                return ocx_error_set(reterr, EINVAL, NULL, "%s \"%s\": an item needs key and path",
                                                     what, name);
                        mode_t mode = DEFAULT_MODE;
                        if ((r = read_mode(it, "mode", dmode, &mode, reterr)) < 0) return r;
                        _cleanup_free_ char *v = NULL;
                        size_t len = 0;
                        r = key_value(obj, secret, key, &v, &len, reterr);
                        if (r == -ENOENT) {
                                if (optional) continue;
                                return ocx_error_set(reterr, EAGAIN, NULL, "%s \"%s\" has no key '%s'", what, name,
                                                     key);
                        }
                        if (r >= 0) r = add_file(ret, path, v, len, mode, reterr);
                        if (v) explicit_bzero(v, len);
                        if (r < 0) return r;
                }
                return 0;
        }
        static const char *const maps[] = {"data", "binaryData"};
        for (size_t m = 0; m < (secret ? 1u : 2u); m++) {
                const cJSON *kv;
                cJSON_ArrayForEach(kv, ocx_json_get(obj, maps[m])) {
                        _cleanup_free_ char *v = NULL;
                        size_t len = 0;
                        r = key_value(obj, secret, kv->string, &v, &len, reterr);
                        if (r >= 0) r = add_file(ret, kv->string, v, len, dmode, reterr);
                        if (v) explicit_bzero(v, len);
                        if (r < 0) return r == -ENOENT ? 0 : r;
                }
        }
        return 0;
}

/* ---- downward API ---------------------------------------------------------------- */

static void buf_putc(ocx_buf *b, char ch) { (void)ocx_buf_append(b, &ch, 1); }

static void quote_go(ocx_buf *b, const char *s) {
        buf_putc(b, '"');
        for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
                switch (*p) {
                case '"':
                        ocx_buf_puts(b, "\\\"");
                        break;
                case '\\':
                        ocx_buf_puts(b, "\\\\");
                        break;
                case '\a':
                        ocx_buf_puts(b, "\\a");
                        break;
                case '\b':
                        ocx_buf_puts(b, "\\b");
                        break;
                case '\f':
                        ocx_buf_puts(b, "\\f");
                        break;
                case '\n':
                        ocx_buf_puts(b, "\\n");
                        break;
                case '\r':
                        ocx_buf_puts(b, "\\r");
                        break;
                case '\t':
                        ocx_buf_puts(b, "\\t");
                        break;
                case '\v':
                        ocx_buf_puts(b, "\\v");
                        break;
                default:
                        if (*p < 0x20 || *p == 0x7f)
                                ocx_buf_printf(b, "\\x%02x", *p);
                        else
                                buf_putc(b, (char)*p);
                }
        }
        buf_putc(b, '"');
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

char *vol_format_map(const cJSON *map) {
        size_t n = 0;
        const cJSON *kv;
        cJSON_ArrayForEach(kv, map) if (cJSON_IsString(kv)) n++;
        const char **keys = ocx_xcalloc(n + 1, sizeof(char *));
        size_t i = 0;
        cJSON_ArrayForEach(kv, map) if (cJSON_IsString(kv) && i < n) keys[i++] = kv->string;
        qsort(keys, i, sizeof(char *), cmp_str);
        ocx_buf b;
        ocx_buf_init(&b, 16u << 20);
        for (size_t k = 0; k < i; k++) {
                if (k) buf_putc(&b, '\n');
                ocx_buf_printf(&b, "%s=", keys[k]);
                quote_go(&b, ocx_json_get_str(map, keys[k]));
        }
        free(keys);
        return ocx_buf_detach(&b, NULL);
}

/* metadata.labels['key'] → "key" in ret; 0 when fp is not that form */
static bool subscript(const char *fp, const char *prefix, char *ret, size_t cap) {
        size_t pl = strlen(prefix);
        if (strncmp(fp, prefix, pl) != 0 || fp[pl] != '[' || fp[pl + 1] != '\'') return false;
        const char *k = fp + pl + 2;
        const char *end = strstr(k, "']");
        if (!end || end[2] || (size_t)(end - k) >= cap || end == k) return false;
        memcpy(ret, k, (size_t)(end - k));
        ret[end - k] = 0;
        return true;
}

static int field_value(const vol_ctx *c, const char *fp, char **ret, ocx_error **reterr) {
        const cJSON *pod = c->pod;
        char key[320];
        const char *v = NULL;
        if (ocx_streq(fp, "metadata.name") || ocx_streq(fp, "metadata.namespace") || ocx_streq(fp, "metadata.uid") ||
            ocx_streq(fp, "spec.nodeName") || ocx_streq(fp, "spec.serviceAccountName") ||
            ocx_streq(fp, "status.hostIP"))
                v = ocx_json_path_str(pod, fp);
        else if (ocx_streq(fp, "status.podIP"))
                v = c->pod_ip;
        else if (ocx_streq(fp, "metadata.labels") || ocx_streq(fp, "metadata.annotations")) {
                *ret = vol_format_map(ocx_json_path(pod, fp));
                return 0;
        } else if (subscript(fp, "metadata.labels", key, sizeof(key)))
                v = ocx_json_get_str(ocx_json_path(pod, "metadata.labels"), key);
        else if (subscript(fp, "metadata.annotations", key, sizeof(key)))
                v = ocx_json_get_str(ocx_json_path(pod, "metadata.annotations"), key);
        else
                return ocx_error_set(reterr, EINVAL, NULL, "unsupported fieldPath '%s'", fp);
        *ret = ocx_xstrdup(v ? v : "");
        return 0;
}

static int render_downward(const vol_ctx *c, const cJSON *items, mode_t dmode, vol_files *ret, ocx_error **reterr) {
        const cJSON *it;
        cJSON_ArrayForEach(it, items) {
                const char *path = ocx_json_get_str(it, "path");
                const char *fp = ocx_json_path_str(it, "fieldRef.fieldPath");
                if (ocx_json_get(it, "resourceFieldRef"))
                        return ocx_error_set(reterr, EINVAL, NULL,
                                             "downwardAPI '%s': resourceFieldRef is not supported", path ? path : "");
                if (!path || !fp)
                        return ocx_error_set(reterr, EINVAL, NULL,
                                             "downwardAPI: an item needs path and fieldRef.fieldPath");
                mode_t mode = DEFAULT_MODE;
                int r = read_mode(it, "mode", dmode, &mode, reterr);
                if (r < 0) return r;
                _cleanup_free_ char *v = NULL;
                if ((r = field_value(c, fp, &v, reterr)) < 0) return r;
                if ((r = add_file(ret, path, v ? v : "", v ? strlen(v) : 0, mode, reterr)) < 0) return r;
        }
        return 0;
}

/* ---- service account token ------------------------------------------------------------ */

static const char *pod_sa(const vol_ctx *c) {
        const char *sa = ocx_json_path_str(c->pod, "spec.serviceAccountName");
        if (!sa || !*sa) sa = ocx_json_path_str(c->pod, "spec.serviceAccount");
        return sa && *sa ? sa : "default";
}

int vol_sa_automount(const vol_ctx *c, bool *ret) {
        const cJSON *a = ocx_json_path(c->pod, "spec.automountServiceAccountToken");
        if (cJSON_IsBool(a)) {
                *ret = cJSON_IsTrue(a);
                return 0;
        }
        _cleanup_json_ cJSON *acct = NULL;
        int r = c->lookup(c->userdata, "serviceaccounts", ocx_json_path_str(c->pod, "metadata.namespace"), pod_sa(c),
                          &acct);
        if (r < 0) return r == -ENOENT ? -EAGAIN : r;
        a = ocx_json_get(acct, "automountServiceAccountToken");
        *ret = cJSON_IsBool(a) ? cJSON_IsTrue(a) : true;
        return 0;
}

/* The token Secret of the pod's service account (first listed Secret of the
 * token type that names the account and holds a token). */
static int sa_secret(const vol_ctx *c, cJSON **ret, ocx_error **reterr) {
        const char *ns = ocx_json_path_str(c->pod, "metadata.namespace"), *sa = pod_sa(c);
        _cleanup_json_ cJSON *acct = NULL;
        int r = c->lookup(c->userdata, "serviceaccounts", ns, sa, &acct);
        if (r == -ENOENT) return ocx_error_set(reterr, EAGAIN, NULL, "waiting for service account \"%s\"", sa);
        if (r < 0) return ocx_error_set(reterr, -r, NULL, "service account \"%s\": %s", sa, strerror(-r));
        const cJSON *ref;
        cJSON_ArrayForEach(ref, ocx_json_get(acct, "secrets")) {
                const char *sn = ocx_json_get_str(ref, "name");
                cJSON *sec = NULL;
                if (!sn || c->lookup(c->userdata, "secrets", ns, sn, &sec) < 0) continue;
                if (ocx_streq(ocx_json_get_str(sec, "type"), SA_TOKEN_TYPE) && ocx_json_path_str(sec, "data.token")) {
                        const char *owner = ocx_json_get_str(ocx_json_path(sec, "metadata.annotations"),
                                                             "kubernetes.io/service-account.name");
                        if (!owner || ocx_streq(owner, sa)) {
                                *ret = sec;
                                return 0;
                        }
                }
                cJSON_Delete(sec);
        }
        return ocx_error_set(reterr, EAGAIN, NULL, "waiting for the token of service account \"%s\"", sa);
}

static int add_secret_key(vol_files *ret, const cJSON *sec, const char *key, const char *path, mode_t mode,
                          ocx_error **reterr) {
        _cleanup_free_ char *v = NULL;
        size_t len = 0;
        int r = key_value(sec, true, key, &v, &len, reterr);
        if (r == -ENOENT)
                return ocx_error_set(reterr, EAGAIN, NULL, "service account token secret \"%s\" has no key '%s'",
                                     ocx_json_path_str(sec, "metadata.name"), key);
        if (r >= 0) r = add_file(ret, path, v, len, mode, reterr);
        if (v) explicit_bzero(v, len);
        return r;
}

int vol_render_sa(const vol_ctx *c, vol_files *ret, ocx_error **reterr) {
        _cleanup_json_ cJSON *sec = NULL;
        int r = sa_secret(c, &sec, reterr);
        if (r < 0) return r;
        if ((r = add_secret_key(ret, sec, "token", "token", DEFAULT_MODE, reterr)) < 0) return r;
        if ((r = add_secret_key(ret, sec, "ca.crt", "ca.crt", DEFAULT_MODE, reterr)) < 0) return r;
        const char *ns = ocx_json_path_str(c->pod, "metadata.namespace");
        return add_file(ret, "namespace", ns, strlen(ns), DEFAULT_MODE, reterr);
}

/* ---- volumes ----------------------------------------------------------------------------- */

bool vol_is_file_volume(const cJSON *vol) {
        return ocx_json_get(vol, "configMap") || ocx_json_get(vol, "secret") || ocx_json_get(vol, "downwardAPI") ||
               ocx_json_get(vol, "projected");
}

static int render_projected(const vol_ctx *c, const cJSON *pj, vol_files *ret, ocx_error **reterr) {
        mode_t dmode = DEFAULT_MODE;
        int r = read_mode(pj, "defaultMode", DEFAULT_MODE, &dmode, reterr);
        if (r < 0) return r;
        const cJSON *src;
        cJSON_ArrayForEach(src, ocx_json_get(pj, "sources")) {
                const cJSON *x;
                if ((x = ocx_json_get(src, "configMap")))
                        r = render_keys(c, ocx_json_get_str(x, "name"), ocx_json_get(x, "items"),
                                        ocx_json_get_bool(x, "optional", false), false, dmode, ret, reterr);
                else if ((x = ocx_json_get(src, "secret")))
                        r = render_keys(c, ocx_json_get_str(x, "name"), ocx_json_get(x, "items"),
                                        ocx_json_get_bool(x, "optional", false), true, dmode, ret, reterr);
                else if ((x = ocx_json_get(src, "downwardAPI")))
                        r = render_downward(c, ocx_json_get(x, "items"), dmode, ret, reterr);
                else if ((x = ocx_json_get(src, "serviceAccountToken"))) {
                        /* the account's (long-lived, revocable) token Secret: there is no
                         * TokenRequest API, so audience and expirationSeconds are not applied */
                        const char *path = ocx_json_get_str(x, "path");
                        _cleanup_json_ cJSON *sec = NULL;
                        if (!path) return ocx_error_set(reterr, EINVAL, NULL, "serviceAccountToken needs a path");
                        r = sa_secret(c, &sec, reterr);
                        if (r >= 0) r = add_secret_key(ret, sec, "token", path, dmode, reterr);
                } else
                        return ocx_error_set(reterr, EINVAL, NULL, "unsupported projected volume source");
                if (r < 0) return r;
        }
        return 0;
}

int vol_render(const vol_ctx *c, const cJSON *vol, vol_files *ret, ocx_error **reterr) {
        const char *vn = ocx_json_get_str(vol, "name");
        const cJSON *x;
        mode_t dmode = DEFAULT_MODE;
        int r;
        if ((x = ocx_json_get(vol, "configMap")) || (x = ocx_json_get(vol, "secret"))) {
                bool secret = x == ocx_json_get(vol, "secret");
                if ((r = read_mode(x, "defaultMode", DEFAULT_MODE, &dmode, reterr)) >= 0)
                        r = render_keys(c, ocx_json_get_str(x, secret ? "secretName" : "name"),
                                        ocx_json_get(x, "items"), ocx_json_get_bool(x, "optional", false), secret,
                                        dmode, ret, reterr);
        } else if ((x = ocx_json_get(vol, "downwardAPI"))) {
                if ((r = read_mode(x, "defaultMode", DEFAULT_MODE, &dmode, reterr)) >= 0)
                        r = render_downward(c, ocx_json_get(x, "items"), dmode, ret, reterr);
        } else if ((x = ocx_json_get(vol, "projected"))) {
                r = render_projected(c, x, ret, reterr);
        } else {
                r = ocx_error_set(reterr, EINVAL, NULL, "not a configMap, secret, downwardAPI or projected volume");
        }
        if (r < 0) ocx_error_wrap(reterr, "volume '%s'", vn ? vn : "");
        return r;
}

/* ---- the atomic writer ------------------------------------------------------------------ */

static int mkdir_p(const char *path, mode_t mode) {
        _cleanup_free_ char *buf = ocx_xstrdup(path);
        for (char *p = buf + 1; *p; p++) {
                if (*p != '/') continue;
                *p = 0;
                if (mkdir(buf, mode) < 0 && errno != EEXIST) return -errno;
                *p = '/';
        }
        if (mkdir(buf, mode) < 0 && errno != EEXIST) return -errno;
        return 0;
}

static void rm_tree_at(int dfd, const char *name) {
        int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd >= 0) {
                DIR *d = fdopendir(fd);
                if (d) {
                        struct dirent *de;
                        while ((de = readdir(d)))
                                if (!ocx_streq(de->d_name, ".") && !ocx_streq(de->d_name, ".."))
                                        rm_tree_at(dirfd(d), de->d_name);
                        closedir(d);
                } else {
                        close(fd);
                }
                (void)unlinkat(dfd, name, AT_REMOVEDIR);
                return;
        }
        (void)unlinkat(dfd, name, 0);
}

static int set_owner(const char *path, int64_t gid, mode_t mode) {
        if (gid >= 0 && lchown(path, 0, (gid_t)gid) < 0) return -errno;
        if (chmod(path, mode) < 0) return -errno;
        return 0;
}

/* "a/b/c" → "a" */
static char *first_elem(const char *path) { return ocx_xstrndup(path, strcspn(path, "/")); }

int vol_write_dir(const char *dir, const vol_files *f, int64_t gid, ocx_error **reterr) {
        mode_t dmode = 0755 | (gid >= 0 ? S_ISGID : 0);
        int r = mkdir_p(dir, 0755);
        if (r >= 0) r = set_owner(dir, gid, dmode);
        if (r < 0) return ocx_error_set(reterr, -r, NULL, "cannot create '%s'", dir);
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        struct tm tm;
        gmtime_r(&ts.tv_sec, &tm);
        char stamp[64];
        strftime(stamp, sizeof(stamp), "..%Y_%m_%d_%H_%M_%S", &tm);
        _cleanup_free_ char *tsname = ocx_xasprintf("%s.%09ld_%d", stamp, ts.tv_nsec, (int)getpid());
        _cleanup_free_ char *tsdir = ocx_xasprintf("%s/%s", dir, tsname);
        if (mkdir(tsdir, 0755) < 0 || set_owner(tsdir, gid, dmode) < 0)
                return ocx_error_set(reterr, errno, NULL, "cannot create '%s'", tsdir);
        for (size_t i = 0; i < f->n; i++) {
                const vol_file *x = &f->v[i];
                _cleanup_free_ char *p = ocx_xasprintf("%s/%s", tsdir, x->path);
                char *slash = strrchr(p, '/');
                if (slash > p + strlen(tsdir)) {
                        *slash = 0;
                        r = mkdir_p(p, 0755);
                        /* subdirectories below the timestamped one */
                        for (char *q = p + strlen(tsdir) + 1; r >= 0 && q; q = strchr(q + 1, '/')) {
                                char save = *q;
                                if (save == '/') *q = 0;
                                r = set_owner(p, gid, dmode);
                                if (save == '/') *q = '/';
                                if (save != '/') break;
                        }
                        *slash = '/';
                        if (r < 0)
                                return ocx_error_set(reterr, -r, NULL, "cannot create the directory of '%s'", x->path);
                }
                mode_t mode = x->mode | (gid >= 0 ? 0440 : 0);
                r = ocx_write_file_atomic(p, x->data, x->len, (int)mode);
                if (r >= 0) r = set_owner(p, gid, mode);
                if (r < 0) return ocx_error_set(reterr, -r, NULL, "cannot write '%s'", x->path);
        }
        /* ..data → the new directory, swapped atomically */
        _cleanup_free_ char *tmp = ocx_xasprintf("%s/..data_tmp", dir);
        _cleanup_free_ char *data = ocx_xasprintf("%s/..data", dir);
        (void)unlink(tmp);
        if (symlink(tsname, tmp) < 0 || rename(tmp, data) < 0)
                return ocx_error_set(reterr, errno, NULL, "cannot switch '%s'", data);
        /* one symlink per top-level entry */
        for (size_t i = 0; i < f->n; i++) {
                _cleanup_free_ char *top = first_elem(f->v[i].path);
                _cleanup_free_ char *link = ocx_xasprintf("%s/%s", dir, top);
                _cleanup_free_ char *target = ocx_xasprintf("..data/%s", top);
                struct stat st;
                if (lstat(link, &st) == 0) continue;
                if (symlink(target, link) < 0) return ocx_error_set(reterr, errno, NULL, "cannot link '%s'", top);
        }
        /* drop what the new data does not have: old timestamped dirs, stale links */
        _cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        DIR *d = dfd >= 0 ? fdopendir(dup(dfd)) : NULL;
        if (!d) return 0;
        struct dirent *de;
        char **gone = NULL;
        size_t n_gone = 0;
        while ((de = readdir(d))) {
                const char *nm = de->d_name;
                if (ocx_streq(nm, ".") || ocx_streq(nm, "..") || ocx_streq(nm, "..data") || ocx_streq(nm, tsname))
                        continue;
                bool keep = false;
                if (!ocx_startswith(nm, ".."))
                        for (size_t i = 0; i < f->n && !keep; i++) {
                                _cleanup_free_ char *top = first_elem(f->v[i].path);
                                keep = ocx_streq(top, nm);
                        }
                if (keep) continue;
                gone = ocx_xrealloc(gone, (n_gone + 1) * sizeof(char *));
                gone[n_gone++] = ocx_xstrdup(nm);
        }
        closedir(d);
        for (size_t i = 0; i < n_gone; i++) {
                rm_tree_at(dfd, gone[i]);
                free(gone[i]);
        }
        free(gone);
        return 0;
}

/* ---- paths inside the container root --------------------------------------------------------- */

/* lstat of an in-root path: the top-most lower that has it */
static int lower_lstat(const char *const *lowers, size_t n, const char *inroot, struct stat *st, char **ret_host) {
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *h = ocx_xasprintf("%s%s", lowers[i], inroot);
                if (lstat(h, st) == 0) {
                        if (ret_host) *ret_host = TAKE_PTR(h);
                        return 0;
                }
        }
        return -ENOENT;
}

char *vol_resolve_in_root(const char *const *lowers, size_t n_lowers, const char *path) {
        /* todo: the remaining path elements, resolved: done */
        _cleanup_free_ char *todo = ocx_xstrdup(path);
        ocx_buf done;
        ocx_buf_init(&done, PATH_MAX);
        int links = 0;
        char *rest = todo;
        while (rest && *rest) {
                while (*rest == '/') rest++;
                if (!*rest) break;
                size_t n = strcspn(rest, "/");
                _cleanup_free_ char *elem = ocx_xstrndup(rest, n);
                rest += n;
                if (ocx_streq(elem, ".")) continue;
                if (ocx_streq(elem, "..")) {
                        char *slash = done.data ? strrchr(done.data, '/') : NULL;
                        if (slash) {
                                *slash = 0;
                                done.len = (size_t)(slash - done.data);
                        }
                        continue;
                }
                size_t before = done.len;
                ocx_buf_printf(&done, "/%s", elem);
                struct stat st;
                _cleanup_free_ char *host = NULL;
                if (lower_lstat(lowers, n_lowers, done.data, &st, &host) < 0 || !S_ISLNK(st.st_mode)) continue;
                if (++links > 40) break;
                char target[PATH_MAX];
                ssize_t tl = readlink(host, target, sizeof(target) - 1);
                if (tl <= 0) continue;
                target[tl] = 0;
                done.len = before;
                if (done.data) done.data[before] = 0;
                if (target[0] == '/') {
                        done.len = 0;
                        if (done.data) done.data[0] = 0;
                }
                char *next = ocx_xasprintf("%s%s", target, rest);
                free(todo);
                todo = next;
                rest = todo;
        }
        char *out = ocx_xstrdup(done.len ? done.data : "/");
        ocx_buf_release(&done);
        return out;
}

/* ---- on the node ------------------------------------------------------------------------------ */

static struct api_server *api;

void vol_set_api(struct api_server *s) { api = s; }

static int api_lookup(void *userdata, const char *plural, const char *ns, const char *name, cJSON **ret) {
        (void)userdata;
        if (!api) return -ENOENT;
        const api_kind *k = api_kind_by_plural("", "v1", plural);
        if (!k) return -EINVAL;
        return api_get_object(api, k, ns, name, ret);
}

static char *vfiles_dir(const char *pod_dir) { return ocx_xasprintf("%s/vfiles", pod_dir); }

static bool is_mounted(const char *dir, const char *parent) {
        struct stat a, b;
        return stat(dir, &a) == 0 && stat(parent, &b) == 0 && a.st_dev != b.st_dev;
}

int vol_pod_prepare(const cJSON *pod, const char *pod_dir, const char *pod_ip, bool refresh, ocx_error **reterr) {
        _cleanup_free_ char *vf = vfiles_dir(pod_dir);
        _cleanup_free_ char *marker =
            ocx_xasprintf("%s/.volumes-ready", pod_dir); /* also when there was nothing to write */
        if (!refresh && access(marker, F_OK) == 0) return 0;
        vol_ctx c = {.pod = pod, .pod_ip = pod_ip, .lookup = api_lookup};
        const cJSON *vols = ocx_json_path(pod, "spec.volumes"), *v;
        size_t n = 0;
        cJSON_ArrayForEach(v, vols) n++;
        vol_files *files = ocx_xcalloc(n + 1, sizeof(vol_files));
        const char **names = ocx_xcalloc(n + 1, sizeof(char *));
        size_t k = 0;
        int r = 0;
        bool sa = false, any = false;
        cJSON_ArrayForEach(v, vols) {
                if (!vol_is_file_volume(v) || k >= n) continue;
                const char *vn = ocx_json_get_str(v, "name");
                if (!vn || !vol_path_ok(vn) || strchr(vn, '/')) {
                        r = ocx_error_set(reterr, EINVAL, NULL, "invalid volume name '%s'", vn ? vn : "");
                        goto out;
                }
                names[k] = vn;
                if ((r = vol_render(&c, v, &files[k++], reterr)) < 0) goto out;
                any = true;
        }
        if (vol_sa_automount(&c, &sa) < 0) {
                r = ocx_error_set(reterr, EAGAIN, NULL, "waiting for service account \"%s\"",
                                  ocx_json_path_str(pod, "spec.serviceAccountName")
                                      ? ocx_json_path_str(pod, "spec.serviceAccountName")
                                      : "default");
                goto out;
        }
        if (sa && (r = vol_render_sa(&c, &files[n], reterr)) < 0) goto out;
        if (!any && !sa) goto done; /* nothing to write: no tmpfs */
        if (!is_mounted(vf, pod_dir)) {
                if ((r = mkdir_p(vf, 0755)) < 0) {
                        r = ocx_error_set(reterr, -r, NULL, "cannot create '%s'", vf);
                        goto out;
                }
                if (mount("tmpfs", vf, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0755,size=65536k") < 0) {
                        r = ocx_error_set(reterr, errno, NULL, "cannot mount a tmpfs on '%s'", vf);
                        goto out;
                }
        }
        int64_t gid = -1;
        if (ocx_json_int(ocx_json_path(pod, "spec.securityContext.fsGroup"), 0, UINT32_MAX - 1, &gid) < 0) gid = -1;
        for (size_t i = 0; i < k; i++) {
                _cleanup_free_ char *d = ocx_xasprintf("%s/%s", vf, names[i]);
                if ((r = vol_write_dir(d, &files[i], gid, reterr)) < 0) goto out;
        }
        if (sa) {
                _cleanup_free_ char *d = ocx_xasprintf("%s/%s", vf, VOL_SA_DIR);
                if ((r = vol_write_dir(d, &files[n], gid, reterr)) < 0) goto out;
        }
done:
        r = ocx_write_file_atomic(marker, "", 0, 0600);
        if (r < 0) r = ocx_error_set(reterr, -r, NULL, "cannot write '%s'", marker);
out:
        for (size_t i = 0; i <= n; i++) vol_files_release(&files[i]);
        free(files);
        free(names);
        return r;
}

char *vol_mount_source(const char *pod_dir, const cJSON *vol, const char *sub_path, int *ret_err) {
        *ret_err = 0;
        if (!vol_is_file_volume(vol)) return NULL;
        const char *vn = ocx_json_get_str(vol, "name");
        if (!vn || !vol_path_ok(vn) || strchr(vn, '/')) {
                *ret_err = -EINVAL;
                return NULL;
        }
        if (sub_path && *sub_path && !vol_path_ok(sub_path)) {
                *ret_err = -EINVAL;
                return NULL;
        }
        _cleanup_free_ char *vf = vfiles_dir(pod_dir);
        char *dir = ocx_xasprintf("%s/%s", vf, vn);
        if (!sub_path || !*sub_path) return dir;
        /* the node wrote every file here (containers cannot): resolve the
         * ..data links and check the result stays inside the volume */
        _cleanup_free_ char *d = dir;
        _cleanup_free_ char *joined = ocx_xasprintf("%s/%s", d, sub_path);
        char real[PATH_MAX], realdir[PATH_MAX];
        if (!realpath(joined, real) || !realpath(d, realdir) || strncmp(real, realdir, strlen(realdir)) != 0 ||
            (real[strlen(realdir)] != '/' && real[strlen(realdir)] != 0)) {
                *ret_err = -EINVAL;
                return NULL;
        }
        return ocx_xstrdup(real);
}

char *vol_sa_mount_source(const char *pod_dir, const cJSON *container_spec) {
        const cJSON *vm;
        cJSON_ArrayForEach(vm, ocx_json_get(container_spec, "volumeMounts")) {
                const char *mp = ocx_json_get_str(vm, "mountPath");
                if (!mp) continue;
                size_t l = strlen(mp);
                while (l > 1 && mp[l - 1] == '/') l--;
                if (l == strlen(VOL_SA_MOUNT_PATH) && strncmp(mp, VOL_SA_MOUNT_PATH, l) == 0) return NULL;
        }
        char *d = ocx_xasprintf("%s/vfiles/%s", pod_dir, VOL_SA_DIR);
        if (access(d, F_OK) != 0) {
                free(d);
                return NULL;
        }
        return d;
}

int vol_host_path_check(const cJSON *vol, ocx_error **reterr) {
        const char *path = ocx_json_path_str(vol, "hostPath.path");
        const char *type = ocx_json_path_str(vol, "hostPath.type");
        if (!path || path[0] != '/') return ocx_error_set(reterr, EINVAL, NULL, "hostPath needs an absolute path");
        if (!type || !*type) return 0;
        struct stat st;
        if (ocx_streq(type, "DirectoryOrCreate")) {
                if (stat(path, &st) < 0 && mkdir_p(path, 0755) < 0)
                        return ocx_error_set(reterr, EINVAL, NULL, "hostPath '%s': cannot create the directory", path);
                type = "Directory";
        } else if (ocx_streq(type, "FileOrCreate")) {
                if (stat(path, &st) < 0) {
                        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
                        if (fd < 0 && errno != EEXIST)
                                return ocx_error_set(reterr, EINVAL, NULL, "hostPath '%s': cannot create the file",
                                                     path);
                        if (fd >= 0) close(fd);
                }
                type = "File";
        }
        if (stat(path, &st) < 0)
                return ocx_error_set(reterr, EINVAL, NULL, "hostPath type check failed: %s does not exist", path);
        static const struct {
                const char *type;
                mode_t fmt;
        } want[] = {{"Directory", S_IFDIR},
                    {"File", S_IFREG},
                    {"Socket", S_IFSOCK},
                    {"CharDevice", S_IFCHR},
                    {"BlockDevice", S_IFBLK}};
        for (size_t i = 0; i < OCX_ARRAY_SIZE(want); i++)
                if (ocx_streq(type, want[i].type)) {
                        if ((st.st_mode & S_IFMT) != want[i].fmt)
                                return ocx_error_set(reterr, EINVAL, NULL, "hostPath type check failed: %s is not a %s",
                                                     path, type);
                        return 0;
                }
        return ocx_error_set(reterr, EINVAL, NULL, "hostPath '%s': unknown type '%s'", path, type);
}

void vol_pod_teardown(const char *pod_dir) {
        _cleanup_free_ char *vf = vfiles_dir(pod_dir);
        if (is_mounted(vf, pod_dir) && umount2(vf, MNT_DETACH) < 0)
                log_warn("cannot unmount %s: %s", vf, strerror(errno));
}
