/* ocx exec POD [-c CONTAINER] -- COMMAND [args...]: first version, on the
 * node machine only. The pod is looked up through the API (it must exist and
 * be running); the command then runs through `ocxd node-exec`, which enters
 * the container's namespaces from the pid file under the node's base
 * directory and applies the container's security context (docs/runtime.md). */
#include <stdio.h>
#include <sys/wait.h>
#include "cli/client.h"
#include "cli/command.h"
#include "ocx/json.h"
#include "ocx/banned.h"

int cli_run_exec(cli_invocation *inv);

static char *ocxd_path(void) {
        char self[4096];
        ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
        if (n > 0) {
                self[n] = 0;
                char *slash = strrchr(self, '/');
                if (slash) {
                        *slash = 0;
                        char *p = ocx_xasprintf("%s/ocxd", self);
                        if (access(p, X_OK) == 0) return p;
                        free(p);
                }
        }
        return ocx_xstrdup("ocxd");
}

int cli_run_exec(cli_invocation *inv) {
        if (inv->nargs < 2)
                return cli_usage_error(inv, "error: expected 'exec POD_NAME COMMAND [ARG1] [ARG2] ... [ARGN]'.\n"
                                            "POD_NAME and COMMAND are required arguments for the exec command");
        const char *name = inv->args[0];
        if (ocx_startswith(name, "pod/")) name += 4;
        else if (ocx_startswith(name, "pods/")) name += 5;
        else if (ocx_startswith(name, "po/")) name += 3;
        _cleanup_error_ ocx_error *e = NULL;
        cli_session *s = NULL;
        if (cli_session_get(inv, &s, &e) < 0) return cli_print_error(e);
        _cleanup_free_ char *path = ocx_xasprintf("/api/v1/namespaces/%s/pods/%s", s->ns, name);
        _cleanup_json_ cJSON *pod = NULL;
        if (cli_request_json(s, "GET", path, NULL, NULL, &pod, &e) < 0) return cli_print_error(e);
        const char *container = cli_flag_str(inv, "container");
        if (!container || !*container)
                container = ocx_json_get_str(cJSON_GetArrayItem(ocx_json_path(pod, "spec.containers"), 0), "name");
        const char *phase = ocx_json_path_str(pod, "status.phase");
        if (!ocx_streq(phase, "Running")) {
                fprintf(stderr, "error: cannot exec into a container in a completed pod; current phase is %s\n", phase ? phase : "Unknown");
                return 1;
        }
        const char *base = cli_flag_str(inv, "base-dir");
        if (!base || !*base) base = getenv("OCX_BASE_DIR");
        if (!base || !*base) base = "/var/lib/ocx";
        _cleanup_free_ char *ocxd = ocxd_path();
        size_t n = 0;
        char **argv = ocx_xcalloc(inv->nargs + 10, sizeof(char *));
        argv[n++] = ocxd;
        argv[n++] = "node-exec";
        argv[n++] = "--base-dir";
        argv[n++] = (char *)base;
        argv[n++] = s->ns;
        argv[n++] = (char *)name;
        argv[n++] = (char *)(container ? container : "");
        argv[n++] = "--";
        for (size_t i = 1; i < inv->nargs; i++) argv[n++] = inv->args[i];
        fflush(stdout);
        pid_t pid = fork();
        if (pid < 0) {
                free(argv);
                fprintf(stderr, "error: fork: %s\n", strerror(errno));
                return 1;
        }
        if (pid == 0) {
                /* under AddressSanitizer builds (make asan): LeakSanitizer cannot stop the world from
                 * inside the container's pid namespace and seccomp filter, and would hang at exit */
                setenv("ASAN_OPTIONS", "detect_leaks=0", 1);
                execv(ocxd, argv);
                execvp("ocxd", argv);
                fprintf(stderr, "error: cannot run ocxd node-exec: %s\n", strerror(errno));
                _exit(127);
        }
        free(argv);
        int st;
        while (waitpid(pid, &st, 0) < 0)
                if (errno != EINTR) return 1;
        return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
