#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include "ocx/json.h"
#include "ocx/yaml.h"

static cJSON *Y(const char *s) {
        cJSON *j = NULL;
        _cleanup_error_ ocx_error *e = NULL;
        if (ocx_yaml_parse_stream(s, strlen(s), &j, &e) < 0) fail_msg("yaml: %s", e->message);
        return j;
}

static cJSON *J(const char *s) {
        cJSON *j = NULL;
        _cleanup_error_ ocx_error *e = NULL;
        if (ocx_json_parse(s, strlen(s), &j, &e) < 0) fail_msg("json: %s", e->message);
        return j;
}

/* one YAML document -> compact JSON of its value */
static char *y2j(const char *yaml) {
        _cleanup_json_ cJSON *a = Y(yaml);
        assert_int_equal(cJSON_GetArraySize(a), 1);
        return ocx_json_print(a->child);
}

static char *j2y(const char *json) {
        _cleanup_json_ cJSON *j = J(json);
        ocx_buf b = OCX_BUF_INIT;
        assert_int_equal(ocx_yaml_write(&b, j), 0);
        return ocx_buf_detach(&b, NULL);
}

static void assert_yaml_error(const char *yaml, const char *msg) {
        cJSON *j = NULL;
        _cleanup_error_ ocx_error *e = NULL;
        assert_int_equal(ocx_yaml_parse_stream(yaml, strlen(yaml), &j, &e), -EINVAL);
        assert_null(j);
        assert_string_equal(e->message, msg);
}

static void scalars(void **state) {
        (void)state;
        static const struct {
                const char *yaml, *json;
        } cases[] = {
                {"a: true", "{\"a\":true}"},
                {"a: yes", "{\"a\":true}"},
                {"a: Off", "{\"a\":false}"},
                {"a: y", "{\"a\":true}"},
                {"a: NO", "{\"a\":false}"},
                {"a: tRUE", "{\"a\":\"tRUE\"}"},
                {"a: \"true\"", "{\"a\":\"true\"}"},
                {"a: 'yes'", "{\"a\":\"yes\"}"},
                {"a: !!str true", "{\"a\":\"true\"}"},
                {"a: ~", "{\"a\":null}"},
                {"a:", "{\"a\":null}"},
                {"a: Null", "{\"a\":null}"},
                {"a: 42", "{\"a\":42}"},
                {"a: -17", "{\"a\":-17}"},
                {"a: +5", "{\"a\":5}"},
                {"a: 0x1F", "{\"a\":31}"},
                {"a: 0o17", "{\"a\":15}"},
                {"a: 017", "{\"a\":15}"},
                {"a: 09", "{\"a\":9}"},
                {"a: 1_000", "{\"a\":1000}"},
                {"a: 0b101", "{\"a\":5}"},
                {"a: .5", "{\"a\":0.5}"},
                {"a: 1e3", "{\"a\":1000}"},
                {"a: -1.25", "{\"a\":-1.25}"},
                {"a: 1e400", "{\"a\":\"1e400\"}"},
                {"a: 0x", "{\"a\":\"0x\"}"},
                {"a: 1.2.3", "{\"a\":\"1.2.3\"}"},
                {"a: 2020-01-01", "{\"a\":\"2020-01-01\"}"},
                {"a: 1:20", "{\"a\":\"1:20\"}"},
                {"a: \"8080\"", "{\"a\":\"8080\"}"},
                {"a: |\n  x\n  y\n", "{\"a\":\"x\\ny\\n\"}"},
                {"a: >-\n  x\n  y\n", "{\"a\":\"x y\"}"},
                {"1: a\ntrue: b\n~: c\n1.5: d", "{\"1\":\"a\",\"true\":\"b\",\"null\":\"c\",\"1.5\":\"d\"}"},
                {"x: [1, two, {k: v}]", "{\"x\":[1,\"two\",{\"k\":\"v\"}]}"},
                {"- a\n- b", "[\"a\",\"b\"]"},
                {"plain text", "\"plain text\""},
        };
        for (size_t i = 0; i < OCX_ARRAY_SIZE(cases); i++) {
                _cleanup_free_ char *got = y2j(cases[i].yaml);
                if (strcmp(got, cases[i].json) != 0) fail_msg("%s: got %s want %s", cases[i].yaml, got, cases[i].json);
        }
}

static void anchors_and_merge(void **state) {
        (void)state;
        _cleanup_free_ char *a = y2j("base: &b {x: 1, z: 2}\nd:\n  <<: *b\n  z: 3\nl: &l [1]\nm: *l\n");
        assert_string_equal(a, "{\"base\":{\"x\":1,\"z\":2},\"d\":{\"z\":3,\"x\":1},\"l\":[1],\"m\":[1]}");
        _cleanup_free_ char *b = y2j("a: &a {p: 1}\nb: &b {p: 2, q: 2}\nc:\n  <<: [*a, *b]\n");
        assert_string_equal(b, "{\"a\":{\"p\":1},\"b\":{\"p\":2,\"q\":2},\"c\":{\"p\":1,\"q\":2}}");
        _cleanup_free_ char *c = y2j("&k key: v\nother: *k\n");
        assert_string_equal(c, "{\"key\":\"v\",\"other\":\"key\"}");
        assert_yaml_error("a: &x [1, *x]\n", "yaml: line 1: anchor 'x' value contains itself");
        assert_yaml_error("a: 1\nb: *nope\n", "yaml: line 2: unknown anchor 'nope' referenced");
        assert_yaml_error("a: 1\nb:\n  <<: 5\n", "yaml: line 3: map merge requires map or sequence of maps as the value");
}

static void alias_bomb(void **state) {
        (void)state;
        const char *lol = "a: &a [x,x,x,x,x,x,x,x,x,x]\n"
                          "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
                          "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
                          "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
                          "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
                          "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
                          "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
                          "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g,*g]\n";
        assert_yaml_error(lol, "yaml: document contains excessive aliasing");
        /* a few levels are fine */
        _cleanup_json_ cJSON *ok = Y("a: &a [x,x]\nb: &b [*a,*a]\nc: [*b,*b]\n");
        _cleanup_free_ char *s = ocx_json_print(ok);
        assert_string_equal(s, "[{\"a\":[\"x\",\"x\"],\"b\":[[\"x\",\"x\"],[\"x\",\"x\"]],"
                               "\"c\":[[[\"x\",\"x\"],[\"x\",\"x\"]],[[\"x\",\"x\"],[\"x\",\"x\"]]]}]");
}

static void nesting(void **state) {
        (void)state;
        char deep[512];
        size_t n = 0;
        for (int i = 0; i < OCX_JSON_MAX_DEPTH; i++) deep[n++] = '[';
        for (int i = 0; i < OCX_JSON_MAX_DEPTH; i++) deep[n++] = ']';
        deep[n] = 0;
        _cleanup_json_ cJSON *ok = Y(deep);
        assert_non_null(ok);
        n = 0;
        for (int i = 0; i <= OCX_JSON_MAX_DEPTH; i++) deep[n++] = '[';
        for (int i = 0; i <= OCX_JSON_MAX_DEPTH; i++) deep[n++] = ']';
        deep[n] = 0;
        assert_yaml_error(deep, "yaml: line 1: nesting deeper than 100");
        /* block style: "a:\n b:\n  c: ..." one level per line */
        ocx_buf b = OCX_BUF_INIT;
        for (int i = 0; i <= OCX_JSON_MAX_DEPTH; i++) {
                for (int k = 0; k < i; k++) ocx_buf_puts(&b, " ");
                ocx_buf_puts(&b, "k:\n");
        }
        assert_yaml_error(b.data, "yaml: line 101: nesting deeper than 100");
        ocx_buf_release(&b);
        /* an alias may not smuggle extra depth in */
        ocx_buf_puts(&b, "a: &x [[[[[1]]]]]\nb: ");
        for (int i = 0; i < OCX_JSON_MAX_DEPTH - 3; i++) ocx_buf_puts(&b, "[");
        ocx_buf_puts(&b, "*x");
        for (int i = 0; i < OCX_JSON_MAX_DEPTH - 3; i++) ocx_buf_puts(&b, "]");
        assert_yaml_error(b.data, "yaml: line 2: nesting deeper than 100");
        ocx_buf_release(&b);
}

static void errors(void **state) {
        (void)state;
        assert_yaml_error("a: 1\nb: 2\n  c: 3\n", "yaml: line 3: mapping values are not allowed in this context");
        assert_yaml_error("a:\n\tb: 1\n", "yaml: line 2: found character that cannot start any token");
        assert_yaml_error("a: [1, 2\nb: 3\n", "yaml: line 2: did not find expected ',' or ']'");
        assert_yaml_error("a: 1\nb:\n  x: 1\n  y: 2\n  x: 3\n", "yaml: line 5: duplicate key 'x'");
        assert_yaml_error("x: 1\n\"x\": 2\n", "yaml: line 2: duplicate key 'x'");
        assert_yaml_error("? [a]\n: 1\n", "yaml: line 1: mapping keys must be scalars");
        assert_yaml_error("a: .inf\n", "yaml: line 1: cannot represent '.inf' in JSON");
        assert_yaml_error("a: b\x01\n", "yaml: line 1: control characters are not allowed");
        assert_yaml_error("a: \"x\\0y\"\n", "yaml: line 1: strings may not contain NUL characters");
}

static void multi_document(void **state) {
        (void)state;
        _cleanup_json_ cJSON *a = Y("# leading comment\n---\na: 1\n---\n# only a comment\n---\n~\n---\n- 2\n...\n");
        _cleanup_free_ char *s = ocx_json_print(a);
        assert_string_equal(s, "[{\"a\":1},[2]]");
        _cleanup_json_ cJSON *e = Y("");
        assert_int_equal(cJSON_GetArraySize(e), 0);
}

static void manifests(void **state) {
        (void)state;
        const char *y = "apiVersion: v1\nkind: List\nitems:\n- kind: Service\n  metadata: {name: a}\n"
                        "- kind: Route\n  metadata: {name: b}\n---\nkind: Pod\nmetadata:\n  name: c\n---\n"
                        "kind: ConfigMapList\nitems: []\n";
        _cleanup_json_ cJSON *a = NULL;
        assert_int_equal(ocx_decode_manifests(y, strlen(y), &a, NULL), 0);
        _cleanup_free_ char *s = ocx_json_print(a);
        assert_string_equal(s, "[{\"kind\":\"Service\",\"metadata\":{\"name\":\"a\"}},"
                               "{\"kind\":\"Route\",\"metadata\":{\"name\":\"b\"}},"
                               "{\"kind\":\"Pod\",\"metadata\":{\"name\":\"c\"}}]");

        const char *js = "\n {\"kind\": \"Pod\", \"metadata\": {\"name\": \"p\"}}\n";
        _cleanup_json_ cJSON *b = NULL;
        assert_int_equal(ocx_decode_manifests(js, strlen(js), &b, NULL), 0);
        assert_string_equal(ocx_json_path_str(b->child, "metadata.name"), "p");

        static const struct {
                const char *in, *msg;
        } bad[] = {
                {"{\"a\": 1, \"a\": 2}", "invalid JSON: duplicate key 'a'"},
                {"{\"a\": [1, }", "invalid JSON at line 1, column 11: unexpected character '}'"},
                {"- 1\n- 2\n", "document 1: expected an object, got a list"},
                {"kind: A\n---\nhello\n", "document 2: expected an object, got a string"},
                {"kind: List\nitems: [1]\n", "document 1: items[0]: expected an object, got a number"},
                {"kind: Pod\n metadata: x\n", "yaml: line 2: mapping values are not allowed in this context"},
        };
        for (size_t i = 0; i < OCX_ARRAY_SIZE(bad); i++) {
                cJSON *c = NULL;
                _cleanup_error_ ocx_error *e = NULL;
                assert_int_equal(ocx_decode_manifests(bad[i].in, strlen(bad[i].in), &c, &e), -EINVAL);
                assert_null(c);
                assert_string_equal(e->message, bad[i].msg);
        }
}

static void write_kubectl_style(void **state) {
        (void)state;
        const char *route =
                "{\"kind\":\"Route\",\"apiVersion\":\"route.openshift.io/v1\",\"metadata\":{\"name\":\"kinesis\","
                "\"namespace\":\"test\",\"uid\":\"0b6f3c0e-1b1d-4c2a-9f55-3f2f6c1d7a10\",\"resourceVersion\":\"42\","
                "\"creationTimestamp\":\"2026-11-26T20:44:38Z\",\"labels\":{\"app\":\"localstack\"},"
                "\"annotations\":{\"openshift.io/host.generated\":\"true\"}},\"spec\":{\"host\":"
                "\"kinesis-test.127.0.0.1.nip.io\",\"to\":{\"kind\":\"Service\",\"name\":\"localstack\",\"weight\":100},"
                "\"port\":{\"targetPort\":\"4568-tcp\"},\"wildcardPolicy\":\"None\"},\"status\":{\"ingress\":"
                "[{\"host\":\"kinesis-test.127.0.0.1.nip.io\",\"routerName\":\"router\",\"conditions\":[{\"type\":"
                "\"Admitted\",\"status\":\"True\",\"lastTransitionTime\":\"2026-11-26T20:44:38Z\"}],"
                "\"wildcardPolicy\":\"None\"}]}}";
        const char *want = "apiVersion: route.openshift.io/v1\n"
                           "kind: Route\n"
                           "metadata:\n"
                           "  annotations:\n"
                           "    openshift.io/host.generated: \"true\"\n"
                           "  creationTimestamp: \"2026-11-26T20:44:38Z\"\n"
                           "  labels:\n"
                           "    app: localstack\n"
                           "  name: kinesis\n"
                           "  namespace: test\n"
                           "  resourceVersion: \"42\"\n"
                           "  uid: 0b6f3c0e-1b1d-4c2a-9f55-3f2f6c1d7a10\n"
                           "spec:\n"
                           "  host: kinesis-test.127.0.0.1.nip.io\n"
                           "  port:\n"
                           "    targetPort: 4568-tcp\n"
                           "  to:\n"
                           "    kind: Service\n"
                           "    name: localstack\n"
                           "    weight: 100\n"
                           "  wildcardPolicy: None\n"
                           "status:\n"
                           "  ingress:\n"
                           "  - conditions:\n"
                           "    - lastTransitionTime: \"2026-11-26T20:44:38Z\"\n"
                           "      status: \"True\"\n"
                           "      type: Admitted\n"
                           "    host: kinesis-test.127.0.0.1.nip.io\n"
                           "    routerName: router\n"
                           "    wildcardPolicy: None\n";
        _cleanup_free_ char *got = j2y(route);
        assert_string_equal(got, want);
}

static void write_quoting(void **state) {
        (void)state;
        static const struct {
                const char *json, *yaml;
        } cases[] = {
                {"{\"a\":\"true\"}", "a: \"true\"\n"},
                {"{\"a\":\"yes\"}", "a: \"yes\"\n"},
                {"{\"a\":\"y\"}", "a: \"y\"\n"},
                {"{\"a\":\"null\"}", "a: \"null\"\n"},
                {"{\"a\":\"~\"}", "a: \"~\"\n"},
                {"{\"a\":\"\"}", "a: \"\"\n"},
                {"{\"a\":\"123\"}", "a: \"123\"\n"},
                {"{\"a\":\"0x1F\"}", "a: \"0x1F\"\n"},
                {"{\"a\":\"1.5\"}", "a: \"1.5\"\n"},
                {"{\"a\":\"1:20\"}", "a: \"1:20\"\n"},
                {"{\"a\":\"2020-01-01\"}", "a: \"2020-01-01\"\n"},
                {"{\"a\":\"1.2.3\"}", "a: 1.2.3\n"},
                {"{\"a\":\"a: b\"}", "a: 'a: b'\n"},
                {"{\"a\":\"*\"}", "a: '*'\n"},
                {"{\"a\":\"- x\"}", "a: '- x'\n"},
                {"{\"a\":\"#x\"}", "a: '#x'\n"},
                {"{\"a\":\" x\"}", "a: ' x'\n"},
                {"{\"a\":\"it's\"}", "a: it's\n"},
                {"{\"a\":\"{x}\"}", "a: '{x}'\n"},
                {"{\"a\":\"a\\tb\"}", "a: \"a\\tb\"\n"},
                {"{\"a\":\"l1\\nl2\"}", "a: |-\n  l1\n  l2\n"},
                {"{\"a\":\"l1\\nl2\\n\"}", "a: |\n  l1\n  l2\n"},
                {"{\"a\":\"héllo\"}", "a: héllo\n"},
                {"{\"a\":1,\"b\":-2.5,\"c\":1e-7,\"d\":true,\"e\":null}", "a: 1\nb: -2.5\nc: 1e-07\nd: true\ne: null\n"},
                {"{\"m\":{},\"l\":[]}", "l: []\nm: {}\n"},
                {"{}", "{}\n"},
                {"{\"items\":[{\"a\":1,\"b\":2},[1,2],\"s\"]}", "items:\n- a: 1\n  b: 2\n- - 1\n  - 2\n- s\n"},
                /* go-yaml's natural key order */
                {"{\"x10\":1,\"x2\":1,\"B\":1,\"a\":1,\"a-b\":1,\"ab\":1,\"\":1}",
                 "\"\": 1\nB: 1\na: 1\na-b: 1\nab: 1\nx2: 1\nx10: 1\n"},
        };
        for (size_t i = 0; i < OCX_ARRAY_SIZE(cases); i++) {
                _cleanup_free_ char *got = j2y(cases[i].json);
                if (strcmp(got, cases[i].yaml) != 0) fail_msg("%s: got [%s] want [%s]", cases[i].json, got, cases[i].yaml);
        }
        /* long plain strings are folded at 80 columns like go-yaml v2 does */
        _cleanup_free_ char *lg = j2y("{\"d\":\"aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj kkkk llll mmmm nnnn "
                                      "oooo pppp qqqq\"}");
        assert_string_equal(lg, "d: aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj kkkk llll mmmm nnnn oooo pppp\n"
                                "  qqqq\n");
}

static void write_cap(void **state) {
        (void)state;
        ocx_buf b;
        ocx_buf_init(&b, 16);
        ocx_buf_puts(&b, "keep");
        _cleanup_json_ cJSON *j = J("{\"a\":\"a fairly long value that does not fit\"}");
        assert_int_equal(ocx_yaml_write(&b, j), -E2BIG);
        assert_string_equal(b.data, "keep");
        ocx_buf_release(&b);
}

static const char *const roundtrip_docs[] = {
        /* Route (the chapter's route.yaml) */
        "apiVersion: route.openshift.io/v1\nkind: Route\nmetadata:\n  name: kinesis-test\n  labels:\n    app: "
        "localstack\nspec:\n  host: kinesis-test.127.0.0.1.nip.io\n  to:\n    kind: Service\n    name: localstack\n"
        "  port:\n    targetPort: 4568-tcp\n  tls:\n    termination: edge\n    insecureEdgeTerminationPolicy: Redirect\n",
        /* Pod */
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  annotations:\n    openshift.io/scc: restricted\n"
        "spec:\n  containers:\n  - name: web\n    image: registry:5000/test/web@sha256:0123abcd\n    command: [\"/bin/sh\", "
        "\"-c\", \"echo 'hi: there' && sleep 3600\"]\n    env:\n    - name: DEBUG\n      value: \"true\"\n    - name: "
        "PORT\n      value: \"8080\"\n    - name: EMPTY\n      value: \"\"\n    ports:\n    - containerPort: 8080\n      "
        "protocol: TCP\n    securityContext:\n      runAsUser: 1000620000\n      capabilities:\n        drop: [KILL, "
        "MKNOD, SETUID, SETGID]\n  restartPolicy: Always\nstatus:\n  phase: Running\n  podIP: 10.128.0.5\n",
        /* SCC */
        "apiVersion: security.openshift.io/v1\nkind: SecurityContextConstraints\nmetadata:\n  name: restricted\n"
        "  annotations:\n    kubernetes.io/description: |\n      restricted denies access to all host features and "
        "requires\n      pods to be run with a UID, and SELinux context that are allocated to the namespace.\n"
        "allowHostDirVolumePlugin: false\nallowHostIPC: false\nallowPrivilegedContainer: false\nallowedCapabilities: "
        "null\ndefaultAddCapabilities: null\nfsGroup:\n  type: MustRunAs\npriority: null\nreadOnlyRootFilesystem: "
        "false\nrequiredDropCapabilities:\n- KILL\n- MKNOD\n- SETUID\n- SETGID\nrunAsUser:\n  type: "
        "MustRunAsRange\nseLinuxContext:\n  type: MustRunAs\nsupplementalGroups:\n  type: RunAsAny\nusers: []\n"
        "groups:\n- system:authenticated\nvolumes:\n- configMap\n- downwardAPI\n- emptyDir\n- "
        "persistentVolumeClaim\n- projected\n- secret\n",
        /* ConfigMap with odd keys and values */
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: odd\ndata:\n  \"yes\": \"no\"\n  \"on\": \"1\"\n  "
        "\"null\": \"~\"\n  \"123\": \"0x10\"\n  \"\": \"empty key\"\n  \"key: colon\": \"value: colon\"\n  \"#hash\": "
        "\"- dash\"\n  \"*star\": \"&amp\"\n  \" spaced \": \" padded \"\n  multi: |\n    line one\n    line two\n"
        "  trailing: \"x\\n\\n\"\n  tabs: \"a\\tb\"\n  quote: \"it's \\\"quoted\\\"\"\n  unicode: \"日本語 ✓\"\n  "
        "version: \"1.10\"\n  date: \"2021-03-04\"\n  sexagesimal: \"1:30\"\n  long: \"" 
        "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et "
        "dolore magna aliqua.\"\n",
};

static void roundtrip(void **state) {
        (void)state;
        for (size_t i = 0; i < OCX_ARRAY_SIZE(roundtrip_docs); i++) {
                _cleanup_json_ cJSON *a = Y(roundtrip_docs[i]);
                assert_int_equal(cJSON_GetArraySize(a), 1);
                ocx_buf b = OCX_BUF_INIT;
                assert_int_equal(ocx_yaml_write(&b, a->child), 0);
                _cleanup_json_ cJSON *c = Y(b.data);
                if (!ocx_json_equal(a, c)) {
                        _cleanup_free_ char *x = ocx_json_print(a), *y = ocx_json_print(c);
                        fail_msg("doc %zu changed:\n%s\n%s\n%s", i, b.data, x, y);
                }
                /* writing again gives the same bytes */
                ocx_buf b2 = OCX_BUF_INIT;
                assert_int_equal(ocx_yaml_write(&b2, c->child), 0);
                assert_string_equal(b.data, b2.data);
                ocx_buf_release(&b);
                ocx_buf_release(&b2);
        }
        /* strings that look like other types survive as strings */
        _cleanup_json_ cJSON *cm = Y(roundtrip_docs[3]);
        const cJSON *data = ocx_json_get(cm->child, "data");
        assert_string_equal(ocx_json_get_str(data, "yes"), "no");
        assert_string_equal(ocx_json_get_str(data, "null"), "~");
        assert_string_equal(ocx_json_get_str(data, "version"), "1.10");
        assert_string_equal(ocx_json_get_str(data, "trailing"), "x\n\n");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(scalars),        cmocka_unit_test(anchors_and_merge),
                cmocka_unit_test(alias_bomb),     cmocka_unit_test(nesting),
                cmocka_unit_test(errors),         cmocka_unit_test(multi_document),
                cmocka_unit_test(manifests),      cmocka_unit_test(write_kubectl_style),
                cmocka_unit_test(write_quoting),  cmocka_unit_test(write_cap),
                cmocka_unit_test(roundtrip),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
