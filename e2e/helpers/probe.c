/* Security probe for the runtime e2e tests (built static: plain libc only).
 *
 * Tries what a confined container must not be able to do and prints one line
 * per attempt:
 *   probe NAME: allowed [(detail)]
 *   probe NAME: denied (errno text[; detail])
 *   probe NAME: reached-kernel (errno text)   the call passed seccomp and the
 *              capability check and was refused by the kernel for its arguments
 *   probe NAME: skipped (why)                  an argument the probe needs is missing
 * preceded (without --only) by one "probe-context: uid=.. euid=.. NoNewPrivs=..
 * Seccomp=.. CapEff=.. CapBnd=.." line.
 *
 * Usage: probe [--only NAME,NAME...] [--root-file PATH] [--kill-uid UID]
 *              [--host-pid PID:COMM] [--other-file PATH] [--forks N]
 * Invoked as "suid-probe FILE" (a copy of this binary, setuid root in the
 * image) it prints the suid-root line: its euid and whether it read FILE.
 *
 * Nothing it does harms the host when allowed. The dangerous system calls get
 * arguments the kernel refuses only after the permission check (EPERM =
 * denied by seccomp or capabilities, anything else = reached the kernel):
 * reboot with a wrong magic number, clock_settime on a clock id that does not
 * exist, swapon and umount of a path that does not exist, init_module of an
 * empty image, setns on fd -1, bpf with an unknown command. The sysrq trigger
 * and /proc/sys are only opened for writing, never written; kcore is read for
 * 4 bytes; kill sends signal 0; the tmpfs, device node, files and namespaces
 * are its own and removed again; the fork loop is capped and reaped. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/keyctl.h>
#include <linux/reboot.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define OTHER_UID 4242 /* owner given to files / uid taken by the setuid, setgid probes */
#define MAX_FORKS 64   /* default cap of the fork loop */

static struct {
        const char *only, *root_file, *host_comm, *other_file;
        long kill_uid, host_pid, forks;
} opt = {.kill_uid = -1, .host_pid = -1, .forks = MAX_FORKS};

static void line(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void line(const char *name, const char *fmt, ...) {
        va_list ap;
        printf("probe %s: ", name);
        va_start(ap, fmt);
        vprintf(fmt, ap);
        va_end(ap);
        putchar('\n');
        fflush(stdout);
}

/* ok: the action succeeded; else err says why */
static void report(const char *name, int ok, int err) {
        if (ok)
                line(name, "allowed");
        else
                line(name, "denied (%s)", strerror(err));
}

/* for calls given arguments the kernel refuses: EPERM/EACCES is a denial,
 * any other error means the call got past seccomp and the capability check */
static void kreport(const char *name, long r, int err) {
        if (r >= 0)
                line(name, "allowed");
        else if (err == EPERM || err == EACCES)
                line(name, "denied (%s)", strerror(err));
        else
                line(name, "reached-kernel (%s)", strerror(err));
}

/* run fn in a child (so the probe itself keeps its ids and namespaces);
 * returns 0 or the errno the child exited with */
static int in_child(int (*fn)(void)) {
        fflush(stdout);
        pid_t c = fork();
        if (c < 0) return errno;
        if (c == 0) _exit(fn() == 0 ? 0 : (errno & 0xff) ? errno : 255);
        int st = 0;
        while (waitpid(c, &st, 0) < 0 && errno == EINTR) {
        }
        if (WIFEXITED(st)) return WEXITSTATUS(st);
        return EINTR;
}

static int read_small(const char *path, char *buf, size_t len) {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) return -1;
        ssize_t n = read(fd, buf, len - 1);
        int e = errno;
        close(fd);
        if (n < 0) {
                errno = e;
                return -1;
        }
        buf[n] = 0;
        return (int)n;
}

/* real uid of a process from /proc/PID/status, -1 when unknown */
static long proc_uid(const char *pid) {
        char path[300], buf[2048];
        snprintf(path, sizeof(path), "/proc/%s/status", pid);
        if (read_small(path, buf, sizeof(buf)) < 0) return -1;
        const char *u = strstr(buf, "\nUid:");
        return u ? strtol(u + 5, NULL, 10) : -1;
}

static int is_pid(const char *s) { return *s && strspn(s, "0123456789") == strlen(s); }

/* ---- ids and capabilities ------------------------------------------------------- */

static void p_setuid0(void) {
        int r = setuid(0);
        report("setuid0", r == 0 && getuid() == 0, errno);
}

static int do_setuid(void) { return setuid(OTHER_UID); }
static int do_setgid(void) { return setgid(OTHER_UID); }
static void p_setuid(void) {
        int e = in_child(do_setuid);
        report("setuid", e == 0, e);
}

static const char *suid_copy = "/bin/suid-probe";
static int do_suid(void) {
        /* as root (privileged) first become nobody: the test is whether the
         * setuid bit gives root back */
        if (getuid() == 0) {
                if (setgroups(0, NULL) < 0 || setresgid(65534, 65534, 65534) < 0 || setresuid(65534, 65534, 65534) < 0)
                        return -1;
        }
        char *argv[] = {"suid-probe", (char *)opt.root_file, NULL};
        char *envp[] = {NULL};
        execve(suid_copy, argv, envp);
        return -1;
}

/* copy src to dst with mode */
static int copy_file(const char *src, const char *dst, mode_t mode) {
        int in = open(src, O_RDONLY | O_CLOEXEC);
        if (in < 0) return -1;
        int out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0700);
        if (out < 0) {
                close(in);
                return -1;
        }
        char buf[65536];
        ssize_t n;
        int r = 0;
        while ((n = read(in, buf, sizeof(buf))) > 0)
                if (write(out, buf, (size_t)n) != n) r = -1;
        if (n < 0) r = -1;
        close(in);
        if (fchown(out, 0, 0) < 0 || fchmod(out, mode) < 0) r = -1;
        close(out);
        return r;
}

static void p_suid_root(void) {
        if (!opt.root_file) {
                line("suid-root", "skipped (no --root-file)");
                return;
        }
        /* the image's /bin/suid-probe (setuid root, on the nosuid overlay root).
         * A privileged probe (root) also shows the setuid bit working: a copy
         * on a tmpfs of its own without nosuid, run after dropping to nobody. */
        const char *mnt = "/tmp/probe-suid";
        int mounted = 0;
        if (getuid() == 0) {
                mkdir(mnt, 0755);
                if (mount("tmpfs", mnt, "tmpfs", 0, "size=4m,mode=0755") == 0) {
                        mounted = 1;
                        if (copy_file("/bin/suid-probe", "/tmp/probe-suid/suid-probe", 04755) == 0)
                                suid_copy = "/tmp/probe-suid/suid-probe";
                }
        }
        int e = in_child(do_suid);
        if (e) line("suid-root", "denied (%s; exec failed)", strerror(e));
        if (mounted) umount2(mnt, MNT_DETACH);
        rmdir(mnt);
}

static int suid_main(const char *file) {
        uid_t eu = geteuid();
        char buf[256];
        int n = file ? read_small(file, buf, sizeof(buf)) : (errno = EINVAL, -1);
        if (n >= 0)
                line("suid-root", "allowed (euid %u, read %d bytes)", (unsigned)eu, n);
        else
                line("suid-root", "denied (%s; euid %u)", strerror(errno), (unsigned)eu);
        return 0;
}

static void p_chown(void) {
        const char *f = "/tmp/probe-chown";
        int fd = open(f, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0) {
                line("chown", "skipped (create %s: %s)", f, strerror(errno));
                return;
        }
        close(fd);
        int r = chown(f, OTHER_UID, (gid_t)-1);
        report("chown", r == 0, errno);
        unlink(f);
}

static void p_kill(void) {
        if (opt.kill_uid < 0) {
                line("kill", "skipped (no --kill-uid)");
                return;
        }
        /* wait (20 s at most) for the test to put a process of that uid into
         * this pid namespace */
        for (int i = 0; i < 200; i++) {
                DIR *d = opendir("/proc");
                struct dirent *de;
                long pid = -1;
                while (d && (de = readdir(d)))
                        if (is_pid(de->d_name) && proc_uid(de->d_name) == opt.kill_uid) {
                                pid = strtol(de->d_name, NULL, 10);
                                break;
                        }
                if (d) closedir(d);
                if (pid > 0) {
                        int r = kill((pid_t)pid, 0);
                        if (r == 0)
                                line("kill", "allowed (pid %ld, uid %ld)", pid, opt.kill_uid);
                        else
                                line("kill", "denied (%s; pid %ld, uid %ld)", strerror(errno), pid, opt.kill_uid);
                        return;
                }
                usleep(100 * 1000);
        }
        line("kill", "skipped (no process of uid %ld appeared)", opt.kill_uid);
}

static void p_mknod(void) {
        const char *f = "/tmp/probe-mknod";
        unlink(f);
        int r = mknod(f, S_IFCHR | 0600, makedev(1, 3));
        report("mknod", r == 0, errno);
        if (r == 0) unlink(f);
}

static void p_setgid(void) {
        int e = in_child(do_setgid);
        report("setgid", e == 0, e);
}

static void p_raw_socket(void) {
        int fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);
        report("raw-socket", fd >= 0, errno);
        if (fd >= 0) close(fd);
}

/* ---- system calls ------------------------------------------------------------------ */

static int mounted_tmpfs;
static void p_mount(void) {
        mkdir("/tmp/probe-mnt", 0700);
        int r = mount("tmpfs", "/tmp/probe-mnt", "tmpfs", 0, "size=1m");
        report("mount", r == 0, errno);
        mounted_tmpfs = r == 0;
}

static void p_umount(void) {
        /* the probe's own tmpfs when mount worked, else a path that does not exist */
        long r = umount2(mounted_tmpfs ? "/tmp/probe-mnt" : "/nonexistent", 0);
        kreport("umount", r, errno);
        if (mounted_tmpfs && r < 0) umount2("/tmp/probe-mnt", MNT_DETACH);
        rmdir("/tmp/probe-mnt");
}

static int do_unshare(void) { return unshare(CLONE_NEWNS | CLONE_NEWUTS); }
static int do_unshare_user(void) { return unshare(CLONE_NEWUSER); }
static int do_clone_user(void) {
        /* the raw clone(2) with a namespace flag: the child exits at once */
        long c = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL, NULL);
        if (c == 0) _exit(0);
        if (c < 0) return -1;
        waitpid((pid_t)c, NULL, 0);
        return 0;
}

static void p_unshare(void) {
        int e = in_child(do_unshare);
        report("unshare", e == 0, e);
        e = in_child(do_unshare_user);
        report("unshare-user", e == 0, e);
        e = in_child(do_clone_user);
        report("clone-newuser", e == 0, e);
}

static void p_setns(void) {
        long r = syscall(SYS_setns, -1, 0);
        kreport("setns", r, errno);
}

static void p_keyctl(void) {
        long k = syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0);
        report("keyctl", k >= 0, errno);
}

static void p_bpf(void) {
        char attr[128] = {0};
        long r = syscall(SYS_bpf, 0x7ffe /* no such command */, attr, sizeof(attr));
        kreport("bpf", r, errno);
}

static void p_ptrace(void) {
        fflush(stdout);
        pid_t c = fork();
        if (c == 0) {
                pause();
                _exit(0);
        }
        long r = ptrace(PTRACE_ATTACH, c, 0, 0);
        int perr = errno;
        kill(c, SIGKILL);
        waitpid(c, NULL, 0);
        report("ptrace", r == 0, perr);
}

static void p_init_module(void) {
        long r = syscall(SYS_init_module, NULL, 0UL, "");
        kreport("init-module", r, errno);
}

static int do_reboot(void) {
        /* wrong magic1: EINVAL after the CAP_SYS_BOOT check, nothing happens */
        return (int)syscall(SYS_reboot, 0, LINUX_REBOOT_MAGIC2, LINUX_REBOOT_CMD_CAD_OFF, NULL);
}
static void p_reboot(void) {
        int e = in_child(do_reboot);
        kreport("reboot", e ? -1 : 0, e);
}

static void p_clock_settime(void) {
        struct timespec ts = {0, 0};
        long r = syscall(SYS_clock_settime, 1000 /* no such clock */, &ts);
        kreport("clock-settime", r, errno);
}

static void p_swapon(void) {
        long r = syscall(SYS_swapon, "/nonexistent/probe-swap", 0);
        kreport("swapon", r, errno);
}

/* ---- /proc and /sys ----------------------------------------------------------------- */

static void p_proc_sys_write(void) {
        int fd = open("/proc/sys/kernel/hostname", O_WRONLY | O_CLOEXEC);
        report("proc-sys-write", fd >= 0, errno);
        if (fd >= 0) close(fd);
}

static void p_sysrq(void) {
        int fd = open("/proc/sysrq-trigger", O_WRONLY | O_CLOEXEC);
        report("sysrq-trigger", fd >= 0, errno);
        if (fd >= 0) close(fd);
}

static void p_kcore(void) {
        int fd = open("/proc/kcore", O_RDONLY | O_CLOEXEC);
        char buf[4];
        ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf)) : -1;
        int kerr = errno;
        if (n == 4)
                line("kcore", "allowed");
        else if (n >= 0)
                line("kcore", "denied (masked: read %zd bytes)", n);
        else
                line("kcore", "denied (%s)", strerror(kerr));
        if (fd >= 0) close(fd);
}

static void p_sys_firmware(void) {
        DIR *d = opendir("/sys/firmware");
        if (!d) {
                line("sys-firmware", "denied (%s)", strerror(errno));
                return;
        }
        int n = 0;
        struct dirent *de;
        while ((de = readdir(d)))
                if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) n++;
        closedir(d);
        if (n)
                line("sys-firmware", "allowed (%d entries)", n);
        else
                line("sys-firmware", "denied (masked: empty)");
}

/* ---- isolation ----------------------------------------------------------------------- */

static void p_host_procs(void) {
        if (opt.host_pid < 0) {
                line("host-procs", "skipped (no --host-pid)");
                return;
        }
        char path[300], comm[64];
        snprintf(path, sizeof(path), "/proc/%ld/comm", opt.host_pid);
        int err = 0, seen = 0, visible = 0;
        if (read_small(path, comm, sizeof(comm)) < 0)
                err = errno;
        else if ((comm[strcspn(comm, "\n")] = 0, strcmp(comm, opt.host_comm) == 0))
                seen = 1;
        else
                err = ESRCH; /* the pid exists here but is another process */
        /* and no process of that name anywhere in this pid namespace */
        DIR *d = opendir("/proc");
        struct dirent *de;
        while (d && (de = readdir(d))) {
                if (!is_pid(de->d_name)) continue;
                visible++;
                snprintf(path, sizeof(path), "/proc/%s/comm", de->d_name);
                if (read_small(path, comm, sizeof(comm)) > 0 &&
                    strncmp(comm, opt.host_comm, strlen(opt.host_comm)) == 0 && comm[strlen(opt.host_comm)] == '\n')
                        seen = 1;
        }
        if (d) closedir(d);
        if (seen)
                line("host-procs", "allowed (%s visible; %d processes)", opt.host_comm, visible);
        else
                line("host-procs", "denied (%s; %d processes visible)", strerror(err), visible);
}

static void p_other_pod_fs(void) {
        if (!opt.other_file) {
                line("other-pod-fs", "skipped (no --other-file)");
                return;
        }
        char buf[256];
        int n = read_small(opt.other_file, buf, sizeof(buf));
        if (n >= 0)
                line("other-pod-fs", "allowed (read %d bytes)", n);
        else
                line("other-pod-fs", "denied (%s)", strerror(errno));
}

static void p_rootfs_write(void) {
        /* a world-writable directory of the image (not a volume): only a
         * read-only root stops a write there */
        const char *f = "/var/tmp/probe-rootfs-write";
        int fd = open(f, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        report("rootfs-write", fd >= 0, errno);
        if (fd >= 0) {
                close(fd);
                unlink(f);
        }
}

static void p_pids_limit(void) {
        pid_t kids[1024];
        long max = opt.forks < 1 ? 1 : opt.forks > 1024 ? 1024 : opt.forks;
        long n = 0;
        int err = 0;
        fflush(stdout);
        for (; n < max; n++) {
                pid_t c = fork();
                if (c == 0) {
                        pause();
                        _exit(0);
                }
                if (c < 0) {
                        err = errno;
                        break;
                }
                kids[n] = c;
        }
        for (long i = 0; i < n; i++) kill(kids[i], SIGKILL);
        for (long i = 0; i < n; i++) waitpid(kids[i], NULL, 0);
        if (!err)
                line("pids-limit", "allowed (%ld forks)", n);
        else
                line("pids-limit", "denied (%s; after %ld forks)", strerror(err), n);
}

/* the ids and confinement the probes run under, from /proc/self/status */
static void context(void) {
        char buf[4096];
        const char *keys[] = {"NoNewPrivs:", "Seccomp:", "CapEff:", "CapBnd:"};
        printf("probe-context: uid=%u euid=%u", (unsigned)getuid(), (unsigned)geteuid());
        if (read_small("/proc/self/status", buf, sizeof(buf)) > 0)
                for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
                        const char *k = strstr(buf, keys[i]);
                        if (!k) continue;
                        k += strlen(keys[i]);
                        k += strspn(k, " \t");
                        printf(" %.*s=%.*s", (int)strlen(keys[i]) - 1, keys[i], (int)strcspn(k, "\n"), k);
                }
        putchar('\n');
        fflush(stdout);
}

/* ---- main ------------------------------------------------------------------------------- */

static const struct {
        const char *name;
        void (*fn)(void);
} probes[] = {
    /* the kill probe first: it may wait for its target */
    {"kill", p_kill},
    {"setuid0", p_setuid0},
    {"suid-root", p_suid_root},
    {"chown", p_chown},
    {"mknod", p_mknod},
    {"setuid", p_setuid},
    {"setgid", p_setgid},
    {"raw-socket", p_raw_socket},
    {"mount", p_mount},
    {"umount", p_umount},
    {"unshare", p_unshare},
    {"setns", p_setns},
    {"keyctl", p_keyctl},
    {"bpf", p_bpf},
    {"ptrace", p_ptrace},
    {"init-module", p_init_module},
    {"reboot", p_reboot},
    {"clock-settime", p_clock_settime},
    {"swapon", p_swapon},
    {"proc-sys-write", p_proc_sys_write},
    {"sysrq-trigger", p_sysrq},
    {"kcore", p_kcore},
    {"sys-firmware", p_sys_firmware},
    {"host-procs", p_host_procs},
    {"other-pod-fs", p_other_pod_fs},
    {"rootfs-write", p_rootfs_write},
    /* last: it fills the pids cgroup */
    {"pids-limit", p_pids_limit},
};

static int selected(const char *name) {
        if (!opt.only) return 1;
        size_t l = strlen(name);
        for (const char *p = opt.only; (p = strstr(p, name)); p += l)
                if ((p == opt.only || p[-1] == ',') && (p[l] == ',' || p[l] == 0)) return 1;
        return 0;
}

static int usage(void) {
        fprintf(stderr, "usage: probe [--only NAME,...] [--root-file PATH] [--kill-uid UID] [--host-pid PID:COMM]\n"
                        "             [--other-file PATH] [--forks N]\n");
        return 2;
}

int main(int argc, char **argv) {
        const char *base = strrchr(argv[0], '/');
        if (strcmp(base ? base + 1 : argv[0], "suid-probe") == 0) return suid_main(argc > 1 ? argv[1] : NULL);
        for (int i = 1; i < argc; i++) {
                const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
                if (!v) return usage();
                i++;
                if (strcmp(a, "--only") == 0)
                        opt.only = v;
                else if (strcmp(a, "--root-file") == 0)
                        opt.root_file = v;
                else if (strcmp(a, "--kill-uid") == 0)
                        opt.kill_uid = strtol(v, NULL, 10);
                else if (strcmp(a, "--other-file") == 0)
                        opt.other_file = v;
                else if (strcmp(a, "--forks") == 0)
                        opt.forks = strtol(v, NULL, 10);
                else if (strcmp(a, "--host-pid") == 0) {
                        char *c = strchr(v, ':');
                        if (!c) return usage();
                        opt.host_pid = strtol(v, NULL, 10);
                        opt.host_comm = c + 1;
                } else
                        return usage();
        }
        if (!opt.only) context();
        for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++)
                if (selected(probes[i].name)) probes[i].fn();
        return 0;
}
