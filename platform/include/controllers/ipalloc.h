/* ocxd — service cluster IP allocation from 172.30.0.0/16 (allocation only:
 * nothing routes these addresses yet; DNS answers them and the router uses
 * them for idled services).
 *
 * One in-memory bitmap per process, loaded from the stored Services on first
 * use and kept in step by:
 *  - admission (service create) calling ipalloc_allocate,
 *  - the endpoints controller calling ipalloc_release when it sees a Service
 *    deletion in the store's event history,
 *  - ipalloc_resync (the controller runs it every minute) which re-marks what
 *    the store holds and frees addresses handed out more than 60 s ago that no
 *    stored Service carries (dry runs, creates that failed after admission).
 * 172.30.0.0, 172.30.0.1 (kept for the "kubernetes" service) and
 * 172.30.255.255 are never handed out. Thread-safe. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "apiserver/api.h"

#define IPALLOC_CIDR "172.30.0.0/16"

/* Allocates an address into ret ("172.30.x.y"). requested NULL or "" picks a
 * free one; otherwise that address is reserved. Errors (reterr's message is
 * the detail for a spec.clusterIP field cause): -EINVAL not an IPv4 address
 * inside the range, -EEXIST already allocated, -ENOSPC range full. */
int ipalloc_allocate(api_server *s, const char *requested, char ret[16], ocx_error **reterr);
/* Frees an address (no-op when outside the range or not allocated). */
void ipalloc_release(const char *ip);
/* Re-marks the addresses stored Services carry and frees stale ones. */
void ipalloc_resync(api_server *s);
/* Forgets everything (next use reloads from the store). For tests and
 * api_server_release. */
void ipalloc_reset(void);
/* true when ip is a dotted quad inside 172.30.0.0/16; *ret_index = low 16 bits. */
bool ipalloc_in_range(const char *ip, uint32_t *ret_index);
