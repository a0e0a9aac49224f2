/* scc — uid blocks, MCS labels and namespace annotation parsing. */
#include "scc/allocation.h"
#include <stdio.h>
#include <string.h>
#include "ocx/json.h"
#include "ocx/banned.h"

/* ---- fmt.Sscanf("%d<sep>%d") into two uint32 ---- */

static bool go_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

static int scan_uint32(const char **pp, uint32_t *ret, ocx_error **reterr) {
        const char *p = *pp;
        while (go_space(*p)) p++;
        if (*p == '\n') return ocx_error_set(reterr, EINVAL, NULL, "unexpected newline");
        if (!*p) return ocx_error_set(reterr, EINVAL, NULL, "unexpected EOF");
        const char *tok = p;
        while (*p >= '0' && *p <= '9') p++;
        if (p == tok) return ocx_error_set(reterr, EINVAL, NULL, "expected integer");
        size_t len = (size_t)(p - tok);
        uint64_t v = 0;
        bool overflow64 = false;
        for (const char *q = tok; q < p; q++) {
                unsigned d = (unsigned)(*q - '0');
                if (v > (UINT64_MAX - d) / 10) overflow64 = true;
                else v = v * 10 + d;
        }
        if (overflow64)
                return ocx_error_set(reterr, ERANGE, NULL, "strconv.ParseUint: parsing \"%.*s\": value out of range",
                                     (int)len, tok);
        if (v > UINT32_MAX)
                return ocx_error_set(reterr, ERANGE, NULL, "unsigned integer overflow on token %.*s", (int)len, tok);
        *ret = (uint32_t)v;
        *pp = p;
        return 0;
}

int scc_block_parse(const char *s, scc_block *ret, ocx_error **reterr) {
        if (!s) return ocx_error_set(reterr, EINVAL, NULL, "unexpected EOF");
        bool slash = strchr(s, '/') != NULL;
        const char *p = s;
        uint32_t a, b;
        int r = scan_uint32(&p, &a, reterr);
        if (r < 0) return -EINVAL;
        if (!*p) return ocx_error_set(reterr, EINVAL, NULL, "unexpected EOF");
        if (*p != (slash ? '/' : '-')) return ocx_error_set(reterr, EINVAL, NULL, "input does not match format");
        p++;
        r = scan_uint32(&p, &b, reterr);
        if (r < 0) return -EINVAL;
        ret->start = a;
        ret->end = slash ? (uint32_t)(a + b - 1u) : b;
        return 0;
}

char *scc_block_format(scc_block b) {
        return ocx_xasprintf("%u/%u", b.start, (uint32_t)(b.end - b.start + 1u));
}

int scc_blocks_parse(const char *s, scc_block **ret, size_t *ret_n, ocx_error **reterr) {
        size_t n = 1;
        for (const char *p = s; *p; p++) n += *p == ',';
        scc_block *v = ocx_xcalloc(n, sizeof(*v));
        const char *seg = s;
        for (size_t i = 0; i < n; i++) {
                const char *end = strchr(seg, ',');
                size_t len = end ? (size_t)(end - seg) : strlen(seg);
                char *one = ocx_xstrndup(seg, len);
                int r = scc_block_parse(one, &v[i], reterr);
                free(one);
                if (r < 0) {
                        free(v);
                        return r;
                }
                seg = end ? end + 1 : seg + len;
        }
        *ret = v;
        *ret_n = n;
        return 0;
}

int scc_uid_block_for_index(uint32_t i, scc_block *ret, ocx_error **reterr) {
        if (i >= SCC_UID_BLOCKS) return ocx_error_set(reterr, ERANGE, NULL, "uid range exceeded");
        ret->start = SCC_UID_RANGE_START + i * SCC_UID_BLOCK_SIZE;
        ret->end = ret->start + SCC_UID_BLOCK_SIZE - 1;
        return 0;
}

/* ---- MCS ---- */

uint64_t scc_mcs_binomial(uint64_t n, uint64_t k) {
        if (n < k) return 0;
        if (n == k) return 1;
        uint64_t r = 1;
        for (uint64_t d = 1; d <= k; d++) {
                r = r * n / d;
                n--;
        }
        return r;
}

int scc_mcs_categories(uint64_t offset, unsigned n, unsigned k, char **ret, ocx_error **reterr) {
        if (k == 0 || k > 5 || n > 1024 || n < k)
                return ocx_error_set(reterr, ERANGE, NULL, "invalid category range n=%u k=%u", n, k);
        if (offset >= scc_mcs_binomial(n, k))
                return ocx_error_set(reterr, ERANGE, NULL, "offset %llu is beyond the label range",
                                     (unsigned long long)offset);
        unsigned cats[5];
        uint64_t cur;
        for (unsigned i = 0; i < k; i++) {
                cur = scc_mcs_binomial(n, k - i);
                while (cur > offset) {
                        n--;
                        cur = scc_mcs_binomial(n, k - i);
                }
                cats[i] = n;
                offset -= cur;
        }
        /* already descending: each pick is strictly below the previous one */
        char buf[64];
        size_t off = 0;
        for (unsigned i = 0; i < k; i++)
                off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%sc%u", i ? "," : "", cats[i]);
        *ret = ocx_xstrdup(buf);
        return 0;
}

static int cmp_desc(const void *a, const void *b) {
        unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
        return x < y ? 1 : x > y ? -1 : 0;
}

int scc_mcs_rank(const char *label, uint64_t *ret, ocx_error **reterr) {
        const char *p = strrchr(label, ':');
        p = p ? p + 1 : label;
        unsigned cats[5];
        unsigned k = 0;
        while (*p) {
                if (k == 5) return ocx_error_set(reterr, EINVAL, NULL, "too many categories in '%s'", label);
                if (*p != 'c' || p[1] < '0' || p[1] > '9')
                        return ocx_error_set(reterr, EINVAL, NULL, "categories must start with 'c' in '%s'", label);
                p++;
                unsigned v = 0;
                while (*p >= '0' && *p <= '9') {
                        v = v * 10 + (unsigned)(*p++ - '0');
                        if (v > 1023) return ocx_error_set(reterr, EINVAL, NULL, "category out of range in '%s'", label);
                }
                cats[k++] = v;
                if (*p == ',') {
                        p++;
                        if (!*p) return ocx_error_set(reterr, EINVAL, NULL, "empty category in '%s'", label);
                } else if (*p) {
                        return ocx_error_set(reterr, EINVAL, NULL, "invalid category list '%s'", label);
                }
        }
        if (k == 0) return ocx_error_set(reterr, EINVAL, NULL, "no categories in '%s'", label);
        qsort(cats, k, sizeof(cats[0]), cmp_desc);
        uint64_t r = 0;
        for (unsigned i = 0; i < k; i++) {
                if (i && cats[i] == cats[i - 1])
                        return ocx_error_set(reterr, EINVAL, NULL, "duplicate category c%u in '%s'", cats[i], label);
                r += scc_mcs_binomial(cats[i], k - i);
        }
        *ret = r;
        return 0;
}

int scc_mcs_label_for_index(uint32_t i, char **ret, ocx_error **reterr) {
        char *cats = NULL;
        int r = scc_mcs_categories((uint64_t)i * SCC_MCS_LABELS_PER_PROJECT, 1024, 2, &cats, reterr);
        if (r < 0) return r;
        *ret = ocx_xasprintf("s0:%s", cats);
        free(cats);
        return 0;
}

int scc_ns_allocation_for_index(uint32_t i, scc_ns_allocation *ret, ocx_error **reterr) {
        scc_block b = {0, 0};
        int r = scc_uid_block_for_index(i, &b, reterr);
        if (r < 0) return r;
        char *mcs = NULL;
        r = scc_mcs_label_for_index(i, &mcs, reterr);
        if (r < 0) return r;
        ret->uid_range = scc_block_format(b);
        ret->sup_groups = ocx_xstrdup(ret->uid_range);
        ret->mcs = mcs;
        return 0;
}

void scc_ns_allocation_release(scc_ns_allocation *a) {
        free(a->uid_range);
        free(a->sup_groups);
        free(a->mcs);
        *a = (scc_ns_allocation){0};
}

/* ---- the admission view of a namespace ---- */

static const char *ann(const cJSON *annotations, const char *key, bool *present) {
        const char *v = ocx_json_get_str(annotations, key);
        *present = v != NULL;
        return v;
}

int scc_ns_info_init(scc_ns_info *ns, const char *name, const cJSON *annotations, ocx_error **reterr) {
        *ns = (scc_ns_info){.name = name ? name : ""};
        bool has_uid, has_mcs, has_sup;
        ns->uid_range = ann(annotations, SCC_ANN_UID_RANGE, &has_uid);
        ns->mcs = ann(annotations, SCC_ANN_MCS, &has_mcs);
        const char *sup = ann(annotations, SCC_ANN_SUP_GROUPS, &has_sup);
        if (!has_uid || !has_mcs)
                return ocx_error_set(reterr, EACCES, NULL, "error fetching namespace \"%s\": unable to find annotation %s",
                                     ns->name, has_uid ? SCC_ANN_MCS : SCC_ANN_UID_RANGE);
        /* uid (3.4: getPreallocatedUIDRange) */
        ocx_error *e = NULL;
        if (!*ns->uid_range)
                ns->uid_err = ocx_xstrdup("found annotation " SCC_ANN_UID_RANGE " but it was empty");
        else if (scc_block_parse(ns->uid_range, &ns->uid, &e) < 0)
                ns->uid_err = ocx_xstrdup(e->message);
        else
                ns->uid_ok = true;
        e = ocx_error_free(e);
        if (!*ns->mcs) ns->mcs_err = ocx_xstrdup("found annotation " SCC_ANN_MCS " but it was empty");
        /* groups: supplemental-groups, falling back to uid-range */
        ns->groups_src = has_sup ? sup : ns->uid_range;
        if (!*ns->groups_src)
                ns->groups_err = ocx_xstrdup("unable to find groups using " SCC_ANN_SUP_GROUPS " and " SCC_ANN_UID_RANGE
                                             " annotations");
        else {
                scc_block *b = NULL;
                if (scc_blocks_parse(ns->groups_src, &b, &ns->n_groups, &e) < 0) {
                        ns->groups_err = ocx_xstrdup(e->message);
                } else {
                        ns->groups = ocx_xcalloc(ns->n_groups, sizeof(scc_range));
                        for (size_t i = 0; i < ns->n_groups; i++) ns->groups[i] = (scc_range){b[i].start, b[i].end};
                }
                free(b);
        }
        ocx_error_free(e);
        return 0;
}

void scc_ns_info_release(scc_ns_info *ns) {
        free(ns->uid_err);
        free(ns->mcs_err);
        free(ns->groups);
        free(ns->groups_err);
        *ns = (scc_ns_info){0};
}
