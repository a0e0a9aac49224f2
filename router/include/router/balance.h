/* ocx-router — endpoint selection for one request: random two choices
 * (least in-flight of two random picks), smooth weighted round robin across
 * service units, leastconn and source hashing. Endpoints with weight 0 get no
 * traffic; endpoints the caller reports unusable (down, already tried) are
 * skipped. Pure apart from the route's rr/wrr state. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "router/route-table.h"

typedef struct rt_pick_ops {
        /* may this endpoint be tried? (not excluded, not marked down) */
        bool (*usable)(const rt_endpoint *ep, size_t index, void *data);
        /* requests in flight to the endpoint */
        unsigned (*load)(const rt_endpoint *ep, void *data);
        /* uniform random 32-bit value */
        uint32_t (*random)(void *data);
        void *data;
        uint32_t source_hash; /* for RT_BAL_SOURCE */
        /* balancing state to use instead of the route's own (per serving
         * thread): round-robin counter and n_eps weighted round-robin slots */
        uint64_t *rr;
        int32_t *wrr_cur;
} rt_pick_ops;

/* Returns the index of the chosen endpoint in r->eps, or -1 when no endpoint
 * with weight > 0 is usable. */
int rt_pick(rt_route *r, const rt_pick_ops *ops);
