/* Service cluster IPs from 172.30.0.0/16: a bitmap loaded lazily from the
 * store (see controllers/ipalloc.h). */
#include "controllers/ipalloc.h"
#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>
#include "ocx/json.h"
#include "ocx/names.h"
#include "ocx/banned.h"

#define N_ADDR 65536u
#define STALE_S 60

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static uint8_t used[N_ADDR / 8];
static uint32_t handed_at[N_ADDR]; /* time(NULL) of allocation (0 = from the store) */
static bool loaded;

static bool test_bit(uint32_t i) { return used[i >> 3] & (1u << (i & 7)); }
static void set_bit(uint32_t i) { used[i >> 3] |= (uint8_t)(1u << (i & 7)); }
static void clear_bit(uint32_t i) { used[i >> 3] &= (uint8_t)~(1u << (i & 7)); }
static bool reserved(uint32_t i) { return i == 0 || i == 1 || i == N_ADDR - 1; }

bool ipalloc_in_range(const char *ip, uint32_t *ret_index) {
        struct in_addr a;
        if (!ip || inet_pton(AF_INET, ip, &a) != 1) return false;
        uint32_t h = ntohl(a.s_addr);
        if ((h & 0xffff0000u) != 0xac1e0000u) return false; /* 172.30.0.0/16 */
        if (ret_index) *ret_index = h & 0xffffu;
        return true;
}

static void format_ip(uint32_t i, char out[16]) { snprintf(out, 16, "172.30.%u.%u", i >> 8, i & 0xffu); }

/* Calls fn for the clusterIP of every stored Service. */
static void for_each_stored(api_server *s, void (*fn)(uint32_t idx, void *ud), void *ud) {
        store_kv *items = NULL;
        size_t n = 0;
        if (store_list(s->st, "/core/services/", NULL, 0, &items, &n, NULL) < 0) return;
        for (size_t i = 0; i < n; i++) {
                _cleanup_json_ cJSON *o = NULL;
                if (ocx_json_parse(items[i].value, items[i].value_len, &o, NULL) < 0) continue;
                uint32_t idx;
                if (ipalloc_in_range(ocx_json_path_str(o, "spec.clusterIP"), &idx)) fn(idx, ud);
        }
        store_kvs_free(items, n);
}

static void mark_loaded(uint32_t idx, void *ud) {
        (void)ud;
        set_bit(idx);
        handed_at[idx] = 0;
}

static void ensure_loaded(api_server *s) {
        if (loaded) return;
        memset(used, 0, sizeof(used));
        memset(handed_at, 0, sizeof(handed_at));
        for_each_stored(s, mark_loaded, NULL);
        loaded = true;
}

int ipalloc_allocate(api_server *s, const char *requested, char ret[16], ocx_error **reterr) {
        pthread_mutex_lock(&mu);
        ensure_loaded(s);
        uint32_t idx = 0;
        int r = 0;
        if (requested && *requested) {
                if (!ipalloc_in_range(requested, &idx) || reserved(idx)) {
                        r = ocx_error_set(reterr, EINVAL, "spec.clusterIP",
                                          "provided IP is not in the valid range. The range of valid IPs is %s",
                                          IPALLOC_CIDR);
                } else if (test_bit(idx)) {
                        r = ocx_error_set(reterr, EEXIST, "spec.clusterIP", "provided IP is already allocated");
                }
        } else {
                uint16_t start;
                ocx_random_bytes(&start, sizeof(start));
                r = -ENOSPC;
                for (uint32_t k = 0; k < N_ADDR; k++) {
                        uint32_t i = (start + k) % N_ADDR;
                        if (reserved(i) || test_bit(i)) continue;
                        idx = i;
                        r = 0;
                        break;
                }
                if (r < 0) ocx_error_set(reterr, ENOSPC, "spec.clusterIP", "range %s is full", IPALLOC_CIDR);
        }
        if (r == 0) {
                set_bit(idx);
                handed_at[idx] = (uint32_t)time(NULL);
                format_ip(idx, ret);
        }
        pthread_mutex_unlock(&mu);
        return r;
}

void ipalloc_release(const char *ip) {
        uint32_t idx;
        if (!ipalloc_in_range(ip, &idx)) return;
        pthread_mutex_lock(&mu);
        if (loaded) clear_bit(idx);
        pthread_mutex_unlock(&mu);
}

typedef struct resync_ctx {
        uint8_t seen[N_ADDR / 8];
} resync_ctx;

static void mark_seen(uint32_t idx, void *ud) {
        resync_ctx *c = ud;
        c->seen[idx >> 3] |= (uint8_t)(1u << (idx & 7));
}

void ipalloc_resync(api_server *s) {
        resync_ctx *c = ocx_xcalloc(1, sizeof(*c));
        pthread_mutex_lock(&mu);
        if (!loaded) {
                ensure_loaded(s);
        } else {
                for_each_stored(s, mark_seen, c);
                uint32_t now = (uint32_t)time(NULL);
                for (uint32_t i = 0; i < N_ADDR; i++) {
                        bool in_store = c->seen[i >> 3] & (1u << (i & 7));
                        if (in_store) {
                                set_bit(i);
                                handed_at[i] = 0;
                        } else if (test_bit(i) && now - handed_at[i] > STALE_S) {
                                clear_bit(i);
                        }
                }
        }
        pthread_mutex_unlock(&mu);
        free(c);
}

void ipalloc_reset(void) {
        pthread_mutex_lock(&mu);
        loaded = false;
        pthread_mutex_unlock(&mu);
}
