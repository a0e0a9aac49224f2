/* ocx — output printers: server-side Table rendering (spec 1.2), -o name,
 * -o json|yaml (List wrapping), -o jsonpath (subset). */
#pragma once
#include <cjson/cJSON.h>
#include <stdbool.h>
#include "cli/tabwriter.h"
#include "ocx/buf.h"
#include "ocx/error.h"

typedef struct cli_table_opts {
        bool wide;           /* show priority != 0 columns */
        bool no_headers;
        bool show_labels;
        bool namespace_col;  /* -A on a namespaced kind: prepend NAMESPACE */
        const char *name_prefix; /* "pod/" when several kinds or --show-kind; NULL otherwise */
        bool event_col;      /* --output-watch-events */
} cli_table_opts;

/* Text of one cell: strings as-is, numbers %v, bools, null → "", cut at
 * \n \r \f with "..." appended. Caller frees. */
char *cli_table_cell(const cJSON *cell);
/* Appends header (unless no_headers) and one tab-separated line per row of a
 * meta.k8s.io Table to tw. event: for watch rows ("ADDED"), may be NULL.
 * Returns the number of rows written. */
int cli_table_write(const cJSON *table, const cli_table_opts *o, bool header, const char *event,
                    cli_tabwriter *tw);
/* "k=v,k2=v2" sorted, "<none>" when empty. Caller frees. */
char *cli_labels_string(const cJSON *labels);

/* -o yaml / -o json for one object or a List of items. */
int cli_print_object(const cJSON *obj, const char *format, ocx_buf *out);
/* Wraps items (taking ownership) into {"apiVersion":"v1","items":[…],"kind":"List","metadata":{"resourceVersion":""}}. */
cJSON *cli_make_list(cJSON *items);

/* kubectl jsonpath subset: literal text, {.a.b}, {.items[*].x}, {.a[0]},
 * {.a['k.with.dots']} / {.a.k\.x}, {range .items[*]}…{end}, {"\n"}, {@}.
 * Several results of one expression are joined with a space. */
int cli_jsonpath(const char *tmpl, const cJSON *root, ocx_buf *out, ocx_error **reterr);

/* Puts apiVersion and kind first in obj when missing (list items). */
void cli_ensure_type_meta(cJSON *obj, const char *api_version, const char *kind);
