/* ocx — process management for `ocx cluster`: finding, starting, checking
 * and stopping daemons by pid, pid files, log tails, tree removal. */
#include <fcntl.h>
#include <ftw.h>
#include <netdb.h>
#include <sys/socket.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "cli/cluster.h"
#include "ocx/encoding.h"
#include "ocx/buf.h"
#include "ocx/macro.h"
#include "ocx/banned.h"

void cli_cluster_argv_free(char **argv) {
        for (size_t i = 0; argv && argv[i]; i++) free(argv[i]);
        free(argv);
}

static bool is_executable_file(const char *path) {
        struct stat st;
        return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

int cli_cluster_find_binary(const char *name, const char *bin_dir, char **ret, ocx_error **reterr) {
        _cleanup_free_ char *self_dir = NULL;
        if (!bin_dir) {
                char exe[PATH_MAX];
                ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
                if (n > 0) {
                        exe[n] = '\0';
                        char *slash = strrchr(exe, '/');
                        if (slash) self_dir = ocx_xstrndup(exe, (size_t)(slash - exe));
                }
                bin_dir = self_dir;
        }
        if (bin_dir) {
                char *p = ocx_xasprintf("%s/%s", bin_dir, name);
                if (is_executable_file(p)) {
                        *ret = p;
                        return 0;
                }
                free(p);
        }
        const char *path = getenv("PATH");
        if (path) {
                _cleanup_free_ char *copy = ocx_xstrdup(path);
                char *save = NULL;
                for (char *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
                        if (!*d) continue;
                        char *p = ocx_xasprintf("%s/%s", d, name);
                        if (is_executable_file(p)) {
                                *ret = p;
                                return 0;
                        }
                        free(p);
                }
        }
        return ocx_error_set(reterr, ENOENT, NULL, "cannot find '%s' next to '%s' or on PATH", name,
                             bin_dir ? bin_dir : "ocx");
}

static int write_all(int fd, const void *p, size_t n) {
        const char *c = p;
        while (n) {
                ssize_t w = write(fd, c, n);
                if (w < 0) {
                        if (errno == EINTR) continue;
                        return -errno;
                }
                c += w;
                n -= (size_t)w;
        }
        return 0;
}

static ssize_t read_full(int fd, void *p, size_t n) {
        size_t got = 0;
        while (got < n) {
                ssize_t r = read(fd, (char *)p + got, n - got);
                if (r < 0) {
                        if (errno == EINTR) continue;
                        return -errno;
                }
                if (r == 0) break;
                got += (size_t)r;
        }
        return (ssize_t)got;
}

/* Runs in the grandchild: becomes the daemon. Never returns. */
static void exec_daemon(char *const *argv, int logfd, int nullfd, int errfd) {
        if (dup2(nullfd, 0) < 0 || dup2(logfd, 1) < 0 || dup2(logfd, 2) < 0) goto fail;
        /* nothing of ours leaks into the daemon: the pipe and the rest are CLOEXEC */
        (void)close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
        if (chdir("/") < 0) goto fail;
        umask(022);
        sigset_t all;
        sigemptyset(&all);
        sigprocmask(SIG_SETMASK, &all, NULL);
        for (int s = 1; s < NSIG; s++)
                if (s != SIGKILL && s != SIGSTOP) signal(s, SIG_DFL);
        execv(argv[0], argv);
fail:;
        int e = errno;
        (void)write_all(errfd, &e, sizeof(e));
        _exit(127);
}

int cli_cluster_spawn(char *const *argv, const char *log_path, pid_t *ret_pid, ocx_error **reterr) {
        _cleanup_close_ int logfd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (logfd < 0)
                return ocx_error_set(reterr, errno, NULL, "cannot open '%s': %s", log_path,
                                     strerror(errno));
        _cleanup_close_ int nullfd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (nullfd < 0) return ocx_error_set(reterr, errno, NULL, "cannot open /dev/null: %s", strerror(errno));
        int pfd[2];
        if (pipe2(pfd, O_CLOEXEC) < 0) return ocx_error_set(reterr, errno, NULL, "pipe: %s", strerror(errno));
        _cleanup_close_ int rfd = pfd[0];
        int wfd = pfd[1];

        pid_t child = fork();
        if (child < 0) {
                int e = errno;
                close(wfd);
                return ocx_error_set(reterr, e, NULL, "fork: %s", strerror(e));
        }
        if (child == 0) {
                if (setsid() < 0) _exit(1);
                pid_t g = fork();
                if (g < 0) _exit(1);
                if (g == 0) exec_daemon(argv, logfd, nullfd, wfd);
                _exit(write_all(wfd, &g, sizeof(g)) < 0 ? 1 : 0);
        }
        close(wfd);
        int st = 0;
        while (waitpid(child, &st, 0) < 0 && errno == EINTR) {
        }
        pid_t pid = 0;
        if (read_full(rfd, &pid, sizeof(pid)) != (ssize_t)sizeof(pid) || pid <= 0)
                return ocx_error_set(reterr, EIO, NULL, "cannot start '%s': fork failed", argv[0]);
        /* EOF: the exec succeeded (the pipe is close-on-exec); else its errno */
        int e = 0;
        ssize_t n = read_full(rfd, &e, sizeof(e));
        if (n == (ssize_t)sizeof(e))
                return ocx_error_set(reterr, e, NULL, "cannot execute '%s': %s", argv[0], strerror(e));
        *ret_pid = pid;
        return 0;
}

int cli_cluster_read_pid(const char *path, pid_t *ret) {
        _cleanup_free_ char *s = NULL;
        size_t len = 0;
        int r = ocx_read_file(path, 64, &s, &len);
        if (r < 0) return r == -E2BIG ? -EINVAL : r;
        char *end = NULL;
        errno = 0;
        long v = strtol(s, &end, 10);
        if (errno || end == s || v <= 0 || v > INT_MAX) return -EINVAL;
        while (*end == '\n' || *end == ' ') end++;
        if (*end) return -EINVAL;
        *ret = (pid_t)v;
        return 0;
}

int cli_cluster_write_pid(const char *path, pid_t pid, ocx_error **reterr) {
        char buf[32];
        int n = snprintf(buf, sizeof(buf), "%d\n", (int)pid);
        int r = ocx_write_file_atomic(path, buf, (size_t)n, 0644);
        if (r < 0) return ocx_error_set(reterr, -r, NULL, "cannot write '%s': %s", path, strerror(-r));
        return 0;
}

/* The state letter from /proc/PID/stat, 0 when the process is gone. */
static char proc_state(pid_t pid) {
        char path[64], buf[512];
        snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) return 0;
        ssize_t n = read_full(fd, buf, sizeof(buf) - 1);
        if (n <= 0) return 0;
        buf[n] = '\0';
        char *p = strrchr(buf, ')');
        if (!p || p[1] != ' ') return 0;
        return p[2];
}

bool cli_cluster_pid_alive(pid_t pid) {
        if (pid <= 0) return false;
        if (kill(pid, 0) < 0 && errno == ESRCH) return false;
        char s = proc_state(pid);
        return s != 0 && s != 'Z' && s != 'X';
}

static const char *base_name(const char *p) {
        const char *s = strrchr(p, '/');
        return s ? s + 1 : p;
}

bool cli_cluster_pid_is(pid_t pid, const char *name, const char *base_dir) {
        if (!cli_cluster_pid_alive(pid)) return false;
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
        _cleanup_free_ char *cmd = NULL;
        size_t len = 0;
        if (ocx_read_file(path, 64 * 1024, &cmd, &len) < 0 || len == 0) return false;

        /* argv[0], or argv[1] for a script run through its interpreter */
        bool name_ok = strcmp(base_name(cmd), name) == 0;
        size_t a0 = strlen(cmd) + 1;
        if (!name_ok && a0 < len) name_ok = strcmp(base_name(cmd + a0), name) == 0;
        if (!name_ok) {
                char exe[PATH_MAX];
                snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
                ssize_t n = readlink(path, exe, sizeof(exe) - 1);
                if (n > 0) {
                        exe[n] = '\0';
                        char *del = strstr(exe, " (deleted)");
                        if (del && del[10] == '\0') *del = '\0'; /* rebuilt while running */
                        name_ok = strcmp(base_name(exe), name) == 0;
                }
        }
        if (!name_ok) return false;

        /* walk the NUL-separated arguments looking for --base-dir DIR */
        _cleanup_free_ char *eq = ocx_xasprintf("--base-dir=%s", base_dir);
        const char *prev = NULL;
        for (const char *a = cmd; a < cmd + len; a += strlen(a) + 1) {
                if (strcmp(a, eq) == 0) return true;
                if (prev && strcmp(prev, "--base-dir") == 0 && strcmp(a, base_dir) == 0) return true;
                prev = a;
        }
        return false;
}

static long now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static bool wait_gone(pid_t pid, int ms) {
        long deadline = now_ms() + ms;
        for (;;) {
                if (!cli_cluster_pid_alive(pid)) return true;
                if (now_ms() >= deadline) return false;
                struct timespec d = {0, 10 * 1000 * 1000};
                nanosleep(&d, NULL);
        }
}

int cli_cluster_stop_pid(pid_t pid, int grace_ms, ocx_error **reterr) {
        if (pid <= 0) return ocx_error_set(reterr, EINVAL, NULL, "invalid pid %d", (int)pid);
        if (kill(pid, SIGTERM) < 0) {
                if (errno == ESRCH) return 0;
                return ocx_error_set(reterr, errno, NULL, "cannot stop pid %d: %s", (int)pid,
                                     strerror(errno));
        }
        if (wait_gone(pid, grace_ms)) return 0;
        if (kill(pid, SIGKILL) < 0 && errno != ESRCH)
                return ocx_error_set(reterr, errno, NULL, "cannot kill pid %d: %s", (int)pid,
                                     strerror(errno));
        if (wait_gone(pid, 2000)) return 1; /* 1: had to be killed */
        return ocx_error_set(reterr, ETIMEDOUT, NULL, "pid %d did not exit after SIGKILL", (int)pid);
}

char *cli_cluster_log_tail(const char *path, int lines) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) return ocx_xstrdup("");
        const size_t cap = 64 * 1024;
        struct stat st;
        if (fstat(fd, &st) == 0 && st.st_size > (off_t)cap) (void)lseek(fd, st.st_size - (off_t)cap, SEEK_SET);
        char *buf = ocx_xmalloc(cap + 1);
        ssize_t n = read_full(fd, buf, cap);
        if (n < 0) n = 0;
        buf[n] = '\0';
        /* drop NULs that would cut the text short */
        for (ssize_t i = 0; i < n; i++)
                if (buf[i] == '\0') buf[i] = '?';
        size_t end = (size_t)n;
        if (end && buf[end - 1] == '\n') end--;
        size_t start = end;
        int seen = 0;
        while (start > 0) {
                if (buf[start - 1] == '\n' && ++seen == lines) break;
                start--;
        }
        char *out = ocx_xstrndup(buf + start, end - start);
        free(buf);
        return out;
}

static int rm_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw) {
        (void)sb;
        (void)ftw;
        int r = (type == FTW_DP || type == FTW_D) ? rmdir(path) : unlink(path);
        return r < 0 && errno != ENOENT ? errno : 0;
}

int cli_cluster_rmtree(const char *path, ocx_error **reterr) {
        struct stat st;
        if (lstat(path, &st) < 0) {
                if (errno == ENOENT) return 0;
                return ocx_error_set(reterr, errno, NULL, "cannot remove '%s': %s", path, strerror(errno));
        }
        int r = nftw(path, rm_entry, 32, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
        if (r != 0) {
                int e = r > 0 ? r : errno;
                return ocx_error_set(reterr, e, NULL, "cannot remove '%s': %s", path, strerror(e));
        }
        return 0;
}

int cli_cluster_check_port_free(const char *host, int port, ocx_error **reterr) {
        char ps[16];
        snprintf(ps, sizeof(ps), "%d", port);
        struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV};
        struct addrinfo *ai = NULL;
        if (getaddrinfo(host, ps, &hints, &ai) != 0 || !ai) return 0; /* let the daemon report it */
        bool used = false;
        for (struct addrinfo *a = ai; a && !used; a = a->ai_next) {
                _cleanup_close_ int fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
                if (fd < 0) continue;
                used = connect(fd, a->ai_addr, a->ai_addrlen) == 0;
        }
        freeaddrinfo(ai);
        if (used)
                return ocx_error_set(reterr, EADDRINUSE, NULL,
                                     "%s%s%s:%d is already in use: another cluster or program listens there "
                                     "(choose another with --listen)",
                                     strchr(host, ':') ? "[" : "", host, strchr(host, ':') ? "]" : "", port);
        return 0;
}
