/* node/volumes.h and node/apiaccess.h: rendering configMap, secret,
 * downwardAPI and projected volumes and the token mount from objects, the
 * atomic writer, paths inside a container root, the pod-side API address. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "node/apiaccess.h"
#include "node/volumes.h"
#include "ocx/buf.h"
#include "ocx/json.h"

static cJSON *parse(const char *s) {
        cJSON *o = NULL;
        assert_int_equal(ocx_json_parse(s, strlen(s), &o, NULL), 0);
        return o;
}

/* the objects a lookup finds: "plural/ns/name" → JSON */
static const char *const objects[][2] = {
    {"configmaps/p/cfg",
     "{\"metadata\":{\"name\":\"cfg\"},\"data\":{\"a\":\"1\",\"b\":\"two\"},\"binaryData\":{\"bin\":\"AAEC\"}}"},
    {"secrets/p/sec", "{\"metadata\":{\"name\":\"sec\"},\"data\":{\"password\":\"czNjcmV0\"}}"},
    {"serviceaccounts/p/default",
     "{\"metadata\":{\"name\":\"default\"},\"secrets\":[{\"name\":\"other\"},{\"name\":\"default-token-x\"}]}"},
    {"secrets/p/other", "{\"metadata\":{\"name\":\"other\"},\"type\":\"Opaque\",\"data\":{\"token\":\"bm8=\"}}"},
    {"secrets/p/default-token-x",
     "{\"metadata\":{\"name\":\"default-token-x\",\"annotations\":{\"kubernetes.io/"
     "service-account.name\":\"default\"}},"
     "\"type\":\"kubernetes.io/"
     "service-account-token\",\"data\":{\"token\":\"dG9r\",\"ca.crt\":\"Y2E=\",\"namespace\":\"cA==\"}}"},
    {"serviceaccounts/p/quiet", "{\"metadata\":{\"name\":\"quiet\"},\"automountServiceAccountToken\":false}"},
    {"serviceaccounts/p/new", "{\"metadata\":{\"name\":\"new\"}}"},
};

static int lookup(void *ud, const char *plural, const char *ns, const char *name, cJSON **ret) {
        (void)ud;
        char key[256];
        snprintf(key, sizeof(key), "%s/%s/%s", plural, ns, name);
        for (size_t i = 0; i < sizeof(objects) / sizeof(objects[0]); i++)
                if (strcmp(objects[i][0], key) == 0) {
                        *ret = parse(objects[i][1]);
                        return 0;
                }
        return -ENOENT;
}

static const char *POD =
    "{\"metadata\":{\"name\":\"web\",\"namespace\":\"p\",\"uid\":\"u-1\",\"labels\":{\"z\":\"last\",\"app\":\"a\\\"b\"}"
    ","
    "\"annotations\":{\"note\":\"x\\ny\"}},\"spec\":{\"serviceAccountName\":\"default\",\"nodeName\":\"n1\"}}";

static const vol_file *find(const vol_files *f, const char *path) {
        for (size_t i = 0; i < f->n; i++)
                if (strcmp(f->v[i].path, path) == 0) return &f->v[i];
        return NULL;
}

static int render(const char *pod, const char *vol, vol_files *f, char **ret_msg) {
        cJSON *p = parse(pod), *v = parse(vol);
        vol_ctx c = {.pod = p, .pod_ip = "10.1.0.5", .lookup = lookup};
        ocx_error *e = NULL;
        int r = vol_render(&c, v, f, &e);
        if (ret_msg) *ret_msg = e ? strdup(e->message) : NULL;
        ocx_error_free(e);
        cJSON_Delete(p);
        cJSON_Delete(v);
        return r;
}

static void paths(void **state) {
        (void)state;
        assert_true(vol_path_ok("a"));
        assert_true(vol_path_ok("a/b.txt"));
        assert_false(vol_path_ok("..a")); /* ".." starts the writer's own entries */
        assert_true(vol_path_ok("a..b/.c"));
        assert_false(vol_path_ok(".."));
        assert_false(vol_path_ok("..data"));
        assert_false(vol_path_ok("a/../b"));
        assert_false(vol_path_ok("/etc/passwd"));
        assert_false(vol_path_ok("a//b"));
        assert_false(vol_path_ok("a/"));
        assert_false(vol_path_ok(""));
        assert_false(vol_path_ok("./a"));
}

static void config_map(void **state) {
        (void)state;
        vol_files f = {0};
        assert_int_equal(render(POD, "{\"name\":\"v\",\"configMap\":{\"name\":\"cfg\"}}", &f, NULL), 0);
        assert_int_equal(f.n, 3);
        assert_string_equal(find(&f, "a")->data, "1");
        assert_int_equal(find(&f, "a")->mode, 0644);
        const vol_file *bin = find(&f, "bin");
        assert_int_equal(bin->len, 3);
        assert_memory_equal(bin->data, "\0\1\2", 3);
        vol_files_release(&f);
        /* items: path, mode, defaultMode */
        assert_int_equal(
            render(POD,
                   "{\"name\":\"v\",\"configMap\":{\"name\":\"cfg\",\"defaultMode\":256,"
                   "\"items\":[{\"key\":\"b\",\"path\":\"d/b.txt\"},{\"key\":\"a\",\"path\":\"a\",\"mode\":384}]}}",
                   &f, NULL),
            0);
        assert_int_equal(f.n, 2);
        assert_string_equal(find(&f, "d/b.txt")->data, "two");
        assert_int_equal(find(&f, "d/b.txt")->mode, 0400);
        assert_int_equal(find(&f, "a")->mode, 0600);
        vol_files_release(&f);
        /* missing: waits unless optional */
        char *msg = NULL;
        assert_int_equal(render(POD, "{\"name\":\"v\",\"configMap\":{\"name\":\"nope\"}}", &f, &msg), -EAGAIN);
        assert_non_null(strstr(msg, "configmap \"nope\" not found"));
        free(msg);
        assert_int_equal(render(POD, "{\"name\":\"v\",\"configMap\":{\"name\":\"nope\",\"optional\":true}}", &f, NULL),
                         0);
        assert_int_equal(f.n, 0);
        assert_int_equal(
            render(POD, "{\"name\":\"v\",\"configMap\":{\"name\":\"cfg\",\"items\":[{\"key\":\"zz\",\"path\":\"z\"}]}}",
                   &f, &msg),
            -EAGAIN);
        assert_non_null(strstr(msg, "no key 'zz'"));
        free(msg);
        /* bad paths and modes */
        assert_int_equal(
            render(POD,
                   "{\"name\":\"v\",\"configMap\":{\"name\":\"cfg\",\"items\":[{\"key\":\"a\",\"path\":\"../x\"}]}}",
                   &f, NULL),
            -EINVAL);
        vol_files_release(&f);
        assert_int_equal(
            render(POD, "{\"name\":\"v\",\"configMap\":{\"name\":\"cfg\",\"defaultMode\":4096}}", &f, NULL), -EINVAL);
        vol_files_release(&f);
        assert_int_equal(
            render(POD,
                   "{\"name\":\"v\",\"configMap\":{\"name\":\"cfg\",\"items\":[{\"key\":\"a\",\"path\":\"x\"},"
                   "{\"key\":\"b\",\"path\":\"x/y\"}]}}",
                   &f, NULL),
            -EINVAL);
        vol_files_release(&f);
}

static void secret_and_downward(void **state) {
        (void)state;
        vol_files f = {0};
        assert_int_equal(
            render(POD, "{\"name\":\"v\",\"secret\":{\"secretName\":\"sec\",\"defaultMode\":288}}", &f, NULL), 0);
        assert_string_equal(find(&f, "password")->data, "s3cret");
        assert_int_equal(find(&f, "password")->mode, 0440);
        vol_files_release(&f);
        assert_int_equal(render(POD,
                                "{\"name\":\"v\",\"downwardAPI\":{\"items\":["
                                "{\"path\":\"labels\",\"fieldRef\":{\"fieldPath\":\"metadata.labels\"}},"
                                "{\"path\":\"ann\",\"fieldRef\":{\"fieldPath\":\"metadata.annotations\"}},"
                                "{\"path\":\"one\",\"fieldRef\":{\"fieldPath\":\"metadata.labels['z']\"}},"
                                "{\"path\":\"ip\",\"fieldRef\":{\"fieldPath\":\"status.podIP\"}},"
                                "{\"path\":\"n/name\",\"fieldRef\":{\"fieldPath\":\"metadata.name\"}}]}}",
                                &f, NULL),
                         0);
        assert_string_equal(find(&f, "labels")->data, "app=\"a\\\"b\"\nz=\"last\"");
        assert_string_equal(find(&f, "ann")->data, "note=\"x\\ny\"");
        assert_string_equal(find(&f, "one")->data, "last");
        assert_string_equal(find(&f, "ip")->data, "10.1.0.5");
        assert_string_equal(find(&f, "n/name")->data, "web");
        vol_files_release(&f);
        assert_int_equal(render(POD,
                                "{\"name\":\"v\",\"downwardAPI\":{\"items\":[{\"path\":\"x\",\"fieldRef\":{"
                                "\"fieldPath\":\"spec.nope\"}}]}}",
                                &f, NULL),
                         -EINVAL);
        vol_files_release(&f);
        cJSON *m = parse("{}");
        char *s = vol_format_map(m);
        assert_string_equal(s, "");
        free(s);
        cJSON_Delete(m);
}

static void projected_and_token(void **state) {
        (void)state;
        vol_files f = {0};
        assert_int_equal(render(POD,
                                "{\"name\":\"v\",\"projected\":{\"defaultMode\":420,\"sources\":["
                                "{\"serviceAccountToken\":{\"path\":\"token\",\"expirationSeconds\":3600}},"
                                "{\"configMap\":{\"name\":\"cfg\",\"items\":[{\"key\":\"a\",\"path\":\"a\"}]}},"
                                "{\"secret\":{\"name\":\"sec\"}},"
                                "{\"downwardAPI\":{\"items\":[{\"path\":\"ns\",\"fieldRef\":{\"fieldPath\":\"metadata."
                                "namespace\"}}]}}]}}",
                                &f, NULL),
                         0);
        assert_int_equal(f.n, 4);
        assert_string_equal(find(&f, "token")->data, "tok"); /* from the token Secret, not "other" */
        assert_string_equal(find(&f, "a")->data, "1");
        assert_string_equal(find(&f, "password")->data, "s3cret");
        assert_string_equal(find(&f, "ns")->data, "p");
        vol_files_release(&f);
        /* the automatic mount */
        cJSON *pod = parse(POD);
        vol_ctx c = {.pod = pod, .lookup = lookup};
        bool on = false;
        assert_int_equal(vol_sa_automount(&c, &on), 0);
        assert_true(on);
        assert_int_equal(vol_render_sa(&c, &f, NULL), 0);
        assert_string_equal(find(&f, "token")->data, "tok");
        assert_string_equal(find(&f, "ca.crt")->data, "ca");
        assert_string_equal(find(&f, "namespace")->data, "p");
        vol_files_release(&f);
        cJSON_Delete(pod);
        /* the account says no; the pod overrides */
        pod = parse("{\"metadata\":{\"name\":\"w\",\"namespace\":\"p\"},\"spec\":{\"serviceAccountName\":\"quiet\"}}");
        c.pod = pod;
        assert_int_equal(vol_sa_automount(&c, &on), 0);
        assert_false(on);
        cJSON_Delete(pod);
        pod = parse("{\"metadata\":{\"name\":\"w\",\"namespace\":\"p\"},\"spec\":{\"serviceAccountName\":\"quiet\","
                    "\"automountServiceAccountToken\":true}}");
        c.pod = pod;
        assert_int_equal(vol_sa_automount(&c, &on), 0);
        assert_true(on);
        cJSON_Delete(pod);
        /* no account yet; an account without its token yet */
        pod = parse("{\"metadata\":{\"name\":\"w\",\"namespace\":\"p\"},\"spec\":{\"serviceAccountName\":\"ghost\"}}");
        c.pod = pod;
        assert_int_equal(vol_sa_automount(&c, &on), -EAGAIN);
        cJSON_Delete(pod);
        pod = parse("{\"metadata\":{\"name\":\"w\",\"namespace\":\"p\"},\"spec\":{\"serviceAccountName\":\"new\"}}");
        c.pod = pod;
        ocx_error *e = NULL;
        assert_int_equal(vol_render_sa(&c, &f, &e), -EAGAIN);
        assert_non_null(strstr(e->message, "waiting for the token of service account \"new\""));
        ocx_error_free(e);
        vol_files_release(&f);
        cJSON_Delete(pod);
}

static char *slurp(const char *path) {
        char *s = NULL;
        size_t n;
        if (ocx_read_file(path, 1 << 20, &s, &n) < 0) return NULL;
        return s;
}

static void atomic_writer(void **state) {
        (void)state;
        char tmpl[] = "/tmp/ocx-test-volumes.XXXXXX";
        assert_non_null(mkdtemp(tmpl));
        char dir[256], p[512];
        snprintf(dir, sizeof(dir), "%s/vol", tmpl);
        vol_files f = {0};
        assert_int_equal(
            render(POD,
                   "{\"name\":\"v\",\"configMap\":{\"name\":\"cfg\",\"items\":[{\"key\":\"a\",\"path\":\"x/a\"},"
                   "{\"key\":\"b\",\"path\":\"b\",\"mode\":384}]}}",
                   &f, NULL),
            0);
        assert_int_equal(vol_write_dir(dir, &f, -1, NULL), 0);
        vol_files_release(&f);
        snprintf(p, sizeof(p), "%s/x/a", dir);
        char *s = slurp(p);
        assert_string_equal(s, "1");
        free(s);
        struct stat st;
        snprintf(p, sizeof(p), "%s/b", dir);
        assert_int_equal(lstat(p, &st), 0);
        assert_true(S_ISLNK(st.st_mode)); /* b -> ..data/b */
        assert_int_equal(stat(p, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0600);
        snprintf(p, sizeof(p), "%s/..data", dir);
        char first[256] = {0};
        assert_true(readlink(p, first, sizeof(first) - 1) > 0);
        /* a second write without "b": b goes, the old data directory goes */
        assert_int_equal(
            render(POD,
                   "{\"name\":\"v\",\"configMap\":{\"name\":\"cfg\",\"items\":[{\"key\":\"b\",\"path\":\"x/a\"}]}}", &f,
                   NULL),
            0);
        assert_int_equal(vol_write_dir(dir, &f, -1, NULL), 0);
        vol_files_release(&f);
        snprintf(p, sizeof(p), "%s/x/a", dir);
        s = slurp(p);
        assert_string_equal(s, "two");
        free(s);
        snprintf(p, sizeof(p), "%s/b", dir);
        assert_int_equal(lstat(p, &st), -1);
        snprintf(p, sizeof(p), "%s/%s", dir, first);
        assert_int_equal(lstat(p, &st), -1);
        char cmd[512];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpl);
        assert_int_equal(WEXITSTATUS(system(cmd)), 0);
}

static void in_root(void **state) {
        (void)state;
        char tmpl[] = "/tmp/ocx-test-root.XXXXXX";
        assert_non_null(mkdtemp(tmpl));
        char top[256], bottom[256];
        snprintf(top, sizeof(top), "%s/top", tmpl);
        snprintf(bottom, sizeof(bottom), "%s/bottom", tmpl);
        char cmd[1024];
        snprintf(cmd, sizeof(cmd),
                 "mkdir -p %s/var %s/etc %s/run %s/opt %s/etc && ln -s /run %s/var/run && ln -s ../../.. %s/opt/up && "
                 "ln -s loop %s/etc/loop",
                 bottom, bottom, top, top, top, bottom, top, top);
        assert_int_equal(WEXITSTATUS(system(cmd)), 0);
        const char *lowers[] = {top, bottom};
        char *r = vol_resolve_in_root(lowers, 2, "/var/run/secrets/kubernetes.io/serviceaccount");
        assert_string_equal(r, "/run/secrets/kubernetes.io/serviceaccount");
        free(r);
        r = vol_resolve_in_root(lowers, 2, "/opt/up/etc/hosts"); /* ".." stops at the root */
        assert_string_equal(r, "/etc/hosts");
        free(r);
        r = vol_resolve_in_root(lowers, 2, "/data/x");
        assert_string_equal(r, "/data/x");
        free(r);
        r = vol_resolve_in_root(lowers, 2, "/etc/loop/x"); /* a link loop ends, inside the root */
        assert_true(r[0] == '/');
        free(r);
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpl);
        assert_int_equal(WEXITSTATUS(system(cmd)), 0);
}

static void api_address(void **state) {
        (void)state;
        apiaccess_cfg a;
        assert_int_equal(apiaccess_resolve(NULL, "127.0.0.1:8443", true, "10.128.0.0/23", &a, NULL), 0);
        assert_string_equal(a.listen, "10.128.0.1:8443");
        assert_string_equal(a.host, "10.128.0.1");
        assert_string_equal(a.port, "8443");
        assert_int_equal(apiaccess_resolve(NULL, "127.0.0.1:20001", true, "10.9.3.0/24", &a, NULL), 0);
        assert_string_equal(a.listen, "10.9.3.1:8443");
        /* a wildcard listener already serves the bridge */
        assert_int_equal(apiaccess_resolve(NULL, "0.0.0.0:6443", true, "10.128.0.0/23", &a, NULL), 0);
        assert_string_equal(a.listen, "");
        assert_string_equal(a.host, "10.128.0.1");
        assert_string_equal(a.port, "6443");
        /* explicit, disabled, no node */
        assert_int_equal(apiaccess_resolve("10.128.0.1:9443", "127.0.0.1:8443", true, "10.128.0.0/23", &a, NULL), 0);
        assert_string_equal(a.listen, "10.128.0.1:9443");
        assert_string_equal(a.port, "9443");
        assert_int_equal(apiaccess_resolve("", "127.0.0.1:8443", true, "10.128.0.0/23", &a, NULL), 0);
        assert_string_equal(a.listen, "");
        assert_string_equal(a.port, "8443");
        assert_int_equal(apiaccess_resolve(NULL, "127.0.0.1:8443", false, NULL, &a, NULL), 0);
        assert_string_equal(a.listen, "");
        assert_int_equal(apiaccess_resolve("nope", "127.0.0.1:8443", true, NULL, &a, NULL), -EINVAL);
        assert_int_equal(apiaccess_resolve("10.0.0.1:99999", "127.0.0.1:8443", true, NULL, &a, NULL), -EINVAL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(paths),
            cmocka_unit_test(config_map),
            cmocka_unit_test(secret_and_downward),
            cmocka_unit_test(projected_and_token),
            cmocka_unit_test(atomic_writer),
            cmocka_unit_test(in_root),
            cmocka_unit_test(api_address),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
