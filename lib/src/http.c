/* ocx — HTTP client over libcurl (see ocx/http.h). One easy handle per
 * ocx_http, so connections are kept alive between requests. Redirects are
 * never followed: callers (OAuth) inspect every 3xx themselves. */
#include <stdatomic.h>
#include "ocx/http.h"
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <strings.h>
#include "ocx/json.h"
#include "ocx/banned.h"

#define HTTP_BODY_CAP ((size_t)64 << 20)

struct ocx_http {
        CURL *curl;
        const atomic_bool *abort; /* set by the owner: every transfer ends within about a second */
        ocx_http_config cfg;
        char *hostport;
        char errbuf[CURL_ERROR_SIZE];
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_init_once(void) { curl_global_init(CURL_GLOBAL_DEFAULT); }

void ocx_http_config_release(ocx_http_config *c) {
        if (!c) return;
        free(c->server);
        free(c->ca_pem);
        free(c->ca_file);
        free(c->cert_pem);
        free(c->key_pem);
        free(c->cert_file);
        free(c->key_file);
        if (c->token) explicit_bzero(c->token, strlen(c->token));
        free(c->token);
        memset(c, 0, sizeof(*c));
}

static char *dup_or_null(const char *s) { return s ? ocx_xstrdup(s) : NULL; }

/* "https://h:p/x" -> "h:p"; the port defaults from the scheme. */
static char *host_port_of(const char *server) {
        const char *p = strstr(server, "://");
        bool https = !ocx_startswith(server, "http://");
        p = p ? p + 3 : server;
        size_t n = strcspn(p, "/?#");
        char *hp = ocx_xstrndup(p, n);
        const char *colon = hp[0] == '[' ? strstr(hp, "]:") : strrchr(hp, ':');
        if (!colon) {
                char *r = ocx_xasprintf("%s:%s", hp, https ? "443" : "80");
                free(hp);
                return r;
        }
        return hp;
}

int ocx_http_new(const ocx_http_config *cfg, ocx_http **ret, ocx_error **reterr) {
        if (!cfg || !cfg->server || !*cfg->server)
                return ocx_error_set(reterr, EINVAL, NULL, "no server URL configured");
        pthread_once(&curl_once, curl_init_once);
        ocx_http *h = ocx_xcalloc(1, sizeof(*h));
        h->curl = curl_easy_init();
        if (!h->curl) {
                free(h);
                return ocx_error_set(reterr, ENOMEM, NULL, "cannot create an HTTP handle");
        }
        size_t sl = strlen(cfg->server);
        while (sl > 0 && cfg->server[sl - 1] == '/') sl--;
        h->cfg.server = ocx_xstrndup(cfg->server, sl);
        h->cfg.ca_pem = dup_or_null(cfg->ca_pem);
        h->cfg.ca_file = dup_or_null(cfg->ca_file);
        h->cfg.cert_pem = dup_or_null(cfg->cert_pem);
        h->cfg.key_pem = dup_or_null(cfg->key_pem);
        h->cfg.cert_file = dup_or_null(cfg->cert_file);
        h->cfg.key_file = dup_or_null(cfg->key_file);
        h->cfg.token = dup_or_null(cfg->token);
        h->cfg.insecure = cfg->insecure;
        h->cfg.timeout_ms = cfg->timeout_ms;
        h->hostport = host_port_of(h->cfg.server);
        *ret = h;
        return 0;
}

ocx_http *ocx_http_free(ocx_http *h) {
        if (!h) return NULL;
        if (h->curl) curl_easy_cleanup(h->curl);
        ocx_http_config_release(&h->cfg);
        free(h->hostport);
        free(h);
        return NULL;
}

void ocx_http_response_release(ocx_http_response *r) {
        if (!r) return;
        free(r->body);
        free(r->content_type);
        free(r->location);
        free(r->warning);
        memset(r, 0, sizeof(*r));
}

static void set_blob(CURL *c, CURLoption opt, const char *pem) {
        struct curl_blob blob = {.data = (void *)pem, .len = strlen(pem), .flags = CURL_BLOB_COPY};
        curl_easy_setopt(c, opt, &blob);
}

/* Options shared by every request; curl_easy_reset keeps the connection cache. */
void ocx_http_set_abort(ocx_http *h, const atomic_bool *flag) { h->abort = flag; }

/* libcurl calls this at least once a second, data or not */
static int on_progress(void *ud, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un) {
        (void)dt, (void)dn, (void)ut, (void)un;
        const ocx_http *h = ud;
        return h->abort && atomic_load(h->abort) ? 1 : 0;
}

static void apply_common(ocx_http *h, long timeout_ms) {
        CURL *c = h->curl;
        curl_easy_reset(c);
        h->errbuf[0] = 0;
        curl_easy_setopt(c, CURLOPT_ERRORBUFFER, h->errbuf);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
        curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
        curl_easy_setopt(c, CURLOPT_USERAGENT, "ocx/0.1 (linux/amd64) kubernetes/v1.27.0");
        curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
        if (h->abort) {
                curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
                curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
                curl_easy_setopt(c, CURLOPT_XFERINFODATA, h);
        }
        if (timeout_ms > 0) curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
        if (h->cfg.insecure) {
                curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
                curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
        } else if (h->cfg.ca_pem) {
                set_blob(c, CURLOPT_CAINFO_BLOB, h->cfg.ca_pem);
        } else if (h->cfg.ca_file) {
                curl_easy_setopt(c, CURLOPT_CAINFO, h->cfg.ca_file);
        }
        if (h->cfg.cert_pem) {
                set_blob(c, CURLOPT_SSLCERT_BLOB, h->cfg.cert_pem);
                curl_easy_setopt(c, CURLOPT_SSLCERTTYPE, "PEM");
        } else if (h->cfg.cert_file) {
                curl_easy_setopt(c, CURLOPT_SSLCERT, h->cfg.cert_file);
        }
        if (h->cfg.key_pem) {
                set_blob(c, CURLOPT_SSLKEY_BLOB, h->cfg.key_pem);
                curl_easy_setopt(c, CURLOPT_SSLKEYTYPE, "PEM");
        } else if (h->cfg.key_file) {
                curl_easy_setopt(c, CURLOPT_SSLKEY, h->cfg.key_file);
        }
}

static char *make_url(ocx_http *h, const char *path) {
        if (strstr(path, "://")) return ocx_xstrdup(path);
        return ocx_xasprintf("%s%s", h->cfg.server, path);
}

static struct curl_slist *make_headers(ocx_http *h, const char *content_type,
                                       const char *const *extra) {
        struct curl_slist *l = NULL;
        bool have_accept = false, have_auth = false;
        for (size_t i = 0; extra && extra[i]; i++) {
                if (strncasecmp(extra[i], "Accept:", 7) == 0) have_accept = true;
                if (strncasecmp(extra[i], "Authorization:", 14) == 0) have_auth = true;
                l = curl_slist_append(l, extra[i]);
        }
        if (!have_accept) l = curl_slist_append(l, "Accept: application/json, */*");
        if (content_type) {
                _cleanup_free_ char *ct = ocx_xasprintf("Content-Type: %s", content_type);
                l = curl_slist_append(l, ct);
        }
        if (h->cfg.token && *h->cfg.token && !have_auth) {
                _cleanup_free_ char *a = ocx_xasprintf("Authorization: Bearer %s", h->cfg.token);
                l = curl_slist_append(l, a);
                explicit_bzero(a, strlen(a));
        }
        l = curl_slist_append(l, "Expect:");
        return l;
}

typedef struct resp_ctx {
        ocx_buf body;
        ocx_http_response *resp;
} resp_ctx;

static char *trim_header_value(const char *v, size_t n) {
        while (n > 0 && (*v == ' ' || *v == '\t')) v++, n--;
        while (n > 0 && (v[n - 1] == '\r' || v[n - 1] == '\n' || v[n - 1] == ' ')) n--;
        return ocx_xstrndup(v, n);
}

static void take_header(ocx_http_response *r, const char *line, size_t n) {
        static const struct {
                const char *name;
                size_t off;
        } wanted[] = {
                {"content-type:", offsetof(ocx_http_response, content_type)},
                {"location:", offsetof(ocx_http_response, location)},
                {"warning:", offsetof(ocx_http_response, warning)},
        };
        if (n >= 5 && strncmp(line, "HTTP/", 5) == 0) { /* a new response (e.g. after 100) */
                free(r->content_type), r->content_type = NULL;
                free(r->location), r->location = NULL;
                free(r->warning), r->warning = NULL;
                return;
        }
        for (size_t i = 0; i < OCX_ARRAY_SIZE(wanted); i++) {
                size_t wl = strlen(wanted[i].name);
                if (n < wl || strncasecmp(line, wanted[i].name, wl) != 0) continue;
                char **slot = (char **)((char *)r + wanted[i].off);
                char *v = trim_header_value(line + wl, n - wl);
                if (*slot && i == 2) { /* several Warning headers: join */
                        char *j = ocx_xasprintf("%s\n%s", *slot, v);
                        free(v);
                        v = j;
                }
                free(*slot);
                *slot = v;
        }
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *ud) {
        resp_ctx *c = ud;
        take_header(c->resp, data, size * nmemb);
        return size * nmemb;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *ud) {
        resp_ctx *c = ud;
        if (ocx_buf_append(&c->body, data, size * nmemb) < 0) return 0;
        return size * nmemb;
}

static int transport_error(ocx_http *h, CURLcode rc, ocx_error **reterr) {
        if (rc == CURLE_COULDNT_CONNECT)
                return ocx_error_set(reterr, ECONNREFUSED, NULL,
                                     "The connection to the server %s was refused - did you "
                                     "specify the right host or port?",
                                     h->hostport);
        const char *why = h->errbuf[0] ? h->errbuf : curl_easy_strerror(rc);
        return ocx_error_set(reterr, EIO, NULL, "Unable to connect to the server: %s", why);
}

static void set_method(CURL *c, const char *method, const char *body, size_t body_len) {
        if (strcmp(method, "GET") == 0 && !body) {
                curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
                return;
        }
        if (strcmp(method, "HEAD") == 0) {
                curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
                return;
        }
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(body ? body_len : 0));
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body ? body : "");
        if (strcmp(method, "POST") != 0) curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
}

int ocx_http_request(ocx_http *h, const char *method, const char *path, const char *content_type,
                     const char *body, size_t body_len, const char *const *extra_headers,
                     ocx_http_response *ret, ocx_error **reterr) {
        memset(ret, 0, sizeof(*ret));
        apply_common(h, h->cfg.timeout_ms);
        _cleanup_free_ char *url = make_url(h, path);
        struct curl_slist *hdrs = make_headers(h, content_type, extra_headers);
        resp_ctx ctx = {.resp = ret};
        ocx_buf_init(&ctx.body, HTTP_BODY_CAP);
        CURL *c = h->curl;
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
        curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
        curl_easy_setopt(c, CURLOPT_HEADERDATA, &ctx);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &ctx);
        set_method(c, method, body, body_len);
        CURLcode rc = curl_easy_perform(c);
        curl_slist_free_all(hdrs);
        if (rc != CURLE_OK) {
                bool too_big = rc == CURLE_WRITE_ERROR && ctx.body.len > 0;
                ocx_buf_release(&ctx.body);
                ocx_http_response_release(ret);
                if (too_big)
                        return ocx_error_set(reterr, E2BIG, NULL,
                                             "response body larger than 64 MiB from %s", path);
                return transport_error(h, rc, reterr);
        }
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &ret->status);
        ret->body = ocx_buf_detach(&ctx.body, &ret->body_len);
        return 0;
}

typedef struct stream_ctx {
        ocx_buf line;
        ocx_buf errbody;
        ocx_http_line_fn fn;
        void *ud;
        CURL *curl;
        int stopped;
        ocx_http_response hdr;
} stream_ctx;

static size_t on_stream_header(char *data, size_t size, size_t nmemb, void *ud) {
        stream_ctx *s = ud;
        take_header(&s->hdr, data, size * nmemb);
        return size * nmemb;
}

static size_t on_stream(char *data, size_t size, size_t nmemb, void *ud) {
        stream_ctx *s = ud;
        size_t n = size * nmemb;
        long status = 0;
        curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &status);
        if (status < 200 || status > 299) return ocx_buf_append(&s->errbody, data, n) < 0 ? 0 : n;
        for (size_t i = 0; i < n; i++) {
                if (data[i] != '\n') {
                        if (ocx_buf_append(&s->line, data + i, 1) < 0) return 0;
                        continue;
                }
                size_t len = s->line.len;
                while (len > 0 && s->line.data[len - 1] == '\r') len--;
                if (len > 0) {
                        s->line.data[len] = 0;
                        if (s->fn(s->line.data, len, s->ud) != 0) {
                                s->stopped = 1;
                                return 0;
                        }
                }
                ocx_buf_reset(&s->line);
        }
        return n;
}

int ocx_http_stream(ocx_http *h, const char *path, ocx_http_line_fn on_line, void *userdata,
                    long *ret_status, ocx_error **reterr) {
        apply_common(h, 0);
        _cleanup_free_ char *url = make_url(h, path);
        struct curl_slist *hdrs = make_headers(h, NULL, NULL);
        stream_ctx s = {.fn = on_line, .ud = userdata, .curl = h->curl};
        ocx_buf_init(&s.line, 16 << 20);
        ocx_buf_init(&s.errbody, 1 << 20);
        CURL *c = h->curl;
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
        curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
        curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_stream_header);
        curl_easy_setopt(c, CURLOPT_HEADERDATA, &s);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_stream);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
        CURLcode rc = curl_easy_perform(c);
        curl_slist_free_all(hdrs);
        long status = 0;
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        if (ret_status) *ret_status = status;
        int r = 0;
        if (s.stopped) {
                r = 0;
        } else if (rc != CURLE_OK && status == 0) {
                r = transport_error(h, rc, reterr);
        } else if (status < 200 || status > 299) {
                ocx_http_response resp = {.status = status, .body = s.errbody.data ? s.errbody.data : (char *)"",
                                          .body_len = s.errbody.len};
                r = ocx_http_status_error(&resp, reterr);
        } else if (rc != CURLE_OK) {
                r = transport_error(h, rc, reterr);
        } else if (s.line.len > 0) { /* last line without newline */
                (void)on_line(s.line.data, s.line.len, userdata);
        }
        ocx_buf_release(&s.line);
        ocx_buf_release(&s.errbody);
        ocx_http_response_release(&s.hdr);
        return r;
}

static int errno_for_status(long status, const char *reason) {
        switch (status) {
        case 400: return EINVAL;
        case 401: return EPERM;
        case 403: return EACCES;
        case 404: return ENOENT;
        case 405: return EOPNOTSUPP;
        case 409: return ocx_streq(reason, "Conflict") ? ESTALE : EEXIST;
        case 410: return ESTALE;
        case 413: return E2BIG;
        case 422: return EINVAL;
        case 429: return EBUSY;
        case 503: return EAGAIN;
        case 504: return ETIMEDOUT;
        default: return EIO;
        }
}

int ocx_http_status_error(const ocx_http_response *r, ocx_error **reterr) {
        if (r->status >= 200 && r->status <= 299) return 0;
        _cleanup_json_ cJSON *j = NULL;
        const char *msg = NULL, *reason = NULL;
        if (r->body && r->body_len > 0 && ocx_json_parse(r->body, r->body_len, &j, NULL) >= 0 &&
            ocx_streq(ocx_json_get_str(j, "kind"), "Status")) {
                msg = ocx_json_get_str(j, "message");
                reason = ocx_json_get_str(j, "reason");
        }
        int code = errno_for_status(r->status, reason);
        if (msg && *msg) return ocx_error_set(reterr, code, NULL, "%s", msg);
        if (r->body && r->body_len > 0 && r->body_len < 1024 && !j)
                return ocx_error_set(reterr, code, NULL, "%s", r->body);
        return ocx_error_set(reterr, code, NULL, "the server responded with HTTP status %ld",
                             r->status);
}
