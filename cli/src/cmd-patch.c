/* ocx patch KIND NAME -p PATCH [--type merge|json|strategic]. */
#include <stdio.h>
#include "cli/client.h"
#include "cli/cmds.h"
#include "cli/printer.h"
#include "cli/resargs.h"
#include "ocx/json.h"
#include "ocx/banned.h"

int cli_run_patch(cli_invocation *inv) {
        const char *patch = cli_flag_str(inv, "patch");
        const char *type = cli_flag_str(inv, "type");
        if (!patch || !*patch) return cli_usage_error(inv, "must specify -p to patch");
        const char *ctype;
        if (ocx_streq(type, "json"))
                ctype = "application/json-patch+json";
        else if (ocx_streq(type, "merge") || ocx_streq(type, "strategic"))
                ctype = "application/merge-patch+json"; /* ocxd serves merge patches for every kind */
        else
                return cli_usage_error(inv, "--type must be one of [json merge strategic], not \"%s\"", type ? type : "");
        _cleanup_error_ ocx_error *e = NULL;
        _cleanup_json_ cJSON *pj = NULL;
        if (ocx_json_parse(patch, strlen(patch), &pj, &e) < 0) {
                /* kubectl accepts YAML patches too */
                ocx_error_free(e);
                e = NULL;
                return cli_print_error(&(ocx_error){.message = (char *)"unable to parse the patch: it is not valid JSON"});
        }
        if (inv->nargs == 0) return cli_usage_error(inv, "You must provide one or more resources by argument or filename.");
        cli_session *s = NULL;
        cli_discovery *d = NULL;
        cli_targets t;
        if (cli_session_get(inv, &s, &e) < 0 || cli_discovery_get(s, &d, &e) < 0 ||
            cli_targets_from_args(d, inv->args, inv->nargs, "patch", &t, &e) < 0)
                return cli_print_error(e);
        const char *out = cli_flag_str(inv, "output");
        const char *dry = cli_flag_str(inv, "dry-run");
        bool server_dry = ocx_streq(dry, "server");
        int rc = 0;
        for (size_t i = 0; i < t.n; i++) {
                if (t.v[i].nnames == 0) {
                        fprintf(stderr, "error: resource(s) were provided, but no name was specified\n");
                        rc = 1;
                        break;
                }
                for (size_t k = 0; k < t.v[i].nnames; k++) {
                        const cli_resource *res = t.v[i].res;
                        _cleanup_free_ char *path = cli_resource_path(res, s->ns, t.v[i].names[k]);
                        _cleanup_json_ cJSON *before = NULL, *after = NULL;
                        ocx_error *pe = NULL;
                        int r = cli_request_json(s, "GET", path, NULL, NULL, &before, &pe);
                        if (r >= 0) {
                                _cleanup_free_ char *wp = server_dry ? cli_path_add_query(path, "dryRun", "All")
                                                                     : ocx_xstrdup(path);
                                r = cli_request_json(s, "PATCH", wp, ctype, pj, &after, &pe);
                        }
                        if (r < 0) {
                                cli_print_error(pe);
                                ocx_error_free(pe);
                                rc = 1;
                                continue;
                        }
                        _cleanup_free_ char *kp = cli_resource_kind_prefix(res);
                        if (out && strcmp(out, "name") == 0) {
                                printf("%s/%s\n", kp, t.v[i].names[k]);
                        } else if (out && (strcmp(out, "json") == 0 || strcmp(out, "yaml") == 0)) {
                                ocx_buf b = OCX_BUF_INIT;
                                cli_print_object(after, out, &b);
                                fputs(b.data ? b.data : "", stdout);
                                ocx_buf_release(&b);
                        } else {
                                bool same = ocx_json_equal(before, after);
                                printf("%s/%s patched%s%s\n", kp, t.v[i].names[k], same ? " (no change)" : "",
                                       server_dry ? " (server dry run)" : "");
                        }
                        fflush(stdout);
                }
        }
        cli_targets_release(&t);
        return rc;
}
