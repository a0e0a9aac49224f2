/* scc — the per-field strategies of an SCC (spec 3.8): runAsUser, SELinux,
 * fsGroup/supplementalGroups, capabilities, seccomp and sysctls. Each has a
 * generate step (the default to fill in) and a validate step that appends
 * rendered field errors to an scc_errlist. Paths passed in are already
 * rendered (e.g. "provider restricted: .containers[0]"); functions append the
 * child name themselves as the upstream strategies do. No allocation is kept. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "scc/constraints.h"
#include "scc/errlist.h"

/* An optional int64 (a Go *int64). */
typedef struct scc_opt_int {
        bool set;
        int64_t v;
} scc_opt_int;

/* ---- runAsUser (3.8.1) ---- */
typedef struct scc_uid_strategy {
        scc_rau_type type;
        int64_t uid, min, max; /* MustRunAs: uid; MustRunAsRange: [min,max] */
} scc_uid_strategy;

/* MustRunAs → uid, MustRunAsRange → min, others → unset. */
scc_opt_int scc_uid_generate(const scc_uid_strategy *s);
/* non_root: -1 unset, 0 false, 1 true. Errors at "<path>.runAsUser" / "<path>.runAsNonRoot". */
void scc_uid_validate(const scc_uid_strategy *s, const char *path, scc_opt_int run_as_user, int non_root,
                      scc_errlist *errs);

/* ---- SELinux (3.8.2) ---- */
typedef struct scc_selinux_strategy {
        scc_strategy_type type;
        scc_selinux_opts opts; /* MustRunAs: the options every pod must carry */
} scc_selinux_strategy;

/* Level equality: equal strings, or "<sens>:<cats>" with the same sensitivity
 * and the same set of categories ("s0:c5,c26" == "s0:c26,c5"). */
bool scc_selinux_levels_equal(const char *expected, const char *actual);
/* opts NULL = unset (Required under MustRunAs). Errors at "<path>" or
 * "<path>.level|role|type|user", in that order. */
void scc_selinux_validate(const scc_selinux_strategy *s, const char *path, const scc_selinux_opts *opts,
                          scc_errlist *errs);

/* ---- fsGroup / supplementalGroups (3.8.3) ---- */
typedef struct scc_group_strategy {
        scc_strategy_type type;
        const scc_range *ranges;
        size_t n_ranges;
} scc_group_strategy;

/* MustRunAs → ranges[0].min, RunAsAny → unset. */
scc_opt_int scc_group_generate(const scc_group_strategy *s);
/* field_path is the full path ("provider x: .spec.securityContext.fsGroup");
 * groups_nil selects how an empty list renders ([]int64(nil) vs []int64{}). */
void scc_group_validate(const scc_group_strategy *s, const char *field_path, const int64_t *groups, size_t n,
                        bool groups_nil, scc_errlist *errs);

/* ---- capabilities (3.8.4) ---- */
typedef struct scc_caps {
        bool set;          /* false: securityContext.capabilities is nil */
        const char **add;  /* borrowed strings */
        size_t n_add;
        bool add_nil;
        const char **drop;
        size_t n_drop;
        bool drop_nil;
} scc_caps;

/* Computes the generated capabilities. Returns false when the container's
 * value stays as it is; true when *ret (heap arrays of borrowed strings,
 * sorted byte-wise, de-duplicated; nil lists when empty) replaces it. Free
 * ret->add and ret->drop with free(). */
bool scc_caps_generate(const scc_constraints *c, const scc_caps *in, scc_caps *ret);
/* Errors at "<path>.capabilities", ".capabilities.add", ".capabilities.drop". */
void scc_caps_validate(const scc_constraints *c, const char *path, const scc_caps *caps, scc_errlist *errs);

/* ---- seccomp (3.8.5) ---- */
#define SCC_SECCOMP_POD_ANNOTATION "seccomp.security.alpha.kubernetes.io/pod"
#define SCC_SECCOMP_CONTAINER_PREFIX "container.seccomp.security.alpha.kubernetes.io/"

/* The default profile: the first entry that is not "*", or NULL. */
const char *scc_seccomp_default(const scc_constraints *c);
/* Forbidden errors at path when the profile ("" = none) is not allowed. */
void scc_seccomp_validate(const scc_constraints *c, const char *path, const char *profile, scc_errlist *errs);

/* ---- sysctls (3.8.7) ---- */
/* kernel: major*1000+minor of the API server's kernel, 0 when unknown (only
 * the legacy safe list then). */
bool scc_sysctl_is_safe(const char *name, unsigned kernel);
/* Pattern match: exact, "prefix*", or "*". */
bool scc_sysctl_matches(const scc_strv *patterns, const char *name);
void scc_sysctl_validate(const scc_constraints *c, const char *path, const char *name, unsigned kernel,
                         scc_errlist *errs);
/* major*1000+minor from uname(2); 0 when it cannot be read. */
unsigned scc_kernel_version(void);
