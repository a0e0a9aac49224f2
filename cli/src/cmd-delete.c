/* ocx delete (spec 5.12): by name, -f, -l, --all; waits until gone. */
#include <stdio.h>
#include <time.h>
#include "cli/client.h"
#include "cli/cmds.h"
#include "cli/resargs.h"
#include "ocx/json.h"
#include "ocx/banned.h"

typedef struct del_ctx {
        cli_invocation *inv;
        cli_session *s;
        cJSON *opts; /* DeleteOptions body */
        bool name_out, ignore_nf, wait;
        long timeout_s;
        ocx_buf errs;
        int deleted;
} del_ctx;

static void err_line(ocx_buf *errs, const ocx_error *e) {
        const char *m = e && e->message ? e->message : "unknown error";
        bool final = ocx_startswith(m, "Error from server") || ocx_startswith(m, "The ") ||
                     ocx_startswith(m, "Unable to connect") || ocx_startswith(m, "error: ");
        ocx_buf_printf(errs, "%s%s\n", final ? "" : "error: ", m);
}

static void wait_gone(del_ctx *c, const char *path) {
        struct timespec start, now;
        clock_gettime(CLOCK_MONOTONIC, &start);
        for (;;) {
                ocx_http_response resp;
                ocx_error *e = NULL;
                int r = cli_do(c->s, "GET", path, NULL, NULL, 0, NULL, &resp, &e);
                long st = resp.status;
                if (r >= 0) ocx_http_response_release(&resp);
                ocx_error_free(e);
                if (r < 0 || st == 404 || st == 410) return;
                clock_gettime(CLOCK_MONOTONIC, &now);
                if (now.tv_sec - start.tv_sec >= c->timeout_s) return;
                struct timespec ts = {0, 200 * 1000 * 1000};
                nanosleep(&ts, NULL);
        }
}

static int delete_one(del_ctx *c, const cli_resource *res, const char *ns, const char *name) {
        _cleanup_free_ char *path = cli_resource_path(res, ns, name);
        _cleanup_free_ char *body = ocx_json_print(c->opts);
        ocx_http_response resp;
        ocx_error *e = NULL;
        int r = cli_do(c->s, "DELETE", path, "application/json", body, strlen(body), NULL, &resp, &e);
        if (r >= 0) {
                if (resp.status < 200 || resp.status > 299) r = cli_status_error(&resp, NULL, &e);
                ocx_http_response_release(&resp);
        }
        if (r == -ENOENT && c->ignore_nf) {
                ocx_error_free(e);
                return 0;
        }
        if (r < 0) {
                err_line(&c->errs, e);
                ocx_error_free(e);
                return r;
        }
        bool is_ns = strcmp(res->name, "namespaces") == 0 || strcmp(res->name, "projects") == 0;
        if (c->wait && !is_ns) wait_gone(c, path);
        _cleanup_free_ char *k = cli_resource_kind_prefix(res);
        if (c->name_out)
                printf("%s/%s\n", k, name);
        else
                printf("%s \"%s\" deleted\n", k, name);
        fflush(stdout);
        c->deleted++;
        return 0;
}

static int delete_listed(del_ctx *c, const cli_resource *res, const char *selector) {
        bool all_ns = cli_flag_bool(c->inv, "all-namespaces");
        _cleanup_free_ char *p0 = cli_resource_path(res, all_ns ? NULL : c->s->ns, NULL);
        _cleanup_free_ char *p = selector && *selector ? cli_path_add_query(p0, "labelSelector", selector)
                                                       : ocx_xstrdup(p0);
        _cleanup_json_ cJSON *list = NULL;
        ocx_error *e = NULL;
        if (cli_request_json(c->s, "GET", p, NULL, NULL, &list, &e) < 0) {
                err_line(&c->errs, e);
                ocx_error_free(e);
                return -1;
        }
        const cJSON *it;
        cJSON_ArrayForEach(it, ocx_json_get(list, "items")) {
                const char *name = ocx_json_path_str(it, "metadata.name");
                const char *ns = ocx_json_path_str(it, "metadata.namespace");
                if (name) delete_one(c, res, ns ? ns : c->s->ns, name);
        }
        return 0;
}

int cli_run_delete(cli_invocation *inv) {
        size_t nf = 0;
        char **files = cli_flag_list(inv, "filename", &nf);
        const char *sel = cli_flag_str(inv, "selector");
        bool all = cli_flag_bool(inv, "all");
        if (nf == 0 && inv->nargs == 0) {
                fprintf(stderr, "error: You must provide one or more resources by argument or filename.\n"
                                "Example resource specifications include:\n"
                                "   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'\n");
                return 1;
        }
        const char *o = cli_flag_str(inv, "output");
        if (o && strcmp(o, "name") != 0) {
                fprintf(stderr, "error: unexpected -o output mode: %s. We only support '-o name'\n", o);
                return 1;
        }
        del_ctx c = {.inv = inv, .name_out = o != NULL, .ignore_nf = cli_flag_bool(inv, "ignore-not-found"),
                     .wait = cli_flag_bool(inv, "wait"), .timeout_s = 60};
        const char *to = cli_flag_str(inv, "timeout");
        if (to && strcmp(to, "0s") != 0 && strcmp(to, "0") != 0) {
                char *end = NULL;
                long v = strtol(to, &end, 10);
                if (end && *end == 'm') v *= 60;
                if (end && *end == 'h') v *= 3600;
                if (v > 0) c.timeout_s = v;
        }
        ocx_buf_init(&c.errs, 0);
        c.opts = cJSON_CreateObject();
        cJSON_AddStringToObject(c.opts, "kind", "DeleteOptions");
        cJSON_AddStringToObject(c.opts, "apiVersion", "v1");
        const char *cascade = cli_flag_str(inv, "cascade");
        const char *prop = ocx_streq(cascade, "orphan") || ocx_streq(cascade, "false") ? "Orphan"
                           : ocx_streq(cascade, "foreground")                          ? "Foreground"
                                                                                       : "Background";
        cJSON_AddStringToObject(c.opts, "propagationPolicy", prop);
        long grace = -1;
        _cleanup_error_ ocx_error *e = NULL;
        if (cli_flag_int(inv, "grace-period", &grace, &e) < 0) return cli_print_error(e);
        if (cli_flag_bool(inv, "now")) grace = 1;
        if (cli_flag_bool(inv, "force") && grace < 0) grace = 0;
        if (grace >= 0) cJSON_AddNumberToObject(c.opts, "gracePeriodSeconds", (double)grace);
        int rc = 0;
        cli_discovery *d = NULL;
        if (cli_session_get(inv, &c.s, &e) < 0 || cli_discovery_get(c.s, &d, &e) < 0) {
                cJSON_Delete(c.opts);
                ocx_buf_release(&c.errs);
                return cli_print_error(e);
        }
        if (nf > 0) {
                cli_manifests m = {0};
                cli_read_manifests(files, nf, cli_flag_bool(inv, "recursive"), &m, &c.errs);
                for (size_t i = 0; i < m.n; i++) {
                        const cli_resource *res = NULL;
                        ocx_error *me = NULL;
                        if (cli_resolve_kind(d, ocx_json_get_str(m.v[i].obj, "apiVersion"),
                                             ocx_json_get_str(m.v[i].obj, "kind"), &res, &me) < 0) {
                                ocx_buf_printf(&c.errs, "error: %s\n", me->message);
                                ocx_error_free(me);
                                continue;
                        }
                        const char *ons = ocx_json_path_str(m.v[i].obj, "metadata.namespace");
                        const char *name = ocx_json_path_str(m.v[i].obj, "metadata.name");
                        if (name) delete_one(&c, res, ons && *ons ? ons : c.s->ns, name);
                }
                cli_manifests_release(&m);
        } else {
                cli_resarg *ra = NULL;
                size_t nra = 0;
                cli_target *t = NULL;
                size_t nt = 0;
                if (cli_parse_resource_args(inv->args, inv->nargs, "delete", &ra, &nra, &e) < 0 ||
                    cli_resolve_targets(d, ra, nra, &t, &nt, &e) < 0) {
                        cli_resargs_free(ra, nra);
                        cJSON_Delete(c.opts);
                        ocx_buf_release(&c.errs);
                        return cli_print_error(e);
                }
                bool by_sel = (sel && *sel) || all;
                for (size_t i = 0; i < nt; i++) {
                        if (t[i].nnames > 0 && by_sel) {
                                ocx_buf_puts(&c.errs, "error: name cannot be provided when a selector is specified\n");
                                break;
                        }
                        if (t[i].nnames == 0 && !by_sel) {
                                ocx_buf_puts(&c.errs, "error: resource(s) were provided, but no name was specified\n");
                                break;
                        }
                        if (by_sel)
                                delete_listed(&c, t[i].res, sel);
                        else
                                for (size_t k = 0; k < t[i].nnames; k++) delete_one(&c, t[i].res, c.s->ns, t[i].names[k]);
                }
                if (by_sel && c.deleted == 0 && c.errs.len == 0) printf("No resources found\n");
                free(t);
                cli_resargs_free(ra, nra);
        }
        if (c.errs.len) {
                fputs(c.errs.data, stderr);
                rc = 1;
        }
        cJSON_Delete(c.opts);
        ocx_buf_release(&c.errs);
        return rc;
}
