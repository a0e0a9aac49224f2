/* ocx imagestreams — manifest parsing and platform resolution. */
#include <stdio.h>
#include <string.h>
#include "imagestreams/digest.h"
#include "imagestreams/manifest.h"
#include "ocx/json.h"
#include "ocx/macro.h"
#include "ocx/banned.h"

static void desc_release(img_descriptor *d) {
        free(d->media_type);
        free(d->digest);
        memset(d, 0, sizeof(*d));
}

void img_manifest_release(img_manifest *m) {
        if (!m) return;
        free(m->media_type);
        free(m->digest);
        free(m->list_digest);
        desc_release(&m->config);
        for (size_t i = 0; i < m->n_layers; i++) desc_release(&m->layers[i]);
        free(m->layers);
        free(m->raw);
        memset(m, 0, sizeof(*m));
}

static int parse_desc(const cJSON *j, const char *field, img_descriptor *d, ocx_error **reterr) {
        if (!cJSON_IsObject(j)) return ocx_error_set(reterr, EINVAL, field, "manifest %s: expected an object", field);
        const char *dg = ocx_json_get_str(j, "digest");
        if (!img_digest_valid(dg))
                return ocx_error_set(reterr, EINVAL, field, "manifest %s.digest: unsupported or invalid digest '%s'",
                                     field, dg ? dg : "");
        int64_t size = 0;
        const cJSON *sz = ocx_json_get(j, "size");
        if (!sz || ocx_json_int(sz, 0, INT64_C(1) << 50, &size) < 0)
                return ocx_error_set(reterr, EINVAL, field, "manifest %s.size: invalid size", field);
        const char *mt = ocx_json_get_str(j, "mediaType");
        d->media_type = ocx_xstrdup(mt ? mt : "");
        d->digest = ocx_xstrdup(dg);
        d->size = size;
        return 0;
}

static const char *doc_media_type(const cJSON *j, const char *content_type) {
        if (content_type && *content_type && strcmp(content_type, "application/json") != 0 &&
            strcmp(content_type, "text/plain") != 0)
                return content_type;
        const char *mt = ocx_json_get_str(j, "mediaType");
        if (mt) return mt;
        if (ocx_json_get(j, "manifests")) return IMG_MT_OCI_INDEX;
        if (ocx_json_get(j, "layers")) return IMG_MT_OCI_MANIFEST;
        return "";
}

int img_manifest_is_index(const char *body, size_t len, const char *content_type) {
        _cleanup_json_ cJSON *j = NULL;
        if (ocx_json_parse(body, len, &j, NULL) < 0) return 0;
        const char *mt = doc_media_type(j, content_type);
        return strcmp(mt, IMG_MT_DOCKER_LIST) == 0 || strcmp(mt, IMG_MT_OCI_INDEX) == 0;
}

int img_layer_media_type_ok(const char *mt) {
        static const char *ok[] = {IMG_MT_DOCKER_LAYER,
                                   "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
                                   "application/vnd.docker.image.rootfs.diff.tar",
                                   IMG_MT_OCI_LAYER,
                                   IMG_MT_OCI_LAYER_GZIP,
                                   IMG_MT_OCI_LAYER_ZSTD,
                                   "application/vnd.oci.image.layer.nondistributable.v1.tar",
                                   "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
                                   "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd"};
        for (size_t i = 0; i < OCX_ARRAY_SIZE(ok); i++)
                if (ocx_streq(mt, ok[i])) return 1;
        return 0;
}

int img_manifest_parse(const char *body, size_t len, const char *content_type, img_manifest *ret, ocx_error **reterr) {
        memset(ret, 0, sizeof(*ret));
        _cleanup_json_ cJSON *j = NULL;
        int r = ocx_json_parse(body, len, &j, reterr);
        if (r < 0) return ocx_error_wrap(reterr, "manifest");
        if (!cJSON_IsObject(j)) return ocx_error_set(reterr, EINVAL, NULL, "manifest: expected an object");
        const char *mt = doc_media_type(j, content_type);
        int64_t sv = 0;
        const cJSON *svj = ocx_json_get(j, "schemaVersion");
        if (svj && ocx_json_int(svj, 0, 10, &sv) == 0 && sv == 1)
                return ocx_error_set(reterr, ENOTSUP, NULL, "manifest schema version 1 is not supported");
        if (strcmp(mt, IMG_MT_DOCKER_MANIFEST) != 0 && strcmp(mt, IMG_MT_OCI_MANIFEST) != 0)
                return ocx_error_set(reterr, ENOTSUP, NULL, "unsupported manifest media type '%s'", mt);
        if (sv != 2) return ocx_error_set(reterr, EINVAL, "schemaVersion", "manifest: schemaVersion must be 2");
        img_manifest m = {0};
        m.media_type = ocx_xstrdup(mt);
        if ((r = parse_desc(ocx_json_get(j, "config"), "config", &m.config, reterr)) < 0) goto fail;
        const cJSON *layers = ocx_json_get(j, "layers");
        if (!cJSON_IsArray(layers)) {
                r = ocx_error_set(reterr, EINVAL, "layers", "manifest layers: expected an array");
                goto fail;
        }
        int n = cJSON_GetArraySize(layers);
        if (n > IMG_MAX_LAYERS) {
                r = ocx_error_set(reterr, E2BIG, "layers", "manifest: too many layers (%d)", n);
                goto fail;
        }
        m.layers = ocx_xcalloc((size_t)n + 1, sizeof(img_descriptor));
        const cJSON *it;
        cJSON_ArrayForEach(it, layers) {
                char field[32];
                snprintf(field, sizeof(field), "layers[%zu]", m.n_layers);
                if ((r = parse_desc(it, field, &m.layers[m.n_layers], reterr)) < 0) goto fail;
                m.n_layers++;
        }
        char dg[IMG_DIGEST_LEN];
        img_sha256_mem(body, len, dg);
        m.digest = ocx_xstrdup(dg);
        m.raw = ocx_xstrndup(body, len);
        m.raw_len = len;
        *ret = m;
        return 0;
fail:
        img_manifest_release(&m);
        return r;
}

int img_manifest_pick(const char *body, size_t len, const char *os, const char *arch, char **ret_digest,
                      ocx_error **reterr) {
        _cleanup_json_ cJSON *j = NULL;
        int r = ocx_json_parse(body, len, &j, reterr);
        if (r < 0) return ocx_error_wrap(reterr, "manifest list");
        const cJSON *ms = ocx_json_get(j, "manifests"), *it;
        if (!cJSON_IsArray(ms)) return ocx_error_set(reterr, EINVAL, "manifests", "manifest list: expected an array");
        cJSON_ArrayForEach(it, ms) {
                const cJSON *p = ocx_json_get(it, "platform");
                const char *o = ocx_json_get_str(p, "os"), *a = ocx_json_get_str(p, "architecture");
                const char *dg = ocx_json_get_str(it, "digest");
                if (ocx_streq(o, os) && ocx_streq(a, arch) && img_digest_valid(dg)) {
                        *ret_digest = ocx_xstrdup(dg);
                        return 0;
                }
        }
        return ocx_error_set(reterr, ENOTSUP, NULL, "no %s/%s image in the manifest list", os, arch);
}

int img_manifest_fetch(img_registry *r, const img_ref *ref, img_manifest *ret, ocx_error **reterr) {
        _cleanup_free_ char *body = NULL, *mt = NULL, *dg = NULL;
        size_t len = 0;
        int k = img_registry_get_manifest(r, ref->path, img_ref_reference(ref), &body, &len, &mt, &dg, reterr);
        if (k < 0) return k;
        _cleanup_free_ char *list_digest = NULL;
        if (img_manifest_is_index(body, len, mt)) {
                _cleanup_free_ char *child = NULL;
                if ((k = img_manifest_pick(body, len, "linux", "amd64", &child, reterr)) < 0) return k;
                list_digest = TAKE_PTR(dg);
                free(body), body = NULL;
                free(mt), mt = NULL;
                k = img_registry_get_manifest(r, ref->path, child, &body, &len, &mt, &dg, reterr);
                if (k < 0) return k;
                if (img_manifest_is_index(body, len, mt))
                        return ocx_error_set(reterr, ENOTSUP, NULL, "nested manifest lists are not supported");
        }
        if ((k = img_manifest_parse(body, len, mt, ret, reterr)) < 0) return k;
        ret->list_digest = TAKE_PTR(list_digest);
        return 0;
}
