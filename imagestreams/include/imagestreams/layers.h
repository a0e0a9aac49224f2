/* ocx imagestreams — the content-addressed layer store and layer unpacking.
 *
 *   BASE/blobs/sha256/<hex>      compressed blobs (layers, configs), written
 *                                only after their digest was verified
 *   BASE/layers/sha256/<hex>/    a layer blob unpacked once, shared by every
 *                                image and pod that uses it
 *   BASE/.lock                   pulls hold it shared, img_store_gc exclusive
 *
 * Unpacking (libarchive: tar, pax, GNU tar; none, gzip or zstd compression):
 *   - no entry is created outside the layer directory: paths with ".."
 *     components are refused (-EINVAL "... escapes the layer directory"),
 *     leading "/" and "./" are stripped, every parent directory is resolved
 *     inside the layer root (openat2 RESOLVE_IN_ROOT: a symlink, absolute or
 *     relative, can never lead outside), the final component is never
 *     followed, hard links must name an entry inside the layer
 *   - whiteouts ".wh.NAME" become overlayfs whiteouts (character device 0/0)
 *     and ".wh..wh..opq" sets trusted.overlay.opaque=y on its directory; when
 *     the process may not do that they are kept as the original empty files
 *   - character and block devices are skipped (the runtime provides /dev);
 *     FIFOs are created; sockets skipped
 *   - owners are applied when running as root; modes (setuid included) and
 *     mtimes always; extended attributes are not restored */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include "ocx/error.h"

typedef struct img_unpack_stats {
        uint64_t files, dirs, symlinks, hardlinks, whiteouts, skipped;
        uint64_t bytes; /* regular file content written */
} img_unpack_stats;

/* Unpacks the archive at archive_path into dest_dir (an existing directory,
 * normally empty). stats may be NULL. */
int img_layer_unpack(const char *archive_path, const char *dest_dir, img_unpack_stats *stats, ocx_error **reterr);

/* Creates BASE/blobs/sha256 and BASE/layers/sha256. */
int img_store_init(const char *base, ocx_error **reterr);
/* Paths of a digest in the store (caller frees); NULL for a malformed digest. */
char *img_store_blob_path(const char *base, const char *digest);
char *img_store_layer_path(const char *base, const char *digest);
/* 1 when the blob / unpacked layer is present, 0 when not. */
int img_store_has_blob(const char *base, const char *digest);
int img_store_has_layer(const char *base, const char *digest);
/* Unpacks the stored blob of digest once (temporary directory renamed into
 * place; a concurrent unpack of the same layer is harmless). *ret_dir (may be
 * NULL) is the layer directory, caller frees. -ENOENT when the blob is not in
 * the store. */
int img_store_unpack_layer(const char *base, const char *digest, char **ret_dir, ocx_error **reterr);

/* Store lock: shared while pulling, exclusive while collecting. Returns an
 * fd to close (releases the lock) or -errno. */
int img_store_lock(const char *base, int exclusive);

typedef struct img_gc_stats {
        size_t blobs_removed, layers_removed, kept;
} img_gc_stats;
/* Removes every blob and unpacked layer whose digest is not in keep (and
 * leftover temporaries older than an hour). keep holds "sha256:..." digests
 * of layers and configs still in use. stats may be NULL. */
int img_store_gc(const char *base, const char *const *keep, size_t n_keep, img_gc_stats *stats, ocx_error **reterr);

/* Removes path (file or directory tree) without following symlinks or
 * crossing mount points. */
int img_rm_rf(const char *path);
