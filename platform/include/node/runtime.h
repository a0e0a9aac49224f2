/* ocxd node — the container runtime: one container = a monitor process
 * (forked from ocxd, survives an ocxd restart, waits for the container and
 * records its exit status) and the container's PID 1 in new mount, pid, ipc
 * and uts namespaces, joined to the pod's network namespace, on an overlayfs
 * root, with the security context applied by scc enforce right before execve.
 *
 * Files in the state directory (per container, prefix = state_dir/name):
 *   <name>.pid    "PID STARTTIME MONITORPID\n" of the running container
 *   <name>.exit   "STATUS\n" written by the monitor when the container ends
 *                 (exit code, or 128+signal) */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "ocx/error.h"
#include "scc/enforce.h"

typedef struct rt_mount {
        const char *source; /* host path */
        const char *target; /* path inside the container */
        bool read_only;
} rt_mount;

typedef struct rt_spec {
        const char *name;      /* container name */
        const char *state_dir; /* pid/exit files */
        const char *const *lowers; /* overlay lower dirs, top-most first */
        size_t n_lowers;
        const char *rootfs_dir; /* upper/, work/, merged/ are created under it */
        bool read_only_root;
        bool privileged;       /* no masked / read-only paths */
        char *const *argv;
        char *const *envp;
        const char *cwd;       /* NULL or "" = "/" */
        const char *hostname;
        const char *netns_path; /* NULL: stay in ocxd's network namespace */
        const char *log_path;  /* stdout and stderr, appended */
        const rt_mount *mounts;
        size_t n_mounts;
        const scc_enforcement *enforcement;
} rt_spec;

/* Starts the container and returns once its entrypoint was executed (or
 * failed to be). ret_pid = container PID 1 (host pid), ret_monitor = the
 * monitor (ocxd's child). -errno with a message such as "exec 'sh': no such
 * file or directory" when the container could not start. */
int rt_start(const rt_spec *spec, pid_t *ret_pid, pid_t *ret_monitor, ocx_error **reterr);

/* Reads <state_dir>/<name>.pid and checks the process is still that one.
 * 1 = running (ret_pid set), 0 = not running. */
int rt_running(const char *state_dir, const char *name, pid_t *ret_pid, pid_t *ret_monitor);
/* Reads <state_dir>/<name>.exit: 0 with *ret_status, -ENOENT when absent. */
int rt_exit_status(const char *state_dir, const char *name, int *ret_status);
/* Removes the pid and exit files. */
void rt_forget(const char *state_dir, const char *name);
/* Reaps the monitor if it is our child and has ended (never blocks). */
void rt_reap(pid_t monitor);
/* Start time of a process (clock ticks since boot, /proc/PID/stat field 22);
 * 0 when the process is gone. */
uint64_t rt_proc_starttime(pid_t pid);
