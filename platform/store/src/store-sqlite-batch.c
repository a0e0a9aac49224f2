/* ocxd storage, SQLite backend: the group commit queue. Writers append their
 * request to the queue and wait on their own condition variable. When no batch
 * is being committed, a waiting writer becomes the leader: it takes wlock,
 * takes the whole queue, commits it as one transaction
 * (store_sqlite_commit_batch) and wakes every writer of the batch, then the
 * writer at the head of the queue, which leads the next batch. A writer that
 * finds nobody leading leads at once: a lone write is a batch of one, with no
 * waiting for company. */
#include <stdbool.h>
#include "store-sqlite-internal.h"
#include "store-sqlite.h"
#include "ocx/banned.h"

/* Commits everything queued so far (q among it). Called with qlock held and
 * q_leading set; returns with qlock held, q_leading clear and every request
 * of the batch done. */
static void lead_batch(store_sqlite *s) {
        pthread_mutex_unlock(&s->qlock);
        pthread_mutex_lock(&s->wlock);
        /* take the queue only now: writers that arrived while we waited for
         * wlock (a compaction, say) ride along */
        pthread_mutex_lock(&s->qlock);
        write_req *batch = s->q_head;
        s->q_head = s->q_tail = NULL;
        pthread_mutex_unlock(&s->qlock);

        store_sqlite_commit_batch(s, batch);
        pthread_mutex_unlock(&s->wlock);

        pthread_mutex_lock(&s->qlock);
        for (write_req *r = batch; r; r = r->next) {
                r->done = true;
                pthread_cond_signal(&r->wake);
        }
        s->q_leading = false;
        if (s->q_head) pthread_cond_signal(&s->q_head->wake); /* the next leader */
}

int store_sqlite_write(store_sqlite *s, write_req *q) {
        q->result = 0;
        q->value = NULL;
        q->next = NULL;
        q->done = false;
        pthread_cond_init(&q->wake, NULL);

        pthread_mutex_lock(&s->qlock);
        if (s->q_tail)
                s->q_tail->next = q;
        else
                s->q_head = q;
        s->q_tail = q;
        /* q is either still queued (then whoever leads next takes it, and the
         * head of the queue is signalled when a leader steps down) or in the
         * batch being committed (then its leader signals it) */
        while (!q->done) {
                if (!s->q_leading) {
                        s->q_leading = true;
                        lead_batch(s);
                } else
                        pthread_cond_wait(&q->wake, &s->qlock);
        }
        pthread_mutex_unlock(&s->qlock);
        pthread_cond_destroy(&q->wake);
        return q->result;
}

size_t store_sqlite_queued_writes(store *base) {
        if (!base || base->ops != &store_sqlite_ops) return 0;
        store_sqlite *s = to_sqlite(base);
        size_t n = 0;
        pthread_mutex_lock(&s->qlock);
        for (write_req *q = s->q_head; q; q = q->next) n++;
        pthread_mutex_unlock(&s->qlock);
        return n;
}
