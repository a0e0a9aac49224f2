/* ocx auth can-i VERB (RESOURCE[/SUBRESOURCE] [NAME] | NONRESOURCEURL): asks
 * the server with a SelfSubjectAccessReview; prints yes/no, exits 0/1. */
#include <stdio.h>
#include "cli/client.h"
#include "cli/command.h"
#include "cli/resources.h"
#include "ocx/json.h"
#include "ocx/banned.h"

extern const cli_command cli_auth_commands[];
int cli_run_can_i(cli_invocation *inv);

static const cli_flag_def can_i_flags[] = {
        {"all-namespaces", 'A', CLI_FLAG_BOOL, "false", "If true, check the specified action in all namespaces."},
        {"quiet", 'q', CLI_FLAG_BOOL, "false", "If true, suppress output and just return the exit code."},
        {"subresource", 0, CLI_FLAG_STRING, "", "SubResource such as pod/log or deployment/scale"},
        {0},
};

const cli_command cli_auth_commands[] = {
        {.name = "can-i", .summary = "Check whether an action is allowed",
         .usage = "auth can-i VERB [TYPE | TYPE/NAME | NONRESOURCEURL] [flags]",
         .long_help = "Check whether an action is allowed.\n\nVERB is a logical Kubernetes API verb like 'get', 'list', "
                      "'watch', 'delete', etc. TYPE is a Kubernetes resource (shortcuts and groups will be resolved). "
                      "NONRESOURCEURL is a partial URL that starts with \"/\". NAME is the name of a particular "
                      "Kubernetes resource. Prints yes and exits 0 when allowed; prints no and exits 1 otherwise.",
         .examples = "  # Check to see if I can create pods in any namespace\n  ocx auth can-i create pods --all-namespaces\n\n"
                     "  # Check to see if I can list deployment configs in my current namespace\n  ocx auth can-i list dc\n\n"
                     "  # Check to see if I can read pod logs\n  ocx auth can-i get pods --subresource=log\n\n"
                     "  # Check to see if I can access the URL /logs/\n  ocx auth can-i get /logs/",
         .flags = can_i_flags, .run = cli_run_can_i},
        {0},
};

int cli_run_can_i(cli_invocation *inv) {
        if (inv->nargs < 2) return cli_usage_error(inv, "you must specify two or three arguments: verb, resource, and optional resourceName");
        if (inv->nargs > 3) return cli_usage_error(inv, "you must specify two or three arguments: verb, resource, and optional resourceName");
        const char *verb = inv->args[0], *what = inv->args[1], *name = inv->nargs > 2 ? inv->args[2] : "";
        bool quiet = cli_flag_bool(inv, "quiet");
        _cleanup_error_ ocx_error *e = NULL;
        cli_session *s = NULL;
        if (cli_session_get(inv, &s, &e) < 0) return cli_print_error(e);
        _cleanup_json_ cJSON *body = cJSON_CreateObject(), *out = NULL;
        cJSON_AddStringToObject(body, "apiVersion", "authorization.k8s.io/v1");
        cJSON_AddStringToObject(body, "kind", "SelfSubjectAccessReview");
        cJSON *spec = cJSON_AddObjectToObject(body, "spec");
        if (what[0] == '/') {
                if (name[0]) return cli_usage_error(inv, "NONRESOURCEURL takes no name");
                cJSON *nra = cJSON_AddObjectToObject(spec, "nonResourceAttributes");
                cJSON_AddStringToObject(nra, "verb", verb);
                cJSON_AddStringToObject(nra, "path", what);
        } else {
                /* TYPE or TYPE/NAME (kubectl: "pods/web" is pod web; subresources via --subresource) */
                _cleanup_free_ char *type = ocx_xstrdup(what);
                const char *sub = cli_flag_str(inv, "subresource");
                char *slash = strchr(type, '/');
                if (slash) {
                        *slash = 0;
                        if (!name[0]) name = what + (slash - type) + 1;
                }
                const char *group = "", *plural = type;
                bool namespaced = true;
                cli_discovery *d = NULL;
                const cli_resource *res = NULL;
                if (ocx_streq(type, "*")) {
                        group = "*";
                } else if (cli_discovery_get(s, &d, &e) < 0) {
                        return cli_print_error(e);
                } else if (cli_resolve(d, type, &res, NULL) == 0) {
                        group = res->group;
                        plural = res->name;
                        namespaced = res->namespaced;
                } else {
                        fprintf(stderr, "Warning: the server doesn't have a resource type '%s'\n", type);
                }
                cJSON *ra = cJSON_AddObjectToObject(spec, "resourceAttributes");
                if (namespaced && !cli_flag_bool(inv, "all-namespaces")) cJSON_AddStringToObject(ra, "namespace", s->ns);
                cJSON_AddStringToObject(ra, "verb", verb);
                cJSON_AddStringToObject(ra, "group", group);
                cJSON_AddStringToObject(ra, "resource", plural);
                if (sub && *sub) cJSON_AddStringToObject(ra, "subresource", sub);
                if (name[0]) cJSON_AddStringToObject(ra, "name", name);
        }
        if (cli_request_json(s, "POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", "application/json", body, &out, &e) < 0)
                return cli_print_error(e);
        const cJSON *st = ocx_json_get(out, "status");
        bool allowed = ocx_json_get_bool(st, "allowed", false);
        if (!quiet) {
                if (allowed) {
                        printf("yes\n");
                } else {
                        const char *reason = ocx_json_get_str(st, "reason"), *ee = ocx_json_get_str(st, "evaluationError");
                        printf("no%s%s%s%s\n", reason && *reason ? " - " : "", reason && *reason ? reason : "", ee && *ee ? " - " : "",
                               ee && *ee ? ee : "");
                }
        }
        return allowed ? 0 : 1;
}
