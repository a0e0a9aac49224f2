/* ocx imagestreams — image manifests: Docker schema 2 and OCI manifests,
 * Docker manifest lists and OCI indexes (resolved to linux/amd64). */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include "imagestreams/ref.h"
#include "imagestreams/registry.h"
#include "ocx/error.h"

#define IMG_MAX_LAYERS 1000

typedef struct img_descriptor {
        char *media_type;
        char *digest; /* validated "sha256:<hex>" */
        int64_t size; /* >= 0 */
} img_descriptor;

typedef struct img_manifest {
        char *media_type;  /* of this manifest */
        char *digest;      /* sha256 of raw */
        char *list_digest; /* the manifest list / index it was picked from, or NULL */
        img_descriptor config;
        img_descriptor *layers;
        size_t n_layers;
        char *raw; /* the manifest bytes as served */
        size_t raw_len;
} img_manifest;

void img_manifest_release(img_manifest *m);

/* 1 when the media type (or, when content_type is empty, the document's
 * mediaType / "manifests" member) says body is a list or an index. */
int img_manifest_is_index(const char *body, size_t len, const char *content_type);
/* Parses a single-image manifest (schema 2 or OCI). -ENOTSUP for schema 1
 * and unknown types, -EINVAL for malformed documents. The digest is
 * computed from body. */
int img_manifest_parse(const char *body, size_t len, const char *content_type, img_manifest *ret, ocx_error **reterr);
/* Picks the entry for os/arch from a list or index; *ret_digest is owned by
 * the caller. -ENOTSUP "no linux/amd64 image in ..." when absent. */
int img_manifest_pick(const char *body, size_t len, const char *os, const char *arch, char **ret_digest,
                      ocx_error **reterr);
/* Fetches the manifest of ref from r, resolving a list/index to linux/amd64. */
int img_manifest_fetch(img_registry *r, const img_ref *ref, img_manifest *ret, ocx_error **reterr);
/* 1 when a layer media type is a tar archive ocx can unpack. */
int img_layer_media_type_ok(const char *media_type);
