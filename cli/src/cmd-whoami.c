/* ocx whoami [-t] [-c] [--show-server] [--show-console] [-o yaml|json] (spec 5.3). */
#include <stdio.h>
#include "cli/client.h"
#include "cli/cmds.h"
#include "cli/printer.h"
#include "ocx/json.h"
#include "ocx/banned.h"

#define SSR_PATH "/apis/authentication.k8s.io/v1/selfsubjectreviews"
#define USERS_TILDE "/apis/user.openshift.io/v1/users/~"

int cli_whoami(struct cli_session *s, char **ret_user, ocx_error **reterr) {
        *ret_user = NULL;
        static const char body[] = "{\"kind\":\"SelfSubjectReview\",\"apiVersion\":\"authentication.k8s.io/v1\"}";
        ocx_http_response resp;
        int r = cli_do(s, "POST", SSR_PATH, "application/json", body, strlen(body), NULL, &resp, reterr);
        if (r < 0) return r;
        if (resp.status == 401) {
                r = cli_status_error(&resp, NULL, reterr);
                ocx_http_response_release(&resp);
                return r;
        }
        if (resp.status >= 200 && resp.status < 300) {
                _cleanup_json_ cJSON *j = NULL;
                if (ocx_json_parse(resp.body, resp.body_len, &j, NULL) == 0) {
                        const char *u = ocx_json_path_str(j, "status.userInfo.username");
                        if (u && *u) *ret_user = ocx_xstrdup(u);
                }
        }
        ocx_http_response_release(&resp);
        if (*ret_user) return 0;
        /* older servers: the User object of the caller */
        _cleanup_json_ cJSON *u = NULL;
        r = cli_request_json(s, "GET", USERS_TILDE, NULL, NULL, &u, reterr);
        if (r < 0) return r;
        const char *name = ocx_json_path_str(u, "metadata.name");
        if (!name || !*name) return ocx_error_set(reterr, EIO, NULL, "the server did not say who you are");
        *ret_user = ocx_xstrdup(name);
        return 0;
}

static const char *current_context(const cli_invocation *inv, const cli_kubeconfig *kc) {
        const char *c = cli_flag_str(inv, "context");
        if (c && *c) return c;
        return ocx_json_get_str(kc->doc, "current-context");
}

int cli_run_whoami(cli_invocation *inv) {
        if (inv->nargs > 0) return cli_usage_error(inv, "unexpected arguments: %s", inv->args[0]);
        bool t = cli_flag_bool(inv, "show-token"), c = cli_flag_bool(inv, "show-context");
        bool srv = cli_flag_bool(inv, "show-server"), con = cli_flag_bool(inv, "show-console");
        const char *out = cli_flag_str(inv, "output");
        _cleanup_error_ ocx_error *e = NULL;
        if (out && *out && (t || c || srv || con)) {
                fprintf(stderr, "error: --output cannot be used with --show-token, --show-context, --show-server, or "
                                "--show-console\n");
                return 1;
        }
        if (c) {
                cli_kubeconfig kc;
                if (cli_kubeconfig_load(cli_flag_str(inv, "kubeconfig"), &kc, &e) < 0) return cli_print_error(e);
                const char *cur = current_context(inv, &kc);
                int rc = 0;
                if (!cur || !*cur) {
                        fprintf(stderr, "error: no context has been set\n");
                        rc = 1;
                } else {
                        printf("%s\n", cur);
                }
                cli_kubeconfig_release(&kc);
                return rc;
        }
        cli_session *s = NULL;
        if (cli_session_get(inv, &s, &e) < 0) return cli_print_error(e);
        if (t) {
                if (!s->cfg.token || !*s->cfg.token) {
                        fprintf(stderr, "error: no token is currently in use for this session\n");
                        return 1;
                }
                printf("%s\n", s->cfg.token);
                return 0;
        }
        if (srv || con) {
                printf("%s\n", s->cfg.server);
                return 0;
        }
        if (out && *out) {
                if (!ocx_streq(out, "yaml") && !ocx_streq(out, "json")) {
                        fprintf(stderr,
                                "error: unable to match a printer suitable for the output format \"%s\", allowed "
                                "formats are: json,yaml\n",
                                out);
                        return 1;
                }
                _cleanup_json_ cJSON *u = NULL;
                if (cli_request_json(s, "GET", USERS_TILDE, NULL, NULL, &u, &e) < 0) return cli_print_error(e);
                ocx_buf b = OCX_BUF_INIT;
                cli_print_object(u, out, &b);
                fputs(b.data ? b.data : "", stdout);
                ocx_buf_release(&b);
                return 0;
        }
        _cleanup_free_ char *user = NULL;
        if (cli_whoami(s, &user, &e) < 0) return cli_print_error(e);
        printf("%s\n", user);
        return 0;
}
