#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>
#include "apiserver/path.h"

static void namespaced_object_with_sub(void **state) {
        (void)state;
        api_path p;
        const char *msg;
        assert_int_equal(api_path_parse("/apis/route.openshift.io/v1/namespaces/ns/routes/web/status", &p, &msg), 0);
        assert_int_equal(p.type, PATH_RESOURCE);
        assert_string_equal(p.group, "route.openshift.io");
        assert_string_equal(p.version, "v1");
        assert_string_equal(p.ns, "ns");
        assert_string_equal(p.resource, "routes");
        assert_string_equal(p.name, "web");
        assert_string_equal(p.sub, "status");
}

static void core_collections(void **state) {
        (void)state;
        api_path p;
        const char *msg;
        assert_int_equal(api_path_parse("/api/v1/pods", &p, &msg), 0);
        assert_string_equal(p.group, "");
        assert_string_equal(p.resource, "pods");
        assert_string_equal(p.ns, "");
        assert_int_equal(api_path_parse("/api/v1/namespaces", &p, &msg), 0);
        assert_string_equal(p.resource, "namespaces");
        assert_string_equal(p.name, "");
        assert_int_equal(api_path_parse("/api/v1/namespaces/demo", &p, &msg), 0);
        assert_string_equal(p.resource, "namespaces");
        assert_string_equal(p.name, "demo");
        assert_int_equal(api_path_parse("/api/v1/namespaces/demo/finalize", &p, &msg), 0);
        assert_string_equal(p.resource, "namespaces");
        assert_string_equal(p.name, "demo");
        assert_string_equal(p.sub, "finalize");
        assert_int_equal(api_path_parse("/api/v1/namespaces/demo/pods", &p, &msg), 0);
        assert_string_equal(p.ns, "demo");
        assert_string_equal(p.resource, "pods");
}

static void discovery_paths(void **state) {
        (void)state;
        api_path p;
        const char *msg;
        assert_int_equal(api_path_parse("/", &p, &msg), 0);
        assert_int_equal(p.type, PATH_ROOT);
        assert_int_equal(api_path_parse("/api", &p, &msg), 0);
        assert_int_equal(p.type, PATH_API);
        assert_int_equal(api_path_parse("/apis/", &p, &msg), 0);
        assert_int_equal(p.type, PATH_APIS);
        assert_int_equal(api_path_parse("/apis/apps.openshift.io", &p, &msg), 0);
        assert_int_equal(p.type, PATH_GROUP);
        assert_int_equal(api_path_parse("/api/v1", &p, &msg), 0);
        assert_int_equal(p.type, PATH_GROUP_VERSION);
        assert_int_equal(api_path_parse("/version", &p, &msg), 0);
        assert_int_equal(p.type, PATH_OTHER);
}

static void traversal_and_garbage_rejected(void **state) {
        (void)state;
        api_path p;
        const char *msg;
        assert_int_equal(api_path_parse("/api/v1/namespaces/../secrets", &p, &msg), -EINVAL);
        assert_string_equal(msg, "path segments may not be '.' or '..'");
        assert_int_equal(api_path_parse("/api/v1/namespaces/a/configmaps/.", &p, &msg), -EINVAL);
        assert_int_equal(api_path_parse("/api//v1", &p, &msg), -EINVAL);
        assert_int_equal(api_path_parse("api/v1", &p, &msg), -EINVAL);
        assert_int_equal(api_path_parse("/api/v1/namespaces/a/pods/b/c/d", &p, &msg), -EINVAL);
        assert_int_equal(api_path_parse("/api/v1/namespaces/a/pods/b%2fc", &p, &msg), -EINVAL);
        char longp[600] = "/api/v1/namespaces/";
        memset(longp + strlen(longp), 'a', 300);
        assert_int_equal(api_path_parse(longp, &p, &msg), -EINVAL);
        assert_string_equal(msg, "path segment too long");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(namespaced_object_with_sub),
                cmocka_unit_test(core_collections),
                cmocka_unit_test(discovery_paths),
                cmocka_unit_test(traversal_and_garbage_rejected),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
