/* image reference parsing with Docker's normalisation rules */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdlib.h>
#include "imagestreams/ref.h"

static void check(const char *in, const char *domain, const char *path, const char *tag, const char *digest,
                  const char *familiar) {
        img_ref r;
        ocx_error *e = NULL;
        int k = img_ref_parse(in, &r, &e);
        if (k < 0) fail_msg("'%s': %s", in, e ? e->message : "?");
        assert_string_equal(r.domain, domain);
        assert_string_equal(r.path, path);
        if (tag)
                assert_string_equal(r.tag, tag);
        else
                assert_null(r.tag);
        if (digest)
                assert_string_equal(r.digest, digest);
        else
                assert_null(r.digest);
        char *f = img_ref_familiar(&r);
        assert_string_equal(f, familiar);
        free(f);
        img_ref_release(&r);
}

static void bad(const char *in, const char *msg_part) {
        img_ref r;
        ocx_error *e = NULL;
        int k = img_ref_parse(in, &r, &e);
        if (k >= 0) fail_msg("'%s' was accepted", in);
        assert_int_equal(k, -EINVAL);
        assert_non_null(e);
        if (msg_part && !strstr(e->message, msg_part))
                fail_msg("'%s': message '%s' lacks '%s'", in, e->message, msg_part);
        ocx_error_free(e);
}

#define D "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static void normalisation(void **state) {
        (void)state;
        check("busybox", "docker.io", "library/busybox", "latest", NULL, "busybox:latest");
        check("busybox:1.36", "docker.io", "library/busybox", "1.36", NULL, "busybox:1.36");
        check("docker.io/busybox", "docker.io", "library/busybox", "latest", NULL, "busybox:latest");
        check("index.docker.io/library/busybox", "docker.io", "library/busybox", "latest", NULL, "busybox:latest");
        check("user/app", "docker.io", "user/app", "latest", NULL, "user/app:latest");
        check("localhost/app", "localhost", "app", "latest", NULL, "localhost/app:latest");
        check("localhost:5000/a/b:v1", "localhost:5000", "a/b", "v1", NULL, "localhost:5000/a/b:v1");
        check("127.0.0.1:5000/test/hello:latest", "127.0.0.1:5000", "test/hello", "latest", NULL,
              "127.0.0.1:5000/test/hello:latest");
        check("quay.io/org/repo@" D, "quay.io", "org/repo", NULL, D, "quay.io/org/repo@" D);
        check("quay.io/org/repo:t@" D, "quay.io", "org/repo", "t", D, "quay.io/org/repo:t@" D);
        check("a.b/c__d/e-f.g---h", "a.b", "c__d/e-f.g---h", "latest", NULL, "a.b/c__d/e-f.g---h:latest");
        check("Example.COM/app", "Example.COM", "app", "latest", NULL, "Example.COM/app:latest");
        check("foo_bar", "docker.io", "library/foo_bar", "latest", NULL, "foo_bar:latest");
}

static void rejected(void **state) {
        (void)state;
        bad("", NULL);
        bad("Busybox", "lowercase");
        bad("docker.io/User/app", "lowercase");
        bad("busybox:", NULL);
        bad("busybox:-x", NULL);
        bad("a//b", NULL);
        bad("a/b/", NULL);
        bad("-a", NULL);
        bad("a-", NULL);
        bad("a...b", NULL);
        bad("a___b", NULL);
        bad("busybox@sha256:abc", "digest");
        bad("busybox@md5:0123", "unsupported");
        bad("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "64-byte");
        bad("host:99999999/a", NULL);
        bad("-host.com/a", NULL);
        bad("a b", NULL);
        char longname[300];
        memset(longname, 'a', sizeof(longname) - 1);
        longname[sizeof(longname) - 1] = '\0';
        bad(longname, "255");
}

static void strings(void **state) {
        (void)state;
        img_ref r;
        assert_int_equal(img_ref_parse("busybox@" D, &r, NULL), 0);
        char *s = img_ref_string(&r), *n = img_ref_name(&r);
        assert_string_equal(s, "docker.io/library/busybox@" D);
        assert_string_equal(n, "docker.io/library/busybox");
        assert_string_equal(img_ref_reference(&r), D);
        free(s);
        free(n);
        img_ref_release(&r);
        assert_true(img_digest_valid(D));
        assert_false(img_digest_valid("sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"));
        assert_false(img_digest_valid("sha512:00"));
}

int main(void) {
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(normalisation),
            cmocka_unit_test(rejected),
            cmocka_unit_test(strings),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
