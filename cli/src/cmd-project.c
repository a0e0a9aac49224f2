/* ocx new-project / project / projects (spec 5.4, 5.5, 5.6). */
#include <stdio.h>
#include "cli/client.h"
#include "cli/cmds.h"
#include "ocx/json.h"
#include "ocx/banned.h"

#define PROJECTS "/apis/project.openshift.io/v1/projects"

static const cJSON *find_named(const cJSON *list, const char *name) {
        const cJSON *e;
        cJSON_ArrayForEach(e, list) if (ocx_streq(ocx_json_get_str(e, "name"), name)) return e;
        return NULL;
}

static const char *context_name(const cli_invocation *inv, const cli_session *s) {
        const char *c = cli_flag_str(inv, "context");
        return c && *c ? c : ocx_json_get_str(s->kc.doc, "current-context");
}

static const cJSON *context_of(const cli_session *s, const char *name) {
        return ocx_json_get(find_named(ocx_json_get(s->kc.doc, "contexts"), name), "context");
}

/* The namespace the session works in: -n, else the context's (NULL when unset). */
static const char *current_ns(const cli_invocation *inv, const cli_session *s) {
        if (s->ns_explicit) return s->ns;
        const char *ns = ocx_json_get_str(context_of(s, context_name(inv, s)), "namespace");
        return ns && *ns ? ns : NULL;
}

static const char *display_name(const cJSON *p) {
        const char *dn = ocx_json_get_str(ocx_json_path(p, "metadata.annotations"), "openshift.io/display-name");
        return dn && *dn ? dn : NULL;
}

/* Makes <ns>/<cluster>/<user> the current context (spec 2.2). */
static int switch_to(const cli_invocation *inv, cli_session *s, const char *ns, ocx_error **reterr) {
        const cJSON *ctx = context_of(s, context_name(inv, s));
        const char *cl = ocx_json_get_str(ctx, "cluster"), *us = ocx_json_get_str(ctx, "user");
        const cJSON *cluster = ocx_json_get(find_named(ocx_json_get(s->kc.doc, "clusters"), cl), "cluster");
        const cJSON *user = ocx_json_get(find_named(ocx_json_get(s->kc.doc, "users"), us), "user");
        _cleanup_json_ cJSON *cl_copy = cluster ? cJSON_Duplicate(cluster, true) : cJSON_CreateObject();
        if (!cluster) ocx_json_set_str(cl_copy, "server", s->cfg.server);
        _cleanup_json_ cJSON *us_copy = user ? cJSON_Duplicate(user, true) : cJSON_CreateObject();
        _cleanup_free_ char *nick = cli_cluster_nick(s->cfg.server);
        _cleanup_free_ char *username = NULL;
        size_t ul = us ? strlen(us) : 0, nl = strlen(nick);
        if (us && ul > nl + 1 && us[ul - nl - 1] == '/' && strcmp(us + ul - nl, nick) == 0)
                username = ocx_xstrndup(us, ul - nl - 1);
        int r;
        if (!username && (r = cli_whoami(s, &username, reterr)) < 0) return r;
        const char *server = ocx_json_get_str(cl_copy, "server");
        if ((r = cli_kubeconfig_set_login(&s->kc, server ? server : s->cfg.server, cl_copy, username, us_copy, ns, NULL,
                                          reterr)) < 0)
                return r;
        return cli_kubeconfig_save(&s->kc, reterr);
}

static int cmp_projects(const void *a, const void *b) {
        const char *x = ocx_json_path_str(*(const cJSON *const *)a, "metadata.name");
        const char *y = ocx_json_path_str(*(const cJSON *const *)b, "metadata.name");
        return strcmp(x ? x : "", y ? y : "");
}

/* Visible projects sorted by name (array of borrowed items of *ret_list). */
static int list_projects(cli_session *s, cJSON **ret_list, const cJSON ***ret_v, size_t *ret_n, ocx_error **reterr) {
        int r = cli_request_json(s, "GET", PROJECTS, NULL, NULL, ret_list, reterr);
        if (r < 0) return r;
        const cJSON *items = ocx_json_get(*ret_list, "items");
        size_t n = (size_t)cJSON_GetArraySize(items), k = 0;
        const cJSON **v = ocx_xcalloc(n + 1, sizeof(const cJSON *));
        const cJSON *it;
        cJSON_ArrayForEach(it, items) v[k++] = it;
        qsort(v, k, sizeof(const cJSON *), cmp_projects);
        *ret_v = v;
        *ret_n = k;
        return 0;
}

/* ---- new-project ---------------------------------------------------------------- */

static const char new_app_hint[] =
    "\nYou can add applications to this project with the 'new-app' command. For example, try:\n\n"
    "    ocx new-app rails-postgresql-example\n\n"
    "to build a new example application in Ruby. Or use kubectl to deploy a simple Kubernetes application:\n\n"
    "    kubectl create deployment hello-node --image=registry.k8s.io/e2e-test-images/agnhost:2.43 -- /agnhost "
    "serve-hostname\n\n";

int cli_run_new_project(cli_invocation *inv) {
        if (inv->nargs != 1) return fprintf(stderr, "error: must have exactly one argument\n"), 1;
        const char *name = inv->args[0];
        _cleanup_error_ ocx_error *e = NULL;
        cli_session *s = NULL;
        if (cli_session_get(inv, &s, &e) < 0) return cli_print_error(e);
        ocx_http_response r;
        if (cli_do(s, "GET", "/apis/project.openshift.io/v1/projectrequests", NULL, NULL, 0, NULL, &r, &e) < 0)
                return cli_print_error(e);
        if (r.status < 200 || r.status > 299) {
                cli_status_error(&r, NULL, &e);
                ocx_http_response_release(&r);
                return cli_print_error(e);
        }
        ocx_http_response_release(&r);
        _cleanup_json_ cJSON *body = cJSON_CreateObject();
        cJSON_AddStringToObject(body, "kind", "ProjectRequest");
        cJSON_AddStringToObject(body, "apiVersion", "project.openshift.io/v1");
        cJSON_AddStringToObject(cJSON_AddObjectToObject(body, "metadata"), "name", name);
        const char *dn = cli_flag_str(inv, "display-name"), *desc = cli_flag_str(inv, "description");
        if (dn && *dn) cJSON_AddStringToObject(body, "displayName", dn);
        if (desc && *desc) cJSON_AddStringToObject(body, "description", desc);
        _cleanup_json_ cJSON *out = NULL;
        if (cli_request_json(s, "POST", "/apis/project.openshift.io/v1/projectrequests", NULL, body, &out, &e) < 0)
                return cli_print_error(e);
        if (cli_flag_bool(inv, "skip-config-write")) {
                printf("Project \"%s\" created on server \"%s\".\n\nTo switch to this project and start adding "
                       "applications, use:\n\n    ocx project %s\n",
                       name, s->cfg.server, name);
                return 0;
        }
        if (switch_to(inv, s, name, &e) < 0) return cli_print_error(e);
        printf("Now using project \"%s\" on server \"%s\".\n%s", name, s->cfg.server, new_app_hint);
        return 0;
}

/* ---- project ---------------------------------------------------------------------- */

static bool generated_context_name(const char *ctx, const char *ns, const char *server) {
        _cleanup_free_ char *nick = cli_cluster_nick(server);
        _cleanup_free_ char *prefix = ocx_xasprintf("%s/%s/", ns ? ns : "", nick);
        return ctx && ocx_startswith(ctx, prefix);
}

/* GET projects/<ns>, falling back to namespaces/<ns>: the HTTP status. */
static long project_status(cli_session *s, const char *ns) {
        _cleanup_free_ char *path = ocx_xasprintf(PROJECTS "/%s", ns);
        ocx_http_response r;
        if (cli_do(s, "GET", path, NULL, NULL, 0, NULL, &r, NULL) < 0) return 0;
        long st = r.status;
        ocx_http_response_release(&r);
        if (st == 404 && !strstr(path, "namespaces")) {
                _cleanup_free_ char *np = ocx_xasprintf("/api/v1/namespaces/%s", ns);
                if (cli_do(s, "GET", np, NULL, NULL, 0, NULL, &r, NULL) == 0) {
                        if (r.status == 200) st = 200;
                        ocx_http_response_release(&r);
                }
        }
        return st;
}

static int not_found(cli_session *s, const char *name, long status) {
        ocx_buf b = OCX_BUF_INIT;
        if (status == 403)
                ocx_buf_printf(&b, "error: You are not a member of project \"%s\".\n", name);
        else
                ocx_buf_printf(&b, "error: A project named \"%s\" does not exist on \"%s\".\n", name, s->cfg.server);
        _cleanup_json_ cJSON *list = NULL;
        const cJSON **v = NULL;
        size_t n = 0;
        if (list_projects(s, &list, &v, &n, NULL) == 0) {
                if (n == 0) {
                        ocx_buf_puts(&b, "You are not a member of any projects. You can request a project to be "
                                         "created with the 'new-project' command.\n");
                } else if (n == 1) {
                        const char *dn = display_name(v[0]), *pn = ocx_json_path_str(v[0], "metadata.name");
                        if (dn && !ocx_streq(dn, pn))
                                ocx_buf_printf(&b, "You have one project on this server: %s (%s)\n", dn, pn);
                        else
                                ocx_buf_printf(&b, "You have one project on this server: %s\n", pn);
                } else {
                        ocx_buf_puts(&b, "Your projects are:\n");
                        for (size_t i = 0; i < n; i++) {
                                const char *dn = display_name(v[i]), *pn = ocx_json_path_str(v[i], "metadata.name");
                                if (dn && !ocx_streq(dn, pn))
                                        ocx_buf_printf(&b, "* %s (%s)\n", dn, pn);
                                else
                                        ocx_buf_printf(&b, "* %s\n", pn);
                        }
                }
        }
        /* the --server hint only when kubeconfig knows several servers */
        if (cJSON_GetArraySize(ocx_json_get(s->kc.doc, "clusters")) > 1)
                ocx_buf_puts(&b, "To see projects on another server, pass '--server=<server>'.\n");
        fputs(b.data, stderr);
        ocx_buf_release(&b);
        free(v);
        return 1;
}

int cli_run_project(cli_invocation *inv) {
        if (inv->nargs > 1)
                return fprintf(stderr, "error: Only one argument is supported (project name or context name).\n"), 1;
        bool q = cli_flag_bool(inv, "short");
        _cleanup_error_ ocx_error *e = NULL;
        cli_session *s = NULL;
        if (cli_session_get(inv, &s, &e) < 0) return cli_print_error(e);
        const char *ctxname = context_name(inv, s);
        if (inv->nargs == 0) {
                const char *ns = current_ns(inv, s);
                if (!ns) {
                        if (q) return fprintf(stderr, "error: no project has been set\n"), 1;
                        printf("No project has been set. Pass a project name to make that the default.\n");
                        return 0;
                }
                long st = project_status(s, ns);
                if (st == 401) {
                        fprintf(stderr, "error: You must be logged in to the server (Unauthorized)\n");
                        return 1;
                }
                if (st != 200) {
                        fprintf(stderr,
                                "error: you do not have rights to view project \"%s\" specified in your config or the "
                                "project doesn't exist\n",
                                ns);
                        return 1;
                }
                if (q)
                        printf("%s\n", ns);
                else if (ctxname && !generated_context_name(ctxname, ns, s->cfg.server))
                        printf("Using project \"%s\" from context named \"%s\" on server \"%s\".\n", ns, ctxname,
                               s->cfg.server);
                else
                        printf("Using project \"%s\" on server \"%s\".\n", ns, s->cfg.server);
                return 0;
        }
        const char *arg = inv->args[0];
        const cJSON *named = context_of(s, arg);
        if (named) {
                ocx_json_set_str(s->kc.doc, "current-context", arg);
                if (cli_kubeconfig_save(&s->kc, &e) < 0) return cli_print_error(e);
                const char *cns = ocx_json_get_str(named, "namespace");
                const cJSON *cl = ocx_json_get(
                    find_named(ocx_json_get(s->kc.doc, "clusters"), ocx_json_get_str(named, "cluster")), "cluster");
                const char *srv = ocx_json_get_str(cl, "server");
                if (!cns || !*cns)
                        printf("Now using context named \"%s\" on server \"%s\".\n", arg, srv ? srv : "");
                else
                        printf("Now using project \"%s\" from context named \"%s\" on server \"%s\".\n", cns, arg,
                               srv ? srv : "");
                return 0;
        }
        long st = project_status(s, arg);
        if (st == 401) {
                fprintf(stderr, "error: You must be logged in to the server (Unauthorized)\n");
                return 1;
        }
        if (st == 403 || st == 404) return not_found(s, arg, st);
        if (st != 200) {
                fprintf(stderr, "error: cannot get project \"%s\" (HTTP %ld)\n", arg, st);
                return 1;
        }
        const char *before = current_ns(inv, s);
        bool already = before && ocx_streq(before, arg);
        if (!already && switch_to(inv, s, arg, &e) < 0) return cli_print_error(e);
        if (q)
                printf("%s\n", arg);
        else
                printf("%s project \"%s\" on server \"%s\".\n", already ? "Already on" : "Now using", arg,
                       s->cfg.server);
        return 0;
}

/* ---- projects --------------------------------------------------------------------- */

int cli_run_projects(cli_invocation *inv) {
        if (inv->nargs > 0) return fprintf(stderr, "error: no arguments should be passed\n"), 1;
        bool q = cli_flag_bool(inv, "short");
        _cleanup_error_ ocx_error *e = NULL;
        cli_session *s = NULL;
        if (cli_session_get(inv, &s, &e) < 0) return cli_print_error(e);
        _cleanup_json_ cJSON *list = NULL;
        const cJSON **v = NULL;
        size_t n = 0;
        if (list_projects(s, &list, &v, &n, &e) < 0) return cli_print_error(e);
        const char *cur = current_ns(inv, s);
        bool cur_exists = false;
        for (size_t i = 0; i < n && cur; i++)
                if (ocx_streq(ocx_json_path_str(v[i], "metadata.name"), cur)) cur_exists = true;
        ocx_buf b = OCX_BUF_INIT;
        if (n == 0) {
                ocx_buf_puts(&b, "You are not a member of any projects. You can request a project to be created with "
                                 "the 'new-project' command.");
        } else if (n == 1) {
                const char *dn = display_name(v[0]), *pn = ocx_json_path_str(v[0], "metadata.name");
                _cleanup_free_ char *both =
                    dn && !ocx_streq(dn, pn) ? ocx_xasprintf("%s (%s)", dn, pn) : ocx_xstrdup(pn);
                if (q)
                        ocx_buf_puts(&b, both);
                else
                        ocx_buf_printf(&b, "You have one project on this server: \"%s\".", both);
        } else {
                if (!q)
                        ocx_buf_puts(&b, "You have access to the following projects and can switch between them with ' "
                                         "project <projectname>':\n");
                for (size_t i = 0; i < n; i++) {
                        const char *pn = ocx_json_path_str(v[i], "metadata.name"), *dn = display_name(v[i]);
                        const char *mark = q ? "" : (cur_exists && ocx_streq(pn, cur) ? "  * " : "    ");
                        if (dn && !ocx_streq(dn, pn) && !q)
                                ocx_buf_printf(&b, "\n%s%s - %s", mark, pn, dn);
                        else
                                ocx_buf_printf(&b, "%s%s%s", q && i == 0 ? "" : "\n", mark, pn);
                }
        }
        printf("%s\n", b.data ? b.data : "");
        ocx_buf_release(&b);
        if (n > 0 && !q && cur_exists) printf("\nUsing project \"%s\" on server \"%s\".\n", cur, s->cfg.server);
        free(v);
        return 0;
}
