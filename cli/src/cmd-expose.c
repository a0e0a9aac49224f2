/* ocx expose svc/NAME (spec 5.15): a Route for an existing service, and the
 * service→route helper `ocx create route edge` shares. */
#include <stdio.h>
#include <stdlib.h>
#include "cli/client.h"
#include "cli/cmds.h"
#include "ocx/json.h"
#include "ocx/names.h"
#include "ocx/banned.h"

/* "a=b,c=d" into labels (added to/overriding what is there). -EINVAL on a
 * malformed pair. */
static int add_labels(cJSON *labels, const char *spec, ocx_error **reterr) {
        if (!spec || !*spec) return 0;
        _cleanup_free_ char *copy = ocx_xstrdup(spec);
        char *save = NULL;
        for (char *kv = strtok_r(copy, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
                char *eq = strchr(kv, '=');
                if (!eq || eq == kv)
                        return ocx_error_set(reterr, EINVAL, NULL, "unexpected label spec: %s", kv);
                *eq = 0;
                _cleanup_free_ char *m1 = ocx_validate_qualified_name(kv);
                _cleanup_free_ char *m2 = ocx_validate_label_value(eq + 1);
                if (m1 || m2) return ocx_error_set(reterr, EINVAL, NULL, "invalid label spec: %s=%s", kv, eq + 1);
                ocx_json_set_str(labels, kv, eq + 1);
        }
        return 0;
}

/* An IntOrString from a flag: digits become a number. */
static cJSON *int_or_string(const char *s) {
        char *end;
        long v = strtol(s, &end, 10);
        if (*s && !*end && v > 0 && v <= 65535) return cJSON_CreateNumber((double)v);
        return cJSON_CreateString(s);
}

int cli_route_for_service(cli_session *s, const char *svc_name, const char *route_name, const char *port,
                          cJSON **ret, ocx_error **reterr) {
        _cleanup_free_ char *path = ocx_xasprintf("/api/v1/namespaces/%s/services/%s", s->ns, svc_name);
        ocx_http_response resp;
        int r = cli_do(s, "GET", path, NULL, NULL, 0, NULL, &resp, reterr);
        if (r < 0) return r;
        _cleanup_json_ cJSON *svc = NULL;
        if (resp.status == 404) {
                ocx_http_response_release(&resp);
                if (!port || !*port)
                        return ocx_error_set(reterr, EINVAL, NULL,
                                             "you need to provide a route port via --port when exposing a non-existent service");
        } else if (resp.status < 200 || resp.status > 299) {
                r = cli_status_error(&resp, NULL, reterr);
                ocx_http_response_release(&resp);
                return r;
        } else {
                r = ocx_json_parse(resp.body, resp.body_len, &svc, reterr);
                ocx_http_response_release(&resp);
                if (r < 0) return r;
        }
        cJSON *route = cJSON_CreateObject();
        ocx_json_set_str(route, "apiVersion", "route.openshift.io/v1");
        ocx_json_set_str(route, "kind", "Route");
        cJSON *md = ocx_json_ensure_obj(route, "metadata");
        ocx_json_set_str(md, "name", route_name);
        const cJSON *sl = ocx_json_path(svc, "metadata.labels");
        if (cJSON_IsObject(sl) && sl->child) ocx_json_set(md, "labels", cJSON_Duplicate(sl, true));
        cJSON *spec = ocx_json_ensure_obj(route, "spec");
        cJSON *to = ocx_json_ensure_obj(spec, "to");
        ocx_json_set_str(to, "kind", "Service");
        ocx_json_set_str(to, "name", svc_name);
        cJSON *tp = NULL;
        if (port && *port) {
                tp = int_or_string(port);
        } else {
                const cJSON *p, *first_tcp = NULL;
                cJSON_ArrayForEach(p, ocx_json_path(svc, "spec.ports")) {
                        const char *proto = ocx_json_get_str(p, "protocol");
                        if (!proto || ocx_streq(proto, "TCP")) {
                                first_tcp = p;
                                break;
                        }
                }
                if (!first_tcp) {
                        cJSON_Delete(route);
                        return ocx_error_set(reterr, EINVAL, NULL, "service \"%s\" doesn't support TCP", svc_name);
                }
                const char *pn = ocx_json_get_str(first_tcp, "name");
                const cJSON *t = ocx_json_get(first_tcp, "targetPort");
                if (pn && *pn) tp = cJSON_CreateString(pn);
                else if (t) tp = cJSON_Duplicate(t, true);
                else if (ocx_json_get(first_tcp, "port")) tp = cJSON_Duplicate(ocx_json_get(first_tcp, "port"), true);
        }
        if (tp) ocx_json_set(ocx_json_ensure_obj(spec, "port"), "targetPort", tp);
        *ret = route;
        return 0;
}

int cli_run_expose(cli_invocation *inv) {
        if (inv->nargs == 0)
                return cli_usage_error(inv, "You must provide one or more resources by argument or filename.");
        const char *type = NULL, *name = NULL;
        _cleanup_free_ char *t0 = NULL;
        if (inv->nargs == 1) {
                const char *slash = strchr(inv->args[0], '/');
                if (!slash) return cli_usage_error(inv, "you must provide a resource type and name (svc/NAME)");
                t0 = ocx_xstrndup(inv->args[0], (size_t)(slash - inv->args[0]));
                type = t0;
                name = slash + 1;
        } else {
                type = inv->args[0];
                name = inv->args[1];
        }
        if (!ocx_streq(type, "svc") && !ocx_streq(type, "service") && !ocx_streq(type, "services"))
                return cli_print_error(&(ocx_error){
                        .message = (char *)"only services can be exposed as routes (svc/NAME); exposing other kinds is not supported yet"});
        if (cli_flag_is_set(inv, "type"))
                return cli_print_error(&(ocx_error){.message = (char *)"cannot use --type when exposing route"});
        const char *wp = cli_flag_str(inv, "wildcard-policy");
        if (wp && *wp && !ocx_streq(wp, "None") && !ocx_streq(wp, "Subdomain"))
                return cli_print_error(
                        &(ocx_error){.message = (char *)"only \"Subdomain\" or \"None\" are supported for wildcard-policy"});
        const char *rname = cli_flag_str(inv, "name");
        if (!rname || !*rname) rname = name;
        _cleanup_error_ ocx_error *e = NULL;
        cli_session *s = NULL;
        if (cli_session_get(inv, &s, &e) < 0) return cli_print_error(e);
        _cleanup_json_ cJSON *route = NULL;
        if (cli_route_for_service(s, name, rname, cli_flag_str(inv, "port"), &route, &e) < 0) return cli_print_error(e);
        cJSON *md = ocx_json_ensure_obj(route, "metadata");
        if (cli_flag_str(inv, "labels") && *cli_flag_str(inv, "labels")) {
                if (add_labels(ocx_json_ensure_obj(md, "labels"), cli_flag_str(inv, "labels"), &e) < 0)
                        return cli_print_error(e);
        }
        cJSON *spec = ocx_json_ensure_obj(route, "spec");
        const char *host = cli_flag_str(inv, "hostname"), *path = cli_flag_str(inv, "path");
        if (host && *host) ocx_json_set_str(spec, "host", host);
        if (path && *path) ocx_json_set_str(spec, "path", path);
        ocx_json_set_str(spec, "wildcardPolicy", wp && *wp ? wp : "None");
        _cleanup_free_ char *rpath = ocx_xasprintf("/apis/route.openshift.io/v1/namespaces/%s/routes", s->ns);
        _cleanup_json_ cJSON *created = NULL;
        if (cli_request_json(s, "POST", rpath, NULL, route, &created, &e) < 0) return cli_print_error(e);
        printf("route.route.openshift.io/%s exposed\n", ocx_json_path_str(created, "metadata.name") ?: rname);
        return 0;
}
