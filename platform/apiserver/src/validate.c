#include "apiserver/validate.h"
#include <stdio.h>
#include <strings.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include "ocx/buf.h"
#include "ocx/json.h"
#include "ocx/names.h"
#include "apiserver/schema.h"
#include "ocx/banned.h"

static const char *type_words(const char *reason) {
        if (ocx_streq(reason, "FieldValueRequired")) return "Required value";
        if (ocx_streq(reason, "FieldValueNotSupported")) return "Unsupported value";
        if (ocx_streq(reason, "FieldValueForbidden")) return "Forbidden";
        if (ocx_streq(reason, "FieldValueTooLong")) return "Too long";
        if (ocx_streq(reason, "FieldValueDuplicate")) return "Duplicate value";
        if (ocx_streq(reason, "FieldValueNotFound")) return "Not found";
        return "Invalid value";
}

static void render_value(ocx_buf *b, const cJSON *v) {
        if (cJSON_IsString(v)) ocx_json_write_string(b, v->valuestring);
        else if (cJSON_IsObject(v) || cJSON_IsArray(v)) ocx_buf_puts(b, cJSON_IsObject(v) ? "\"object\"" : "\"array\"");
        else ocx_json_write(b, v, 0);
}

void api_cause(cJSON *causes, const char *reason, const char *field, const cJSON *value, const char *detail) {
        ocx_buf b = OCX_BUF_INIT;
        ocx_buf_puts(&b, type_words(reason));
        bool with_value = value && !ocx_streq(reason, "FieldValueRequired") &&
                          !ocx_streq(reason, "FieldValueForbidden") && !ocx_streq(reason, "FieldValueTooLong");
        if (with_value) {
                ocx_buf_puts(&b, ": ");
                render_value(&b, value);
        }
        if (detail && *detail) ocx_buf_printf(&b, ": %s", detail);
        cJSON *c = cJSON_CreateObject();
        cJSON_AddStringToObject(c, "reason", reason);
        cJSON_AddStringToObject(c, "message", b.data);
        cJSON_AddStringToObject(c, "field", field);
        cJSON_AddItemToArray(causes, c);
        ocx_buf_release(&b);
}

void api_cause_str(cJSON *causes, const char *reason, const char *field, const char *value, const char *detail) {
        cJSON *v = value ? cJSON_CreateString(value) : NULL;
        api_cause(causes, reason, field, v, detail);
        cJSON_Delete(v);
}

char *api_invalid_message(const api_kind *k, const char *name, const cJSON *causes) {
        ocx_buf b = OCX_BUF_INIT;
        if (k->group[0]) ocx_buf_printf(&b, "%s.%s \"%s\" is invalid: ", k->kind, k->group, name ? name : "");
        else ocx_buf_printf(&b, "%s \"%s\" is invalid: ", k->kind, name ? name : "");
        int n = cJSON_GetArraySize(causes);
        if (n > 1) ocx_buf_puts(&b, "[");
        int i = 0;
        const cJSON *c;
        cJSON_ArrayForEach(c, causes) {
                const char *f = ocx_json_get_str(c, "field");
                ocx_buf_printf(&b, "%s%s%s%s", i++ ? ", " : "", f && *f ? f : "", f && *f ? ": " : "",
                               ocx_json_get_str(c, "message"));
        }
        if (n > 1) ocx_buf_puts(&b, "]");
        return ocx_buf_detach(&b, NULL);
}

/* --- schema walk ------------------------------------------------------------ */

static const char *json_type_name(const cJSON *v) {
        if (cJSON_IsString(v)) return "string";
        if (cJSON_IsNumber(v)) return v->valuedouble == (double)(int64_t)v->valuedouble ? "integer" : "number";
        if (cJSON_IsBool(v)) return "boolean";
        if (cJSON_IsArray(v)) return "array";
        if (cJSON_IsObject(v)) return "object";
        return "null";
}

static void type_error(cJSON *causes, const char *path, const cJSON *v, const char *want) {
        char detail[600];
        snprintf(detail, sizeof(detail), "%s in body must be of type %s: \"%s\"", path, want, json_type_name(v));
        cJSON *tv = cJSON_CreateString(json_type_name(v));
        api_cause(causes, "FieldValueInvalid", path, tv, detail);
        cJSON_Delete(tv);
}

typedef struct walk {
        bool strict, strip;
        cJSON *causes;
        ocx_buf unknown;
} walk;

static void check(walk *w, const cJSON *schema, cJSON *v, const char *path);

static void check_object(walk *w, const cJSON *schema, cJSON *v, const char *path) {
        bool open = ocx_json_get_bool(schema, "$open", false);
        cJSON *c = v->child;
        while (c) {
                cJSON *next = c->next;
                char sub[1024];
                snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "", c->string);
                const cJSON *fs = ocx_json_get(schema, c->string);
                if (fs && c->string[0] != '$') {
                        if (!cJSON_IsNull(c)) check(w, fs, c, sub);
                } else if (!open && w->strict) {
                        if (w->strip) {
                                cJSON_Delete(cJSON_DetachItemViaPointer(v, c));
                        } else {
                                ocx_buf_printf(&w->unknown, "%sunknown field \"%s\"", w->unknown.len ? ", " : "", sub);
                        }
                }
                c = next;
        }
}

static void check(walk *w, const cJSON *schema, cJSON *v, const char *path) {
        if (cJSON_IsString(schema)) {
                const char *t = schema->valuestring;
                int64_t iv;
                if (ocx_streq(t, "any")) return;
                if (ocx_streq(t, "string")) {
                        if (!cJSON_IsString(v)) type_error(w->causes, path, v, "string");
                } else if (ocx_streq(t, "integer")) {
                        if (!cJSON_IsNumber(v) || ocx_json_int(v, INT64_MIN, INT64_MAX, &iv) == -EINVAL)
                                type_error(w->causes, path, v, "integer");
                } else if (ocx_streq(t, "int32")) {
                        if (!cJSON_IsNumber(v) || ocx_json_int(v, INT64_MIN, INT64_MAX, &iv) == -EINVAL)
                                type_error(w->causes, path, v, "integer");
                        else if (ocx_json_int(v, INT32_MIN, INT32_MAX, &iv) < 0)
                                api_cause(w->causes, "FieldValueInvalid", path, v, "must be a 32-bit integer");
                } else if (ocx_streq(t, "number")) {
                        if (!cJSON_IsNumber(v)) type_error(w->causes, path, v, "number");
                } else if (ocx_streq(t, "boolean")) {
                        if (!cJSON_IsBool(v)) type_error(w->causes, path, v, "boolean");
                } else if (ocx_streq(t, "intstr")) {
                        if (!cJSON_IsString(v) && !cJSON_IsNumber(v)) type_error(w->causes, path, v, "integer or string");
                } else if (ocx_streq(t, "map")) {
                        if (!cJSON_IsObject(v)) {
                                type_error(w->causes, path, v, "object");
                                return;
                        }
                        const cJSON *c;
                        cJSON_ArrayForEach(c, v) {
                                if (!cJSON_IsString(c)) {
                                        char sub[1024];
                                        snprintf(sub, sizeof(sub), "%s.%s", path, c->string);
                                        type_error(w->causes, sub, c, "string");
                                }
                        }
                } else if (ocx_streq(t, "object")) {
                        if (!cJSON_IsObject(v)) type_error(w->causes, path, v, "object");
                } else if (ocx_streq(t, "array")) {
                        if (!cJSON_IsArray(v)) type_error(w->causes, path, v, "array");
                }
                return;
        }
        if (cJSON_IsArray(schema)) {
                if (!cJSON_IsArray(v)) {
                        type_error(w->causes, path, v, "array");
                        return;
                }
                const cJSON *elem = cJSON_GetArrayItem(schema, 0);
                int i = 0;
                cJSON *c;
                cJSON_ArrayForEach(c, v) {
                        char sub[1024];
                        snprintf(sub, sizeof(sub), "%s[%d]", path, i++);
                        if (!cJSON_IsNull(c)) check(w, elem, c, sub);
                }
                return;
        }
        if (cJSON_IsObject(schema)) {
                if (!cJSON_IsObject(v)) {
                        type_error(w->causes, path, v, "object");
                        return;
                }
                check_object(w, schema, v, path);
        }
}

void api_schema_check(const api_kind *k, cJSON *obj, bool strip, cJSON *causes, char **ret_unknown) {
        walk w = {.strict = (k->flags & KIND_STRICT) != 0, .strip = strip, .causes = causes};
        ocx_buf_init(&w.unknown, 64 * 1024);
        const cJSON *schema = api_schema_for(k);
        if (schema) check(&w, schema, obj, "");
        *ret_unknown = w.unknown.len ? ocx_buf_detach(&w.unknown, NULL) : NULL;
        ocx_buf_release(&w.unknown);
}

/* --- semantic validation ------------------------------------------------------ */

static void validate_name(const api_kind *k, const cJSON *md, cJSON *causes) {
        const char *name = ocx_json_get_str(md, "name");
        if (!name || !*name) {
                if (!ocx_json_get_str(md, "generateName"))
                        api_cause(causes, "FieldValueRequired", "metadata.name", NULL,
                                  "name or generateName is required");
                return;
        }
        char *msg;
        if (ocx_streq(k->plural, "namespaces") || ocx_streq(k->plural, "projects") ||
            ocx_streq(k->plural, "projectrequests"))
                msg = ocx_validate_dns1123_label(name);
        else if (ocx_streq(k->plural, "services"))
                msg = ocx_validate_dns1035_label(name);
        else if (!k->group[0] || ocx_streq(k->group, "apps.openshift.io") ||
                 ocx_streq(k->group, "route.openshift.io") || ocx_streq(k->group, "security.openshift.io") ||
                 (ocx_streq(k->group, "image.openshift.io") && !ocx_streq(k->plural, "imagestreamtags")))
                msg = ocx_validate_dns1123_subdomain(name);
        else {
                /* users, rbac names, tokens: path segment names (no '/', '%', not '.'/'..') */
                msg = NULL;
                if (ocx_streq(name, ".") || ocx_streq(name, "..")) msg = ocx_xasprintf("may not be '%s'", name);
                else if (strchr(name, '/')) msg = ocx_xstrdup("may not contain '/'");
                else if (strchr(name, '%')) msg = ocx_xstrdup("may not contain '%'");
        }
        if (msg) {
                api_cause_str(causes, "FieldValueInvalid", "metadata.name", name, msg);
                free(msg);
        }
}

/* --- routes (spec A.6) ----------------------------------------------------------- */

static void route_cause(cJSON *causes, const char *reason, const char *field, const char *value, const char *detail) {
        api_cause_str(causes, reason, field, value, detail);
}

/* Every label a DNS-1123 label (<= 63). */
static char *check_labels(const char *name) {
        const char *p = name;
        while (*p) {
                const char *dot = strchr(p, '.');
                size_t n = dot ? (size_t)(dot - p) : strlen(p);
                char label[300];
                if (n >= sizeof(label)) n = sizeof(label) - 1;
                memcpy(label, p, n);
                label[n] = 0;
                char *msg = ocx_validate_dns1123_label(label);
                if (msg) return msg;
                if (!dot) break;
                p = dot + 1;
        }
        return NULL;
}

/* Parses one or more PEM certificates (at least one). */
static bool pem_certs_ok(const char *pem) {
        gnutls_datum_t d = {(unsigned char *)(uintptr_t)pem, (unsigned)strlen(pem)};
        gnutls_x509_crt_t *list = NULL;
        unsigned n = 0;
        if (gnutls_x509_crt_list_import2(&list, &n, &d, GNUTLS_X509_FMT_PEM, 0) < 0) return false;
        for (unsigned i = 0; i < n; i++) gnutls_x509_crt_deinit(list[i]);
        gnutls_free(list);
        return n > 0;
}

/* 0 ok, -EINVAL the key does not parse, -EBADMSG the certificate does not
 * parse, -EKEYREJECTED they do not belong together. */
static int key_matches_cert(const char *cert_pem, const char *key_pem) {
        gnutls_x509_crt_t crt = NULL;
        gnutls_x509_privkey_t key = NULL;
        int r = 0;
        gnutls_datum_t cd = {(unsigned char *)(uintptr_t)cert_pem, (unsigned)strlen(cert_pem)};
        gnutls_datum_t kd = {(unsigned char *)(uintptr_t)key_pem, (unsigned)strlen(key_pem)};
        if (gnutls_x509_privkey_init(&key) < 0 ||
            gnutls_x509_privkey_import2(key, &kd, GNUTLS_X509_FMT_PEM, NULL, GNUTLS_PKCS_PLAIN) < 0) {
                r = -EINVAL;
                goto out;
        }
        if (!cert_pem) goto out;
        if (gnutls_x509_crt_init(&crt) < 0 || gnutls_x509_crt_import(crt, &cd, GNUTLS_X509_FMT_PEM) < 0) {
                r = -EBADMSG;
                goto out;
        }
        unsigned char a[64], b[64];
        size_t an = sizeof(a), bn = sizeof(b);
        if (gnutls_x509_crt_get_key_id(crt, 0, a, &an) < 0 || gnutls_x509_privkey_get_key_id(key, 0, b, &bn) < 0 ||
            an != bn || memcmp(a, b, an) != 0)
                r = -EKEYREJECTED;
out:
        if (crt) gnutls_x509_crt_deinit(crt);
        if (key) gnutls_x509_privkey_deinit(key);
        return r;
}

static void validate_backend(const cJSON *b, const char *field, cJSON *causes) {
        char f[96];
        const char *name = ocx_json_get_str(b, "name");
        const char *kind = ocx_json_get_str(b, "kind");
        snprintf(f, sizeof(f), "%s.name", field);
        if (!name || !*name) api_cause(causes, "FieldValueRequired", f, NULL, NULL);
        snprintf(f, sizeof(f), "%s.kind", field);
        if (kind && *kind && !ocx_streq(kind, "Service"))
                route_cause(causes, "FieldValueInvalid", f, kind, "must reference a Service");
        const cJSON *w = ocx_json_get(b, "weight");
        int64_t v;
        snprintf(f, sizeof(f), "%s.weight", field);
        if (w && cJSON_IsNumber(w) && ocx_json_int(w, 0, 256, &v) < 0)
                api_cause(causes, "FieldValueInvalid", f, w, "weight must be an integer between 0 and 256");
}

static void validate_route_tls(const cJSON *tls, const cJSON *spec, cJSON *causes) {
        const char *term = ocx_json_get_str(tls, "termination");
        const char *pol = ocx_json_get_str(tls, "insecureEdgeTerminationPolicy");
        const char *cert = ocx_json_get_str(tls, "certificate"), *key = ocx_json_get_str(tls, "key");
        const char *ca = ocx_json_get_str(tls, "caCertificate"), *dca = ocx_json_get_str(tls, "destinationCACertificate");
        bool has_ext = cJSON_IsObject(ocx_json_get(tls, "externalCertificate"));
        if (cert && !*cert) cert = NULL;
        if (key && !*key) key = NULL;
        if (ca && !*ca) ca = NULL;
        if (dca && !*dca) dca = NULL;
        bool edge = !term || !*term ? !dca : strcasecmp(term, "edge") == 0;
        bool pass = term && strcasecmp(term, "passthrough") == 0;
        bool reenc = (term && strcasecmp(term, "reencrypt") == 0) || ((!term || !*term) && dca);
        if (term && *term && !edge && !pass && !reenc) {
                route_cause(causes, "FieldValueNotSupported", "spec.tls.termination", term,
                            "supported values: \"edge\", \"passthrough\", \"reencrypt\"");
                return;
        }
        if (pol && *pol && !ocx_streq(pol, "None") && !ocx_streq(pol, "Allow") && !ocx_streq(pol, "Redirect"))
                route_cause(causes, "FieldValueNotSupported", "spec.tls.insecureEdgeTerminationPolicy", pol,
                            "supported values: \"Allow\", \"None\", \"Redirect\"");
        if (pass) {
                if (ocx_streq(pol, "Allow"))
                        route_cause(causes, "FieldValueInvalid", "spec.tls.insecureEdgeTerminationPolicy", pol,
                                    "InsecureEdgeTerminationPolicy is only allowed for edge-terminated or reencrypt routes");
                if (cert) route_cause(causes, "FieldValueInvalid", "spec.tls.certificate", "redacted certificate data",
                                      "passthrough termination does not support certificates");
                if (key) route_cause(causes, "FieldValueInvalid", "spec.tls.key", "redacted key data",
                                     "passthrough termination does not support certificates");
                if (ca) route_cause(causes, "FieldValueInvalid", "spec.tls.caCertificate", "redacted ca certificate data",
                                    "passthrough termination does not support certificates");
                if (dca) route_cause(causes, "FieldValueInvalid", "spec.tls.destinationCACertificate",
                                     "redacted destination ca certificate data",
                                     "passthrough termination does not support certificates");
                if (has_ext) api_cause(causes, "FieldValueInvalid", "spec.tls.externalCertificate", NULL,
                                       "passthrough termination does not support certificates");
                const char *path = ocx_json_get_str(spec, "path");
                if (path && *path)
                        route_cause(causes, "FieldValueInvalid", "spec.path", path, "passthrough termination does not support paths");
                if (ocx_json_get(spec, "httpHeaders"))
                        api_cause(causes, "FieldValueInvalid", "spec.httpHeaders", NULL,
                                  "passthrough termination does not support httpHeaders");
                return;
        }
        if (edge && dca)
                route_cause(causes, "FieldValueInvalid", "spec.tls.destinationCACertificate",
                            "redacted destination ca certificate data",
                            "edge termination does not support destination certificates");
        if (has_ext && cert)
                api_cause(causes, "FieldValueInvalid", "spec.tls.externalCertificate", NULL,
                          "cannot specify both tls.certificate and tls.externalCertificate");
        if (cert && !pem_certs_ok(cert))
                route_cause(causes, "FieldValueInvalid", "spec.tls.certificate", "redacted certificate data",
                            "error decoding certificate data");
        if (ca && !pem_certs_ok(ca))
                route_cause(causes, "FieldValueInvalid", "spec.tls.caCertificate", "redacted ca certificate data",
                            "error decoding ca certificate data");
        if (dca && !pem_certs_ok(dca))
                route_cause(causes, "FieldValueInvalid", "spec.tls.destinationCACertificate",
                            "redacted destination ca certificate data", "error decoding destination ca certificate data");
        if (key && !cert)
                route_cause(causes, "FieldValueInvalid", "spec.tls.key", "redacted key data",
                            "a key requires a certificate");
        if (cert && !key)
                route_cause(causes, "FieldValueRequired", "spec.tls.key", NULL, "a certificate requires its key");
        if (key && cert && pem_certs_ok(cert)) {
                int r = key_matches_cert(cert, key);
                if (r == -EINVAL)
                        route_cause(causes, "FieldValueInvalid", "spec.tls.key", "redacted key data", "error decoding key data");
                else if (r == -EKEYREJECTED)
                        route_cause(causes, "FieldValueInvalid", "spec.tls.key", "redacted key data",
                                    "private key does not match public key");
        }
}

static void validate_route(const cJSON *o, const cJSON *old, cJSON *causes) {
        const cJSON *spec = ocx_json_get(o, "spec");
        validate_backend(ocx_json_get(spec, "to"), "spec.to", causes);
        const cJSON *alts = ocx_json_get(spec, "alternateBackends");
        int na = cJSON_GetArraySize(alts);
        if (na > 3) {
                char d[64];
                snprintf(d, sizeof(d), "must have at most 3 items (has %d)", na);
                api_cause(causes, "FieldValueInvalid", "spec.alternateBackends", NULL, d);
        }
        int i = 0;
        const cJSON *a;
        cJSON_ArrayForEach(a, alts) {
                char f[64];
                snprintf(f, sizeof(f), "spec.alternateBackends[%d]", i++);
                validate_backend(a, f, causes);
        }
        const char *host = ocx_json_get_str(spec, "host");
        const char *old_host = ocx_json_path_str(old, "spec.host");
        bool non_dns_ok = ocx_streq(ocx_json_get_str(ocx_json_path(o, "metadata.annotations"),
                                                     "route.openshift.io/allow-non-dns-compliant-host"), "true");
        if (host && *host) {
                char *msg = ocx_validate_dns1123_subdomain(host);
                if (msg) {
                        route_cause(causes, "FieldValueInvalid", "spec.host", host,
                                    "host must conform to DNS 952 subdomain conventions");
                        free(msg);
                } else if (!non_dns_ok && (!old || !ocx_streq(host, old_host ? old_host : ""))) {
                        bool old_valid = true;
                        if (old && old_host && *old_host) {
                                char *om = check_labels(old_host);
                                old_valid = !om;
                                free(om);
                        }
                        char *lm = old_valid ? check_labels(host) : NULL;
                        if (lm) {
                                route_cause(causes, "FieldValueInvalid", "spec.host", host, lm);
                                free(lm);
                        }
                }
        }
        const char *sub = ocx_json_get_str(spec, "subdomain");
        if (sub && *sub) {
                char *msg = strlen(sub) > 253 ? ocx_xstrdup("must be no more than 253 characters") : check_labels(sub);
                if (msg) {
                        route_cause(causes, "FieldValueInvalid", "spec.subdomain", sub, msg);
                        free(msg);
                }
        }
        const char *wp = ocx_json_get_str(spec, "wildcardPolicy");
        if (wp && *wp && !ocx_streq(wp, "None") && !ocx_streq(wp, "Subdomain"))
                route_cause(causes, "FieldValueNotSupported", "spec.wildcardPolicy", wp,
                            "supported values: \"None\", \"Subdomain\"");
        else if (ocx_streq(wp, "Subdomain") && (!host || !*host))
                route_cause(causes, "FieldValueInvalid", "spec.wildcardPolicy", wp,
                            "host name not specified for wildcard policy");
        if (old) {
                const char *owp = ocx_json_path_str(old, "spec.wildcardPolicy");
                const char *nw = wp && *wp ? wp : "None", *ow = owp && *owp ? owp : "None";
                if (!ocx_streq(nw, ow))
                        route_cause(causes, "FieldValueInvalid", "spec.wildcardPolicy", nw, "field is immutable");
        }
        const char *path = ocx_json_get_str(spec, "path");
        if (path && *path && path[0] != '/')
                route_cause(causes, "FieldValueInvalid", "spec.path", path, "path must begin with /");
        const cJSON *port = ocx_json_get(spec, "port");
        if (cJSON_IsObject(port)) {
                const cJSON *tp = ocx_json_get(port, "targetPort");
                if (!tp || (cJSON_IsNumber(tp) && tp->valuedouble == 0) || (cJSON_IsString(tp) && !*tp->valuestring))
                        api_cause(causes, "FieldValueRequired", "spec.port.targetPort", NULL, NULL);
                else if (cJSON_IsNumber(tp) && (tp->valuedouble < 1 || tp->valuedouble > 65535))
                        api_cause(causes, "FieldValueInvalid", "spec.port.targetPort", tp,
                                  "must be between 1 and 65535, inclusive");
        }
        const cJSON *tls = ocx_json_get(spec, "tls");
        if (cJSON_IsObject(tls)) validate_route_tls(tls, spec, causes);
}

static void validate_service(const cJSON *o, cJSON *causes) {
        int i = 0;
        const cJSON *p;
        cJSON_ArrayForEach(p, ocx_json_path(o, "spec.ports")) {
                char f[64];
                int64_t port;
                snprintf(f, sizeof(f), "spec.ports[%d].port", i++);
                const cJSON *pv = ocx_json_get(p, "port");
                if (!pv) api_cause(causes, "FieldValueRequired", f, NULL, NULL);
                else if (ocx_json_int(pv, 1, 65535, &port) < 0 && cJSON_IsNumber(pv))
                        api_cause(causes, "FieldValueInvalid", f, pv, "must be between 1 and 65535, inclusive");
        }
}

static void validate_pod(const cJSON *o, cJSON *causes) {
        const cJSON *cs = ocx_json_path(o, "spec.containers");
        if (cJSON_GetArraySize(cs) == 0) {
                api_cause(causes, "FieldValueRequired", "spec.containers", NULL, NULL);
                return;
        }
        int i = 0;
        const cJSON *c;
        cJSON_ArrayForEach(c, cs) {
                char f[64];
                const char *n = ocx_json_get_str(c, "name");
                snprintf(f, sizeof(f), "spec.containers[%d].name", i);
                if (!n || !*n) api_cause(causes, "FieldValueRequired", f, NULL, NULL);
                else {
                        char *msg = ocx_validate_dns1123_label(n);
                        if (msg) {
                                api_cause_str(causes, "FieldValueInvalid", f, n, msg);
                                free(msg);
                        }
                }
                snprintf(f, sizeof(f), "spec.containers[%d].image", i);
                const char *img = ocx_json_get_str(c, "image");
                if (!img || !*img) api_cause(causes, "FieldValueRequired", f, NULL, NULL);
                i++;
        }
}

static void validate_configmap(const cJSON *o, cJSON *causes) {
        const cJSON *c;
        cJSON_ArrayForEach(c, ocx_json_get(o, "data")) {
                const char *k = c->string;
                bool ok = *k && strlen(k) <= 253 && !ocx_streq(k, ".") && !ocx_streq(k, "..");
                for (const char *p = k; ok && *p; p++)
                        ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                             *p == '-' || *p == '_' || *p == '.';
                if (!ok) {
                        char f[600];
                        snprintf(f, sizeof(f), "data[%s]", k);
                        api_cause_str(causes, "FieldValueInvalid", f, k,
                                      "a valid config key must consist of alphanumeric characters, '-', '_' or '.' "
                                      "(e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for "
                                      "validation is '[-._a-zA-Z0-9]+')");
                }
        }
}

static void validate_dc(const cJSON *o, cJSON *causes) {
        const cJSON *r = ocx_json_path(o, "spec.replicas");
        int64_t v;
        if (r && cJSON_IsNumber(r) && ocx_json_int(r, 0, INT32_MAX, &v) < 0)
                api_cause(causes, "FieldValueInvalid", "spec.replicas", r, "must be greater than or equal to 0");
}

static void validate_immutable(const cJSON *o, const cJSON *old, cJSON *causes) {
        static const char *const fields[] = {"metadata.name", "metadata.namespace", "metadata.uid"};
        for (size_t i = 0; i < OCX_ARRAY_SIZE(fields); i++) {
                const cJSON *nv = ocx_json_path(o, fields[i]), *ov = ocx_json_path(old, fields[i]);
                if (nv && !ocx_json_equal(nv, ov)) api_cause(causes, "FieldValueInvalid", fields[i], nv, "field is immutable");
        }
}

void api_validate(const api_kind *k, const cJSON *obj, const cJSON *old, cJSON *causes) {
        const cJSON *md = ocx_json_get(obj, "metadata");
        validate_name(k, md, causes);
        _cleanup_error_ ocx_error *e = NULL;
        if (ocx_validate_labels_annotations(md, &e) < 0)
                api_cause_str(causes, "FieldValueInvalid", e->field ? e->field : "metadata", NULL, e->message);
        if (old) validate_immutable(obj, old, causes);
        if (ocx_streq(k->plural, "routes")) validate_route(obj, old, causes);
        else if (ocx_streq(k->plural, "services")) validate_service(obj, causes);
        else if (ocx_streq(k->plural, "pods")) validate_pod(obj, causes);
        else if (ocx_streq(k->plural, "configmaps")) validate_configmap(obj, causes);
        else if (ocx_streq(k->plural, "deploymentconfigs")) validate_dc(obj, causes);
}
