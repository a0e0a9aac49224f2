/* ocxd node: starting one container (see node/runtime.h).
 *
 * ocxd ──fork──▶ monitor ──unshare(PID) + fork──▶ container PID 1
 * The monitor is single-threaded (forked from ocxd through glibc fork, so
 * malloc is usable), ignores termination signals, waits for the container
 * and writes <name>.exit. The container sets up its mount namespace, pivots
 * into the overlay root, applies the security context and execs. Errors
 * before execve travel back over a CLOEXEC pipe. */
#include "node/runtime.h"
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include "ocx/buf.h"
#include "ocx/banned.h"

extern char **environ;

uint64_t rt_proc_starttime(pid_t pid) {
        char path[64], buf[1024];
        snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) return 0;
        ssize_t n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        if (n <= 0) return 0;
        buf[n] = 0;
        char *p = strrchr(buf, ')');
        if (!p || !p[1]) return 0;
        /* field 3 (state) follows ") "; starttime is field 22 */
        if (p[2] == 'Z' || p[2] == 'X') return 0;
        p += 2;
        for (int field = 3; field < 22 && p; field++) {
                p = strchr(p, ' ');
                if (p) p++;
        }
        return p ? strtoull(p, NULL, 10) : 0;
}

static char *state_file(const char *dir, const char *name, const char *ext) {
        return ocx_xasprintf("%s/%s.%s", dir, name, ext);
}

int rt_running(const char *state_dir, const char *name, pid_t *ret_pid, pid_t *ret_monitor) {
        _cleanup_free_ char *p = state_file(state_dir, name, "pid");
        _cleanup_free_ char *data = NULL;
        size_t n;
        if (ocx_read_file(p, 256, &data, &n) < 0) return 0;
        long pid = 0, mon = 0;
        unsigned long long st = 0;
        if (sscanf(data, "%ld %llu %ld", &pid, &st, &mon) < 2 || pid <= 0) return 0;
        if (ret_monitor) *ret_monitor = (pid_t)mon;
        if (ret_pid) *ret_pid = (pid_t)pid;
        return rt_proc_starttime((pid_t)pid) == st ? 1 : 0;
}

int rt_exit_status(const char *state_dir, const char *name, int *ret_status) {
        _cleanup_free_ char *p = state_file(state_dir, name, "exit");
        _cleanup_free_ char *data = NULL;
        size_t n;
        int r = ocx_read_file(p, 64, &data, &n);
        if (r < 0) return r;
        *ret_status = (int)strtol(data, NULL, 10);
        return 0;
}

void rt_forget(const char *state_dir, const char *name) {
        _cleanup_free_ char *p = state_file(state_dir, name, "pid");
        _cleanup_free_ char *e = state_file(state_dir, name, "exit");
        unlink(p);
        unlink(e);
}

void rt_reap(pid_t monitor) {
        if (monitor > 0) (void)waitpid(monitor, NULL, WNOHANG);
}

/* ---- in the container ---------------------------------------------------- */

/* Reports "what: strerror" over the error pipe and exits. */
__attribute__((noreturn)) static void die(int errfd, const char *what, int err) {
        dprintf(errfd, "%s: %s", what, strerror(err));
        _exit(127);
}

static int mkdir_p(const char *path, mode_t mode) {
        char buf[4096];
        if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf)) return -ENAMETOOLONG;
        for (char *p = buf + 1; *p; p++) {
                if (*p != '/') continue;
                *p = 0;
                if (mkdir(buf, mode) < 0 && errno != EEXIST) return -errno;
                *p = '/';
        }
        if (mkdir(buf, mode) < 0 && errno != EEXIST) return -errno;
        return 0;
}

/* ---- mount targets inside the container root ------------------------------
 *
 * The root holds paths a container controls: the image, and emptyDir and
 * hostPath volumes another container of the pod (or an earlier run of this
 * one) could have written. A symlink there must never make a mount, a
 * directory or a file land on the host, as a lookup by host path string
 * ("<root>/shared/link/sub") would. Every target is therefore looked up with
 * openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS) from an fd of the root —
 * absolute symlinks and ".." resolve as if the root were "/", /proc/PID/root
 * and /proc/self/fd/N links are refused — what is missing is created with
 * mkdirat/openat in a directory fd that lookup returned, and the mount goes
 * onto the O_PATH fd through /proc/self/fd/N (as crun and runc do). */

static int open_in_root(int rootfd, const char *path, int flags) {
        struct open_how how = {.flags = (uint64_t)(flags | O_CLOEXEC),
                               .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
        /* EAGAIN: a concurrent rename or mount made the kernel unsure ".." stayed inside */
        for (int i = 0; i < 32; i++) {
                long fd = syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
                if (fd >= 0) return (int)fd;
                if (errno != EAGAIN && errno != EINTR) return -errno;
        }
        return -EAGAIN;
}

static const char *fd_path(char buf[static 32], int fd) {
        snprintf(buf, 32, "/proc/self/fd/%d", fd);
        return buf;
}

/* Opens (O_PATH) the mount point `target` inside the root, creating what is
 * missing: directories on the way and the last element as a directory (dir)
 * or an empty file. A dangling symlink on the way is followed within the root
 * (its target is created there), as the kernel would follow it if the
 * container root were "/". ret_path (PATH_MAX, may be NULL) gets the path
 * with those links replaced, which resolves to the same place. -errno on
 * failure: -ELOOP for a magic link or too many links, -ENOTDIR / -EISDIR when
 * what is there has the other type. */
static int mount_point_in_root(int rootfd, const char *target, bool dir, mode_t mode, char *ret_path) {
        char path[PATH_MAX];
        if (snprintf(path, sizeof(path), "%s", target) >= (int)sizeof(path)) return -ENAMETOOLONG;
        int links = 0;
        _cleanup_close_ int cur = open_in_root(rootfd, "/", O_PATH | O_DIRECTORY);
        if (cur < 0) return cur;
        size_t pos = 0; /* path[0, pos) resolves to cur */
        for (;;) {
                while (path[pos] == '/') pos++;
                if (!path[pos]) break;
                size_t len = strcspn(path + pos, "/"), end = pos + len;
                if (len > NAME_MAX) return -ENAMETOOLONG;
                char elem[NAME_MAX + 1], prefix[PATH_MAX];
                memcpy(elem, path + pos, len);
                elem[len] = 0;
                memcpy(prefix, path, end);
                prefix[end] = 0;
                bool last = path[end + strspn(path + end, "/")] == 0, want_dir = !last || dir;
                int flags = O_PATH | (want_dir ? O_DIRECTORY : 0);
                int fd = open_in_root(rootfd, prefix, flags);
                if (fd == -ENOENT) {
                        struct stat st;
                        if (fstatat(cur, elem, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) {
                                /* dangling inside the root: go on at its target */
                                if (++links > 40) return -ELOOP;
                                char link[PATH_MAX], next[PATH_MAX];
                                ssize_t n = readlinkat(cur, elem, link, sizeof(link) - 1);
                                if (n < 0) return -errno;
                                link[n] = 0;
                                int w = link[0] == '/' ? snprintf(next, sizeof(next), "%s%s", link, path + end)
                                                       : snprintf(next, sizeof(next), "%.*s%s%s", (int)pos, path, link,
                                                                  path + end);
                                if (w < 0 || w >= (int)sizeof(next)) return -ENAMETOOLONG;
                                memcpy(path, next, (size_t)w + 1);
                                close(cur);
                                cur = open_in_root(rootfd, "/", O_PATH | O_DIRECTORY);
                                if (cur < 0) return cur;
                                pos = 0;
                                continue;
                        }
                        if (want_dir) {
                                if (mkdirat(cur, elem, mode) < 0 && errno != EEXIST) return -errno;
                        } else {
                                int f = openat(cur, elem, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
                                if (f < 0 && errno != EEXIST) return -errno;
                                if (f >= 0) close(f);
                        }
                        fd = open_in_root(rootfd, prefix, flags);
                }
                if (fd < 0) return fd;
                close(cur);
                cur = fd;
                pos = end;
        }
        struct stat st;
        if (fstat(cur, &st) < 0) return -errno;
        if (dir && !S_ISDIR(st.st_mode)) return -ENOTDIR;
        if (!dir && S_ISDIR(st.st_mode)) return -EISDIR;
        if (ret_path) memcpy(ret_path, path, strlen(path) + 1);
        return TAKE_FD(cur);
}

/* Reports "what 'path': strerror" over the error pipe and exits. */
__attribute__((noreturn)) static void die_path(int errfd, const char *what, const char *path, int err) {
        dprintf(errfd, "%s '%s': %s", what, path, strerror(err));
        _exit(127);
}

/* mount(2) of src (a file system name or a host path) onto `target` inside the root */
static void mount_in_root(int errfd, int rootfd, const char *target, bool dir, mode_t mode, const char *src,
                          const char *type, unsigned long flags, const char *data) {
        int fd = mount_point_in_root(rootfd, target, dir, mode, NULL);
        if (fd < 0) die_path(errfd, "create mount point", target, -fd);
        char p[32];
        if (mount(src, fd_path(p, fd), type, flags, data) < 0) die_path(errfd, "mount", target, errno);
        close(fd);
}

/* The mount on top of `path` inside the root, to change its flags (an fd
 * taken before the mount names the directory underneath it), checked to be
 * the file or directory `want` is. */
static void remount_in_root(int errfd, int rootfd, const char *path, const struct stat *want, unsigned long flags) {
        _cleanup_close_ int fd = open_in_root(rootfd, path, O_PATH);
        if (fd < 0) die_path(errfd, "open mount point", path, -fd);
        struct stat st;
        if (fstat(fd, &st) < 0) die_path(errfd, "open mount point", path, errno);
        if (st.st_dev != want->st_dev || st.st_ino != want->st_ino) die_path(errfd, "mount point changed", path, EXDEV);
        char p[32];
        if (mount(NULL, fd_path(p, fd), NULL, flags, NULL) < 0) die_path(errfd, "remount", path, errno);
}

static void setup_dev(int errfd, int rootfd) {
        mount_in_root(errfd, rootfd, "/dev", true, 0755, "tmpfs", "tmpfs", MS_NOSUID | MS_STRICTATIME,
                      "mode=755,size=65536k");
        static const char *const nodes[] = {"null", "zero", "full", "random", "urandom", "tty"};
        for (size_t i = 0; i < OCX_ARRAY_SIZE(nodes); i++) {
                char src[32];
                snprintf(src, sizeof(src), "/dev/%s", nodes[i]);
                mount_in_root(errfd, rootfd, src, false, 0644, src, NULL, MS_BIND, NULL);
        }
        mount_in_root(errfd, rootfd, "/dev/pts", true, 0755, "devpts", "devpts", MS_NOSUID | MS_NOEXEC,
                      "newinstance,ptmxmode=0666,mode=0620");
        mount_in_root(errfd, rootfd, "/dev/shm", true, 01777, "shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                      "mode=1777,size=65536k");
        /* the tmpfs mounted above: nothing in it but what was just made */
        _cleanup_close_ int dev = open_in_root(rootfd, "/dev", O_PATH | O_DIRECTORY);
        if (dev < 0) die(errfd, "open /dev", -dev);
        static const char *const links[][2] = {{"pts/ptmx", "ptmx"},
                                               {"/proc/self/fd", "fd"},
                                               {"/proc/self/fd/0", "stdin"},
                                               {"/proc/self/fd/1", "stdout"},
                                               {"/proc/self/fd/2", "stderr"}};
        for (size_t i = 0; i < OCX_ARRAY_SIZE(links); i++)
                if (symlinkat(links[i][0], dev, links[i][1]) < 0 && errno != EEXIST)
                        die(errfd, "symlink in /dev", errno);
}

/* /proc and /sys paths a container must not read or write (as runc/CRI-O) */
static const char *const masked[] = {"/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
                                     "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware",
                                     "/sys/devices/virtual/powercap"};
static const char *const readonly[] = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"};

static void mask_paths(int errfd, int rootfd) {
        char p[32], q[32];
        for (size_t i = 0; i < OCX_ARRAY_SIZE(masked); i++) {
                _cleanup_close_ int fd = open_in_root(rootfd, masked[i], O_PATH);
                struct stat st;
                if (fd < 0 || fstat(fd, &st) < 0) continue;
                int r = S_ISDIR(st.st_mode) ? mount("tmpfs", fd_path(p, fd), "tmpfs", MS_RDONLY, "size=0")
                                            : mount("/dev/null", fd_path(p, fd), NULL, MS_BIND, NULL);
                if (r < 0 && errno != ENOENT) die_path(errfd, "mask path", masked[i], errno);
        }
        for (size_t i = 0; i < OCX_ARRAY_SIZE(readonly); i++) {
                _cleanup_close_ int fd = open_in_root(rootfd, readonly[i], O_PATH);
                struct stat st;
                if (fd < 0 || fstat(fd, &st) < 0) continue;
                if (mount(fd_path(p, fd), fd_path(q, fd), NULL, MS_BIND | MS_REC, NULL) < 0)
                        die_path(errfd, "bind read-only path", readonly[i], errno);
                remount_in_root(errfd, rootfd, readonly[i], &st,
                                MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);
        }
}

static void bind_into(int errfd, int rootfd, const rt_mount *m) {
        if (strstr(m->target, "..")) die_path(errfd, "mount target", m->target, EINVAL);
        /* the source is the node's (a volume directory, a file it wrote, an allowed hostPath) */
        _cleanup_close_ int src = open(m->source, O_PATH | O_CLOEXEC);
        struct stat st;
        if (src < 0 || fstat(src, &st) < 0) die(errfd, "mount source", errno);
        char path[PATH_MAX], a[32], b[32];
        _cleanup_close_ int fd = mount_point_in_root(rootfd, m->target, S_ISDIR(st.st_mode), 0755, path);
        if (fd < 0) die_path(errfd, "create mount point", m->target, -fd);
        if (mount(fd_path(a, src), fd_path(b, fd), NULL, MS_BIND | MS_REC, NULL) < 0)
                die_path(errfd, "bind mount", m->target, errno);
        unsigned long fl = MS_BIND | MS_REMOUNT | MS_NOSUID | MS_NODEV | (m->read_only ? MS_RDONLY : 0);
        remount_in_root(errfd, rootfd, path, &st, fl);
}

__attribute__((noreturn)) static void container_main(const rt_spec *s, int errfd, int logfd) {
        char root[4096], upper[4096], work[4096];
        snprintf(root, sizeof(root), "%s/merged", s->rootfs_dir);
        snprintf(upper, sizeof(upper), "%s/upper", s->rootfs_dir);
        snprintf(work, sizeof(work), "%s/work", s->rootfs_dir);
        if (s->netns_path) {
                int nfd = open(s->netns_path, O_RDONLY | O_CLOEXEC);
                if (nfd < 0 || setns(nfd, CLONE_NEWNET) < 0) die(errfd, "join the pod network namespace", errno);
                close(nfd);
        }
        if (unshare(CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS) < 0) die(errfd, "unshare", errno);
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) die(errfd, "make / rprivate", errno);
        /* overlay root: lowerdir=top:...:bottom */
        ocx_buf opts;
        ocx_buf_init(&opts, 64 * 1024);
        ocx_buf_puts(&opts, "lowerdir=");
        for (size_t i = 0; i < s->n_lowers; i++) ocx_buf_printf(&opts, "%s%s", i ? ":" : "", s->lowers[i]);
        if (ocx_buf_printf(&opts, ",upperdir=%s,workdir=%s", upper, work) < 0) die(errfd, "overlay options", E2BIG);
        if (mount("overlay", root, "overlay", MS_NOSUID, opts.data) < 0) die(errfd, "mount the overlay root", errno);
        /* from here on every path inside the root is looked up through rootfd (see mount_point_in_root) */
        int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (rootfd < 0) die(errfd, "open the overlay root", errno);
        mount_in_root(errfd, rootfd, "/proc", true, 0555, "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
        setup_dev(errfd, rootfd);
        mount_in_root(errfd, rootfd, "/sys", true, 0555, "sysfs", "sysfs",
                      MS_NOSUID | MS_NODEV | MS_NOEXEC | (s->privileged ? 0 : MS_RDONLY), NULL);
        int etc = mount_point_in_root(rootfd, "/etc", true, 0755, NULL);
        if (etc >= 0) close(etc);
        for (size_t i = 0; i < s->n_mounts; i++) bind_into(errfd, rootfd, &s->mounts[i]);
        if (!s->privileged) mask_paths(errfd, rootfd);
        close(rootfd);
        if (s->hostname && sethostname(s->hostname, strlen(s->hostname)) < 0) die(errfd, "sethostname", errno);
        if (chdir(root) < 0) die(errfd, "chdir to the root", errno);
        if (syscall(SYS_pivot_root, ".", ".") < 0) die(errfd, "pivot_root", errno);
        if (umount2(".", MNT_DETACH) < 0) die(errfd, "detach the old root", errno);
        if (chdir("/") < 0) die(errfd, "chdir /", errno);
        if (s->read_only_root && mount(NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID, NULL) < 0)
                die(errfd, "remount the root read-only", errno);
        const char *cwd = s->cwd && *s->cwd ? s->cwd : "/";
        if (!s->read_only_root) (void)mkdir_p(cwd, 0755);
        if (chdir(cwd) < 0) die(errfd, "chdir to the working directory", errno);
        /* stdio: stdin /dev/null, stdout + stderr the log */
        int nul = open("/dev/null", O_RDONLY);
        if (nul < 0 || dup2(nul, 0) < 0 || dup2(logfd, 1) < 0 || dup2(logfd, 2) < 0) die(errfd, "stdio", errno);
        if (nul > 2) close(nul);
        if (logfd > 2) close(logfd);
        signal(SIGPIPE, SIG_DFL);
        sigset_t all;
        sigemptyset(&all);
        sigprocmask(SIG_SETMASK, &all, NULL);
        const char *step = NULL;
        int r = scc_enforce_apply(s->enforcement, &step);
        if (r < 0) die(errfd, step ? step : "security context", -r);
        environ = (char **)s->envp;
        execvpe(s->argv[0], s->argv, s->envp);
        int e = errno;
        dprintf(errfd, "exec '%s': %s", s->argv[0], strerror(e));
        _exit(127);
}

static void close_other_fds(const int *keep, size_t n) {
        DIR *d = opendir("/proc/self/fd");
        if (!d) return;
        int dfd = dirfd(d);
        struct dirent *de;
        while ((de = readdir(d))) {
                if (de->d_name[0] == '.') continue;
                int fd = (int)strtol(de->d_name, NULL, 10);
                bool k = fd == dfd || fd <= 2;
                for (size_t i = 0; i < n; i++) k |= fd == keep[i];
                if (!k) close(fd);
        }
        closedir(d);
}

__attribute__((noreturn)) static void monitor_main(const rt_spec *s, int pidfd_w, int errfd, int logfd) {
        int keep[] = {pidfd_w, errfd, logfd};
        close_other_fds(keep, OCX_ARRAY_SIZE(keep));
        setsid();
        struct sigaction ign = {.sa_handler = SIG_IGN};
        sigaction(SIGTERM, &ign, NULL);
        sigaction(SIGINT, &ign, NULL);
        sigaction(SIGHUP, &ign, NULL);
        sigaction(SIGQUIT, &ign, NULL);
        sigaction(SIGPIPE, &ign, NULL);
        int nul = open("/dev/null", O_RDWR);
        if (nul >= 0) {
                dup2(nul, 0);
                dup2(nul, 1);
                dup2(nul, 2);
                if (nul > 2) close(nul);
        }
        if (unshare(CLONE_NEWPID) < 0) die(errfd, "unshare(CLONE_NEWPID)", errno);
        pid_t c = fork();
        if (c < 0) die(errfd, "fork", errno);
        if (c == 0) {
                close(pidfd_w);
                sigaction(SIGTERM, &(struct sigaction){.sa_handler = SIG_DFL}, NULL);
                sigaction(SIGINT, &(struct sigaction){.sa_handler = SIG_DFL}, NULL);
                sigaction(SIGHUP, &(struct sigaction){.sa_handler = SIG_DFL}, NULL);
                sigaction(SIGQUIT, &(struct sigaction){.sa_handler = SIG_DFL}, NULL);
                container_main(s, errfd, logfd);
        }
        close(errfd);
        close(logfd);
        char line[96];
        int n = snprintf(line, sizeof(line), "%d %llu %d\n", (int)c, (unsigned long long)rt_proc_starttime(c), (int)getpid());
        _cleanup_free_ char *pidf = state_file(s->state_dir, s->name, "pid");
        (void)ocx_write_file_atomic(pidf, line, (size_t)n, 0644);
        if (write(pidfd_w, line, (size_t)n) < 0) { /* ocxd went away: keep going */
        }
        close(pidfd_w);
        int st = 0;
        while (waitpid(c, &st, 0) < 0 && errno == EINTR) {
        }
        int code = WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : 255;
        n = snprintf(line, sizeof(line), "%d\n", code);
        _cleanup_free_ char *exitf = state_file(s->state_dir, s->name, "exit");
        (void)ocx_write_file_atomic(exitf, line, (size_t)n, 0644);
        _exit(0);
}

int rt_start(const rt_spec *s, pid_t *ret_pid, pid_t *ret_monitor, ocx_error **reterr) {
        char upper[4096], work[4096], merged[4096];
        snprintf(upper, sizeof(upper), "%s/upper", s->rootfs_dir);
        snprintf(work, sizeof(work), "%s/work", s->rootfs_dir);
        snprintf(merged, sizeof(merged), "%s/merged", s->rootfs_dir);
        int r = mkdir_p(upper, 0755);
        if (r >= 0) r = mkdir_p(work, 0700);
        if (r >= 0) r = mkdir_p(merged, 0755);
        if (r >= 0) r = mkdir_p(s->state_dir, 0700);
        if (r < 0) return ocx_error_set(reterr, -r, NULL, "cannot create the container directories under '%s'", s->rootfs_dir);
        rt_forget(s->state_dir, s->name);
        if (!s->argv || !s->argv[0]) return ocx_error_set(reterr, EINVAL, NULL, "no command specified");
        _cleanup_close_ int logfd = open(s->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
        if (logfd < 0) return ocx_error_set(reterr, errno, NULL, "cannot open the log '%s'", s->log_path);
        int pfd[2], efd[2];
        if (pipe2(pfd, O_CLOEXEC) < 0) return -errno;
        if (pipe2(efd, O_CLOEXEC) < 0) {
                close(pfd[0]);
                close(pfd[1]);
                return -errno;
        }
        pid_t m = fork();
        if (m < 0) {
                r = -errno;
                close(pfd[0]);
                close(pfd[1]);
                close(efd[0]);
                close(efd[1]);
                return ocx_error_set(reterr, -r, NULL, "fork: %s", strerror(-r));
        }
        if (m == 0) {
                close(pfd[0]);
                close(efd[0]);
                monitor_main(s, pfd[1], efd[1], logfd);
        }
        close(pfd[1]);
        close(efd[1]);
        char buf[512];
        size_t got = 0;
        ssize_t n;
        while (got < sizeof(buf) - 1 && (n = read(pfd[0], buf + got, sizeof(buf) - 1 - got)) != 0) {
                if (n < 0 && errno == EINTR) continue;
                if (n < 0) break;
                got += (size_t)n;
                if (memchr(buf, '\n', got)) break;
        }
        buf[got] = 0;
        close(pfd[0]);
        long cpid = strtol(buf, NULL, 10);
        char err[1024];
        size_t elen = 0;
        while (elen < sizeof(err) - 1 && (n = read(efd[0], err + elen, sizeof(err) - 1 - elen)) != 0) {
                if (n < 0 && errno == EINTR) continue;
                if (n < 0) break;
                elen += (size_t)n;
        }
        err[elen] = 0;
        close(efd[0]);
        *ret_monitor = m;
        *ret_pid = (pid_t)cpid;
        if (elen > 0 || cpid <= 0) {
                /* the monitor records the exit; reap it now */
                if (cpid <= 0) (void)waitpid(m, NULL, 0);
                return ocx_error_set(reterr, EIO, NULL, "%s", elen ? err : "the container monitor failed");
        }
        return 0;
}
