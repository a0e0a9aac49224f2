/* ocx config view|current-context|use-context|get-contexts, ocx api-resources. */
#include <stdio.h>
#include "cli/client.h"
#include "cli/cmds.h"
#include "cli/printer.h"
#include "cli/resources.h"
#include "ocx/json.h"
#include "ocx/banned.h"

static int load(cli_invocation *inv, cli_kubeconfig *kc) {
        _cleanup_error_ ocx_error *e = NULL;
        if (cli_kubeconfig_load(cli_flag_str(inv, "kubeconfig"), kc, &e) < 0) return cli_print_error(e);
        return 0;
}

static void redact(cJSON *doc) {
        static const char *const data_keys[] = {"certificate-authority-data", "client-certificate-data",
                                                "client-key-data"};
        const char *lists[] = {"clusters", "users"}, *inner[] = {"cluster", "user"};
        for (size_t l = 0; l < 2; l++) {
                cJSON *e;
                cJSON_ArrayForEach(e, ocx_json_get(doc, lists[l])) {
                        cJSON *in = ocx_json_get(e, inner[l]);
                        for (size_t k = 0; k < OCX_ARRAY_SIZE(data_keys); k++)
                                if (ocx_json_get(in, data_keys[k])) ocx_json_set_str(in, data_keys[k], "DATA+OMITTED");
                        if (ocx_json_get(in, "token")) ocx_json_set_str(in, "token", "REDACTED");
                }
        }
}

static void minify(cJSON *doc) {
        const char *cur = ocx_json_get_str(doc, "current-context");
        cJSON *ctx = NULL, *e;
        cJSON_ArrayForEach(e, ocx_json_get(doc, "contexts")) if (ocx_streq(ocx_json_get_str(e, "name"), cur)) ctx = e;
        const char *cl = ocx_json_path_str(ctx, "context.cluster"), *us = ocx_json_path_str(ctx, "context.user");
        const char *keep[] = {cur, cl, us};
        const char *lists[] = {"contexts", "clusters", "users"};
        for (size_t l = 0; l < 3; l++) {
                cJSON *list = ocx_json_get(doc, lists[l]);
                for (int i = cJSON_GetArraySize(list) - 1; i >= 0; i--)
                        if (!ocx_streq(ocx_json_get_str(cJSON_GetArrayItem(list, i), "name"), keep[l]))
                                cJSON_DeleteItemFromArray(list, i);
        }
}

int cli_run_config_view(cli_invocation *inv) {
        cli_kubeconfig kc;
        if (load(inv, &kc)) return 1;
        if (!cli_flag_bool(inv, "raw")) redact(kc.doc);
        if (cli_flag_bool(inv, "minify")) minify(kc.doc);
        ocx_buf b = OCX_BUF_INIT;
        const char *o = cli_flag_str(inv, "output");
        cli_print_object(kc.doc, ocx_streq(o, "json") ? "json" : "yaml", &b);
        fputs(b.data ? b.data : "", stdout);
        ocx_buf_release(&b);
        cli_kubeconfig_release(&kc);
        return 0;
}

int cli_run_config_current_context(cli_invocation *inv) {
        cli_kubeconfig kc;
        if (load(inv, &kc)) return 1;
        const char *cur = ocx_json_get_str(kc.doc, "current-context");
        int rc = 0;
        if (!cur || !*cur) {
                fprintf(stderr, "error: current-context is not set\n");
                rc = 1;
        } else {
                printf("%s\n", cur);
        }
        cli_kubeconfig_release(&kc);
        return rc;
}

int cli_run_config_use_context(cli_invocation *inv) {
        if (inv->nargs != 1) return cli_usage_error(inv, "Unexpected args: need exactly one context name");
        cli_kubeconfig kc;
        if (load(inv, &kc)) return 1;
        const char *name = inv->args[0];
        bool found = false;
        const cJSON *e;
        cJSON_ArrayForEach(e, ocx_json_get(kc.doc, "contexts")) found |= ocx_streq(ocx_json_get_str(e, "name"), name);
        int rc = 0;
        if (!found) {
                fprintf(stderr, "error: no context exists with the name: \"%s\"\n", name);
                rc = 1;
        } else {
                ocx_json_set_str(kc.doc, "current-context", name);
                _cleanup_error_ ocx_error *err = NULL;
                if (cli_kubeconfig_save(&kc, &err) < 0)
                        rc = cli_print_error(err);
                else
                        printf("Switched to context \"%s\".\n", name);
        }
        cli_kubeconfig_release(&kc);
        return rc;
}

int cli_run_config_get_contexts(cli_invocation *inv) {
        cli_kubeconfig kc;
        if (load(inv, &kc)) return 1;
        const char *cur = ocx_json_get_str(kc.doc, "current-context");
        cli_tabwriter tw;
        cli_tabwriter_init(&tw, 6, 3);
        cli_tabwriter_write(&tw, "CURRENT\tNAME\tCLUSTER\tAUTHINFO\tNAMESPACE\n");
        const cJSON *e;
        int n = 0;
        cJSON_ArrayForEach(e, ocx_json_get(kc.doc, "contexts")) {
                const char *name = ocx_json_get_str(e, "name");
                if (inv->nargs > 0 && !ocx_streq(name, inv->args[0])) continue;
                const char *c = ocx_json_path_str(e, "context.cluster"), *u = ocx_json_path_str(e, "context.user"),
                           *ns = ocx_json_path_str(e, "context.namespace");
                cli_tabwriter_printf(&tw, "%s\t%s\t%s\t%s\t%s\n", ocx_streq(name, cur) ? "*" : "", name ? name : "",
                                     c ? c : "", u ? u : "", ns ? ns : "");
                n++;
        }
        int rc = 0;
        if (inv->nargs > 0 && n == 0) {
                fprintf(stderr, "error: context %s not found\n", inv->args[0]);
                rc = 1;
        } else {
                ocx_buf b = OCX_BUF_INIT;
                cli_tabwriter_flush(&tw, &b);
                fputs(b.data ? b.data : "", stdout);
                ocx_buf_release(&b);
        }
        cli_tabwriter_release(&tw);
        cli_kubeconfig_release(&kc);
        return rc;
}

int cli_run_api_resources(cli_invocation *inv) {
        _cleanup_error_ ocx_error *e = NULL;
        cli_session *s = NULL;
        cli_discovery *d = NULL;
        if (cli_session_get(inv, &s, &e) < 0 || cli_discovery_get(s, &d, &e) < 0) return cli_print_error(e);
        cli_tabwriter tw;
        cli_tabwriter_init(&tw, 6, 3);
        cli_tabwriter_write(&tw, "NAME\tSHORTNAMES\tAPIVERSION\tNAMESPACED\tKIND\n");
        for (size_t i = 0; i < d->n; i++) {
                const cli_resource *r = &d->res[i];
                ocx_buf sn = OCX_BUF_INIT;
                for (size_t k = 0; k < r->nshort; k++) ocx_buf_printf(&sn, "%s%s", k ? "," : "", r->short_names[k]);
                _cleanup_free_ char *av = cli_resource_api_version(r);
                cli_tabwriter_printf(&tw, "%s\t%s\t%s\t%s\t%s\n", r->name, sn.data ? sn.data : "", av,
                                     r->namespaced ? "true" : "false", r->kind);
                ocx_buf_release(&sn);
        }
        ocx_buf b = OCX_BUF_INIT;
        cli_tabwriter_flush(&tw, &b);
        fputs(b.data ? b.data : "", stdout);
        ocx_buf_release(&b);
        cli_tabwriter_release(&tw);
        return 0;
}
