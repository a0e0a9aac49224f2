/* ocx logs [-f] [-c CONTAINER] [--tail N] [-p] (pod/NAME | NAME) [CONTAINER]:
 * prints a container's log from the pods/log subresource. Follow polls the
 * log every 300 ms and prints what was appended, until the pod has finished
 * or is gone (a restart starts the new log from its beginning). */
#include <stdio.h>
#include <time.h>
#include "cli/client.h"
#include "cli/command.h"
#include "ocx/json.h"
#include "ocx/banned.h"

int cli_run_logs(cli_invocation *inv);

static const char *pod_name(const char *arg) {
        static const char *const prefixes[] = {"pod/", "pods/", "po/"};
        for (size_t i = 0; i < OCX_ARRAY_SIZE(prefixes); i++)
                if (ocx_startswith(arg, prefixes[i])) return arg + strlen(prefixes[i]);
        return strchr(arg, '/') ? NULL : arg;
}

static int fetch(cli_session *s, const char *path, ocx_http_response *resp, ocx_error **e) {
        int r = cli_do(s, "GET", path, NULL, NULL, 0, "text/plain, application/json", resp, e);
        if (r < 0) return r;
        if (resp->status != 200) {
                r = cli_status_error(resp, NULL, e);
                ocx_http_response_release(resp);
                return r;
        }
        return 0;
}

/* done: the pod is gone or has finished */
static bool pod_done(cli_session *s, const char *ns, const char *name) {
        _cleanup_free_ char *path = ocx_xasprintf("/api/v1/namespaces/%s/pods/%s", ns, name);
        _cleanup_json_ cJSON *pod = NULL;
        ocx_error *e = NULL;
        if (cli_request_json(s, "GET", path, NULL, NULL, &pod, &e) < 0) {
                ocx_error_free(e);
                return true;
        }
        const char *ph = ocx_json_path_str(pod, "status.phase");
        return ocx_streq(ph, "Succeeded") || ocx_streq(ph, "Failed") || ocx_json_path(pod, "metadata.deletionTimestamp");
}

int cli_run_logs(cli_invocation *inv) {
        if (inv->nargs < 1 || inv->nargs > 2)
                return cli_usage_error(inv, "error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\n"
                                            "POD or TYPE/NAME is a required argument for the logs command");
        const char *name = pod_name(inv->args[0]);
        if (!name || !*name) {
                fprintf(stderr, "error: only pods are supported: '%s'\n", inv->args[0]);
                return 1;
        }
        const char *container = cli_flag_str(inv, "container");
        if (inv->nargs == 2) container = inv->args[1];
        long tail = -1;
        _cleanup_error_ ocx_error *e = NULL;
        if (cli_flag_int(inv, "tail", &tail, &e) < 0) return cli_print_error(e);
        bool follow = cli_flag_bool(inv, "follow"), previous = cli_flag_bool(inv, "previous");
        cli_session *s = NULL;
        if (cli_session_get(inv, &s, &e) < 0) return cli_print_error(e);
        _cleanup_free_ char *base = ocx_xasprintf("/api/v1/namespaces/%s/pods/%s/log", s->ns, name);
        _cleanup_free_ char *p1 = container && *container ? cli_path_add_query(base, "container", container) : ocx_xstrdup(base);
        _cleanup_free_ char *full = previous ? cli_path_add_query(p1, "previous", "true") : ocx_xstrdup(p1);
        char tl[32];
        snprintf(tl, sizeof(tl), "%ld", tail);
        _cleanup_free_ char *first = tail >= 0 ? cli_path_add_query(full, "tailLines", tl) : ocx_xstrdup(full);
        ocx_http_response resp;
        if (fetch(s, first, &resp, &e) < 0) return cli_print_error(e);
        fwrite(resp.body, 1, resp.body_len, stdout);
        fflush(stdout);
        ocx_http_response_release(&resp);
        if (!follow || previous) return 0;
        /* where we are in the full log */
        size_t off = 0;
        if (fetch(s, full, &resp, &e) < 0) return cli_print_error(e);
        off = resp.body_len;
        ocx_http_response_release(&resp);
        for (;;) {
                struct timespec ts = {0, 300 * 1000 * 1000};
                nanosleep(&ts, NULL);
                bool done = pod_done(s, s->ns, name);
                ocx_error *fe = NULL;
                if (fetch(s, full, &resp, &fe) < 0) {
                        ocx_error_free(fe);
                        return 0;
                }
                if (resp.body_len < off) off = 0; /* restarted: a new log */
                fwrite(resp.body + off, 1, resp.body_len - off, stdout);
                fflush(stdout);
                off = resp.body_len;
                ocx_http_response_release(&resp);
                if (done) return 0;
        }
}
