/* ocx imagestreams — Docker Registry HTTP API v2 client on libcurl. */
#include <curl/curl.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include "imagestreams/digest.h"
#include "imagestreams/ref.h"
#include "imagestreams/registry.h"
#include "ocx/encoding.h"
#include "ocx/buf.h"
#include "ocx/json.h"
#include "ocx/macro.h"
#include "ocx/banned.h"

#define ERR_BODY_CAP ((size_t)64 * 1024)
#define ACCEPT_MANIFESTS                                                                                               \
        "Accept: " IMG_MT_OCI_MANIFEST ", " IMG_MT_OCI_INDEX ", " IMG_MT_DOCKER_MANIFEST ", " IMG_MT_DOCKER_LIST

struct img_registry {
        CURL *curl;
        char *host;
        char *base; /* "http://127.0.0.1:5000" */
        bool insecure;
        char *username, *password;
        long timeout_ms;
        char *auth_header; /* "Authorization: Bearer ..." or Basic */
        char *auth_scope;  /* the scope the token was issued for */
};

typedef struct req {
        const char *method;
        const char *url;
        const char *scope; /* token scope for this request */
        const char *extra[4];
        const void *body;
        size_t body_len;
        int upload_fd; /* PUT body from a file when >= 0 */
        int64_t upload_size;
        int out_fd; /* a 2xx body goes to this fd (hashed) when >= 0 */
        size_t cap; /* cap of an in-memory 2xx body */
        bool no_auth;
} req;

typedef struct resp {
        CURL *curl;
        const req *rq;
        long status;
        ocx_buf body;
        char *content_type, *location, *digest, *www_auth, *link;
        img_sha256 hash;
        int64_t written;
        int werr;
} resp;

static void resp_release(resp *p) {
        ocx_buf_release(&p->body);
        free(p->content_type);
        free(p->location);
        free(p->digest);
        free(p->www_auth);
        free(p->link);
        img_sha256_release(&p->hash);
        memset(p, 0, sizeof(*p));
}

static int is_loopback(const char *host) {
        return ocx_startswith(host, "127.") || ocx_startswith(host, "localhost") || ocx_startswith(host, "[::1]");
}

static void global_init(void) { curl_global_init(CURL_GLOBAL_DEFAULT); }

int img_registry_new(const char *host, const img_registry_opts *opts, img_registry **ret, ocx_error **reterr) {
        static pthread_once_t once = PTHREAD_ONCE_INIT;
        pthread_once(&once, global_init);
        if (!host || !*host || strpbrk(host, "/?#@ "))
                return ocx_error_set(reterr, EINVAL, NULL, "invalid registry host '%s'", host ? host : "");
        img_registry *r = ocx_xcalloc(1, sizeof(*r));
        r->curl = curl_easy_init();
        if (!r->curl) abort();
        r->host = ocx_xstrdup(host);
        r->insecure = (opts && opts->insecure) || is_loopback(host);
        const char *h = strcmp(host, "docker.io") == 0 ? "registry-1.docker.io" : host;
        r->base = ocx_xasprintf("%s://%s", r->insecure ? "http" : "https", h);
        if (opts && opts->username) r->username = ocx_xstrdup(opts->username);
        if (opts && opts->password) r->password = ocx_xstrdup(opts->password);
        r->timeout_ms = opts && opts->timeout_ms > 0 ? opts->timeout_ms : 10000;
        *ret = r;
        return 0;
}

img_registry *img_registry_free(img_registry *r) {
        if (!r) return NULL;
        curl_easy_cleanup(r->curl);
        free(r->host);
        free(r->base);
        free(r->username);
        free(r->password);
        free(r->auth_header);
        free(r->auth_scope);
        free(r);
        return NULL;
}

/* ---- transport -------------------------------------------------------------- */

static size_t on_header(char *data, size_t size, size_t n, void *ud) {
        resp *p = ud;
        size_t len = size * n;
        if (len >= 5 && strncmp(data, "HTTP/", 5) == 0) { /* a new response (redirect) */
                free(p->content_type), p->content_type = NULL;
                free(p->location), p->location = NULL;
                free(p->digest), p->digest = NULL;
                free(p->www_auth), p->www_auth = NULL;
                free(p->link), p->link = NULL;
                return len;
        }
        const char *colon = memchr(data, ':', len);
        if (!colon) return len;
        size_t nlen = (size_t)(colon - data);
        const char *v = colon + 1;
        size_t vlen = len - nlen - 1;
        while (vlen && (*v == ' ' || *v == '\t')) v++, vlen--;
        while (vlen && (v[vlen - 1] == '\r' || v[vlen - 1] == '\n' || v[vlen - 1] == ' ')) vlen--;
        static const struct {
                const char *name;
                size_t off;
        } hs[] = {{"content-type", offsetof(resp, content_type)},
                  {"location", offsetof(resp, location)},
                  {"docker-content-digest", offsetof(resp, digest)},
                  {"www-authenticate", offsetof(resp, www_auth)},
                  {"link", offsetof(resp, link)}};
        for (size_t i = 0; i < OCX_ARRAY_SIZE(hs); i++) {
                if (strlen(hs[i].name) == nlen && strncasecmp(data, hs[i].name, nlen) == 0) {
                        char **slot = (char **)((char *)p + hs[i].off);
                        free(*slot);
                        *slot = ocx_xstrndup(v, vlen);
                }
        }
        return len;
}

static size_t on_body(char *data, size_t size, size_t n, void *ud) {
        resp *p = ud;
        size_t len = size * n;
        long status = 0;
        curl_easy_getinfo(p->curl, CURLINFO_RESPONSE_CODE, &status);
        if (status >= 200 && status < 300 && p->rq->out_fd >= 0) {
                if (!p->hash.ctx) img_sha256_init(&p->hash);
                img_sha256_update(&p->hash, data, len);
                for (size_t off = 0; off < len;) {
                        ssize_t w = write(p->rq->out_fd, data + off, len - off);
                        if (w < 0) {
                                if (errno == EINTR) continue;
                                p->werr = -errno;
                                return 0;
                        }
                        off += (size_t)w;
                }
                p->written += (int64_t)len;
                return len;
        }
        if (p->body.cap == 0)
                ocx_buf_init(&p->body, status >= 200 && status < 300 && p->rq->cap ? p->rq->cap : ERR_BODY_CAP);
        if (ocx_buf_append(&p->body, data, len) < 0) {
                p->werr = -E2BIG;
                return 0;
        }
        return len;
}

static size_t on_read(char *buf, size_t size, size_t n, void *ud) {
        int fd = *(int *)ud;
        for (;;) {
                ssize_t k = read(fd, buf, size * n);
                if (k >= 0) return (size_t)k;
                if (errno != EINTR) return CURL_READFUNC_ABORT;
        }
}

static int perform(img_registry *r, const req *rq, resp *p, ocx_error **reterr) {
        CURL *c = r->curl;
        curl_easy_reset(c);
        memset(p, 0, sizeof(*p));
        p->curl = c;
        p->rq = rq;
        struct curl_slist *hl = NULL;
        for (size_t i = 0; i < OCX_ARRAY_SIZE(rq->extra) && rq->extra[i]; i++) hl = curl_slist_append(hl, rq->extra[i]);
        if (!rq->no_auth && r->auth_header) hl = curl_slist_append(hl, r->auth_header);
        hl = curl_slist_append(hl, "Expect:");
        curl_easy_setopt(c, CURLOPT_URL, rq->url);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
        curl_easy_setopt(c, CURLOPT_USERAGENT, "ocx/1.0");
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, r->timeout_ms);
        curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
        curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
        curl_easy_setopt(c, CURLOPT_HEADERDATA, p);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, p);
        if (r->insecure) {
                curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
                curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
        }
        if (strcmp(rq->method, "GET") == 0 || strcmp(rq->method, "HEAD") == 0) {
                curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
                curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
                if (strcmp(rq->method, "HEAD") == 0) curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
        } else if (rq->upload_fd >= 0) {
                curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
                curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
                curl_easy_setopt(c, CURLOPT_READDATA, (void *)&rq->upload_fd);
                curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)rq->upload_size);
                curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, rq->method);
        } else {
                curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, rq->method);
                curl_easy_setopt(c, CURLOPT_POSTFIELDS, rq->body ? rq->body : "");
                curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->body_len);
        }
        CURLcode cc = curl_easy_perform(c);
        curl_slist_free_all(hl);
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &p->status);
        if (p->werr) {
                if (p->werr == -E2BIG)
                        return ocx_error_set(reterr, E2BIG, NULL, "%s %s: response larger than the limit", rq->method,
                                             rq->url);
                return ocx_error_set(reterr, -p->werr, NULL, "%s %s: cannot write: %s", rq->method, rq->url,
                                     strerror(-p->werr));
        }
        if (cc != CURLE_OK) {
                int code = cc == CURLE_COULDNT_CONNECT ? ECONNREFUSED : EIO;
                return ocx_error_set(reterr, code, NULL, "%s %s: %s", rq->method, rq->url, curl_easy_strerror(cc));
        }
        return 0;
}

/* value of key="..." (or key=token) in a challenge; caller frees */
static char *challenge_param(const char *h, const char *key) {
        size_t kl = strlen(key);
        for (const char *p = h; (p = strcasestr(p, key)); p += kl) {
                if (p != h && p[-1] != ' ' && p[-1] != ',') continue;
                if (p[kl] != '=') continue;
                const char *v = p + kl + 1;
                if (*v == '"') {
                        const char *e = strchr(v + 1, '"');
                        return e ? ocx_xstrndup(v + 1, (size_t)(e - v - 1)) : NULL;
                }
                return ocx_xstrndup(v, strcspn(v, ", "));
        }
        return NULL;
}

static char *basic_header(const char *u, const char *pw) {
        _cleanup_free_ char *raw = ocx_xasprintf("%s:%s", u, pw ? pw : "");
        _cleanup_free_ char *b64 = ocx_base64_encode(raw, strlen(raw), 0);
        return ocx_xasprintf("Authorization: Basic %s", b64);
}

/* answers a 401 challenge: fetches a bearer token or switches to basic */
static int authenticate(img_registry *r, const char *challenge, const char *scope, ocx_error **reterr) {
        if (!challenge) return ocx_error_set(reterr, EACCES, NULL, "%s: unauthorized", r->host);
        if (strncasecmp(challenge, "Basic", 5) == 0) {
                if (!r->username) return ocx_error_set(reterr, EACCES, NULL, "%s: authentication required", r->host);
                free(r->auth_header);
                r->auth_header = basic_header(r->username, r->password);
                return 0;
        }
        if (strncasecmp(challenge, "Bearer", 6) != 0)
                return ocx_error_set(reterr, EACCES, NULL, "%s: unsupported authentication '%s'", r->host, challenge);
        _cleanup_free_ char *realm = challenge_param(challenge, "realm");
        _cleanup_free_ char *service = challenge_param(challenge, "service");
        _cleanup_free_ char *cscope = challenge_param(challenge, "scope");
        if (!realm || !(ocx_startswith(realm, "https://") || ocx_startswith(realm, "http://")))
                return ocx_error_set(reterr, EACCES, NULL, "%s: bearer challenge without a usable realm", r->host);
        const char *sc = scope ? scope : cscope;
        ocx_buf url = OCX_BUF_INIT;
        ocx_buf_puts(&url, realm);
        char sep = strchr(realm, '?') ? '&' : '?';
        if (service) {
                _cleanup_free_ char *e = ocx_urlencode(service);
                ocx_buf_printf(&url, "%cservice=%s", sep, e);
                sep = '&';
        }
        if (sc) {
                _cleanup_free_ char *e = ocx_urlencode(sc);
                ocx_buf_printf(&url, "%cscope=%s", sep, e);
        }
        _cleanup_free_ char *u = ocx_buf_detach(&url, NULL);
        _cleanup_free_ char *basic = r->username ? basic_header(r->username, r->password) : NULL;
        req rq = {.method = "GET",
                  .url = u,
                  .extra = {basic},
                  .upload_fd = -1,
                  .out_fd = -1,
                  .cap = 1u << 20,
                  .no_auth = true};
        resp p;
        int k = perform(r, &rq, &p, reterr);
        if (k < 0) {
                resp_release(&p);
                return ocx_error_wrap(reterr, "token request");
        }
        if (p.status != 200) {
                long st = p.status;
                resp_release(&p);
                return ocx_error_set(reterr, EACCES, NULL, "%s: token request to '%s' answered %ld", r->host, realm,
                                     st);
        }
        _cleanup_json_ cJSON *j = NULL;
        k = ocx_json_parse(p.body.data ? p.body.data : "", p.body.len, &j, NULL);
        resp_release(&p);
        const char *tok = k == 0 ? ocx_json_get_str(j, "token") : NULL;
        if (!tok || !*tok) tok = k == 0 ? ocx_json_get_str(j, "access_token") : NULL;
        if (!tok || !*tok) return ocx_error_set(reterr, EACCES, NULL, "%s: token response without a token", r->host);
        free(r->auth_header);
        r->auth_header = ocx_xasprintf("Authorization: Bearer %s", tok);
        free(r->auth_scope);
        r->auth_scope = sc ? ocx_xstrdup(sc) : NULL;
        return 0;
}

/* the "errors" message of a registry error body, or "" */
static char *error_text(const resp *p) {
        if (!p->body.data || !p->body.len) return ocx_xstrdup("");
        _cleanup_json_ cJSON *j = NULL;
        if (ocx_json_parse(p->body.data, p->body.len, &j, NULL) < 0) return ocx_xstrdup("");
        const cJSON *errs = ocx_json_get(j, "errors");
        const cJSON *e0 = cJSON_IsArray(errs) ? cJSON_GetArrayItem(errs, 0) : NULL;
        const char *msg = ocx_json_get_str(e0, "message"), *code = ocx_json_get_str(e0, "code");
        if (!msg && !code) return ocx_xstrdup("");
        return ocx_xasprintf(": %s%s%s", code ? code : "", code && msg ? " " : "", msg ? msg : "");
}

/* perform with one authentication round; any HTTP status returns 0 */
static int do_request(img_registry *r, const req *rq, resp *p, ocx_error **reterr) {
        for (int attempt = 0;; attempt++) {
                if (rq->upload_fd >= 0 && lseek(rq->upload_fd, 0, SEEK_SET) < 0)
                        return ocx_error_set(reterr, errno, NULL, "cannot rewind upload: %s", strerror(errno));
                int k = perform(r, rq, p, reterr);
                if (k < 0) return k;
                if (p->status != 401 || attempt > 0 || rq->no_auth) return 0;
                _cleanup_free_ char *ch = p->www_auth ? ocx_xstrdup(p->www_auth) : NULL;
                resp_release(p);
                if ((k = authenticate(r, ch, rq->scope, reterr)) < 0) return k;
        }
}

/* maps a non-2xx status to an error */
static int status_error(const img_registry *r, const req *rq, const resp *p, const char *what, ocx_error **reterr) {
        _cleanup_free_ char *t = error_text(p);
        int code = p->status == 404 ? ENOENT : p->status == 401 || p->status == 403 ? EACCES : EIO;
        (void)r;
        return ocx_error_set(reterr, code, NULL, "%s: %s %s answered %ld%s", what, rq->method, rq->url, p->status, t);
}

static char *scope_of(const char *repo, const char *actions) {
        return ocx_xasprintf("repository:%s:%s", repo, actions);
}

/* ---- API ---------------------------------------------------------------------- */

int img_registry_ping(img_registry *r, ocx_error **reterr) {
        _cleanup_free_ char *url = ocx_xasprintf("%s/v2/", r->base);
        req rq = {.method = "GET", .url = url, .upload_fd = -1, .out_fd = -1, .cap = ERR_BODY_CAP};
        resp p;
        int k = do_request(r, &rq, &p, reterr);
        if (k == 0 && p.status != 200) k = status_error(r, &rq, &p, r->host, reterr);
        resp_release(&p);
        return k;
}

int img_registry_get_manifest(img_registry *r, const char *repo, const char *reference, char **ret_body,
                              size_t *ret_len, char **ret_media_type, char **ret_digest, ocx_error **reterr) {
        _cleanup_free_ char *url = ocx_xasprintf("%s/v2/%s/manifests/%s", r->base, repo, reference);
        _cleanup_free_ char *scope = scope_of(repo, "pull");
        req rq = {.method = "GET",
                  .url = url,
                  .scope = scope,
                  .extra = {ACCEPT_MANIFESTS},
                  .upload_fd = -1,
                  .out_fd = -1,
                  .cap = IMG_MANIFEST_MAX};
        resp p;
        int k = do_request(r, &rq, &p, reterr);
        if (k < 0) goto out;
        if (p.status != 200) {
                k = status_error(r, &rq, &p, "manifest", reterr);
                goto out;
        }
        char dg[IMG_DIGEST_LEN];
        img_sha256_mem(p.body.data ? p.body.data : "", p.body.len, dg);
        if (img_digest_valid(reference) && strcmp(dg, reference) != 0) {
                k = ocx_error_set(reterr, EBADMSG, NULL, "digest mismatch for manifest '%s': got '%s'", reference, dg);
                goto out;
        }
        size_t len = p.body.len;
        char *mt = p.content_type ? ocx_xstrndup(p.content_type, strcspn(p.content_type, ";")) : ocx_xstrdup("");
        *ret_body = p.body.data ? ocx_buf_detach(&p.body, NULL) : ocx_xstrdup("");
        if (ret_len) *ret_len = len;
        if (ret_media_type)
                *ret_media_type = mt;
        else
                free(mt);
        if (ret_digest) *ret_digest = ocx_xstrdup(dg);
out:
        resp_release(&p);
        return k;
}

int img_registry_put_manifest(img_registry *r, const char *repo, const char *reference, const char *media_type,
                              const char *body, size_t len, char **ret_digest, ocx_error **reterr) {
        _cleanup_free_ char *url = ocx_xasprintf("%s/v2/%s/manifests/%s", r->base, repo, reference);
        _cleanup_free_ char *scope = scope_of(repo, "pull,push");
        _cleanup_free_ char *ct = ocx_xasprintf("Content-Type: %s", media_type);
        req rq = {.method = "PUT",
                  .url = url,
                  .scope = scope,
                  .extra = {ct},
                  .body = body,
                  .body_len = len,
                  .upload_fd = -1,
                  .out_fd = -1,
                  .cap = ERR_BODY_CAP};
        resp p;
        int k = do_request(r, &rq, &p, reterr);
        if (k == 0 && p.status != 201 && p.status != 200 && p.status != 202)
                k = status_error(r, &rq, &p, "manifest upload", reterr);
        resp_release(&p);
        if (k == 0 && ret_digest) {
                char dg[IMG_DIGEST_LEN];
                img_sha256_mem(body, len, dg);
                *ret_digest = ocx_xstrdup(dg);
        }
        return k;
}

int img_registry_blob_exists(img_registry *r, const char *repo, const char *digest, int64_t *ret_size,
                             ocx_error **reterr) {
        _cleanup_free_ char *url = ocx_xasprintf("%s/v2/%s/blobs/%s", r->base, repo, digest);
        _cleanup_free_ char *scope = scope_of(repo, "pull");
        req rq = {.method = "HEAD", .url = url, .scope = scope, .upload_fd = -1, .out_fd = -1};
        resp p;
        int k = do_request(r, &rq, &p, reterr);
        if (k == 0) {
                if (p.status == 200) {
                        curl_off_t cl = -1;
                        curl_easy_getinfo(r->curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl);
                        if (ret_size) *ret_size = cl;
                } else if (p.status == 404) {
                        k = -ENOENT;
                } else {
                        k = status_error(r, &rq, &p, "blob", reterr);
                }
        }
        resp_release(&p);
        return k;
}

int img_registry_get_blob_file(img_registry *r, const char *repo, const char *digest, int64_t expected_size,
                               const char *dest, ocx_error **reterr) {
        if (!img_digest_valid(digest)) return ocx_error_set(reterr, EINVAL, NULL, "invalid digest '%s'", digest);
        _cleanup_free_ char *tmp = ocx_xasprintf("%s.tmp-XXXXXX", dest);
        int fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0) return ocx_error_set(reterr, errno, NULL, "cannot create '%s': %s", tmp, strerror(errno));
        _cleanup_free_ char *url = ocx_xasprintf("%s/v2/%s/blobs/%s", r->base, repo, digest);
        _cleanup_free_ char *scope = scope_of(repo, "pull");
        req rq = {.method = "GET", .url = url, .scope = scope, .upload_fd = -1, .out_fd = fd};
        resp p;
        int k = do_request(r, &rq, &p, reterr);
        if (k == 0 && p.status != 200) k = status_error(r, &rq, &p, "blob", reterr);
        if (k == 0) {
                char dg[IMG_DIGEST_LEN];
                if (p.hash.ctx)
                        img_sha256_final(&p.hash, dg);
                else
                        img_sha256_mem("", 0, dg);
                if (strcmp(dg, digest) != 0)
                        k = ocx_error_set(reterr, EBADMSG, NULL, "digest mismatch for blob '%s': got '%s'", digest, dg);
                else if (expected_size >= 0 && p.written != expected_size)
                        k = ocx_error_set(reterr, EBADMSG, NULL, "size mismatch for blob '%s': got %lld, want %lld",
                                          digest, (long long)p.written, (long long)expected_size);
        }
        resp_release(&p);
        if (k == 0 && (fchmod(fd, 0644) < 0 || fsync(fd) < 0))
                k = ocx_error_set(reterr, errno, NULL, "cannot write '%s': %s", tmp, strerror(errno));
        close(fd);
        if (k == 0 && rename(tmp, dest) < 0)
                k = ocx_error_set(reterr, errno, NULL, "cannot rename '%s': %s", tmp, strerror(errno));
        if (k < 0) unlink(tmp);
        return k;
}

int img_registry_get_blob_mem(img_registry *r, const char *repo, const char *digest, size_t cap, char **ret,
                              size_t *ret_len, ocx_error **reterr) {
        if (!img_digest_valid(digest)) return ocx_error_set(reterr, EINVAL, NULL, "invalid digest '%s'", digest);
        _cleanup_free_ char *url = ocx_xasprintf("%s/v2/%s/blobs/%s", r->base, repo, digest);
        _cleanup_free_ char *scope = scope_of(repo, "pull");
        req rq = {.method = "GET", .url = url, .scope = scope, .upload_fd = -1, .out_fd = -1, .cap = cap};
        resp p;
        int k = do_request(r, &rq, &p, reterr);
        if (k == 0 && p.status != 200) k = status_error(r, &rq, &p, "blob", reterr);
        if (k == 0) {
                char dg[IMG_DIGEST_LEN];
                img_sha256_mem(p.body.data ? p.body.data : "", p.body.len, dg);
                if (strcmp(dg, digest) != 0) {
                        k = ocx_error_set(reterr, EBADMSG, NULL, "digest mismatch for blob '%s': got '%s'", digest, dg);
                } else {
                        if (ret_len) *ret_len = p.body.len;
                        *ret = p.body.data ? ocx_buf_detach(&p.body, NULL) : ocx_xstrdup("");
                }
        }
        resp_release(&p);
        return k;
}

/* absolute upload URL from a Location header, with digest appended */
static char *upload_url(const img_registry *r, const char *loc, const char *digest) {
        const char *sep = strchr(loc, '?') ? "&" : "?";
        if (ocx_startswith(loc, "http://") || ocx_startswith(loc, "https://"))
                return ocx_xasprintf("%s%sdigest=%s", loc, sep, digest);
        return ocx_xasprintf("%s%s%sdigest=%s", r->base, loc, sep, digest);
}

int img_registry_mount_blob(img_registry *r, const char *repo, const char *digest, const char *from_repo,
                            ocx_error **reterr) {
        _cleanup_free_ char *url =
            ocx_xasprintf("%s/v2/%s/blobs/uploads/?mount=%s&from=%s", r->base, repo, digest, from_repo);
        _cleanup_free_ char *scope = ocx_xasprintf("repository:%s:pull,push repository:%s:pull", repo, from_repo);
        req rq = {.method = "POST", .url = url, .scope = scope, .upload_fd = -1, .out_fd = -1, .cap = ERR_BODY_CAP};
        resp p;
        int k = do_request(r, &rq, &p, reterr);
        if (k == 0) {
                if (p.status == 201)
                        k = 0;
                else if (p.status == 202) {
                        k = 1; /* an upload session was started instead: cancel it */
                        if (p.location) {
                                const char *loc = p.location;
                                _cleanup_free_ char *u = ocx_startswith(loc, "http")
                                                             ? ocx_xstrdup(loc)
                                                             : ocx_xasprintf("%s%s", r->base, loc);
                                req del = {.method = "DELETE",
                                           .url = u,
                                           .scope = scope,
                                           .upload_fd = -1,
                                           .out_fd = -1,
                                           .cap = ERR_BODY_CAP};
                                resp dp;
                                resp_release(&p);
                                if (do_request(r, &del, &dp, NULL) == 0) resp_release(&dp);
                        }
                } else
                        k = status_error(r, &rq, &p, "blob mount", reterr);
        }
        resp_release(&p);
        return k;
}

int img_registry_push_blob(img_registry *r, const char *repo, const char *digest, const char *path, const void *data,
                           size_t len, ocx_error **reterr) {
        if (!img_digest_valid(digest)) return ocx_error_set(reterr, EINVAL, NULL, "invalid digest '%s'", digest);
        int k = img_registry_blob_exists(r, repo, digest, NULL, reterr);
        if (k == 0) return 0;
        if (k != -ENOENT) return k;
        _cleanup_close_ int fd = -1;
        int64_t size = (int64_t)len;
        if (path) {
                fd = open(path, O_RDONLY | O_CLOEXEC);
                struct stat st;
                if (fd < 0 || fstat(fd, &st) < 0)
                        return ocx_error_set(reterr, errno, NULL, "cannot open '%s': %s", path, strerror(errno));
                size = st.st_size;
        }
        _cleanup_free_ char *url = ocx_xasprintf("%s/v2/%s/blobs/uploads/", r->base, repo);
        _cleanup_free_ char *scope = scope_of(repo, "pull,push");
        req rq = {.method = "POST", .url = url, .scope = scope, .upload_fd = -1, .out_fd = -1, .cap = ERR_BODY_CAP};
        resp p;
        k = do_request(r, &rq, &p, reterr);
        if (k == 0 && (p.status != 202 || !p.location)) k = status_error(r, &rq, &p, "blob upload", reterr);
        _cleanup_free_ char *put = k == 0 && p.location ? upload_url(r, p.location, digest) : NULL;
        resp_release(&p);
        if (k < 0) return k;
        req pr = {.method = "PUT",
                  .url = put,
                  .scope = scope,
                  .extra = {"Content-Type: application/octet-stream"},
                  .body = data,
                  .body_len = len,
                  .upload_fd = fd,
                  .upload_size = size,
                  .out_fd = -1,
                  .cap = ERR_BODY_CAP};
        k = do_request(r, &pr, &p, reterr);
        if (k == 0 && p.status != 201) k = status_error(r, &pr, &p, "blob upload", reterr);
        resp_release(&p);
        return k;
}

int img_registry_tags(img_registry *r, const char *repo, char ***ret_tags, size_t *ret_n, ocx_error **reterr) {
        _cleanup_free_ char *scope = scope_of(repo, "pull");
        char *url = ocx_xasprintf("%s/v2/%s/tags/list", r->base, repo);
        char **tags = ocx_xcalloc(1, sizeof(char *));
        size_t n = 0;
        int k = 0;
        for (int page = 0; url && page < 1000; page++) {
                req rq = {.method = "GET", .url = url, .scope = scope, .upload_fd = -1, .out_fd = -1, .cap = 16u << 20};
                resp p;
                k = do_request(r, &rq, &p, reterr);
                if (k == 0 && p.status != 200) k = status_error(r, &rq, &p, "tags", reterr);
                _cleanup_json_ cJSON *j = NULL;
                if (k == 0) k = ocx_json_parse(p.body.data ? p.body.data : "", p.body.len, &j, reterr);
                free(url);
                url = NULL;
                if (k == 0) {
                        const cJSON *arr = ocx_json_get(j, "tags"), *it;
                        cJSON_ArrayForEach(it, arr) {
                                if (!cJSON_IsString(it)) continue;
                                tags = ocx_xrealloc(tags, (n + 2) * sizeof(char *));
                                tags[n++] = ocx_xstrdup(it->valuestring);
                                tags[n] = NULL;
                        }
                        /* Link: </v2/...?last=x&n=y>; rel="next" */
                        if (p.link && strstr(p.link, "rel=\"next\"") && p.link[0] == '<') {
                                size_t e = strcspn(p.link + 1, ">");
                                _cleanup_free_ char *next = ocx_xstrndup(p.link + 1, e);
                                url = ocx_startswith(next, "http") ? TAKE_PTR(next)
                                                                   : ocx_xasprintf("%s%s", r->base, next);
                        }
                }
                resp_release(&p);
                if (k < 0) break;
        }
        free(url);
        if (k < 0) {
                for (size_t i = 0; i < n; i++) free(tags[i]);
                free(tags);
                return k;
        }
        *ret_tags = tags;
        if (ret_n) *ret_n = n;
        return 0;
}
