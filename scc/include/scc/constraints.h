/* scc — a SecurityContextConstraints object decoded from Kubernetes JSON into
 * a C struct, its restrictiveness points and the ByPriority order (spec 1.1,
 * 1.2, 3.9).
 *
 * Decoding keeps "unset" distinct: a nil list has .set == false, nil
 * pointers have has_* == false or a tristate of -1. Decoding does NOT apply
 * object defaulting (see validation.h); admission sees SCCs as stored. */
#pragma once
#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "ocx/error.h"

typedef struct scc_strv {
        char **v;
        size_t n;
        bool set; /* false: the field was absent or null */
} scc_strv;

typedef struct scc_range {
        int64_t min, max; /* both inclusive */
} scc_range;

typedef enum scc_rau_type {
        SCC_RAU_UNKNOWN,
        SCC_RAU_MUST_RUN_AS,
        SCC_RAU_MUST_RUN_AS_RANGE,
        SCC_RAU_MUST_RUN_AS_NON_ROOT,
        SCC_RAU_RUN_AS_ANY,
} scc_rau_type;

/* seLinuxContext, fsGroup and supplementalGroups share these two values. */
typedef enum scc_strategy_type {
        SCC_STRAT_UNKNOWN,
        SCC_STRAT_MUST_RUN_AS,
        SCC_STRAT_RUN_AS_ANY,
} scc_strategy_type;

typedef struct scc_selinux_opts {
        const char *user, *role, *type, *level; /* never NULL; "" when unset */
} scc_selinux_opts;

typedef struct scc_constraints {
        char *name;
        bool has_priority;
        int32_t priority;
        bool allow_privileged, allow_host_dir, allow_host_network, allow_host_ports,
                allow_host_pid, allow_host_ipc, read_only_root_fs;
        int allow_priv_esc;         /* -1 nil, 0 false, 1 true */
        int default_allow_priv_esc; /* -1 nil, 0 false, 1 true */
        bool require_pod_userns;    /* userNamespaceLevel == RequirePodLevel */
        char *userns_level;         /* as given, NULL when absent */
        scc_strv default_add_caps, required_drop_caps, allowed_caps;
        scc_strv volumes, flex_drivers, users, groups;
        scc_strv seccomp_profiles, allowed_unsafe_sysctls, forbidden_sysctls;
        struct {
                scc_rau_type type;
                char *type_str;
                bool has_uid, has_min, has_max;
                int64_t uid, min, max;
        } run_as_user;
        struct {
                scc_strategy_type type;
                char *type_str;
                bool has_opts;
                scc_selinux_opts opts; /* strings owned by the struct */
        } selinux;
        struct {
                scc_strategy_type type;
                char *type_str;
                scc_range *ranges;
                size_t n_ranges;
        } fs_group, sup_groups;
        int64_t points; /* restrictiveness (3.9), computed by the decoder */
} scc_constraints;

/* Decodes one SCC object. On a type error (a string where a bool belongs, a
 * uid beyond int64, a priority beyond int32, ...) returns -EINVAL with an
 * error whose field is the JSON path and whose message is a rendered field
 * error ("priority: Invalid value: 2147483648: must be a 32-bit integer").
 * *ret is owned by the caller (scc_constraints_free). */
int scc_constraints_from_json(const cJSON *obj, scc_constraints **ret, ocx_error **reterr);
scc_constraints *scc_constraints_free(scc_constraints *c);

bool scc_strv_has(const scc_strv *l, const char *s);

/* Points (3.9): lower is more restrictive. */
int64_t scc_constraints_points(const scc_constraints *c);
int64_t scc_volume_points(const scc_strv *volumes);
int64_t scc_caps_points(const scc_constraints *c);
/* ByPriority: <0 when a sorts before b (priority desc, points asc, name asc). */
int scc_constraints_compare(const scc_constraints *a, const scc_constraints *b);
