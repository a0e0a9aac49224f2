/* discovery resolution, resource arguments, flag parsing, API error text */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include "cli/client.h"
#include "cli/command.h"
#include "cli/resargs.h"
#include "cli/resources.h"
#include "ocx/json.h"

static const char *core =
        "{\"kind\":\"APIResourceList\",\"groupVersion\":\"v1\",\"resources\":["
        "{\"name\":\"pods\",\"singularName\":\"pod\",\"namespaced\":true,\"kind\":\"Pod\",\"shortNames\":[\"po\"],\"categories\":[\"all\"]},"
        "{\"name\":\"pods/log\",\"singularName\":\"\",\"namespaced\":true,\"kind\":\"Pod\"},"
        "{\"name\":\"services\",\"singularName\":\"service\",\"namespaced\":true,\"kind\":\"Service\",\"shortNames\":[\"svc\"],\"categories\":[\"all\"]},"
        "{\"name\":\"replicationcontrollers\",\"singularName\":\"replicationcontroller\",\"namespaced\":true,\"kind\":\"ReplicationController\",\"shortNames\":[\"rc\"],\"categories\":[\"all\"]},"
        "{\"name\":\"namespaces\",\"singularName\":\"namespace\",\"namespaced\":false,\"kind\":\"Namespace\",\"shortNames\":[\"ns\"]}]}";
static const char *routes =
        "{\"kind\":\"APIResourceList\",\"groupVersion\":\"route.openshift.io/v1\",\"resources\":["
        "{\"name\":\"routes\",\"singularName\":\"route\",\"namespaced\":true,\"kind\":\"Route\",\"categories\":[\"all\"]}]}";
static const char *apps =
        "{\"kind\":\"APIResourceList\",\"groupVersion\":\"apps.openshift.io/v1\",\"resources\":["
        "{\"name\":\"deploymentconfigs\",\"singularName\":\"deploymentconfig\",\"namespaced\":true,\"kind\":\"DeploymentConfig\",\"shortNames\":[\"dc\"],\"categories\":[\"all\"]}]}";
static const char *scc =
        "{\"kind\":\"APIResourceList\",\"groupVersion\":\"security.openshift.io/v1\",\"resources\":["
        "{\"name\":\"securitycontextconstraints\",\"singularName\":\"securitycontextconstraints\",\"namespaced\":false,\"kind\":\"SecurityContextConstraints\",\"shortNames\":[\"scc\"]}]}";

static cli_discovery *make_disc(void) {
        cli_discovery *d = cli_discovery_new();
        const char *lists[] = {core, routes, apps, scc};
        for (size_t i = 0; i < 4; i++) {
                cJSON *j = NULL;
                assert_int_equal(ocx_json_parse(lists[i], strlen(lists[i]), &j, NULL), 0);
                cli_discovery_add_list(d, j);
                cJSON_Delete(j);
        }
        return d;
}

static void resolve_forms(void **state) {
        (void)state;
        cli_discovery *d = make_disc();
        const char *forms[][2] = {{"po", "pods"}, {"pod", "pods"}, {"Pods", "pods"}, {"Pod", "pods"},
                                  {"route", "routes"}, {"routes.route.openshift.io", "routes"},
                                  {"dc.apps.openshift.io", "deploymentconfigs"}, {"DeploymentConfig", "deploymentconfigs"},
                                  {"scc", "securitycontextconstraints"}, {"svc", "services"}};
        for (size_t i = 0; i < OCX_ARRAY_SIZE(forms); i++) {
                const cli_resource *r = NULL;
                assert_int_equal(cli_resolve(d, forms[i][0], &r, NULL), 0);
                assert_string_equal(r->name, forms[i][1]);
        }
        const cli_resource *r = NULL;
        _cleanup_error_ ocx_error *e = NULL;
        assert_int_equal(cli_resolve(d, "foo", &r, &e), -ENOENT);
        assert_string_equal(e->message, "the server doesn't have a resource type \"foo\"");
        assert_int_equal(cli_resolve(d, "pods.apps.openshift.io", &r, NULL), -ENOENT);
        cli_discovery_free(d);
}

static void names_and_paths(void **state) {
        (void)state;
        cli_discovery *d = make_disc();
        const cli_resource *r = NULL;
        assert_int_equal(cli_resolve(d, "route", &r, NULL), 0);
        char *s = cli_resource_path(r, "demo", "web");
        assert_string_equal(s, "/apis/route.openshift.io/v1/namespaces/demo/routes/web");
        free(s);
        s = cli_resource_kind_prefix(r);
        assert_string_equal(s, "route.route.openshift.io");
        free(s);
        s = cli_resource_qualified(r);
        assert_string_equal(s, "routes.route.openshift.io");
        free(s);
        assert_int_equal(cli_resolve(d, "ns", &r, NULL), 0);
        s = cli_resource_path(r, "demo", NULL);
        assert_string_equal(s, "/api/v1/namespaces");
        free(s);
        assert_int_equal(cli_resolve(d, "po", &r, NULL), 0);
        s = cli_resource_path(r, NULL, NULL); /* -A */
        assert_string_equal(s, "/api/v1/pods");
        free(s);
        s = cli_resource_kind_prefix(r);
        assert_string_equal(s, "pod");
        free(s);
        assert_int_equal(cli_resolve_kind(d, "apps.openshift.io/v1", "DeploymentConfig", &r, NULL), 0);
        assert_string_equal(r->name, "deploymentconfigs");
        _cleanup_error_ ocx_error *e = NULL;
        assert_int_equal(cli_resolve_kind(d, "v1", "Foo", &r, &e), -ENOENT);
        assert_string_equal(e->message, "no matches for kind \"Foo\" in version \"v1\"");
        cli_discovery_free(d);
}

static void all_category_order(void **state) {
        (void)state;
        cli_discovery *d = make_disc();
        const cli_resource **v = NULL;
        size_t n = cli_expand_all(d, &v);
        assert_int_equal(n, 5);
        const char *want[] = {"pods", "replicationcontrollers", "services", "deploymentconfigs", "routes"};
        for (size_t i = 0; i < n; i++) assert_string_equal(v[i]->name, want[i]);
        free(v);
        cli_discovery_free(d);
}

static void resource_args(void **state) {
        (void)state;
        cli_resarg *v = NULL;
        size_t n = 0;
        char *a1[] = {"dc,svc", "a", "b"};
        assert_int_equal(cli_parse_resource_args(a1, 3, "get", &v, &n, NULL), 0);
        assert_int_equal(n, 2);
        assert_string_equal(v[1].type, "svc");
        assert_int_equal(v[1].nnames, 2);
        assert_string_equal(v[1].names[1], "b");
        cli_resargs_free(v, n);
        char *a2[] = {"dc/a", "dc/b", "svc/c"};
        assert_int_equal(cli_parse_resource_args(a2, 3, "get", &v, &n, NULL), 0);
        assert_int_equal(n, 2);
        assert_int_equal(v[0].nnames, 2);
        assert_string_equal(v[1].names[0], "c");
        cli_resargs_free(v, n);
        char *a3[] = {"dc", "svc/c"};
        _cleanup_error_ ocx_error *e = NULL;
        assert_int_equal(cli_parse_resource_args(a3, 2, "get", &v, &n, &e), -EINVAL);
        assert_true(ocx_startswith(e->message, "there is no need to specify a resource type as a separate argument"));
        char *a4[] = {"dc/a", "b"};
        assert_int_equal(cli_parse_resource_args(a4, 2, "get", &v, &n, NULL), -EINVAL);
        /* "all" expansion through targets */
        cli_discovery *d = make_disc();
        cli_targets t;
        char *a5[] = {"all,route"};
        assert_int_equal(cli_targets_from_args(d, a5, 1, "get", &t, NULL), 0);
        assert_int_equal(t.n, 5); /* route not repeated */
        cli_targets_release(&t);
        cli_discovery_free(d);
}

static const cli_flag_def test_flags[] = {
        {"output", 'o', CLI_FLAG_STRING, "", "out"},
        {"all-namespaces", 'A', CLI_FLAG_BOOL, "false", "all"},
        {"watch", 'w', CLI_FLAG_BOOL, "false", "watch"},
        {"filename", 'f', CLI_FLAG_LIST, "", "files"},
        {"wait", 0, CLI_FLAG_BOOL, "true", "wait"},
        {0},
};
static const cli_command test_cmd = {.name = "get", .flags = test_flags};

static void flag_parsing(void **state) {
        (void)state;
        char *argv[] = {"pods", "-Aw", "-oyaml", "-n", "demo", "--wait=false", "-f", "a.yaml", "--filename=b.yaml", "--",
                        "-x"};
        cli_invocation inv = {0};
        _cleanup_error_ ocx_error *e = NULL;
        assert_int_equal(cli_parse_flags(&test_cmd, 11, argv, &inv, &e), 0);
        assert_int_equal(inv.nargs, 2);
        assert_string_equal(inv.args[1], "-x");
        assert_true(cli_flag_bool(&inv, "all-namespaces"));
        assert_true(cli_flag_bool(&inv, "watch"));
        assert_false(cli_flag_bool(&inv, "wait"));
        assert_string_equal(cli_flag_str(&inv, "output"), "yaml");
        assert_string_equal(cli_flag_str(&inv, "namespace"), "demo");
        size_t n = 0;
        char **files = cli_flag_list(&inv, "filename", &n);
        assert_int_equal(n, 2);
        assert_string_equal(files[1], "b.yaml");
        cli_invocation_release(&inv);
        char *bad[] = {"--foo"};
        assert_int_equal(cli_parse_flags(&test_cmd, 1, bad, &inv, &e), -EINVAL);
        assert_string_equal(e->message, "unknown flag: --foo");
        cli_invocation_release(&inv);
        ocx_error_free(e);
        e = NULL;
        char *bad2[] = {"-Ax"};
        assert_int_equal(cli_parse_flags(&test_cmd, 1, bad2, &inv, &e), -EINVAL);
        assert_string_equal(e->message, "unknown shorthand flag: 'x' in -Ax");
        cli_invocation_release(&inv);
        ocx_error_free(e);
        e = NULL;
        char *bad3[] = {"-o"};
        assert_int_equal(cli_parse_flags(&test_cmd, 1, bad3, &inv, &e), -EINVAL);
        assert_string_equal(e->message, "flag needs an argument: 'o' in -o");
        cli_invocation_release(&inv);
}

static char *status_text(const char *json, long code, const char *ctx) {
        _cleanup_json_ cJSON *j = NULL;
        assert_int_equal(ocx_json_parse(json, strlen(json), &j, NULL), 0);
        return cli_format_status(j, code, ctx);
}

static void api_error_text(void **state) {
        (void)state;
        char *s = status_text("{\"kind\":\"Status\",\"status\":\"Failure\",\"reason\":\"NotFound\",\"message\":"
                              "\"deploymentconfigs.apps.openshift.io \\\"foo\\\" not found\",\"code\":404}", 404, NULL);
        assert_string_equal(s, "Error from server (NotFound): deploymentconfigs.apps.openshift.io \"foo\" not found");
        free(s);
        s = status_text("{\"kind\":\"Status\",\"reason\":\"AlreadyExists\",\"message\":\"routes.route.openshift.io \\\"x\\\" "
                        "already exists\"}", 409, "error when creating \"app.yaml\"");
        assert_string_equal(s, "Error from server (AlreadyExists): error when creating \"app.yaml\": "
                               "routes.route.openshift.io \"x\" already exists");
        free(s);
        s = status_text("{\"kind\":\"Status\",\"reason\":\"Invalid\",\"message\":\"m\",\"details\":{\"kind\":\"Route\","
                        "\"name\":\"x\",\"causes\":[{\"field\":\"spec.host\",\"message\":\"Invalid value: \\\"A\\\": bad\"}]}}",
                        422, NULL);
        assert_string_equal(s, "The Route \"x\" is invalid: spec.host: Invalid value: \"A\": bad");
        free(s);
        s = status_text("{\"kind\":\"Status\",\"reason\":\"Invalid\",\"details\":{\"kind\":\"Pod\",\"name\":\"p\",\"causes\":["
                        "{\"field\":\"a\",\"message\":\"x\"},{\"field\":\"b\",\"message\":\"y\"}]}}", 422, NULL);
        assert_string_equal(s, "The Pod \"p\" is invalid: \n* a: x\n* b: y");
        free(s);
        s = status_text("{\"kind\":\"Status\",\"reason\":\"Unauthorized\",\"message\":\"Unauthorized\"}", 401, NULL);
        assert_string_equal(s, "error: You must be logged in to the server (Unauthorized)");
        free(s);
        s = status_text("{\"kind\":\"Status\",\"message\":\"boom\"}", 500, NULL);
        assert_string_equal(s, "Error from server: boom");
        free(s);
}

static void query_encoding(void **state) {
        (void)state;
        char *p = cli_path_add_query("/api/v1/pods", "labelSelector", "app in (a,b),x!=y");
        assert_string_equal(p, "/api/v1/pods?labelSelector=app%20in%20%28a%2Cb%29%2Cx%21%3Dy");
        char *q = cli_path_add_query(p, "watch", "1");
        assert_string_equal(q, "/api/v1/pods?labelSelector=app%20in%20%28a%2Cb%29%2Cx%21%3Dy&watch=1");
        free(p);
        free(q);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(resolve_forms),   cmocka_unit_test(names_and_paths),
                cmocka_unit_test(all_category_order), cmocka_unit_test(resource_args),
                cmocka_unit_test(flag_parsing),    cmocka_unit_test(api_error_text),
                cmocka_unit_test(query_encoding),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
