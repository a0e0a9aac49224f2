/* ocxd node — volumes whose files the node writes: configMap, secret,
 * downwardAPI, projected (serviceAccountToken, configMap, secret,
 * downwardAPI sources) and the automatic service-account token mount at
 * /var/run/secrets/kubernetes.io/serviceaccount (token, ca.crt, namespace).
 *
 * The files of one pod live on a tmpfs mounted at BASE/pods/<ns>/<pod>/vfiles
 * (never on disk): one directory per volume (vfiles/<volume>) and
 * vfiles/.serviceaccount for the automatic mount. Each directory is written
 * as kubelet's atomic writer does: the data in a hidden timestamped
 * directory, a "..data" symlink to it swapped with rename(2), and one symlink
 * per top-level entry ("key -> ..data/key"), so an update is seen whole.
 * Files belong to root with group fsGroup (when the pod has one, plus group
 * read); containers get the directories bind-mounted read-only.
 *
 * The files are written when the pod starts and rewritten whenever one of
 * its containers restarts; running containers then see the new content
 * (except through subPath mounts, which pin one file). */
#pragma once
#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "ocx/error.h"

#define VOL_SA_MOUNT_PATH "/var/run/secrets/kubernetes.io/serviceaccount"
#define VOL_SA_DIR ".serviceaccount" /* under vfiles/; not a valid volume name */
#define VOL_MAX_FILE (4u << 20)      /* cap on one decoded key */

struct api_server;

/* Looks up a namespaced core object by plural ("configmaps", "secrets",
 * "serviceaccounts"): 0 and *ret (caller frees), -ENOENT when absent. */
typedef int (*vol_lookup_fn)(void *userdata, const char *plural, const char *ns, const char *name, cJSON **ret);

typedef struct vol_file {
        char *path; /* relative, validated (no "..", no leading "/", not empty) */
        char *data;
        size_t len;
        mode_t mode;
} vol_file;

typedef struct vol_files {
        vol_file *v;
        size_t n;
} vol_files;

void vol_files_release(vol_files *f);

typedef struct vol_ctx {
        const cJSON *pod;
        const char *pod_ip; /* for status.podIP; NULL or "" when none */
        vol_lookup_fn lookup;
        void *userdata;
} vol_ctx;

/* Whether the node writes the files of this volume (configMap, secret,
 * downwardAPI, projected). */
bool vol_is_file_volume(const cJSON *vol);

/* Renders one file volume into ret (appended). 0; -EAGAIN when a source is
 * not there yet (a configMap, secret or key that is not optional, the
 * service account or its token) with a message naming it; -EINVAL for a
 * spec the node cannot serve (bad path or mode, unsupported source). */
int vol_render(const vol_ctx *c, const cJSON *vol, vol_files *ret, ocx_error **reterr);

/* Whether the pod gets the automatic token mount: the pod's
 * automountServiceAccountToken, else its service account's, else true.
 * -EAGAIN when the service account does not exist (yet). */
int vol_sa_automount(const vol_ctx *c, bool *ret);

/* The files of the automatic mount: token, ca.crt, namespace (mode 0644),
 * from the service account's token Secret. -EAGAIN while the account or its
 * token Secret is missing. */
int vol_render_sa(const vol_ctx *c, vol_files *ret, ocx_error **reterr);

/* Downward API map format: sorted `key="value"` lines, values quoted as Go's
 * %q does, no final newline. Caller frees. */
char *vol_format_map(const cJSON *map);

/* Writes the files into dir (created 0755) with the atomic-writer layout;
 * entries of an earlier write that are not in f are removed. gid >= 0: files
 * and directories get that group, files group read, directories setgid. */
int vol_write_dir(const char *dir, const vol_files *f, int64_t gid, ocx_error **reterr);

/* Validates a volume file path: relative, no ".." element, not starting with
 * "..", at most 4096 bytes. */
bool vol_path_ok(const char *path);

/* Resolves an absolute path inside a container root made of overlay lower
 * directories (top-most first), following symlinks found in them as the
 * container would (absolute targets restart at the container root, ".."
 * stops at it). Returns the resolved absolute in-container path (caller
 * frees), so that a bind mount onto "/var/run/x" in an image where /var/run
 * -> /run lands on "/run/x" inside the root instead of on the host. */
char *vol_resolve_in_root(const char *const *lowers, size_t n_lowers, const char *path);

/* ---- on the node (the agent thread) -------------------------------------- */

/* The API server the node reads configMaps, secrets and service accounts
 * from (set once by the agent). */
void vol_set_api(struct api_server *s);

/* Writes the pod's file volumes and the automatic token under
 * pod_dir/vfiles (mounting its tmpfs first). refresh = false returns at once
 * when a previous call completed. Nothing is written unless every volume
 * renders. -EAGAIN (waiting for a source; *reterr says which), -EINVAL, or
 * -errno of a failed mount or write. */
int vol_pod_prepare(const cJSON *pod, const char *pod_dir, const char *pod_ip, bool refresh, ocx_error **reterr);

/* Host directory (or file, with subPath) to bind for a volumeMount of a file
 * volume; NULL with -EINVAL in *ret_err for a bad subPath, NULL and 0 when
 * vol is not a file volume. Caller frees. */
char *vol_mount_source(const char *pod_dir, const cJSON *vol, const char *sub_path, int *ret_err);

/* Host directory for the automatic token mount of this container, or NULL
 * (no automatic mount for the pod, or the container mounts something at
 * VOL_SA_MOUNT_PATH itself). Caller frees. */
char *vol_sa_mount_source(const char *pod_dir, const cJSON *container_spec);

/* hostPath: checks or creates the path according to hostPath.type
 * (DirectoryOrCreate, Directory, FileOrCreate, File, Socket, CharDevice,
 * BlockDevice, "" = no check). -EINVAL with a message when it does not fit. */
int vol_host_path_check(const cJSON *vol, ocx_error **reterr);

/* Unmounts the pod's tmpfs (call before removing pod_dir). */
void vol_pod_teardown(const char *pod_dir);
