/* ocx-router — TLS for the HTTPS listener: the default certificate, and
 * per-route certificates (edge routes' spec.tls.certificate/key, plus
 * caCertificate as chain) chosen by SNI from the table in service. */
#include "rt-h2o.h"
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <string.h>
#include "ocx/log.h"
#include "ocx/macro.h"
#include "router/match.h"
#include "ocx/banned.h"

#define MAX_CACHED 256

typedef struct cert_entry {
        struct cert_entry *next;
        char *cert, *key; /* the PEM the context was built from */
        SSL_CTX *ctx;
} cert_entry;

static _Thread_local cert_entry *cache; /* per serving thread */
static _Thread_local size_t n_cache;

static void setup_ctx(SSL_CTX *ctx) {
        SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
        SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_CIPHER_SERVER_PREFERENCE);
        h2o_ssl_register_alpn_protocols(ctx, h2o_http2_alpn_protocols);
}

static SSL_CTX *ctx_from_pem(const char *cert, const char *key, const char *ca) {
        SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
        BIO *b = BIO_new_mem_buf(cert, -1);
        X509 *x = PEM_read_bio_X509(b, NULL, NULL, NULL);
        BIO_free(b);
        b = BIO_new_mem_buf(key, -1);
        EVP_PKEY *k = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
        BIO_free(b);
        bool ok = ctx && x && k && SSL_CTX_use_certificate(ctx, x) == 1 && SSL_CTX_use_PrivateKey(ctx, k) == 1 &&
                  SSL_CTX_check_private_key(ctx) == 1;
        X509_free(x);
        EVP_PKEY_free(k);
        if (ok && ca) {
                b = BIO_new_mem_buf(ca, -1);
                X509 *c;
                while ((c = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL)
                        if (SSL_CTX_add_extra_chain_cert(ctx, c) != 1) X509_free(c);
                BIO_free(b);
        }
        ERR_clear_error();
        if (!ok) {
                SSL_CTX_free(ctx);
                return NULL;
        }
        setup_ctx(ctx);
        return ctx;
}

static SSL_CTX *route_ctx(const rt_route *r) {
        for (cert_entry *e = cache; e; e = e->next)
                if (strcmp(e->cert, r->cert_pem) == 0 && strcmp(e->key, r->key_pem) == 0) return e->ctx;
        SSL_CTX *ctx = ctx_from_pem(r->cert_pem, r->key_pem, r->ca_pem);
        if (!ctx) {
                log_warn("route %s/%s: unusable TLS certificate or key; using the default certificate", r->ns,
                         r->name);
                return NULL;
        }
        if (n_cache >= MAX_CACHED) { /* drop the oldest half-hearted: the tail */
                cert_entry **pp = &cache;
                while ((*pp)->next) pp = &(*pp)->next;
                /* contexts may still be referenced by live connections: OpenSSL refcounts them */
                SSL_CTX_free((*pp)->ctx), free((*pp)->cert), free((*pp)->key), free(*pp);
                *pp = NULL;
                n_cache--;
        }
        cert_entry *e = ocx_xcalloc(1, sizeof(*e));
        e->cert = ocx_xstrdup(r->cert_pem), e->key = ocx_xstrdup(r->key_pem), e->ctx = ctx;
        e->next = cache, cache = e;
        n_cache++;
        return ctx;
}

void rt_tls_thread_cleanup(void) {
        while (cache) {
                cert_entry *e = cache;
                cache = e->next;
                SSL_CTX_free(e->ctx), free(e->cert), free(e->key), free(e);
        }
        n_cache = 0;
}

static const rt_route *route_for_sni(const rt_table *t, const char *host) {
        const char *dom = rt_host_domain(host);
        for (size_t i = 0; i < t->n_exact; i++)
                if (strcmp(t->exact[i]->host, host) == 0 && t->exact[i]->cert_pem && t->exact[i]->key_pem)
                        return t->exact[i];
        for (size_t i = 0; dom && i < t->n_wild; i++)
                if (strcmp(t->wild[i]->domain, dom) == 0 && t->wild[i]->cert_pem && t->wild[i]->key_pem)
                        return t->wild[i];
        return NULL;
}

static int on_servername(SSL *ssl, int *al, void *arg) {
        (void)al, (void)arg;
        const char *sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
        char host[RT_HOST_MAX];
        uint16_t port;
        if (!sni || rt_host_normalize(sni, strlen(sni), host, sizeof(host), &port) <= 0) return SSL_TLSEXT_ERR_OK;
        rt_table *t = rt_proxy_table_ref();
        const rt_route *r = t ? route_for_sni(t, host) : NULL;
        SSL_CTX *ctx = r ? route_ctx(r) : NULL;
        if (ctx) SSL_set_SSL_CTX(ssl, ctx);
        rt_proxy_table_unref(t);
        return SSL_TLSEXT_ERR_OK;
}

SSL_CTX *rt_tls_server_ctx(const rt_config *cfg) {
        SSL_load_error_strings();
        SSL_library_init();
        SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
        if (!ctx || SSL_CTX_use_certificate_chain_file(ctx, cfg->default_cert) != 1 ||
            SSL_CTX_use_PrivateKey_file(ctx, cfg->default_key ? cfg->default_key : cfg->default_cert,
                                        SSL_FILETYPE_PEM) != 1 ||
            SSL_CTX_check_private_key(ctx) != 1) {
                char buf[256];
                ERR_error_string_n(ERR_get_error(), buf, sizeof(buf));
                log_error("default certificate '%s': %s", cfg->default_cert, buf);
                SSL_CTX_free(ctx);
                return NULL;
        }
        setup_ctx(ctx);
        SSL_CTX_set_tlsext_servername_callback(ctx, on_servername);
        return ctx;
}
