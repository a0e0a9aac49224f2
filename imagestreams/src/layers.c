/* ocx imagestreams — layer store and safe layer unpacking with libarchive. */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <time.h>
#include "imagestreams/layers.h"
#include "imagestreams/ref.h"
#include "ocx/buf.h"
#include "ocx/macro.h"
#include "ocx/banned.h"

#define MAX_ENTRIES 4000000

/* ---- path helpers ------------------------------------------------------------ */

/* Cleans an archive path: strips leading "/" and "./", drops "." and empty
 * components. Returns NULL when a ".." component is present. */
static char *clean_path(const char *p) {
        ocx_buf b = OCX_BUF_INIT;
        ocx_buf_puts(&b, "");
        while (*p) {
                while (*p == '/') p++;
                size_t n = strcspn(p, "/");
                if (n == 0) break;
                if (n == 2 && p[0] == '.' && p[1] == '.') {
                        ocx_buf_release(&b);
                        return NULL;
                }
                if (!(n == 1 && p[0] == '.')) {
                        if (b.len) ocx_buf_puts(&b, "/");
                        ocx_buf_append(&b, p, n);
                }
                p += n;
        }
        return ocx_buf_detach(&b, NULL);
}

static int openat2_missing;

/* Opens rel inside root: symlinks in rel resolve as if root were "/". */
static int open_in_root(int root, const char *rel, int flags) {
        if (!openat2_missing) {
                struct open_how how = {.flags = (uint64_t)(flags | O_CLOEXEC),
                                       .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV};
                long fd = syscall(SYS_openat2, root, rel, &how, sizeof(how));
                if (fd >= 0 || (errno != ENOSYS && errno != EPERM)) return (int)fd;
                openat2_missing = 1;
        }
        /* fallback: walk without following any symlink */
        int cur = fcntl(root, F_DUPFD_CLOEXEC, 3);
        _cleanup_free_ char *copy = ocx_xstrdup(rel);
        char *save = NULL;
        for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
                char *next = strtok_r(NULL, "", &save);
                int nf = next ? O_PATH | O_DIRECTORY : flags;
                int fd = openat(cur, c, nf | O_NOFOLLOW | O_CLOEXEC);
                int e = errno;
                close(cur);
                if (fd < 0) {
                        errno = e == ELOOP ? ENOTDIR : e;
                        return -1;
                }
                cur = fd;
                if (!next) break;
                save = next;
        }
        return cur;
}

/* Opens (creating what is missing) the directory dir inside root. */
static int open_dir(int root, const char *dir, int create) {
        if (!*dir) return fcntl(root, F_DUPFD_CLOEXEC, 3);
        int fd = open_in_root(root, dir, O_PATH | O_DIRECTORY);
        if (fd >= 0 || errno != ENOENT || !create) return fd >= 0 ? fd : -errno;
        const char *slash = strrchr(dir, '/');
        _cleanup_free_ char *parent = slash ? ocx_xstrndup(dir, (size_t)(slash - dir)) : ocx_xstrdup("");
        const char *name = slash ? slash + 1 : dir;
        _cleanup_close_ int pfd = open_dir(root, parent, 1);
        if (pfd < 0) return pfd;
        if (mkdirat(pfd, name, 0755) < 0 && errno != EEXIST) return -errno;
        fd = open_in_root(root, dir, O_PATH | O_DIRECTORY);
        return fd >= 0 ? fd : -errno;
}

static int rm_rf_at(int dfd, const char *name, dev_t dev) {
        if (unlinkat(dfd, name, 0) == 0 || errno == ENOENT) return 0;
        if (errno != EISDIR && errno != EPERM) return -errno;
        int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) return -errno;
        struct stat st;
        if (fstat(fd, &st) < 0 || (dev && st.st_dev != dev)) {
                close(fd);
                return -EXDEV;
        }
        DIR *d = fdopendir(fd);
        if (!d) {
                close(fd);
                return -errno;
        }
        int r = 0;
        struct dirent *de;
        while ((de = readdir(d))) {
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) continue;
                int k = rm_rf_at(dirfd(d), de->d_name, st.st_dev);
                if (k < 0 && r == 0) r = k;
        }
        closedir(d);
        if (unlinkat(dfd, name, AT_REMOVEDIR) < 0 && r == 0) r = -errno;
        return r;
}

int img_rm_rf(const char *path) {
        struct stat st;
        if (lstat(path, &st) < 0) return errno == ENOENT ? 0 : -errno;
        return rm_rf_at(AT_FDCWD, path, 0);
}

/* ---- unpacking ------------------------------------------------------------------ */

typedef struct unpacker {
        struct archive *a;
        int root;
        int is_root;
        img_unpack_stats st;
} unpacker;

static void set_times(int dfd, const char *name, struct archive_entry *e) {
        struct timespec ts[2] = {{archive_entry_mtime(e), archive_entry_mtime_nsec(e)},
                                 {archive_entry_mtime(e), archive_entry_mtime_nsec(e)}};
        (void)utimensat(dfd, name, ts, AT_SYMLINK_NOFOLLOW);
}

static int write_file(unpacker *u, int pfd, const char *name, struct archive_entry *e, ocx_error **reterr) {
        _cleanup_close_ int fd = openat(pfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return ocx_error_set(reterr, errno, NULL, "cannot create '%s': %s", archive_entry_pathname(e),
                                     strerror(errno));
        const void *buf;
        size_t size;
        la_int64_t off;
        int k;
        while ((k = archive_read_data_block(u->a, &buf, &size, &off)) == ARCHIVE_OK) {
                for (size_t done = 0; done < size;) {
                        ssize_t w = pwrite(fd, (const char *)buf + done, size - done, off + (off_t)done);
                        if (w < 0) {
                                if (errno == EINTR) continue;
                                return ocx_error_set(reterr, errno, NULL, "cannot write '%s': %s",
                                                     archive_entry_pathname(e), strerror(errno));
                        }
                        done += (size_t)w;
                }
                u->st.bytes += size;
        }
        if (k != ARCHIVE_EOF)
                return ocx_error_set(reterr, EIO, NULL, "reading '%s': %s", archive_entry_pathname(e),
                                     archive_error_string(u->a));
        if (ftruncate(fd, archive_entry_size(e)) < 0)
                return ocx_error_set(reterr, errno, NULL, "cannot size '%s': %s", archive_entry_pathname(e),
                                     strerror(errno));
        if (u->is_root && fchown(fd, (uid_t)archive_entry_uid(e), (gid_t)archive_entry_gid(e)) < 0)
                return ocx_error_set(reterr, errno, NULL, "cannot chown '%s': %s", archive_entry_pathname(e),
                                     strerror(errno));
        (void)fchmod(fd, archive_entry_perm(e) & 07777);
        struct timespec ts[2] = {{archive_entry_mtime(e), archive_entry_mtime_nsec(e)},
                                 {archive_entry_mtime(e), archive_entry_mtime_nsec(e)}};
        (void)futimens(fd, ts);
        u->st.files++;
        return 0;
}

static int whiteout(unpacker *u, int pfd, const char *dir, const char *base, ocx_error **reterr) {
        u->st.whiteouts++;
        if (strcmp(base, ".wh..wh..opq") == 0) {
                _cleanup_close_ int d = openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (d >= 0 && fsetxattr(d, "trusted.overlay.opaque", "y", 1, 0) == 0) return 0;
        } else {
                const char *victim = base + 4;
                if (!*victim || strcmp(victim, ".") == 0 || strcmp(victim, "..") == 0)
                        return ocx_error_set(reterr, EINVAL, NULL, "invalid whiteout '%s/%s'", dir, base);
                (void)rm_rf_at(pfd, victim, 0);
                if (mknodat(pfd, victim, S_IFCHR | 0000, makedev(0, 0)) == 0) return 0;
        }
        /* not privileged: keep the marker file as it was in the archive */
        (void)rm_rf_at(pfd, base, 0);
        int fd = openat(pfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0000);
        if (fd < 0) return ocx_error_set(reterr, errno, NULL, "cannot create '%s/%s': %s", dir, base, strerror(errno));
        close(fd);
        return 0;
}

static int unpack_entry(unpacker *u, struct archive_entry *e, ocx_error **reterr) {
        const char *raw = archive_entry_pathname(e);
        if (!raw) return ocx_error_set(reterr, EINVAL, NULL, "entry without a name");
        _cleanup_free_ char *rel = clean_path(raw);
        if (!rel) return ocx_error_set(reterr, EINVAL, NULL, "entry '%s' escapes the layer directory", raw);
        if (!*rel) return 0; /* the root itself */
        char *slash = strrchr(rel, '/');
        _cleanup_free_ char *dir = slash ? ocx_xstrndup(rel, (size_t)(slash - rel)) : ocx_xstrdup("");
        const char *base = slash ? slash + 1 : rel;
        _cleanup_close_ int pfd = open_dir(u->root, dir, 1);
        if (pfd < 0)
                return ocx_error_set(reterr, -pfd, NULL, "entry '%s': cannot open its directory inside the layer: %s",
                                     raw, strerror(-pfd));
        if (ocx_startswith(base, ".wh.")) return whiteout(u, pfd, dir, base, reterr);

        const char *hl = archive_entry_hardlink(e);
        mode_t type = archive_entry_filetype(e);
        struct stat cur;
        int exists = fstatat(pfd, base, &cur, AT_SYMLINK_NOFOLLOW) == 0;
        if (exists && !(type == AE_IFDIR && !hl && S_ISDIR(cur.st_mode))) {
                int k = rm_rf_at(pfd, base, 0);
                if (k < 0) return ocx_error_set(reterr, -k, NULL, "cannot replace '%s': %s", raw, strerror(-k));
        }
        uid_t uid = (uid_t)archive_entry_uid(e);
        gid_t gid = (gid_t)archive_entry_gid(e);
        if (hl) {
                _cleanup_free_ char *trel = clean_path(hl);
                if (!trel || !*trel)
                        return ocx_error_set(reterr, EINVAL, NULL, "hard link '%s' to '%s' escapes the layer directory",
                                             raw, hl);
                char *ts = strrchr(trel, '/');
                _cleanup_free_ char *tdir = ts ? ocx_xstrndup(trel, (size_t)(ts - trel)) : ocx_xstrdup("");
                _cleanup_close_ int tfd = open_dir(u->root, tdir, 0);
                if (tfd < 0 || linkat(tfd, ts ? ts + 1 : trel, pfd, base, 0) < 0)
                        return ocx_error_set(reterr, tfd < 0 ? -tfd : errno, NULL, "cannot link '%s' to '%s': %s", raw,
                                             hl, strerror(tfd < 0 ? -tfd : errno));
                u->st.hardlinks++;
                return 0;
        }
        switch (type) {
        case AE_IFREG:
                return write_file(u, pfd, base, e, reterr);
        case AE_IFDIR: {
                if (!exists || !S_ISDIR(cur.st_mode)) {
                        if (mkdirat(pfd, base, 0755) < 0)
                                return ocx_error_set(reterr, errno, NULL, "cannot create '%s': %s", raw,
                                                     strerror(errno));
                }
                _cleanup_close_ int d = openat(pfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (d < 0) return ocx_error_set(reterr, errno, NULL, "cannot open '%s': %s", raw, strerror(errno));
                if (u->is_root && fchown(d, uid, gid) < 0)
                        return ocx_error_set(reterr, errno, NULL, "cannot chown '%s': %s", raw, strerror(errno));
                (void)fchmod(d, archive_entry_perm(e) & 07777);
                u->st.dirs++;
                return 0;
        }
        case AE_IFLNK: {
                const char *target = archive_entry_symlink(e);
                if (!target || symlinkat(target, pfd, base) < 0)
                        return ocx_error_set(reterr, target ? errno : EINVAL, NULL, "cannot create symlink '%s': %s",
                                             raw, strerror(target ? errno : EINVAL));
                if (u->is_root && fchownat(pfd, base, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
                        return ocx_error_set(reterr, errno, NULL, "cannot chown '%s': %s", raw, strerror(errno));
                set_times(pfd, base, e);
                u->st.symlinks++;
                return 0;
        }
        case AE_IFIFO:
                if (mkfifoat(pfd, base, archive_entry_perm(e) & 0777) < 0)
                        return ocx_error_set(reterr, errno, NULL, "cannot create fifo '%s': %s", raw, strerror(errno));
                if (u->is_root && fchownat(pfd, base, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
                        return ocx_error_set(reterr, errno, NULL, "cannot chown '%s': %s", raw, strerror(errno));
                u->st.files++;
                return 0;
        default: /* devices, sockets */
                u->st.skipped++;
                return 0;
        }
}

int img_layer_unpack(const char *archive_path, const char *dest_dir, img_unpack_stats *stats, ocx_error **reterr) {
        unpacker u = {.root = -1, .is_root = geteuid() == 0};
        u.root = open(dest_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (u.root < 0) return ocx_error_set(reterr, errno, NULL, "cannot open '%s': %s", dest_dir, strerror(errno));
        u.a = archive_read_new();
        archive_read_support_filter_all(u.a);
        archive_read_support_format_tar(u.a);
        archive_read_support_format_gnutar(u.a);
        int r = 0;
        if (archive_read_open_filename(u.a, archive_path, 1 << 16) != ARCHIVE_OK) {
                r = ocx_error_set(reterr, EINVAL, NULL, "cannot read layer '%s': %s", archive_path,
                                  archive_error_string(u.a));
                goto out;
        }
        struct archive_entry *e;
        uint64_t n = 0;
        for (;;) {
                int k = archive_read_next_header(u.a, &e);
                if (k == ARCHIVE_EOF) break;
                if (k != ARCHIVE_OK && k != ARCHIVE_WARN) {
                        r = ocx_error_set(reterr, EINVAL, NULL, "layer '%s': %s", archive_path,
                                          archive_error_string(u.a));
                        goto out;
                }
                if (++n > MAX_ENTRIES) {
                        r = ocx_error_set(reterr, E2BIG, NULL, "layer '%s': too many entries", archive_path);
                        goto out;
                }
                if ((r = unpack_entry(&u, e, reterr)) < 0) {
                        ocx_error_wrap(reterr, "layer '%s'", archive_path);
                        goto out;
                }
        }
out:
        archive_read_free(u.a);
        close(u.root);
        if (stats) *stats = u.st;
        return r;
}

/* ---- the store ------------------------------------------------------------------ */

static int mkdir_p(const char *path) {
        _cleanup_free_ char *p = ocx_xstrdup(path);
        for (char *s = p + 1;; s++) {
                if (*s == '/' || *s == '\0') {
                        char c = *s;
                        *s = '\0';
                        if (mkdir(p, 0755) < 0 && errno != EEXIST) return -errno;
                        *s = c;
                        if (!c) break;
                }
        }
        return 0;
}

int img_store_init(const char *base, ocx_error **reterr) {
        const char *subs[] = {"blobs/sha256", "layers/sha256"};
        for (size_t i = 0; i < OCX_ARRAY_SIZE(subs); i++) {
                _cleanup_free_ char *p = ocx_xasprintf("%s/%s", base, subs[i]);
                int k = mkdir_p(p);
                if (k < 0) return ocx_error_set(reterr, -k, NULL, "cannot create '%s': %s", p, strerror(-k));
        }
        return 0;
}

char *img_store_blob_path(const char *base, const char *digest) {
        return img_digest_valid(digest) ? ocx_xasprintf("%s/blobs/sha256/%s", base, digest + 7) : NULL;
}

char *img_store_layer_path(const char *base, const char *digest) {
        return img_digest_valid(digest) ? ocx_xasprintf("%s/layers/sha256/%s", base, digest + 7) : NULL;
}

int img_store_has_blob(const char *base, const char *digest) {
        _cleanup_free_ char *p = img_store_blob_path(base, digest);
        struct stat st;
        return p && stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

int img_store_has_layer(const char *base, const char *digest) {
        _cleanup_free_ char *p = img_store_layer_path(base, digest);
        struct stat st;
        return p && lstat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

int img_store_unpack_layer(const char *base, const char *digest, char **ret_dir, ocx_error **reterr) {
        _cleanup_free_ char *dir = img_store_layer_path(base, digest);
        _cleanup_free_ char *blob = img_store_blob_path(base, digest);
        if (!dir) return ocx_error_set(reterr, EINVAL, NULL, "invalid digest '%s'", digest);
        if (!img_store_has_layer(base, digest)) {
                if (!img_store_has_blob(base, digest))
                        return ocx_error_set(reterr, ENOENT, NULL, "blob '%s' is not in the store", digest);
                static unsigned counter;
                _cleanup_free_ char *tmp =
                    ocx_xasprintf("%s/layers/sha256/.tmp-%s-%d-%u", base, digest + 7, (int)getpid(),
                                  __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED));
                if (mkdir(tmp, 0755) < 0)
                        return ocx_error_set(reterr, errno, NULL, "cannot create '%s': %s", tmp, strerror(errno));
                int k = img_layer_unpack(blob, tmp, NULL, reterr);
                if (k == 0 && chmod(tmp, 0755) < 0) k = -errno;
                if (k == 0 && rename(tmp, dir) < 0) {
                        if (errno != EEXIST && errno != ENOTEMPTY)
                                k = ocx_error_set(reterr, errno, NULL, "cannot rename '%s': %s", tmp, strerror(errno));
                        (void)img_rm_rf(tmp);
                } else if (k < 0) {
                        (void)img_rm_rf(tmp);
                }
                if (k < 0) return k;
        }
        if (ret_dir) *ret_dir = TAKE_PTR(dir);
        return 0;
}

int img_store_lock(const char *base, int exclusive) {
        _cleanup_free_ char *p = ocx_xasprintf("%s/.lock", base);
        int fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0) return -errno;
        while (flock(fd, exclusive ? LOCK_EX : LOCK_SH) < 0) {
                if (errno == EINTR) continue;
                int e = -errno;
                close(fd);
                return e;
        }
        return fd;
}

static int in_keep(const char *hex, const char *const *keep, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (keep[i] && ocx_startswith(keep[i], "sha256:") && strcmp(keep[i] + 7, hex) == 0) return 1;
        return 0;
}

static int gc_dir(const char *path, const char *const *keep, size_t n, size_t *removed, size_t *kept) {
        DIR *d = opendir(path);
        if (!d) return errno == ENOENT ? 0 : -errno;
        int r = 0;
        struct dirent *de;
        time_t now = time(NULL);
        while ((de = readdir(d))) {
                const char *nm = de->d_name;
                if (strcmp(nm, ".") == 0 || strcmp(nm, "..") == 0) continue;
                int drop;
                if (strstr(nm, ".tmp-")) {
                        struct stat st;
                        drop = fstatat(dirfd(d), nm, &st, AT_SYMLINK_NOFOLLOW) == 0 && st.st_mtime < now - 3600;
                } else {
                        drop = !in_keep(nm, keep, n);
                }
                if (!drop) {
                        (*kept)++;
                        continue;
                }
                int k = rm_rf_at(dirfd(d), nm, 0);
                if (k < 0 && r == 0) r = k;
                if (k == 0) (*removed)++;
        }
        closedir(d);
        return r;
}

int img_store_gc(const char *base, const char *const *keep, size_t n_keep, img_gc_stats *stats, ocx_error **reterr) {
        int lock = img_store_lock(base, 1);
        if (lock < 0)
                return ocx_error_set(reterr, -lock, NULL, "cannot lock the layer store '%s': %s", base,
                                     strerror(-lock));
        img_gc_stats st = {0};
        _cleanup_free_ char *blobs = ocx_xasprintf("%s/blobs/sha256", base);
        _cleanup_free_ char *layers = ocx_xasprintf("%s/layers/sha256", base);
        size_t kept2 = 0;
        int r = gc_dir(layers, keep, n_keep, &st.layers_removed, &kept2);
        int r2 = gc_dir(blobs, keep, n_keep, &st.blobs_removed, &st.kept);
        close(lock);
        if (stats) *stats = st;
        if (r < 0 || r2 < 0)
                return ocx_error_set(reterr, -(r < 0 ? r : r2), NULL, "layer store gc: %s",
                                     strerror(-(r < 0 ? r : r2)));
        return 0;
}
