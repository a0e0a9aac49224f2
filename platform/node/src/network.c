/* ocxd node: the pod network through iproute2 (see node/network.h). */
#include "node/network.h"
#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include "ocx/buf.h"
#include "ocx/banned.h"

static pthread_mutex_t ip_mu = PTHREAD_MUTEX_INITIALIZER;
static uint8_t used[1 << 13]; /* bitmap of host offsets; prefixes down to /16 */

void net_ip_str(uint32_t ip, char out[16]) {
        struct in_addr a = {.s_addr = htonl(ip)};
        inet_ntop(AF_INET, &a, out, 16);
}

int net_config_parse(const char *bridge, const char *cidr, net_config *ret, ocx_error **reterr) {
        memset(ret, 0, sizeof(*ret));
        if (!bridge || !*bridge || strlen(bridge) >= sizeof(ret->bridge))
                return ocx_error_set(reterr, EINVAL, NULL, "invalid bridge name '%s'", bridge ? bridge : "");
        snprintf(ret->bridge, sizeof(ret->bridge), "%s", bridge);
        char buf[32];
        const char *slash = strchr(cidr, '/');
        if (!slash || (size_t)(slash - cidr) >= sizeof(buf)) return ocx_error_set(reterr, EINVAL, NULL, "invalid pod CIDR '%s'", cidr);
        memcpy(buf, cidr, (size_t)(slash - cidr));
        buf[slash - cidr] = 0;
        struct in_addr a;
        char *end;
        long prefix = strtol(slash + 1, &end, 10);
        if (inet_pton(AF_INET, buf, &a) != 1 || *end || prefix < 16 || prefix > 30)
                return ocx_error_set(reterr, EINVAL, NULL, "invalid pod CIDR '%s' (prefix 16..30)", cidr);
        uint32_t mask = prefix ? ~0u << (32 - prefix) : 0;
        ret->subnet = ntohl(a.s_addr) & mask;
        ret->prefix = (int)prefix;
        ret->gateway = ret->subnet + 1;
        return 0;
}

static uint32_t host_count(const net_config *c) { return 1u << (32 - c->prefix); }

void net_ip_mark(const net_config *c, uint32_t ip) {
        uint32_t off = ip - c->subnet;
        if (off >= host_count(c)) return;
        pthread_mutex_lock(&ip_mu);
        used[off / 8] |= (uint8_t)(1u << (off % 8));
        pthread_mutex_unlock(&ip_mu);
}

void net_ip_release(const net_config *c, uint32_t ip) {
        uint32_t off = ip - c->subnet;
        if (off >= host_count(c)) return;
        pthread_mutex_lock(&ip_mu);
        used[off / 8] &= (uint8_t) ~(1u << (off % 8));
        pthread_mutex_unlock(&ip_mu);
}

int net_ip_alloc(const net_config *c, uint32_t *ret_ip) {
        pthread_mutex_lock(&ip_mu);
        /* .0 network, .1 gateway, last = broadcast */
        for (uint32_t off = 2; off + 1 < host_count(c); off++) {
                if (used[off / 8] & (1u << (off % 8))) continue;
                used[off / 8] |= (uint8_t)(1u << (off % 8));
                pthread_mutex_unlock(&ip_mu);
                *ret_ip = c->subnet + off;
                return 0;
        }
        pthread_mutex_unlock(&ip_mu);
        return -ENOSPC;
}

/* Runs `ip ARGS...` with stdin (may be NULL), output captured (capped). */
static int run_ip(const char *const *args, const char *input, char *errbuf, size_t errlen) {
        const char *argv[24];
        size_t n = 0;
        argv[n++] = "ip";
        for (size_t i = 0; args[i] && n < OCX_ARRAY_SIZE(argv) - 1; i++) argv[n++] = args[i];
        argv[n] = NULL;
        int in[2] = {-1, -1}, out[2];
        if (pipe2(out, O_CLOEXEC) < 0) return -errno;
        if (input && pipe2(in, O_CLOEXEC) < 0) {
                close(out[0]);
                close(out[1]);
                return -errno;
        }
        pid_t pid = fork();
        if (pid < 0) {
                int e = errno;
                close(out[0]);
                close(out[1]);
                if (in[0] >= 0) {
                        close(in[0]);
                        close(in[1]);
                }
                return -e;
        }
        if (pid == 0) {
                int nul = open("/dev/null", O_RDONLY);
                dup2(input ? in[0] : nul, 0);
                dup2(out[1], 1);
                dup2(out[1], 2);
                static char *const envp[] = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL};
                execve("/usr/sbin/ip", (char *const *)argv, envp);
                execve("/sbin/ip", (char *const *)argv, envp);
                _exit(127);
        }
        close(out[1]);
        if (input) {
                close(in[0]);
                size_t len = strlen(input), off = 0;
                while (off < len) {
                        ssize_t w = write(in[1], input + off, len - off);
                        if (w < 0 && errno == EINTR) continue;
                        if (w < 0) break;
                        off += (size_t)w;
                }
                close(in[1]);
        }
        size_t got = 0;
        char tmp[512];
        ssize_t r;
        while ((r = read(out[0], tmp, sizeof(tmp))) != 0) {
                if (r < 0 && errno == EINTR) continue;
                if (r < 0) break;
                size_t take = (size_t)r;
                if (errbuf && got + 1 < errlen) {
                        if (take > errlen - 1 - got) take = errlen - 1 - got;
                        memcpy(errbuf + got, tmp, take);
                        got += take;
                }
        }
        if (errbuf && errlen) errbuf[got] = 0;
        close(out[0]);
        int st;
        while (waitpid(pid, &st, 0) < 0)
                if (errno != EINTR) return -errno;
        return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -EIO;
}

int net_ensure_bridge(const net_config *c, ocx_error **reterr) {
        char err[512], cidr[32], gw[16];
        net_ip_str(c->gateway, gw);
        snprintf(cidr, sizeof(cidr), "%s/%d", gw, c->prefix);
        const char *show[] = {"link", "show", c->bridge, NULL};
        if (run_ip(show, NULL, NULL, 0) < 0) {
                const char *add[] = {"link", "add", c->bridge, "type", "bridge", NULL};
                if (run_ip(add, NULL, err, sizeof(err)) < 0)
                        return ocx_error_set(reterr, EIO, NULL, "cannot create the bridge '%s': %s", c->bridge, err);
        }
        const char *addr[] = {"addr", "replace", cidr, "dev", c->bridge, NULL};
        const char *up[] = {"link", "set", c->bridge, "up", NULL};
        if (run_ip(addr, NULL, err, sizeof(err)) < 0 || run_ip(up, NULL, err, sizeof(err)) < 0)
                return ocx_error_set(reterr, EIO, NULL, "cannot configure the bridge '%s': %s", c->bridge, err);
        return 0;
}

/* Only an idle bridge goes: another ocxd may still have pods on it. */
void net_remove_bridge(const net_config *c) {
        _cleanup_free_ char *brif = ocx_xasprintf("/sys/class/net/%s/brif", c->bridge);
        /* veth ends of just-deleted namespaces go away asynchronously */
        for (int tries = 0;; tries++) {
                DIR *d = opendir(brif);
                if (!d) return;
                bool busy = false;
                struct dirent *de;
                while ((de = readdir(d)))
                        if (de->d_name[0] != '.') busy = true;
                closedir(d);
                if (!busy) break;
                if (tries >= 40) return;
                struct timespec ts = {0, 50 * 1000 * 1000};
                nanosleep(&ts, NULL);
        }
        const char *del[] = {"link", "del", c->bridge, NULL};
        (void)run_ip(del, NULL, NULL, 0);
}

int net_pod_setup(const net_config *c, const char *ns_name, const char *host_if, uint32_t ip, ocx_error **reterr) {
        char err[512], ipc[32], gw[16], ips[16];
        net_ip_str(ip, ips);
        net_ip_str(c->gateway, gw);
        snprintf(ipc, sizeof(ipc), "%s/%d", ips, c->prefix);
        net_pod_teardown(ns_name); /* leftovers of an earlier attempt */
        const char *add[] = {"netns", "add", ns_name, NULL};
        if (run_ip(add, NULL, err, sizeof(err)) < 0)
                return ocx_error_set(reterr, EIO, NULL, "cannot create the network namespace '%s': %s", ns_name, err);
        _cleanup_free_ char *host = ocx_xasprintf("link add %s type veth peer name eth0 netns %s\n"
                                                  "link set %s master %s up\n",
                                                  host_if, ns_name, host_if, c->bridge);
        const char *batch[] = {"-batch", "-", NULL};
        if (run_ip(batch, host, err, sizeof(err)) < 0) {
                net_pod_teardown(ns_name);
                return ocx_error_set(reterr, EIO, NULL, "cannot create the veth pair '%s': %s", host_if, err);
        }
        _cleanup_free_ char *inside = ocx_xasprintf("link set lo up\naddr add %s dev eth0\nlink set eth0 up\n"
                                                    "route add default via %s dev eth0\n",
                                                    ipc, gw);
        const char *nsbatch[] = {"-n", ns_name, "-batch", "-", NULL};
        if (run_ip(nsbatch, inside, err, sizeof(err)) < 0) {
                net_pod_teardown(ns_name);
                return ocx_error_set(reterr, EIO, NULL, "cannot configure the pod network: %s", err);
        }
        return 0;
}

void net_pod_teardown(const char *ns_name) {
        _cleanup_free_ char *path = ocx_xasprintf("/run/netns/%s", ns_name);
        if (access(path, F_OK) < 0) return;
        const char *del[] = {"netns", "del", ns_name, NULL};
        (void)run_ip(del, NULL, NULL, 0);
}
