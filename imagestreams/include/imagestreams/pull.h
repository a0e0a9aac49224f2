/* ocx imagestreams — pull an image into the shared, content-addressed layer
 * store so a node can assemble a root filesystem from it.
 *
 * Layout under base_dir (shared by every pod on the node):
 *   BASE/blobs/sha256/<hex>     compressed layer blobs and config blobs,
 *                               verified against their digest before use
 *   BASE/layers/sha256/<hex>/   each layer unpacked once (whiteouts applied
 *                               as overlayfs whiteouts: char 0/0 devices and
 *                               trusted.overlay.opaque, or kept as .wh. files
 *                               when the process may not create them)
 *
 * The layer directories are meant to be stacked as overlayfs lowerdirs:
 * layers[0] is the base (bottom) layer, layers[n_layers-1] the top one, so an
 * overlay "lowerdir=" string lists them in reverse order. */
#pragma once
#include <stddef.h>

#include "ocx/error.h"
#include "imagestreams/image.h"

typedef struct img_pulled {
        char *name;          /* normalised reference, "docker.io/library/busybox:latest" */
        char *digest;        /* manifest digest "sha256:..." (of the linux/amd64 manifest) */
        char *media_type;    /* manifest media type */
        char *config_digest; /* "sha256:..." */
        size_t n_layers;
        char **layers;        /* absolute paths of unpacked layer dirs, bottom first */
        char **layer_digests; /* compressed blob digests, same order */
        img_config config;    /* parsed image config (Entrypoint, Cmd, Env, ...) */
} img_pulled;

typedef struct img_pull_opts {
        int insecure;         /* plain HTTP / no TLS verification; 127.0.0.1 and
                                 localhost registries are always treated as insecure */
        const char *username; /* optional registry credentials (NULL: anonymous) */
        const char *password;
} img_pull_opts;

/* Resolves ref ("[registry/]repo[:tag][@sha256:...]", Docker normalisation),
 * fetches the manifest (Docker schema 2 or OCI; a manifest list / OCI index
 * picks linux/amd64), downloads and verifies the config and each layer blob
 * not already in the store, unpacks each layer not already unpacked, and
 * returns the ordered layer directories and parsed config. Safe to call
 * concurrently from several threads/processes for the same base_dir (files
 * are written to temporaries and renamed into place).
 *
 * On success *ret is a new object owned by the caller (img_pulled_free).
 * Errors: -EINVAL bad reference or malformed manifest/config, -ENOENT image
 * or tag not found, -EACCES registry refused credentials, -EBADMSG digest
 * mismatch ("digest mismatch for blob 'sha256:...'"), -EIO network/registry
 * failure, -ENOTSUP unsupported media type or no linux/amd64 entry. */
int img_pull(const char *base_dir, const char *ref, img_pulled **ret, ocx_error **reterr);
/* Same with options (opts may be NULL). */
int img_pull_opts_run(const char *base_dir, const char *ref, const img_pull_opts *opts, img_pulled **ret,
                      ocx_error **reterr);

img_pulled *img_pulled_free(img_pulled *p);
static inline void img_pulled_freep(img_pulled **p) { *p = img_pulled_free(*p); }
#define _cleanup_img_pulled_ _cleanup_(img_pulled_freep)
