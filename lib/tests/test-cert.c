#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <signal.h>
#include <fcntl.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "ocx/buf.h"
#include "ocx/cert.h"
#include "ocx/banned.h"

static ocx_cert_pair ca, server, client;

static int setup(void **state) {
        (void)state;
        ocx_error *e = NULL;
        if (ocx_cert_ca_new("ocx-ca", 0, 0, &ca, &e) < 0) return -1;
        const char *dns[] = {"localhost", "api.example.test", NULL};
        const char *ips[] = {"127.0.0.1", "::1", NULL};
        ocx_cert_spec s = {.common_name = "ocx-apiserver", .dns_names = dns, .ip_addresses = ips,
                           .usage = OCX_CERT_SERVER};
        if (ocx_cert_issue(&ca, &s, &server, &e) < 0) return -1;
        const char *groups[] = {"system:masters", "team, with comma", "équipe", NULL};
        ocx_cert_spec c = {.common_name = "system:admin", .organizations = groups,
                           .usage = OCX_CERT_CLIENT};
        if (ocx_cert_issue(&ca, &c, &client, &e) < 0) return -1;
        return 0;
}

static char tmpdir[64];
static int run(const char *const argv[]);

static int teardown(void **state) {
        (void)state;
        if (tmpdir[0]) {
                const char *rm[] = {"/bin/rm", "-rf", tmpdir, NULL};
                (void)run(rm);
        }
        ocx_cert_pair_release(&ca);
        ocx_cert_pair_release(&server);
        ocx_cert_pair_release(&client);
        return 0;
}

static ocx_cert_verifier *verifier(void) {
        ocx_cert_verifier *v = NULL;
        assert_int_equal(ocx_cert_verifier_new(ca.cert_pem, strlen(ca.cert_pem), &v, NULL), 0);
        return v;
}

static void pem_shapes(void **state) {
        (void)state;
        assert_true(ocx_startswith(ca.cert_pem, "-----BEGIN CERTIFICATE-----"));
        assert_true(ocx_startswith(ca.key_pem, "-----BEGIN PRIVATE KEY-----"));
        assert_true(ocx_startswith(client.cert_pem, "-----BEGIN CERTIFICATE-----"));
        assert_true(ocx_startswith(client.key_pem, "-----BEGIN PRIVATE KEY-----"));
}

static void client_verifies_pem(void **state) {
        (void)state;
        _cleanup_cert_verifier_ ocx_cert_verifier *v = verifier();
        ocx_cert_blob b = {client.cert_pem, strlen(client.cert_pem)};
        ocx_cert_identity id = {0};
        _cleanup_error_ ocx_error *e = NULL;
        assert_int_equal(ocx_cert_verify_peer(v, &b, 1, OCX_CERT_PEM, &id, &e), 0);
        assert_string_equal(id.user, "system:admin");
        assert_int_equal(id.n_groups, 3);
        assert_string_equal(id.groups[0], "system:masters");
        assert_string_equal(id.groups[1], "team, with comma");
        assert_string_equal(id.groups[2], "équipe");
        ocx_cert_identity_release(&id);
}

static void client_verifies_der(void **state) {
        (void)state;
        _cleanup_cert_verifier_ ocx_cert_verifier *v = verifier();
        /* what gnutls_certificate_get_peers hands the API server */
        gnutls_x509_crt_t crt;
        assert_int_equal(gnutls_x509_crt_init(&crt), 0);
        gnutls_datum_t pem = {(unsigned char *)client.cert_pem, (unsigned)strlen(client.cert_pem)};
        assert_int_equal(gnutls_x509_crt_import(crt, &pem, GNUTLS_X509_FMT_PEM), 0);
        gnutls_datum_t der = {NULL, 0};
        assert_int_equal(gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER, &der), 0);
        gnutls_x509_crt_deinit(crt);

        ocx_cert_blob b = {der.data, der.size};
        ocx_cert_identity id = {0};
        assert_int_equal(ocx_cert_verify_peer(v, &b, 1, OCX_CERT_DER, &id, NULL), 0);
        assert_string_equal(id.user, "system:admin");
        assert_int_equal(id.n_groups, 3);
        ocx_cert_identity_release(&id);

        /* garbage DER */
        der.data[10] ^= 0xff;
        der.data[11] ^= 0xff;
        _cleanup_error_ ocx_error *e = NULL;
        int r = ocx_cert_verify_peer(v, &b, 1, OCX_CERT_DER, &id, &e);
        assert_true(r == -EINVAL || r == -EPERM);
        gnutls_free(der.data);
}

static void other_ca_rejected(void **state) {
        (void)state;
        /* same subject as the real CA: only the signature tells them apart */
        _cleanup_cert_pair_ ocx_cert_pair other = OCX_CERT_PAIR_INIT;
        _cleanup_cert_pair_ ocx_cert_pair forged = OCX_CERT_PAIR_INIT;
        assert_int_equal(ocx_cert_ca_new("ocx-ca", 0, 0, &other, NULL), 0);
        const char *groups[] = {"system:masters", NULL};
        ocx_cert_spec c = {.common_name = "system:admin", .organizations = groups,
                           .usage = OCX_CERT_CLIENT};
        assert_int_equal(ocx_cert_issue(&other, &c, &forged, NULL), 0);

        _cleanup_cert_verifier_ ocx_cert_verifier *v = verifier();
        ocx_cert_blob b = {forged.cert_pem, strlen(forged.cert_pem)};
        ocx_cert_identity id = {0};
        _cleanup_error_ ocx_error *e = NULL;
        assert_int_equal(ocx_cert_verify_peer(v, &b, 1, OCX_CERT_PEM, &id, &e), -EPERM);
        assert_string_equal(e->message, "certificate signed by unknown authority");
        assert_null(id.user);

        /* a chain that brings its own (untrusted) root does not help either */
        ocx_cert_blob chain[2] = {{forged.cert_pem, strlen(forged.cert_pem)},
                                  {other.cert_pem, strlen(other.cert_pem)}};
        assert_int_equal(ocx_cert_verify_peer(v, chain, 2, OCX_CERT_PEM, &id, NULL), -EPERM);
}

static void expired_rejected(void **state) {
        (void)state;
        _cleanup_cert_pair_ ocx_cert_pair old = OCX_CERT_PAIR_INIT;
        time_t now = time(NULL);
        ocx_cert_spec c = {.common_name = "alice", .usage = OCX_CERT_CLIENT,
                           .not_before = now - 3 * 86400, .not_after = now - 86400};
        assert_int_equal(ocx_cert_issue(&ca, &c, &old, NULL), 0);
        _cleanup_cert_verifier_ ocx_cert_verifier *v = verifier();
        ocx_cert_blob b = {old.cert_pem, strlen(old.cert_pem)};
        ocx_cert_identity id = {0};
        _cleanup_error_ ocx_error *e = NULL;
        assert_int_equal(ocx_cert_verify_peer(v, &b, 1, OCX_CERT_PEM, &id, &e), -EPERM);
        assert_string_equal(e->message, "certificate has expired or is not yet valid");

        _cleanup_cert_pair_ ocx_cert_pair future = OCX_CERT_PAIR_INIT;
        ocx_cert_spec f = {.common_name = "bob", .usage = OCX_CERT_CLIENT,
                           .not_before = now + 86400, .not_after = now + 2 * 86400};
        assert_int_equal(ocx_cert_issue(&ca, &f, &future, NULL), 0);
        ocx_cert_blob fb = {future.cert_pem, strlen(future.cert_pem)};
        assert_int_equal(ocx_cert_verify_peer(v, &fb, 1, OCX_CERT_PEM, &id, NULL), -EPERM);
        assert_int_equal(ocx_cert_covers(future.cert_pem, NULL, 0, NULL), 0);
        assert_int_equal(ocx_cert_covers(future.cert_pem, NULL, now + 86400 + 10, NULL), 1);
}

static void server_cert_is_not_a_client_cert(void **state) {
        (void)state;
        _cleanup_cert_verifier_ ocx_cert_verifier *v = verifier();
        ocx_cert_blob b = {server.cert_pem, strlen(server.cert_pem)};
        ocx_cert_identity id = {0};
        _cleanup_error_ ocx_error *e = NULL;
        assert_int_equal(ocx_cert_verify_peer(v, &b, 1, OCX_CERT_PEM, &id, &e), -EPERM);
        assert_string_equal(e->message, "certificate specifies an incompatible key usage");

        /* nor is the CA itself */
        ocx_cert_blob cab = {ca.cert_pem, strlen(ca.cert_pem)};
        assert_int_equal(ocx_cert_verify_peer(v, &cab, 1, OCX_CERT_PEM, &id, NULL), -EPERM);
}

static void bad_inputs(void **state) {
        (void)state;
        _cleanup_cert_verifier_ ocx_cert_verifier *v = verifier();
        ocx_cert_identity id = {0};
        assert_int_equal(ocx_cert_verify_peer(v, NULL, 0, OCX_CERT_PEM, &id, NULL), -EPERM);
        ocx_cert_blob junk = {"not a cert", 10};
        assert_int_equal(ocx_cert_verify_peer(v, &junk, 1, OCX_CERT_PEM, &id, NULL), -EINVAL);

        ocx_cert_verifier *w = NULL;
        _cleanup_error_ ocx_error *e = NULL;
        assert_int_equal(ocx_cert_verifier_new("junk", 4, &w, &e), -EINVAL);
        assert_null(w);

        _cleanup_cert_pair_ ocx_cert_pair p = OCX_CERT_PAIR_INIT;
        const char *ips[] = {"300.1.1.1", NULL};
        ocx_cert_spec s = {.common_name = "x", .ip_addresses = ips, .usage = OCX_CERT_SERVER};
        _cleanup_error_ ocx_error *e2 = NULL;
        assert_int_equal(ocx_cert_issue(&ca, &s, &p, &e2), -EINVAL);
        assert_string_equal(e2->message, "invalid IP address '300.1.1.1'");
        ocx_cert_spec nocn = {.common_name = "", .usage = OCX_CERT_CLIENT};
        assert_int_equal(ocx_cert_issue(&ca, &nocn, &p, NULL), -EINVAL);
}

static void covers_hosts(void **state) {
        (void)state;
        assert_int_equal(ocx_cert_covers(server.cert_pem, "127.0.0.1", 0, NULL), 1);
        assert_int_equal(ocx_cert_covers(server.cert_pem, "::1", 0, NULL), 1);
        assert_int_equal(ocx_cert_covers(server.cert_pem, "localhost", 0, NULL), 1);
        assert_int_equal(ocx_cert_covers(server.cert_pem, "API.example.test", 0, NULL), 1);
        assert_int_equal(ocx_cert_covers(server.cert_pem, "10.0.0.1", 0, NULL), 0);
        assert_int_equal(ocx_cert_covers(server.cert_pem, "other.test", 0, NULL), 0);
        assert_int_equal(ocx_cert_covers(server.cert_pem, NULL, time(NULL) + 3 * 365 * 86400L, NULL), 0);
        assert_int_equal(ocx_cert_covers("junk", NULL, 0, NULL), -EINVAL);
}

static char *tmp_path(const char *name) { return ocx_xasprintf("%s/%s", tmpdir, name); }

static int run(const char *const argv[]) {
        pid_t pid = fork();
        if (pid < 0) return -1;
        if (pid == 0) {
                int fd = open("/dev/null", O_WRONLY);
                if (fd >= 0) {
                        dup2(fd, 1);
                        dup2(fd, 2);
                }
                execv(argv[0], (char *const *)argv);
                _exit(127);
        }
        int st;
        if (waitpid(pid, &st, 0) < 0) return -1;
        return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void files_and_openssl(void **state) {
        (void)state;
        snprintf(tmpdir, sizeof(tmpdir), "/tmp/ocx-test-cert.XXXXXX");
        assert_non_null(mkdtemp(tmpdir));
        _cleanup_free_ char *cacrt = tmp_path("ca.crt"), *cakey = tmp_path("ca.key");
        _cleanup_free_ char *crt = tmp_path("server.crt"), *key = tmp_path("server.key");
        _cleanup_free_ char *ccrt = tmp_path("client.crt"), *ckey = tmp_path("client.key");
        assert_int_equal(ocx_cert_pair_write(&ca, cacrt, cakey, NULL), 0);
        assert_int_equal(ocx_cert_pair_write(&server, crt, key, NULL), 0);
        assert_int_equal(ocx_cert_pair_write(&client, ccrt, ckey, NULL), 0);
        struct stat st;
        assert_int_equal(stat(cakey, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0600);
        assert_int_equal(stat(key, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0600);
        assert_int_equal(stat(crt, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0644);

        _cleanup_cert_pair_ ocx_cert_pair back = OCX_CERT_PAIR_INIT;
        assert_int_equal(ocx_cert_pair_read(cacrt, cakey, &back, NULL), 0);
        assert_string_equal(back.cert_pem, ca.cert_pem);
        assert_string_equal(back.key_pem, ca.key_pem);
        _cleanup_error_ ocx_error *e = NULL;
        _cleanup_cert_pair_ ocx_cert_pair mism = OCX_CERT_PAIR_INIT;
        assert_int_equal(ocx_cert_pair_read(cacrt, key, &mism, &e), -EINVAL);
        assert_non_null(strstr(e->message, "does not match"));

        /* a CA reloaded from disk still issues certificates that verify */
        _cleanup_cert_pair_ ocx_cert_pair again = OCX_CERT_PAIR_INIT;
        ocx_cert_spec c = {.common_name = "developer", .usage = OCX_CERT_CLIENT};
        assert_int_equal(ocx_cert_issue(&back, &c, &again, NULL), 0);
        _cleanup_cert_verifier_ ocx_cert_verifier *v = NULL;
        assert_int_equal(ocx_cert_verifier_new_file(cacrt, &v, NULL), 0);
        ocx_cert_blob b = {again.cert_pem, strlen(again.cert_pem)};
        ocx_cert_identity id = {0};
        assert_int_equal(ocx_cert_verify_peer(v, &b, 1, OCX_CERT_PEM, &id, NULL), 0);
        assert_string_equal(id.user, "developer");
        assert_int_equal(id.n_groups, 0);
        ocx_cert_identity_release(&id);

        /* interop: OpenSSL accepts what GnuTLS wrote */
        if (access("/usr/bin/openssl", X_OK) == 0) {
                const char *v1[] = {"/usr/bin/openssl", "verify", "-CAfile", cacrt, "-purpose",
                                    "sslserver", crt, NULL};
                assert_int_equal(run(v1), 0);
                const char *v2[] = {"/usr/bin/openssl", "verify", "-CAfile", cacrt, "-purpose",
                                    "sslclient", ccrt, NULL};
                assert_int_equal(run(v2), 0);
                const char *v3[] = {"/usr/bin/openssl", "verify", "-CAfile", cacrt, "-purpose",
                                    "sslclient", crt, NULL};
                assert_int_not_equal(run(v3), 0);
                const char *v4[] = {"/usr/bin/openssl", "pkey", "-in", ckey, "-noout", NULL};
                assert_int_equal(run(v4), 0);
        }
}

/* What the API server does: a TLS handshake that requests a client
 * certificate, then gnutls_certificate_get_peers -> ocx_cert_verify_peer. */
static gnutls_certificate_credentials_t creds_for(const ocx_cert_pair *p) {
        gnutls_certificate_credentials_t c;
        assert_int_equal(gnutls_certificate_allocate_credentials(&c), 0);
        if (p) {
                gnutls_datum_t cd = {(unsigned char *)p->cert_pem, (unsigned)strlen(p->cert_pem)};
                gnutls_datum_t kd = {(unsigned char *)p->key_pem, (unsigned)strlen(p->key_pem)};
                assert_int_equal(gnutls_certificate_set_x509_key_mem(c, &cd, &kd, GNUTLS_X509_FMT_PEM), 0);
        }
        return c;
}

static void handshake_identity(const ocx_cert_pair *client_pair, int want_r, const char *want_user) {
        int sv[2];
        assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) { /* client */
                close(sv[0]);
                gnutls_certificate_credentials_t c = creds_for(client_pair);
                gnutls_datum_t ca_d = {(unsigned char *)ca.cert_pem, (unsigned)strlen(ca.cert_pem)};
                gnutls_certificate_set_x509_trust_mem(c, &ca_d, GNUTLS_X509_FMT_PEM);
                gnutls_session_t s;
                gnutls_init(&s, GNUTLS_CLIENT);
                gnutls_set_default_priority(s);
                gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, c);
                gnutls_server_name_set(s, GNUTLS_NAME_DNS, "localhost", 9);
                gnutls_session_set_verify_cert(s, "localhost", 0);
                gnutls_transport_set_int(s, sv[1]);
                int r;
                do r = gnutls_handshake(s);
                while (r < 0 && !gnutls_error_is_fatal(r));
                char b = 0;
                if (r == 0) gnutls_record_recv(s, &b, 1); /* wait for the server's verdict */
                _exit(r == 0 && b == 'k' ? 0 : 1);
        }
        close(sv[1]);
        gnutls_certificate_credentials_t c = creds_for(&server);
        gnutls_session_t s;
        assert_int_equal(gnutls_init(&s, GNUTLS_SERVER), 0);
        gnutls_set_default_priority(s);
        gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, c);
        gnutls_certificate_server_set_request(s, GNUTLS_CERT_REQUEST);
        gnutls_transport_set_int(s, sv[0]);
        int r;
        do r = gnutls_handshake(s);
        while (r < 0 && !gnutls_error_is_fatal(r));
        assert_int_equal(r, 0);
        unsigned n = 0;
        const gnutls_datum_t *peers = gnutls_certificate_get_peers(s, &n);
        ocx_cert_blob blobs[4];
        for (unsigned i = 0; i < n && i < 4; i++) {
                blobs[i].data = peers[i].data;
                blobs[i].len = peers[i].size;
        }
        _cleanup_cert_verifier_ ocx_cert_verifier *v = verifier();
        ocx_cert_identity id = {0};
        int vr = ocx_cert_verify_peer(v, blobs, n < 4 ? n : 4, OCX_CERT_DER, &id, NULL);
        gnutls_record_send(s, "k", 1);
        assert_int_equal(vr, want_r);
        if (want_user) assert_string_equal(id.user, want_user);
        ocx_cert_identity_release(&id);
        gnutls_bye(s, GNUTLS_SHUT_WR);
        int st;
        assert_int_equal(waitpid(pid, &st, 0), pid);
        assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
        gnutls_deinit(s);
        gnutls_certificate_free_credentials(c);
        close(sv[0]);
}

static void tls_handshake_client_identity(void **state) {
        (void)state;
        handshake_identity(&client, 0, "system:admin");
        handshake_identity(NULL, -EPERM, NULL); /* anonymous: no certificate */
        _cleanup_cert_pair_ ocx_cert_pair other = OCX_CERT_PAIR_INIT, forged = OCX_CERT_PAIR_INIT;
        assert_int_equal(ocx_cert_ca_new("ocx-ca", 0, 0, &other, NULL), 0);
        ocx_cert_spec c = {.common_name = "system:admin", .usage = OCX_CERT_CLIENT};
        assert_int_equal(ocx_cert_issue(&other, &c, &forged, NULL), 0);
        handshake_identity(&forged, -EPERM, NULL);
}

int main(void) {
        signal(SIGPIPE, SIG_IGN); /* a refused handshake may close the socket under a write */
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(pem_shapes),
                cmocka_unit_test(client_verifies_pem),
                cmocka_unit_test(client_verifies_der),
                cmocka_unit_test(other_ca_rejected),
                cmocka_unit_test(expired_rejected),
                cmocka_unit_test(server_cert_is_not_a_client_cert),
                cmocka_unit_test(bad_inputs),
                cmocka_unit_test(covers_hosts),
                cmocka_unit_test(files_and_openssl),
                cmocka_unit_test(tls_handshake_client_identity),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
