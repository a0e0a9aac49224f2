/* Authentication: htpasswd hash formats and file handling, token format and
 * hashing, PKCE, service-account token signatures, login throttling, and the
 * OAuth authorize/token flow in-process over a real store. Expected values
 * come from independent tools (openssl passwd -apr1, openssl dgst, Python's
 * crypt). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "auth/authn.h"
#include "auth/oauth.h"
#include "ocx/encoding.h"
#include "ocx/json.h"

/* ---- hashes ------------------------------------------------------------------ */

static void test_bcrypt(void **state) {
        (void)state;
        /* python3: crypt.crypt('developer', '$2b$05$abcdefghijklmnopqrstuu') */
        const char *h = "$2b$05$abcdefghijklmnopqrstuuHCCCga4/r/hfMlCvW0wcPKay7xtDUkm";
        assert_int_equal(authn_htpasswd_check(h, "developer"), 1);
        assert_int_equal(authn_htpasswd_check(h, "Developer"), 0);
        assert_int_equal(authn_htpasswd_check(h, ""), 0);
        /* Apache writes $2y$; same algorithm */
        assert_int_equal(
            authn_htpasswd_check("$2y$05$abcdefghijklmnopqrstuuHCCCga4/r/hfMlCvW0wcPKay7xtDUkm", "developer"), 1);
        assert_int_equal(
            authn_htpasswd_check("$2a$05$abcdefghijklmnopqrstuuHCCCga4/r/hfMlCvW0wcPKay7xtDUkm", "developer"), 1);
        /* a truncated hash never matches */
        assert_int_equal(authn_htpasswd_check("$2y$05$abcdefghijklmnopqrstuuHCCCga4/r/hfMlCvW0wcPKay7xtD", "developer"),
                         0);
}

static void test_apr1(void **state) {
        (void)state;
        /* openssl passwd -apr1 -salt abcdefgh developer */
        assert_int_equal(authn_htpasswd_check("$apr1$abcdefgh$dHG.EG2.swOhnKGTYnUcG1", "developer"), 1);
        assert_int_equal(authn_htpasswd_check("$apr1$abcdefgh$dHG.EG2.swOhnKGTYnUcG1", "developer2"), 0);
        /* openssl passwd -apr1 -salt x pw */
        assert_int_equal(authn_htpasswd_check("$apr1$x$c1lfMpyyDm.graHWYyv3p/", "pw"), 1);
        char *h = authn_apr1("pw", "x");
        assert_string_equal(h, "$apr1$x$c1lfMpyyDm.graHWYyv3p/");
        free(h);
        /* long passwords exercise the 16-byte loop */
        h = authn_apr1("a much longer password than sixteen bytes", "saltsalt");
        assert_int_equal(authn_htpasswd_check(h, "a much longer password than sixteen bytes"), 1);
        assert_int_equal(authn_htpasswd_check(h, "a much longer password than sixteen byteS"), 0);
        free(h);
}

static void test_sha_and_rejected(void **state) {
        (void)state;
        /* printf developer | openssl sha1 -binary | base64 */
        assert_int_equal(authn_htpasswd_check("{SHA}Pay85TLM1I8n+mLpkwZ7PDXwlPc=", "developer"), 1);
        assert_int_equal(authn_htpasswd_check("{SHA}Pay85TLM1I8n+mLpkwZ7PDXwlPc=", "develope"), 0);
        /* crypt(3) DES: recognised, rejected even with the right password */
        assert_int_equal(authn_htpasswd_check("abBPGAO4kvHBc", "developer"), -ENOTSUP);
        assert_int_equal(authn_htpasswd_check("$1$abc$def", "developer"), -EINVAL);
        assert_int_equal(authn_htpasswd_check("plaintext", "plaintext"), -EINVAL);
}

static char tmpdir[64];

static void write_file(const char *path, const char *text) {
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fputs(text, f);
        fclose(f);
}

static void test_htpasswd_file(void **state) {
        (void)state;
        char path[128];
        snprintf(path, sizeof(path), "%s/htpasswd", tmpdir);
        assert_int_equal(authn_htpasswd_verify(path, "developer", "developer"), -ENOENT);
        write_file(path, "# comment\nalice:{SHA}Pay85TLM1I8n+mLpkwZ7PDXwlPc=\r\n"
                         "developer:$apr1$x$c1lfMpyyDm.graHWYyv3p/\n"
                         "old:abBPGAO4kvHBc\n"
                         "developer:$apr1$abcdefgh$dHG.EG2.swOhnKGTYnUcG1\n");
        assert_int_equal(authn_htpasswd_verify(path, "alice", "developer"), 0); /* CRLF tolerated */
        /* last duplicate wins */
        assert_int_equal(authn_htpasswd_verify(path, "developer", "developer"), 0);
        assert_int_equal(authn_htpasswd_verify(path, "developer", "pw"), -EPERM);
        assert_int_equal(authn_htpasswd_verify(path, "old", "developer"), -EPERM);
        assert_int_equal(authn_htpasswd_verify(path, "nobody", "developer"), -EPERM);
        assert_int_equal(authn_htpasswd_verify(path, "a:b", "developer"), -EPERM);
        /* changed file is re-read without restart (size changes even within one mtime tick) */
        write_file(path, "developer:$apr1$x$c1lfMpyyDm.graHWYyv3p/\n");
        assert_int_equal(authn_htpasswd_verify(path, "developer", "pw"), 0);
        assert_int_equal(authn_htpasswd_verify(path, "alice", "developer"), -EPERM);
        unlink(path);
}

/* ---- tokens -------------------------------------------------------------------- */

static void test_token_format(void **state) {
        (void)state;
        char *a = authn_token_generate(), *b = authn_token_generate();
        assert_int_equal(strlen(a), 7 + 43);
        assert_true(strncmp(a, "sha256~", 7) == 0);
        for (const char *p = a + 7; *p; p++)
                assert_true((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
                            *p == '-' || *p == '_');
        assert_string_not_equal(a, b);
        char *n = authn_token_object_name(a);
        assert_int_equal(strlen(n), 7 + 43);
        assert_string_not_equal(n, a);
        free(n);
        free(a);
        free(b);
        /* printf abc | openssl dgst -sha256 -binary | base64url */
        n = authn_token_object_name("sha256~abc");
        assert_string_equal(n, "sha256~ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0");
        free(n);
        /* pre-4.6 tokens name themselves */
        n = authn_token_object_name("legacytoken");
        assert_string_equal(n, "legacytoken");
        free(n);
        assert_null(authn_token_object_name(""));
}

static void test_base64(void **state) {
        (void)state;
        char *s = ocx_base64_encode("developer", 9, 0);
        assert_string_equal(s, "ZGV2ZWxvcGVy");
        free(s);
        s = ocx_base64_encode("ab", 2, 0);
        assert_string_equal(s, "YWI=");
        free(s);
        s = ocx_base64_encode("\xfb\xff", 2, OCX_B64_URL | OCX_B64_NOPAD);
        assert_string_equal(s, "-_8");
        free(s);
        unsigned char *d = NULL;
        size_t n = 0;
        assert_int_equal(ocx_base64_decode("-_8", 3, false, &d, &n), 0);
        assert_int_equal(n, 2);
        assert_memory_equal(d, "\xfb\xff", 2);
        free(d);
        assert_int_equal(ocx_base64_decode("YWI=", 4, false, &d, &n), 0);
        assert_string_equal((char *)d, "ab");
        free(d);
        assert_int_equal(ocx_base64_decode("Y*I=", 4, false, &d, &n), -EINVAL);
}

static void test_pkce(void **state) {
        (void)state;
        const char *v = "abcdefghijklmnopqrstuvwxyz0123456789-._~ABCDEFG";
        /* printf %s "$v" | openssl dgst -sha256 -binary | base64url */
        const char *c = "TDp3C-wPo3aKDK1Bg-ukP78nZ9YiqUD2ToRD96HoaHU";
        assert_true(authn_pkce_verify("S256", c, v));
        assert_false(authn_pkce_verify("S256", c, "abcdefghijklmnopqrstuvwxyz0123456789-._~ABCDEFH"));
        assert_false(authn_pkce_verify("S256", v, v));
        assert_true(authn_pkce_verify("plain", v, v));
        assert_true(authn_pkce_verify(NULL, v, v));
        assert_false(authn_pkce_verify("plain", v, "short")); /* < 43 characters */
        assert_false(authn_pkce_verify("S384", c, v));        /* unknown method */
        assert_false(authn_pkce_verify("S256", c, NULL));
}

static void test_sa_tokens(void **state) {
        (void)state;
        const unsigned char key[32] = "0123456789abcdef0123456789abcdef";
        char *t = authn_sa_token_sign_key(key, sizeof(key), "ns1", "builder", "uid-1", "builder-token-abcde");
        assert_non_null(t);
        char *ns = NULL, *sa = NULL, *uid = NULL, *sec = NULL;
        assert_int_equal(authn_sa_token_verify_sig(key, sizeof(key), t, &ns, &sa, &uid, &sec), 0);
        assert_string_equal(ns, "ns1");
        assert_string_equal(sa, "builder");
        assert_string_equal(uid, "uid-1");
        assert_string_equal(sec, "builder-token-abcde");
        free(ns), free(sa), free(uid), free(sec);
        /* another key */
        unsigned char other[32];
        memcpy(other, key, sizeof(other));
        other[0] ^= 1;
        assert_int_equal(authn_sa_token_verify_sig(other, sizeof(other), t, &ns, &sa, &uid, &sec), -EPERM);
        /* tampered claims */
        char *dot = strchr(t, '.');
        dot[3] = dot[3] == 'A' ? 'B' : 'A';
        assert_int_equal(authn_sa_token_verify_sig(key, sizeof(key), t, &ns, &sa, &uid, &sec), -EPERM);
        assert_int_equal(authn_sa_token_verify_sig(key, sizeof(key), "a.b", &ns, &sa, &uid, &sec), -EPERM);
        assert_int_equal(authn_sa_token_verify_sig(key, sizeof(key), "a.b.c.d", &ns, &sa, &uid, &sec), -EPERM);
        free(t);
}

static void test_throttle(void **state) {
        (void)state;
        oauth_throttle_reset();
        time_t now = 1000000;
        for (int i = 0; i < OAUTH_MAX_FAILURES - 1; i++) oauth_throttle_fail("developer", now + i);
        assert_false(oauth_throttle_locked("developer", now + 5));
        oauth_throttle_fail("developer", now + 5);
        assert_true(oauth_throttle_locked("developer", now + 6));
        assert_false(oauth_throttle_locked("alice", now + 6)); /* per user */
        assert_true(oauth_throttle_locked("developer", now + 5 + OAUTH_LOCKOUT - 1));
        assert_false(oauth_throttle_locked("developer", now + 5 + OAUTH_LOCKOUT));
        /* failures spread wider than the window do not lock */
        oauth_throttle_reset();
        for (int i = 0; i < 10; i++) oauth_throttle_fail("bob", now + i * (OAUTH_FAILURE_WINDOW / 2 + 1));
        assert_false(oauth_throttle_locked("bob", now + 9 * (OAUTH_FAILURE_WINDOW / 2 + 1)));
        oauth_throttle_reset();
}

/* ---- the OAuth flow in-process ---------------------------------------------------------- */

static api_server srv;
static const char *hdr_names[4], *hdr_values[4], *arg_names[8], *arg_values[8];

static const char *lookup(const char **names, const char **values, size_t n, const char *key) {
        for (size_t i = 0; i < n; i++)
                if (names[i] && strcasecmp(names[i], key) == 0) return values[i];
        return NULL;
}
static const char *get_header(const api_request *r, const char *k) {
        (void)r;
        return lookup(hdr_names, hdr_values, 4, k);
}
static const char *get_arg(const api_request *r, const char *k) {
        (void)r;
        return lookup(arg_names, arg_values, 8, k);
}

static void set_args(const char *const *kv) {
        memset(arg_names, 0, sizeof(arg_names));
        for (size_t i = 0; i < 16 && kv[i]; i += 2) {
                arg_names[i / 2] = kv[i];
                arg_values[i / 2] = kv[i + 1];
        }
}

static api_response do_req(const char *method, const char *path, const char *body) {
        api_request req = {.method = method,
                           .path = path,
                           .body = body,
                           .body_len = body ? strlen(body) : 0,
                           .get_arg = get_arg,
                           .get_header = get_header,
                           .tls = true};
        api_response resp = {0};
        assert_true(oauth_handle(&srv, &req, &resp));
        return resp;
}

static void test_oauth_flow(void **state) {
        (void)state;
        char path[128], db[128];
        snprintf(path, sizeof(path), "%s/htpasswd", tmpdir);
        snprintf(db, sizeof(db), "%s/ocx.db", tmpdir);
        write_file(path, "developer:$apr1$abcdefgh$dHG.EG2.swOhnKGTYnUcG1\n");
        api_config cfg = {.base_dir = tmpdir, .routing_suffix = "apps.example.com", .listen = "127.0.0.1:1"};
        assert_int_equal(api_server_init(&srv, &cfg, db, NULL), 0);
        oauth_throttle_reset();
        hdr_names[0] = "Host", hdr_values[0] = "127.0.0.1:8443";
        hdr_names[1] = "X-CSRF-Token", hdr_values[1] = "1";
        hdr_names[2] = NULL;
        /* discovery: the issuer is the API server */
        api_response r = do_req("GET", "/.well-known/oauth-authorization-server", NULL);
        assert_int_equal(r.status, 200);
        assert_non_null(strstr(r.body, "\"issuer\":\"https://127.0.0.1:8443\""));
        api_response_release(&r);
        /* no credentials: Basic challenge */
        const char *implicit[] = {"client_id", "openshift-challenging-client", "response_type", "token", NULL};
        set_args(implicit);
        r = do_req("GET", "/oauth/authorize", NULL);
        assert_int_equal(r.status, 401);
        assert_string_equal(r.www_authenticate, "Basic realm=\"openshift\"");
        api_response_release(&r);
        /* without X-CSRF-Token no challenge, a warning instead */
        hdr_names[1] = "X-Other";
        r = do_req("GET", "/oauth/authorize", NULL);
        assert_int_equal(r.status, 401);
        assert_null(r.www_authenticate);
        assert_non_null(r.warning);
        api_response_release(&r);
        hdr_names[1] = "X-CSRF-Token";
        /* wrong password */
        hdr_names[2] = "Authorization", hdr_values[2] = "Basic ZGV2ZWxvcGVyOnduZw=="; /* developer:wng */
        r = do_req("GET", "/oauth/authorize", NULL);
        assert_int_equal(r.status, 401);
        api_response_release(&r);
        /* right password: implicit grant */
        hdr_values[2] = "Basic ZGV2ZWxvcGVyOmRldmVsb3Blcg=="; /* developer:developer */
        r = do_req("GET", "/oauth/authorize", NULL);
        assert_int_equal(r.status, 302);
        assert_non_null(r.location);
        assert_true(strncmp(r.location, "https://127.0.0.1:8443/oauth/token/implicit#access_token=sha256~", 64) == 0);
        assert_non_null(strstr(r.location, "&expires_in=86400&scope=user%3Afull&token_type=Bearer"));
        char token[64];
        snprintf(token, sizeof(token), "%.50s", strstr(r.location, "access_token=") + 13);
        api_response_release(&r);
        authn_user u = {0};
        assert_int_equal(authn_token_authenticate(&srv, token, &u), 0);
        assert_string_equal(u.name, "developer");
        assert_int_equal((int)u.n_groups, 2);
        assert_string_equal(u.groups[0], "system:authenticated");
        assert_string_equal(u.groups[1], "system:authenticated:oauth");
        authn_user_release(&u);
        /* only the hash is stored */
        const api_kind *tk = api_kind_by_plural("oauth.openshift.io", "v1", "oauthaccesstokens");
        cJSON *obj = NULL;
        assert_int_equal(api_get_object(&srv, tk, NULL, token, &obj), -ENOENT);
        char *name = authn_token_object_name(token);
        assert_int_equal(api_get_object(&srv, tk, NULL, name, &obj), 0);
        assert_string_equal(ocx_json_get_str(obj, "userName"), "developer");
        cJSON_Delete(obj);
        /* User and Identity were created */
        assert_int_equal(api_get_object(&srv, api_kind_by_plural("user.openshift.io", "v1", "identities"), NULL,
                                        "htpasswd_provider:developer", &obj),
                         0);
        cJSON_Delete(obj);
        /* a deleted token no longer authenticates */
        assert_int_equal(api_delete_object(&srv, tk, NULL, name, "Background", 0, NULL, NULL), 0);
        assert_int_equal(authn_token_authenticate(&srv, token, &u), -EPERM);
        free(name);
        /* malformed and foreign tokens */
        assert_int_equal(authn_token_authenticate(&srv, "sha256~nope", &u), -EPERM);
        assert_int_equal(authn_token_authenticate(&srv, "x.y.z", &u), -EPERM);
        assert_int_equal(authn_token_authenticate(&srv, "bad token", &u), -EPERM);

        /* code grant with PKCE S256 */
        const char *code_args[] = {"client_id",
                                   "openshift-challenging-client",
                                   "response_type",
                                   "code",
                                   "code_challenge",
                                   "TDp3C-wPo3aKDK1Bg-ukP78nZ9YiqUD2ToRD96HoaHU",
                                   "code_challenge_method",
                                   "S256",
                                   "state",
                                   "s 1",
                                   NULL};
        set_args(code_args);
        r = do_req("GET", "/oauth/authorize", NULL);
        assert_int_equal(r.status, 302);
        const char *c = strstr(r.location, "?code=");
        assert_non_null(c);
        assert_non_null(strstr(r.location, "&state=s%201"));
        char code[64];
        snprintf(code, sizeof(code), "%.*s", (int)strcspn(c + 6, "&"), c + 6);
        api_response_release(&r);
        hdr_values[2] = "Basic b3BlbnNoaWZ0LWNoYWxsZW5naW5nLWNsaWVudDo="; /* openshift-challenging-client: */
        char body[256];
        snprintf(body, sizeof(body),
                 "grant_type=authorization_code&code=%s&code_verifier=wrongwrongwrongwrongwrongwrongwrongwrongwrong",
                 code);
        r = do_req("POST", "/oauth/token", body);
        assert_int_equal(r.status, 400);
        assert_non_null(strstr(r.body, "invalid_grant"));
        api_response_release(&r);
        /* the code was used up by the failed attempt */
        snprintf(body, sizeof(body),
                 "grant_type=authorization_code&code=%s&code_verifier=abcdefghijklmnopqrstuvwxyz0123456789-._~ABCDEFG",
                 code);
        r = do_req("POST", "/oauth/token", body);
        assert_int_equal(r.status, 400);
        api_response_release(&r);
        /* again, correctly */
        hdr_values[2] = "Basic ZGV2ZWxvcGVyOmRldmVsb3Blcg==";
        r = do_req("GET", "/oauth/authorize", NULL);
        c = strstr(r.location, "?code=");
        snprintf(code, sizeof(code), "%.*s", (int)strcspn(c + 6, "&"), c + 6);
        api_response_release(&r);
        hdr_values[2] = "Basic b3BlbnNoaWZ0LWNoYWxsZW5naW5nLWNsaWVudDo=";
        snprintf(body, sizeof(body),
                 "grant_type=authorization_code&code=%s&code_verifier=abcdefghijklmnopqrstuvwxyz0123456789-._~ABCDEFG",
                 code);
        r = do_req("POST", "/oauth/token", body);
        assert_int_equal(r.status, 200);
        cJSON *j = NULL;
        assert_int_equal(ocx_json_parse(r.body, r.body_len, &j, NULL), 0);
        assert_string_equal(ocx_json_get_str(j, "token_type"), "Bearer");
        assert_string_equal(ocx_json_get_str(j, "scope"), "user:full");
        assert_int_equal(authn_token_authenticate(&srv, ocx_json_get_str(j, "access_token"), &u), 0);
        authn_user_release(&u);
        cJSON_Delete(j);
        api_response_release(&r);

        /* throttling: five failures lock the user out, even with the right password */
        set_args(implicit);
        hdr_values[2] = "Basic ZGV2ZWxvcGVyOnduZw==";
        for (int i = 0; i < OAUTH_MAX_FAILURES; i++) {
                r = do_req("GET", "/oauth/authorize", NULL);
                assert_int_equal(r.status, 401);
                api_response_release(&r);
        }
        hdr_values[2] = "Basic ZGV2ZWxvcGVyOmRldmVsb3Blcg==";
        r = do_req("GET", "/oauth/authorize", NULL);
        assert_int_equal(r.status, 401);
        api_response_release(&r);
        oauth_throttle_reset();

        /* service-account token: ProjectRequest-style creation, then authentication */
        cJSON *ns = cJSON_CreateObject();
        cJSON_AddStringToObject(cJSON_AddObjectToObject(ns, "metadata"), "name", "p1");
        assert_int_equal(
            api_create_object(&srv, api_kind_by_plural("", "v1", "namespaces"), NULL, ns, false, NULL, NULL, NULL), 0);
        assert_int_equal(authn_sa_ensure(&srv, "p1", "builder", NULL), 0);
        assert_int_equal(authn_sa_ensure(&srv, "p1", "builder", NULL), 0); /* idempotent */
        cJSON *sa = NULL;
        assert_int_equal(api_get_object(&srv, api_kind_by_plural("", "v1", "serviceaccounts"), "p1", "builder", &sa),
                         0);
        assert_int_equal(cJSON_GetArraySize(ocx_json_get(sa, "secrets")), 1);
        const char *sname = ocx_json_get_str(cJSON_GetArrayItem(ocx_json_get(sa, "secrets"), 0), "name");
        cJSON *sec = NULL;
        assert_int_equal(api_get_object(&srv, api_kind_by_plural("", "v1", "secrets"), "p1", sname, &sec), 0);
        assert_string_equal(ocx_json_get_str(sec, "type"), "kubernetes.io/service-account-token");
        assert_non_null(ocx_json_get_str(ocx_json_get(sec, "data"), "ca.crt"));
        unsigned char *tok = NULL;
        size_t tl = 0;
        const char *b = ocx_json_path_str(sec, "data.token");
        assert_int_equal(ocx_base64_decode(b, strlen(b), false, &tok, &tl), 0);
        assert_int_equal(authn_token_authenticate(&srv, (char *)tok, &u), 0);
        assert_string_equal(u.name, "system:serviceaccount:p1:builder");
        assert_string_equal(u.groups[0], "system:serviceaccounts");
        assert_string_equal(u.groups[1], "system:serviceaccounts:p1");
        assert_string_equal(u.groups[2], "system:authenticated");
        authn_user_release(&u);
        /* deleting the secret revokes the token */
        assert_int_equal(
            api_delete_object(&srv, api_kind_by_plural("", "v1", "secrets"), "p1", sname, "Background", 0, NULL, NULL),
            0);
        assert_int_equal(authn_token_authenticate(&srv, (char *)tok, &u), -EPERM);
        free(tok);
        cJSON_Delete(sec);
        cJSON_Delete(sa);
        struct stat st;
        char keyp[128];
        snprintf(keyp, sizeof(keyp), "%s/pki/serviceaccount-signing.key", tmpdir);
        assert_int_equal(stat(keyp, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0600);
        api_server_release(&srv);
}

static int setup(void **state) {
        (void)state;
        snprintf(tmpdir, sizeof(tmpdir), "/tmp/ocx-test-authn.XXXXXX");
        return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state) {
        (void)state;
        char cmd[160];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
        return WEXITSTATUS(system(cmd)) == 0 ? 0 : -1;
}

int main(void) {
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_bcrypt),
            cmocka_unit_test(test_apr1),
            cmocka_unit_test(test_sha_and_rejected),
            cmocka_unit_test(test_htpasswd_file),
            cmocka_unit_test(test_token_format),
            cmocka_unit_test(test_base64),
            cmocka_unit_test(test_pkce),
            cmocka_unit_test(test_sa_tokens),
            cmocka_unit_test(test_throttle),
            cmocka_unit_test(test_oauth_flow),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
