/* ocx imagestreams — Docker Registry HTTP API v2 client (libcurl).
 *
 * One client talks to one registry host and keeps its connection alive; it
 * is not thread-safe (use one per thread). Authentication follows the
 * registry's 401 challenge: "Bearer realm=...,service=...,scope=..." (token
 * fetched anonymously, or with basic credentials when given) or "Basic".
 *
 * Every manifest GET sends the OCI and Docker Accept types (Docker
 * Distribution answers 404 to an OCI manifest otherwise). Blobs are verified
 * against their digest before they are handed out: downloads stream to a
 * temporary file next to the destination while hashing, and are renamed into
 * place only when the digest (and size, when known) matches.
 *
 * Error codes: -ENOENT not found (404), -EACCES denied (401/403 after auth),
 * -EBADMSG digest or size mismatch, -EINVAL malformed answer, -E2BIG over a
 * cap, -EIO transport failure or another HTTP status. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "ocx/error.h"

#define IMG_MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define IMG_MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define IMG_MT_DOCKER_CONFIG "application/vnd.docker.container.image.v1+json"
#define IMG_MT_DOCKER_LAYER "application/vnd.docker.image.rootfs.diff.tar.gzip"
#define IMG_MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define IMG_MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define IMG_MT_OCI_CONFIG "application/vnd.oci.image.config.v1+json"
#define IMG_MT_OCI_LAYER "application/vnd.oci.image.layer.v1.tar"
#define IMG_MT_OCI_LAYER_GZIP "application/vnd.oci.image.layer.v1.tar+gzip"
#define IMG_MT_OCI_LAYER_ZSTD "application/vnd.oci.image.layer.v1.tar+zstd"

#define IMG_MANIFEST_MAX (4u << 20) /* manifests and configs are capped at 4 MiB */

typedef struct img_registry img_registry;

typedef struct img_registry_opts {
        bool insecure;        /* plain http:// (and no TLS verification) */
        const char *username; /* NULL: anonymous */
        const char *password;
        long timeout_ms; /* connect timeout (default 10 s) */
} img_registry_opts;

/* host: "127.0.0.1:5000", "quay.io", "docker.io" (→ registry-1.docker.io).
 * Loopback hosts (127.0.0.0/8, localhost, [::1]) are always plain HTTP. */
int img_registry_new(const char *host, const img_registry_opts *opts, img_registry **ret, ocx_error **reterr);
img_registry *img_registry_free(img_registry *r);
static inline void img_registry_freep(img_registry **r) { *r = img_registry_free(*r); }
#define _cleanup_registry_ _cleanup_(img_registry_freep)

/* GET /v2/ (authenticating if challenged). */
int img_registry_ping(img_registry *r, ocx_error **reterr);

/* GET /v2/<repo>/manifests/<reference>. *ret_body (NUL terminated), the
 * Content-Type and the sha256 digest of the body are owned by the caller.
 * When reference is a digest, the body must hash to it (-EBADMSG). */
int img_registry_get_manifest(img_registry *r, const char *repo, const char *reference, char **ret_body,
                              size_t *ret_len, char **ret_media_type, char **ret_digest, ocx_error **reterr);
/* PUT a manifest under reference (tag or digest); *ret_digest (may be NULL)
 * is the digest of body. */
int img_registry_put_manifest(img_registry *r, const char *repo, const char *reference, const char *media_type,
                              const char *body, size_t len, char **ret_digest, ocx_error **reterr);

/* HEAD a blob: 0 present (*ret_size set when not NULL), -ENOENT absent. */
int img_registry_blob_exists(img_registry *r, const char *repo, const char *digest, int64_t *ret_size,
                             ocx_error **reterr);
/* Downloads a blob into dest (temporary "dest.tmp-*" + rename), verifying
 * digest and, when expected_size >= 0, its size. */
int img_registry_get_blob_file(img_registry *r, const char *repo, const char *digest, int64_t expected_size,
                               const char *dest, ocx_error **reterr);
/* Downloads a small blob (at most cap bytes) into memory, verified. */
int img_registry_get_blob_mem(img_registry *r, const char *repo, const char *digest, size_t cap, char **ret,
                              size_t *ret_len, ocx_error **reterr);

/* Uploads a blob (POST + monolithic PUT) unless it is already present.
 * Exactly one of path / data is used. */
int img_registry_push_blob(img_registry *r, const char *repo, const char *digest, const char *path, const void *data,
                           size_t len, ocx_error **reterr);
/* Cross-repository mount (POST ?mount=digest&from=from_repo): 0 mounted,
 * 1 not mounted (the registry does not have it there; push instead). */
int img_registry_mount_blob(img_registry *r, const char *repo, const char *digest, const char *from_repo,
                            ocx_error **reterr);

/* GET /v2/<repo>/tags/list (following Link pagination). Returns a
 * NULL-terminated vector the caller frees (each string and the vector). */
int img_registry_tags(img_registry *r, const char *repo, char ***ret_tags, size_t *ret_n, ocx_error **reterr);
