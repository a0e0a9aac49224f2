/* HTTP client: requests against an in-process one-shot server (headers,
 * bodies, no redirect following, keep-alive), connection refused text,
 * Status → errno mapping, line streaming. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/socket.h>
#include "ocx/http.h"

typedef struct server {
        int lfd;
        int port;
        const char *responses[4]; /* one per request, all on the same connection when keep-alive */
        char request[8192];
        int accepted;
} server;

static void *serve(void *arg) {
        server *s = arg;
        int c = -1;
        for (int i = 0; i < 4 && s->responses[i]; i++) {
                if (c < 0) {
                        c = accept(s->lfd, NULL, NULL);
                        if (c < 0) return NULL;
                        s->accepted++;
                }
                char buf[8192];
                size_t got = 0;
                while (got < sizeof(buf) - 1) {
                        ssize_t k = read(c, buf + got, sizeof(buf) - 1 - got);
                        if (k <= 0) break;
                        got += (size_t)k;
                        buf[got] = 0;
                        char *end = strstr(buf, "\r\n\r\n");
                        if (!end) continue;
                        const char *cl = strcasestr(buf, "Content-Length:");
                        size_t need = (size_t)(end + 4 - buf) + (cl ? strtoul(cl + 15, NULL, 10) : 0);
                        if (got >= need) break;
                }
                memcpy(s->request, buf, got + 1);
                (void)!write(c, s->responses[i], strlen(s->responses[i]));
                if (strstr(s->responses[i], "Connection: close")) {
                        close(c);
                        c = -1;
                }
        }
        if (c >= 0) close(c);
        return NULL;
}

static void start(server *s, pthread_t *t) {
        s->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        assert_int_equal(bind(s->lfd, (struct sockaddr *)&a, sizeof(a)), 0);
        socklen_t l = sizeof(a);
        getsockname(s->lfd, (struct sockaddr *)&a, &l);
        s->port = ntohs(a.sin_port);
        listen(s->lfd, 4);
        pthread_create(t, NULL, serve, s);
}

static ocx_http *client(int port, const char *token) {
        char url[64];
        snprintf(url, sizeof(url), "http://127.0.0.1:%d/", port);
        ocx_http_config cfg = {.server = url, .token = (char *)token, .timeout_ms = 5000};
        ocx_http *h = NULL;
        assert_int_equal(ocx_http_new(&cfg, &h, NULL), 0);
        return h;
}

static void request_and_keepalive(void **state) {
        (void)state;
        server s = {.responses = {
                            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nWarning: 299 - \"deprecated\"\r\n"
                            "Content-Length: 7\r\n\r\n{\"a\":1}",
                            "HTTP/1.1 302 Found\r\nLocation: https://x/cb#access_token=t\r\nContent-Length: 0\r\n"
                            "Connection: close\r\n\r\n",
                    }};
        pthread_t t;
        start(&s, &t);
        ocx_http *h = client(s.port, "secret");
        ocx_http_response r;
        assert_int_equal(ocx_http_request(h, "POST", "/api/v1/x", "application/json", "{}", 2, NULL, &r, NULL), 0);
        assert_int_equal(r.status, 200);
        assert_string_equal(r.body, "{\"a\":1}");
        assert_string_equal(r.content_type, "application/json");
        assert_string_equal(r.warning, "299 - \"deprecated\"");
        assert_non_null(strstr(s.request, "POST /api/v1/x HTTP/1.1"));
        assert_non_null(strstr(s.request, "Authorization: Bearer secret"));
        ocx_http_response_release(&r);
        const char *hdrs[] = {"X-CSRF-Token: 1", NULL};
        assert_int_equal(ocx_http_request(h, "GET", "/oauth/authorize", NULL, NULL, 0, hdrs, &r, NULL), 0);
        assert_int_equal(r.status, 302); /* not followed */
        assert_string_equal(r.location, "https://x/cb#access_token=t");
        assert_non_null(strstr(s.request, "X-CSRF-Token: 1"));
        ocx_http_response_release(&r);
        pthread_join(t, NULL);
        assert_int_equal(s.accepted, 1); /* both requests on one connection */
        close(s.lfd);
        ocx_http_free(h);
}

static int count_lines(const char *line, size_t len, void *ud) {
        int *n = ud;
        assert_true(len > 0 && line[len] == 0);
        (*n)++;
        return 0;
}

static void stream_lines(void **state) {
        (void)state;
        server s = {.responses = {"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n"
                                  "{\"type\":\"ADDED\"}\n{\"type\":\"MODIFIED\"}\r\n\n{\"type\":\"DELETED\"}"}};
        pthread_t t;
        start(&s, &t);
        ocx_http *h = client(s.port, NULL);
        int n = 0;
        long status = 0;
        assert_int_equal(ocx_http_stream(h, "/api/v1/pods?watch=1", count_lines, &n, &status, NULL), 0);
        assert_int_equal(status, 200);
        assert_int_equal(n, 3);
        pthread_join(t, NULL);
        close(s.lfd);
        ocx_http_free(h);
}

static void connection_refused(void **state) {
        (void)state;
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        bind(fd, (struct sockaddr *)&a, sizeof(a));
        socklen_t l = sizeof(a);
        getsockname(fd, (struct sockaddr *)&a, &l);
        int port = ntohs(a.sin_port);
        close(fd); /* bound then closed: nothing listens */
        ocx_http *h = client(port, NULL);
        ocx_http_response r;
        ocx_error *e = NULL;
        assert_int_equal(ocx_http_request(h, "GET", "/", NULL, NULL, 0, NULL, &r, &e), -ECONNREFUSED);
        char want[160];
        snprintf(want, sizeof(want),
                 "The connection to the server 127.0.0.1:%d was refused - did you specify the right host or port?", port);
        assert_string_equal(e->message, want);
        ocx_error_free(e);
        ocx_http_free(h);
}

static void status_mapping(void **state) {
        (void)state;
        const struct {
                long status;
                const char *body;
                int code;
                const char *msg;
        } cases[] = {
                {404, "{\"kind\":\"Status\",\"reason\":\"NotFound\",\"message\":\"pods \\\"x\\\" not found\"}", ENOENT,
                 "pods \"x\" not found"},
                {409, "{\"kind\":\"Status\",\"reason\":\"AlreadyExists\",\"message\":\"m\"}", EEXIST, "m"},
                {409, "{\"kind\":\"Status\",\"reason\":\"Conflict\",\"message\":\"m\"}", ESTALE, "m"},
                {403, "{\"kind\":\"Status\",\"reason\":\"Forbidden\",\"message\":\"no\"}", EACCES, "no"},
                {401, "{\"kind\":\"Status\",\"reason\":\"Unauthorized\",\"message\":\"Unauthorized\"}", EPERM, "Unauthorized"},
                {422, "{\"kind\":\"Status\",\"reason\":\"Invalid\",\"message\":\"bad\"}", EINVAL, "bad"},
                {413, "", E2BIG, "the server responded with HTTP status 413"},
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                ocx_http_response r = {.status = cases[i].status, .body = (char *)cases[i].body,
                                       .body_len = strlen(cases[i].body)};
                ocx_error *e = NULL;
                assert_int_equal(ocx_http_status_error(&r, &e), -cases[i].code);
                assert_string_equal(e->message, cases[i].msg);
                ocx_error_free(e);
        }
        ocx_http_response ok = {.status = 201, .body = (char *)""};
        assert_int_equal(ocx_http_status_error(&ok, NULL), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(request_and_keepalive),
                cmocka_unit_test(stream_lines),
                cmocka_unit_test(connection_refused),
                cmocka_unit_test(status_mapping),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
