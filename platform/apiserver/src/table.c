/* Column definitions and cell functions per kind. AGE cells are computed
 * here (the server knows "now"); clients print cells verbatim. */
#include "apiserver/table.h"
#include <stdio.h>
#include "ocx/buf.h"
#include "ocx/json.h"
#include "ocx/timefmt.h"
#include "ocx/banned.h"

typedef void (*cell_fn)(const cJSON *obj, cJSON *row, time_t now);

typedef struct column {
        const char *name, *type, *format;
        int priority;
        const char *description;
} column;

typedef struct printer {
        const column *cols;
        size_t ncols;
        cell_fn cells;
} printer;

static void add_str(cJSON *row, const char *s) { cJSON_AddItemToArray(row, cJSON_CreateString(s ? s : "")); }
static void add_int(cJSON *row, int64_t v) { cJSON_AddItemToArray(row, cJSON_CreateNumber((double)v)); }

static void add_age(cJSON *row, const cJSON *obj, time_t now) {
        const char *ts = ocx_json_path_str(obj, "metadata.creationTimestamp");
        time_t t;
        char out[32] = "<unknown>";
        if (ts && ocx_time_parse_rfc3339(ts, &t) == 0) ocx_human_duration((int64_t)(now - t), out, sizeof(out));
        add_str(row, out);
}

static int64_t get_int(const cJSON *obj, const char *path, int64_t dflt) {
        int64_t v;
        return ocx_json_int(ocx_json_path(obj, path), INT64_MIN, INT64_MAX, &v) == 0 ? v : dflt;
}

static const char *name_of(const cJSON *obj) { return ocx_json_path_str(obj, "metadata.name"); }

#define COL(n, t) {n, t, "", 0, ""}
#define NAMECOL {"Name", "string", "name", 0, "Name must be unique within a namespace."}
#define AGECOL {"Age", "string", "", 0, "CreationTimestamp is a timestamp representing the server time when this object was created."}

/* --- default ------------------------------------------------------------ */
static const column default_cols[] = {NAMECOL, AGECOL};
static void default_cells(const cJSON *o, cJSON *row, time_t now) {
        add_str(row, name_of(o));
        add_age(row, o, now);
}

/* --- pods --------------------------------------------------------------- */
static const column pod_cols[] = {NAMECOL,
                                  COL("Ready", "string"),
                                  COL("Status", "string"),
                                  COL("Restarts", "string"),
                                  AGECOL,
                                  {"IP", "string", "", 1, ""},
                                  {"Node", "string", "", 1, ""},
                                  {"Nominated Node", "string", "", 1, ""},
                                  {"Readiness Gates", "string", "", 1, ""}};
static void pod_cells(const cJSON *o, cJSON *row, time_t now) {
        const cJSON *containers = ocx_json_path(o, "spec.containers");
        const cJSON *statuses = ocx_json_path(o, "status.containerStatuses");
        int total = cJSON_GetArraySize(containers), ready = 0;
        int64_t restarts = 0;
        const char *reason = ocx_json_path_str(o, "status.reason");
        const char *phase = ocx_json_path_str(o, "status.phase");
        const char *status = reason ? reason : phase ? phase : "Pending";
        const cJSON *cs;
        cJSON_ArrayForEach(cs, statuses) {
                if (ocx_json_get_bool(cs, "ready", false)) ready++;
                restarts += get_int(cs, "restartCount", 0);
                const char *w = ocx_json_path_str(cs, "state.waiting.reason");
                const char *t = ocx_json_path_str(cs, "state.terminated.reason");
                if (w && *w) status = w;
                else if (t && *t && !ocx_streq(phase, "Running")) status = t;
        }
        if (ocx_json_path(o, "metadata.deletionTimestamp")) status = "Terminating";
        char buf[32];
        snprintf(buf, sizeof(buf), "%d/%d", ready, total);
        add_str(row, name_of(o));
        add_str(row, buf);
        add_str(row, status);
        snprintf(buf, sizeof(buf), "%lld", (long long)restarts);
        add_str(row, buf);
        add_age(row, o, now);
        const char *ip = ocx_json_path_str(o, "status.podIP");
        const char *node = ocx_json_path_str(o, "spec.nodeName");
        add_str(row, ip ? ip : "<none>");
        add_str(row, node ? node : "<none>");
        add_str(row, "<none>");
        add_str(row, "<none>");
}

/* --- replication controllers --------------------------------------------- */
static const column rc_cols[] = {NAMECOL, COL("Desired", "integer"), COL("Current", "integer"),
                                 COL("Ready", "integer"), AGECOL};
static void rc_cells(const cJSON *o, cJSON *row, time_t now) {
        add_str(row, name_of(o));
        add_int(row, get_int(o, "spec.replicas", 1));
        add_int(row, get_int(o, "status.replicas", 0));
        add_int(row, get_int(o, "status.readyReplicas", 0));
        add_age(row, o, now);
}

/* --- services ------------------------------------------------------------- */
static const column svc_cols[] = {NAMECOL,          COL("Type", "string"), COL("Cluster-IP", "string"),
                                  COL("External-IP", "string"), COL("Port(s)", "string"), AGECOL,
                                  {"Selector", "string", "", 1, ""}};
static void join_map(ocx_buf *b, const cJSON *m, const char *empty) {
        const cJSON *c;
        cJSON_ArrayForEach(c, m) {
                if (b->len) ocx_buf_puts(b, ",");
                ocx_buf_printf(b, "%s=%s", c->string, cJSON_IsString(c) ? c->valuestring : "");
        }
        if (!b->len) ocx_buf_puts(b, empty);
}
static void svc_cells(const cJSON *o, cJSON *row, time_t now) {
        const char *type = ocx_json_path_str(o, "spec.type");
        const char *ip = ocx_json_path_str(o, "spec.clusterIP");
        ocx_buf ports = OCX_BUF_INIT, sel = OCX_BUF_INIT;
        const cJSON *p;
        cJSON_ArrayForEach(p, ocx_json_path(o, "spec.ports")) {
                const char *proto = ocx_json_get_str(p, "protocol");
                int64_t port = get_int(p, "port", 0), np = get_int(p, "nodePort", 0);
                if (ports.len) ocx_buf_puts(&ports, ",");
                if (np) ocx_buf_printf(&ports, "%lld:%lld/%s", (long long)port, (long long)np, proto ? proto : "TCP");
                else ocx_buf_printf(&ports, "%lld/%s", (long long)port, proto ? proto : "TCP");
        }
        if (!ports.len) ocx_buf_puts(&ports, "<none>");
        join_map(&sel, ocx_json_path(o, "spec.selector"), "<none>");
        const cJSON *ext = ocx_json_path(o, "spec.externalIPs");
        ocx_buf extb = OCX_BUF_INIT;
        cJSON_ArrayForEach(p, ext) {
                if (extb.len) ocx_buf_puts(&extb, ",");
                if (cJSON_IsString(p)) ocx_buf_puts(&extb, p->valuestring);
        }
        add_str(row, name_of(o));
        add_str(row, type ? type : "ClusterIP");
        add_str(row, ip ? ip : "<none>");
        add_str(row, extb.len ? extb.data : "<none>");
        add_str(row, ports.data);
        add_age(row, o, now);
        add_str(row, sel.data);
        ocx_buf_release(&ports);
        ocx_buf_release(&sel);
        ocx_buf_release(&extb);
}

/* --- namespaces ----------------------------------------------------------- */
static const column ns_cols[] = {NAMECOL, COL("Status", "string"), AGECOL};
static void ns_cells(const cJSON *o, cJSON *row, time_t now) {
        const char *phase = ocx_json_path_str(o, "status.phase");
        add_str(row, name_of(o));
        add_str(row, phase ? phase : "Active");
        add_age(row, o, now);
}

/* --- endpoints ------------------------------------------------------------ */
static const column ep_cols[] = {NAMECOL, COL("Endpoints", "string"), AGECOL};
static void ep_cells(const cJSON *o, cJSON *row, time_t now) {
        ocx_buf b = OCX_BUF_INIT;
        int n = 0, shown = 0;
        const cJSON *s, *a, *p;
        cJSON_ArrayForEach(s, ocx_json_path(o, "subsets")) {
                cJSON_ArrayForEach(a, ocx_json_get(s, "addresses")) {
                        const char *ip = ocx_json_get_str(a, "ip");
                        const cJSON *ports = ocx_json_get(s, "ports");
                        if (!cJSON_GetArraySize(ports)) {
                                n++;
                                if (shown < 3) {
                                        ocx_buf_printf(&b, "%s%s", shown ? "," : "", ip ? ip : "");
                                        shown++;
                                }
                        }
                        cJSON_ArrayForEach(p, ports) {
                                n++;
                                if (shown < 3) {
                                        ocx_buf_printf(&b, "%s%s:%lld", shown ? "," : "", ip ? ip : "",
                                                       (long long)get_int(p, "port", 0));
                                        shown++;
                                }
                        }
                }
        }
        if (n > shown) ocx_buf_printf(&b, " + %d more...", n - shown);
        add_str(row, name_of(o));
        add_str(row, b.len ? b.data : "<none>");
        add_age(row, o, now);
        ocx_buf_release(&b);
}

/* --- service accounts, secrets, configmaps -------------------------------- */
static const column sa_cols[] = {NAMECOL, COL("Secrets", "integer"), AGECOL};
static void sa_cells(const cJSON *o, cJSON *row, time_t now) {
        add_str(row, name_of(o));
        add_int(row, cJSON_GetArraySize(ocx_json_get(o, "secrets")));
        add_age(row, o, now);
}
static const column secret_cols[] = {NAMECOL, COL("Type", "string"), COL("Data", "string"), AGECOL};
static void secret_cells(const cJSON *o, cJSON *row, time_t now) {
        const char *type = ocx_json_get_str(o, "type");
        add_str(row, name_of(o));
        add_str(row, type ? type : "Opaque");
        add_int(row, cJSON_GetArraySize(ocx_json_get(o, "data")));
        add_age(row, o, now);
}
static const column cm_cols[] = {NAMECOL, COL("Data", "string"), AGECOL};
static void cm_cells(const cJSON *o, cJSON *row, time_t now) {
        add_str(row, name_of(o));
        add_int(row, cJSON_GetArraySize(ocx_json_get(o, "data")) +
                             cJSON_GetArraySize(ocx_json_get(o, "binaryData")));
        add_age(row, o, now);
}

/* --- events --------------------------------------------------------------- */
static const column ev_cols[] = {COL("Last Seen", "string"), COL("Type", "string"), COL("Reason", "string"),
                                 COL("Object", "string"), COL("Message", "string")};
static void ev_cells(const cJSON *o, cJSON *row, time_t now) {
        const char *last = ocx_json_get_str(o, "lastTimestamp");
        time_t t;
        char age[32] = "<unknown>";
        if (last && ocx_time_parse_rfc3339(last, &t) == 0) ocx_human_duration((int64_t)(now - t), age, sizeof(age));
        char objname[256];
        const char *k = ocx_json_path_str(o, "involvedObject.kind");
        const char *n = ocx_json_path_str(o, "involvedObject.name");
        snprintf(objname, sizeof(objname), "%s/%s", k ? k : "", n ? n : "");
        for (char *c = objname; *c && *c != '/'; c++)
                if (*c >= 'A' && *c <= 'Z') *c = (char)(*c - 'A' + 'a');
        add_str(row, age);
        add_str(row, ocx_json_get_str(o, "type"));
        add_str(row, ocx_json_get_str(o, "reason"));
        add_str(row, objname);
        add_str(row, ocx_json_get_str(o, "message"));
}

/* --- nodes ---------------------------------------------------------------- */
static const column node_cols[] = {NAMECOL, COL("Status", "string"), COL("Roles", "string"), AGECOL,
                                   COL("Version", "string")};
static void node_cells(const cJSON *o, cJSON *row, time_t now) {
        const char *status = "Unknown";
        const cJSON *c;
        cJSON_ArrayForEach(c, ocx_json_path(o, "status.conditions")) {
                if (ocx_streq(ocx_json_get_str(c, "type"), "Ready"))
                        status = ocx_streq(ocx_json_get_str(c, "status"), "True") ? "Ready" : "NotReady";
        }
        const char *ver = ocx_json_path_str(o, "status.nodeInfo.kubeletVersion");
        add_str(row, name_of(o));
        add_str(row, status);
        add_str(row, "control-plane,worker");
        add_age(row, o, now);
        add_str(row, ver ? ver : "");
}

/* --- deployment configs ----------------------------------------------------- */
static const column dc_cols[] = {NAMECOL, COL("Revision", "integer"), COL("Desired", "string"),
                                 COL("Current", "integer"), COL("Triggered By", "string")};
static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }
static void dc_cells(const cJSON *o, cJSON *row, time_t now) {
        (void)now;
        char *trig[16];
        size_t nt = 0;
        const cJSON *t;
        cJSON_ArrayForEach(t, ocx_json_path(o, "spec.triggers")) {
                const char *type = ocx_json_get_str(t, "type");
                if (nt >= OCX_ARRAY_SIZE(trig) || !type) continue;
                if (ocx_streq(type, "ConfigChange")) trig[nt++] = ocx_xstrdup("config");
                else if (ocx_streq(type, "ImageChange")) {
                        const char *from = ocx_json_path_str(t, "imageChangeParams.from.name");
                        trig[nt++] = ocx_xasprintf("image(%s)", from ? from : "");
                }
        }
        qsort(trig, nt, sizeof(*trig), cmp_str);
        ocx_buf b = OCX_BUF_INIT;
        for (size_t i = 0; i < nt; i++) {
                ocx_buf_printf(&b, "%s%s", i ? "," : "", trig[i]);
                free(trig[i]);
        }
        char desired[32];
        snprintf(desired, sizeof(desired), "%lld", (long long)get_int(o, "spec.replicas", 1));
        add_str(row, name_of(o));
        add_int(row, get_int(o, "status.latestVersion", 0));
        add_str(row, desired);
        add_int(row, get_int(o, "status.replicas", 0));
        add_str(row, b.len ? b.data : "");
        ocx_buf_release(&b);
}

/* --- image streams ------------------------------------------------------------ */
static const column is_cols[] = {NAMECOL, COL("Image Repository", "string"), COL("Tags", "string"),
                                 COL("Updated", "string")};
static void is_cells(const cJSON *o, cJSON *row, time_t now) {
        ocx_buf tags = OCX_BUF_INIT;
        time_t newest = 0;
        const cJSON *t, *item;
        cJSON_ArrayForEach(t, ocx_json_path(o, "status.tags")) {
                const char *tag = ocx_json_get_str(t, "tag");
                if (tag) ocx_buf_printf(&tags, "%s%s", tags.len ? "," : "", tag);
                cJSON_ArrayForEach(item, ocx_json_get(t, "items")) {
                        time_t c;
                        const char *ts = ocx_json_get_str(item, "created");
                        if (ts && ocx_time_parse_rfc3339(ts, &c) == 0 && c > newest) newest = c;
                }
        }
        char ago[64] = "";
        if (newest) ocx_units_ago((int64_t)(now - newest), ago, sizeof(ago));
        const char *repo = ocx_json_path_str(o, "status.publicDockerImageRepository");
        if (!repo) repo = ocx_json_path_str(o, "status.dockerImageRepository");
        add_str(row, name_of(o));
        add_str(row, repo ? repo : "");
        add_str(row, tags.len ? tags.data : "");
        add_str(row, ago);
        ocx_buf_release(&tags);
}

/* --- routes ------------------------------------------------------------------ */
static const column route_cols[] = {NAMECOL, COL("Host/Port", "string"), COL("Path", "string"),
                                    COL("Services", "string"), COL("Port", "string"),
                                    COL("Termination", "string"), COL("Wildcard", "string")};
static void route_cells(const cJSON *o, cJSON *row, time_t now) {
        (void)now;
        const char *host = ocx_json_path_str(o, "spec.host");
        const cJSON *ingress = ocx_json_path(o, "status.ingress");
        const char *shown = NULL;
        bool admitted = false, rejected = false;
        const cJSON *ing, *c;
        cJSON_ArrayForEach(ing, ingress) {
                cJSON_ArrayForEach(c, ocx_json_get(ing, "conditions")) {
                        if (!ocx_streq(ocx_json_get_str(c, "type"), "Admitted")) continue;
                        if (ocx_streq(ocx_json_get_str(c, "status"), "True")) {
                                admitted = true;
                                shown = ocx_json_get_str(ing, "host");
                        } else {
                                rejected = true;
                                if (!shown) shown = ocx_json_get_str(c, "reason");
                        }
                }
        }
        char hostcell[512];
        if (admitted) snprintf(hostcell, sizeof(hostcell), "%s", shown ? shown : host ? host : "");
        else if (rejected) snprintf(hostcell, sizeof(hostcell), "%s ... %s", host ? host : "", shown ? shown : "");
        else snprintf(hostcell, sizeof(hostcell), "%s", host && cJSON_GetArraySize(ingress) == 0 ? host : "Pending");
        ocx_buf svcs = OCX_BUF_INIT;
        const char *to = ocx_json_path_str(o, "spec.to.name");
        const cJSON *alt = ocx_json_path(o, "spec.alternateBackends");
        if (cJSON_GetArraySize(alt) > 0) {
                int64_t total = get_int(o, "spec.to.weight", 100);
                const cJSON *a;
                cJSON_ArrayForEach(a, alt) total += get_int(a, "weight", 100);
                int64_t w = get_int(o, "spec.to.weight", 100);
                ocx_buf_printf(&svcs, "%s(%lld%%)", to ? to : "", total ? (long long)(w * 100 / total) : 0LL);
                cJSON_ArrayForEach(a, alt) {
                        const char *n = ocx_json_get_str(a, "name");
                        w = get_int(a, "weight", 100);
                        ocx_buf_printf(&svcs, ",%s(%lld%%)", n ? n : "", total ? (long long)(w * 100 / total) : 0LL);
                }
        } else {
                ocx_buf_puts(&svcs, to ? to : "");
        }
        const cJSON *tp = ocx_json_path(o, "spec.port.targetPort");
        char port[64] = "<all>";
        if (cJSON_IsString(tp)) snprintf(port, sizeof(port), "%s", tp->valuestring);
        else if (cJSON_IsNumber(tp)) snprintf(port, sizeof(port), "%lld", (long long)tp->valuedouble);
        const char *term = ocx_json_path_str(o, "spec.tls.termination");
        const char *insecure = ocx_json_path_str(o, "spec.tls.insecureEdgeTerminationPolicy");
        char termcell[64] = "";
        if (term) snprintf(termcell, sizeof(termcell), "%s%s%s", term, insecure && *insecure ? "/" : "",
                           insecure ? insecure : "");
        const char *wild = ocx_json_path_str(o, "spec.wildcardPolicy");
        add_str(row, name_of(o));
        add_str(row, hostcell);
        add_str(row, ocx_json_path_str(o, "spec.path"));
        add_str(row, svcs.data);
        add_str(row, port);
        add_str(row, termcell);
        add_str(row, wild ? wild : "None");
        ocx_buf_release(&svcs);
}

/* --- SCC (CRD-style columns, spec 5.22) --------------------------------------- */
static const column scc_cols[] = {NAMECOL,
                                  COL("Priv", "string"),
                                  COL("Caps", "string"),
                                  COL("SELinux", "string"),
                                  COL("RunAsUser", "string"),
                                  COL("FSGroup", "string"),
                                  COL("SupGroup", "string"),
                                  COL("Priority", "string"),
                                  COL("ReadOnlyRootFS", "string"),
                                  COL("Volumes", "string")};
static void add_value(cJSON *row, const cJSON *v) {
        if (!v || cJSON_IsNull(v)) add_str(row, "<no value>");
        else if (cJSON_IsString(v)) add_str(row, v->valuestring);
        else {
                char *s = ocx_json_print(v);
                add_str(row, s);
                free(s);
        }
}
static void scc_cells(const cJSON *o, cJSON *row, time_t now) {
        (void)now;
        add_str(row, name_of(o));
        add_value(row, ocx_json_get(o, "allowPrivilegedContainer"));
        add_value(row, ocx_json_get(o, "allowedCapabilities"));
        add_value(row, ocx_json_path(o, "seLinuxContext.type"));
        add_value(row, ocx_json_path(o, "runAsUser.type"));
        add_value(row, ocx_json_path(o, "fsGroup.type"));
        add_value(row, ocx_json_path(o, "supplementalGroups.type"));
        add_value(row, ocx_json_get(o, "priority"));
        add_value(row, ocx_json_get(o, "readOnlyRootFilesystem"));
        add_value(row, ocx_json_get(o, "volumes"));
}

/* --- projects, users, identities, groups, bindings ------------------------------ */
static const column project_cols[] = {NAMECOL, COL("Display Name", "string"), COL("Status", "string")};
static void project_cells(const cJSON *o, cJSON *row, time_t now) {
        (void)now;
        const char *dn = ocx_json_get_str(ocx_json_path(o, "metadata.annotations"), "openshift.io/display-name");
        const char *phase = ocx_json_path_str(o, "status.phase");
        add_str(row, name_of(o));
        add_str(row, dn ? dn : "");
        add_str(row, phase ? phase : "Active");
}
static const column user_cols[] = {NAMECOL, COL("UID", "string"), COL("Full Name", "string"),
                                   COL("Identities", "string")};
static void user_cells(const cJSON *o, cJSON *row, time_t now) {
        (void)now;
        ocx_buf b = OCX_BUF_INIT;
        const cJSON *i;
        cJSON_ArrayForEach(i, ocx_json_get(o, "identities")) {
                if (cJSON_IsString(i)) ocx_buf_printf(&b, "%s%s", b.len ? ", " : "", i->valuestring);
        }
        add_str(row, name_of(o));
        add_str(row, ocx_json_path_str(o, "metadata.uid"));
        add_str(row, ocx_json_get_str(o, "fullName"));
        add_str(row, b.len ? b.data : "");
        ocx_buf_release(&b);
}
static const column identity_cols[] = {NAMECOL, COL("IDP Name", "string"), COL("IDP User Name", "string"),
                                       COL("User Name", "string"), COL("User UID", "string")};
static void identity_cells(const cJSON *o, cJSON *row, time_t now) {
        (void)now;
        add_str(row, name_of(o));
        add_str(row, ocx_json_get_str(o, "providerName"));
        add_str(row, ocx_json_get_str(o, "providerUserName"));
        add_str(row, ocx_json_path_str(o, "user.name"));
        add_str(row, ocx_json_path_str(o, "user.uid"));
}
static const column group_cols[] = {NAMECOL, COL("Users", "string")};
static void group_cells(const cJSON *o, cJSON *row, time_t now) {
        (void)now;
        ocx_buf b = OCX_BUF_INIT;
        const cJSON *u;
        cJSON_ArrayForEach(u, ocx_json_get(o, "users")) {
                if (cJSON_IsString(u)) ocx_buf_printf(&b, "%s%s", b.len ? ", " : "", u->valuestring);
        }
        add_str(row, name_of(o));
        add_str(row, b.len ? b.data : "");
        ocx_buf_release(&b);
}
static const column rb_cols[] = {NAMECOL, COL("Role", "string"), AGECOL};
static void rb_cells(const cJSON *o, cJSON *row, time_t now) {
        char role[300];
        const char *k = ocx_json_path_str(o, "roleRef.kind"), *n = ocx_json_path_str(o, "roleRef.name");
        snprintf(role, sizeof(role), "%s/%s", k ? k : "", n ? n : "");
        add_str(row, name_of(o));
        add_str(row, role);
        add_age(row, o, now);
}

#define P(c, f) {c, OCX_ARRAY_SIZE(c), f}
static const printer printers[] = {
        [TABLE_DEFAULT] = P(default_cols, default_cells), [TABLE_POD] = P(pod_cols, pod_cells),
        [TABLE_RC] = P(rc_cols, rc_cells),                [TABLE_SERVICE] = P(svc_cols, svc_cells),
        [TABLE_NAMESPACE] = P(ns_cols, ns_cells),         [TABLE_ENDPOINTS] = P(ep_cols, ep_cells),
        [TABLE_SA] = P(sa_cols, sa_cells),                [TABLE_SECRET] = P(secret_cols, secret_cells),
        [TABLE_CONFIGMAP] = P(cm_cols, cm_cells),         [TABLE_EVENT] = P(ev_cols, ev_cells),
        [TABLE_NODE] = P(node_cols, node_cells),          [TABLE_DC] = P(dc_cols, dc_cells),
        [TABLE_IS] = P(is_cols, is_cells),                [TABLE_ROUTE] = P(route_cols, route_cells),
        [TABLE_SCC] = P(scc_cols, scc_cells),             [TABLE_PROJECT] = P(project_cols, project_cells),
        [TABLE_USER] = P(user_cols, user_cells),          [TABLE_IDENTITY] = P(identity_cols, identity_cells),
        [TABLE_GROUP] = P(group_cols, group_cells),       [TABLE_ROLEBINDING] = P(rb_cols, rb_cells),
};

static cJSON *partial_metadata(const cJSON *obj) {
        cJSON *pm = cJSON_CreateObject();
        cJSON_AddStringToObject(pm, "kind", "PartialObjectMetadata");
        cJSON_AddStringToObject(pm, "apiVersion", "meta.k8s.io/v1");
        const cJSON *md = ocx_json_get(obj, "metadata");
        cJSON_AddItemToObject(pm, "metadata", md ? cJSON_Duplicate(md, true) : cJSON_CreateObject());
        return pm;
}

cJSON *api_table_build(const api_kind *k, const cJSON *items, const char *resource_version,
                       table_include inc, time_t now) {
        const printer *p = &printers[k->table];
        cJSON *t = cJSON_CreateObject();
        cJSON_AddStringToObject(t, "kind", "Table");
        cJSON_AddStringToObject(t, "apiVersion", "meta.k8s.io/v1");
        cJSON *md = cJSON_AddObjectToObject(t, "metadata");
        if (resource_version) cJSON_AddStringToObject(md, "resourceVersion", resource_version);
        cJSON *defs = cJSON_AddArrayToObject(t, "columnDefinitions");
        for (size_t i = 0; i < p->ncols; i++) {
                cJSON *d = cJSON_CreateObject();
                cJSON_AddStringToObject(d, "name", p->cols[i].name);
                cJSON_AddStringToObject(d, "type", p->cols[i].type);
                cJSON_AddStringToObject(d, "format", p->cols[i].format);
                cJSON_AddStringToObject(d, "description", p->cols[i].description);
                cJSON_AddNumberToObject(d, "priority", p->cols[i].priority);
                cJSON_AddItemToArray(defs, d);
        }
        cJSON *rows = cJSON_AddArrayToObject(t, "rows");
        const cJSON *obj;
        cJSON_ArrayForEach(obj, items) {
                cJSON *row = cJSON_CreateObject();
                cJSON *cells = cJSON_AddArrayToObject(row, "cells");
                p->cells(obj, cells, now);
                if (inc == TABLE_OBJ_METADATA) cJSON_AddItemToObject(row, "object", partial_metadata(obj));
                else if (inc == TABLE_OBJ_FULL) cJSON_AddItemToObject(row, "object", cJSON_Duplicate(obj, true));
                cJSON_AddItemToArray(rows, row);
        }
        return t;
}
