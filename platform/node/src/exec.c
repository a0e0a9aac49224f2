/* `ocxd node-exec`: run a command in a running container, on the node
 * machine (see node/node.h). It enters the container's ipc, uts, net, pid
 * and mount namespaces through /proc/<pid>/ns of the container's PID 1
 * (from BASE/run/node/pods/<uid>/<container>.pid), takes its root, working
 * directory and environment, forks into the pid namespace and applies the
 * same security context (scc enforce) before execve. */
#include "node/node.h"
#include <dirent.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <stdio.h>
#include <sys/wait.h>
#include "node/runtime.h"
#include "ocx/buf.h"
#include "ocx/json.h"
#include "scc/enforce.h"
#include "ocx/banned.h"

static int find_pod(const char *base, const char *ns, const char *pod, char **ret_dir, cJSON **ret_pod) {
        _cleanup_free_ char *root = ocx_xasprintf("%s/run/node/pods", base);
        DIR *d = opendir(root);
        if (!d) return -ENOENT;
        struct dirent *de;
        int r = -ENOENT;
        while ((de = readdir(d))) {
                if (de->d_name[0] == '.') continue;
                _cleanup_free_ char *f = ocx_xasprintf("%s/%s/pod.json", root, de->d_name);
                _cleanup_free_ char *data = NULL;
                size_t n;
                cJSON *o = NULL;
                if (ocx_read_file(f, 4 << 20, &data, &n) < 0 || ocx_json_parse(data, n, &o, NULL) < 0) continue;
                if (ocx_streq(ocx_json_path_str(o, "metadata.namespace"), ns) && ocx_streq(ocx_json_path_str(o, "metadata.name"), pod)) {
                        *ret_dir = ocx_xasprintf("%s/%s", root, de->d_name);
                        *ret_pod = o;
                        r = 0;
                        break;
                }
                cJSON_Delete(o);
        }
        closedir(d);
        return r;
}

/* NUL-separated /proc/PID/environ into a vector */
static char **read_environ(pid_t pid) {
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/environ", (int)pid);
        char *data = NULL;
        size_t n = 0;
        if (ocx_read_file(path, 1 << 20, &data, &n) < 0) return ocx_xcalloc(1, sizeof(char *));
        size_t cnt = 0;
        for (size_t i = 0; i < n; i++) cnt += data[i] == 0;
        char **v = ocx_xcalloc(cnt + 2, sizeof(char *));
        size_t k = 0;
        for (size_t i = 0; i < n && k <= cnt;) {
                size_t l = strnlen(data + i, n - i);
                if (l) v[k++] = ocx_xstrndup(data + i, l);
                i += l + 1;
        }
        free(data);
        return v;
}

static long status_field(pid_t pid, const char *key) {
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
        _cleanup_free_ char *s = NULL;
        size_t n;
        if (ocx_read_file(path, 1 << 16, &s, &n) < 0) return -1;
        const char *p = strstr(s, key);
        return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

int node_exec_main(int argc, char **argv) {
        const char *base = "/var/lib/ocx";
        static const struct option opts[] = {{"base-dir", required_argument, NULL, 'b'}, {"stdin", no_argument, NULL, 'i'},
                                             {"tty", no_argument, NULL, 't'},            {NULL, 0, NULL, 0}};
        int o;
        optind = 1;
        while ((o = getopt_long(argc, argv, "+it", opts, NULL)) != -1) {
                if (o == 'b') base = optarg;
                else if (o != 'i' && o != 't') return 2;
        }
        if (argc - optind < 4) {
                fprintf(stderr, "usage: ocxd node-exec [--base-dir DIR] NAMESPACE POD CONTAINER [--] CMD...\n");
                return 2;
        }
        const char *ns = argv[optind], *pod = argv[optind + 1], *ctr = argv[optind + 2];
        int cmd = optind + 3;
        if (ocx_streq(argv[cmd], "--")) cmd++;
        if (cmd >= argc) {
                fprintf(stderr, "error: no command given\n");
                return 2;
        }
        _cleanup_free_ char *dir = NULL;
        _cleanup_json_ cJSON *podj = NULL;
        if (find_pod(base, ns, pod, &dir, &podj) < 0) {
                fprintf(stderr, "error: pod '%s' in namespace '%s' does not run on this node (base dir '%s')\n", pod, ns, base);
                return 1;
        }
        pid_t pid = 0;
        if (rt_running(dir, ctr, &pid, NULL) != 1) {
                fprintf(stderr, "error: container '%s' in pod '%s' is not running\n", ctr, pod);
                return 1;
        }
        _cleanup_error_ ocx_error *e = NULL;
        scc_exec_context sc;
        int r = scc_exec_context_from_pod(podj, ctr, &sc, &e);
        if (r >= 0 && !sc.has_uid) {
                /* the image's user: whatever the container's PID 1 runs as */
                long uid = status_field(pid, "Uid:\t"), gid = status_field(pid, "Gid:\t");
                if (uid >= 0) sc.has_uid = true, sc.uid = (uint32_t)uid;
                if (gid >= 0 && !sc.has_gid) sc.has_gid = true, sc.gid = (uint32_t)gid;
        }
        if (r >= 0) r = scc_exec_context_resolve_user(&sc, NULL, &e);
        _cleanup_free_ char *profiles = ocx_xasprintf("%s/seccomp", base);
        scc_enforcement *enf = NULL;
        if (r >= 0) r = scc_enforce_prepare(&sc, profiles, &enf, &e);
        scc_exec_context_release(&sc);
        if (r < 0) {
                fprintf(stderr, "error: %s\n", e ? e->message : strerror(-r));
                return 1;
        }
        char **envp = read_environ(pid);
        char path[96], cwd[4096] = "/";
        snprintf(path, sizeof(path), "/proc/%d/cwd", (int)pid);
        ssize_t cl = readlink(path, cwd, sizeof(cwd) - 1);
        cwd[cl > 0 ? cl : 1] = 0;
        static const struct {
                const char *name;
                int type;
        } nss[] = {{"ipc", CLONE_NEWIPC}, {"uts", CLONE_NEWUTS}, {"net", CLONE_NEWNET}, {"pid", CLONE_NEWPID}, {"mnt", CLONE_NEWNS}};
        int fds[5];
        for (size_t i = 0; i < 5; i++) {
                snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, nss[i].name);
                fds[i] = open(path, O_RDONLY | O_CLOEXEC);
                if (fds[i] < 0) {
                        fprintf(stderr, "error: cannot open %s: %s\n", path, strerror(errno));
                        return 1;
                }
        }
        snprintf(path, sizeof(path), "/proc/%d/root", (int)pid);
        int rootfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        for (size_t i = 0; i < 5; i++)
                if (setns(fds[i], nss[i].type) < 0) {
                        fprintf(stderr, "error: cannot enter the %s namespace: %s\n", nss[i].name, strerror(errno));
                        return 1;
                }
        if (rootfd < 0 || fchdir(rootfd) < 0 || chroot(".") < 0) {
                fprintf(stderr, "error: cannot enter the container root: %s\n", strerror(errno));
                return 1;
        }
        pid_t child = fork();
        if (child < 0) return 1;
        if (child == 0) {
                if (chdir(cwd) < 0 && chdir("/") < 0) _exit(126);
                const char *step = NULL;
                r = scc_enforce_apply(enf, &step);
                if (r < 0) {
                        fprintf(stderr, "error: %s: %s\n", step ? step : "security context", strerror(-r));
                        _exit(126);
                }
                extern char **environ;
                environ = envp;
                execvpe(argv[cmd], argv + cmd, envp);
                fprintf(stderr, "error: exec '%s': %s\n", argv[cmd], strerror(errno));
                _exit(errno == ENOENT ? 127 : 126);
        }
        int st;
        while (waitpid(child, &st, 0) < 0)
                if (errno != EINTR) return 1;
        scc_enforcement_free(enf);
        return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
