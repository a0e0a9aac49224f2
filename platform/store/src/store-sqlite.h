/* SQLite backend: knobs that are not part of the store interface (tests and
 * tuning). Internal to platform/store. */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include "store/store.h"

/* Event history kept by automatic compaction (default 100000 events). When the
 * history exceeds max_events by more than 1 % (at least 1 event), the oldest
 * events are dropped in the same transaction as the (batch of) writes that
 * crossed the line. -EINVAL when s is not a SQLite store or max_events < 1. */
int store_sqlite_set_history_limit(store *s, int64_t max_events);
/* Writes queued for the next group commit (not yet taken by a leader); for
 * tests that build a batch deterministically. 0 when s is not a SQLite store. */
size_t store_sqlite_queued_writes(store *s);
