/* ocx-router — endpoint selection algorithms. */
#include "router/balance.h"
#include "ocx/banned.h"

static bool ok(const rt_route *r, size_t i, const rt_pick_ops *ops) {
        return r->eps[i].weight > 0 && (!ops->usable || ops->usable(&r->eps[i], i, ops->data));
}

static unsigned load_of(const rt_route *r, size_t i, const rt_pick_ops *ops) {
        return ops->load ? ops->load(&r->eps[i], ops->data) : 0;
}

/* k-th usable endpoint (0-based) */
static int nth_usable(const rt_route *r, const rt_pick_ops *ops, size_t k) {
        for (size_t i = 0; i < r->n_eps; i++)
                if (ok(r, i, ops) && k-- == 0) return (int)i;
        return -1;
}

/* power of two choices: two distinct random endpoints, the less loaded wins */
static int pick_random2(const rt_route *r, const rt_pick_ops *ops, size_t n_ok) {
        size_t ka = ops->random(ops->data) % n_ok;
        int a = nth_usable(r, ops, ka);
        if (n_ok == 1) return a;
        size_t kb = ops->random(ops->data) % (n_ok - 1);
        if (kb >= ka) kb++;
        int b = nth_usable(r, ops, kb);
        return load_of(r, (size_t)b, ops) < load_of(r, (size_t)a, ops) ? b : a;
}

/* smooth weighted round robin (nginx): deterministic, spreads weights evenly */
static int pick_wrr(rt_route *r, const rt_pick_ops *ops, int32_t *cur) {
        int best = -1;
        int64_t total = 0;
        for (size_t i = 0; i < r->n_eps; i++) {
                if (!ok(r, i, ops)) continue;
                cur[i] += r->eps[i].weight;
                total += r->eps[i].weight;
                if (best < 0 || cur[i] > cur[best]) best = (int)i;
        }
        if (best >= 0) cur[best] -= (int32_t)total;
        return best;
}

static int pick_leastconn(rt_route *r, const rt_pick_ops *ops, uint64_t *rr) {
        int best = -1;
        unsigned best_load = 0;
        size_t start = r->n_eps ? (size_t)((*rr)++ % r->n_eps) : 0;
        for (size_t k = 0; k < r->n_eps; k++) {
                size_t i = (start + k) % r->n_eps;
                if (!ok(r, i, ops)) continue;
                unsigned l = load_of(r, i, ops);
                if (best < 0 || l < best_load) best = (int)i, best_load = l;
        }
        return best;
}

int rt_pick(rt_route *r, const rt_pick_ops *ops) {
        size_t n_ok = 0;
        for (size_t i = 0; i < r->n_eps; i++) n_ok += ok(r, i, ops);
        if (n_ok == 0) return -1;
        uint64_t *rr = ops->rr ? ops->rr : &r->rr;
        int32_t *cur = ops->rr ? ops->wrr_cur : r->wrr_cur;
        switch (r->balance) {
        case RT_BAL_ROUNDROBIN:
                return cur ? pick_wrr(r, ops, cur) : nth_usable(r, ops, (size_t)((*rr)++ % n_ok));
        case RT_BAL_LEASTCONN:
                return pick_leastconn(r, ops, rr);
        case RT_BAL_SOURCE:
                return nth_usable(r, ops, ops->source_hash % n_ok);
        case RT_BAL_RANDOM:
        default:
                return pick_random2(r, ops, n_ok);
        }
}
