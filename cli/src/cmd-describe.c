/* ocx describe — the generic describer (kubectl's DescribeGeneric): Name,
 * Namespace, Labels, Annotations, then the object's other fields as
 * indented "Key:  value" text with smart labels, then Events. */
#include <ctype.h>
#include <stdio.h>
#include <time.h>
#include "cli/client.h"
#include "cli/cmds.h"
#include "cli/printer.h"
#include "cli/resargs.h"
#include "ocx/json.h"
#include "ocx/timefmt.h"
#include "ocx/banned.h"

static void indent(cli_tabwriter *tw, int level) {
        for (int i = 0; i < level; i++) cli_tabwriter_write(tw, "  ");
}

/* "apiVersion" -> "API Version", "creationTimestamp" -> "Creation Timestamp" */
static char *smart_label(const char *field) {
        static const char *const acronyms[] = {"API", "IP", "UID", "URL", "ID", "DNS", "TLS", "CA", "CPU", "SCC", "HTTP"};
        ocx_buf b = OCX_BUF_INIT;
        const char *p = field;
        while (*p) {
                const char *s = p++;
                while (*p && !isupper((unsigned char)*p)) p++;
                /* a run of capitals is one word (e.g. "podIP" -> "Pod IP") */
                if (p == s + 1 && isupper((unsigned char)*s))
                        while (*p && isupper((unsigned char)*p) && !(p[1] && islower((unsigned char)p[1]))) p++;
                size_t n = (size_t)(p - s);
                bool done = false;
                for (size_t i = 0; i < OCX_ARRAY_SIZE(acronyms); i++)
                        if (strlen(acronyms[i]) == n && strncasecmp(acronyms[i], s, n) == 0) {
                                ocx_buf_printf(&b, "%s%s", b.len ? " " : "", acronyms[i]);
                                done = true;
                        }
                if (!done) {
                        char c = (char)toupper((unsigned char)*s);
                        ocx_buf_printf(&b, "%s%c%.*s", b.len ? " " : "", c, (int)n - 1, s + 1);
                }
        }
        return ocx_buf_detach(&b, NULL);
}

static char *scalar(const cJSON *v) { return cli_table_cell(v); }

static void print_content(cli_tabwriter *tw, int level, const cJSON *obj, const char *prefix);

static int cmp_keys(const void *a, const void *b) {
        return strcmp((*(const cJSON *const *)a)->string, (*(const cJSON *const *)b)->string);
}

static bool skipped(const char *path) {
        static const char *const skip[] = {".metadata.name", ".metadata.namespace", ".metadata.labels",
                                           ".metadata.annotations", ".metadata.managedFields"};
        for (size_t i = 0; i < OCX_ARRAY_SIZE(skip); i++)
                if (strcmp(path, skip[i]) == 0) return true;
        return false;
}

static void print_value(cli_tabwriter *tw, int level, const char *key, const cJSON *v, const char *path) {
        _cleanup_free_ char *label = key ? smart_label(key) : NULL;
        if (cJSON_IsObject(v)) {
                if (!v->child) return;
                indent(tw, level);
                cli_tabwriter_printf(tw, "%s:\n", label);
                print_content(tw, level + 1, v, path);
        } else if (cJSON_IsArray(v)) {
                if (!v->child) return;
                indent(tw, level);
                cli_tabwriter_printf(tw, "%s:\n", label);
                const cJSON *it;
                cJSON_ArrayForEach(it, v) {
                        if (cJSON_IsObject(it)) {
                                print_content(tw, level + 1, it, path);
                        } else {
                                _cleanup_free_ char *s = scalar(it);
                                indent(tw, level + 1);
                                cli_tabwriter_printf(tw, "%s\n", s);
                        }
                }
        } else {
                _cleanup_free_ char *s = scalar(v);
                indent(tw, level);
                cli_tabwriter_printf(tw, "%s:\t%s\n", label, s);
        }
}

static void print_content(cli_tabwriter *tw, int level, const cJSON *obj, const char *prefix) {
        int n = cJSON_GetArraySize(obj);
        if (n <= 0) return;
        const cJSON **keys = ocx_xcalloc((size_t)n, sizeof(*keys));
        int k = 0;
        const cJSON *e;
        cJSON_ArrayForEach(e, obj) keys[k++] = e;
        qsort(keys, (size_t)k, sizeof(*keys), cmp_keys);
        for (int i = 0; i < k; i++) {
                _cleanup_free_ char *path = ocx_xasprintf("%s.%s", prefix, keys[i]->string);
                if (skipped(path)) continue;
                print_value(tw, level, keys[i]->string, keys[i], path);
        }
        free(keys);
}

static void print_map_multiline(cli_tabwriter *tw, const char *title, const cJSON *m, const char *sep) {
        int n = cJSON_IsObject(m) ? cJSON_GetArraySize(m) : 0;
        cli_tabwriter_printf(tw, "%s:\t", title);
        if (n == 0) {
                cli_tabwriter_write(tw, "<none>\n");
                return;
        }
        const cJSON **keys = ocx_xcalloc((size_t)n, sizeof(*keys));
        int k = 0;
        const cJSON *e;
        cJSON_ArrayForEach(e, m) keys[k++] = e;
        qsort(keys, (size_t)k, sizeof(*keys), cmp_keys);
        for (int i = 0; i < k; i++) {
                _cleanup_free_ char *v = scalar(keys[i]);
                /* long annotation values (last-applied) are shown like kubectl: cut */
                cli_tabwriter_printf(tw, "%s%s%s%s\n", i ? "\t" : "", keys[i]->string, sep, v);
        }
        free(keys);
}

static char *event_age(const cJSON *ev) {
        const char *last = ocx_json_get_str(ev, "lastTimestamp");
        const char *first = ocx_json_get_str(ev, "firstTimestamp");
        if (!last) last = ocx_json_get_str(ev, "eventTime");
        if (!last) last = ocx_json_path_str(ev, "metadata.creationTimestamp");
        if (!first) first = last;
        time_t tl = 0, tf = 0, now = time(NULL);
        char a[32] = "<unknown>", b[32] = "<unknown>";
        if (last && ocx_time_parse_rfc3339(last, &tl) == 0) ocx_human_duration((int64_t)(now - tl), a, sizeof(a));
        if (first && ocx_time_parse_rfc3339(first, &tf) == 0) ocx_human_duration((int64_t)(now - tf), b, sizeof(b));
        int64_t count = 1;
        const cJSON *c = ocx_json_get(ev, "count");
        if (c) ocx_json_int(c, 0, INT64_MAX, &count);
        if (count > 1) return ocx_xasprintf("%s (x%lld over %s)", a, (long long)count, b);
        return ocx_xstrdup(a);
}

static void print_events(cli_session *s, cli_tabwriter *tw, const cJSON *obj) {
        const char *name = ocx_json_path_str(obj, "metadata.name");
        const char *ns = ocx_json_path_str(obj, "metadata.namespace");
        const char *kind = ocx_json_get_str(obj, "kind");
        _cleanup_free_ char *sel = ocx_xasprintf("involvedObject.name=%s%s%s", name ? name : "",
                                                 kind ? ",involvedObject.kind=" : "", kind ? kind : "");
        _cleanup_free_ char *base = ocx_xasprintf("/api/v1/namespaces/%s/events", ns && *ns ? ns : "default");
        _cleanup_free_ char *path = cli_path_add_query(base, "fieldSelector", sel);
        _cleanup_json_ cJSON *list = NULL;
        ocx_error *e = NULL;
        int n = 0;
        if (cli_request_json(s, "GET", path, NULL, NULL, &list, &e) >= 0) {
                const cJSON *ev;
                cJSON_ArrayForEach(ev, ocx_json_get(list, "items")) {
                        /* the server may not filter: check here too */
                        if (!ocx_streq(ocx_json_path_str(ev, "involvedObject.name"), name)) continue;
                        if (n++ == 0) {
                                cli_tabwriter_write(tw, "Events:\n  Type\tReason\tAge\tFrom\tMessage\n"
                                                        "  ----\t------\t----\t----\t-------\n");
                        }
                        _cleanup_free_ char *age = event_age(ev);
                        const char *from = ocx_json_path_str(ev, "source.component");
                        if (!from) from = ocx_json_get_str(ev, "reportingComponent");
                        const char *msg = ocx_json_get_str(ev, "message");
                        _cleanup_free_ char *m1 = msg ? ocx_xstrdup(msg) : ocx_xstrdup("");
                        for (char *p = m1; *p; p++)
                                if (*p == '\n' || *p == '\t') *p = ' ';
                        const char *type = ocx_json_get_str(ev, "type"), *reason = ocx_json_get_str(ev, "reason");
                        cli_tabwriter_printf(tw, "  %s\t%s\t%s\t%s\t%s\n", type ? type : "", reason ? reason : "", age,
                                             from ? from : "", m1);
                }
        }
        ocx_error_free(e);
        if (n == 0) cli_tabwriter_write(tw, "Events:\t<none>\n");
}

static void describe_one(cli_session *s, const cJSON *obj, ocx_buf *out) {
        cli_tabwriter tw;
        cli_tabwriter_init(&tw, 0, 2);
        const char *name = ocx_json_path_str(obj, "metadata.name");
        const char *ns = ocx_json_path_str(obj, "metadata.namespace");
        cli_tabwriter_printf(&tw, "Name:\t%s\n", name ? name : "");
        if (ns) cli_tabwriter_printf(&tw, "Namespace:\t%s\n", ns);
        print_map_multiline(&tw, "Labels", ocx_json_path(obj, "metadata.labels"), "=");
        print_map_multiline(&tw, "Annotations", ocx_json_path(obj, "metadata.annotations"), ": ");
        print_content(&tw, 0, obj, "");
        print_events(s, &tw, obj);
        cli_tabwriter_flush(&tw, out);
        cli_tabwriter_release(&tw);
}

int cli_run_describe(cli_invocation *inv) {
        if (inv->nargs == 0)
                return cli_usage_error(inv, "You must specify the type of resource to describe. Use \"ocx "
                                            "api-resources\" for a complete list of supported resources.");
        _cleanup_error_ ocx_error *e = NULL;
        cli_session *s = NULL;
        cli_discovery *d = NULL;
        cli_targets t;
        if (cli_session_get(inv, &s, &e) < 0 || cli_discovery_get(s, &d, &e) < 0 ||
            cli_targets_from_args(d, inv->args, inv->nargs, "describe", &t, &e) < 0)
                return cli_print_error(e);
        const char *sel = cli_flag_str(inv, "selector");
        bool all_ns = cli_flag_bool(inv, "all-namespaces");
        int rc = 0, printed = 0;
        ocx_buf errs = OCX_BUF_INIT;
        for (size_t i = 0; i < t.n; i++) {
                const cli_resource *res = t.v[i].res;
                _cleanup_free_ char *av = cli_resource_api_version(res);
                _cleanup_json_ cJSON *objs = cJSON_CreateArray();
                _cleanup_json_ cJSON *list = NULL;
                bool need_list = t.v[i].nnames == 0;
                for (size_t k = 0; k < t.v[i].nnames; k++) {
                        _cleanup_free_ char *p = cli_resource_path(res, s->ns, t.v[i].names[k]);
                        cJSON *o = NULL;
                        ocx_error *ge = NULL;
                        int r = cli_request_json(s, "GET", p, NULL, NULL, &o, &ge);
                        if (r >= 0) {
                                cJSON_AddItemToArray(objs, o);
                        } else if (r == -ENOENT) {
                                /* prefix match over the list */
                                if (!list) {
                                        _cleanup_free_ char *lp = cli_resource_path(res, s->ns, NULL);
                                        ocx_error *le = NULL;
                                        if (cli_request_json(s, "GET", lp, NULL, NULL, &list, &le) < 0) list = NULL;
                                        ocx_error_free(le);
                                }
                                int found = 0;
                                cJSON *it;
                                cJSON_ArrayForEach(it, ocx_json_get(list, "items")) {
                                        if (ocx_startswith(ocx_json_path_str(it, "metadata.name"), t.v[i].names[k])) {
                                                cJSON_AddItemToArray(objs, cJSON_Duplicate(it, true));
                                                found++;
                                        }
                                }
                                if (!found) ocx_buf_printf(&errs, "%s\n", ge->message);
                        } else {
                                ocx_buf_printf(&errs, "%s%s\n", ocx_startswith(ge->message, "Error from") ? "" : "error: ",
                                               ge->message);
                        }
                        ocx_error_free(ge);
                }
                if (need_list) {
                        _cleanup_free_ char *lp0 = cli_resource_path(res, all_ns ? NULL : s->ns, NULL);
                        _cleanup_free_ char *lp = sel && *sel ? cli_path_add_query(lp0, "labelSelector", sel)
                                                              : ocx_xstrdup(lp0);
                        ocx_error *le = NULL;
                        if (cli_request_json(s, "GET", lp, NULL, NULL, &list, &le) < 0) {
                                ocx_buf_printf(&errs, "%s%s\n", ocx_startswith(le->message, "Error from") ? "" : "error: ",
                                               le->message);
                        } else {
                                cJSON *it;
                                while ((it = cJSON_DetachItemFromArray(ocx_json_get(list, "items"), 0)))
                                        cJSON_AddItemToArray(objs, it);
                        }
                        ocx_error_free(le);
                }
                cJSON *o;
                cJSON_ArrayForEach(o, objs) {
                        cli_ensure_type_meta(o, av, res->kind);
                        ocx_buf out = OCX_BUF_INIT;
                        describe_one(s, o, &out);
                        printf("%s%s", printed++ ? "\n\n" : "", out.data ? out.data : "");
                        ocx_buf_release(&out);
                }
        }
        fflush(stdout);
        if (printed == 0 && errs.len == 0) {
                if (all_ns)
                        fprintf(stderr, "No resources found\n");
                else
                        fprintf(stderr, "No resources found in %s namespace.\n", s->ns);
        }
        if (errs.len) {
                fputs(errs.data, stderr);
                rc = 1;
        }
        ocx_buf_release(&errs);
        cli_targets_release(&t);
        return rc;
}
