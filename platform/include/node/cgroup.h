/* ocxd node — resource limits through cgroups (docs/runtime.md, "Resource
 * limits"). cgroup v2 when its memory, cpu and pids controllers are
 * available, v1 controllers otherwise (a v1 hybrid such as this machine's).
 *
 * Layout, per controller: NODE/pod-<uid>/<container>, NODE being
 * ocx-<hash of the base dir> under ocxd's own cgroup (v1) or at the top of
 * the v2 hierarchy. The pod cgroup holds the pod's pids limit (default 1024,
 * env OCX_NODE_POD_PIDS_MAX, annotation ocx.io/pids-limit) and cpu shares;
 * the container cgroup its memory limit, cpu shares and CFS quota and its own
 * pids limit (resources.limits.pids). The paths are kept in
 * BASE/run/node/cgroups so that a restarted ocxd finds the cgroups of the
 * pods it adopts.
 *
 * v1: the node agent thread moves itself (the `tasks` file) into the
 * container cgroup for the fork of the container's monitor, so the container
 * is inside its limits from its first instruction, then moves back and puts
 * the monitor back in ocxd's cgroup. v2 has no per-thread placement: the
 * container's PID 1 is moved right after it started.
 *
 * Used by the agent thread only. */
#pragma once
#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "ocx/error.h"

typedef struct cg_limits {
        int64_t memory;        /* bytes; 0 = none (limits.memory) */
        int64_t cpu_limit_m;   /* millicores; 0 = none (limits.cpu) */
        int64_t cpu_request_m; /* millicores; requests.cpu, else limits.cpu, else 0 */
        int64_t pids;          /* 0 = none (limits.pids) */
} cg_limits;

/* Reads a container spec's resources. -EINVAL with the field path
 * ("resources.limits.memory") for a malformed or negative quantity. */
int cg_limits_from_container(const cJSON *ctr, cg_limits *ret, ocx_error **reterr);
/* Kubernetes' conversions: cpu.shares from a request (2 when none, at most
 * 262144); CFS quota in µs for a limit and a period (at least 1000). */
int64_t cg_cpu_shares(int64_t request_m);
int64_t cg_cpu_quota_us(int64_t limit_m, int64_t period_us);
/* status.qosClass of a pod spec: "Guaranteed", "Burstable" or "BestEffort". */
const char *cg_qos_class(const cJSON *pod);

typedef enum { CG_NONE, CG_V1, CG_V2 } cg_mode;

/* Finds the cgroup hierarchy and creates the node cgroup (see above).
 * base = BASE, run_dir = BASE/run/node. With env OCX_NODE_CGROUPS=none, or
 * when no usable hierarchy exists, the mode is CG_NONE: containers run
 * without limits (-ENOTSUP, with a message to log once). */
int cg_init(const char *run_dir, const char *base, ocx_error **reterr);
cg_mode cg_get_mode(void);
/* Removes the node cgroup when it is empty (every pod gone) and forgets the
 * state; remove_pods also removes leftover pod cgroups first. */
void cg_shutdown(bool remove_pods);

typedef struct cg_enter {
        bool moved;   /* the calling thread is in the container cgroups (v1) */
        bool created; /* the container cgroups exist */
        cg_limits lim;
        char *dirs[3]; /* container directory per controller */
} cg_enter;

/* Creates the pod and container cgroups (fresh for each start of the
 * container), writes the limits and, on v1, moves the calling thread into
 * them: everything it forks until cg_ctr_leave starts there. Must be
 * followed by cg_ctr_leave. -EINVAL (bad quantity) or -EIO when a limit the
 * spec asks for cannot be written. */
int cg_ctr_enter(const char *pod_uid, const cJSON *pod, const char *ctr, const cJSON *ctr_spec, cg_enter *e,
                 ocx_error **reterr);
/* Moves the calling thread back, puts monitor (> 0) back in ocxd's cgroups,
 * moves pid (> 0, v2) into the container cgroups, writes the CFS quota. */
void cg_ctr_leave(cg_enter *e, pid_t monitor, pid_t pid);
/* Whether the kernel OOM killer killed a process of this container's
 * current cgroup. */
bool cg_ctr_oom_killed(const char *pod_uid, const char *ctr);
/* Opens the container's cgroup.procs files (write-only, CLOEXEC) so that a
 * forked child can join them by writing "0" (exec probes). Returns the
 * number of fds put in fds (at most max). */
size_t cg_ctr_open_procs(const char *pod_uid, const char *ctr, int *fds, size_t max);
/* Removes the pod's cgroups (its processes are gone); waits up to 0.5 s for
 * exiting processes to leave them. */
void cg_pod_remove(const char *pod_uid);
/* The directory of a container's cgroup for a controller ("memory", "cpu",
 * "pids"), or NULL (caller frees). */
char *cg_ctr_dir(const char *pod_uid, const char *ctr, const char *controller);
