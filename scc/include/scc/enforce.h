/* scc — the enforcer: applies a resolved container security context to the
 * process that is about to execve the container's entrypoint.
 *
 * Two phases, so that nothing process-wide happens in a daemon:
 *  1. scc_exec_context_from_pod() + scc_enforce_prepare(), in the caller
 *     (ocxd): read the effective values from the pod JSON (container field,
 *     else pod field, else annotation), resolve capability names, build the
 *     seccomp filter in memory, read a localhost profile file. Heap only.
 *  2. scc_enforce_apply(), in the forked child right before execve: SELinux
 *     exec label, capability bounding set, setgroups/setresgid/setresuid,
 *     capability sets (+ ambient for non-root), PR_SET_NO_NEW_PRIVS, seccomp.
 *     It allocates nothing and never logs; on failure it returns -errno and a
 *     static description of the step that failed.
 *
 * Capabilities follow CRI-O: the default set is CHOWN, DAC_OVERRIDE, FSETID,
 * FOWNER, SETGID, SETUID, SETPCAP, NET_BIND_SERVICE, KILL; `add` is added,
 * `drop` removed (`ALL` in drop empties the defaults first, `ALL` in add keeps
 * every capability); privileged keeps every capability and is unconfined. The
 * bounding set is cleared of every capability not kept. A non-root process
 * gets the explicitly added capabilities as ambient capabilities (so that
 * `add: [NET_BIND_SERVICE]` works for uid 1000660000); its other kept
 * capabilities stay in the bounding set only, as with Kubernetes.
 *
 * no_new_privs is set when allowPrivilegeEscalation is false and always for a
 * non-root uid (unless the container is privileged).
 *
 * Seccomp profiles: "" / absent = none, "unconfined", "runtime/default" (and
 * "docker/default"): a deny list with EPERM as the Docker/CRI-O default
 * profile denies (mount, umount2, unshare, setns, keyctl, add_key,
 * request_key, bpf, perf_event_open, ptrace, kexec_*, *_module, reboot,
 * swapon/swapoff, clock_settime, settimeofday, adjtimex, namespace flags in
 * clone, clone3 → ENOSYS, ...), with the groups a kept capability re-allows
 * (SYS_ADMIN: mount family; SYS_PTRACE: ptrace; SYS_TIME: clock setting ...);
 * "localhost/<file>": a Docker-format JSON profile read from the profile
 * root directory given to scc_enforce_prepare. */
#pragma once
#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "ocx/error.h"

#define SCC_MAX_GROUPS 64
#define SCC_MAX_CAPS 64

/* The effective security context of one container (plain data). */
typedef struct scc_exec_context {
        bool has_uid, has_gid;
        uint32_t uid, gid;
        bool run_as_non_root;
        size_t n_groups;
        uint32_t groups[SCC_MAX_GROUPS]; /* supplementalGroups, then fsGroup */
        bool has_fs_group;
        uint32_t fs_group;
        char **cap_add, **cap_drop; /* NULL terminated, may be NULL */
        bool privileged;
        int allow_privilege_escalation; /* -1 unset, 0 false, 1 true */
        bool read_only_root;
        char *seccomp;          /* "runtime/default", "unconfined", "localhost/x", NULL */
        char *selinux_label;    /* "user:role:type:level" or NULL */
} scc_exec_context;

/* Reads the effective context of container `container` (init containers
 * too) from a pod object. -ENOENT when the pod has no such container,
 * -EINVAL (with the JSON path in reterr) for a malformed value. The result
 * owns its strings: scc_exec_context_release. */
int scc_exec_context_from_pod(const cJSON *pod, const char *container, scc_exec_context *ret,
                              ocx_error **reterr);
void scc_exec_context_release(scc_exec_context *c);

/* Fills in the uid/gid from an image's config User ("uid", "uid:gid") when
 * the pod did not set them; a non-numeric user is -EINVAL (no passwd lookup).
 * Defaults to uid 0, and gid 0 when only the uid is known. Refuses root with
 * runAsNonRoot (-EPERM, Kubernetes' message). */
int scc_exec_context_resolve_user(scc_exec_context *c, const char *image_user, ocx_error **reterr);

typedef struct scc_enforcement scc_enforcement;

/* Builds everything scc_enforce_apply needs. profile_root is the directory
 * localhost/<file> profiles are read from (may be NULL: localhost profiles
 * are then refused). -EINVAL for an unknown capability or seccomp profile,
 * -ENOENT for a missing profile file. Owned by the caller (scc_enforcement_free). */
int scc_enforce_prepare(const scc_exec_context *c, const char *profile_root, scc_enforcement **ret,
                        ocx_error **reterr);
scc_enforcement *scc_enforcement_free(scc_enforcement *e);

/* Applies the enforcement to the calling process; only for a child about to
 * execve. Returns 0, or -errno with *ret_step naming what failed. */
int scc_enforce_apply(const scc_enforcement *e, const char **ret_step);

/* Introspection for logs and tests: the kept capability mask (bit = cap
 * number), whether no_new_privs will be set, and the uid/gid applied. */
uint64_t scc_enforcement_caps(const scc_enforcement *e);
bool scc_enforcement_no_new_privs(const scc_enforcement *e);

/* Whether SELinux labels can be applied on this kernel (is_selinux_enabled);
 * when not, labels are carried but not applied and the node reports it once. */
bool scc_selinux_available(void);

/* Capability name ("NET_BIND_SERVICE", "CAP_NET_BIND_SERVICE", any case) to
 * number; -EINVAL when unknown. */
int scc_cap_from_name(const char *name);
