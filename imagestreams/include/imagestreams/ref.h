/* ocx imagestreams — image references: "[registry/]repo[:tag][@sha256:hex]"
 * parsed with Docker's normalisation rules (distribution/reference
 * ParseNormalizedNamed):
 *   - the part before the first '/' is a registry when it contains '.' or ':'
 *     or is "localhost" (and has no upper case letters); otherwise the
 *     registry is "docker.io"; "index.docker.io" becomes "docker.io"
 *   - a single-component repository on docker.io gets "library/"
 *   - the repository path must be lower case, components
 *     [a-z0-9]+((.|_|__|-+)[a-z0-9]+)* separated by '/'
 *   - tag [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}; digest sha256:<64 lower hex>
 *   - neither tag nor digest: tag "latest"
 *   - the name (registry/path) is at most 255 characters */
#pragma once
#include "ocx/error.h"

typedef struct img_ref {
        char *domain; /* "docker.io", "127.0.0.1:5000", "quay.io" */
        char *path;   /* "library/busybox", "test/hello" */
        char *tag;    /* NULL when only a digest was given */
        char *digest; /* "sha256:<hex>" or NULL */
} img_ref;

/* Parses s into *ret (fields owned by ret; release with img_ref_release).
 * Errors: -EINVAL "invalid reference format: ..." with the Docker wording
 * ("repository name must be lowercase", "repository name must be
 * canonical", ...). */
int img_ref_parse(const char *s, img_ref *ret, ocx_error **reterr);
void img_ref_release(img_ref *r);

/* "domain/path" — caller frees. */
char *img_ref_name(const img_ref *r);
/* The fully qualified "domain/path[:tag][@digest]" — caller frees. */
char *img_ref_string(const img_ref *r);
/* Docker's familiar form: "busybox:latest", "user/app:1", others unchanged. */
char *img_ref_familiar(const img_ref *r);
/* The tag or digest to ask the registry for (digest wins). Not owned. */
const char *img_ref_reference(const img_ref *r);

/* True when s is "sha256:" followed by exactly 64 lower-case hex digits. */
int img_digest_valid(const char *s);
