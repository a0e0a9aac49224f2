/* ocx — rendering a server-side meta.k8s.io Table (spec 1.2). */
#include "cli/printer.h"
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include "ocx/json.h"
#include "ocx/banned.h"

char *cli_table_cell(const cJSON *c) {
        char *s;
        if (!c || cJSON_IsNull(c)) return ocx_xstrdup("");
        if (cJSON_IsString(c)) {
                s = ocx_xstrdup(c->valuestring);
        } else if (cJSON_IsBool(c)) {
                s = ocx_xstrdup(cJSON_IsTrue(c) ? "true" : "false");
        } else if (cJSON_IsNumber(c)) {
                double d = c->valuedouble;
                if (d == trunc(d) && fabs(d) < 1e17) {
                        s = ocx_xasprintf("%.0f", d);
                } else {
                        char tmp[40];
                        snprintf(tmp, sizeof(tmp), "%.15g", d);
                        if (strtod(tmp, NULL) != d) snprintf(tmp, sizeof(tmp), "%.17g", d);
                        s = ocx_xstrdup(tmp);
                }
        } else {
                s = ocx_json_print(c);
        }
        size_t cut = strcspn(s, "\n\r\f");
        if (s[cut]) {
                char *t = ocx_xasprintf("%.*s...", (int)cut, s);
                free(s);
                s = t;
        }
        /* a tab inside a cell would split it */
        for (char *p = s; *p; p++)
                if (*p == '\t') *p = ' ';
        return s;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

char *cli_labels_string(const cJSON *labels) {
        int n = cJSON_IsObject(labels) ? cJSON_GetArraySize(labels) : 0;
        if (n == 0) return ocx_xstrdup("<none>");
        char **v = ocx_xcalloc((size_t)n, sizeof(char *));
        int k = 0;
        const cJSON *e;
        cJSON_ArrayForEach(e, labels) {
                _cleanup_free_ char *val = cli_table_cell(e);
                v[k++] = ocx_xasprintf("%s=%s", e->string, val);
        }
        qsort(v, (size_t)k, sizeof(char *), cmp_str);
        ocx_buf b = OCX_BUF_INIT;
        for (int i = 0; i < k; i++) {
                ocx_buf_printf(&b, "%s%s", i ? "," : "", v[i]);
                free(v[i]);
        }
        free(v);
        return ocx_buf_detach(&b, NULL);
}

static bool column_shown(const cJSON *col, const cli_table_opts *o) {
        int64_t prio = 0;
        const cJSON *p = ocx_json_get(col, "priority");
        if (p && ocx_json_int(p, INT32_MIN, INT32_MAX, &prio) < 0) prio = 0;
        return prio == 0 || o->wide;
}

static int name_column(const cJSON *cols) {
        int i = 0;
        const cJSON *c;
        cJSON_ArrayForEach(c, cols) {
                if (ocx_streq(ocx_json_get_str(c, "format"), "name")) return i;
                i++;
        }
        return 0;
}

int cli_table_write(const cJSON *table, const cli_table_opts *o, bool header, const char *event,
                    cli_tabwriter *tw) {
        const cJSON *cols = ocx_json_get(table, "columnDefinitions");
        int ncols = cJSON_GetArraySize(cols);
        int namecol = name_column(cols);
        if (header && !o->no_headers) {
                ocx_buf h = OCX_BUF_INIT;
                if (o->event_col) ocx_buf_puts(&h, "EVENT\t");
                if (o->namespace_col) ocx_buf_puts(&h, "NAMESPACE\t");
                bool first = true;
                const cJSON *c;
                cJSON_ArrayForEach(c, cols) {
                        if (!column_shown(c, o)) continue;
                        const char *name = ocx_json_get_str(c, "name");
                        if (!first) ocx_buf_puts(&h, "\t");
                        first = false;
                        for (const char *p = name ? name : ""; *p; p++) {
                                char u = (char)toupper((unsigned char)*p);
                                ocx_buf_append(&h, &u, 1);
                        }
                }
                if (o->show_labels) ocx_buf_puts(&h, "\tLABELS");
                ocx_buf_puts(&h, "\n");
                cli_tabwriter_write(tw, h.data);
                ocx_buf_release(&h);
        }
        int rows = 0;
        const cJSON *row;
        cJSON_ArrayForEach(row, ocx_json_get(table, "rows")) {
                const cJSON *cells = ocx_json_get(row, "cells");
                const cJSON *meta = ocx_json_path(row, "object.metadata");
                ocx_buf l = OCX_BUF_INIT;
                if (o->event_col) ocx_buf_printf(&l, "%-8s\t", event ? event : "ADDED");
                if (o->namespace_col) {
                        const char *ns = ocx_json_get_str(meta, "namespace");
                        ocx_buf_printf(&l, "%s\t", ns ? ns : "");
                }
                bool first = true;
                for (int i = 0; i < ncols; i++) {
                        if (!column_shown(cJSON_GetArrayItem(cols, i), o)) continue;
                        _cleanup_free_ char *text = cli_table_cell(cJSON_GetArrayItem(cells, i));
                        if (!first) ocx_buf_puts(&l, "\t");
                        first = false;
                        if (i == namecol && o->name_prefix) ocx_buf_puts(&l, o->name_prefix);
                        ocx_buf_puts(&l, text);
                }
                if (o->show_labels) {
                        _cleanup_free_ char *labels = cli_labels_string(ocx_json_get(meta, "labels"));
                        ocx_buf_printf(&l, "\t%s", labels);
                }
                ocx_buf_puts(&l, "\n");
                cli_tabwriter_write(tw, l.data);
                ocx_buf_release(&l);
                rows++;
        }
        return rows;
}
