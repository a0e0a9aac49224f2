/* ocxd — the OAuth server (see auth/oauth.h). */
#include "auth/oauth.h"
#include <pthread.h>
#include <stdio.h>
#include <strings.h>
#include <time.h>
#include "auth/authn.h"
#include "ocx/encoding.h"
#include "ocx/buf.h"
#include "ocx/json.h"
#include "ocx/log.h"
#include "ocx/names.h"
#include "ocx/banned.h"

#define CODE_LIFETIME 300
#define MAX_CODES 1024
#define MAX_THROTTLED 1024
#define USERS_TILDE "/apis/user.openshift.io/v1/users/~"

/* ---- throttling ------------------------------------------------------------------ */

typedef struct throttle_entry {
        char user[64];
        time_t window_start;
        int failures;
        time_t locked_until;
} throttle_entry;

static throttle_entry throttle[MAX_THROTTLED];
static pthread_mutex_t throttle_lock = PTHREAD_MUTEX_INITIALIZER;

static throttle_entry *throttle_find(const char *user, bool create, time_t now) {
        throttle_entry *free_slot = NULL;
        for (size_t i = 0; i < MAX_THROTTLED; i++) {
                throttle_entry *e = &throttle[i];
                if (e->user[0] && strncmp(e->user, user, sizeof(e->user) - 1) == 0) return e;
                bool stale = e->user[0] && e->locked_until <= now && now - e->window_start > OAUTH_FAILURE_WINDOW;
                if (!free_slot && (!e->user[0] || stale)) free_slot = e;
        }
        if (!create) return NULL;
        if (!free_slot) free_slot = &throttle[(size_t)now % MAX_THROTTLED];
        memset(free_slot, 0, sizeof(*free_slot));
        snprintf(free_slot->user, sizeof(free_slot->user), "%s", user);
        free_slot->window_start = now;
        return free_slot;
}

void oauth_throttle_reset(void) {
        pthread_mutex_lock(&throttle_lock);
        memset(throttle, 0, sizeof(throttle));
        pthread_mutex_unlock(&throttle_lock);
}

void oauth_throttle_fail(const char *user, time_t now) {
        pthread_mutex_lock(&throttle_lock);
        throttle_entry *e = throttle_find(user, true, now);
        if (now - e->window_start > OAUTH_FAILURE_WINDOW) {
                e->window_start = now;
                e->failures = 0;
        }
        if (++e->failures >= OAUTH_MAX_FAILURES) {
                e->locked_until = now + OAUTH_LOCKOUT;
                e->failures = 0;
                e->window_start = now;
        }
        pthread_mutex_unlock(&throttle_lock);
}

bool oauth_throttle_locked(const char *user, time_t now) {
        pthread_mutex_lock(&throttle_lock);
        throttle_entry *e = throttle_find(user, false, now);
        bool locked = e && e->locked_until > now;
        pthread_mutex_unlock(&throttle_lock);
        return locked;
}

void oauth_throttle_success(const char *user) {
        pthread_mutex_lock(&throttle_lock);
        throttle_entry *e = throttle_find(user, false, time(NULL));
        if (e) memset(e, 0, sizeof(*e));
        pthread_mutex_unlock(&throttle_lock);
}

/* ---- authorization codes ------------------------------------------------------------ */

typedef struct auth_code {
        char *code, *user, *uid, *client, *redirect_uri, *challenge, *method;
        time_t expires;
} auth_code;

static auth_code codes[MAX_CODES];
static pthread_mutex_t codes_lock = PTHREAD_MUTEX_INITIALIZER;

static void code_clear(auth_code *c) {
        if (c->code) explicit_bzero(c->code, strlen(c->code));
        free(c->code);
        free(c->user);
        free(c->uid);
        free(c->client);
        free(c->redirect_uri);
        free(c->challenge);
        free(c->method);
        memset(c, 0, sizeof(*c));
}

static char *strdup_or_empty(const char *s) { return ocx_xstrdup(s ? s : ""); }

static char *code_new(const authn_user *u, const char *client, const char *redirect_uri, const char *challenge,
                      const char *method) {
        unsigned char raw[32];
        ocx_random_bytes(raw, sizeof(raw));
        char *code = ocx_base64_encode(raw, sizeof(raw), OCX_B64_URL | OCX_B64_NOPAD);
        time_t now = time(NULL);
        pthread_mutex_lock(&codes_lock);
        auth_code *slot = &codes[0];
        for (size_t i = 0; i < MAX_CODES; i++) {
                if (!codes[i].code || codes[i].expires <= now) {
                        slot = &codes[i];
                        break;
                }
                if (codes[i].expires < slot->expires) slot = &codes[i];
        }
        code_clear(slot);
        *slot = (auth_code){ocx_xstrdup(code),
                            ocx_xstrdup(u->name),
                            strdup_or_empty(u->uid),
                            ocx_xstrdup(client),
                            strdup_or_empty(redirect_uri),
                            challenge && *challenge ? ocx_xstrdup(challenge) : NULL,
                            strdup_or_empty(method),
                            now + CODE_LIFETIME};
        pthread_mutex_unlock(&codes_lock);
        return code;
}

/* Removes and returns the code (single use). */
static bool code_take(const char *code, auth_code *ret) {
        time_t now = time(NULL);
        bool found = false;
        pthread_mutex_lock(&codes_lock);
        for (size_t i = 0; i < MAX_CODES; i++) {
                if (codes[i].code && strcmp(codes[i].code, code) == 0) {
                        if (codes[i].expires > now) {
                                *ret = codes[i];
                                memset(&codes[i], 0, sizeof(codes[i]));
                                found = true;
                        } else {
                                code_clear(&codes[i]);
                        }
                        break;
                }
        }
        pthread_mutex_unlock(&codes_lock);
        return found;
}

/* ---- helpers ---------------------------------------------------------------------- */

static const char *header(const api_request *req, const char *name) {
        return req->get_header ? req->get_header(req, name) : NULL;
}

static const char *qarg(const api_request *req, const char *name) {
        return req->get_arg ? req->get_arg(req, name) : NULL;
}

static char *issuer(const api_request *req) {
        const char *host = header(req, "Host");
        if (!host || !*host || strpbrk(host, " /\\\"<>")) host = "127.0.0.1:8443";
        return ocx_xasprintf("%s://%s", req->tls ? "https" : "http", host);
}

static int hexv(int c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
}

/* The value of key in an application/x-www-form-urlencoded body. */
static char *form_value(const char *body, size_t len, const char *key) {
        size_t kl = strlen(key);
        const char *p = body, *end = body + len;
        while (p < end) {
                const char *amp = memchr(p, '&', (size_t)(end - p));
                const char *stop = amp ? amp : end;
                if ((size_t)(stop - p) > kl && strncmp(p, key, kl) == 0 && p[kl] == '=') {
                        ocx_buf b = OCX_BUF_INIT;
                        for (const char *q = p + kl + 1; q < stop; q++) {
                                char c = *q;
                                if (c == '+')
                                        c = ' ';
                                else if (c == '%' && q + 2 < stop && hexv(q[1]) >= 0 && hexv(q[2]) >= 0) {
                                        c = (char)(hexv(q[1]) * 16 + hexv(q[2]));
                                        q += 2;
                                }
                                ocx_buf_append(&b, &c, 1);
                        }
                        if (!b.data) ocx_buf_append(&b, "", 0);
                        return ocx_buf_detach(&b, NULL);
                }
                p = stop + 1;
        }
        return NULL;
}

/* "Basic base64(user:pass)" -> user, pass. */
static bool basic_credentials(const char *authz, char **ret_user, char **ret_pass) {
        if (!authz || strncasecmp(authz, "Basic ", 6) != 0) return false;
        const char *b = authz + 6;
        while (*b == ' ') b++;
        unsigned char *raw = NULL;
        size_t rl = 0;
        if (ocx_base64_decode(b, strlen(b), false, &raw, &rl) < 0) return false;
        char *colon = memchr(raw, ':', rl);
        if (!colon || memchr(raw, 0, rl)) {
                explicit_bzero(raw, rl);
                free(raw);
                return false;
        }
        *ret_user = ocx_xstrndup((char *)raw, (size_t)(colon - (char *)raw));
        *ret_pass = ocx_xstrdup(colon + 1);
        explicit_bzero(raw, rl);
        free(raw);
        return true;
}

static void respond_text(api_response *resp, int status, const char *ctype, const char *text) {
        size_t n = strlen(text);
        api_respond_raw(resp, status, ocx_xstrndup(text, n), n);
        resp->content_type = ctype;
}

static void respond_oauth_error(api_response *resp, int status, const char *error, const char *desc) {
        _cleanup_json_ cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "error", error);
        cJSON_AddStringToObject(j, "error_description", desc);
        api_respond_json(resp, status, j);
}

static void challenge(const api_request *req, api_response *resp) {
        const char *csrf = header(req, "X-CSRF-Token");
        if (csrf && *csrf) {
                resp->www_authenticate = ocx_xstrdup("Basic realm=\"openshift\"");
        } else {
                resp->warning =
                    ocx_xstrdup("A non-empty X-CSRF-Token header is required to receive basic-auth challenges");
        }
        api_respond_status(resp, 401, "Unauthorized", "Unauthorized", NULL);
}

/* ---- endpoints ---------------------------------------------------------------------- */

static void well_known(const api_request *req, api_response *resp) {
        _cleanup_free_ char *iss = issuer(req);
        _cleanup_json_ cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "issuer", iss);
        _cleanup_free_ char *a = ocx_xasprintf("%s/oauth/authorize", iss), *t = ocx_xasprintf("%s/oauth/token", iss);
        cJSON_AddStringToObject(j, "authorization_endpoint", a);
        cJSON_AddStringToObject(j, "token_endpoint", t);
        static const char *const scopes[] = {"user:check-access", "user:full", "user:info", "user:list-projects",
                                             "user:list-scoped-projects"};
        cJSON *sc = cJSON_AddArrayToObject(j, "scopes_supported");
        for (size_t i = 0; i < OCX_ARRAY_SIZE(scopes); i++) cJSON_AddItemToArray(sc, cJSON_CreateString(scopes[i]));
        cJSON *rt = cJSON_AddArrayToObject(j, "response_types_supported");
        cJSON_AddItemToArray(rt, cJSON_CreateString("code"));
        cJSON_AddItemToArray(rt, cJSON_CreateString("token"));
        cJSON *gt = cJSON_AddArrayToObject(j, "grant_types_supported");
        cJSON_AddItemToArray(gt, cJSON_CreateString("authorization_code"));
        cJSON_AddItemToArray(gt, cJSON_CreateString("implicit"));
        cJSON *cm = cJSON_AddArrayToObject(j, "code_challenge_methods_supported");
        cJSON_AddItemToArray(cm, cJSON_CreateString("plain"));
        cJSON_AddItemToArray(cm, cJSON_CreateString("S256"));
        api_respond_json(resp, 200, j);
}

static void redirect_error(api_response *resp, const char *uri, const char *error, const char *desc) {
        _cleanup_free_ char *d = ocx_urlencode(desc);
        resp->location =
            ocx_xasprintf("%s%cerror=%s&error_description=%s", uri, strchr(uri, '?') ? '&' : '?', error, d);
        respond_text(resp, 302, "text/plain", "");
}

static void authorize(api_server *s, const api_request *req, api_response *resp) {
        _cleanup_free_ char *iss = issuer(req);
        _cleanup_free_ char *default_redirect = ocx_xasprintf("%s/oauth/token/implicit", iss);
        const char *client = qarg(req, "client_id"), *rtype = qarg(req, "response_type");
        const char *redirect = qarg(req, "redirect_uri"), *state = qarg(req, "state");
        const char *cc = qarg(req, "code_challenge"), *ccm = qarg(req, "code_challenge_method");
        if (!ocx_streq(client, OAUTH_CHALLENGING_CLIENT)) {
                respond_oauth_error(resp, 400, "unauthorized_client",
                                    "the client is not authorized to request a token using this method");
                return;
        }
        if (!redirect || !*redirect) redirect = default_redirect;
        if (!ocx_streq(redirect, default_redirect)) {
                respond_oauth_error(resp, 400, "invalid_request",
                                    "the redirect_uri does not match a redirect URI of the client");
                return;
        }
        if (!ocx_streq(rtype, "token") && !ocx_streq(rtype, "code")) {
                redirect_error(resp, redirect, "unsupported_response_type",
                               "the authorization server does not support obtaining an access token using this method");
                return;
        }
        if (cc && *cc && ccm && *ccm && !ocx_streq(ccm, "plain") && !ocx_streq(ccm, "S256")) {
                redirect_error(resp, redirect, "invalid_request", "code_challenge_method must be plain or S256");
                return;
        }
        _cleanup_free_ char *user = NULL, *pass = NULL;
        if (!basic_credentials(header(req, "Authorization"), &user, &pass)) {
                challenge(req, resp);
                return;
        }
        time_t now = time(NULL);
        int r;
        if (oauth_throttle_locked(user, now)) {
                log_warn("login for '%s' refused: too many failed attempts", user);
                r = -EPERM;
        } else {
                _cleanup_free_ char *path = ocx_xasprintf("%s/htpasswd", s->cfg.base_dir ? s->cfg.base_dir : ".");
                r = authn_htpasswd_verify(path, user, pass);
                if (r == -ENOENT) log_warn("no htpasswd file at %s: password logins fail", path);
                if (r < 0) {
                        oauth_throttle_fail(user, now);
                        log_info("login failed for '%s'", user);
                }
        }
        explicit_bzero(pass, strlen(pass));
        if (r < 0) {
                challenge(req, resp);
                return;
        }
        oauth_throttle_success(user);
        _cleanup_(authn_user_release) authn_user u = {0};
        _cleanup_error_ ocx_error *e = NULL;
        if (authn_map_identity(s, AUTHN_IDP_NAME, user, &u, &e) < 0) {
                log_error("login for '%s': %s", user, e ? e->message : "identity mapping failed");
                redirect_error(resp, redirect, "server_error", "the user could not be created");
                return;
        }
        _cleanup_free_ char *st = state ? ocx_urlencode(state) : NULL;
        if (ocx_streq(rtype, "code")) {
                _cleanup_free_ char *code = code_new(&u, client, redirect, cc, ccm);
                resp->location = ocx_xasprintf("%s?code=%s%s%s", redirect, code, st ? "&state=" : "", st ? st : "");
                explicit_bzero(code, strlen(code));
        } else {
                _cleanup_free_ char *token = NULL;
                if (authn_token_issue(s, u.name, u.uid, client, redirect, &token, &e) < 0) {
                        log_error("login for '%s': cannot store the access token: %s", user, e ? e->message : "");
                        redirect_error(resp, redirect, "server_error", "the access token could not be stored");
                        return;
                }
                resp->location =
                    ocx_xasprintf("%s#access_token=%s&expires_in=%d&scope=user%%3Afull%s%s&token_type=Bearer", redirect,
                                  token, AUTHN_TOKEN_LIFETIME, st ? "&state=" : "", st ? st : "");
                explicit_bzero(token, strlen(token));
        }
        log_info("user '%s' logged in (%s)", user, rtype);
        respond_text(resp, 302, "text/plain", "");
}

static void token_endpoint(api_server *s, const api_request *req, api_response *resp) {
        if (!ocx_streq(req->method, "POST")) {
                respond_oauth_error(resp, 405, "invalid_request", "the token endpoint accepts POST only");
                return;
        }
        const char *body = req->body ? req->body : "";
        size_t len = req->body_len;
        _cleanup_free_ char *grant = form_value(body, len, "grant_type"), *code = form_value(body, len, "code");
        _cleanup_free_ char *redirect = form_value(body, len, "redirect_uri"),
                            *verifier = form_value(body, len, "code_verifier");
        _cleanup_free_ char *form_client = form_value(body, len, "client_id");
        _cleanup_free_ char *cu = NULL, *cp = NULL;
        const char *client = form_client;
        if (basic_credentials(header(req, "Authorization"), &cu, &cp)) client = cu;
        if (!ocx_streq(client, OAUTH_CHALLENGING_CLIENT) || (cp && *cp)) {
                respond_oauth_error(resp, 401, "unauthorized_client", "the client could not be authenticated");
                return;
        }
        if (!ocx_streq(grant, "authorization_code")) {
                respond_oauth_error(resp, 400, "unsupported_grant_type",
                                    "the authorization grant type is not supported by the authorization server");
                return;
        }
        auth_code c = {0};
        if (!code || !code_take(code, &c)) {
                respond_oauth_error(resp, 400, "invalid_grant",
                                    "the provided authorization grant is invalid, expired, or revoked");
                return;
        }
        const char *err = NULL;
        if (!ocx_streq(c.client, client))
                err = "the authorization code was issued to another client";
        else if (redirect && *c.redirect_uri && !ocx_streq(redirect, c.redirect_uri))
                err = "the redirect_uri does not match";
        else if (c.challenge && !authn_pkce_verify(c.method, c.challenge, verifier))
                err = "the code_verifier does not match the code_challenge";
        if (err) {
                code_clear(&c);
                respond_oauth_error(resp, 400, "invalid_grant", err);
                return;
        }
        _cleanup_free_ char *token = NULL;
        _cleanup_error_ ocx_error *e = NULL;
        int r = authn_token_issue(s, c.user, c.uid, c.client, c.redirect_uri, &token, &e);
        code_clear(&c);
        if (r < 0) {
                respond_oauth_error(resp, 500, "server_error", "the access token could not be stored");
                return;
        }
        _cleanup_json_ cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "access_token", token);
        cJSON_AddStringToObject(j, "token_type", "Bearer");
        cJSON_AddNumberToObject(j, "expires_in", AUTHN_TOKEN_LIFETIME);
        cJSON_AddStringToObject(j, "scope", "user:full");
        explicit_bzero(token, strlen(token));
        api_respond_json(resp, 200, j);
}

static const char implicit_page[] =
    "<!DOCTYPE html>\n<html><head><title>Display Token</title></head><body>\n"
    "<h2>Your API token</h2>\n<p id=\"t\">The token is in this page's address (after the '#').</p>\n"
    "<p>Log in with: <code>ocx login --token=&lt;token&gt; &lt;server&gt;</code></p>\n"
    "<script>var m=/access_token=([^&]+)/.exec(location.hash);"
    "if(m){document.getElementById('t').textContent=decodeURIComponent(m[1]);}</script>\n</body></html>\n";

static const char request_page[] =
    "<!DOCTYPE html>\n<html><head><title>Request Token</title></head><body>\n"
    "<h2>Request an API token</h2>\n"
    "<p>Log in with your user name and password: <code>ocx login -u USER</code>, or request a token "
    "with <code>curl -u USER -H 'X-CSRF-Token: 1' '&lt;server&gt;/oauth/authorize?client_id="
    "openshift-challenging-client&amp;response_type=token'</code>.</p>\n</body></html>\n";

static void users_tilde(api_server *s, const api_request *req, api_response *resp) {
        if (!ocx_streq(req->method, "GET")) {
                api_respond_status(resp, 405, "MethodNotAllowed",
                                   "the server does not allow this method on the requested resource", NULL);
                return;
        }
        const char *name = req->user.name ? req->user.name : "system:anonymous";
        _cleanup_json_ cJSON *u = NULL;
        const api_kind *uk = api_kind_by_plural("user.openshift.io", "v1", "users");
        if (api_get_object(s, uk, NULL, name, &u) < 0) {
                u = cJSON_CreateObject();
                cJSON_AddStringToObject(u, "kind", "User");
                cJSON_AddStringToObject(u, "apiVersion", "user.openshift.io/v1");
                cJSON *md = cJSON_AddObjectToObject(u, "metadata");
                cJSON_AddStringToObject(md, "name", name);
                cJSON_AddNullToObject(md, "creationTimestamp");
                cJSON_AddArrayToObject(u, "identities");
        }
        cJSON *groups = cJSON_CreateArray();
        for (const char *const *g = req->user.groups; g && *g; g++)
                cJSON_AddItemToArray(groups, cJSON_CreateString(*g));
        ocx_json_set(u, "groups", groups);
        api_respond_json(resp, 200, u);
}

/* DELETE of one's own access token (oc logout): allowed to its owner as
 * OpenShift's system:oauth-token-deleter role allows; anything else goes
 * through RBAC. */
static bool delete_own_token(api_server *s, const api_request *req, api_response *resp) {
        static const char prefix[] = "/apis/oauth.openshift.io/v1/oauthaccesstokens/";
        if (!ocx_streq(req->method, "DELETE") || !ocx_startswith(req->path, prefix) || !req->user.name) return false;
        const char *name = req->path + strlen(prefix);
        if (!*name || strchr(name, '/')) return false;
        const api_kind *tk = api_kind_by_plural("oauth.openshift.io", "v1", "oauthaccesstokens");
        _cleanup_json_ cJSON *t = NULL;
        if (api_get_object(s, tk, NULL, name, &t) < 0 || !ocx_streq(ocx_json_get_str(t, "userName"), req->user.name))
                return false;
        cJSON *out = NULL;
        _cleanup_error_ ocx_error *e = NULL;
        int r = api_delete_object(s, tk, NULL, name, "Background", 0, &out, &e);
        if (r < 0)
                api_respond_error(resp, r, e, tk, name);
        else
                api_respond_json(resp, 200, out);
        cJSON_Delete(out);
        return true;
}

bool oauth_is_oauth_path(const char *path) {
        return path && (ocx_startswith(path, "/oauth/") || ocx_streq(path, "/.well-known/oauth-authorization-server"));
}

bool oauth_handle(api_server *s, const api_request *req, api_response *resp) {
        const char *p = req->path;
        if (ocx_streq(p, USERS_TILDE)) {
                users_tilde(s, req, resp);
                return true;
        }
        if (delete_own_token(s, req, resp)) return true;
        if (!oauth_is_oauth_path(p)) return false;
        if (ocx_streq(p, "/.well-known/oauth-authorization-server"))
                well_known(req, resp);
        else if (ocx_streq(p, "/oauth/authorize"))
                authorize(s, req, resp);
        else if (ocx_streq(p, "/oauth/token"))
                token_endpoint(s, req, resp);
        else if (ocx_streq(p, "/oauth/token/implicit"))
                respond_text(resp, 200, "text/html; charset=utf-8", implicit_page);
        else if (ocx_streq(p, "/oauth/token/request"))
                respond_text(resp, 200, "text/html; charset=utf-8", request_page);
        else
                api_respond_status(resp, 404, "NotFound", "the server could not find the requested resource", NULL);
        return true;
}
