/* ocx login / ocx logout (spec 2.2, 3.1, 3.3, 5.1, 5.2). */
#include <stdio.h>
#include <termios.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include "cli/client.h"
#include "cli/cluster.h"
#include "cli/cmds.h"
#include "ocx/encoding.h"
#include "ocx/json.h"
#include "ocx/names.h"
#include "ocx/banned.h"

#define CLIENT_ID "openshift-challenging-client"
#define LOGIN_TIMEOUT_MS 30000L
#define MAX_REDIRECTS 5

/* ---- small helpers ------------------------------------------------------------- */

static char *sha256_b64url(const char *s) {
        unsigned char d[32];
        if (gnutls_hash_fast(GNUTLS_DIG_SHA256, s, strlen(s), d) < 0) return NULL;
        return ocx_base64_encode(d, sizeof(d), OCX_B64_URL | OCX_B64_NOPAD);
}

/* "api.example.com" -> "https://api.example.com:443"; trailing '/' dropped. */
static char *normalize_server(const char *in) {
        _cleanup_free_ char *s = strstr(in, "://") ? ocx_xstrdup(in) : ocx_xasprintf("https://%s", in);
        size_t n = strlen(s);
        while (n > 0 && s[n - 1] == '/') s[--n] = 0;
        const char *hp = strstr(s, "://") + 3;
        size_t hl = strcspn(hp, "/?#");
        const char *close_br = memchr(hp, ']', hl);
        const char *colon = memchr(close_br ? close_br : hp, ':', hl - (size_t)((close_br ? close_br : hp) - hp));
        if (colon) return TAKE_PTR(s);
        bool http = ocx_startswith(s, "http://");
        return ocx_xasprintf("%.*s:%s%s", (int)(hp - s + (ptrdiff_t)hl), s, http ? "80" : "443", hp + hl);
}

static bool same_server(const char *a, const char *b) {
        if (!a || !b) return false;
        _cleanup_free_ char *x = normalize_server(a), *y = normalize_server(b);
        return strcmp(x, y) == 0;
}

static char *prompt(const char *label, bool echo) {
        fputs(label, stdout);
        fflush(stdout);
        struct termios old, raw;
        bool tty = !echo && tcgetattr(0, &old) == 0;
        if (tty) {
                raw = old;
                raw.c_lflag &= ~(tcflag_t)ECHO;
                tcsetattr(0, TCSAFLUSH, &raw);
        }
        char buf[1024];
        char *r = fgets(buf, sizeof(buf), stdin);
        if (tty) {
                tcsetattr(0, TCSAFLUSH, &old);
                fputs("\n", stdout);
        }
        if (!r) return ocx_xstrdup("");
        buf[strcspn(buf, "\r\n")] = 0;
        char *v = ocx_xstrdup(buf);
        explicit_bzero(buf, sizeof(buf));
        return v;
}

static const cJSON *find_named(const cJSON *list, const char *name) {
        const cJSON *e;
        cJSON_ArrayForEach(e, list) if (ocx_streq(ocx_json_get_str(e, "name"), name)) return e;
        return NULL;
}

static int hexval(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
}

/* the value of key in a query string or fragment */
static char *param(const char *s, const char *key) {
        size_t kl = strlen(key);
        for (const char *p = s; p && *p;) {
                if (strncmp(p, key, kl) == 0 && p[kl] == '=') {
                        const char *v = p + kl + 1;
                        ocx_buf b = OCX_BUF_INIT;
                        for (; *v && *v != '&' && *v != '#'; v++) {
                                int hi = *v == '%' ? hexval(v[1]) : -1, lo = hi >= 0 ? hexval(v[2]) : -1;
                                if (hi >= 0 && lo >= 0) {
                                        char c = (char)(hi * 16 + lo);
                                        ocx_buf_append(&b, &c, 1);
                                        v += 2;
                                } else {
                                        ocx_buf_append(&b, *v == '+' ? " " : v, 1);
                                }
                        }
                        if (!b.data) ocx_buf_append(&b, "", 0);
                        return ocx_buf_detach(&b, NULL);
                }
                p = strpbrk(p, "?&#");
                if (p) p++;
        }
        return NULL;
}

/* ---- OAuth (spec 3.1) --------------------------------------------------------------- */

typedef enum { OAUTH_OK, OAUTH_UNAUTHORIZED, OAUTH_FAILED } oauth_result;

static oauth_result oauth_token(ocx_http *h, const char *server, const char *user, const char *pass, char **ret_token,
                                ocx_error **reterr) {
        _cleanup_free_ char *authz_ep = NULL, *token_ep = NULL, *issuer = NULL;
        bool pkce = false;
        ocx_http_response r;
        if (ocx_http_request(h, "GET", "/.well-known/oauth-authorization-server", NULL, NULL, 0, NULL, &r, reterr) < 0)
                return OAUTH_FAILED;
        _cleanup_json_ cJSON *disc = NULL;
        if (r.status == 200 && ocx_json_parse(r.body, r.body_len, &disc, NULL) == 0) {
                const char *a = ocx_json_get_str(disc, "authorization_endpoint"),
                           *t = ocx_json_get_str(disc, "token_endpoint");
                const char *i = ocx_json_get_str(disc, "issuer");
                if (a) authz_ep = ocx_xstrdup(a);
                if (t) token_ep = ocx_xstrdup(t);
                if (i) issuer = ocx_xstrdup(i);
                const cJSON *m;
                cJSON_ArrayForEach(
                    m, ocx_json_get(disc, "code_challenge_methods_supported")) if (cJSON_IsString(m) &&
                                                                                   ocx_streq(m->valuestring, "S256"))
                    pkce = true;
        }
        ocx_http_response_release(&r);
        if (!issuer) issuer = ocx_xstrdup(server);
        if (!authz_ep) authz_ep = ocx_xasprintf("%s/oauth/authorize", issuer);
        bool code_flow = token_ep != NULL;
        _cleanup_free_ char *redirect = ocx_xasprintf("%s/oauth/token/implicit", issuer);
        _cleanup_free_ char *redirect_enc = ocx_urlencode(redirect);
        unsigned char raw[32];
        ocx_random_bytes(raw, sizeof(raw));
        _cleanup_free_ char *verifier = ocx_base64_encode(raw, sizeof(raw), OCX_B64_URL | OCX_B64_NOPAD);
        _cleanup_free_ char *challenge = sha256_b64url(verifier);
        _cleanup_free_ char *url =
            ocx_xasprintf("%s?response_type=%s&client_id=" CLIENT_ID "&redirect_uri=%s%s%s%s", authz_ep,
                          code_flow ? "code" : "token", redirect_enc, code_flow && pkce ? "&code_challenge=" : "",
                          code_flow && pkce ? challenge : "", code_flow && pkce ? "&code_challenge_method=S256" : "");
        _cleanup_free_ char *up = ocx_xasprintf("%s:%s", user, pass);
        _cleanup_free_ char *b64 = ocx_base64_encode(up, strlen(up), 0);
        explicit_bzero(up, strlen(up));
        _cleanup_free_ char *basic = ocx_xasprintf("Authorization: Basic %s", b64);
        explicit_bzero(b64, strlen(b64));
        const char *challenge_hdrs[] = {"X-CSRF-Token: 1", NULL};
        const char *cred_hdrs[] = {"X-CSRF-Token: 1", basic, NULL};
        bool sent_creds = false;
        _cleanup_free_ char *location = NULL;
        for (int hop = 0; hop < MAX_REDIRECTS + 2; hop++) {
                if (ocx_http_request(h, "GET", url, NULL, NULL, 0, sent_creds ? cred_hdrs : challenge_hdrs, &r,
                                     reterr) < 0) {
                        explicit_bzero(basic, strlen(basic));
                        return OAUTH_FAILED;
                }
                long st = r.status;
                char *loc = r.location ? ocx_xstrdup(r.location) : NULL;
                ocx_http_response_release(&r);
                if (st == 401) {
                        free(loc);
                        if (sent_creds) {
                                explicit_bzero(basic, strlen(basic));
                                return OAUTH_UNAUTHORIZED;
                        }
                        sent_creds = true;
                        continue;
                }
                if (st == 302 && loc) {
                        _cleanup_free_ char *err = param(loc, "error");
                        if (err) {
                                _cleanup_free_ char *desc = param(loc, "error_description");
                                free(loc);
                                explicit_bzero(basic, strlen(basic));
                                return ocx_error_set(reterr, EPERM, NULL, "%s %s", err, desc ? desc : ""), OAUTH_FAILED;
                        }
                        if (strstr(loc, "code=") || strstr(loc, "access_token=")) {
                                location = loc;
                                break;
                        }
                        free(url);
                        url = loc; /* follow, loop-protected */
                        continue;
                }
                free(loc);
                explicit_bzero(basic, strlen(basic));
                ocx_error_set(reterr, EIO, NULL, "unexpected response from the OAuth server: %ld", st);
                return OAUTH_FAILED;
        }
        explicit_bzero(basic, strlen(basic));
        if (!location)
                return ocx_error_set(reterr, EIO, NULL, "too many redirects from the OAuth server"), OAUTH_FAILED;
        char *tok = param(location, "access_token");
        _cleanup_free_ char *code = param(location, "code");
        explicit_bzero(location, strlen(location));
        if (tok) {
                *ret_token = tok;
                return OAUTH_OK;
        }
        _cleanup_free_ char *form =
            ocx_xasprintf("grant_type=authorization_code&code=%s&redirect_uri=%s&code_verifier=%s", code ? code : "",
                          redirect_enc, verifier);
        _cleanup_free_ char *cb = ocx_base64_encode(CLIENT_ID ":", strlen(CLIENT_ID ":"), 0);
        _cleanup_free_ char *client_auth = ocx_xasprintf("Authorization: Basic %s", cb);
        const char *th[] = {client_auth, NULL};
        int rc = ocx_http_request(h, "POST", token_ep, "application/x-www-form-urlencoded", form, strlen(form), th, &r,
                                  reterr);
        explicit_bzero(form, strlen(form));
        if (rc < 0) return OAUTH_FAILED;
        _cleanup_json_ cJSON *j = NULL;
        const char *at = NULL;
        if (r.status == 200 && ocx_json_parse(r.body, r.body_len, &j, NULL) == 0)
                at = ocx_json_get_str(j, "access_token");
        if (!at) {
                _cleanup_json_ cJSON *ej = NULL;
                const char *e = NULL, *d = NULL;
                if (ocx_json_parse(r.body, r.body_len, &ej, NULL) == 0) {
                        e = ocx_json_get_str(ej, "error");
                        d = ocx_json_get_str(ej, "error_description");
                }
                ocx_error_set(reterr, EPERM, NULL, "%s %s", e ? e : "server_error",
                              d ? d : "no access token in the response");
                ocx_http_response_release(&r);
                return OAUTH_FAILED;
        }
        *ret_token = ocx_xstrdup(at);
        if (r.body) explicit_bzero(r.body, r.body_len);
        ocx_http_response_release(&r);
        return OAUTH_OK;
}

/* ---- project selection (spec 5.1) ----------------------------------------------------- */

static int cmp_str(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

/* Prints the project summary and returns the namespace to use (or NULL). */
static char *select_project(cli_session *s, const char *wanted) {
        _cleanup_json_ cJSON *list = NULL;
        _cleanup_error_ ocx_error *e = NULL;
        if (cli_request_json(s, "GET", "/apis/project.openshift.io/v1/projects", NULL, NULL, &list, &e) < 0) {
                printf(
                    "Using \"default\" namespace.  You can switch namespaces with:\n\n    ocx project <projectname>\n");
                return ocx_xstrdup("default");
        }
        const cJSON *items = ocx_json_get(list, "items");
        size_t n = (size_t)cJSON_GetArraySize(items);
        if (n == 0) {
                ocx_http_response r;
                bool can = cli_do(s, "GET", "/apis/project.openshift.io/v1/projectrequests", NULL, NULL, 0, NULL, &r,
                                  NULL) == 0 &&
                           r.status >= 200 && r.status < 300;
                if (r.status) ocx_http_response_release(&r);
                if (can)
                        printf("You don't have any projects. You can try to create a new project, by running\n\n    "
                               "ocx new-project <projectname>\n\n");
                else
                        printf(
                            "You don't have any projects. Contact your system administrator to request a project.\n");
                return NULL;
        }
        const char **names = ocx_xcalloc(n, sizeof(char *));
        size_t k = 0;
        const cJSON *it;
        cJSON_ArrayForEach(it, items) {
                const char *nm = ocx_json_path_str(it, "metadata.name");
                if (nm) names[k++] = nm;
        }
        qsort(names, k, sizeof(char *), cmp_str);
        const char *cur = NULL;
        for (size_t i = 0; i < k && wanted; i++)
                if (ocx_streq(names[i], wanted)) cur = names[i];
        for (size_t i = 0; i < k && !cur; i++)
                if (ocx_streq(names[i], "default")) cur = names[i];
        if (!cur && k) cur = names[0];
        if (k == 1) {
                printf("You have one project on this server: \"%s\"\n\n", names[0]);
        } else if (k > 50) {
                printf("You have access to %zu projects, the list has been suppressed. You can list all projects with "
                       "'ocx projects'\n\n",
                       k);
        } else {
                printf("You have access to the following projects and can switch between them with 'ocx project "
                       "<projectname>':\n\n");
                for (size_t i = 0; i < k; i++) printf("%s%s\n", names[i] == cur ? "  * " : "    ", names[i]);
                printf("\n");
        }
        printf("Using project \"%s\".\n", cur ? cur : "");
        char *ret = cur ? ocx_xstrdup(cur) : NULL;
        free(names);
        return ret;
}

/* ---- login ------------------------------------------------------------------------------ */

typedef struct login_creds {
        cJSON *cluster; /* kubeconfig cluster stanza body */
        cJSON *user;    /* kubeconfig user stanza body */
        char *username;
        ocx_http_config cfg;
} login_creds;

static void creds_release(login_creds *c) {
        cJSON_Delete(c->cluster);
        cJSON_Delete(c->user);
        free(c->username);
        ocx_http_config_release(&c->cfg);
        memset(c, 0, sizeof(*c));
}

static int session_for(const ocx_http_config *cfg, cli_session **ret, ocx_error **reterr) {
        cli_session *s = ocx_xcalloc(1, sizeof(*s));
        s->cfg = (ocx_http_config){
            .server = ocx_xstrdup(cfg->server), .insecure = cfg->insecure, .timeout_ms = LOGIN_TIMEOUT_MS};
        if (cfg->ca_pem) s->cfg.ca_pem = ocx_xstrdup(cfg->ca_pem);
        if (cfg->ca_file) s->cfg.ca_file = ocx_xstrdup(cfg->ca_file);
        if (cfg->cert_pem) s->cfg.cert_pem = ocx_xstrdup(cfg->cert_pem);
        if (cfg->key_pem) s->cfg.key_pem = ocx_xstrdup(cfg->key_pem);
        if (cfg->cert_file) s->cfg.cert_file = ocx_xstrdup(cfg->cert_file);
        if (cfg->key_file) s->cfg.key_file = ocx_xstrdup(cfg->key_file);
        if (cfg->token) s->cfg.token = ocx_xstrdup(cfg->token);
        s->ns = ocx_xstrdup("default");
        int r = ocx_http_new(&s->cfg, &s->http, reterr);
        if (r < 0) {
                cli_session_free(s);
                return r;
        }
        *ret = s;
        return 0;
}

/* Existing kubeconfig credentials for server naming `want` (any user when
 * want is NULL and the context is current). 1 found, 0 not. */
static int existing_credentials(const cli_kubeconfig *kc, const char *server, const char *want, login_creds *ret) {
        const cJSON *ctx;
        const char *current = ocx_json_get_str(kc->doc, "current-context");
        cJSON_ArrayForEach(ctx, ocx_json_get(kc->doc, "contexts")) {
                const char *name = ocx_json_get_str(ctx, "name");
                if (!want && !ocx_streq(name, current)) continue;
                const char *cl = ocx_json_path_str(ctx, "context.cluster"),
                           *us = ocx_json_path_str(ctx, "context.user");
                const cJSON *cluster = ocx_json_get(find_named(ocx_json_get(kc->doc, "clusters"), cl), "cluster");
                const cJSON *user = ocx_json_get(find_named(ocx_json_get(kc->doc, "users"), us), "user");
                if (!cluster || !user || !same_server(ocx_json_get_str(cluster, "server"), server)) continue;
                const char *tok = ocx_json_get_str(user, "token");
                if (!ocx_json_get(user, "client-certificate-data") && !ocx_json_get(user, "client-certificate") &&
                    !(tok && *tok))
                        continue;
                ocx_http_config cfg;
                char *ns = NULL;
                if (cli_kubeconfig_client(kc, name, NULL, &cfg, &ns, NULL) < 0) continue;
                free(ns);
                cli_session *s = NULL;
                char *who = NULL;
                int r = session_for(&cfg, &s, NULL);
                if (r >= 0) r = cli_whoami(s, &who, NULL);
                cli_session_free(s);
                if (r >= 0 && (!want || ocx_streq(who, want))) {
                        ret->cluster = cJSON_Duplicate(cluster, true);
                        ret->user = cJSON_Duplicate(user, true);
                        ret->username = who;
                        ret->cfg = cfg;
                        return 1;
                }
                free(who);
                ocx_http_config_release(&cfg);
        }
        return 0;
}

/* TLS settings for server: flags, else a kubeconfig cluster with that URL. */
static void tls_settings(const cli_invocation *inv, const cli_kubeconfig *kc, const char *server, login_creds *c) {
        c->cluster = cJSON_CreateObject();
        const char *caf = cli_flag_str(inv, "certificate-authority");
        if (cli_flag_bool(inv, "insecure-skip-tls-verify")) {
                c->cfg.insecure = true;
                cJSON_AddTrueToObject(c->cluster, "insecure-skip-tls-verify");
        } else if (caf && *caf) {
                char abs[4096];
                const char *p = realpath(caf, abs) ? abs : caf;
                c->cfg.ca_file = ocx_xstrdup(p);
                cJSON_AddStringToObject(c->cluster, "certificate-authority", p);
        } else {
                const cJSON *e;
                cJSON_ArrayForEach(e, ocx_json_get(kc->doc, "clusters")) {
                        const cJSON *cl = ocx_json_get(e, "cluster");
                        if (!same_server(ocx_json_get_str(cl, "server"), server)) continue;
                        static const char *const keys[] = {"certificate-authority-data", "certificate-authority",
                                                           "insecure-skip-tls-verify"};
                        for (size_t i = 0; i < OCX_ARRAY_SIZE(keys); i++) {
                                const cJSON *v = ocx_json_get(cl, keys[i]);
                                if (v) cJSON_AddItemToObject(c->cluster, keys[i], cJSON_Duplicate(v, true));
                        }
                        ocx_http_config tmp;
                        char *ns = NULL;
                        /* decode through the normal path: a throw-away context */
                        cli_kubeconfig one = {cJSON_CreateObject(), NULL};
                        cJSON *clusters = cJSON_AddArrayToObject(one.doc, "clusters");
                        cJSON_AddItemToArray(clusters, cJSON_Duplicate(e, true));
                        cJSON *ctxs = cJSON_AddArrayToObject(one.doc, "contexts");
                        cJSON *ctx = cJSON_CreateObject();
                        cJSON_AddStringToObject(ctx, "name", "x");
                        cJSON_AddStringToObject(cJSON_AddObjectToObject(ctx, "context"), "cluster",
                                                ocx_json_get_str(e, "name"));
                        cJSON_AddItemToArray(ctxs, ctx);
                        if (cli_kubeconfig_client(&one, "x", NULL, &tmp, &ns, NULL) == 0) {
                                c->cfg.ca_pem = TAKE_PTR(tmp.ca_pem);
                                c->cfg.ca_file = TAKE_PTR(tmp.ca_file);
                                c->cfg.insecure = tmp.insecure;
                                ocx_http_config_release(&tmp);
                        }
                        free(ns);
                        cJSON_Delete(one.doc);
                        break;
                }
        }
        cJSON_AddStringToObject(c->cluster, "server", server);
}

/* HEAD / with the chosen TLS settings (spec 5.1 reachability probe). */
static int probe(const cli_invocation *inv, const char *server, login_creds *c) {
        ocx_http_config cfg = c->cfg;
        cfg.server = (char *)server;
        cfg.timeout_ms = LOGIN_TIMEOUT_MS;
        ocx_http *h = NULL;
        _cleanup_error_ ocx_error *e = NULL;
        if (ocx_http_new(&cfg, &h, &e) < 0) return cli_print_error(e);
        ocx_http_response r;
        int rc = ocx_http_request(h, "HEAD", "/", NULL, NULL, 0, NULL, &r, &e);
        ocx_http_free(h);
        if (rc == 0) {
                bool html = r.content_type && strstr(r.content_type, "text/html");
                ocx_http_response_release(&r);
                if (html) {
                        fprintf(stderr, "error: Seems you passed an HTML page (console?) instead of server "
                                        "URL.\nVerify provided address and try again.\n");
                        return 1;
                }
                return 0;
        }
        const char *m = e && e->message ? e->message : "";
        if (rc == -ECONNREFUSED) {
                const char *h2 = strstr(server, "://") + 3;
                fprintf(stderr,
                        "error: dial tcp %.*s: connect: connection refused - verify you have provided the correct host "
                        "and port and that the server is currently running.\n",
                        (int)strcspn(h2, "/"), h2);
                return 1;
        }
        if (strstr(m, "certificate") || strstr(m, "SSL peer") || strstr(m, "issuer")) {
                if (isatty(0)) {
                        printf("The server uses a certificate signed by an unknown authority.\n"
                               "You can bypass the certificate check, but any data you send to the server could be "
                               "intercepted by others.\n");
                        for (;;) {
                                _cleanup_free_ char *a = prompt("Use insecure connections? (y/n): ", true);
                                if (ocx_streq(a, "y") || ocx_streq(a, "yes") || ocx_streq(a, "t") ||
                                    ocx_streq(a, "true") || ocx_streq(a, "1")) {
                                        printf("\n");
                                        c->cfg.insecure = true;
                                        ocx_json_set(c->cluster, "insecure-skip-tls-verify", cJSON_CreateTrue());
                                        cJSON_DeleteItemFromObjectCaseSensitive(c->cluster,
                                                                                "certificate-authority-data");
                                        cJSON_DeleteItemFromObjectCaseSensitive(c->cluster, "certificate-authority");
                                        return probe(inv, server, c);
                                }
                                if (ocx_streq(a, "n") || ocx_streq(a, "no") || ocx_streq(a, "f") ||
                                    ocx_streq(a, "false") || ocx_streq(a, "0"))
                                        break;
                                printf("Please enter 'yes' or 'no'.\n");
                        }
                }
                fprintf(stderr,
                        "error: The server uses a certificate signed by unknown authority. You may need to use the "
                        "--certificate-authority flag to provide the path to a certificate file for the certificate "
                        "authority, or --insecure-skip-tls-verify to bypass the certificate check and use insecure "
                        "connections.\n");
                return 1;
        }
        if (strstr(m, "wrong version number") || strstr(m, "record")) {
                fprintf(stderr,
                        "error: Unable to connect to %s using TLS: %s.\nEnsure the specified server supports HTTPS.\n",
                        server, m);
                return 1;
        }
        return cli_print_error(e);
}

int cli_run_login(cli_invocation *inv) {
        const char *flag_server = cli_flag_str(inv, "server");
        if (inv->nargs > 1) return fprintf(stderr, "error: Only the server URL may be specified as an argument\n"), 1;
        if (inv->nargs == 1 && flag_server && *flag_server)
                return fprintf(stderr,
                               "error: --server and passing the server URL as an argument are mutually exclusive\n"),
                       1;
        const char *user = cli_flag_str(inv, "username"), *token = cli_flag_str(inv, "token");
        bool have_pass = cli_flag_is_set(inv, "password");
        if (user && *user && token && *token)
                return fprintf(stderr, "error: --token and --username are mutually exclusive\n"), 1;
        _cleanup_error_ ocx_error *e = NULL;
        cli_kubeconfig kc;
        if (cli_kubeconfig_load(cli_flag_str(inv, "kubeconfig"), &kc, &e) < 0) return cli_print_error(e);
        bool existed = access(kc.path, F_OK) == 0;
        int rc = 1;
        login_creds c = {0};
        cli_session *s = NULL;
        _cleanup_free_ char *server = NULL, *ns = NULL, *wanted = NULL;
        const char *given = inv->nargs == 1 ? inv->args[0] : flag_server;
        if (!given || !*given) {
                ocx_http_config cur;
                char *cns = NULL;
                if (cli_kubeconfig_client(&kc, cli_flag_str(inv, "context"), NULL, &cur, &cns, NULL) == 0) {
                        server = ocx_xstrdup(cur.server);
                        ocx_http_config_release(&cur);
                        free(cns);
                } else if (isatty(0)) {
                        char *a = prompt("Server [https://localhost:8443]: ", true);
                        server = *a ? a : (free(a), ocx_xstrdup("https://localhost:8443"));
                } else {
                        fprintf(stderr, "error: A server URL must be specified\n");
                        goto out;
                }
        } else {
                server = ocx_xstrdup(given);
        }
        {
                char *n = normalize_server(server);
                free(server);
                server = n;
        }
        /* the namespace to prefer: -n, else the current context's when it is for this server */
        const char *nsflag = cli_flag_str(inv, "namespace");
        if (nsflag && *nsflag)
                wanted = ocx_xstrdup(nsflag);
        else {
                ocx_http_config cur;
                char *cns = NULL;
                if (cli_kubeconfig_client(&kc, NULL, NULL, &cur, &cns, NULL) == 0 && same_server(cur.server, server))
                        wanted = cns;
                else
                        free(cns);
                if (cur.server) ocx_http_config_release(&cur);
        }
        bool got = false;
        /* 2. existing credentials (-u without -p, or no flags at all) */
        if (!(token && *token) && !have_pass) {
                if (existing_credentials(&kc, server, user && *user ? user : NULL, &c) == 1) {
                        printf("Logged into \"%s\" as \"%s\" using existing credentials.\n\n", server, c.username);
                        got = true;
                }
        }
        if (!got) {
                tls_settings(inv, &kc, server, &c);
                if (probe(inv, server, &c) != 0) goto out;
                if (c.cfg.insecure)
                        printf("WARNING: Using insecure TLS client config. Setting this option is not supported!\n\n");
                c.cfg.server = ocx_xstrdup(server);
                c.cfg.timeout_ms = LOGIN_TIMEOUT_MS;
        }
        if (!got && token && *token) {
                /* 1. --token */
                c.cfg.token = ocx_xstrdup(token);
                if (session_for(&c.cfg, &s, &e) < 0) {
                        cli_print_error(e);
                        goto out;
                }
                int r = cli_whoami(s, &c.username, &e);
                if (r == -EPERM) {
                        fprintf(stderr, "error: The token provided is invalid or expired.\n");
                        goto out;
                }
                if (r < 0) {
                        cli_print_error(e);
                        goto out;
                }
                c.user = cJSON_CreateObject();
                cJSON_AddStringToObject(c.user, "token", token);
                printf("Logged into \"%s\" as \"%s\" using the token provided.\n\n", server, c.username);
                got = true;
        }
        if (!got) {
                /* 3. OAuth challenge flow */
                _cleanup_free_ char *u = user && *user ? ocx_xstrdup(user) : NULL, *p = NULL;
                if (have_pass) p = ocx_xstrdup(cli_flag_str(inv, "password") ? cli_flag_str(inv, "password") : "");
                if (!u || (!p && isatty(0))) {
                        if (!u && !isatty(0)) {
                                printf("You must obtain an API token by visiting %s/oauth/token/request\n\n"
                                       "Alternatively, use \"ocx login --token=<token>\" to log in with a token.\n",
                                       server);
                                goto out;
                        }
                        printf("Authentication required for %s (openshift)\n", server);
                        if (!u)
                                u = prompt("Username: ", true);
                        else
                                printf("Username: %s\n", u);
                        if (!p) p = prompt("Password: ", false);
                }
                if (!p) p = ocx_xstrdup("");
                if (strchr(u, ':')) {
                        fprintf(stderr, "error: username %s is invalid for basic auth\n", u);
                        explicit_bzero(p, strlen(p));
                        goto out;
                }
                ocx_http *h = NULL;
                if (ocx_http_new(&c.cfg, &h, &e) < 0) {
                        cli_print_error(e);
                        goto out;
                }
                char *tok = NULL;
                oauth_result or = oauth_token(h, server, u, p, &tok, &e);
                ocx_http_free(h);
                explicit_bzero(p, strlen(p));
                if (or == OAUTH_UNAUTHORIZED) {
                        printf("Login failed (401 Unauthorized)\nVerify you have provided the correct credentials.\n");
                        goto out;
                }
                if (or != OAUTH_OK) {
                        cli_print_error(e);
                        goto out;
                }
                c.cfg.token = tok;
                if (session_for(&c.cfg, &s, &e) < 0 || cli_whoami(s, &c.username, &e) < 0) {
                        cli_print_error(e);
                        goto out;
                }
                c.user = cJSON_CreateObject();
                cJSON_AddStringToObject(c.user, "token", tok);
                printf("Login successful.\n\n");
        }
        if (!s && session_for(&c.cfg, &s, &e) < 0) {
                cli_print_error(e);
                goto out;
        }
        ns = select_project(s, wanted);
        if (cli_kubeconfig_set_login(&kc, server, c.cluster, c.username, c.user, ns, NULL, &e) < 0 ||
            cli_kubeconfig_save(&kc, &e) < 0) {
                fprintf(stderr,
                        "error: KUBECONFIG is set to a file that cannot be created or modified: %s; caused by: %s\n",
                        kc.path, e ? e->message : "unknown error");
                goto out;
        }
        if (!existed) printf("Welcome! See 'ocx help' to get started.\n");
        rc = 0;
out:
        cli_session_free(s);
        creds_release(&c);
        cli_kubeconfig_release(&kc);
        return rc;
}

/* ---- logout (spec 5.2) ------------------------------------------------------------------------ */

int cli_run_logout(cli_invocation *inv) {
        if (inv->nargs > 0) return fprintf(stderr, "error: No arguments are allowed\n"), 1;
        _cleanup_error_ ocx_error *e = NULL;
        cli_session *s = NULL;
        if (cli_session_get(inv, &s, &e) < 0) return cli_print_error(e);
        if (!s->cfg.token || !*s->cfg.token) {
                fprintf(stderr, "error: You must have a token in order to logout.\n");
                return 1;
        }
        _cleanup_free_ char *user = NULL;
        if (cli_whoami(s, &user, &e) < 0) return cli_print_error(e);
        const char *tok = s->cfg.token;
        _cleanup_free_ char *name = NULL;
        if (ocx_startswith(tok, "sha256~")) {
                _cleanup_free_ char *h = sha256_b64url(tok + 7);
                name = ocx_xasprintf("sha256~%s", h ? h : "");
        } else {
                name = ocx_xstrdup(tok);
        }
        _cleanup_free_ char *path = ocx_xasprintf("/apis/oauth.openshift.io/v1/oauthaccesstokens/%s", name);
        ocx_http_response r;
        if (cli_do(s, "DELETE", path, NULL, NULL, 0, NULL, &r, NULL) == 0)
                ocx_http_response_release(&r); /* errors only logged upstream */
        cJSON *u;
        cJSON_ArrayForEach(u, ocx_json_get(s->kc.doc, "users")) {
                cJSON *in = ocx_json_get(u, "user");
                if (ocx_streq(ocx_json_get_str(in, "token"), tok)) cJSON_DeleteItemFromObjectCaseSensitive(in, "token");
        }
        if (cli_kubeconfig_save(&s->kc, &e) < 0) return cli_print_error(e);
        printf("Logged \"%s\" out on \"%s\"\n", user, s->cfg.server);
        return 0;
}
