/* ocx imagestreams — img_pull: manifest → verified blobs → unpacked layers. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "imagestreams/layers.h"
#include "imagestreams/manifest.h"
#include "imagestreams/pull.h"
#include "imagestreams/registry.h"
#include "ocx/buf.h"
#include "ocx/macro.h"
#include "ocx/banned.h"

img_pulled *img_pulled_free(img_pulled *p) {
        if (!p) return NULL;
        free(p->name);
        free(p->digest);
        free(p->media_type);
        free(p->config_digest);
        for (size_t i = 0; i < p->n_layers; i++) {
                free(p->layers[i]);
                free(p->layer_digests[i]);
        }
        free(p->layers);
        free(p->layer_digests);
        img_config_release(&p->config);
        free(p);
        return NULL;
}

/* the config blob, from the store or the registry (then stored) */
static int fetch_config(img_registry *reg, const char *base, const char *repo, const img_descriptor *d, char **ret,
                        size_t *ret_len, ocx_error **reterr) {
        _cleanup_free_ char *path = img_store_blob_path(base, d->digest);
        if (img_store_has_blob(base, d->digest) && ocx_read_file(path, IMG_MANIFEST_MAX, ret, ret_len) == 0) return 0;
        if (d->size > (int64_t)IMG_MANIFEST_MAX)
                return ocx_error_set(reterr, E2BIG, NULL, "image config '%s' is larger than 4 MiB", d->digest);
        int k = img_registry_get_blob_mem(reg, repo, d->digest, IMG_MANIFEST_MAX, ret, ret_len, reterr);
        if (k < 0) return k;
        k = ocx_write_file_atomic(path, *ret, *ret_len, 0644);
        if (k < 0) return ocx_error_set(reterr, -k, NULL, "cannot write '%s': %s", path, strerror(-k));
        return 0;
}

static int pull_locked(const char *base, const img_ref *ref, const img_pull_opts *opts, img_pulled **ret,
                       ocx_error **reterr) {
        img_registry_opts ro = {.insecure = opts && opts->insecure,
                                .username = opts ? opts->username : NULL,
                                .password = opts ? opts->password : NULL};
        _cleanup_registry_ img_registry *reg = NULL;
        int k = img_registry_new(ref->domain, &ro, &reg, reterr);
        if (k < 0) return k;
        img_manifest m;
        if ((k = img_manifest_fetch(reg, ref, &m, reterr)) < 0) return k;
        img_pulled *p = ocx_xcalloc(1, sizeof(*p));
        p->name = img_ref_string(ref);
        p->digest = ocx_xstrdup(m.digest);
        p->media_type = ocx_xstrdup(m.media_type);
        p->config_digest = ocx_xstrdup(m.config.digest);
        p->layers = ocx_xcalloc(m.n_layers + 1, sizeof(char *));
        p->layer_digests = ocx_xcalloc(m.n_layers + 1, sizeof(char *));

        _cleanup_free_ char *cfg = NULL;
        size_t cfg_len = 0;
        if ((k = fetch_config(reg, base, ref->path, &m.config, &cfg, &cfg_len, reterr)) < 0) goto fail;
        if ((k = img_config_parse(cfg, cfg_len, &p->config, reterr)) < 0) {
                ocx_error_wrap(reterr, "image config '%s'", m.config.digest);
                goto fail;
        }
        for (size_t i = 0; i < m.n_layers; i++) {
                const img_descriptor *d = &m.layers[i];
                if (!img_layer_media_type_ok(d->media_type)) {
                        k = ocx_error_set(reterr, ENOTSUP, NULL, "layer '%s': unsupported media type '%s'", d->digest,
                                          d->media_type);
                        goto fail;
                }
                if (!img_store_has_layer(base, d->digest) && !img_store_has_blob(base, d->digest)) {
                        _cleanup_free_ char *dest = img_store_blob_path(base, d->digest);
                        k = img_registry_get_blob_file(reg, ref->path, d->digest, d->size, dest, reterr);
                        if (k < 0) goto fail;
                }
                if ((k = img_store_unpack_layer(base, d->digest, &p->layers[i], reterr)) < 0) goto fail;
                p->layer_digests[i] = ocx_xstrdup(d->digest);
                p->n_layers = i + 1;
        }
        img_manifest_release(&m);
        *ret = p;
        return 0;
fail:
        img_manifest_release(&m);
        img_pulled_free(p);
        return k;
}

int img_pull_opts_run(const char *base_dir, const char *ref, const img_pull_opts *opts, img_pulled **ret,
                      ocx_error **reterr) {
        img_ref rf;
        int k = img_ref_parse(ref, &rf, reterr);
        if (k < 0) return k;
        if ((k = img_store_init(base_dir, reterr)) < 0) goto out;
        int lock = img_store_lock(base_dir, 0);
        if (lock < 0) {
                k = ocx_error_set(reterr, -lock, NULL, "cannot lock the layer store '%s': %s", base_dir,
                                  strerror(-lock));
                goto out;
        }
        k = pull_locked(base_dir, &rf, opts, ret, reterr);
        close(lock);
out:
        if (k < 0) ocx_error_wrap(reterr, "pull '%s'", ref);
        img_ref_release(&rf);
        return k;
}

int img_pull(const char *base_dir, const char *ref, img_pulled **ret, ocx_error **reterr) {
        return img_pull_opts_run(base_dir, ref, NULL, ret, reterr);
}
