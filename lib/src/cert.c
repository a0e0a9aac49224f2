/* ocx — X.509 helpers over GnuTLS (see ocx/cert.h). */
#include "ocx/cert.h"
#include <arpa/inet.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "ocx/buf.h"
#include "ocx/banned.h"

#define CERT_FILE_CAP (64 * 1024)
#define MAX_CHAIN 16
#define MAX_DN_VALUE 1024
#define MAX_GROUPS 256

struct ocx_cert_verifier {
        gnutls_x509_trust_list_t list;
};

OCX_DEFINE_CLEANUP_FUNC(gnutls_x509_crt_t, gnutls_x509_crt_deinit)
OCX_DEFINE_CLEANUP_FUNC(gnutls_x509_privkey_t, gnutls_x509_privkey_deinit)
#define _cleanup_crt_ _cleanup_(gnutls_x509_crt_deinitp)
#define _cleanup_privkey_ _cleanup_(gnutls_x509_privkey_deinitp)

static void datum_freep(gnutls_datum_t *d) {
        gnutls_free(d->data);
        d->data = NULL;
        d->size = 0;
}
#define _cleanup_datum_ _cleanup_(datum_freep)

static int tls_fail(ocx_error **reterr, int code, int gr, const char *what) {
        return ocx_error_set(reterr, code, NULL, "%s: %s", what, gnutls_strerror(gr));
}

void ocx_cert_pair_release(ocx_cert_pair *p) {
        if (!p) return;
        free(p->cert_pem);
        if (p->key_pem) {
                explicit_bzero(p->key_pem, strlen(p->key_pem));
                free(p->key_pem);
        }
        p->cert_pem = p->key_pem = NULL;
}

void ocx_cert_identity_release(ocx_cert_identity *id) {
        if (!id) return;
        free(id->user);
        for (size_t i = 0; i < id->n_groups; i++) free(id->groups[i]);
        free(id->groups);
        id->user = NULL;
        id->groups = NULL;
        id->n_groups = 0;
}

/* ---- import / export ------------------------------------------------------ */

static int import_crt(const char *pem, gnutls_x509_crt_t *ret, ocx_error **reterr) {
        if (!pem) return ocx_error_set(reterr, EINVAL, NULL, "no certificate");
        gnutls_x509_crt_t crt;
        int gr = gnutls_x509_crt_init(&crt);
        if (gr < 0) return tls_fail(reterr, EIO, gr, "cannot allocate certificate");
        gnutls_datum_t d = {(unsigned char *)(uintptr_t)pem, (unsigned)strlen(pem)};
        gr = gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_PEM);
        if (gr < 0) {
                gnutls_x509_crt_deinit(crt);
                return tls_fail(reterr, EINVAL, gr, "invalid certificate");
        }
        *ret = crt;
        return 0;
}

static int import_key(const char *pem, gnutls_x509_privkey_t *ret, ocx_error **reterr) {
        if (!pem) return ocx_error_set(reterr, EINVAL, NULL, "no private key");
        gnutls_x509_privkey_t key;
        int gr = gnutls_x509_privkey_init(&key);
        if (gr < 0) return tls_fail(reterr, EIO, gr, "cannot allocate private key");
        gnutls_datum_t d = {(unsigned char *)(uintptr_t)pem, (unsigned)strlen(pem)};
        gr = gnutls_x509_privkey_import2(key, &d, GNUTLS_X509_FMT_PEM, NULL, GNUTLS_PKCS_PLAIN);
        if (gr < 0) {
                gnutls_x509_privkey_deinit(key);
                return tls_fail(reterr, EINVAL, gr, "invalid private key");
        }
        *ret = key;
        return 0;
}

static char *datum_to_str(const gnutls_datum_t *d) {
        return ocx_xstrndup((const char *)d->data, d->size);
}

static int export_pair(gnutls_x509_crt_t crt, gnutls_x509_privkey_t key, ocx_cert_pair *ret,
                       ocx_error **reterr) {
        _cleanup_datum_ gnutls_datum_t c = {NULL, 0};
        _cleanup_datum_ gnutls_datum_t k = {NULL, 0};
        int gr = gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &c);
        if (gr < 0) return tls_fail(reterr, EIO, gr, "cannot export certificate");
        gr = gnutls_x509_privkey_export2_pkcs8(key, GNUTLS_X509_FMT_PEM, NULL, GNUTLS_PKCS_PLAIN,
                                               &k);
        if (gr < 0) return tls_fail(reterr, EIO, gr, "cannot export private key");
        ret->cert_pem = datum_to_str(&c);
        ret->key_pem = datum_to_str(&k);
        explicit_bzero(k.data, k.size);
        return 0;
}

/* ---- building certificates -------------------------------------------------- */

static int new_key(gnutls_x509_privkey_t *ret, ocx_error **reterr) {
        gnutls_x509_privkey_t key;
        int gr = gnutls_x509_privkey_init(&key);
        if (gr < 0) return tls_fail(reterr, EIO, gr, "cannot allocate private key");
        gr = gnutls_x509_privkey_generate(key, GNUTLS_PK_ECDSA,
                                          GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0);
        if (gr < 0) {
                gnutls_x509_privkey_deinit(key);
                return tls_fail(reterr, EIO, gr, "cannot generate private key");
        }
        *ret = key;
        return 0;
}

/* Version, random positive serial, validity, subject, public key and SKID. */
static int crt_base(gnutls_x509_crt_t crt, gnutls_x509_privkey_t key, const char *cn,
                    const char *const *orgs, time_t not_before, time_t not_after, int ca_years,
                    ocx_error **reterr) {
        if (!cn || !*cn) return ocx_error_set(reterr, EINVAL, NULL, "certificate needs a common name");
        int gr = gnutls_x509_crt_set_version(crt, 3);
        if (gr < 0) return tls_fail(reterr, EIO, gr, "cannot set certificate version");

        unsigned char serial[16];
        gr = gnutls_rnd(GNUTLS_RND_NONCE, serial, sizeof(serial));
        if (gr < 0) return tls_fail(reterr, EIO, gr, "cannot generate serial number");
        serial[0] = (unsigned char)((serial[0] & 0x7f) | 0x40); /* positive, full length */
        gr = gnutls_x509_crt_set_serial(crt, serial, sizeof(serial));
        if (gr < 0) return tls_fail(reterr, EIO, gr, "cannot set serial number");

        time_t now = time(NULL);
        if (!not_before) not_before = now - 5 * 60;
        if (!not_after) not_after = not_before + (time_t)ca_years * 365 * 24 * 3600;
        if (not_after <= not_before)
                return ocx_error_set(reterr, EINVAL, NULL, "certificate validity ends before it starts");
        if ((gr = gnutls_x509_crt_set_activation_time(crt, not_before)) < 0 ||
            (gr = gnutls_x509_crt_set_expiration_time(crt, not_after)) < 0)
                return tls_fail(reterr, EIO, gr, "cannot set validity");

        /* O values first, then CN (the order kubeadm and openssl recipes use). */
        for (size_t i = 0; orgs && orgs[i]; i++) {
                if (!*orgs[i]) return ocx_error_set(reterr, EINVAL, NULL, "empty organization");
                gr = gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_ORGANIZATION_NAME, 0,
                                                   orgs[i], (unsigned)strlen(orgs[i]));
                if (gr < 0) return tls_fail(reterr, EINVAL, gr, "invalid organization");
        }
        gr = gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, cn,
                                           (unsigned)strlen(cn));
        if (gr < 0) return tls_fail(reterr, EINVAL, gr, "invalid common name");

        gr = gnutls_x509_crt_set_key(crt, key);
        if (gr < 0) return tls_fail(reterr, EIO, gr, "cannot set public key");

        unsigned char kid[64];
        size_t kid_len = sizeof(kid);
        gr = gnutls_x509_crt_get_key_id(crt, GNUTLS_KEYID_USE_SHA1, kid, &kid_len);
        if (gr < 0) return tls_fail(reterr, EIO, gr, "cannot compute key id");
        gr = gnutls_x509_crt_set_subject_key_id(crt, kid, kid_len);
        if (gr < 0) return tls_fail(reterr, EIO, gr, "cannot set subject key id");
        return 0;
}

int ocx_cert_ca_new(const char *common_name, time_t not_before, time_t not_after,
                    ocx_cert_pair *ret, ocx_error **reterr) {
        _cleanup_privkey_ gnutls_x509_privkey_t key = NULL;
        _cleanup_crt_ gnutls_x509_crt_t crt = NULL;
        int r = new_key(&key, reterr);
        if (r < 0) return r;
        int gr = gnutls_x509_crt_init(&crt);
        if (gr < 0) return tls_fail(reterr, EIO, gr, "cannot allocate certificate");
        r = crt_base(crt, key, common_name, NULL, not_before, not_after, 10, reterr);
        if (r < 0) return r;
        if ((gr = gnutls_x509_crt_set_basic_constraints(crt, 1, 0)) < 0 ||
            (gr = gnutls_x509_crt_set_key_usage(crt, GNUTLS_KEY_KEY_CERT_SIGN |
                                                             GNUTLS_KEY_CRL_SIGN |
                                                             GNUTLS_KEY_DIGITAL_SIGNATURE)) < 0)
                return tls_fail(reterr, EIO, gr, "cannot set CA extensions");
        gr = gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256, 0);
        if (gr < 0) return tls_fail(reterr, EIO, gr, "cannot sign CA certificate");
        return export_pair(crt, key, ret, reterr);
}

static int add_sans(gnutls_x509_crt_t crt, const ocx_cert_spec *spec, ocx_error **reterr) {
        for (size_t i = 0; spec->dns_names && spec->dns_names[i]; i++) {
                const char *n = spec->dns_names[i];
                if (!*n || strlen(n) > 253)
                        return ocx_error_set(reterr, EINVAL, NULL, "invalid DNS name '%s'", n);
                int gr = gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME, n,
                                                              (unsigned)strlen(n),
                                                              GNUTLS_FSAN_APPEND);
                if (gr < 0) return tls_fail(reterr, EINVAL, gr, "invalid DNS name");
        }
        for (size_t i = 0; spec->ip_addresses && spec->ip_addresses[i]; i++) {
                const char *ip = spec->ip_addresses[i];
                unsigned char raw[16];
                unsigned len;
                if (inet_pton(AF_INET, ip, raw) == 1)
                        len = 4;
                else if (inet_pton(AF_INET6, ip, raw) == 1)
                        len = 16;
                else
                        return ocx_error_set(reterr, EINVAL, NULL, "invalid IP address '%s'", ip);
                int gr = gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, raw, len,
                                                              GNUTLS_FSAN_APPEND);
                if (gr < 0) return tls_fail(reterr, EINVAL, gr, "invalid IP address");
        }
        return 0;
}

int ocx_cert_issue(const ocx_cert_pair *ca, const ocx_cert_spec *spec, ocx_cert_pair *ret,
                   ocx_error **reterr) {
        _cleanup_crt_ gnutls_x509_crt_t ca_crt = NULL;
        _cleanup_privkey_ gnutls_x509_privkey_t ca_key = NULL;
        _cleanup_privkey_ gnutls_x509_privkey_t key = NULL;
        _cleanup_crt_ gnutls_x509_crt_t crt = NULL;
        int r;
        if ((r = import_crt(ca->cert_pem, &ca_crt, reterr)) < 0 ||
            (r = import_key(ca->key_pem, &ca_key, reterr)) < 0)
                return ocx_error_wrap(reterr, "CA");
        if ((r = new_key(&key, reterr)) < 0) return r;
        int gr = gnutls_x509_crt_init(&crt);
        if (gr < 0) return tls_fail(reterr, EIO, gr, "cannot allocate certificate");
        r = crt_base(crt, key, spec->common_name, spec->organizations, spec->not_before,
                     spec->not_after, 2, reterr);
        if (r < 0) return r;
        if ((r = add_sans(crt, spec, reterr)) < 0) return r;

        if ((gr = gnutls_x509_crt_set_basic_constraints(crt, 0, -1)) < 0 ||
            (gr = gnutls_x509_crt_set_key_usage(crt, GNUTLS_KEY_DIGITAL_SIGNATURE)) < 0)
                return tls_fail(reterr, EIO, gr, "cannot set certificate extensions");
        if (spec->usage & OCX_CERT_SERVER) {
                gr = gnutls_x509_crt_set_key_purpose_oid(crt, GNUTLS_KP_TLS_WWW_SERVER, 0);
                if (gr < 0) return tls_fail(reterr, EIO, gr, "cannot set key purpose");
        }
        if (spec->usage & OCX_CERT_CLIENT) {
                gr = gnutls_x509_crt_set_key_purpose_oid(crt, GNUTLS_KP_TLS_WWW_CLIENT, 0);
                if (gr < 0) return tls_fail(reterr, EIO, gr, "cannot set key purpose");
        }

        unsigned char kid[64];
        size_t kid_len = sizeof(kid);
        if (gnutls_x509_crt_get_subject_key_id(ca_crt, kid, &kid_len, NULL) >= 0) {
                gr = gnutls_x509_crt_set_authority_key_id(crt, kid, kid_len);
                if (gr < 0) return tls_fail(reterr, EIO, gr, "cannot set authority key id");
        }
        gr = gnutls_x509_crt_sign2(crt, ca_crt, ca_key, GNUTLS_DIG_SHA256, 0);
        if (gr < 0) return tls_fail(reterr, EIO, gr, "cannot sign certificate");
        return export_pair(crt, key, ret, reterr);
}

/* ---- files ------------------------------------------------------------------------ */

int ocx_cert_pair_write(const ocx_cert_pair *p, const char *cert_path, const char *key_path,
                        ocx_error **reterr) {
        int r;
        if (key_path) {
                if (!p->key_pem) return ocx_error_set(reterr, EINVAL, NULL, "no private key to write");
                r = ocx_write_file_atomic(key_path, p->key_pem, strlen(p->key_pem), 0600);
                if (r < 0)
                        return ocx_error_set(reterr, -r, NULL, "cannot write '%s': %s", key_path,
                                             strerror(-r));
        }
        r = ocx_write_file_atomic(cert_path, p->cert_pem, strlen(p->cert_pem), 0644);
        if (r < 0)
                return ocx_error_set(reterr, -r, NULL, "cannot write '%s': %s", cert_path,
                                     strerror(-r));
        return 0;
}

static int read_text(const char *path, char **ret, ocx_error **reterr) {
        char *s = NULL;
        size_t len = 0;
        int r = ocx_read_file(path, CERT_FILE_CAP, &s, &len);
        if (r < 0)
                return ocx_error_set(reterr, -r, NULL, "cannot read '%s': %s", path, strerror(-r));
        if (memchr(s, '\0', len)) {
                free(s);
                return ocx_error_set(reterr, EINVAL, NULL, "'%s' is not a PEM file", path);
        }
        *ret = s;
        return 0;
}

int ocx_cert_pair_read(const char *cert_path, const char *key_path, ocx_cert_pair *ret,
                       ocx_error **reterr) {
        _cleanup_cert_pair_ ocx_cert_pair p = OCX_CERT_PAIR_INIT;
        _cleanup_crt_ gnutls_x509_crt_t crt = NULL;
        _cleanup_privkey_ gnutls_x509_privkey_t key = NULL;
        int r = read_text(cert_path, &p.cert_pem, reterr);
        if (r < 0) return r;
        if ((r = import_crt(p.cert_pem, &crt, reterr)) < 0) return ocx_error_wrap(reterr, "'%s'", cert_path);
        if (key_path) {
                if ((r = read_text(key_path, &p.key_pem, reterr)) < 0) return r;
                if ((r = import_key(p.key_pem, &key, reterr)) < 0)
                        return ocx_error_wrap(reterr, "'%s'", key_path);
                unsigned char a[64], b[64];
                size_t alen = sizeof(a), blen = sizeof(b);
                if (gnutls_x509_crt_get_key_id(crt, GNUTLS_KEYID_USE_SHA256, a, &alen) < 0 ||
                    gnutls_x509_privkey_get_key_id(key, GNUTLS_KEYID_USE_SHA256, b, &blen) < 0 ||
                    alen != blen || memcmp(a, b, alen) != 0)
                        return ocx_error_set(reterr, EINVAL, NULL,
                                             "private key '%s' does not match certificate '%s'",
                                             key_path, cert_path);
        }
        *ret = p;
        p.cert_pem = p.key_pem = NULL;
        return 0;
}

int ocx_cert_covers(const char *cert_pem, const char *host, time_t now, ocx_error **reterr) {
        _cleanup_crt_ gnutls_x509_crt_t crt = NULL;
        int r = import_crt(cert_pem, &crt, reterr);
        if (r < 0) return r;
        if (!now) now = time(NULL);
        if (gnutls_x509_crt_get_activation_time(crt) > now ||
            gnutls_x509_crt_get_expiration_time(crt) < now)
                return 0;
        if (!host) return 1;
        unsigned char raw[16];
        if (inet_pton(AF_INET, host, raw) == 1) return gnutls_x509_crt_check_ip(crt, raw, 4, 0) ? 1 : 0;
        if (inet_pton(AF_INET6, host, raw) == 1)
                return gnutls_x509_crt_check_ip(crt, raw, 16, 0) ? 1 : 0;
        return gnutls_x509_crt_check_hostname2(crt, host, GNUTLS_VERIFY_DO_NOT_ALLOW_WILDCARDS) ? 1
                                                                                                 : 0;
}

/* ---- verification ------------------------------------------------------------------- */

int ocx_cert_verifier_new(const char *ca_pem, size_t len, ocx_cert_verifier **ret,
                          ocx_error **reterr) {
        if (!ca_pem || len == 0 || len > UINT32_MAX)
                return ocx_error_set(reterr, EINVAL, NULL, "no CA certificate");
        ocx_cert_verifier *v = ocx_xcalloc(1, sizeof(*v));
        int gr = gnutls_x509_trust_list_init(&v->list, 0);
        if (gr < 0) {
                free(v);
                return tls_fail(reterr, EIO, gr, "cannot allocate trust list");
        }
        gnutls_datum_t d = {(unsigned char *)(uintptr_t)ca_pem, (unsigned)len};
        gr = gnutls_x509_trust_list_add_trust_mem(v->list, &d, NULL, GNUTLS_X509_FMT_PEM, 0, 0);
        if (gr <= 0) {
                ocx_cert_verifier_free(v);
                if (gr == 0) return ocx_error_set(reterr, EINVAL, NULL, "no CA certificate found");
                return tls_fail(reterr, EINVAL, gr, "invalid CA certificate");
        }
        *ret = v;
        return 0;
}

int ocx_cert_verifier_new_file(const char *ca_path, ocx_cert_verifier **ret, ocx_error **reterr) {
        _cleanup_free_ char *pem = NULL;
        int r = read_text(ca_path, &pem, reterr);
        if (r < 0) return r;
        r = ocx_cert_verifier_new(pem, strlen(pem), ret, reterr);
        if (r < 0) return ocx_error_wrap(reterr, "'%s'", ca_path);
        return 0;
}

ocx_cert_verifier *ocx_cert_verifier_free(ocx_cert_verifier *v) {
        if (v) {
                gnutls_x509_trust_list_deinit(v->list, 1);
                free(v);
        }
        return NULL;
}

/* Reads the subject's CN (first one) and O values (in order) straight from
 * the attribute values: no RFC 4514 escaping, so "a, b" stays "a, b". */
static int subject_identity(gnutls_x509_crt_t crt, ocx_cert_identity *id, ocx_error **reterr) {
        gnutls_x509_dn_t dn;
        int gr = gnutls_x509_crt_get_subject(crt, &dn);
        if (gr < 0) return tls_fail(reterr, EINVAL, gr, "invalid certificate subject");
        for (int irdn = 0; irdn < 64; irdn++) {
                int iava;
                for (iava = 0; iava < 16; iava++) {
                        gnutls_x509_ava_st ava;
                        gr = gnutls_x509_dn_get_rdn_ava(dn, irdn, iava, &ava);
                        if (gr == GNUTLS_E_ASN1_ELEMENT_NOT_FOUND) break;
                        if (gr < 0) return tls_fail(reterr, EINVAL, gr, "invalid certificate subject");
                        char oid[64];
                        size_t olen = strnlen((const char *)ava.oid.data, ava.oid.size);
                        if (olen >= sizeof(oid)) continue;
                        memcpy(oid, ava.oid.data, olen);
                        oid[olen] = '\0';
                        bool is_cn = strcmp(oid, GNUTLS_OID_X520_COMMON_NAME) == 0;
                        bool is_o = strcmp(oid, GNUTLS_OID_X520_ORGANIZATION_NAME) == 0;
                        if (!is_cn && !is_o) continue;
                        /* UTF8String, PrintableString, TeletexString, IA5String */
                        if (ava.value_tag != 12 && ava.value_tag != 19 && ava.value_tag != 20 &&
                            ava.value_tag != 22)
                                return ocx_error_set(reterr, EINVAL, NULL,
                                                     "certificate subject uses an unsupported string type");
                        if (ava.value.size > MAX_DN_VALUE || memchr(ava.value.data, 0, ava.value.size))
                                return ocx_error_set(reterr, EINVAL, NULL, "invalid certificate subject value");
                        char *v = ocx_xstrndup((const char *)ava.value.data, ava.value.size);
                        if (is_cn) {
                                if (id->user) free(v);
                                else id->user = v;
                                continue;
                        }
                        if (id->n_groups >= MAX_GROUPS) {
                                free(v);
                                return ocx_error_set(reterr, EINVAL, NULL,
                                                     "client certificate has more than %d groups", MAX_GROUPS);
                        }
                        id->groups = ocx_xrealloc(id->groups, (id->n_groups + 1) * sizeof(char *));
                        id->groups[id->n_groups++] = v;
                }
                if (iava == 0) break; /* past the last RDN */
        }
        return 0;
}

static const char *status_message(unsigned status) {
        if (status & (GNUTLS_CERT_SIGNER_NOT_FOUND | GNUTLS_CERT_SIGNATURE_FAILURE |
                      GNUTLS_CERT_SIGNER_NOT_CA))
                return "certificate signed by unknown authority";
        if (status & (GNUTLS_CERT_EXPIRED | GNUTLS_CERT_NOT_ACTIVATED))
                return "certificate has expired or is not yet valid";
        if (status & GNUTLS_CERT_PURPOSE_MISMATCH)
                return "certificate specifies an incompatible key usage";
        if (status & GNUTLS_CERT_INSECURE_ALGORITHM)
                return "certificate uses an insecure algorithm";
        return NULL;
}

int ocx_cert_verify_peer(const ocx_cert_verifier *v, const ocx_cert_blob *chain, size_t n,
                         ocx_cert_format fmt, ocx_cert_identity *ret, ocx_error **reterr) {
        gnutls_x509_crt_t crts[MAX_CHAIN];
        unsigned ncrt = 0;
        int r = 0, gr;
        ocx_cert_identity id = {NULL, NULL, 0};

        if (!v || !chain || n == 0)
                return ocx_error_set(reterr, EPERM, NULL, "no client certificate");
        for (size_t i = 0; i < n && ncrt < MAX_CHAIN; i++) {
                if (!chain[i].data || chain[i].len == 0 || chain[i].len > CERT_FILE_CAP) {
                        r = ocx_error_set(reterr, EINVAL, NULL, "invalid certificate %zu", i);
                        goto out;
                }
                gnutls_datum_t d = {(unsigned char *)(uintptr_t)chain[i].data, (unsigned)chain[i].len};
                if (fmt == OCX_CERT_DER) {
                        if ((gr = gnutls_x509_crt_init(&crts[ncrt])) < 0) {
                                r = tls_fail(reterr, EIO, gr, "cannot allocate certificate");
                                goto out;
                        }
                        ncrt++;
                        gr = gnutls_x509_crt_import(crts[ncrt - 1], &d, GNUTLS_X509_FMT_DER);
                        if (gr < 0) {
                                r = tls_fail(reterr, EINVAL, gr, "invalid certificate");
                                goto out;
                        }
                } else {
                        unsigned room = MAX_CHAIN - ncrt;
                        gr = gnutls_x509_crt_list_import(crts + ncrt, &room, &d, GNUTLS_X509_FMT_PEM,
                                                         GNUTLS_X509_CRT_LIST_IMPORT_FAIL_IF_EXCEED);
                        if (gr == GNUTLS_E_SHORT_MEMORY_BUFFER) {
                                r = ocx_error_set(reterr, EINVAL, NULL,
                                                  "certificate chain longer than %d", MAX_CHAIN);
                                goto out;
                        }
                        if (gr <= 0) {
                                r = gr == 0 ? ocx_error_set(reterr, EINVAL, NULL, "no certificate found")
                                            : tls_fail(reterr, EINVAL, gr, "invalid certificate");
                                goto out;
                        }
                        ncrt += (unsigned)gr;
                }
        }

        gnutls_typed_vdata_st purpose = {GNUTLS_DT_KEY_PURPOSE_OID,
                                         (unsigned char *)(uintptr_t)GNUTLS_KP_TLS_WWW_CLIENT, 0};
        unsigned status = 0;
        gr = gnutls_x509_trust_list_verify_crt2(v->list, crts, ncrt, &purpose, 1, 0, &status, NULL);
        if (gr < 0) {
                r = tls_fail(reterr, EPERM, gr, "cannot verify certificate");
                goto out;
        }
        if (status != 0) {
                const char *m = status_message(status);
                if (m) {
                        r = ocx_error_set(reterr, EPERM, NULL, "%s", m);
                } else {
                        gnutls_datum_t out = {NULL, 0};
                        if (gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509, &out, 0) >= 0) {
                                r = ocx_error_set(reterr, EPERM, NULL, "certificate not trusted: %s",
                                                  (const char *)out.data);
                                gnutls_free(out.data);
                        } else {
                                r = ocx_error_set(reterr, EPERM, NULL, "certificate not trusted");
                        }
                }
                goto out;
        }
        unsigned critical = 0;
        if (gnutls_x509_crt_get_basic_constraints(crts[0], &critical, NULL, NULL) > 0) {
                r = ocx_error_set(reterr, EPERM, NULL, "a CA certificate is not a client certificate");
                goto out;
        }

        if ((r = subject_identity(crts[0], &id, reterr)) < 0) goto out;
        if (!id.user || !*id.user) {
                r = ocx_error_set(reterr, EINVAL, NULL, "client certificate has no common name");
                goto out;
        }
        *ret = id;
        id.user = NULL;
        id.groups = NULL;
        id.n_groups = 0;
        r = 0;
out:
        ocx_cert_identity_release(&id);
        for (unsigned i = 0; i < ncrt; i++) gnutls_x509_crt_deinit(crts[i]);
        return r;
}
