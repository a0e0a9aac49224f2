/* ocx-router — route table: decode, admission, endpoints, weights, lookup. */
#include "router/route-table.h"
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <openssl/evp.h>
#include "ocx/json.h"
#include "ocx/macro.h"
#include "router/match.h"
#include "ocx/banned.h"

#define ANN_BALANCE "haproxy.router.openshift.io/balance"
#define ANN_TIMEOUT "haproxy.router.openshift.io/timeout"
#define ANN_TUNNEL "haproxy.router.openshift.io/timeout-tunnel"
#define ANN_NO_COOKIES "haproxy.router.openshift.io/disable_cookies"
#define ANN_COOKIE_NAME "router.openshift.io/cookie_name"
#define ANN_SAME_SITE "router.openshift.io/cookie-same-site"
#define MAX_UNITS 4

void rt_table_options_default(rt_table_options *o) {
        *o = (rt_table_options){.allow_wildcards = false, .ns_ownership_check = true,
                                .default_timeout_ms = 30000};
}

long rt_parse_timeout(const char *s) {
        char *end = NULL;
        if (!s || s[0] < '1' || s[0] > '9') return -1;
        errno = 0;
        unsigned long long v = strtoull(s, &end, 10);
        if (errno) return 2147483647L;
        double ms;
        if (*end == '\0' || strcmp(end, "ms") == 0) ms = (double)v;
        else if (strcmp(end, "us") == 0) ms = (double)v / 1000.0;
        else if (strcmp(end, "s") == 0) ms = (double)v * 1e3;
        else if (strcmp(end, "m") == 0) ms = (double)v * 60e3;
        else if (strcmp(end, "h") == 0) ms = (double)v * 3600e3;
        else if (strcmp(end, "d") == 0) ms = (double)v * 86400e3;
        else return -1;
        if (ms > 2147483647.0) return 2147483647L;
        return ms < 1 ? 1 : (long)ms;
}

static char *dup_or_empty(const char *s) {
        return ocx_xstrdup(s ? s : "");
}

static const char *ann(const cJSON *obj, const char *key) {
        return ocx_json_get_str(ocx_json_path(obj, "metadata.annotations"), key);
}

/* lowercase hex md5 of s into out[33] (OpenShift's RoutingKeyName / IdHash) */
static void md5_hex(const char *s, char out[33]) {
        unsigned char d[EVP_MAX_MD_SIZE];
        unsigned int n = 0;
        static const char hex[] = "0123456789abcdef";
        if (EVP_Digest(s, strlen(s), d, &n, EVP_md5(), NULL) != 1 || n != 16) n = 0, memset(d, 0, 16);
        for (int i = 0; i < 16; i++) out[2 * i] = hex[d[i] >> 4], out[2 * i + 1] = hex[d[i] & 15];
        out[32] = '\0';
}

static bool cookie_name_ok(const char *s) {
        if (!s || !*s || strlen(s) > 64) return false;
        for (; *s; s++)
                if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_' ||
                      *s == '-'))
                        return false;
        return true;
}

static void route_release(rt_route *r) {
        free(r->cookie_name);
        free(r->ns), free(r->name), free(r->uid), free(r->created), free(r->host), free(r->path);
        free(r->cert_pem), free(r->key_pem), free(r->ca_pem), free(r->eps), free(r->message);
        free(r->wrr_cur);
}

rt_table *rt_table_free(rt_table *t) {
        if (!t) return NULL;
        for (size_t i = 0; i < t->n_routes; i++) route_release(&t->routes[i]);
        free(t->routes), free(t->exact), free(t->wild), free(t);
        return NULL;
}

/* ---- decoding -------------------------------------------------------------------------- */

static void decode_route(const cJSON *obj, const rt_table_options *opt, rt_route *r) {
        const cJSON *spec = ocx_json_get(obj, "spec");
        char host[RT_HOST_MAX];
        const char *h = ocx_json_get_str(spec, "host");
        const char *sub = ocx_json_get_str(spec, "subdomain");
        _cleanup_free_ char *from_sub = NULL;
        uint16_t port;
        /* spec.subdomain asks for <subdomain>.<router domain> (ignored when host is set) */
        if ((!h || !*h) && sub && *sub && opt->router_domain && *opt->router_domain)
                h = from_sub = ocx_xasprintf("%s.%s", sub, opt->router_domain);
        r->ns = dup_or_empty(ocx_json_path_str(obj, "metadata.namespace"));
        r->name = dup_or_empty(ocx_json_path_str(obj, "metadata.name"));
        r->uid = dup_or_empty(ocx_json_path_str(obj, "metadata.uid"));
        r->created = dup_or_empty(ocx_json_path_str(obj, "metadata.creationTimestamp"));
        /* a host that does not normalise stays as written and fails validation */
        if (h && rt_host_normalize(h, strlen(h), host, sizeof(host), &port) > 0 && port == 0)
                r->host = ocx_xstrdup(host);
        else
                r->host = dup_or_empty(h);
        r->path = dup_or_empty(ocx_json_get_str(spec, "path"));
        r->wildcard = ocx_streq(ocx_json_get_str(spec, "wildcardPolicy"), "Subdomain");
        if (r->wildcard) r->domain = (char *)rt_host_domain(r->host);
        const cJSON *tls = ocx_json_get(spec, "tls");
        if (cJSON_IsObject(tls)) {
                const char *term = ocx_json_get_str(tls, "termination");
                const char *pol = ocx_json_get_str(tls, "insecureEdgeTerminationPolicy");
                r->term = RT_TERM_EDGE;
                if (term && strcasecmp(term, "passthrough") == 0) r->term = RT_TERM_PASSTHROUGH;
                else if (term && strcasecmp(term, "reencrypt") == 0) r->term = RT_TERM_REENCRYPT;
                if (pol && strcasecmp(pol, "Allow") == 0) r->insecure = RT_INSECURE_ALLOW;
                else if (pol && strcasecmp(pol, "Redirect") == 0) r->insecure = RT_INSECURE_REDIRECT;
                const char *c = ocx_json_get_str(tls, "certificate"), *k = ocx_json_get_str(tls, "key"),
                           *ca = ocx_json_get_str(tls, "caCertificate");
                if (c && *c) r->cert_pem = ocx_xstrdup(c);
                if (k && *k) r->key_pem = ocx_xstrdup(k);
                if (ca && *ca) r->ca_pem = ocx_xstrdup(ca);
        }
        r->timeout_ms = opt->default_timeout_ms;
        long t = rt_parse_timeout(ann(obj, ANN_TIMEOUT));
        if (t > 0) r->timeout_ms = t;
        r->tunnel_timeout_ms = 3600 * 1000L;
        t = rt_parse_timeout(ann(obj, ANN_TUNNEL));
        if (t > 0) r->tunnel_timeout_ms = t;
        /* sticky cookie (HTTP and edge routes): `cookie <name> insert indirect
         * nocache httponly [secure attr SameSite=..]` in OpenShift's template;
         * the default name is md5(" <ns>:<name>") (RoutingKeyName) */
        if (!ocx_streq(ann(obj, ANN_NO_COOKIES), "true") && r->term != RT_TERM_PASSTHROUGH) {
                const char *cn = ann(obj, ANN_COOKIE_NAME);
                if (cookie_name_ok(cn)) {
                        r->cookie_name = ocx_xstrdup(cn);
                } else {
                        _cleanup_free_ char *key = ocx_xasprintf(" %s:%s", r->ns, r->name);
                        char hex[33];
                        md5_hex(key, hex);
                        r->cookie_name = ocx_xstrdup(hex);
                }
                r->cookie_secure = r->term != RT_TERM_NONE && r->insecure != RT_INSECURE_ALLOW;
                const char *ss = ann(obj, ANN_SAME_SITE);
                r->cookie_same_site = ss && strcasecmp(ss, "Lax") == 0      ? "Lax"
                                      : ss && strcasecmp(ss, "Strict") == 0 ? "Strict"
                                                                            : "None";
        }
}

/* ---- admission ------------------------------------------------------------------------- */

static int older_cmp(const void *a, const void *b) {
        const rt_route *x = *(rt_route *const *)a, *y = *(rt_route *const *)b;
        int c = strcmp(x->created, y->created); /* RFC 3339 UTC, same precision: sorts as time */
        return c ? c : strcmp(x->uid, y->uid);
}

static void reject(rt_route *r, const char *reason, char *msg) {
        r->admitted = false;
        r->reason = reason;
        free(r->message);
        r->message = msg;
}

/* Runs admission over all routes; `order` is scratch space of n pointers. */
static void admit_all(rt_route *routes, size_t n, const rt_table_options *opt, rt_route **order) {
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
                rt_route *r = &routes[i];
                r->admitted = true;
                if (!r->host[0]) {
                        reject(r, "NoHostValue", ocx_xstrdup("no host value was specified for the route"));
                } else if (!rt_hostname_valid(r->host)) {
                        reject(r, "InvalidHost",
                               ocx_xasprintf("host '%s' must conform to DNS 952 subdomain conventions", r->host));
                } else if (r->wildcard && !opt->allow_wildcards) {
                        reject(r, "RouteNotAdmitted", ocx_xstrdup("wildcard routes are not allowed"));
                } else if (r->wildcard && !r->domain) {
                        reject(r, "InvalidHost", ocx_xasprintf("wildcard host '%s' has no domain", r->host));
                } else if (r->term == RT_TERM_PASSTHROUGH || r->term == RT_TERM_REENCRYPT) {
                        reject(r, "RouteNotAdmitted",
                               ocx_xasprintf("%s termination is not supported by this router",
                                             r->term == RT_TERM_PASSTHROUGH ? "passthrough" : "reencrypt"));
                } else {
                        order[m++] = r;
                }
        }
        qsort(order, m, sizeof(*order), older_cmp);
        /* oldest first: each route is checked against the already admitted (older) ones */
        for (size_t i = 0; i < m; i++) {
                rt_route *r = order[i];
                for (size_t j = 0; j < i && r->admitted; j++) {
                        rt_route *o = order[j];
                        if (!o->admitted) continue;
                        bool same_ns = strcmp(o->ns, r->ns) == 0, same_path = strcmp(o->path, r->path) == 0;
                        if (!r->wildcard && !o->wildcard && strcmp(o->host, r->host) == 0) {
                                if (!same_ns && opt->ns_ownership_check)
                                        reject(r, "HostAlreadyClaimed",
                                               ocx_xasprintf("a route in another namespace holds %s and is older than %s",
                                                             r->host, r->name));
                                else if (same_path)
                                        reject(r, "HostAlreadyClaimed",
                                               ocx_xasprintf("route %s already exposes %s and is older", o->name,
                                                             r->host));
                        } else if (r->wildcard && o->wildcard && strcmp(o->domain, r->domain) == 0) {
                                if (!same_ns || same_path)
                                        reject(r, "HostAlreadyClaimed",
                                               ocx_xasprintf("a wildcard route %s/%s already claims *.%s and is older",
                                                             o->ns, o->name, r->domain));
                        } else if (!same_ns && r->wildcard != o->wildcard) {
                                /* an exact host blocks its domain for wildcards of other
                                 * namespaces, and a wildcard blocks exact hosts of others */
                                const char *exact = r->wildcard ? o->host : r->host;
                                const char *dom = r->wildcard ? r->domain : o->domain;
                                const char *ed = rt_host_domain(exact);
                                if (ed && strcmp(ed, dom) == 0)
                                        reject(r, "HostAlreadyClaimed",
                                               ocx_xasprintf("route %s/%s in another namespace claims %s and is older",
                                                             o->ns, o->name, o->wildcard ? dom : o->host));
                        }
                }
        }
}

/* ---- endpoints ------------------------------------------------------------------------- */

static int obj_key_cmp(const cJSON *a, const cJSON *b) {
        int c = strcmp(ocx_json_path_str(a, "metadata.namespace") ?: "", ocx_json_path_str(b, "metadata.namespace") ?: "");
        return c ? c : strcmp(ocx_json_path_str(a, "metadata.name") ?: "", ocx_json_path_str(b, "metadata.name") ?: "");
}

static int objp_cmp(const void *a, const void *b) {
        return obj_key_cmp(*(const cJSON *const *)a, *(const cJSON *const *)b);
}

typedef struct obj_index {
        const cJSON **v;
        size_t n;
} obj_index;

static void index_build(const cJSON *arr, obj_index *ix) {
        const cJSON *it;
        ix->n = 0;
        ix->v = ocx_xcalloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof(*ix->v));
        cJSON_ArrayForEach(it, arr) if (cJSON_IsObject(it)) ix->v[ix->n++] = it;
        qsort(ix->v, ix->n, sizeof(*ix->v), objp_cmp);
}

static const cJSON *index_find(const obj_index *ix, const char *ns, const char *name) {
        size_t lo = 0, hi = ix->n;
        while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                const cJSON *o = ix->v[mid];
                int c = strcmp(ocx_json_path_str(o, "metadata.namespace") ?: "", ns);
                if (!c) c = strcmp(ocx_json_path_str(o, "metadata.name") ?: "", name);
                if (c == 0) return o;
                if (c < 0) lo = mid + 1;
                else hi = mid;
        }
        return NULL;
}

/* String form of spec.port.targetPort, or NULL for "all ports". */
static const char *target_port(const cJSON *route, char *buf, size_t n) {
        const cJSON *tp = ocx_json_path(route, "spec.port.targetPort");
        int64_t v;
        if (cJSON_IsString(tp) && tp->valuestring[0]) return tp->valuestring;
        if (cJSON_IsNumber(tp) && ocx_json_int(tp, 1, 65535, &v) == 0) {
                snprintf(buf, n, "%lld", (long long)v);
                return buf;
        }
        return NULL;
}

static void add_ep(rt_endpoint **eps, size_t *n, size_t *alloc, const char *ip, int64_t port, unsigned unit,
                   const char *svc, const char *pname, const char *pod) {
        if (strlen(ip) >= sizeof((*eps)->addr) || port < 1 || port > 65535) return;
        for (size_t i = 0; i < *n; i++) /* same address twice in one unit: once */
                if ((*eps)[i].unit == unit && (*eps)[i].port == port && strcmp((*eps)[i].addr, ip) == 0) return;
        if (*n == *alloc) {
                *alloc = *alloc ? *alloc * 2 : 8;
                *eps = ocx_xrealloc(*eps, *alloc * sizeof(**eps));
        }
        rt_endpoint *e = &(*eps)[(*n)++];
        *e = (rt_endpoint){.port = (uint16_t)port, .unit = (uint8_t)unit};
        snprintf(e->addr, sizeof(e->addr), "%s", ip);
        if (strchr(ip, ':')) snprintf(e->key, sizeof(e->key), "[%s]:%u", ip, (unsigned)port);
        else snprintf(e->key, sizeof(e->key), "%s:%u", ip, (unsigned)port);
        /* OpenShift's endpoint ID: pod:<pod>:<svc>:<port name>:<ip>:<port>, or
         * ept:<svc>:<port name>:<ip>:<port> without a target pod; the
         * cookie value is its md5 */
        _cleanup_free_ char *id = pod && *pod ? ocx_xasprintf("pod:%s:%s:%s:%s:%u", pod, svc, pname, ip, (unsigned)port)
                                              : ocx_xasprintf("ept:%s:%s:%s:%u", svc, pname, ip, (unsigned)port);
        md5_hex(id, e->cookie);
}

/* Appends the endpoints of service ns/svc for unit `unit`; returns how many. */
static size_t unit_endpoints(const obj_index *svcs, const obj_index *epsx, const char *ns, const char *svc,
                             const char *tport, unsigned unit, rt_endpoint **eps, size_t *n, size_t *alloc) {
        size_t before = *n;
        const cJSON *ep = index_find(epsx, ns, svc), *sub, *port, *addr;
        cJSON_ArrayForEach(sub, ocx_json_get(ep, "subsets")) {
                cJSON_ArrayForEach(port, ocx_json_get(sub, "ports")) {
                        int64_t pn;
                        const char *pname = ocx_json_get_str(port, "name") ?: "";
                        const char *proto = ocx_json_get_str(port, "protocol");
                        char num[16];
                        if (ocx_json_int(ocx_json_get(port, "port"), 1, 65535, &pn) < 0) continue;
                        if (proto && strcmp(proto, "TCP") != 0) continue;
                        snprintf(num, sizeof(num), "%lld", (long long)pn);
                        if (tport && strcmp(tport, pname) != 0 && strcmp(tport, num) != 0) continue;
                        cJSON_ArrayForEach(addr, ocx_json_get(sub, "addresses")) {
                                const char *ip = ocx_json_get_str(addr, "ip");
                                const char *pod = ocx_streq(ocx_json_path_str(addr, "targetRef.kind"), "Pod")
                                                          ? ocx_json_path_str(addr, "targetRef.name")
                                                          : NULL;
                                if (ip && *ip) add_ep(eps, n, alloc, ip, pn, unit, svc, pname, pod);
                        }
                }
        }
        if (*n == before) {
                /* idled service: route to the cluster IP so the request can unidle it */
                const cJSON *s = index_find(svcs, ns, svc);
                const char *cip = ocx_json_path_str(s, "spec.clusterIP");
                if (s && ann(s, "idling.alpha.openshift.io/idled-at") && cip && *cip && strcmp(cip, "None") != 0) {
                        cJSON_ArrayForEach(port, ocx_json_path(s, "spec.ports")) {
                                int64_t pn;
                                const char *pname = ocx_json_get_str(port, "name") ?: "";
                                char num[16];
                                if (ocx_json_int(ocx_json_get(port, "port"), 1, 65535, &pn) < 0) continue;
                                snprintf(num, sizeof(num), "%lld", (long long)pn);
                                if (tport && strcmp(tport, pname) != 0 && strcmp(tport, num) != 0) continue;
                                add_ep(eps, n, alloc, cip, pn, unit, svc, pname, NULL);
                        }
                }
        }
        return *n - before;
}

/* Service units and B.4 weights. */
static void route_endpoints(rt_route *r, const cJSON *obj, const obj_index *svcs, const obj_index *epsx) {
        const cJSON *spec = ocx_json_get(obj, "spec"), *units[MAX_UNITS] = {0}, *alt;
        size_t nunits = 0, alloc = 0, counts[MAX_UNITS] = {0};
        int64_t weights[MAX_UNITS] = {0};
        char tbuf[16];
        const char *tport = target_port(obj, tbuf, sizeof(tbuf));
        units[nunits++] = ocx_json_get(spec, "to");
        cJSON_ArrayForEach(alt, ocx_json_get(spec, "alternateBackends")) if (nunits < MAX_UNITS) units[nunits++] = alt;
        for (size_t u = 0; u < nunits; u++) {
                const char *svc = ocx_json_get_str(units[u], "name");
                const char *kind = ocx_json_get_str(units[u], "kind");
                const cJSON *w = ocx_json_get(units[u], "weight");
                weights[u] = 100;
                if (w && !cJSON_IsNull(w) && ocx_json_int(w, INT64_MIN, INT64_MAX, &weights[u]) < 0) weights[u] = 0;
                if (weights[u] < 0) weights[u] = 0;
                if (weights[u] > 256) weights[u] = 256;
                if (!svc || !*svc || (kind && *kind && strcmp(kind, "Service") != 0)) continue;
                counts[u] = unit_endpoints(svcs, epsx, r->ns, svc, tport, (unsigned)u, &r->eps, &r->n_eps, &alloc);
                if (weights[u] > 0 && counts[u] > 0) r->n_units++;
        }
        if (r->n_units == 1) {
                for (size_t i = 0; i < r->n_eps; i++) r->eps[i].weight = weights[r->eps[i].unit] > 0 ? 1 : 0;
        } else {
                double maxw = 0;
                for (size_t u = 0; u < nunits; u++)
                        if (counts[u]) maxw = fmax(maxw, (double)weights[u] / (double)counts[u]);
                for (size_t i = 0; i < r->n_eps; i++) {
                        unsigned u = r->eps[i].unit;
                        double w = maxw > 0 ? (double)weights[u] / (double)counts[u] * 256.0 / maxw : 0;
                        r->eps[i].weight = weights[u] == 0 ? 0 : (uint16_t)fmax(1, floor(w + 0.5));
                }
        }
        if (r->n_eps) r->wrr_cur = ocx_xcalloc(r->n_eps, sizeof(*r->wrr_cur));
        const char *bal = ann(obj, ANN_BALANCE);
        r->balance = r->n_units > 1 ? RT_BAL_ROUNDROBIN : RT_BAL_RANDOM;
        if (ocx_streq(bal, "roundrobin")) r->balance = RT_BAL_ROUNDROBIN;
        else if (ocx_streq(bal, "leastconn")) r->balance = RT_BAL_LEASTCONN;
        else if (ocx_streq(bal, "source")) r->balance = RT_BAL_SOURCE;
        else if (ocx_streq(bal, "random")) r->balance = RT_BAL_RANDOM;
}

/* ---- building and lookup --------------------------------------------------------------- */

static int route_name_cmp(const void *a, const void *b) {
        const rt_route *x = a, *y = b;
        int c = strcmp(x->ns, y->ns);
        return c ? c : strcmp(x->name, y->name);
}

static int exact_cmp(const void *a, const void *b) {
        const rt_route *x = *(rt_route *const *)a, *y = *(rt_route *const *)b;
        int c = strcmp(x->host, y->host);
        if (c) return c;
        size_t lx = strlen(x->path), ly = strlen(y->path);
        if (lx != ly) return lx > ly ? -1 : 1;
        return strcmp(x->path, y->path);
}

static int wild_cmp(const void *a, const void *b) {
        const rt_route *x = *(rt_route *const *)a, *y = *(rt_route *const *)b;
        int c = strcmp(x->domain, y->domain);
        if (c) return c;
        size_t lx = strlen(x->path), ly = strlen(y->path);
        if (lx != ly) return lx > ly ? -1 : 1;
        return strcmp(x->path, y->path);
}

int rt_table_build(const cJSON *routes, const cJSON *services, const cJSON *endpoints,
                   const rt_table_options *opt, rt_table **ret) {
        rt_table_options dflt;
        rt_table *t = ocx_xcalloc(1, sizeof(*t));
        const cJSON *it;
        obj_index svcs, epsx;
        if (!opt) rt_table_options_default(&dflt), opt = &dflt;
        size_t nr = (size_t)cJSON_GetArraySize(routes);
        t->routes = ocx_xcalloc(nr + 1, sizeof(*t->routes));
        const cJSON **objs = ocx_xcalloc(nr + 1, sizeof(*objs));
        cJSON_ArrayForEach(it, routes) {
                if (!cJSON_IsObject(it) || !ocx_json_path_str(it, "metadata.name")) continue;
                objs[t->n_routes] = it; /* decode order = objs order until sorted below */
                decode_route(it, opt, &t->routes[t->n_routes++]);
        }
        rt_route **order = ocx_xcalloc(t->n_routes + 1, sizeof(*order));
        admit_all(t->routes, t->n_routes, opt, order);
        index_build(services, &svcs);
        index_build(endpoints, &epsx);
        for (size_t i = 0; i < t->n_routes; i++)
                if (t->routes[i].admitted) route_endpoints(&t->routes[i], objs[i], &svcs, &epsx);
        free(svcs.v), free(epsx.v), free(objs), free(order);
        /* domain points into host; sorting moves the structs, not the strings */
        qsort(t->routes, t->n_routes, sizeof(*t->routes), route_name_cmp);
        for (size_t i = 0; i < t->n_routes; i++)
                for (size_t j = 0; j < t->routes[i].n_eps; j++) t->routes[i].eps[j].gidx = (uint32_t)t->n_eps_total++;
        t->exact = ocx_xcalloc(t->n_routes + 1, sizeof(*t->exact));
        t->wild = ocx_xcalloc(t->n_routes + 1, sizeof(*t->wild));
        for (size_t i = 0; i < t->n_routes; i++) {
                rt_route *r = &t->routes[i];
                if (!r->admitted) continue;
                if (r->wildcard) t->wild[t->n_wild++] = r;
                else t->exact[t->n_exact++] = r;
        }
        qsort(t->exact, t->n_exact, sizeof(*t->exact), exact_cmp);
        qsort(t->wild, t->n_wild, sizeof(*t->wild), wild_cmp);
        *ret = t;
        return 0;
}

/* First index in v (sorted by key) whose key equals k, or n. */
static size_t lower_bound(rt_route *const *v, size_t n, const char *k, bool wild) {
        size_t lo = 0, hi = n;
        while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                if (strcmp(wild ? v[mid]->domain : v[mid]->host, k) < 0) lo = mid + 1;
                else hi = mid;
        }
        return lo;
}

static rt_route *scan(rt_route *const *v, size_t n, const char *k, bool wild, const char *path, size_t plen) {
        for (size_t i = lower_bound(v, n, k, wild); i < n; i++) {
                if (strcmp(wild ? v[i]->domain : v[i]->host, k) != 0) break;
                if (rt_path_match(v[i]->path, path, plen)) return v[i];
        }
        return NULL;
}

rt_route *rt_table_lookup(const rt_table *t, const char *host, const char *path, size_t path_len) {
        if (!t || !host || !*host) return NULL;
        rt_route *r = scan(t->exact, t->n_exact, host, false, path, path_len);
        if (r) return r;
        const char *dom = rt_host_domain(host);
        return dom && t->n_wild ? scan(t->wild, t->n_wild, dom, true, path, path_len) : NULL;
}

rt_route *rt_table_find(const rt_table *t, const char *ns, const char *name) {
        size_t lo = 0, hi = t ? t->n_routes : 0;
        while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                int c = strcmp(t->routes[mid].ns, ns);
                if (!c) c = strcmp(t->routes[mid].name, name);
                if (c == 0) return &t->routes[mid];
                if (c < 0) lo = mid + 1;
                else hi = mid;
        }
        return NULL;
}

void rt_split_objects(const cJSON *list, cJSON **ret_routes, cJSON **ret_services, cJSON **ret_endpoints) {
        const cJSON *items = cJSON_IsArray(list) ? list : ocx_json_get(list, "items"), *it;
        *ret_routes = cJSON_CreateArray(), *ret_services = cJSON_CreateArray(), *ret_endpoints = cJSON_CreateArray();
        cJSON_ArrayForEach(it, items) {
                const char *kind = ocx_json_get_str(it, "kind");
                cJSON *dst = ocx_streq(kind, "Route")       ? *ret_routes
                             : ocx_streq(kind, "Service")   ? *ret_services
                             : ocx_streq(kind, "Endpoints") ? *ret_endpoints
                                                            : NULL;
                if (dst) cJSON_AddItemToArray(dst, cJSON_Duplicate(it, 1));
        }
}
