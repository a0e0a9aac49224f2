/* ocx — X.509 helpers over GnuTLS: a cluster CA, serving certificates with
 * DNS/IP subject alternative names, client certificates whose subject names
 * the user (CN) and its groups (one O per group), PEM in memory and on disk,
 * and verification of a peer's certificate chain against the CA (the API
 * server's client-certificate authentication).
 *
 * Keys are ECDSA P-256 (PKCS#8 PEM, "BEGIN PRIVATE KEY"); signatures
 * ecdsa-with-SHA256. GnuTLS, OpenSSL (libcurl, h2o, the openssl tool) and Go
 * (kubectl) all accept them.
 *
 * Errors: -EINVAL for malformed input (bad PEM, bad SAN, missing CN), -EPERM
 * for a peer certificate that does not verify (unknown authority, expired,
 * not valid for client authentication), -EIO for unexpected GnuTLS failures,
 * and the errno of a failed file operation. Each sets *reterr when given. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <time.h>
#include "ocx/error.h"

/* A certificate and its private key, both PEM, NUL terminated, heap owned. */
typedef struct ocx_cert_pair {
        char *cert_pem;
        char *key_pem;
} ocx_cert_pair;

#define OCX_CERT_PAIR_INIT {NULL, NULL}

void ocx_cert_pair_release(ocx_cert_pair *p);
static inline void ocx_cert_pair_releasep(ocx_cert_pair *p) { ocx_cert_pair_release(p); }
#define _cleanup_cert_pair_ _cleanup_(ocx_cert_pair_releasep)

typedef enum ocx_cert_usage {
        OCX_CERT_SERVER = 1, /* extendedKeyUsage serverAuth */
        OCX_CERT_CLIENT = 2, /* extendedKeyUsage clientAuth */
} ocx_cert_usage;

/* What to put in an issued certificate. Lists are NULL terminated and may be
 * NULL. */
typedef struct ocx_cert_spec {
        const char *common_name;          /* required: the user name for a client */
        const char *const *organizations; /* O values: a client's groups */
        const char *const *dns_names;     /* subjectAltName dNSName */
        const char *const *ip_addresses;  /* subjectAltName iPAddress, "127.0.0.1", "::1" */
        unsigned usage;                   /* OCX_CERT_SERVER | OCX_CERT_CLIENT */
        /* Validity. 0 = defaults: not_before = now - 5 minutes (clock skew),
         * not_after = not_before + 2 years (10 years for a CA). */
        time_t not_before, not_after;
} ocx_cert_spec;

/* Creates a self-signed CA (CA:TRUE, pathlen 0, keyCertSign|cRLSign) with
 * subject CN=common_name. */
int ocx_cert_ca_new(const char *common_name, time_t not_before, time_t not_after,
                    ocx_cert_pair *ret, ocx_error **reterr);

/* Issues a leaf certificate signed by ca (which must hold the CA's key).
 * Every iPAddress must parse as IPv4 or IPv6. */
int ocx_cert_issue(const ocx_cert_pair *ca, const ocx_cert_spec *spec, ocx_cert_pair *ret,
                   ocx_error **reterr);

/* Writes the certificate (mode 0644) and the key (mode 0600) atomically.
 * key_path may be NULL to write only the certificate. */
int ocx_cert_pair_write(const ocx_cert_pair *p, const char *cert_path, const char *key_path,
                        ocx_error **reterr);
/* Reads both files (64 KiB cap each) and checks that they parse and that the
 * key belongs to the certificate. key_path may be NULL (then key_pem is NULL). */
int ocx_cert_pair_read(const char *cert_path, const char *key_path, ocx_cert_pair *ret,
                       ocx_error **reterr);

/* Facts about the first certificate of a PEM text: is it valid at `now`
 * (0 = current time) and does it cover `host` (a DNS name or an IP address,
 * matched against its SANs; NULL skips the host check). Returns 1 yes, 0 no,
 * or a negative errno when the PEM does not parse. */
int ocx_cert_covers(const char *cert_pem, const char *host, time_t now, ocx_error **reterr);

/* ---- verification of peers (client-certificate authentication) ---------- */

typedef struct ocx_cert_verifier ocx_cert_verifier;

/* Trust anchors from a PEM bundle (one or more CA certificates). */
int ocx_cert_verifier_new(const char *ca_pem, size_t len, ocx_cert_verifier **ret,
                          ocx_error **reterr);
int ocx_cert_verifier_new_file(const char *ca_path, ocx_cert_verifier **ret, ocx_error **reterr);
ocx_cert_verifier *ocx_cert_verifier_free(ocx_cert_verifier *v);
OCX_DEFINE_CLEANUP_FUNC(ocx_cert_verifier *, ocx_cert_verifier_free)
#define _cleanup_cert_verifier_ _cleanup_(ocx_cert_verifier_freep)

/* One certificate as received: DER bytes (what gnutls_certificate_get_peers
 * returns, leaf first) or PEM text (several certificates allowed, leaf first). */
typedef struct ocx_cert_blob {
        const void *data;
        size_t len;
} ocx_cert_blob;

typedef enum ocx_cert_format { OCX_CERT_DER = 0, OCX_CERT_PEM = 1 } ocx_cert_format;

/* Who a verified client certificate names: user = subject CN, groups = the
 * subject's O values in order. */
typedef struct ocx_cert_identity {
        char *user;
        char **groups; /* n_groups entries, heap owned */
        size_t n_groups;
} ocx_cert_identity;

void ocx_cert_identity_release(ocx_cert_identity *id);

/* Verifies the chain (leaf first; intermediates may follow) against the
 * verifier's anchors at the current time, requiring the leaf to be usable for
 * TLS client authentication (no extendedKeyUsage, or one with clientAuth).
 * On success fills *ret (caller releases). -EPERM with a message such as
 * "certificate signed by unknown authority" or "certificate has expired or is
 * not yet valid" when it does not verify; -EINVAL when a blob does not parse
 * or the subject has no CN. At most 16 certificates are considered. */
int ocx_cert_verify_peer(const ocx_cert_verifier *v, const ocx_cert_blob *chain, size_t n,
                         ocx_cert_format fmt, ocx_cert_identity *ret, ocx_error **reterr);
