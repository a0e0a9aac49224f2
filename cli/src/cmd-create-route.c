/* ocx create route edge [NAME] --service=S: an edge-terminated route, with
 * the certificate files read on the client as oc does. */
#include <stdio.h>
#include "cli/client.h"
#include "cli/cmds.h"
#include "ocx/json.h"
#include "ocx/banned.h"

static int read_pem(const char *flag, const char *path, char **ret, ocx_error **reterr) {
        size_t len;
        int r = ocx_read_file(path, 1 << 20, ret, &len);
        if (r < 0) return ocx_error_set(reterr, -r, NULL, "--%s: cannot read '%s': %s", flag, path, strerror(-r));
        return 0;
}

int cli_run_create_route(cli_invocation *inv) {
        if (inv->nargs == 0 || !ocx_streq(inv->args[0], "edge")) {
                if (inv->nargs > 0 && (ocx_streq(inv->args[0], "passthrough") || ocx_streq(inv->args[0], "reencrypt")))
                        return cli_print_error(&(ocx_error){
                                .message = (char *)"only edge routes can be created with this command so far; use create -f"});
                return cli_usage_error(inv, "you must specify the route type: edge");
        }
        if (inv->nargs > 2) return cli_usage_error(inv, "exactly one NAME is required, got %zu", inv->nargs - 1);
        const char *svc = cli_flag_str(inv, "service");
        const char *name = inv->nargs == 2 ? inv->args[1] : NULL;
        if (!svc || !*svc) return cli_usage_error(inv, "you need to provide a service name via --service");
        if (!name || !*name) name = svc;
        const char *pol = cli_flag_str(inv, "insecure-policy");
        if (pol && *pol && !ocx_streq(pol, "Redirect") && !ocx_streq(pol, "Allow") && !ocx_streq(pol, "None"))
                return cli_print_error(&(ocx_error){
                        .message = (char *)"invalid insecure-policy: only \"Allow\", \"None\" and \"Redirect\" are supported"});
        const char *wp = cli_flag_str(inv, "wildcard-policy");
        if (wp && *wp && !ocx_streq(wp, "None") && !ocx_streq(wp, "Subdomain"))
                return cli_print_error(
                        &(ocx_error){.message = (char *)"only \"Subdomain\" or \"None\" are supported for wildcard-policy"});
        _cleanup_error_ ocx_error *e = NULL;
        _cleanup_free_ char *cert = NULL, *key = NULL, *ca = NULL;
        const char *cf = cli_flag_str(inv, "cert"), *kf = cli_flag_str(inv, "key"), *caf = cli_flag_str(inv, "ca-cert");
        if ((cf && *cf && read_pem("cert", cf, &cert, &e) < 0) || (kf && *kf && read_pem("key", kf, &key, &e) < 0) ||
            (caf && *caf && read_pem("ca-cert", caf, &ca, &e) < 0))
                return cli_print_error(e);
        cli_session *s = NULL;
        if (cli_session_get(inv, &s, &e) < 0) return cli_print_error(e);
        _cleanup_json_ cJSON *route = NULL;
        if (cli_route_for_service(s, svc, name, cli_flag_str(inv, "port"), &route, &e) < 0) return cli_print_error(e);
        cJSON *spec = ocx_json_ensure_obj(route, "spec");
        const char *host = cli_flag_str(inv, "hostname"), *path = cli_flag_str(inv, "path");
        if (host && *host) ocx_json_set_str(spec, "host", host);
        if (path && *path) ocx_json_set_str(spec, "path", path);
        if (wp && *wp) ocx_json_set_str(spec, "wildcardPolicy", wp);
        cJSON *tls = ocx_json_ensure_obj(spec, "tls");
        ocx_json_set_str(tls, "termination", "edge");
        if (cert) ocx_json_set_str(tls, "certificate", cert);
        if (key) ocx_json_set_str(tls, "key", key);
        if (ca) ocx_json_set_str(tls, "caCertificate", ca);
        if (pol && *pol) ocx_json_set_str(tls, "insecureEdgeTerminationPolicy", pol);
        if (key) explicit_bzero(key, strlen(key));
        _cleanup_free_ char *rpath = ocx_xasprintf("/apis/route.openshift.io/v1/namespaces/%s/routes", s->ns);
        _cleanup_json_ cJSON *created = NULL;
        int r = cli_request_json(s, "POST", rpath, NULL, route, &created, &e);
        cJSON *k = ocx_json_path(route, "spec.tls.key");
        if (cJSON_IsString(k)) explicit_bzero(k->valuestring, strlen(k->valuestring));
        if (r < 0) return cli_print_error(e);
        printf("route.route.openshift.io/%s created\n", ocx_json_path_str(created, "metadata.name") ?: name);
        return 0;
}
