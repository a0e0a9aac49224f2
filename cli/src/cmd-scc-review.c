/* ocx adm policy scc-subject-review | scc-review (and `ocx policy ...`): which
 * SCC would admit the pod of each -f object, through the
 * PodSecurityPolicy{Self,}SubjectReview and PodSecurityPolicyReview
 * endpoints. Tables as oc prints them (RESOURCE  ALLOWED BY /
 * RESOURCE  SERVICE ACCOUNT  ALLOWED BY) on stdout; beyond oc, each refusal
 * is explained on stderr with the server's reason and its suggestion (the
 * SCC to grant with the exact command, or the pod field to drop). The
 * suggestion is computed server-side (virtual-scc.c, docs/scc.md).
 *
 * `adm policy` is one command whose first argument names the subcommand
 * (cmd-adm-policy.c); its table entries point here, and everything that is
 * not a review goes on to cli_run_policy. */
#include <stdio.h>
#include "cli/client.h"
#include "cli/command.h"
#include "cli/printer.h"
#include "cli/resargs.h"
#include "cli/tabwriter.h"
#include "ocx/json.h"
#include "ocx/banned.h"

extern const cli_flag_def cli_policy_flags[];
int cli_run_policy(cli_invocation *inv);
extern cli_flag_def cli_policy_review_flags[];
int cli_run_policy_review(cli_invocation *inv);

#define SEC_API "/apis/security.openshift.io/v1/namespaces/"

static const cli_flag_def review_flags[] = {
    {"filename", 'f', CLI_FLAG_LIST, "",
     "scc-review/scc-subject-review: filename, directory, or '-' (stdin) of the objects whose pod to review."},
    {"recursive", 'R', CLI_FLAG_BOOL, "false", "Process the directory used in -f, --filename recursively."},
    {"user", 'u', CLI_FLAG_STRING, "", "scc-subject-review: review will be performed on behalf of this user"},
    {"groups", 'g', CLI_FLAG_LIST, "",
     "scc-subject-review: comma separated list of groups. Review will be performed on behalf of these groups"},
    {"no-headers", 0, CLI_FLAG_BOOL, "false",
     "When using the default output format, don't print headers (default print headers)."},
    {0},
};

/* The command's flags: cli_policy_flags followed by the review flags it does
 * not have already. Filled before main so that the table in commands.c can
 * point at it and the policy flags stay defined in one place. */
#define MAX_FLAGS 48
cli_flag_def cli_policy_review_flags[MAX_FLAGS];

__attribute__((constructor)) static void merge_flags(void) {
        size_t n = 0;
        for (const cli_flag_def *f = cli_policy_flags; f->name && n < MAX_FLAGS - 1; f++)
                cli_policy_review_flags[n++] = *f;
        for (const cli_flag_def *f = review_flags; f->name && n < MAX_FLAGS - 1; f++) {
                bool dup = false;
                for (size_t i = 0; i < n; i++) dup = dup || ocx_streq(cli_policy_review_flags[i].name, f->name);
                if (!dup) cli_policy_review_flags[n++] = *f;
        }
        cli_policy_review_flags[n] = (cli_flag_def){0};
}

typedef struct review_opts {
        cli_invocation *inv;
        cli_session *s;
        bool subject; /* scc-subject-review, else scc-review */
        const char *user;
        char **groups;
        size_t ngroups;
        char **sas; /* short names */
        size_t nsas;
        const char *output; /* NULL: table */
        bool headers;
        cli_tabwriter tw;
        ocx_buf notes; /* refusal explanations, printed on stderr after the table */
        bool any_row;
} review_opts;

/* "system:serviceaccount:ns:name" → "name" */
static const char *short_sa(const char *sa) {
        if (!ocx_startswith(sa, "system:serviceaccount:")) return sa;
        const char *c = strrchr(sa, ':');
        return c ? c + 1 : sa;
}

/* The pod template of an object (Pod, PodTemplate, the workload kinds with
 * spec.template, CronJob), borrowed; NULL when it has none. A Pod's template
 * is built into *scratch. */
static const cJSON *template_of(const cJSON *obj, cJSON **scratch) {
        const char *kind = ocx_json_get_str(obj, "kind");
        if (ocx_streq(kind, "Pod")) {
                cJSON *t = cJSON_CreateObject();
                cJSON *md = cJSON_AddObjectToObject(t, "metadata");
                static const char *const keep[] = {"name", "generateName", "labels", "annotations"};
                for (size_t i = 0; i < OCX_ARRAY_SIZE(keep); i++) {
                        const cJSON *v = ocx_json_get(ocx_json_get(obj, "metadata"), keep[i]);
                        if (v) cJSON_AddItemToObject(md, keep[i], cJSON_Duplicate(v, true));
                }
                const cJSON *spec = ocx_json_get(obj, "spec");
                cJSON_AddItemToObject(t, "spec",
                                      cJSON_IsObject(spec) ? cJSON_Duplicate(spec, true) : cJSON_CreateObject());
                *scratch = t;
                return t;
        }
        if (ocx_streq(kind, "PodTemplate")) return ocx_json_get(obj, "template");
        if (ocx_streq(kind, "CronJob")) return ocx_json_path(obj, "spec.jobTemplate.spec.template");
        const cJSON *t = ocx_json_path(obj, "spec.template");
        return cJSON_IsObject(ocx_json_get(t, "spec")) ? t : NULL;
}

#define UNABLE "unable to validate against any security context constraint: "
#define NOT_USABLE "\": Forbidden: not usable by user or serviceaccount"

/* An error of the aggregated list starts at one of these (the list is joined
 * with ", ", which also occurs inside messages). */
static bool entry_start(const char *p) {
        return ocx_startswith(p, "provider ") || ocx_startswith(p, "spec.") || ocx_startswith(p, "pod.") ||
               ocx_startswith(p, "no access to ");
}

/* The server's refusal, one line per SCC; the SCCs the subject may not use
 * are folded into one line. */
static void print_reason(ocx_buf *b, const char *reason) {
        if (!ocx_startswith(reason, UNABLE)) {
                ocx_buf_printf(b, "%s\n", reason);
                return;
        }
        const char *p = reason + strlen(UNABLE);
        size_t len = strlen(p);
        if (len >= 2 && p[0] == '[' && p[len - 1] == ']') p++, len -= 2;
        _cleanup_free_ char *list = ocx_xstrndup(p, len);
        ocx_buf unusable = OCX_BUF_INIT, rest = OCX_BUF_INIT;
        char *e = list;
        while (e && *e) {
                char *next = e;
                while ((next = strstr(next, ", ")) && !entry_start(next + 2)) next += 2;
                if (next) *next = 0;
                size_t el = strlen(e);
                if (ocx_startswith(e, "provider \"") && el > strlen(NOT_USABLE) &&
                    strcmp(e + el - strlen(NOT_USABLE), NOT_USABLE) == 0) {
                        e[el - strlen(NOT_USABLE)] = 0;
                        ocx_buf_printf(&unusable, "%s%s", unusable.len ? ", " : "", e + strlen("provider \""));
                } else {
                        ocx_buf_printf(&rest, "    %s\n", e);
                }
                e = next ? next + 2 : NULL;
        }
        ocx_buf_puts(b, "unable to validate against any security context constraint:\n");
        if (unusable.len) ocx_buf_printf(b, "    not usable by user or serviceaccount: %s\n", unusable.data);
        if (rest.len) ocx_buf_puts(b, rest.data);
        ocx_buf_release(&unusable);
        ocx_buf_release(&rest);
}

static void explain(review_opts *o, const char *resource, const char *who, const cJSON *status) {
        const char *reason = ocx_json_get_str(status, "reason");
        const cJSON *sug = ocx_json_get(status, "suggestion");
        ocx_buf *b = &o->notes;
        ocx_buf_printf(b, "%s: not admitted for %s: ", resource, who);
        print_reason(b, reason ? reason : "no SCC admits it");
        if (!sug) return;
        const char *grant = ocx_json_get_str(sug, "grant"), *field = ocx_json_get_str(sug, "field");
        const char *change = ocx_json_get_str(sug, "change"), *by = ocx_json_get_str(sug, "admittedBy");
        const char *msg = ocx_json_get_str(sug, "message");
        if (field && change) {
                ocx_buf_printf(b, "  smallest change: %s (%s); then SCC \"%s\" admits it%s\n", change, field,
                               by ? by : "?", grant ? " once granted:" : "");
        } else if (grant) {
                ocx_buf_printf(
                    b, "  smallest change: grant SCC \"%s\", the first SCC in admission order that admits the pod:\n",
                    grant);
        } else if (msg) {
                ocx_buf_printf(b, "  %s\n", msg);
        }
        if (grant) {
                const char *kind = ocx_json_path_str(sug, "subject.kind"),
                           *name = ocx_json_path_str(sug, "subject.name");
                const char *ns = o->s->ns;
                if (ocx_streq(kind, "ServiceAccount"))
                        ocx_buf_printf(b, "    ocx adm policy add-scc-to-user %s -z %s -n %s\n", grant, name, ns);
                else if (ocx_streq(kind, "Group"))
                        ocx_buf_printf(b, "    ocx adm policy add-scc-to-group %s %s -n %s\n", grant, name, ns);
                else
                        ocx_buf_printf(b, "    ocx adm policy add-scc-to-user %s %s -n %s\n", grant, name ? name : "",
                                       ns);
        }
}

static int review_object(review_opts *o, const cJSON *obj, const char *source) {
        const char *kind = ocx_json_get_str(obj, "kind");
        const char *name = ocx_json_path_str(obj, "metadata.name");
        if (!name) name = "";
        _cleanup_json_ cJSON *scratch = NULL;
        const cJSON *tmpl = template_of(obj, &scratch);
        if (!tmpl) {
                fprintf(stderr, "error:  \"%s\" cannot create pod: %s objects have no pod template (%s)\n", name,
                        kind ? kind : "untyped", source);
                return 1;
        }
        _cleanup_json_ cJSON *body = cJSON_CreateObject();
        cJSON_AddStringToObject(body, "apiVersion", "security.openshift.io/v1");
        cJSON *spec = cJSON_AddObjectToObject(body, "spec");
        cJSON *t = cJSON_Duplicate(tmpl, true);
        cJSON_AddItemToObject(spec, "template", t);
        const char *plural;
        if (o->subject) {
                if (o->nsas) ocx_json_set_str(ocx_json_ensure_obj(t, "spec"), "serviceAccountName", o->sas[0]);
                if ((o->user && *o->user) || o->ngroups) {
                        plural = "podsecuritypolicysubjectreviews";
                        cJSON_AddStringToObject(body, "kind", "PodSecurityPolicySubjectReview");
                        cJSON_AddStringToObject(spec, "user", o->user ? o->user : "");
                        cJSON *g = cJSON_AddArrayToObject(spec, "groups");
                        for (size_t i = 0; i < o->ngroups; i++)
                                cJSON_AddItemToArray(g, cJSON_CreateString(o->groups[i]));
                } else if (o->nsas) {
                        /* the service account alone: a subject review without user or groups */
                        plural = "podsecuritypolicysubjectreviews";
                        cJSON_AddStringToObject(body, "kind", "PodSecurityPolicySubjectReview");
                        cJSON_AddStringToObject(spec, "user", "");
                } else {
                        plural = "podsecuritypolicyselfsubjectreviews";
                        cJSON_AddStringToObject(body, "kind", "PodSecurityPolicySelfSubjectReview");
                }
        } else {
                plural = "podsecuritypolicyreviews";
                cJSON_AddStringToObject(body, "kind", "PodSecurityPolicyReview");
                cJSON *names = cJSON_AddArrayToObject(spec, "serviceAccountNames");
                for (size_t i = 0; i < o->nsas; i++) cJSON_AddItemToArray(names, cJSON_CreateString(o->sas[i]));
        }
        _cleanup_free_ char *path = ocx_xasprintf(SEC_API "%s/%s", o->s->ns, plural);
        _cleanup_json_ cJSON *resp = NULL;
        _cleanup_error_ ocx_error *e = NULL;
        if (cli_request_json(o->s, "POST", path, "application/json", body, &resp, &e) < 0) {
                const char *what = o->subject ? "Pod Security Policy Subject Review" : "Pod Security Policy Review";
                fprintf(stderr, "error: unable to compute %s for \"%s\": %s\n", what, name,
                        e ? e->message : "request failed");
                return 1;
        }
        if (o->output) {
                ocx_buf b = OCX_BUF_INIT;
                int r = cli_print_object(resp, o->output, &b);
                if (b.data) fputs(b.data, stdout);
                ocx_buf_release(&b);
                return r < 0 ? 1 : 0;
        }
        _cleanup_free_ char *resource = ocx_xasprintf("%s/%s", kind ? kind : "Pod", name);
        const cJSON *status = ocx_json_get(resp, "status");
        if (o->subject) {
                if (o->headers && !o->any_row) cli_tabwriter_write(&o->tw, "RESOURCE\tALLOWED BY\t\n");
                const char *by = ocx_json_path_str(status, "allowedBy.name");
                cli_tabwriter_printf(&o->tw, "%s\t%s\t\n", resource, by ? by : "<none>");
                o->any_row = true;
                if (!by) {
                        _cleanup_free_ char *who = NULL;
                        if (o->user && *o->user)
                                who = ocx_xasprintf("user \"%s\"", o->user);
                        else if (o->nsas)
                                who = ocx_xasprintf("service account \"%s\"", o->sas[0]);
                        else if (o->ngroups)
                                who = ocx_xasprintf("group \"%s\"", o->groups[0]);
                        else
                                who = ocx_xstrdup("you");
                        explain(o, resource, who, status);
                }
                return 0;
        }
        if (o->headers && !o->any_row) cli_tabwriter_write(&o->tw, "RESOURCE\tSERVICE ACCOUNT\tALLOWED BY\t\n");
        o->any_row = true;
        const cJSON *sa;
        cJSON_ArrayForEach(sa, ocx_json_get(status, "allowedServiceAccounts")) {
                const char *by = ocx_json_path_str(sa, "allowedBy.name");
                cli_tabwriter_printf(&o->tw, "%s\t%s\t%s\t\n", resource, ocx_json_get_str(sa, "name"),
                                     by ? by : "<none>");
        }
        cJSON_ArrayForEach(sa, ocx_json_get(status, "deniedServiceAccounts")) {
                _cleanup_free_ char *who = ocx_xasprintf("service account \"%s\"", ocx_json_get_str(sa, "name"));
                explain(o, resource, who, sa);
        }
        return 0;
}

static int run_review(cli_invocation *inv, bool subject) {
        review_opts o = {.inv = inv, .subject = subject};
        size_t nfiles = 0;
        char **files = cli_flag_list(inv, "filename", &nfiles);
        if (inv->nargs > 1) return cli_usage_error(inv, "unexpected arguments: only -f is supported");
        if (nfiles == 0) return cli_usage_error(inv, "one or more resources must be specified");
        o.user = cli_flag_str(inv, "user");
        size_t nz = 0, ng = 0;
        char **z = cli_flag_list(inv, "serviceaccount", &nz);
        char **g = cli_flag_list(inv, "groups", &ng);
        if (!subject && ((o.user && *o.user) || ng))
                return cli_usage_error(inv, "--user and --groups are only for scc-subject-review");
        /* -z and -g take comma separated lists (oc's string slices) */
        _cleanup_free_ char *zs = NULL, *gs = NULL;
        char *sas[64], *groups[64];
        ocx_buf zb = OCX_BUF_INIT, gb = OCX_BUF_INIT;
        for (size_t i = 0; i < nz; i++) ocx_buf_printf(&zb, "%s%s", zb.len ? "," : "", z[i]);
        for (size_t i = 0; i < ng; i++) ocx_buf_printf(&gb, "%s%s", gb.len ? "," : "", g[i]);
        zs = ocx_buf_detach(&zb, NULL);
        gs = ocx_buf_detach(&gb, NULL);
        char *save = NULL;
        for (char *t = zs && *zs ? strtok_r(zs, ",", &save) : NULL; t && o.nsas < 64; t = strtok_r(NULL, ",", &save))
                sas[o.nsas++] = (char *)short_sa(t);
        for (char *t = gs && *gs ? strtok_r(gs, ",", &save) : NULL; t && o.ngroups < 64; t = strtok_r(NULL, ",", &save))
                groups[o.ngroups++] = t;
        o.sas = sas;
        o.groups = groups;
        if (subject && o.user && *o.user && o.nsas)
                return cli_usage_error(inv, "--user and --serviceaccount are mutually exclusive");
        if (subject && o.nsas > 1) return cli_usage_error(inv, "only one Service Account is supported");
        const char *out = cli_flag_str(inv, "output");
        if (out && *out) {
                if (!ocx_streq(out, "yaml") && !ocx_streq(out, "json") && !ocx_streq(out, "wide")) {
                        fprintf(stderr,
                                "error: unable to match a printer suitable for the output format \"%s\", allowed "
                                "formats are: json,yaml\n",
                                out);
                        return 1;
                }
                if (!ocx_streq(out, "wide")) o.output = out;
        }
        o.headers = !cli_flag_bool(inv, "no-headers");
        _cleanup_error_ ocx_error *e = NULL;
        if (cli_session_get(inv, &o.s, &e) < 0) return cli_print_error(e);
        cli_manifests m = {0};
        ocx_buf errs = OCX_BUF_INIT;
        cli_read_manifests(files, nfiles, cli_flag_bool(inv, "recursive"), &m, &errs);
        int rc = errs.len ? 1 : 0;
        if (errs.len) fputs(errs.data, stderr);
        ocx_buf_release(&errs);
        cli_tabwriter_init(&o.tw, 0, 3);
        for (size_t i = 0; i < m.n; i++) {
                const cJSON *obj = m.v[i].obj;
                if (ocx_streq(ocx_json_get_str(obj, "kind"), "List")) {
                        const cJSON *it;
                        cJSON_ArrayForEach(it, ocx_json_get(obj, "items")) rc |= review_object(&o, it, m.v[i].source);
                } else {
                        rc |= review_object(&o, obj, m.v[i].source);
                }
        }
        ocx_buf tb = OCX_BUF_INIT;
        cli_tabwriter_flush(&o.tw, &tb);
        if (tb.data) fputs(tb.data, stdout);
        fflush(stdout);
        if (o.notes.len) fputs(o.notes.data, stderr);
        ocx_buf_release(&tb);
        ocx_buf_release(&o.notes);
        cli_tabwriter_release(&o.tw);
        cli_manifests_release(&m);
        return rc;
}

int cli_run_policy_review(cli_invocation *inv) {
        const char *sub = inv->nargs ? inv->args[0] : NULL;
        if (ocx_streq(sub, "scc-subject-review")) return run_review(inv, true);
        if (ocx_streq(sub, "scc-review")) return run_review(inv, false);
        for (const cli_flag_def *f = review_flags; f->name; f++) {
                bool theirs = false;
                for (const cli_flag_def *p = cli_policy_flags; p->name; p++)
                        theirs = theirs || ocx_streq(p->name, f->name);
                if (!theirs && cli_flag_is_set(inv, f->name)) {
                        fprintf(stderr, "error: unknown flag: --%s\nSee '%s --help' for usage.\n", f->name, inv->path);
                        return 1;
                }
        }
        return cli_run_policy(inv);
}
