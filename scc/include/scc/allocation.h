/* scc — namespace security allocation (spec section 4): uid blocks, MCS
 * labels, and parsing of the namespace annotations admission reads.
 * Pure functions; the controller that stores the bitmap lives in platform/. */
#pragma once
#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "ocx/error.h"
#include "scc/constraints.h"

#define SCC_ANN_UID_RANGE "openshift.io/sa.scc.uid-range"
#define SCC_ANN_MCS "openshift.io/sa.scc.mcs"
#define SCC_ANN_SUP_GROUPS "openshift.io/sa.scc.supplemental-groups"

#define SCC_UID_RANGE_START 1000000000u
#define SCC_UID_RANGE_END 1999999999u
#define SCC_UID_BLOCK_SIZE 10000u
#define SCC_UID_BLOCKS 100000u /* (end-start+1)/size */
#define SCC_MCS_LABELS_PER_PROJECT 5u

typedef struct scc_block {
        uint32_t start, end; /* inclusive; end wraps like Go's uint32 for size 0 */
} scc_block;

/* uid.ParseBlock: "<start>/<size>" (when the string has a '/') or
 * "<start>-<end>", with fmt.Sscanf semantics (leading spaces skipped, text after
 * the second number ignored). Errors (-EINVAL, message as Go prints it):
 * "expected integer", "unexpected EOF", "input does not match format",
 * "unsigned integer overflow on token <tok>". */
int scc_block_parse(const char *s, scc_block *ret, ocx_error **reterr);
/* Block String(): "<start>/<end-start+1>". Caller frees. */
char *scc_block_format(scc_block b);
/* Splits on ',' and parses every segment (parseSupplementalGroupAnnotation).
 * *ret is a heap array the caller frees. */
int scc_blocks_parse(const char *s, scc_block **ret, size_t *ret_n, ocx_error **reterr);

/* Block i of the default uid range: start 1000000000 + i*10000, 10000 wide.
 * -ERANGE when i >= SCC_UID_BLOCKS ("uid range exceeded"). */
int scc_uid_block_for_index(uint32_t i, scc_block *ret, ocx_error **reterr);

/* binomial(n,k) with the upstream integer arithmetic. */
uint64_t scc_mcs_binomial(uint64_t n, uint64_t k);
/* Co-lexicographic unranking of offset among k-subsets of {0..n-1}:
 * "c26,c5" (descending, comma separated, no prefix). -ERANGE when offset is
 * beyond C(n,k) or k is 0 or k > 5 or n > 1024. Caller frees *ret. */
int scc_mcs_categories(uint64_t offset, unsigned n, unsigned k, char **ret, ocx_error **reterr);
/* Rank of a category list ("c26,c5" or a level "s0:c26,c5"): sum of
 * binomial(c_i, k-i) over the categories sorted descending. Duplicate or
 * malformed categories give -EINVAL. */
int scc_mcs_rank(const char *label, uint64_t *ret, ocx_error **reterr);
/* The MCS level of uid block i: "s0:" + categories(i*5, 1024, 2). */
int scc_mcs_label_for_index(uint32_t i, char **ret, ocx_error **reterr);

/* The three annotation values the allocation controller writes for block i. */
typedef struct scc_ns_allocation {
        char *uid_range;  /* "1000660000/10000" */
        char *sup_groups; /* the same string */
        char *mcs;        /* "s0:c26,c5" */
} scc_ns_allocation;
int scc_ns_allocation_for_index(uint32_t i, scc_ns_allocation *ret, ocx_error **reterr);
void scc_ns_allocation_release(scc_ns_allocation *a);

/* ---- what admission reads from a namespace (spec 3.4) ---- */

typedef struct scc_ns_info {
        const char *name;
        /* annotation values (borrowed from the annotations object), NULL if absent */
        const char *uid_range, *mcs, *groups_src;
        /* parsed lazily-by-kind results; *_err is the message when unusable */
        bool uid_ok;
        scc_block uid;
        char *uid_err;
        char *mcs_err;
        scc_range *groups; /* the supplemental-groups blocks (else uid-range) */
        size_t n_groups;
        char *groups_err;
} scc_ns_info;

/* Reads and pre-parses the allocation annotations of namespace `name`. Fails
 * (-EACCES) when either uid-range or mcs is missing, with the message
 * `error fetching namespace "<name>": unable to find annotation <key>`.
 * Errors that only matter to SCCs that need pre-allocation are kept in the
 * struct (uid_err, mcs_err, groups_err). Borrowed strings point into
 * annotations, which must outlive the struct. */
int scc_ns_info_init(scc_ns_info *ns, const char *name, const cJSON *annotations, ocx_error **reterr);
void scc_ns_info_release(scc_ns_info *ns);
