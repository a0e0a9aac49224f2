/* Runtime-level start benchmark (e2e/bench/pod-rss.sh builds and runs it):
 * N sequential containers through the node runtime's rt_start (monitor,
 * pid/mount/ipc/uts namespaces, joining an existing network namespace,
 * overlayfs root, /proc, /dev, masked paths, pivot_root, default security
 * context, execve), each killed and reaped after it started. Prints one
 * start time in seconds per line.
 * Usage: pod-rt-bench ROOTFS WORKDIR NETNS_PATH N CMD... */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include "node/runtime.h"
#include "ocx/json.h"
#include "scc/enforce.h"

int main(int argc, char **argv) {
        if (argc < 6) {
                fprintf(stderr, "usage: pod-rt-bench ROOTFS WORKDIR NETNS_PATH N CMD...\n");
                return 2;
        }
        const char *rootfs = argv[1], *work = argv[2], *netns = argv[3];
        int n = atoi(argv[4]);
        const char *pj =
            "{\"metadata\":{\"name\":\"b\",\"namespace\":\"default\"},\"spec\":{\"containers\":[{\"name\":\"c\","
            "\"securityContext\":{\"runAsUser\":0}}]}}";
        cJSON *pod = NULL;
        ocx_error *e = NULL;
        scc_exec_context sc;
        scc_enforcement *enf = NULL;
        if (ocx_json_parse(pj, strlen(pj), &pod, NULL) < 0 || scc_exec_context_from_pod(pod, "c", &sc, &e) < 0 ||
            scc_exec_context_resolve_user(&sc, NULL, &e) < 0 || scc_enforce_prepare(&sc, work, &enf, &e) < 0) {
                fprintf(stderr, "security context: %s\n", e ? e->message : "failed");
                return 1;
        }
        char *envp[] = {"PATH=/bin", "HOME=/root", NULL};
        const char *lowers[] = {rootfs};
        for (int i = 0; i < n; i++) {
                char dir[4096], state[4096], log[4096], name[32];
                snprintf(dir, sizeof(dir), "%s/c%d", work, i);
                snprintf(state, sizeof(state), "%s/state", work);
                snprintf(log, sizeof(log), "%s/c%d.log", work, i);
                snprintf(name, sizeof(name), "c%d", i);
                rt_spec s = {.name = name,
                             .state_dir = state,
                             .lowers = lowers,
                             .n_lowers = 1,
                             .rootfs_dir = dir,
                             .argv = argv + 5,
                             .envp = envp,
                             .hostname = "b",
                             .netns_path = *netns ? netns : NULL,
                             .log_path = log,
                             .enforcement = enf};
                struct timespec t0, t1;
                pid_t pid = 0, mon = 0;
                clock_gettime(CLOCK_MONOTONIC, &t0);
                int r = rt_start(&s, &pid, &mon, &e);
                clock_gettime(CLOCK_MONOTONIC, &t1);
                if (r < 0) {
                        fprintf(stderr, "rt_start: %s\n", e ? e->message : "failed");
                        return 1;
                }
                printf("%.4f\n", (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
                fflush(stdout);
                kill(pid, SIGKILL);
                waitpid(mon, NULL, 0);
        }
        scc_enforcement_free(enf);
        scc_exec_context_release(&sc);
        cJSON_Delete(pod);
        return 0;
}
