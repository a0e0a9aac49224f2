/* ocx get — tables from the server's Table response, -o json|yaml|name|
 * jsonpath, label/field selectors, -A, -w (spec 1.2, 1.4, 5.8). */
#include <stdio.h>
#include <time.h>
#include "cli/client.h"
#include "cli/cmds.h"
#include "cli/printer.h"
#include "cli/resargs.h"
#include "ocx/json.h"
#include "ocx/timefmt.h"
#include "ocx/banned.h"

typedef enum { OUT_TABLE, OUT_JSON, OUT_YAML, OUT_NAME, OUT_JSONPATH } out_kind;

typedef struct get_ctx {
        cli_invocation *inv;
        cli_session *s;
        out_kind out;
        const char *jsonpath;
        cli_table_opts topts;
        bool all_ns;
        bool multi; /* name prefixes */
        ocx_buf errs;
        cJSON *items; /* non-table output */
        bool single;  /* exactly one named object requested */
} get_ctx;

static int parse_output(const char *o, get_ctx *g, ocx_error **reterr) {
        if (!o || !*o || strcmp(o, "wide") == 0) {
                g->out = OUT_TABLE;
                g->topts.wide = o && *o;
        } else if (strcmp(o, "json") == 0) {
                g->out = OUT_JSON;
        } else if (strcmp(o, "yaml") == 0) {
                g->out = OUT_YAML;
        } else if (strcmp(o, "name") == 0) {
                g->out = OUT_NAME;
        } else if (ocx_startswith(o, "jsonpath=") || ocx_startswith(o, "jsonpath-as-json=")) {
                g->out = OUT_JSONPATH;
                g->jsonpath = strchr(o, '=') + 1;
        } else {
                return ocx_error_set(reterr, EINVAL, NULL,
                                     "unable to match a printer suitable for the output format \"%s\", allowed formats "
                                     "are: json,jsonpath,name,wide,yaml",
                                     o);
        }
        return 0;
}

/* NAME/AGE table for responses that are not a Table (objects or a list). */
static cJSON *fallback_table(const cJSON *resp) {
        cJSON *t = cJSON_CreateObject();
        cJSON_AddStringToObject(t, "kind", "Table");
        cJSON *cols = cJSON_AddArrayToObject(t, "columnDefinitions");
        const char *names[] = {"Name", "Age"};
        for (size_t i = 0; i < 2; i++) {
                cJSON *c = cJSON_CreateObject();
                cJSON_AddStringToObject(c, "name", names[i]);
                cJSON_AddStringToObject(c, "type", "string");
                if (i == 0) cJSON_AddStringToObject(c, "format", "name");
                cJSON_AddNumberToObject(c, "priority", 0);
                cJSON_AddItemToArray(cols, c);
        }
        cJSON *rows = cJSON_AddArrayToObject(t, "rows");
        const cJSON *items = ocx_json_get(resp, "items");
        cJSON *single = NULL;
        if (!items) {
                single = cJSON_CreateArray();
                cJSON_AddItemReferenceToArray(single, (cJSON *)resp);
                items = single;
        }
        const cJSON *it;
        cJSON_ArrayForEach(it, items) {
                const cJSON *meta = ocx_json_get(it, "metadata");
                const char *name = ocx_json_get_str(meta, "name");
                const char *ts = ocx_json_get_str(meta, "creationTimestamp");
                char age[32] = "<unknown>";
                time_t tt;
                if (ts && ocx_time_parse_rfc3339(ts, &tt) == 0) ocx_human_duration((int64_t)(time(NULL) - tt), age, sizeof(age));
                cJSON *row = cJSON_CreateObject();
                cJSON *cells = cJSON_AddArrayToObject(row, "cells");
                cJSON_AddItemToArray(cells, cJSON_CreateString(name ? name : ""));
                cJSON_AddItemToArray(cells, cJSON_CreateString(age));
                cJSON *obj = cJSON_AddObjectToObject(row, "object");
                if (meta) cJSON_AddItemToObject(obj, "metadata", cJSON_Duplicate(meta, true));
                cJSON_AddItemToArray(rows, row);
        }
        cJSON_Delete(single);
        return t;
}

/* GET path; returns the parsed body, or adds the error text to g->errs
 * (NotFound is skipped with --ignore-not-found) and returns NULL. */
static cJSON *fetch(get_ctx *g, const char *path, bool table, int *ret_err) {
        ocx_http_response resp;
        ocx_error *e = NULL;
        cJSON *j = NULL;
        int r = cli_do(g->s, "GET", path, NULL, NULL, 0, table ? CLI_ACCEPT_TABLE : NULL, &resp, &e);
        if (r >= 0 && (resp.status < 200 || resp.status > 299)) {
                r = cli_status_error(&resp, NULL, &e);
                if (r == -ENOENT && cli_flag_bool(g->inv, "ignore-not-found")) {
                        ocx_error_free(e);
                        ocx_http_response_release(&resp);
                        return NULL;
                }
        }
        if (r >= 0) r = ocx_json_parse(resp.body, resp.body_len, &j, &e);
        if (r < 0) {
                if (e && (e->code == ECONNREFUSED || e->code == EIO) && ocx_startswith(e->message, "The connection"))
                        *ret_err = 2; /* fatal: stop here */
                else
                        *ret_err = 1;
                const char *m = e ? e->message : "request failed";
                bool final = ocx_startswith(m, "Error from server") || ocx_startswith(m, "The ") ||
                             ocx_startswith(m, "Unable to connect") || ocx_startswith(m, "error: ");
                ocx_buf_printf(&g->errs, "%s%s\n", final ? "" : "error: ", m);
        }
        ocx_error_free(e);
        ocx_http_response_release(&resp);
        return j;
}

static char *list_path(get_ctx *g, const cli_resource *res, const char *name) {
        const char *ns = g->all_ns ? NULL : g->s->ns;
        char *p = cli_resource_path(res, ns, name);
        const char *l = cli_flag_str(g->inv, "selector"), *f = cli_flag_str(g->inv, "field-selector");
        if (!name && l && *l) {
                char *q = cli_path_add_query(p, "labelSelector", l);
                free(p);
                p = q;
        }
        if (!name && f && *f) {
                char *q = cli_path_add_query(p, "fieldSelector", f);
                free(p);
                p = q;
        }
        return p;
}

/* Appends the rows of src (a Table, or objects) to *acc (a Table). */
static void merge_table(cJSON **acc, cJSON *src) {
        cJSON *t = ocx_streq(ocx_json_get_str(src, "kind"), "Table") ? cJSON_Duplicate(src, true) : fallback_table(src);
        if (!*acc) {
                *acc = t;
                return;
        }
        cJSON *rows = ocx_json_get(*acc, "rows");
        cJSON *r;
        while ((r = cJSON_DetachItemFromArray(ocx_json_get(t, "rows"), 0))) cJSON_AddItemToArray(rows, r);
        cJSON_Delete(t);
}

static void add_item(get_ctx *g, const cli_resource *res, cJSON *obj) {
        _cleanup_free_ char *av = cli_resource_api_version(res);
        cli_ensure_type_meta(obj, av, res->kind);
        cJSON_AddItemToArray(g->items, obj);
}

/* Returns rows printed (table) or objects collected; -1 on a fatal error. */
static int get_target(get_ctx *g, const cli_target *t, cli_tabwriter *tw, bool *printed_any,
                      const char **ret_rv) {
        bool table = g->out == OUT_TABLE;
        int fatal = 0, count = 0;
        cJSON *acc = NULL;
        if (t->nnames > 0) {
                for (size_t i = 0; i < t->nnames && fatal < 2; i++) {
                        _cleanup_free_ char *p = list_path(g, t->res, t->names[i]);
                        int err = 0;
                        cJSON *j = fetch(g, p, table, &err);
                        if (err > fatal) fatal = err;
                        if (!j) continue;
                        if (table) {
                                merge_table(&acc, j);
                                cJSON_Delete(j);
                        } else {
                                add_item(g, t->res, j);
                                count++;
                        }
                }
        } else {
                _cleanup_free_ char *p = list_path(g, t->res, NULL);
                int err = 0;
                cJSON *j = fetch(g, p, table, &err);
                fatal = err;
                if (j) {
                        static char rvbuf[64];
                        const char *rv = ocx_json_path_str(j, "metadata.resourceVersion");
                        snprintf(rvbuf, sizeof(rvbuf), "%s", rv ? rv : "");
                        if (ret_rv) *ret_rv = rvbuf;
                        if (table) {
                                merge_table(&acc, j);
                        } else {
                                cJSON *it;
                                while ((it = cJSON_DetachItemFromArray(ocx_json_get(j, "items"), 0))) {
                                        add_item(g, t->res, it);
                                        count++;
                                }
                        }
                        cJSON_Delete(j);
                }
        }
        if (table && acc) {
                int nrows = cJSON_GetArraySize(ocx_json_get(acc, "rows"));
                if (nrows > 0) {
                        _cleanup_free_ char *prefix = NULL;
                        if (g->multi) {
                                _cleanup_free_ char *k = cli_resource_kind_prefix(t->res);
                                prefix = ocx_xasprintf("%s/", k);
                        }
                        cli_table_opts o = g->topts;
                        o.name_prefix = prefix;
                        o.namespace_col = g->all_ns && t->res->namespaced;
                        if (*printed_any && !o.no_headers) cli_tabwriter_write(tw, "\n");
                        count = cli_table_write(acc, &o, true, NULL, tw);
                        *printed_any = true;
                }
                cJSON_Delete(acc);
        }
        return fatal >= 2 ? -1 : count;
}

typedef struct watch_ctx {
        get_ctx *g;
        const cli_target *t;
        ocx_buf history; /* tab-separated lines printed so far (for widths) */
        cJSON *last_rows; /* name -> row (for DELETED) */
} watch_ctx;

/* Prints the rows of table aligned with everything printed before (widths
 * are remembered by re-formatting the history and printing only new lines). */
static void print_watch_row(watch_ctx *w, const cJSON *table, const char *event) {
        get_ctx *g = w->g;
        cli_table_opts o = g->topts;
        _cleanup_free_ char *prefix = NULL;
        if (g->multi) {
                _cleanup_free_ char *k = cli_resource_kind_prefix(w->t->res);
                prefix = ocx_xasprintf("%s/", k);
        }
        o.name_prefix = prefix;
        o.namespace_col = g->all_ns && w->t->res->namespaced;
        bool header = w->history.len == 0 && !o.no_headers;
        cli_tabwriter rows;
        cli_tabwriter_init(&rows, 6, 3);
        int n = cli_table_write(table, &o, w->history.len == 0, event, &rows);
        ocx_buf_puts(&w->history, rows.pending.data ? rows.pending.data : "");
        cli_tabwriter_release(&rows);
        cli_tabwriter tw;
        cli_tabwriter_init(&tw, 6, 3);
        cli_tabwriter_write(&tw, w->history.data ? w->history.data : "");
        ocx_buf out = OCX_BUF_INIT;
        cli_tabwriter_flush(&tw, &out);
        cli_tabwriter_release(&tw);
        size_t total = 0, fresh = (size_t)n + (header ? 1 : 0), seen = 0, start = 0;
        for (size_t i = 0; i < out.len; i++) total += out.data[i] == '\n';
        size_t skip = total > fresh ? total - fresh : 0;
        for (size_t i = 0; i < out.len && seen < skip; i++)
                if (out.data[i] == '\n' && ++seen == skip) start = i + 1;
        fputs(out.data ? out.data + start : "", stdout);
        fflush(stdout);
        ocx_buf_release(&out);
}

static int on_watch_line(const char *line, size_t len, void *ud) {
        watch_ctx *w = ud;
        get_ctx *g = w->g;
        _cleanup_json_ cJSON *ev = NULL;
        if (ocx_json_parse(line, len, &ev, NULL) < 0) return 0;
        const char *type = ocx_json_get_str(ev, "type");
        cJSON *obj = ocx_json_get(ev, "object");
        if (!type || !obj || ocx_streq(type, "BOOKMARK")) return 0;
        if (ocx_streq(type, "ERROR")) {
                const char *m = ocx_json_get_str(obj, "message");
                fprintf(stderr, "error: %s\n", m ? m : "watch error");
                return 1;
        }
        if (g->out != OUT_TABLE) {
                ocx_buf b = OCX_BUF_INIT;
                _cleanup_free_ char *av = cli_resource_api_version(w->t->res);
                cli_ensure_type_meta(obj, av, w->t->res->kind);
                if (g->out == OUT_NAME) {
                        _cleanup_free_ char *k = cli_resource_kind_prefix(w->t->res);
                        ocx_buf_printf(&b, "%s/%s\n", k, ocx_json_path_str(obj, "metadata.name"));
                } else if (g->out == OUT_JSONPATH) {
                        cli_jsonpath(g->jsonpath, obj, &b, NULL);
                } else {
                        if (g->out == OUT_YAML) ocx_buf_puts(&b, "---\n");
                        cli_print_object(obj, g->out == OUT_JSON ? "json" : "yaml", &b);
                }
                fputs(b.data ? b.data : "", stdout);
                fflush(stdout);
                ocx_buf_release(&b);
                return 0;
        }
        const char *name = ocx_json_path_str(obj, "metadata.name");
        const char *ns = ocx_json_path_str(obj, "metadata.namespace");
        if (!name) return 0;
        cJSON *table = NULL;
        if (!ocx_streq(type, "DELETED")) {
                _cleanup_free_ char *p = cli_resource_path(w->t->res, ns, name);
                int err = 0;
                ocx_buf saved = g->errs;
                ocx_buf_init(&g->errs, 0);
                table = fetch(g, p, true, &err);
                ocx_buf_release(&g->errs);
                g->errs = saved;
        }
        if (!table || !ocx_streq(ocx_json_get_str(table, "kind"), "Table")) {
                cJSON *last = ocx_json_get(w->last_rows, name);
                cJSON_Delete(table);
                table = last ? cJSON_Duplicate(last, true) : fallback_table(obj);
        }
        /* the row must carry the event's object metadata (namespace, labels) */
        cJSON *row0 = cJSON_GetArrayItem(ocx_json_get(table, "rows"), 0);
        if (row0 && !ocx_json_get(row0, "object")) {
                cJSON *o = cJSON_AddObjectToObject(row0, "object");
                cJSON_AddItemToObject(o, "metadata", cJSON_Duplicate(ocx_json_get(obj, "metadata"), true));
        }
        ocx_json_set(w->last_rows, name, cJSON_Duplicate(table, true));
        print_watch_row(w, table, ocx_streq(type, "ADDED") ? "ADDED" : ocx_streq(type, "DELETED") ? "DELETED" : "MODIFIED");
        cJSON_Delete(table);
        return 0;
}

static int do_watch(get_ctx *g, const cli_target *t, const char *rv, const char *initial, ocx_error **reterr) {
        watch_ctx w = {.g = g, .t = t, .last_rows = cJSON_CreateObject()};
        ocx_buf_init(&w.history, 0);
        if (initial) ocx_buf_puts(&w.history, initial);
        _cleanup_free_ char *p0 = list_path(g, t->res, NULL);
        _cleanup_free_ char *p1 = cli_path_add_query(p0, "watch", "1");
        char *p = p1;
        _cleanup_free_ char *p2 = NULL;
        if (rv && *rv) p = p2 = cli_path_add_query(p1, "resourceVersion", rv);
        if (t->nnames == 1) {
                _cleanup_free_ char *sel = ocx_xasprintf("metadata.name=%s", t->names[0]);
                char *p3 = cli_path_add_query(p, "fieldSelector", sel);
                free(p2);
                p = p2 = p3;
        }
        long status = 0;
        ocx_http *stream = NULL; /* the session handle stays free for per-event GETs */
        int r = ocx_http_new(&g->s->cfg, &stream, reterr);
        if (r >= 0) r = ocx_http_stream(stream, p, on_watch_line, &w, &status, reterr);
        ocx_http_free(stream);
        ocx_buf_release(&w.history);
        cJSON_Delete(w.last_rows);
        return r;
}

int cli_run_get(cli_invocation *inv) {
        if (inv->nargs == 0) {
                fprintf(stderr, "You must specify the type of resource to get. Use \"ocx api-resources\" for a "
                                "complete list of supported resources.\n\n"
                                "error: Required resource not specified.\n"
                                "Use \"ocx explain <resource>\" for a detailed description of that resource (e.g. "
                                "ocx explain pods).\nSee 'ocx get -h' for help and examples\n");
                return 1;
        }
        _cleanup_error_ ocx_error *err = NULL;
        get_ctx g = {.inv = inv};
        ocx_buf_init(&g.errs, 0);
        if (parse_output(cli_flag_str(inv, "output"), &g, &err) < 0) return cli_print_error(err);
        g.topts.no_headers = cli_flag_bool(inv, "no-headers");
        g.topts.show_labels = cli_flag_bool(inv, "show-labels");
        g.topts.event_col = cli_flag_bool(inv, "output-watch-events");
        g.all_ns = cli_flag_bool(inv, "all-namespaces");
        cli_resarg *ra = NULL;
        size_t nra = 0;
        if (cli_parse_resource_args(inv->args, inv->nargs, "get", &ra, &nra, &err) < 0) return cli_print_error(err);
        cli_discovery *d = NULL;
        cli_target *targets = NULL;
        size_t nt = 0;
        int rc = 0;
        if (cli_session_get(inv, &g.s, &err) < 0 || cli_discovery_get(g.s, &d, &err) < 0 ||
            cli_resolve_targets(d, ra, nra, &targets, &nt, &err) < 0) {
                cli_resargs_free(ra, nra);
                ocx_buf_release(&g.errs);
                return cli_print_error(err);
        }
        bool any_names = false, all_cluster = true;
        size_t total_names = 0;
        for (size_t i = 0; i < nt; i++) {
                any_names |= targets[i].nnames > 0;
                total_names += targets[i].nnames;
                all_cluster &= !targets[i].res->namespaced;
        }
        g.multi = cli_flag_bool(inv, "show-kind") || nt > 1 || strchr(inv->args[0], ',') ||
                  strcmp(inv->args[0], "all") == 0;
        if (nra > 1) g.multi = true;
        g.single = nt == 1 && total_names == 1;
        g.items = cJSON_CreateArray();
        cli_tabwriter tw;
        cli_tabwriter_init(&tw, 6, 3);
        bool printed_any = false, watch = cli_flag_bool(inv, "watch") || cli_flag_bool(inv, "watch-only");
        bool watch_only = cli_flag_bool(inv, "watch-only");
        int total = 0;
        const char *rv = NULL;
        for (size_t i = 0; i < nt && !watch_only; i++) {
                int n = get_target(&g, &targets[i], &tw, &printed_any, &rv);
                if (n < 0) {
                        total = -1;
                        break;
                }
                total += n;
        }
        ocx_buf out = OCX_BUF_INIT;
        _cleanup_free_ char *initial = NULL;
        if (g.out == OUT_TABLE) {
                initial = ocx_xstrdup(tw.pending.data ? tw.pending.data : "");
                cli_tabwriter_flush(&tw, &out);
        } else if (total >= 0 && !watch_only) {
                int nitems = cJSON_GetArraySize(g.items);
                if (g.out == OUT_NAME) {
                        for (int i = 0; i < nitems; i++) {
                                const cJSON *it = cJSON_GetArrayItem(g.items, i);
                                const char *av = ocx_json_get_str(it, "apiVersion");
                                const char *slash = av ? strchr(av, '/') : NULL;
                                _cleanup_free_ char *kind = ocx_xstrdup(ocx_json_get_str(it, "kind"));
                                for (char *c = kind; *c; c++) *c = (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
                                _cleanup_free_ char *grp = slash ? ocx_xstrndup(av, (size_t)(slash - av)) : NULL;
                                ocx_buf_printf(&out, "%s%s%s/%s\n", kind, grp ? "." : "", grp ? grp : "",
                                               ocx_json_path_str(it, "metadata.name"));
                        }
                } else {
                        cJSON *doc;
                        if (g.single && nitems == 1)
                                doc = cJSON_DetachItemFromArray(g.items, 0);
                        else
                                doc = cli_make_list(TAKE_PTR(g.items));
                        if (nitems > 0 || !any_names) {
                                if (g.out == OUT_JSONPATH) {
                                        if (cli_jsonpath(g.jsonpath, doc, &out, &err) < 0)
                                                ocx_buf_printf(&g.errs, "error: error parsing jsonpath %s, %s\n", g.jsonpath,
                                                               err->message);
                                } else {
                                        cli_print_object(doc, g.out == OUT_JSON ? "json" : "yaml", &out);
                                }
                        }
                        cJSON_Delete(doc);
                }
        }
        fputs(out.data ? out.data : "", stdout);
        fflush(stdout);
        ocx_buf_release(&out);
        if (total == 0 && g.errs.len == 0 && !any_names && !watch && g.out != OUT_JSON && g.out != OUT_YAML) {
                if (g.all_ns || all_cluster)
                        fprintf(stderr, "No resources found\n");
                else
                        fprintf(stderr, "No resources found in %s namespace.\n", g.s->ns);
        }
        if (g.errs.len) {
                fputs(g.errs.data, stderr);
                rc = 1;
        }
        if (total < 0) rc = 1;
        if (watch && rc == 0) {
                if (nt != 1) {
                        fprintf(stderr, "error: you may only specify a single resource type\n");
                        rc = 1;
                } else {
                        ocx_error *we = NULL;
                        if (do_watch(&g, &targets[0], rv, g.out == OUT_TABLE ? initial : NULL, &we) < 0)
                                rc = cli_print_error(we);
                        ocx_error_free(we);
                }
        }
        cli_tabwriter_release(&tw);
        cJSON_Delete(g.items);
        ocx_buf_release(&g.errs);
        free(targets);
        cli_resargs_free(ra, nra);
        return rc;
}
