/* ocx — resource arguments and -f manifest reading (see cli/resargs.h). */
#include "cli/resargs.h"
#include <dirent.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include "ocx/json.h"
#include "ocx/yaml.h"
#include "ocx/banned.h"

#define MANIFEST_CAP ((size_t)32 << 20)

static void add_group(cli_resarg **v, size_t *n, const char *type) {
        *v = ocx_xrealloc(*v, (*n + 1) * sizeof(cli_resarg));
        cli_resarg *g = &(*v)[(*n)++];
        g->type = ocx_xstrdup(type);
        g->names = ocx_xcalloc(1, sizeof(char *));
        g->nnames = 0;
}

static void add_name(cli_resarg *g, const char *name) {
        g->names = ocx_xrealloc(g->names, (g->nnames + 2) * sizeof(char *));
        g->names[g->nnames++] = ocx_xstrdup(name);
        g->names[g->nnames] = NULL;
}

void cli_resargs_free(cli_resarg *v, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(v[i].type);
                for (size_t k = 0; k < v[i].nnames; k++) free(v[i].names[k]);
                free(v[i].names);
        }
        free(v);
}

int cli_parse_resource_args(char *const *args, size_t n, const char *cmdname, cli_resarg **ret,
                            size_t *ret_n, ocx_error **reterr) {
        cli_resarg *v = NULL;
        size_t nv = 0;
        *ret = NULL;
        *ret_n = 0;
        if (n == 0) return 0;
        if (strchr(args[0], '/')) {
                for (size_t i = 0; i < n; i++) {
                        const char *slash = strchr(args[i], '/');
                        if (!slash || slash == args[i] || !slash[1]) {
                                cli_resargs_free(v, nv);
                                if (!slash)
                                        return ocx_error_set(reterr, EINVAL, NULL,
                                                             "there is no need to specify a resource type as a separate "
                                                             "argument when passing arguments in resource/name form "
                                                             "(e.g. 'ocx %s resource/<resource_name>' instead of 'ocx %s "
                                                             "resource resource/<resource_name>'",
                                                             cmdname, cmdname);
                                return ocx_error_set(reterr, EINVAL, NULL,
                                                     "arguments in resource/name form must have a single resource and name");
                        }
                        _cleanup_free_ char *type = ocx_xstrndup(args[i], (size_t)(slash - args[i]));
                        if (nv == 0 || strcmp(v[nv - 1].type, type) != 0) add_group(&v, &nv, type);
                        add_name(&v[nv - 1], slash + 1);
                }
                *ret = v;
                *ret_n = nv;
                return 0;
        }
        for (size_t i = 1; i < n; i++)
                if (strchr(args[i], '/'))
                        return ocx_error_set(reterr, EINVAL, NULL,
                                             "there is no need to specify a resource type as a separate argument when "
                                             "passing arguments in resource/name form (e.g. 'ocx %s "
                                             "resource/<resource_name>' instead of 'ocx %s resource "
                                             "resource/<resource_name>'",
                                             cmdname, cmdname);
        _cleanup_free_ char *types = ocx_xstrdup(args[0]);
        char *save = NULL;
        for (char *t = strtok_r(types, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
                add_group(&v, &nv, t);
                for (size_t i = 1; i < n; i++) add_name(&v[nv - 1], args[i]);
        }
        if (nv == 0) return ocx_error_set(reterr, EINVAL, NULL, "resource(s) were provided, but no name was specified");
        *ret = v;
        *ret_n = nv;
        return 0;
}

static void add_target(cli_target **v, size_t *n, const cli_resource *r, const cli_resarg *a) {
        for (size_t i = 0; i < *n; i++)
                if ((*v)[i].res == r && a->nnames == 0 && (*v)[i].nnames == 0) return; /* "all,pods" */
        *v = ocx_xrealloc(*v, (*n + 1) * sizeof(cli_target));
        (*v)[*n].res = r;
        (*v)[*n].names = a->names;
        (*v)[*n].nnames = a->nnames;
        (*n)++;
}

int cli_resolve_targets(const cli_discovery *d, const cli_resarg *args, size_t n, cli_target **ret,
                        size_t *ret_n, ocx_error **reterr) {
        cli_target *v = NULL;
        size_t nv = 0;
        for (size_t i = 0; i < n; i++) {
                if (strcmp(args[i].type, "all") == 0) {
                        const cli_resource **all = NULL;
                        size_t na = cli_expand_all(d, &all);
                        for (size_t k = 0; k < na; k++) add_target(&v, &nv, all[k], &args[i]);
                        free(all);
                        continue;
                }
                const cli_resource *r = NULL;
                int rc = cli_resolve(d, args[i].type, &r, reterr);
                if (rc < 0) {
                        free(v);
                        return rc;
                }
                add_target(&v, &nv, r, &args[i]);
        }
        *ret = v;
        *ret_n = nv;
        return 0;
}

void cli_manifests_release(cli_manifests *m) {
        for (size_t i = 0; i < m->n; i++) {
                cJSON_Delete(m->v[i].obj);
                free(m->v[i].source);
        }
        free(m->v);
        m->v = NULL;
        m->n = 0;
}

static bool manifest_ext(const char *name) {
        const char *dot = strrchr(name, '.');
        return dot && (strcmp(dot, ".yaml") == 0 || strcmp(dot, ".yml") == 0 || strcmp(dot, ".json") == 0);
}

static void decode_into(const char *text, size_t len, const char *source, cli_manifests *ret, ocx_buf *errs) {
        _cleanup_json_ cJSON *arr = NULL;
        ocx_error *e = NULL;
        if (ocx_decode_manifests(text, len, &arr, &e) < 0) {
                const char *m = e ? e->message : "invalid document";
                if (ocx_startswith(m, "yaml:"))
                        ocx_buf_printf(errs, "error: error parsing %s: error converting YAML to JSON: %s\n", source, m);
                else
                        ocx_buf_printf(errs, "error: error parsing %s: %s\n", source, m);
                ocx_error_free(e);
                return;
        }
        cJSON *obj;
        while ((obj = cJSON_DetachItemFromArray(arr, 0))) {
                const char *kind = ocx_json_get_str(obj, "kind");
                const char *av = ocx_json_get_str(obj, "apiVersion");
                if (!cJSON_IsObject(obj) || !kind || !*kind || !av || !*av) {
                        _cleanup_free_ char *text2 = ocx_json_print(obj);
                        ocx_buf_printf(errs, "error: unable to decode \"%s\": Object '%s' is missing in '%s'\n", source,
                                       (!kind || !*kind) ? "Kind" : "apiVersion", text2);
                        cJSON_Delete(obj);
                        continue;
                }
                ret->v = ocx_xrealloc(ret->v, (ret->n + 1) * sizeof(cli_manifest));
                ret->v[ret->n].obj = obj;
                ret->v[ret->n].source = ocx_xstrdup(source);
                ret->n++;
        }
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void read_path(const char *path, bool recursive, bool top, cli_manifests *ret, ocx_buf *errs) {
        if (strcmp(path, "-") == 0) {
                ocx_buf in = OCX_BUF_INIT;
                ocx_buf_init(&in, MANIFEST_CAP);
                char chunk[65536];
                ssize_t k;
                while ((k = read(STDIN_FILENO, chunk, sizeof(chunk))) > 0)
                        if (ocx_buf_append(&in, chunk, (size_t)k) < 0) break;
                decode_into(in.data ? in.data : "", in.len, "STDIN", ret, errs);
                ocx_buf_release(&in);
                return;
        }
        struct stat st;
        if (stat(path, &st) < 0) {
                ocx_buf_printf(errs, "error: the path \"%s\" does not exist\n", path);
                return;
        }
        if (S_ISDIR(st.st_mode)) {
                if (!top && !recursive) return;
                DIR *d = opendir(path);
                if (!d) {
                        ocx_buf_printf(errs, "error: cannot read directory \"%s\": %s\n", path, strerror(errno));
                        return;
                }
                char **names = NULL;
                size_t nn = 0;
                struct dirent *de;
                while ((de = readdir(d))) {
                        if (de->d_name[0] == '.') continue;
                        names = ocx_xrealloc(names, (nn + 1) * sizeof(char *));
                        names[nn++] = ocx_xasprintf("%s/%s", path, de->d_name);
                }
                closedir(d);
                qsort(names, nn, sizeof(char *), cmp_str);
                for (size_t i = 0; i < nn; i++) {
                        struct stat s2;
                        if (stat(names[i], &s2) == 0 && S_ISDIR(s2.st_mode)) {
                                if (recursive) read_path(names[i], recursive, false, ret, errs);
                        } else if (manifest_ext(names[i])) {
                                read_path(names[i], recursive, false, ret, errs);
                        }
                        free(names[i]);
                }
                free(names);
                return;
        }
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        int r = ocx_read_file(path, MANIFEST_CAP, &text, &len);
        if (r < 0) {
                ocx_buf_printf(errs, "error: cannot read \"%s\": %s\n", path, strerror(-r));
                return;
        }
        decode_into(text, len, path, ret, errs);
}

void cli_read_manifests(char *const *paths, size_t n, bool recursive, cli_manifests *ret, ocx_buf *errs) {
        for (size_t i = 0; i < n; i++) read_path(paths[i], recursive, true, ret, errs);
}

int cli_targets_from_args(const cli_discovery *d, char *const *args, size_t n, const char *cmdname,
                          cli_targets *ret, ocx_error **reterr) {
        memset(ret, 0, sizeof(*ret));
        int r = cli_parse_resource_args(args, n, cmdname, &ret->args, &ret->nargs, reterr);
        if (r >= 0) r = cli_resolve_targets(d, ret->args, ret->nargs, &ret->v, &ret->n, reterr);
        if (r < 0) cli_targets_release(ret);
        return r;
}

void cli_targets_release(cli_targets *t) {
        cli_resargs_free(t->args, t->nargs);
        free(t->v);
        memset(t, 0, sizeof(*t));
}
