/* layer unpacking (including malicious archives), the layer store and gc.
 * Archives are built here with libarchive's write API. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include "imagestreams/digest.h"
#include "imagestreams/layers.h"
#include "ocx/buf.h"
#include "ocx/macro.h"

typedef struct ent {
        char type; /* f file, d dir, l symlink, h hardlink, p fifo, c char device */
        const char *name;
        const char *data; /* content, or link target */
        int mode;
} ent;

static char tmpdir[256];

static char *P(const char *rel) { return ocx_xasprintf("%s/%s", tmpdir, rel); }

static void make_tar(const char *path, const ent *es, const char *filter) {
        struct archive *w = archive_write_new();
        if (filter && strcmp(filter, "gzip") == 0) archive_write_add_filter_gzip(w);
        if (filter && strcmp(filter, "zstd") == 0) assert_int_equal(archive_write_add_filter_zstd(w), ARCHIVE_OK);
        archive_write_set_format_pax_restricted(w);
        assert_int_equal(archive_write_open_filename(w, path), ARCHIVE_OK);
        for (const ent *e = es; e->name; e++) {
                struct archive_entry *ae = archive_entry_new();
                archive_entry_set_pathname(ae, e->name);
                archive_entry_set_mtime(ae, 1700000000, 0);
                archive_entry_set_uid(ae, 0);
                archive_entry_set_gid(ae, 0);
                size_t len = 0;
                switch (e->type) {
                case 'f':
                        archive_entry_set_filetype(ae, AE_IFREG);
                        len = strlen(e->data);
                        archive_entry_set_size(ae, (la_int64_t)len);
                        break;
                case 'd':
                        archive_entry_set_filetype(ae, AE_IFDIR);
                        break;
                case 'l':
                        archive_entry_set_filetype(ae, AE_IFLNK);
                        archive_entry_set_symlink(ae, e->data);
                        break;
                case 'h':
                        archive_entry_set_filetype(ae, AE_IFREG);
                        archive_entry_set_hardlink(ae, e->data);
                        break;
                case 'p':
                        archive_entry_set_filetype(ae, AE_IFIFO);
                        break;
                case 'c':
                        archive_entry_set_filetype(ae, AE_IFCHR);
                        archive_entry_set_rdev(ae, makedev(1, 3));
                        break;
                }
                archive_entry_set_perm(ae, (mode_t)(e->mode ? e->mode : e->type == 'd' ? 0755 : 0644));
                assert_int_equal(archive_write_header(w, ae), ARCHIVE_OK);
                if (len) assert_int_equal(archive_write_data(w, e->data, len), (la_ssize_t)len);
                archive_entry_free(ae);
        }
        archive_write_close(w);
        archive_write_free(w);
}

static char *read_rel(const char *dir, const char *rel) {
        _cleanup_free_ char *p = ocx_xasprintf("%s/%s", dir, rel);
        char *s = NULL;
        size_t n;
        if (ocx_read_file(p, 1 << 20, &s, &n) < 0) return NULL;
        return s;
}

static int setup(void **state) {
        (void)state;
        snprintf(tmpdir, sizeof(tmpdir), "%s/ocx-test-layers-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
        assert_non_null(mkdtemp(tmpdir));
        return 0;
}

static int teardown(void **state) {
        (void)state;
        img_rm_rf(tmpdir);
        return 0;
}

static char *fresh_dir(const char *name) {
        char *d = P(name);
        img_rm_rf(d);
        assert_int_equal(mkdir(d, 0755), 0);
        return d;
}

static void unpack_basic(const char *filter) {
        const ent es[] = {
            {'d', "./", NULL, 0755},
            {'d', "./etc/", NULL, 0755},
            {'f', "./etc/hostname", "box\n", 0644},
            {'f', "/bin/tool", "#!/bin/sh\n", 04755},
            {'l', "bin/sh", "/bin/tool", 0},
            {'h', "etc/hosts-link", "etc/hostname", 0},
            {'p', "run/fifo", NULL, 0600},
            {'c', "dev/null", NULL, 0666},
            {0},
        };
        _cleanup_free_ char *tar = P("basic.tar");
        make_tar(tar, es, filter);
        _cleanup_free_ char *d = fresh_dir("basic");
        img_unpack_stats st;
        ocx_error *e = NULL;
        int k = img_layer_unpack(tar, d, &st, &e);
        if (k < 0) fail_msg("unpack: %s", e->message);
        _cleanup_free_ char *h = read_rel(d, "etc/hostname");
        assert_string_equal(h, "box\n");
        _cleanup_free_ char *tool = ocx_xasprintf("%s/bin/tool", d), *sh = ocx_xasprintf("%s/bin/sh", d);
        struct stat a, b;
        assert_int_equal(stat(tool, &a), 0);
        assert_int_equal(a.st_mode & 07777, 04755);
        char target[64] = {0};
        assert_int_equal(readlink(sh, target, sizeof(target) - 1), 9);
        assert_string_equal(target, "/bin/tool");
        _cleanup_free_ char *h1 = ocx_xasprintf("%s/etc/hostname", d), *h2 = ocx_xasprintf("%s/etc/hosts-link", d);
        assert_int_equal(stat(h1, &a), 0);
        assert_int_equal(stat(h2, &b), 0);
        assert_int_equal(a.st_ino, b.st_ino);
        _cleanup_free_ char *fifo = ocx_xasprintf("%s/run/fifo", d), *dev = ocx_xasprintf("%s/dev/null", d);
        assert_int_equal(lstat(fifo, &a), 0);
        assert_true(S_ISFIFO(a.st_mode));
        assert_int_equal(lstat(dev, &a), -1); /* device nodes are skipped */
        assert_int_equal(st.skipped, 1);
        assert_int_equal(st.hardlinks, 1);
        assert_int_equal(st.symlinks, 1);
}

static void basic_plain(void **state) {
        (void)state;
        unpack_basic(NULL);
}
static void basic_gzip(void **state) {
        (void)state;
        unpack_basic("gzip");
}
static void basic_zstd(void **state) {
        (void)state;
        unpack_basic("zstd");
}

/* the layer dir is tmpdir/NAME; "outside" is tmpdir/outside */
static void expect_no_escape(const ent *es, const char *name, int want_error) {
        _cleanup_free_ char *outside = P("outside");
        img_rm_rf(outside);
        assert_int_equal(mkdir(outside, 0755), 0);
        _cleanup_free_ char *tar = ocx_xasprintf("%s/%s.tar", tmpdir, name);
        make_tar(tar, es, NULL);
        _cleanup_free_ char *d = fresh_dir(name);
        ocx_error *e = NULL;
        int k = img_layer_unpack(tar, d, NULL, &e);
        if (want_error) {
                assert_true(k < 0);
                assert_non_null(e);
        }
        ocx_error_free(e);
        /* nothing was written next to the layer dir or in "outside" */
        _cleanup_free_ char *pw = P("outside/pwned"), *esc = P("escape");
        struct stat st;
        assert_int_equal(lstat(pw, &st), -1);
        assert_int_equal(lstat(esc, &st), -1);
}

static void dotdot(void **state) {
        (void)state;
        const ent es[] = {{'f', "../escape", "x", 0}, {0}};
        expect_no_escape(es, "dotdot", 1);
        const ent es2[] = {{'d', "a/", NULL, 0}, {'f', "a/../../escape", "x", 0}, {0}};
        expect_no_escape(es2, "dotdot2", 1);
}

static void absolute_symlink_write_through(void **state) {
        (void)state;
        _cleanup_free_ char *outside = P("outside");
        const ent es[] = {{'l', "evil", outside, 0}, {'f', "evil/pwned", "gotcha", 0}, {0}};
        expect_no_escape(es, "abslink", 0);
        /* relative symlink climbing out is clamped to the layer root */
        const ent es2[] = {{'l', "up", "../../../../../../..", 0}, {'f', "up/escape", "gotcha", 0}, {0}};
        expect_no_escape(es2, "rellink", 0);
        _cleanup_free_ char *d = P("rellink");
        _cleanup_free_ char *inside = read_rel(d, "escape");
        assert_non_null(inside); /* landed inside the layer */
        assert_string_equal(inside, "gotcha");
        /* a symlink replaced by a file is not followed */
        const ent es3[] = {{'l', "f", "/etc/passwd", 0}, {'f', "f", "mine", 0}, {0}};
        expect_no_escape(es3, "replace", 0);
        _cleanup_free_ char *rd = P("replace");
        _cleanup_free_ char *f = read_rel(rd, "f");
        assert_string_equal(f, "mine");
}

static void hardlink_outside(void **state) {
        (void)state;
        const ent es[] = {{'h', "hl", "../../../../etc/passwd", 0}, {0}};
        expect_no_escape(es, "hl1", 1);
        const ent es2[] = {{'h', "hl", "/etc/passwd", 0}, {0}}; /* means <layer>/etc/passwd: absent */
        expect_no_escape(es2, "hl2", 1);
        const ent es3[] = {{'l', "s", "/etc", 0}, {'h', "hl", "s/passwd", 0}, {0}};
        expect_no_escape(es3, "hl3", 1);
        struct stat host, got;
        _cleanup_free_ char *hl = P("hl2/hl");
        if (stat("/etc/passwd", &host) == 0 && stat(hl, &got) == 0) assert_true(host.st_ino != got.st_ino);
}

static void whiteouts(void **state) {
        (void)state;
        const ent es[] = {{'d', "dir/", NULL, 0}, {'f', "dir/.wh..wh..opq", "", 0}, {'f', ".wh.gone", "", 0}, {0}};
        _cleanup_free_ char *tar = P("wh.tar");
        make_tar(tar, es, NULL);
        _cleanup_free_ char *d = fresh_dir("wh");
        img_unpack_stats st;
        assert_int_equal(img_layer_unpack(tar, d, &st, NULL), 0);
        assert_int_equal(st.whiteouts, 2);
        _cleanup_free_ char *gone = ocx_xasprintf("%s/gone", d), *marker = ocx_xasprintf("%s/.wh.gone", d);
        _cleanup_free_ char *dir = ocx_xasprintf("%s/dir", d), *opq = ocx_xasprintf("%s/dir/.wh..wh..opq", d);
        struct stat s;
        if (lstat(gone, &s) == 0) {
                assert_true(S_ISCHR(s.st_mode));
                assert_int_equal(s.st_rdev, makedev(0, 0));
        } else {
                assert_int_equal(lstat(marker, &s), 0); /* unprivileged fallback */
        }
        char v[4] = {0};
        if (lgetxattr(dir, "trusted.overlay.opaque", v, sizeof(v)) == 1)
                assert_int_equal(v[0], 'y');
        else
                assert_int_equal(lstat(opq, &s), 0);
}

static void store_and_gc(void **state) {
        (void)state;
        _cleanup_free_ char *base = P("store");
        assert_int_equal(img_store_init(base, NULL), 0);
        const ent a[] = {{'f', "a", "A", 0}, {0}}, b[] = {{'f', "b", "B", 0}, {0}};
        char da[IMG_DIGEST_LEN], db[IMG_DIGEST_LEN];
        _cleanup_free_ char *ta = P("a.tar.gz"), *tb = P("b.tar.gz");
        make_tar(ta, a, "gzip");
        make_tar(tb, b, "gzip");
        assert_int_equal(img_sha256_file(ta, da, NULL), 0);
        assert_int_equal(img_sha256_file(tb, db, NULL), 0);
        _cleanup_free_ char *ba = img_store_blob_path(base, da), *bb = img_store_blob_path(base, db);
        assert_int_equal(rename(ta, ba), 0);
        assert_int_equal(rename(tb, bb), 0);
        _cleanup_free_ char *la = NULL, *lb = NULL;
        assert_int_equal(img_store_unpack_layer(base, da, &la, NULL), 0);
        assert_int_equal(img_store_unpack_layer(base, db, &lb, NULL), 0);
        assert_int_equal(img_store_unpack_layer(base, da, NULL, NULL), 0); /* cached */
        _cleanup_free_ char *ca = read_rel(la, "a");
        assert_string_equal(ca, "A");
        assert_true(img_store_has_layer(base, da));
        ocx_error *e = NULL;
        assert_int_equal(img_store_unpack_layer(
                             base, "sha256:0000000000000000000000000000000000000000000000000000000000000000", NULL, &e),
                         -ENOENT);
        ocx_error_free(e);
        const char *keep[] = {da};
        img_gc_stats st;
        assert_int_equal(img_store_gc(base, keep, 1, &st, NULL), 0);
        assert_int_equal(st.blobs_removed, 1);
        assert_int_equal(st.layers_removed, 1);
        assert_true(img_store_has_layer(base, da) && img_store_has_blob(base, da));
        assert_false(img_store_has_layer(base, db) || img_store_has_blob(base, db));
}

int main(void) {
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(basic_plain),
            cmocka_unit_test(basic_gzip),
            cmocka_unit_test(basic_zstd),
            cmocka_unit_test(dotdot),
            cmocka_unit_test(absolute_symlink_write_through),
            cmocka_unit_test(hardlink_outside),
            cmocka_unit_test(whiteouts),
            cmocka_unit_test(store_and_gc),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
