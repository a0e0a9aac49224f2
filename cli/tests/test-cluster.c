#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include "cli/cluster.h"
#include "ocx/encoding.h"
#include "ocx/buf.h"
#include "ocx/cert.h"
#include "ocx/macro.h"
#include "ocx/banned.h"

static char tmp[64];

static int setup(void **state) {
        (void)state;
        snprintf(tmp, sizeof(tmp), "/tmp/ocx-test-cluster.XXXXXX");
        if (!mkdtemp(tmp)) return -1;
        return 0;
}

static int teardown(void **state) {
        (void)state;
        return cli_cluster_rmtree(tmp, NULL) < 0 ? -1 : 0;
}

static char *sub(const char *name) { return ocx_xasprintf("%s/%s", tmp, name); }

/* ---- listen / URLs ---------------------------------------------------------- */

static void check_listen(const char *listen, const char *pub, const char *want_listen,
                         const char *want_connect, const char *want_server, int want_port) {
        cli_cluster_opts o = {0};
        o.listen = ocx_xstrdup(listen);
        o.public_hostname = pub ? ocx_xstrdup(pub) : NULL;
        _cleanup_error_ ocx_error *e = NULL;
        assert_int_equal(cli_cluster_resolve_listen(&o, &e), 0);
        assert_string_equal(o.listen, want_listen);
        assert_string_equal(o.connect_host, want_connect);
        assert_string_equal(o.server, want_server);
        assert_int_equal(o.listen_port, want_port);
        cli_cluster_opts_release(&o);
}

static void listen_addresses(void **state) {
        (void)state;
        check_listen("127.0.0.1:8443", NULL, "127.0.0.1:8443", "127.0.0.1", "https://127.0.0.1:8443", 8443);
        check_listen("[::1]:9443", NULL, "[::1]:9443", "::1", "https://[::1]:9443", 9443);
        check_listen("0.0.0.0:8443", NULL, "0.0.0.0:8443", "127.0.0.1", "https://127.0.0.1:8443", 8443);
        check_listen("[::]:8443", NULL, "[::]:8443", "::1", "https://[::1]:8443", 8443);
        check_listen("localhost:1", NULL, "localhost:1", "localhost", "https://localhost:1", 1);
        check_listen("0.0.0.0:8443", "api.example.test", "0.0.0.0:8443", "127.0.0.1",
                     "https://api.example.test:8443", 8443);

        const char *bad[] = {"8443", "host:0", "host:65536", "[::1]8443", "a:b:c", "", ":8443",
                             "h:80x", "[nothex]:1", "bad host:1"};
        for (size_t i = 0; i < OCX_ARRAY_SIZE(bad); i++) {
                cli_cluster_opts o = {0};
                o.listen = ocx_xstrdup(bad[i]);
                _cleanup_error_ ocx_error *e = NULL;
                assert_int_equal(cli_cluster_resolve_listen(&o, &e), -EINVAL);
                assert_true(ocx_startswith(e->message, "invalid listen address"));
                cli_cluster_opts_release(&o);
        }
}

static void base64_vectors(void **state) {
        (void)state;
        const char *in[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
        const char *out[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
        for (size_t i = 0; i < OCX_ARRAY_SIZE(in); i++) {
                _cleanup_free_ char *b = ocx_base64_encode(in[i], strlen(in[i]), 0);
                assert_string_equal(b, out[i]);
        }
        unsigned char bin[] = {0xff, 0xfe, 0x00};
        _cleanup_free_ char *b = ocx_base64_encode(bin, 3, 0);
        assert_string_equal(b, "//4A");
}

/* ---- pid files and processes ----------------------------------------------------- */

static void pid_files(void **state) {
        (void)state;
        _cleanup_free_ char *p = sub("x.pid");
        pid_t pid = 0;
        assert_int_equal(cli_cluster_read_pid(p, &pid), -ENOENT);
        assert_int_equal(cli_cluster_write_pid(p, 4242, NULL), 0);
        assert_int_equal(cli_cluster_read_pid(p, &pid), 0);
        assert_int_equal(pid, 4242);
        const char *bad[] = {"", "abc\n", "-3\n", "12 13\n", "99999999999999999999\n", "0\n"};
        for (size_t i = 0; i < OCX_ARRAY_SIZE(bad); i++) {
                assert_int_equal(ocx_write_file_atomic(p, bad[i], strlen(bad[i]), 0644), 0);
                assert_int_equal(cli_cluster_read_pid(p, &pid), -EINVAL);
        }
        unlink(p);
}

/* sh -c SCRIPT sh --base-dir DIR: argv[0] is /bin/sh, --base-dir DIR in the args */
static pid_t start_sh(const char *script, const char *dir) {
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                execl("/bin/sh", "/bin/sh", "-c", script, "sh", "--base-dir", dir, (char *)NULL);
                _exit(127);
        }
        /* wait until exec happened */
        for (int i = 0; i < 200; i++) {
                char path[64];
                snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
                _cleanup_free_ char *c = NULL;
                size_t len = 0;
                if (ocx_read_file(path, 4096, &c, &len) == 0 && len > 3 && strcmp(c, "/bin/sh") == 0) break;
                struct timespec ts = {0, 5 * 1000 * 1000};
                nanosleep(&ts, NULL);
        }
        return pid;
}

static void process_identity(void **state) {
        (void)state;
        pid_t pid = start_sh("while :; do sleep 0.05; done", tmp);
        assert_true(cli_cluster_pid_alive(pid));
        assert_true(cli_cluster_pid_is(pid, "sh", tmp));
        assert_false(cli_cluster_pid_is(pid, "ocxd", tmp));
        assert_false(cli_cluster_pid_is(pid, "sh", "/var/lib/other"));
        assert_false(cli_cluster_pid_is(getpid(), "sh", tmp));

        assert_int_equal(cli_cluster_stop_pid(pid, 5000, NULL), 0);
        /* our own child lingers as a zombie until reaped: not alive either */
        assert_false(cli_cluster_pid_alive(pid));
        assert_false(cli_cluster_pid_is(pid, "sh", tmp));
        int st;
        assert_int_equal(waitpid(pid, &st, 0), pid);
        assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
        assert_false(cli_cluster_pid_alive(pid));
}

static void stop_escalates_to_sigkill(void **state) {
        (void)state;
        _cleanup_free_ char *flag = sub("trap-set");
        pid_t pid = start_sh("trap '' TERM; touch \"$2/trap-set\"; while :; do sleep 0.05; done", tmp);
        for (int i = 0; i < 400 && access(flag, F_OK) < 0; i++) {
                struct timespec ts = {0, 5 * 1000 * 1000};
                nanosleep(&ts, NULL);
        }
        assert_int_equal(access(flag, F_OK), 0); /* SIGTERM is ignored from here on */
        assert_int_equal(cli_cluster_stop_pid(pid, 200, NULL), 1);
        int st;
        assert_int_equal(waitpid(pid, &st, 0), pid);
        assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
}

static void find_binary(void **state) {
        (void)state;
        _cleanup_free_ char *p = NULL;
        assert_int_equal(cli_cluster_find_binary("sh", "/bin", &p, NULL), 0);
        assert_string_equal(p, "/bin/sh");
        _cleanup_free_ char *q = NULL;
        _cleanup_error_ ocx_error *e = NULL;
        assert_int_equal(cli_cluster_find_binary("no-such-daemon-xyz", tmp, &q, &e), -ENOENT);
        assert_null(q);
        assert_non_null(strstr(e->message, "cannot find 'no-such-daemon-xyz'"));
}

static void log_tail(void **state) {
        (void)state;
        _cleanup_free_ char *p = sub("t.log");
        ocx_buf b = OCX_BUF_INIT;
        for (int i = 1; i <= 30; i++) ocx_buf_printf(&b, "line %d\n", i);
        assert_int_equal(ocx_write_file_atomic(p, b.data, b.len, 0644), 0);
        ocx_buf_release(&b);
        _cleanup_free_ char *t = cli_cluster_log_tail(p, 3);
        assert_string_equal(t, "line 28\nline 29\nline 30");
        _cleanup_free_ char *all = cli_cluster_log_tail(p, 100);
        assert_true(ocx_startswith(all, "line 1\n"));
        _cleanup_free_ char *none = sub("missing.log");
        _cleanup_free_ char *m = cli_cluster_log_tail(none, 3);
        assert_string_equal(m, "");
        unlink(p);
}

static void rmtree_keeps_symlink_targets(void **state) {
        (void)state;
        _cleanup_free_ char *outside = sub("outside");
        _cleanup_free_ char *keep = sub("outside/keep");
        _cleanup_free_ char *tree = sub("tree");
        _cleanup_free_ char *deep = sub("tree/a/b");
        _cleanup_free_ char *f = sub("tree/a/b/f");
        _cleanup_free_ char *link = sub("tree/a/link");
        assert_int_equal(mkdir(outside, 0755), 0);
        assert_int_equal(ocx_write_file_atomic(keep, "x", 1, 0600), 0);
        assert_int_equal(mkdir(tree, 0755), 0);
        _cleanup_free_ char *a = sub("tree/a");
        assert_int_equal(mkdir(a, 0755), 0);
        assert_int_equal(mkdir(deep, 0700), 0);
        assert_int_equal(ocx_write_file_atomic(f, "y", 1, 0600), 0);
        assert_int_equal(symlink(outside, link), 0);
        assert_int_equal(cli_cluster_rmtree(tree, NULL), 0);
        assert_int_equal(access(tree, F_OK), -1);
        assert_int_equal(access(keep, F_OK), 0);
        assert_int_equal(cli_cluster_rmtree(tree, NULL), 0); /* already gone: fine */
}

static void port_check(void **state) {
        (void)state;
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        assert_true(fd >= 0);
        struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
        socklen_t sl = sizeof(sa);
        assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
        int port = ntohs(sa.sin_port);
        assert_int_equal(cli_cluster_check_port_free("127.0.0.1", port, NULL), 0); /* bound, not listening */
        assert_int_equal(listen(fd, 4), 0);
        _cleanup_error_ ocx_error *e = NULL;
        assert_int_equal(cli_cluster_check_port_free("127.0.0.1", port, &e), -EADDRINUSE);
        assert_non_null(strstr(e->message, "is already in use"));
        close(fd);
}

/* ---- starting daemons from a table ------------------------------------------------- */

static const char *fake_script;

static char **fake_argv(const cli_cluster_opts *o, const char *exe) {
        char **v = ocx_xcalloc(7, sizeof(char *));
        v[0] = ocx_xstrdup(exe);
        v[1] = ocx_xstrdup("-c");
        v[2] = ocx_xstrdup(fake_script);
        v[3] = ocx_xstrdup("sh");
        v[4] = ocx_xstrdup("--base-dir");
        v[5] = ocx_xstrdup(o->base_dir);
        return v;
}

static int fake_ready(const cli_cluster_opts *o, ocx_error **reterr) {
        _cleanup_free_ char *flag = ocx_xasprintf("%s/ready-flag", o->base_dir);
        if (access(flag, F_OK) == 0) return 1;
        ocx_error_set(reterr, EAGAIN, NULL, "no ready-flag yet");
        return 0;
}

static const cli_cluster_daemon fake_table[] = {{"sh", fake_argv, fake_ready, NULL}};

static void fake_opts(cli_cluster_opts *o, const char *dir) {
        memset(o, 0, sizeof(*o));
        o->base_dir = ocx_xstrdup(dir);
        o->bin_dir = ocx_xstrdup("/bin");
        o->ready_timeout_ms = 5000;
        _cleanup_free_ char *run = ocx_xasprintf("%s/run", dir);
        _cleanup_free_ char *logs = ocx_xasprintf("%s/logs", dir);
        mkdir(dir, 0755);
        mkdir(run, 0755);
        mkdir(logs, 0755);
}

static void start_failure_reports_log(void **state) {
        (void)state;
        _cleanup_free_ char *dir = sub("fail");
        cli_cluster_opts o;
        fake_opts(&o, dir);
        fake_script = "echo 'listen tcp 127.0.0.1:8443: bind: address already in use' >&2; exit 3";
        _cleanup_error_ ocx_error *e = NULL;
        bool already = true;
        long t0 = time(NULL);
        assert_true(cli_cluster_start(&o, fake_table, 1, &already, &e) < 0);
        assert_true(time(NULL) - t0 < 3); /* fails fast, not after the timeout */
        assert_non_null(strstr(e->message, "exited before it was ready"));
        assert_non_null(strstr(e->message, "--- last lines of "));
        assert_non_null(strstr(e->message, "bind: address already in use"));
        _cleanup_free_ char *pidf = cli_cluster_pid_path(&o, "sh");
        assert_int_equal(access(pidf, F_OK), -1);
        cli_cluster_opts_release(&o);
}

static void start_timeout_stops_daemon(void **state) {
        (void)state;
        _cleanup_free_ char *dir = sub("slow");
        cli_cluster_opts o;
        fake_opts(&o, dir);
        o.ready_timeout_ms = 300;
        fake_script = "echo starting; while :; do sleep 0.05; done";
        _cleanup_error_ ocx_error *e = NULL;
        assert_int_equal(cli_cluster_start(&o, fake_table, 1, NULL, &e), -ETIMEDOUT);
        assert_non_null(strstr(e->message, "sh did not become ready within 0.3s: no ready-flag yet"));
        assert_non_null(strstr(e->message, "starting"));
        _cleanup_free_ char *pidf = cli_cluster_pid_path(&o, "sh");
        assert_int_equal(access(pidf, F_OK), -1);
        cli_cluster_opts_release(&o);
}

static void start_adopt_stop(void **state) {
        (void)state;
        _cleanup_free_ char *dir = sub("ok");
        cli_cluster_opts o;
        fake_opts(&o, dir);
        fake_script = "sleep 0.1; touch \"$2/ready-flag\"; while :; do sleep 0.05; done";
        bool already = true;
        _cleanup_error_ ocx_error *e = NULL;
        assert_int_equal(cli_cluster_start(&o, fake_table, 1, &already, &e), 0);
        assert_false(already);
        _cleanup_free_ char *pidf = cli_cluster_pid_path(&o, "sh");
        pid_t pid = 0;
        assert_int_equal(cli_cluster_read_pid(pidf, &pid), 0);
        assert_true(cli_cluster_pid_is(pid, "sh", o.base_dir));
        /* detached: its own session, not our child */
        assert_int_not_equal(getsid(pid), getsid(0));
        assert_int_equal(waitpid(pid, NULL, WNOHANG), -1);

        /* second start adopts it */
        assert_int_equal(cli_cluster_start(&o, fake_table, 1, &already, NULL), 0);
        assert_true(already);
        pid_t again = 0;
        assert_int_equal(cli_cluster_read_pid(pidf, &again), 0);
        assert_int_equal(again, pid);

        assert_int_equal(cli_cluster_stop(&o, fake_table, 1, 5000, NULL, NULL), 1);
        assert_false(cli_cluster_pid_alive(pid));
        assert_int_equal(access(pidf, F_OK), -1);
        assert_int_equal(cli_cluster_stop(&o, fake_table, 1, 5000, NULL, NULL), 0);

        /* a pid file naming somebody else's process is stale: nothing is signalled */
        assert_int_equal(cli_cluster_write_pid(pidf, getpid(), NULL), 0);
        assert_int_equal(cli_cluster_stop(&o, fake_table, 1, 5000, NULL, NULL), 0);
        assert_int_equal(access(pidf, F_OK), -1);
        cli_cluster_opts_release(&o);
}

static void missing_binary(void **state) {
        (void)state;
        _cleanup_free_ char *dir = sub("nobin");
        cli_cluster_opts o;
        fake_opts(&o, dir);
        const cli_cluster_daemon t[] = {{"no-such-daemon-xyz", fake_argv, fake_ready, NULL}};
        _cleanup_error_ ocx_error *e = NULL;
        assert_int_equal(cli_cluster_start(&o, t, 1, NULL, &e), -ENOENT);
        cli_cluster_opts_release(&o);
}

/* ---- PKI ---------------------------------------------------------------------------- */

static char *slurp(const char *path) {
        char *s = NULL;
        size_t len = 0;
        assert_int_equal(ocx_read_file(path, 65536, &s, &len), 0);
        return s;
}

static void pki(void **state) {
        (void)state;
        _cleanup_free_ char *dir = sub("pki-test");
        assert_int_equal(mkdir(dir, 0755), 0);
        cli_cluster_opts o = {0};
        o.base_dir = ocx_xstrdup(dir);
        o.listen = ocx_xstrdup("127.0.0.1:8443");
        assert_int_equal(cli_cluster_resolve_listen(&o, NULL), 0);
        _cleanup_error_ ocx_error *e = NULL;
        assert_int_equal(cli_cluster_pki_ensure(&o, &e), 0);

        const char *files[] = {"ca.crt", "ca.key", "apiserver.crt", "apiserver.key", "admin.crt", "admin.key"};
        for (size_t i = 0; i < OCX_ARRAY_SIZE(files); i++) {
                _cleanup_free_ char *p = ocx_xasprintf("%s/pki/%s", dir, files[i]);
                struct stat st;
                assert_int_equal(stat(p, &st), 0);
                assert_int_equal(st.st_mode & 07777, strstr(files[i], ".key") ? 0600 : 0644);
        }
        _cleanup_free_ char *ca_p = ocx_xasprintf("%s/pki/ca.crt", dir);
        _cleanup_free_ char *api_p = ocx_xasprintf("%s/pki/apiserver.crt", dir);
        _cleanup_free_ char *adm_p = ocx_xasprintf("%s/pki/admin.crt", dir);
        _cleanup_free_ char *ca1 = slurp(ca_p), *api1 = slurp(api_p), *adm1 = slurp(adm_p);
        assert_int_equal(ocx_cert_covers(api1, "127.0.0.1", 0, NULL), 1);
        assert_int_equal(ocx_cert_covers(api1, "::1", 0, NULL), 1);
        assert_int_equal(ocx_cert_covers(api1, "localhost", 0, NULL), 1);
        assert_int_equal(ocx_cert_covers(api1, "kubernetes.default.svc", 0, NULL), 1);
        assert_int_equal(ocx_cert_covers(api1, "api.example.test", 0, NULL), 0);

        _cleanup_cert_verifier_ ocx_cert_verifier *v = NULL;
        assert_int_equal(ocx_cert_verifier_new(ca1, strlen(ca1), &v, NULL), 0);
        ocx_cert_blob b = {adm1, strlen(adm1)};
        ocx_cert_identity id = {0};
        assert_int_equal(ocx_cert_verify_peer(v, &b, 1, OCX_CERT_PEM, &id, NULL), 0);
        assert_string_equal(id.user, "system:admin");
        assert_int_equal(id.n_groups, 1);
        assert_string_equal(id.groups[0], "system:masters");
        ocx_cert_identity_release(&id);

        /* again: nothing changes */
        assert_int_equal(cli_cluster_pki_ensure(&o, NULL), 0);
        _cleanup_free_ char *ca2 = slurp(ca_p), *api2 = slurp(api_p), *adm2 = slurp(adm_p);
        assert_string_equal(ca1, ca2);
        assert_string_equal(api1, api2);
        assert_string_equal(adm1, adm2);

        /* a new public hostname reissues only the serving certificate */
        o.public_hostname = ocx_xstrdup("api.example.test");
        assert_int_equal(cli_cluster_resolve_listen(&o, NULL), 0);
        assert_int_equal(cli_cluster_pki_ensure(&o, NULL), 0);
        _cleanup_free_ char *ca3 = slurp(ca_p), *api3 = slurp(api_p), *adm3 = slurp(adm_p);
        assert_string_equal(ca1, ca3);
        assert_string_not_equal(api1, api3);
        assert_string_equal(adm1, adm3);
        assert_int_equal(ocx_cert_covers(api3, "api.example.test", 0, NULL), 1);
        cli_cluster_opts_release(&o);
}

int main(void) {
        signal(SIGPIPE, SIG_IGN);
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(listen_addresses),
                cmocka_unit_test(base64_vectors),
                cmocka_unit_test(pid_files),
                cmocka_unit_test(process_identity),
                cmocka_unit_test(stop_escalates_to_sigkill),
                cmocka_unit_test(find_binary),
                cmocka_unit_test(log_tail),
                cmocka_unit_test(rmtree_keeps_symlink_targets),
                cmocka_unit_test(port_check),
                cmocka_unit_test(start_failure_reports_log),
                cmocka_unit_test(start_timeout_stops_daemon),
                cmocka_unit_test(start_adopt_stop),
                cmocka_unit_test(missing_binary),
                cmocka_unit_test(pki),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
