/* ocx — resource arguments ("dc,svc a b", "dc/a svc/b") and -f manifests. */
#pragma once
#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include "cli/resources.h"
#include "ocx/buf.h"
#include "ocx/error.h"

typedef struct cli_resarg {
        char *type;   /* as typed: "dc", "routes.route.openshift.io", "all" */
        char **names; /* NULL-terminated; empty = every object */
        size_t nnames;
} cli_resarg;

/* Pure parse. Errors use kubectl's texts. */
int cli_parse_resource_args(char *const *args, size_t n, const char *cmdname, cli_resarg **ret,
                            size_t *ret_n, ocx_error **reterr);
void cli_resargs_free(cli_resarg *v, size_t n);

typedef struct cli_target {
        const cli_resource *res;
        char **names; /* borrowed from the cli_resarg */
        size_t nnames;
} cli_target;

/* Resolves the types through discovery ("all" expands to the category, in
 * display order). Caller frees *ret (not the names). */
int cli_resolve_targets(const cli_discovery *d, const cli_resarg *args, size_t n, cli_target **ret,
                        size_t *ret_n, ocx_error **reterr);

typedef struct cli_manifest {
        cJSON *obj;
        char *source; /* file name as given, "STDIN" for - */
} cli_manifest;

typedef struct cli_manifests {
        cli_manifest *v;
        size_t n;
} cli_manifests;

/* Reads every -f argument (file, directory (*.yaml *.yml *.json, sorted;
 * -R recurses), "-" stdin). Each problem is appended to errs (one line each,
 * final text) and processing continues. */
void cli_read_manifests(char *const *paths, size_t n, bool recursive, cli_manifests *ret, ocx_buf *errs);
void cli_manifests_release(cli_manifests *m);

/* Resolves the (KIND NAME... | KIND/NAME...) arguments of a command into
 * targets in one step (session discovery). Caller frees with
 * cli_targets_free. */
typedef struct cli_targets {
        cli_resarg *args;
        size_t nargs;
        cli_target *v;
        size_t n;
} cli_targets;
int cli_targets_from_args(const cli_discovery *d, char *const *args, size_t n, const char *cmdname,
                          cli_targets *ret, ocx_error **reterr);
void cli_targets_release(cli_targets *t);
