/* kubeconfig: naming, merge of $KUBECONFIG lists, set_login reuse, save 0600 + sorted YAML */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include "cli/kubeconfig.h"
#include "ocx/json.h"

static char dir[64];

static int setup(void **state) {
        (void)state;
        snprintf(dir, sizeof(dir), "/tmp/ocx-kc-XXXXXX");
        assert_non_null(mkdtemp(dir));
        unsetenv("KUBECONFIG");
        return 0;
}

static int teardown(void **state) {
        (void)state;
        /* files written by the tests */
        const char *names[] = {"a", "b", "c", "new/config"};
        for (size_t i = 0; i < 4; i++) {
                char p[160];
                snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
                unlink(p);
        }
        char p[160];
        snprintf(p, sizeof(p), "%s/new", dir);
        rmdir(p);
        rmdir(dir);
        return 0;
}

static void write_file(const char *name, const char *text) {
        char p[160];
        snprintf(p, sizeof(p), "%s/%s", dir, name);
        FILE *f = fopen(p, "w");
        assert_non_null(f);
        fputs(text, f);
        fclose(f);
}

static void nicknames(void **state) {
        (void)state;
        char *n = cli_cluster_nick("https://api.crc.testing:6443");
        assert_string_equal(n, "api-crc-testing:6443");
        free(n);
        n = cli_cluster_nick("https://127.0.0.1:8443/");
        assert_string_equal(n, "127-0-0-1:8443");
        free(n);
        n = cli_cluster_nick("https://example.com");
        assert_string_equal(n, "example-com:443");
        free(n);
}

static void merge_first_wins(void **state) {
        (void)state;
        write_file("a", "apiVersion: v1\nkind: Config\nclusters:\n- name: c1\n  cluster:\n    server: https://one:1\n"
                        "contexts:\n- name: x\n  context:\n    cluster: c1\n    user: u1\n    namespace: ns-a\n"
                        "users:\n- name: u1\n  user:\n    token: tok-a\n");
        write_file("b", "apiVersion: v1\nkind: Config\ncurrent-context: x\nclusters:\n- name: c1\n  cluster:\n"
                        "    server: https://two:2\n- name: c2\n  cluster:\n    server: https://three:3\n");
        char env[400];
        snprintf(env, sizeof(env), "%s/missing:%s/a:%s/b", dir, dir, dir);
        setenv("KUBECONFIG", env, 1);
        cli_kubeconfig kc;
        _cleanup_error_ ocx_error *e = NULL;
        assert_int_equal(cli_kubeconfig_load(NULL, &kc, &e), 0);
        char want[160];
        snprintf(want, sizeof(want), "%s/a", dir);
        assert_string_equal(kc.path, want); /* first existing file */
        assert_int_equal(cJSON_GetArraySize(ocx_json_get(kc.doc, "clusters")), 2);
        ocx_http_config cfg;
        char *ns = NULL;
        assert_int_equal(cli_kubeconfig_client(&kc, NULL, NULL, &cfg, &ns, &e), 0);
        assert_string_equal(cfg.server, "https://one:1");
        assert_string_equal(cfg.token, "tok-a");
        assert_string_equal(ns, "ns-a");
        free(ns);
        ocx_http_config_release(&cfg);
        assert_int_equal(cli_kubeconfig_client(&kc, "nope", NULL, &cfg, &ns, &e), -ENOENT);
        assert_string_equal(e->message, "context was not found for specified context: nope");
        cli_kubeconfig_release(&kc);
        unsetenv("KUBECONFIG");
}

static void missing_config_message(void **state) {
        (void)state;
        char p[160];
        snprintf(p, sizeof(p), "%s/none", dir);
        cli_kubeconfig kc;
        _cleanup_error_ ocx_error *e = NULL;
        assert_int_equal(cli_kubeconfig_load(p, &kc, &e), 0);
        ocx_http_config cfg;
        char *ns = NULL;
        assert_int_equal(cli_kubeconfig_client(&kc, NULL, NULL, &cfg, &ns, &e), -ENOENT);
        assert_true(ocx_startswith(e->message, "Missing or incomplete configuration info.  Please point to"));
        /* --server alone is enough */
        assert_int_equal(cli_kubeconfig_client(&kc, NULL, "http://127.0.0.1:1", &cfg, &ns, NULL), 0);
        assert_string_equal(cfg.server, "http://127.0.0.1:1");
        ocx_http_config_release(&cfg);
        cli_kubeconfig_release(&kc);
}

static void login_reuses_context_and_saves(void **state) {
        (void)state;
        char p[160];
        snprintf(p, sizeof(p), "%s/new/config", dir);
        cli_kubeconfig kc;
        _cleanup_error_ ocx_error *e = NULL;
        assert_int_equal(cli_kubeconfig_load(p, &kc, &e), 0);
        _cleanup_json_ cJSON *cluster = cJSON_CreateObject();
        cJSON_AddStringToObject(cluster, "server", "https://127.0.0.1:8443");
        cJSON_AddStringToObject(cluster, "certificate-authority-data", "TFMwdA==");
        _cleanup_json_ cJSON *user = cJSON_CreateObject();
        cJSON_AddStringToObject(user, "token", "sha256~abc");
        char *ctx = NULL;
        assert_int_equal(cli_kubeconfig_set_login(&kc, "https://127.0.0.1:8443", cluster, "developer", user, "myproject",
                                                  &ctx, &e), 0);
        assert_string_equal(ctx, "myproject/127-0-0-1:8443/developer");
        free(ctx);
        /* user renames the context; an identical login reuses it */
        cJSON *c0 = cJSON_GetArrayItem(ocx_json_get(kc.doc, "contexts"), 0);
        ocx_json_set_str(c0, "name", "mine");
        assert_int_equal(cli_kubeconfig_set_login(&kc, "https://127.0.0.1:8443", cluster, "developer", user, "myproject",
                                                  &ctx, &e), 0);
        assert_string_equal(ctx, "mine");
        free(ctx);
        assert_int_equal(cli_kubeconfig_set_login(&kc, "https://127.0.0.1:8443", cluster, "developer", user, NULL, &ctx, &e),
                         0);
        assert_string_equal(ctx, "/127-0-0-1:8443/developer");
        free(ctx);
        assert_int_equal(cli_kubeconfig_save(&kc, &e), 0);
        struct stat st;
        assert_int_equal(stat(p, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0600);
        char lock[200];
        snprintf(lock, sizeof(lock), "%s.lock", p);
        assert_int_not_equal(access(lock, F_OK), 0);
        char *text = NULL;
        size_t len = 0;
        assert_int_equal(ocx_read_file(p, 1 << 20, &text, &len), 0);
        /* keys sorted, lists sorted by name */
        const char *a = strstr(text, "apiVersion:"), *cl = strstr(text, "clusters:"), *co = strstr(text, "contexts:"),
                   *cc = strstr(text, "current-context:"), *us = strstr(text, "users:");
        assert_true(a && cl && co && cc && us && a < cl && cl < co && co < cc && cc < us);
        assert_true(strstr(text, "name: /127-0-0-1:8443/developer") < strstr(text, "name: mine"));
        free(text);
        cli_kubeconfig_release(&kc);
        /* reload: CA data decoded into PEM bytes */
        assert_int_equal(cli_kubeconfig_load(p, &kc, &e), 0);
        ocx_http_config cfg;
        char *ns = NULL;
        assert_int_equal(cli_kubeconfig_client(&kc, "mine", NULL, &cfg, &ns, &e), 0);
        assert_string_equal(cfg.ca_pem, "LS0t");
        assert_string_equal(ns, "myproject");
        free(ns);
        ocx_http_config_release(&cfg);
        cli_kubeconfig_release(&kc);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(nicknames),
                cmocka_unit_test(merge_first_wins),
                cmocka_unit_test(missing_config_message),
                cmocka_unit_test(login_reuses_context_and_saves),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
