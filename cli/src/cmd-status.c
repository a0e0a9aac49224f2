/* ocx status: the project overview of spec 5.20 — the header, one block per
 * service (its routes, or its cluster IP and ports, then what runs behind
 * it), standalone pods, and the footer. Deployments and builds will join
 * the graph when those kinds exist. */
#include <stdio.h>
#include "cli/client.h"
#include "cli/cmds.h"
#include "ocx/buf.h"
#include "ocx/json.h"
#include "ocx/selector.h"
#include "ocx/banned.h"

/* the items of GET <prefix><ns>/<plural> (empty when the list fails) */
static cJSON *list(cli_session *s, const char *prefix, const char *ns, const char *plural) {
        _cleanup_free_ char *path = ocx_xasprintf("%s%s/%s", prefix, ns, plural);
        cJSON *j = NULL;
        if (cli_request_json(s, "GET", path, NULL, NULL, &j, NULL) < 0) return cJSON_CreateArray();
        cJSON *items = cJSON_DetachItemFromObjectCaseSensitive(j, "items");
        cJSON_Delete(j);
        return items ? items : cJSON_CreateArray();
}

static const char *name_of(const cJSON *o) { return ocx_json_path_str(o, "metadata.name"); }

static void port_text(ocx_buf *b, const cJSON *port) {
        const cJSON *tp = ocx_json_get(port, "targetPort");
        int64_t p = 0, t = 0;
        ocx_json_int(ocx_json_get(port, "port"), 0, 65535, &p);
        ocx_buf_printf(b, "%lld", (long long)p);
        if (cJSON_IsString(tp)) ocx_buf_printf(b, "->%s", tp->valuestring);
        else if (ocx_json_int(tp, 0, 65535, &t) == 0 && t != p) ocx_buf_printf(b, "->%lld", (long long)t);
}

static void route_line(const cJSON *r, const char *svc) {
        const char *host = ocx_json_path_str(r, "spec.host"), *path = ocx_json_path_str(r, "spec.path");
        const char *term = ocx_json_path_str(r, "spec.tls.termination");
        const char *insecure = ocx_json_path_str(r, "spec.tls.insecureEdgeTerminationPolicy");
        printf("%s://%s%s", term ? "https" : "http", host ? host : "", path ? path : "");
        if (ocx_streq(term, "passthrough")) printf(" (passthrough)");
        else if (ocx_streq(term, "reencrypt")) printf(" (reencrypt)");
        if (ocx_streq(insecure, "Redirect")) printf(" (redirects)");
        else if (ocx_streq(insecure, "Allow")) printf(" (and http)");
        const cJSON *tp = ocx_json_path(r, "spec.port.targetPort");
        if (cJSON_IsString(tp)) printf(" to pod port %s", tp->valuestring);
        else if (cJSON_IsNumber(tp)) printf(" to pod port %lld", (long long)tp->valuedouble);
        printf(" (svc/%s)\n", svc);
}

static const char *image_of(const cJSON *pod) {
        const char *img = ocx_json_get_str(cJSON_GetArrayItem(ocx_json_path(pod, "spec.containers"), 0), "image");
        return img ? img : "";
}

static void pod_line(const cJSON *pod, const char *indent) {
        printf("%spod/%s runs %s\n", indent, name_of(pod), image_of(pod));
}

int cli_run_status(cli_invocation *inv) {
        if (inv->nargs > 0) return cli_usage_error(inv, "unexpected arguments: %s", inv->args[0]);
        _cleanup_error_ ocx_error *e = NULL;
        cli_session *s = NULL;
        if (cli_session_get(inv, &s, &e) < 0) return cli_print_error(e);
        const char *ns = s->ns;
        _cleanup_free_ char *ppath = ocx_xasprintf("/apis/project.openshift.io/v1/projects/%s", ns);
        _cleanup_json_ cJSON *proj = NULL;
        if (cli_request_json(s, "GET", ppath, NULL, NULL, &proj, &e) < 0) return cli_print_error(e);
        const char *dn = ocx_json_get_str(ocx_json_path(proj, "metadata.annotations"), "openshift.io/display-name");
        if (dn && *dn) printf("In project %s (%s) on server %s\n\n", dn, ns, s->cfg.server);
        else printf("In project %s on server %s\n\n", ns, s->cfg.server);

        _cleanup_json_ cJSON *svcs = list(s, "/api/v1/namespaces/", ns, "services");
        _cleanup_json_ cJSON *routes = list(s, "/apis/route.openshift.io/v1/namespaces/", ns, "routes");
        _cleanup_json_ cJSON *pods = list(s, "/api/v1/namespaces/", ns, "pods");
        size_t npods = (size_t)cJSON_GetArraySize(pods);
        bool *covered = ocx_xcalloc(npods + 1, sizeof(bool));
        int blocks = 0;
        const cJSON *svc, *r, *pod;
        cJSON_ArrayForEach(svc, svcs) {
                const char *sn = name_of(svc);
                int nroutes = 0;
                cJSON_ArrayForEach(r, routes) {
                        if (!ocx_streq(ocx_json_path_str(r, "spec.to.name"), sn)) continue;
                        route_line(r, sn);
                        nroutes++;
                }
                if (!nroutes) {
                        const char *ip = ocx_json_path_str(svc, "spec.clusterIP");
                        const cJSON *ports = ocx_json_path(svc, "spec.ports");
                        ocx_buf b = OCX_BUF_INIT;
                        if (ocx_streq(ip, "None")) ocx_buf_puts(&b, "(headless)");
                        else ocx_buf_puts(&b, ip && *ip ? ip : "<initializing>");
                        if (cJSON_GetArraySize(ports) == 1) {
                                ocx_buf_puts(&b, ":");
                                port_text(&b, cJSON_GetArrayItem(ports, 0));
                        } else if (cJSON_GetArraySize(ports) > 1) {
                                ocx_buf_puts(&b, " ports ");
                                int i = 0;
                                const cJSON *p;
                                cJSON_ArrayForEach(p, ports) {
                                        if (i++) ocx_buf_puts(&b, ", ");
                                        port_text(&b, p);
                                }
                        }
                        printf("svc/%s - %s\n", sn, b.data);
                        ocx_buf_release(&b);
                }
                /* what runs behind the service */
                _cleanup_(ocx_selector_freep) ocx_selector *sel = NULL;
                const cJSON *selector = ocx_json_path(svc, "spec.selector");
                if (cJSON_GetArraySize(selector) > 0) {
                        _cleanup_json_ cJSON *ls = cJSON_CreateObject();
                        cJSON_AddItemToObject(ls, "matchLabels", cJSON_Duplicate(selector, true));
                        if (ocx_label_selector_from_json(ls, &sel, NULL) < 0) sel = NULL;
                }
                size_t i = 0;
                cJSON_ArrayForEach(pod, pods) {
                        if (sel && ocx_label_selector_match(sel, ocx_json_path(pod, "metadata.labels"))) {
                                pod_line(pod, "  ");
                                covered[i] = true;
                        }
                        i++;
                }
                printf("\n");
                blocks++;
        }
        size_t i = 0;
        int standalone = 0;
        cJSON_ArrayForEach(pod, pods) {
                if (!covered[i++]) {
                        pod_line(pod, "");
                        standalone++;
                }
        }
        free(covered);
        if (standalone) printf("\n");
        if (!blocks && !standalone) {
                printf("You have no services, deployment configs, or build configs.\n"
                       "Run 'ocx new-app' to create an application.\n");
        } else {
                printf("View details with 'ocx describe <resource>/<name>' or list resources with 'ocx get all'.\n");
        }
        return 0;
}
