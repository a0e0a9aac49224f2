/* ocxd — garbage collection and namespace finalization, run on one
 * background thread fed by a queue:
 *  - after an owner is deleted (Background), its dependents (objects whose
 *    metadata.ownerReferences name the owner's uid) are deleted;
 *  - Orphan removes the owner reference from dependents instead;
 *  - Foreground: dependents go first, then the owner's "foregroundDeletion"
 *    finalizer is removed, which deletes the owner;
 *  - a namespace marked for deletion has all its content deleted, then
 *    the namespace itself. */
#pragma once
#include "apiserver/api.h"

enum { GC_BACKGROUND, GC_ORPHAN, GC_FOREGROUND, GC_NAMESPACE };

int gc_start(api_server *s);
void gc_stop(api_server *s);
/* Queues work; ns may be NULL for cluster-scoped owners. */
void gc_enqueue(api_server *s, int mode, const api_kind *k, const char *ns, const char *name,
                const char *uid);
/* Blocks until the queue is empty (tests). */
void gc_drain(api_server *s);
