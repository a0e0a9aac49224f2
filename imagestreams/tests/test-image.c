/* image config and manifest parsing */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdlib.h>
#include "imagestreams/image.h"
#include "imagestreams/manifest.h"

#define D1 "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define D2 "sha256:2222222222222222222222222222222222222222222222222222222222222222"

static void config_full(void **state) {
        (void)state;
        const char *j = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{"
                        "\"User\":\"1001\",\"WorkingDir\":\"/app\",\"Env\":[\"PATH=/bin\",\"A=b=c\"],"
                        "\"Entrypoint\":[\"/bin/sh\",\"-c\"],\"Cmd\":[\"run\"],"
                        "\"ExposedPorts\":{\"8080/tcp\":{},\"53/udp\":{},\"4568\":{}},"
                        "\"Labels\":{\"z\":\"1\",\"a\":\"2\"}},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}";
        img_config c;
        assert_int_equal(img_config_parse(j, strlen(j), &c, NULL), 0);
        assert_string_equal(c.architecture, "amd64");
        assert_string_equal(c.os, "linux");
        assert_string_equal(c.user, "1001");
        assert_string_equal(c.working_dir, "/app");
        assert_string_equal(c.env[1], "A=b=c");
        assert_null(c.env[2]);
        assert_string_equal(c.entrypoint[0], "/bin/sh");
        assert_string_equal(c.cmd[0], "run");
        assert_int_equal(c.n_ports, 3);
        assert_int_equal(c.ports[0].port, 53);
        assert_string_equal(c.ports[0].proto, "udp");
        assert_int_equal(c.ports[1].port, 4568);
        assert_string_equal(c.ports[1].proto, "tcp");
        assert_int_equal(c.n_labels, 2);
        assert_string_equal(c.labels[0].key, "a");
        img_config_release(&c);
}

static void config_empty_and_null(void **state) {
        (void)state;
        const char *j = "{\"config\":{\"Entrypoint\":null,\"Cmd\":null,\"User\":\"\",\"ExposedPorts\":null}}";
        img_config c;
        assert_int_equal(img_config_parse(j, strlen(j), &c, NULL), 0);
        assert_null(c.entrypoint);
        assert_null(c.user);
        assert_int_equal(c.n_ports, 0);
        img_config_release(&c);
        assert_int_equal(img_config_parse("{}", 2, &c, NULL), 0);
        img_config_release(&c);
}

static void config_bad(void **state) {
        (void)state;
        const char *bad[] = {
            "[]",
            "{\"config\":[]}",
            "{\"config\":{\"Env\":\"A=b\"}}",
            "{\"config\":{\"Env\":[\"novalue\"]}}",
            "{\"config\":{\"Cmd\":[1]}}",
            "{\"config\":{\"ExposedPorts\":{\"0/tcp\":{}}}}",
            "{\"config\":{\"ExposedPorts\":{\"65536\":{}}}}",
            "{\"config\":{\"ExposedPorts\":{\"80/icmp\":{}}}}",
            "{\"config\":{\"ExposedPorts\":{\"80x\":{}}}}",
            "{\"config\":{\"Labels\":{\"a\":1}}}",
            "{\"config\":{\"User\":5}}",
            "{\"config\":{}} trailing",
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                img_config c;
                ocx_error *e = NULL;
                if (img_config_parse(bad[i], strlen(bad[i]), &c, &e) >= 0) fail_msg("accepted %s", bad[i]);
                assert_non_null(e);
                ocx_error_free(e);
        }
        ocx_error *e = NULL;
        img_config c;
        const char *j = "{\"config\":{\"ExposedPorts\":{\"abc\":{}}}}";
        assert_int_equal(img_config_parse(j, strlen(j), &c, &e), -EINVAL);
        assert_string_equal(e->field, "config.ExposedPorts");
        ocx_error_free(e);
}

static void manifest_docker_and_oci(void **state) {
        (void)state;
        const char *m =
            "{\"schemaVersion\":2,\"mediaType\":\"" IMG_MT_DOCKER_MANIFEST
            "\",\"config\":{\"mediaType\":\"" IMG_MT_DOCKER_CONFIG "\",\"size\":7,\"digest\":\"" D1
            "\"},\"layers\":[{\"mediaType\":\"" IMG_MT_DOCKER_LAYER "\",\"size\":100,\"digest\":\"" D2 "\"}]}";
        img_manifest mf;
        assert_int_equal(img_manifest_parse(m, strlen(m), IMG_MT_DOCKER_MANIFEST, &mf, NULL), 0);
        assert_string_equal(mf.config.digest, D1);
        assert_int_equal(mf.n_layers, 1);
        assert_int_equal(mf.layers[0].size, 100);
        assert_true(img_layer_media_type_ok(mf.layers[0].media_type));
        img_manifest_release(&mf);
        /* OCI without mediaType member, told by Content-Type */
        const char *o = "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"" IMG_MT_OCI_CONFIG
                        "\",\"size\":7,\"digest\":\"" D1 "\"},\"layers\":[]}";
        assert_int_equal(img_manifest_parse(o, strlen(o), IMG_MT_OCI_MANIFEST, &mf, NULL), 0);
        assert_string_equal(mf.media_type, IMG_MT_OCI_MANIFEST);
        img_manifest_release(&mf);
        assert_int_equal(img_manifest_parse(o, strlen(o), "", &mf, NULL), 0); /* sniffed */
        img_manifest_release(&mf);
        ocx_error *e = NULL;
        const char *s1 = "{\"schemaVersion\":1,\"name\":\"x\"}";
        assert_int_equal(
            img_manifest_parse(s1, strlen(s1), "application/vnd.docker.distribution.manifest.v1+prettyjws", &mf, &e),
            -ENOTSUP);
        ocx_error_free(e);
        e = NULL;
        const char *bad = "{\"schemaVersion\":2,\"config\":{\"size\":-1,\"digest\":\"" D1 "\"},\"layers\":[]}";
        assert_int_equal(img_manifest_parse(bad, strlen(bad), IMG_MT_OCI_MANIFEST, &mf, &e), -EINVAL);
        ocx_error_free(e);
        e = NULL;
        const char *bad2 = "{\"schemaVersion\":2,\"config\":{\"size\":1,\"digest\":\"sha256:../../x\"},\"layers\":[]}";
        assert_int_equal(img_manifest_parse(bad2, strlen(bad2), IMG_MT_OCI_MANIFEST, &mf, &e), -EINVAL);
        ocx_error_free(e);
}

static void index_pick(void **state) {
        (void)state;
        const char *ix =
            "{\"schemaVersion\":2,\"mediaType\":\"" IMG_MT_OCI_INDEX "\",\"manifests\":["
            "{\"digest\":\"" D1 "\",\"size\":1,\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\"}},"
            "{\"digest\":\"" D2 "\",\"size\":1,\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}}]}";
        assert_true(img_manifest_is_index(ix, strlen(ix), ""));
        assert_true(img_manifest_is_index(ix, strlen(ix), IMG_MT_DOCKER_LIST));
        char *d = NULL;
        assert_int_equal(img_manifest_pick(ix, strlen(ix), "linux", "amd64", &d, NULL), 0);
        assert_string_equal(d, D2);
        free(d);
        ocx_error *e = NULL;
        assert_int_equal(img_manifest_pick(ix, strlen(ix), "linux", "s390x", &d, &e), -ENOTSUP);
        ocx_error_free(e);
}

int main(void) {
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(config_full), cmocka_unit_test(config_empty_and_null),
            cmocka_unit_test(config_bad),  cmocka_unit_test(manifest_docker_and_oci),
            cmocka_unit_test(index_pick),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
