/* ocx-router — flags and start-up. */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "router/router.h"
#include "rt.h"
#include "ocx/log.h"
#include "ocx/macro.h"
#include "ocx/banned.h"

int rt_kubeconfig_load(const char *path, ocx_http_config *cfg, ocx_error **reterr);

static const char usage[] =
        "Usage: ocx-router [flags]\n"
        "\n"
        "Serves OpenShift routes: watches routes, services and endpoints and proxies by Host.\n"
        "\n"
        "Source (one of):\n"
        "  --api-server URL          API server (with --token and --insecure or --ca-file)\n"
        "  --kubeconfig FILE         take server and credentials from a kubeconfig\n"
        "  --routes-file FILE        JSON/YAML List of Route, Service and Endpoints objects (re-read on change)\n"
        "  --token TOKEN             bearer token\n"
        "  --insecure                do not verify the API server's certificate\n"
        "  --ca-file FILE            CA bundle for the API server\n"
        "Listeners:\n"
        "  --listen-http ADDR        default 127.0.0.1:80 (\"\" disables)\n"
        "  --listen-https ADDR       default 127.0.0.1:443 (needs --default-cert)\n"
        "  --stats ADDR              /healthz and /metrics, default 127.0.0.1:1936 (\"\" disables)\n"
        "  --default-cert FILE       PEM certificate chain for TLS (edge routes without their own)\n"
        "  --default-key FILE        PEM key (default: in --default-cert)\n"
        "  --base-dir DIR            cluster base directory (set by `ocx cluster up`; identifies the process)\n"
        "Behaviour:\n"
        "  --name NAME               routerName in status.ingress (default \"default\")\n"
        "  --router-domain DOMAIN    host for routes that set only spec.subdomain ($ROUTER_DOMAIN)\n"
        "  --no-status               do not write status.ingress\n"
        "  --allow-wildcard-routes   admit wildcardPolicy: Subdomain routes\n"
        "  --disable-namespace-ownership-check\n"
        "                            other namespaces may claim other paths of a host\n"
        "  --connect-timeout T       endpoint connect timeout (default 5s)\n"
        "  --server-timeout T        default server timeout (default 30s)\n"
        "  --access-log FILE         apache-style access log\n"
        "  --max-header-bytes N      431 above this (default 32768)\n"
        "  --header-timeout T        a request head must arrive within T (slowloris; default 10s)\n"
        "  --threads N               serving threads (default: the number of CPUs, at most 16)\n"
        "Timeouts take HAProxy syntax: 500ms, 5s, 2m; a bare number is milliseconds.\n";

enum { O_API = 256, O_KUBECONFIG, O_ROUTES, O_TOKEN, O_INSECURE, O_CA, O_HTTP, O_HTTPS, O_STATS, O_CERT, O_KEY,
       O_NAME, O_DOMAIN, O_BASEDIR, O_NOSTATUS, O_WILD, O_NONS, O_CTO, O_STO, O_LOG, O_MAXHDR, O_HDRTO, O_THREADS, O_HELP };

static const struct option options[] = {
        {"api-server", required_argument, NULL, O_API},
        {"kubeconfig", required_argument, NULL, O_KUBECONFIG},
        {"routes-file", required_argument, NULL, O_ROUTES},
        {"token", required_argument, NULL, O_TOKEN},
        {"insecure", no_argument, NULL, O_INSECURE},
        {"ca-file", required_argument, NULL, O_CA},
        {"listen-http", required_argument, NULL, O_HTTP},
        {"listen-https", required_argument, NULL, O_HTTPS},
        {"stats", required_argument, NULL, O_STATS},
        {"default-cert", required_argument, NULL, O_CERT},
        {"default-key", required_argument, NULL, O_KEY},
        {"name", required_argument, NULL, O_NAME},
        {"router-domain", required_argument, NULL, O_DOMAIN},
        {"base-dir", required_argument, NULL, O_BASEDIR},
        {"no-status", no_argument, NULL, O_NOSTATUS},
        {"allow-wildcard-routes", no_argument, NULL, O_WILD},
        {"disable-namespace-ownership-check", no_argument, NULL, O_NONS},
        {"connect-timeout", required_argument, NULL, O_CTO},
        {"server-timeout", required_argument, NULL, O_STO},
        {"access-log", required_argument, NULL, O_LOG},
        {"max-header-bytes", required_argument, NULL, O_MAXHDR},
        {"header-timeout", required_argument, NULL, O_HDRTO},
        {"threads", required_argument, NULL, O_THREADS},
        {"help", no_argument, NULL, O_HELP},
        {0},
};

__attribute__((format(printf, 1, 2))) static int bad(const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        fprintf(stderr, "error: ");
        vfprintf(stderr, fmt, ap);
        fprintf(stderr, "\nSee 'ocx-router --help'.\n");
        va_end(ap);
        return 1;
}

int rt_main(int argc, char **argv) {
        static rt_config cfg;
        ocx_log_init("ocx-router");
        cfg.listen_http = "127.0.0.1:80";
        cfg.listen_https = "127.0.0.1:443";
        cfg.stats = "127.0.0.1:1936";
        cfg.router_name = "default";
        cfg.update_status = true;
        rt_table_options_default(&cfg.table);
        cfg.table.router_domain = getenv("ROUTER_DOMAIN");
        cfg.connect_timeout_ms = 5000;
        cfg.down_ms = 10000;
        cfg.max_attempts = 3;
        cfg.max_header_bytes = 32768;
        cfg.header_timeout_ms = 10000;
        long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
        cfg.threads = ncpu < 1 ? 1 : ncpu > RT_MAX_THREADS ? RT_MAX_THREADS : (unsigned)ncpu;
        int c;
        long v;
        char *end;
        while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
                switch (c) {
                case O_API: cfg.api_server = optarg; break;
                case O_KUBECONFIG: cfg.kubeconfig = optarg; break;
                case O_ROUTES: cfg.routes_file = optarg; break;
                case O_TOKEN: cfg.token = optarg; break;
                case O_INSECURE: cfg.insecure = true; break;
                case O_CA: cfg.ca_file = optarg; break;
                case O_HTTP: cfg.listen_http = optarg; break;
                case O_HTTPS: cfg.listen_https = optarg; break;
                case O_STATS: cfg.stats = optarg; break;
                case O_CERT: cfg.default_cert = optarg; break;
                case O_KEY: cfg.default_key = optarg; break;
                case O_NAME: cfg.router_name = optarg; break;
                case O_DOMAIN: cfg.table.router_domain = optarg; break;
                case O_BASEDIR: break;
                case O_NOSTATUS: cfg.update_status = false; break;
                case O_WILD: cfg.table.allow_wildcards = true; break;
                case O_NONS: cfg.table.ns_ownership_check = false; break;
                case O_CTO:
                        if ((cfg.connect_timeout_ms = rt_parse_timeout(optarg)) < 0)
                                return bad("invalid --connect-timeout '%s'", optarg);
                        break;
                case O_STO:
                        if ((cfg.table.default_timeout_ms = rt_parse_timeout(optarg)) < 0)
                                return bad("invalid --server-timeout '%s'", optarg);
                        break;
                case O_LOG: cfg.access_log = optarg; break;
                case O_MAXHDR:
                        v = strtol(optarg, &end, 10);
                        if (*end || v < 1024 || v > 1 << 20) return bad("invalid --max-header-bytes '%s'", optarg);
                        cfg.max_header_bytes = v;
                        break;
                case O_HDRTO:
                        if ((cfg.header_timeout_ms = rt_parse_timeout(optarg)) < 0)
                                return bad("invalid --header-timeout '%s'", optarg);
                        break;
                case O_THREADS:
                        v = strtol(optarg, &end, 10);
                        if (*end || v < 1 || v > RT_MAX_THREADS)
                                return bad("invalid --threads '%s' (1..%d)", optarg, RT_MAX_THREADS);
                        cfg.threads = (unsigned)v;
                        break;
                case O_HELP:
                case 'h': fputs(usage, stdout); return 0;
                default: fputs(usage, stderr); return 1;
                }
        }
        if (optind < argc) return bad("unexpected argument '%s'", argv[optind]);
        if (!cfg.routes_file) {
                if (cfg.kubeconfig) {
                        _cleanup_error_ ocx_error *err = NULL;
                        if (rt_kubeconfig_load(cfg.kubeconfig, &cfg.http, &err) < 0) return bad("%s", err->message);
                }
                if (cfg.api_server) free(cfg.http.server), cfg.http.server = ocx_xstrdup(cfg.api_server);
                if (cfg.token) free(cfg.http.token), cfg.http.token = ocx_xstrdup(cfg.token);
                if (cfg.ca_file) free(cfg.http.ca_file), cfg.http.ca_file = ocx_xstrdup(cfg.ca_file);
                if (cfg.insecure) cfg.http.insecure = true;
                if (!cfg.http.server) return bad("%s", "one of --api-server, --kubeconfig or --routes-file is required");
                cfg.http.timeout_ms = 15000; /* lists and status writes; watches are streams without one */
        }
        rt_proxy_setup(cfg.threads);
        if (rt_source_start(&cfg) < 0) return bad("%s", "cannot start the source thread");
        int r = rt_server_run(&cfg);
        rt_source_stop();
        rt_proxy_drain_pending();
        return r < 0 ? 1 : 0;
}
