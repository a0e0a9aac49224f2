/* Cluster DNS listeners: one UDP thread, one TCP accept thread with a thread
 * per connection (at most 32), forwarding to an optional upstream. */
#include "dns/dns.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/socket.h>
#include <fcntl.h>
#include <unistd.h>
#include "ocx/netaddr.h"
#include "ocx/log.h"
#include "ocx/macro.h"
#include "ocx/banned.h"

#define MAX_TCP_CONNS 32
#define TCP_IDLE_MS 5000
#define TCP_MAX_QUERIES 100
#define UPSTREAM_TIMEOUT_MS 2000

struct dns_server {
        dns_server_config cfg;
        struct sockaddr_in upstream;
        bool has_upstream;
        int udp_fd, tcp_fd, stop_pipe[2];
        pthread_t udp_thread, tcp_thread;
        pthread_mutex_t mu;
        pthread_cond_t cond;
        int conns[MAX_TCP_CONNS]; /* -1 = free slot */
        size_t n_conns;
};

/* Relays a query to the upstream over UDP; returns the answer length or 0. */
static int forward(dns_server *s, const uint8_t *pkt, size_t len, uint8_t *out, size_t cap) {
        int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0) return 0;
        int n = 0;
        if (connect(fd, (struct sockaddr *)&s->upstream, sizeof(s->upstream)) == 0 && send(fd, pkt, len, 0) == (ssize_t)len) {
                struct pollfd p = {.fd = fd, .events = POLLIN};
                for (int tries = 0; tries < 4 && poll(&p, 1, UPSTREAM_TIMEOUT_MS) > 0; tries++) {
                        ssize_t r = recv(fd, out, cap, 0);
                        if (r >= 12 && out[0] == pkt[0] && out[1] == pkt[1]) {
                                n = (int)r;
                                break;
                        }
                }
        }
        close(fd);
        return n;
}

/* The answer for one packet into out; 0 = send nothing. */
static int answer(dns_server *s, const uint8_t *pkt, size_t len, bool udp, uint8_t *out, size_t cap) {
        bool fwd = false;
        int n = dns_handle_packet(pkt, len, udp, s->cfg.lookup, s->cfg.userdata, s->has_upstream ? &fwd : NULL, out, cap);
        if (!fwd) return n;
        n = forward(s, pkt, len, out, cap);
        if (n > 0) {
                if (udp && n > DNS_UDP_MAX) {
                        /* relay only what fits: header + question with TC */
                        dns_query q;
                        if (dns_parse_query(pkt, len, &q) == 0) {
                                dns_answer a = {.rcode = DNS_NOERROR};
                                uint8_t tmp[DNS_UDP_MAX + 1];
                                int m = dns_build_response(pkt, &q, &a, true, tmp, sizeof(tmp));
                                if (m > 0) {
                                        memcpy(out, tmp, (size_t)m);
                                        out[2] |= 0x02; /* TC */
                                        return m;
                                }
                        }
                        return 0;
                }
                return n;
        }
        dns_query q;
        bool hq = dns_parse_query(pkt, len, &q) == 0;
        n = dns_build_error(pkt, len, &q, hq, DNS_SERVFAIL, out, cap);
        return n < 0 ? 0 : n;
}

static void *udp_loop(void *arg) {
        dns_server *s = arg;
        uint8_t in[4096], out[4096];
        struct pollfd p[2] = {{.fd = s->udp_fd, .events = POLLIN}, {.fd = s->stop_pipe[0], .events = POLLIN}};
        for (;;) {
                if (poll(p, 2, -1) < 0) {
                        if (errno == EINTR) continue;
                        break;
                }
                if (p[1].revents) break;
                struct sockaddr_storage from;
                socklen_t fl = sizeof(from);
                ssize_t r = recvfrom(s->udp_fd, in, sizeof(in), MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
                if (r <= 0) continue;
                int n = answer(s, in, (size_t)r, true, out, sizeof(out));
                if (n > 0) (void)sendto(s->udp_fd, out, (size_t)n, MSG_DONTWAIT, (struct sockaddr *)&from, fl);
        }
        return NULL;
}

/* Reads exactly n bytes within the idle timeout; false on EOF/timeout/stop. */
static bool read_full(int fd, uint8_t *buf, size_t n) {
        size_t got = 0;
        while (got < n) {
                struct pollfd p = {.fd = fd, .events = POLLIN};
                if (poll(&p, 1, TCP_IDLE_MS) <= 0) return false;
                ssize_t r = recv(fd, buf + got, n - got, 0);
                if (r <= 0) return false;
                got += (size_t)r;
        }
        return true;
}

static bool write_full(int fd, const uint8_t *buf, size_t n) {
        size_t done = 0;
        while (done < n) {
                ssize_t r = send(fd, buf + done, n - done, MSG_NOSIGNAL);
                if (r <= 0) return false;
                done += (size_t)r;
        }
        return true;
}

typedef struct conn_arg {
        dns_server *s;
        int fd;
        size_t slot;
} conn_arg;

static void *tcp_conn(void *arg) {
        conn_arg *c = arg;
        dns_server *s = c->s;
        uint8_t *in = ocx_xmalloc(65535), *out = ocx_xmalloc(65537);
        for (int i = 0; i < TCP_MAX_QUERIES; i++) {
                uint8_t lb[2];
                if (!read_full(c->fd, lb, 2)) break;
                size_t len = (size_t)(lb[0] << 8 | lb[1]);
                if (len == 0 || !read_full(c->fd, in, len)) break;
                int n = answer(s, in, len, false, out + 2, 65535);
                if (n <= 0) break;
                out[0] = (uint8_t)(n >> 8);
                out[1] = (uint8_t)n;
                if (!write_full(c->fd, out, (size_t)n + 2)) break;
        }
        free(in);
        free(out);
        pthread_mutex_lock(&s->mu);
        close(c->fd);
        s->conns[c->slot] = -1;
        s->n_conns--;
        pthread_cond_broadcast(&s->cond);
        pthread_mutex_unlock(&s->mu);
        free(c);
        return NULL;
}

static void *tcp_loop(void *arg) {
        dns_server *s = arg;
        struct pollfd p[2] = {{.fd = s->tcp_fd, .events = POLLIN}, {.fd = s->stop_pipe[0], .events = POLLIN}};
        for (;;) {
                if (poll(p, 2, -1) < 0) {
                        if (errno == EINTR) continue;
                        break;
                }
                if (p[1].revents) break;
                int fd = accept4(s->tcp_fd, NULL, NULL, SOCK_CLOEXEC);
                if (fd < 0) continue;
                /* blocking I/O with poll timeouts in the connection thread */
                struct timeval tv = {TCP_IDLE_MS / 1000, 0};
                setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
                pthread_mutex_lock(&s->mu);
                size_t slot = MAX_TCP_CONNS;
                for (size_t i = 0; i < MAX_TCP_CONNS && s->n_conns < MAX_TCP_CONNS; i++)
                        if (s->conns[i] < 0) {
                                slot = i;
                                break;
                        }
                if (slot == MAX_TCP_CONNS) {
                        pthread_mutex_unlock(&s->mu);
                        close(fd); /* too many: the client retries */
                        continue;
                }
                s->conns[slot] = fd;
                s->n_conns++;
                pthread_mutex_unlock(&s->mu);
                conn_arg *c = ocx_xcalloc(1, sizeof(*c));
                *c = (conn_arg){s, fd, slot};
                pthread_t t;
                pthread_attr_t attr;
                pthread_attr_init(&attr);
                pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
                pthread_attr_setstacksize(&attr, (size_t)256 * 1024);
                if (pthread_create(&t, &attr, tcp_conn, c) != 0) {
                        pthread_mutex_lock(&s->mu);
                        close(fd);
                        s->conns[slot] = -1;
                        s->n_conns--;
                        pthread_mutex_unlock(&s->mu);
                        free(c);
                }
                pthread_attr_destroy(&attr);
        }
        return NULL;
}

static int bind_sock(int type, const struct sockaddr_in *sa, const char *addr, ocx_error **reterr) {
        int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
        if (fd < 0) return ocx_error_set(reterr, errno, NULL, "dns: socket: %s", strerror(errno));
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (bind(fd, (const struct sockaddr *)sa, sizeof(*sa)) < 0 || (type == SOCK_STREAM && listen(fd, 64) < 0)) {
                int e = errno;
                close(fd);
                return ocx_error_set(reterr, e, NULL, "dns: cannot listen on %s (%s): %s", addr,
                                     type == SOCK_STREAM ? "tcp" : "udp", strerror(e));
        }
        return fd;
}

int dns_server_start(const dns_server_config *cfg, dns_server **ret, ocx_error **reterr) {
        struct sockaddr_in sa;
        if (ocx_parse_hostport(cfg->listen, &sa, NULL) < 0)
                return ocx_error_set(reterr, EINVAL, NULL, "invalid DNS listen address '%s': want IPV4:PORT",
                                     cfg->listen ? cfg->listen : "");
        dns_server *s = ocx_xcalloc(1, sizeof(*s));
        s->cfg = *cfg;
        s->udp_fd = s->tcp_fd = s->stop_pipe[0] = s->stop_pipe[1] = -1;
        for (size_t i = 0; i < MAX_TCP_CONNS; i++) s->conns[i] = -1;
        pthread_mutex_init(&s->mu, NULL);
        pthread_cond_init(&s->cond, NULL);
        int r;
        if (cfg->upstream && *cfg->upstream) {
                if (ocx_parse_hostport(cfg->upstream, &s->upstream, NULL) < 0) {
                        r = ocx_error_set(reterr, EINVAL, NULL, "invalid DNS upstream '%s': want IPV4:PORT", cfg->upstream);
                        goto fail;
                }
                s->has_upstream = true;
        }
        if ((r = s->udp_fd = bind_sock(SOCK_DGRAM, &sa, cfg->listen, reterr)) < 0) goto fail;
        if ((r = s->tcp_fd = bind_sock(SOCK_STREAM, &sa, cfg->listen, reterr)) < 0) goto fail;
        if (pipe2(s->stop_pipe, O_CLOEXEC) < 0) {
                r = ocx_error_set(reterr, errno, NULL, "dns: pipe: %s", strerror(errno));
                goto fail;
        }
        if ((r = pthread_create(&s->udp_thread, NULL, udp_loop, s)) != 0) {
                r = ocx_error_set(reterr, r, NULL, "dns: cannot start a thread");
                goto fail;
        }
        if ((r = pthread_create(&s->tcp_thread, NULL, tcp_loop, s)) != 0) {
                (void)!write(s->stop_pipe[1], "x", 1);
                pthread_join(s->udp_thread, NULL);
                r = ocx_error_set(reterr, r, NULL, "dns: cannot start a thread");
                goto fail;
        }
        *ret = s;
        return 0;
fail:
        if (s->udp_fd >= 0) close(s->udp_fd);
        if (s->tcp_fd >= 0) close(s->tcp_fd);
        if (s->stop_pipe[0] >= 0) close(s->stop_pipe[0]), close(s->stop_pipe[1]);
        pthread_mutex_destroy(&s->mu);
        pthread_cond_destroy(&s->cond);
        free(s);
        return r;
}

dns_server *dns_server_stop(dns_server *s) {
        if (!s) return NULL;
        (void)!write(s->stop_pipe[1], "x", 1);
        pthread_join(s->udp_thread, NULL);
        pthread_join(s->tcp_thread, NULL);
        pthread_mutex_lock(&s->mu);
        for (size_t i = 0; i < MAX_TCP_CONNS; i++)
                if (s->conns[i] >= 0) shutdown(s->conns[i], SHUT_RDWR); /* wakes the connection threads */
        while (s->n_conns > 0) pthread_cond_wait(&s->cond, &s->mu);
        pthread_mutex_unlock(&s->mu);
        close(s->udp_fd);
        close(s->tcp_fd);
        close(s->stop_pipe[0]);
        close(s->stop_pipe[1]);
        pthread_mutex_destroy(&s->mu);
        pthread_cond_destroy(&s->cond);
        free(s);
        return NULL;
}
