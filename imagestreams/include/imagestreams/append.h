/* ocx imagestreams — `ocx image append` and `ocx image info`: build an image
 * from a base (or scratch) plus layer archives and push it; describe an
 * image in a registry. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include "ocx/buf.h"
#include "ocx/error.h"

typedef struct img_append_opts {
        const char *from;          /* "scratch", NULL (= scratch) or an image reference */
        const char *to;            /* reference with a tag */
        const char *image_json;    /* JSON object merged into the config section
                                      ({"Entrypoint":[...],"ExposedPorts":{...},"User":"1001"}), or NULL */
        const char *const *layers; /* paths of tar, tar.gz or tar.zst archives, bottom first */
        size_t n_layers;
        bool insecure;       /* plain HTTP to both registries */
        const char *tmp_dir; /* scratch space (NULL: $TMPDIR or /tmp) */
} img_append_opts;

/* Pushes the base layers (cross-repository mount when on the same registry,
 * otherwise copied through tmp_dir, verified), each new layer (plain tars are
 * gzip-compressed first; zstd layers make the manifest OCI), a new config
 * (diff_ids, history and the --image settings) and the manifest under
 * o->to's tag. *ret_digest (may be NULL) is the pushed manifest's digest.
 * Errors: -EINVAL bad reference, option or archive, plus registry errors. */
int img_append(const img_append_opts *o, char **ret_digest, ocx_error **reterr);

/* Appends the `oc image info`-style description of ref to out:
 * Name, Digest, Manifest List, Media Type, Created, Image Size, Layers, OS,
 * Arch, Entrypoint, Command, Working Dir, User, Exposed Ports, Environment,
 * Labels. */
int img_info(const char *ref, bool insecure, ocx_buf *out, ocx_error **reterr);
