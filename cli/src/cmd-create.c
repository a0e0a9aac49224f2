/* ocx create -f / ocx apply -f (spec 5.9, 5.10): every object of every file
 * is sent; failures are collected and printed at the end (exit 1). */
#include <stdio.h>
#include "cli/client.h"
#include "cli/cmds.h"
#include "cli/merge.h"
#include "cli/printer.h"
#include "cli/resargs.h"
#include "ocx/json.h"
#include "ocx/banned.h"

#define LAST_APPLIED "kubectl.kubernetes.io/last-applied-configuration"

typedef struct obj_ref {
        const cli_resource *res;
        const char *ns; /* NULL for cluster-scoped */
        const char *name;
} obj_ref;

/* Resolves a manifest's mapping and namespace; error lines go to errs. */
static int map_manifest(cli_session *s, cli_discovery *d, const cli_manifest *m, obj_ref *ret, ocx_buf *errs) {
        const char *av = ocx_json_get_str(m->obj, "apiVersion"), *kind = ocx_json_get_str(m->obj, "kind");
        const char *name = ocx_json_path_str(m->obj, "metadata.name");
        const char *ons = ocx_json_path_str(m->obj, "metadata.namespace");
        ocx_error *e = NULL;
        if (cli_resolve_kind(d, av, kind, &ret->res, &e) < 0) {
                ocx_buf_printf(errs,
                               "error: resource mapping not found for name: \"%s\" namespace: \"%s\" from \"%s\": %s\n"
                               "ensure CRDs are installed first\n",
                               name ? name : "", ons ? ons : "", m->source, e->message);
                ocx_error_free(e);
                return -ENOENT;
        }
        ret->name = name;
        ret->ns = NULL;
        if (ret->res->namespaced) {
                if (ons && *ons && s->ns_explicit && strcmp(ons, s->ns) != 0) {
                        ocx_buf_printf(errs,
                                       "error: the namespace from the provided object \"%s\" does not match the "
                                       "namespace \"%s\". You must pass '--namespace=%s' to perform this operation.\n",
                                       ons, s->ns, ons);
                        return -EINVAL;
                }
                ret->ns = ons && *ons ? ons : s->ns;
        }
        return 0;
}

static void err_line(ocx_buf *errs, const ocx_error *e) {
        const char *m = e && e->message ? e->message : "unknown error";
        bool final = ocx_startswith(m, "Error from server") || ocx_startswith(m, "The ") ||
                     ocx_startswith(m, "Unable to connect") || ocx_startswith(m, "error: ");
        ocx_buf_printf(errs, "%s%s\n", final ? "" : "error: ", m);
}

typedef struct out_opts {
        const char *output; /* NULL, name, json, yaml */
        const char *dry;    /* none, client, server */
} out_opts;

static int parse_out(cli_invocation *inv, out_opts *o) {
        o->output = cli_flag_str(inv, "output");
        o->dry = cli_flag_str(inv, "dry-run");
        if (!o->dry || strcmp(o->dry, "false") == 0) o->dry = "none";
        if (strcmp(o->dry, "true") == 0) o->dry = "client";
        if (strcmp(o->dry, "none") != 0 && strcmp(o->dry, "client") != 0 && strcmp(o->dry, "server") != 0) {
                fprintf(stderr, "error: Invalid dry-run value (%s). Must be \"none\", \"server\", or \"client\".\n", o->dry);
                return -EINVAL;
        }
        if (o->output && strcmp(o->output, "name") != 0 && strcmp(o->output, "json") != 0 &&
            strcmp(o->output, "yaml") != 0) {
                fprintf(stderr, "error: unable to match a printer suitable for the output format \"%s\", allowed "
                                "formats are: json,name,yaml\n", o->output);
                return -EINVAL;
        }
        return 0;
}

static void report(const out_opts *o, const cli_resource *res, const cJSON *obj, const char *verb, ocx_buf *out) {
        _cleanup_free_ char *k = cli_resource_kind_prefix(res);
        const char *name = ocx_json_path_str(obj, "metadata.name");
        if (o->output && strcmp(o->output, "name") == 0) {
                ocx_buf_printf(out, "%s/%s\n", k, name ? name : "");
        } else if (o->output) {
                cli_print_object(obj, o->output, out);
        } else {
                const char *suffix = strcmp(o->dry, "client") == 0   ? " (dry run)"
                                     : strcmp(o->dry, "server") == 0 ? " (server dry run)"
                                                                     : "";
                ocx_buf_printf(out, "%s/%s %s%s\n", k, name ? name : "", verb, suffix);
        }
        fputs(out->data ? out->data : "", stdout);
        fflush(stdout);
        ocx_buf_reset(out);
}

static char *write_path(const obj_ref *ref, const char *name, const out_opts *o) {
        char *p = cli_resource_path(ref->res, ref->ns, name);
        if (strcmp(o->dry, "server") == 0) {
                char *q = cli_path_add_query(p, "dryRun", "All");
                free(p);
                p = q;
        }
        return p;
}

/* POST; on success reports "created". */
/* Sends one write; a failure (with ctx after "Error from server (Reason): ")
 * goes to errs and returns < 0; *ret gets the object the server answered with
 * (NULL when its body is not JSON). */
static int write_object(cli_session *s, const char *method, const char *path, const char *ctype, const char *body,
                        const char *ctx, ocx_buf *errs, cJSON **ret) {
        ocx_http_response resp;
        ocx_error *e = NULL;
        int r = cli_do(s, method, path, ctype, body, strlen(body), NULL, &resp, &e);
        if (r >= 0) {
                if (resp.status < 200 || resp.status > 299) r = cli_status_error(&resp, ctx, &e);
                else if (ocx_json_parse(resp.body, resp.body_len, ret, NULL) < 0) *ret = NULL;
                ocx_http_response_release(&resp);
        }
        if (r < 0) {
                err_line(errs, e);
                ocx_error_free(e);
        }
        return r;
}

static int create_one(cli_session *s, const obj_ref *ref, const cJSON *obj, const char *source, const out_opts *o,
                      ocx_buf *out, ocx_buf *errs) {
        if (strcmp(o->dry, "client") == 0) {
                report(o, ref->res, obj, "created", out);
                return 0;
        }
        _cleanup_free_ char *path = write_path(ref, NULL, o);
        _cleanup_free_ char *body = ocx_json_print(obj);
        _cleanup_free_ char *ctx = ocx_xasprintf("error when creating \"%s\"", source);
        _cleanup_json_ cJSON *created = NULL;
        int r = write_object(s, "POST", path, "application/json", body, ctx, errs, &created);
        if (r < 0) return r;
        report(o, ref->res, created ? created : obj, "created", out);
        return 0;
}

static int read_all(cli_invocation *inv, cli_manifests *m, ocx_buf *errs) {
        size_t nf = 0;
        char **files = cli_flag_list(inv, "filename", &nf);
        if (nf == 0) {
                fprintf(stderr, "error: must specify one of -f and -k\n\n");
                fprintf(stderr, "See '%s -h' for help and examples\n", inv->path);
                return -EINVAL;
        }
        cli_read_manifests(files, nf, cli_flag_bool(inv, "recursive"), m, errs);
        return 0;
}

int cli_run_create(cli_invocation *inv) {
        out_opts o;
        if (parse_out(inv, &o) < 0) return 1;
        if (inv->nargs > 0) return cli_usage_error(inv, "Unexpected args: [%s]", inv->args[0]);
        ocx_buf errs = OCX_BUF_INIT, out = OCX_BUF_INIT;
        cli_manifests m = {0};
        if (read_all(inv, &m, &errs) < 0) return 1;
        int rc = 0;
        cli_session *s = NULL;
        cli_discovery *d = NULL;
        _cleanup_error_ ocx_error *e = NULL;
        if (m.n > 0 && (cli_session_get(inv, &s, &e) < 0 || cli_discovery_get(s, &d, &e) < 0)) {
                cli_manifests_release(&m);
                if (errs.len) fputs(errs.data, stderr);
                ocx_buf_release(&errs);
                return cli_print_error(e);
        }
        bool save_config = cli_flag_bool(inv, "save-config");
        for (size_t i = 0; i < m.n; i++) {
                obj_ref ref;
                if (map_manifest(s, d, &m.v[i], &ref, &errs) < 0) continue;
                if (save_config) {
                        _cleanup_free_ char *text = ocx_json_print(m.v[i].obj);
                        cJSON *ann = ocx_json_ensure_obj(ocx_json_ensure_obj(m.v[i].obj, "metadata"), "annotations");
                        ocx_json_set_str(ann, LAST_APPLIED, text);
                }
                (void)create_one(s, &ref, m.v[i].obj, m.v[i].source, &o, &out, &errs);
        }
        if (m.n == 0 && errs.len == 0) ocx_buf_puts(&errs, "error: no objects passed to create\n");
        if (errs.len) {
                fputs(errs.data, stderr);
                rc = 1;
        }
        cli_manifests_release(&m);
        ocx_buf_release(&errs);
        ocx_buf_release(&out);
        return rc;
}

/* The input with the last-applied annotation set to the input's JSON
 * (without that annotation), as kubectl stores it. */
static cJSON *with_last_applied(const cJSON *input) {
        cJSON *copy = cJSON_Duplicate(input, true);
        cJSON *ann = ocx_json_path(copy, "metadata.annotations");
        if (ann) cJSON_DeleteItemFromObjectCaseSensitive(ann, LAST_APPLIED);
        if (ann && !ann->child) cJSON_DeleteItemFromObjectCaseSensitive(ocx_json_get(copy, "metadata"), "annotations");
        _cleanup_free_ char *text = ocx_json_print(copy);
        ann = ocx_json_ensure_obj(ocx_json_ensure_obj(copy, "metadata"), "annotations");
        ocx_json_set_str(ann, LAST_APPLIED, text);
        return copy;
}

static void apply_one(cli_session *s, const obj_ref *ref, const cli_manifest *m, const out_opts *o, ocx_buf *out,
                      ocx_buf *errs) {
        _cleanup_json_ cJSON *modified = with_last_applied(m->obj);
        if (!ref->name || !*ref->name) {
                (void)create_one(s, ref, modified, m->source, o, out, errs);
                return;
        }
        _cleanup_free_ char *path = cli_resource_path(ref->res, ref->ns, ref->name);
        _cleanup_json_ cJSON *live = NULL;
        ocx_error *e = NULL;
        int r = cli_request_json(s, "GET", path, NULL, NULL, &live, &e);
        if (r == -ENOENT) {
                ocx_error_free(e);
                (void)create_one(s, ref, modified, m->source, o, out, errs);
                return;
        }
        if (r < 0) {
                _cleanup_free_ char *ctx = ocx_xasprintf("error when retrieving current configuration of:\n"
                                                         "Resource: \"%s\", Name: \"%s\", Namespace: \"%s\"\nfrom "
                                                         "server for: \"%s\"", ref->res->name, ref->name,
                                                         ref->ns ? ref->ns : "", m->source);
                ocx_buf_printf(errs, "error: %s: %s\n", ctx, e->message);
                ocx_error_free(e);
                return;
        }
        /* the annotation key contains dots: look it up directly */
        const char *last_text = ocx_json_get_str(ocx_json_path(live, "metadata.annotations"), LAST_APPLIED);
        _cleanup_json_ cJSON *last = NULL;
        if (last_text) {
                if (ocx_json_parse(last_text, strlen(last_text), &last, NULL) < 0) last = NULL;
        } else {
                _cleanup_free_ char *q = cli_resource_qualified(ref->res);
                fprintf(stderr,
                        "Warning: resource %s/%s is missing the %s annotation which is required by ocx apply. ocx "
                        "apply should only be used on resources created declaratively by either ocx create "
                        "--save-config or ocx apply. The missing annotation will be patched automatically.\n",
                        ref->res->name, ref->name, LAST_APPLIED);
        }
        _cleanup_json_ cJSON *patch = cli_three_way_merge_patch(last, live, modified);
        if (cli_patch_is_empty(patch)) {
                report(o, ref->res, live, "unchanged", out);
                return;
        }
        if (strcmp(o->dry, "client") == 0) {
                report(o, ref->res, live, "configured", out);
                return;
        }
        _cleanup_free_ char *wpath = write_path(ref, ref->name, o);
        _cleanup_free_ char *body = ocx_json_print(patch);
        _cleanup_free_ char *ctx = ocx_xasprintf("error when applying patch:\n%s\n\nto:\nResource: \"%s\", "
                                                 "Name: \"%s\", Namespace: \"%s\"\nfor: \"%s\"",
                                                 body, ref->res->name, ref->name, ref->ns ? ref->ns : "", m->source);
        _cleanup_json_ cJSON *patched = NULL;
        if (write_object(s, "PATCH", wpath, "application/merge-patch+json", body, ctx, errs, &patched) < 0) return;
        report(o, ref->res, patched ? patched : live, "configured", out);
}

int cli_run_apply(cli_invocation *inv) {
        out_opts o;
        if (parse_out(inv, &o) < 0) return 1;
        if (inv->nargs > 0) return cli_usage_error(inv, "Unexpected args: [%s]", inv->args[0]);
        ocx_buf errs = OCX_BUF_INIT, out = OCX_BUF_INIT;
        cli_manifests m = {0};
        if (read_all(inv, &m, &errs) < 0) return 1;
        cli_session *s = NULL;
        cli_discovery *d = NULL;
        _cleanup_error_ ocx_error *e = NULL;
        if (m.n > 0 && (cli_session_get(inv, &s, &e) < 0 || cli_discovery_get(s, &d, &e) < 0)) {
                cli_manifests_release(&m);
                if (errs.len) fputs(errs.data, stderr);
                ocx_buf_release(&errs);
                return cli_print_error(e);
        }
        for (size_t i = 0; i < m.n; i++) {
                obj_ref ref;
                if (map_manifest(s, d, &m.v[i], &ref, &errs) < 0) continue;
                apply_one(s, &ref, &m.v[i], &o, &out, &errs);
        }
        if (m.n == 0 && errs.len == 0) ocx_buf_puts(&errs, "error: no objects passed to apply\n");
        int rc = 0;
        if (errs.len) {
                fputs(errs.data, stderr);
                rc = 1;
        }
        cli_manifests_release(&m);
        ocx_buf_release(&errs);
        ocx_buf_release(&out);
        return rc;
}
