/* ocx imagestreams — building and pushing images (`ocx image append`) and
 * describing them (`ocx image info`). */
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "imagestreams/append.h"
#include "imagestreams/digest.h"
#include "imagestreams/image.h"
#include "imagestreams/manifest.h"
#include "imagestreams/ref.h"
#include "imagestreams/registry.h"
#include "ocx/json.h"
#include "ocx/macro.h"
#include "ocx/banned.h"

#define IO_CHUNK (64 * 1024)

typedef enum { COMP_NONE, COMP_GZIP, COMP_ZSTD } compression;

typedef struct new_layer {
        char *blob_path; /* what is pushed */
        char *tmp;       /* temporary to remove, or NULL */
        char digest[IMG_DIGEST_LEN];
        char diff_id[IMG_DIGEST_LEN];
        int64_t size;
        compression comp;
} new_layer;

static int sniff(const char *path, compression *ret, ocx_error **reterr) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) return ocx_error_set(reterr, errno, NULL, "cannot open '%s': %s", path, strerror(errno));
        unsigned char m[4] = {0};
        ssize_t n = read(fd, m, sizeof(m));
        if (n >= 2 && m[0] == 0x1f && m[1] == 0x8b)
                *ret = COMP_GZIP;
        else if (n >= 4 && m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd)
                *ret = COMP_ZSTD;
        else
                *ret = COMP_NONE;
        return 0;
}

/* sha256 of the decompressed stream, after checking it is a tar archive */
static int diff_id_of(const char *path, char out[IMG_DIGEST_LEN], ocx_error **reterr) {
        struct archive *a = archive_read_new();
        archive_read_support_filter_all(a);
        archive_read_support_format_tar(a);
        archive_read_support_format_gnutar(a);
        struct archive_entry *e;
        int ok = archive_read_open_filename(a, path, 1 << 16) == ARCHIVE_OK;
        int k = ok ? archive_read_next_header(a, &e) : ARCHIVE_FATAL;
        archive_read_free(a);
        if (k != ARCHIVE_OK && k != ARCHIVE_WARN && k != ARCHIVE_EOF)
                return ocx_error_set(reterr, EINVAL, NULL, "'%s' is not a tar archive", path);
        a = archive_read_new();
        archive_read_support_filter_all(a);
        archive_read_support_format_raw(a);
        int r = 0;
        if (archive_read_open_filename(a, path, 1 << 16) != ARCHIVE_OK ||
            archive_read_next_header(a, &e) != ARCHIVE_OK) {
                r = ocx_error_set(reterr, EINVAL, NULL, "cannot read '%s': %s", path, archive_error_string(a));
                archive_read_free(a);
                return r;
        }
        img_sha256 h;
        img_sha256_init(&h);
        _cleanup_free_ char *buf = ocx_xmalloc(IO_CHUNK); /* heap: static TLS would cost every thread of every process */
        la_ssize_t n;
        while ((n = archive_read_data(a, buf, IO_CHUNK)) > 0) img_sha256_update(&h, buf, (size_t)n);
        if (n < 0) {
                r = ocx_error_set(reterr, EINVAL, NULL, "cannot decompress '%s': %s", path, archive_error_string(a));
                img_sha256_release(&h);
        } else {
                img_sha256_final(&h, out);
        }
        archive_read_free(a);
        return r;
}

/* gzip-compresses src into a new temporary file in tmp_dir */
static int gzip_file(const char *src, const char *tmp_dir, char **ret_path, ocx_error **reterr) {
        _cleanup_free_ char *tmp = ocx_xasprintf("%s/ocx-layer-XXXXXX", tmp_dir);
        int out = mkostemp(tmp, O_CLOEXEC);
        if (out < 0) return ocx_error_set(reterr, errno, NULL, "cannot create '%s': %s", tmp, strerror(errno));
        _cleanup_close_ int in = open(src, O_RDONLY | O_CLOEXEC);
        struct archive *w = archive_write_new();
        archive_write_add_filter_gzip(w);
        archive_write_set_format_raw(w);
        archive_write_set_bytes_per_block(w, 0);
        archive_write_set_filter_option(w, "gzip", "timestamp", NULL); /* reproducible: no mtime */
        struct archive_entry *e = archive_entry_new();
        archive_entry_set_pathname(e, "layer.tar");
        archive_entry_set_filetype(e, AE_IFREG);
        int r = 0;
        if (in < 0) {
                r = ocx_error_set(reterr, errno, NULL, "cannot open '%s': %s", src, strerror(errno));
        } else if (archive_write_open_fd(w, out) != ARCHIVE_OK || archive_write_header(w, e) != ARCHIVE_OK) {
                r = ocx_error_set(reterr, EIO, NULL, "cannot compress '%s': %s", src, archive_error_string(w));
        } else {
                _cleanup_free_ char *buf = ocx_xmalloc(IO_CHUNK); /* heap: static TLS would cost every thread of every process */
                ssize_t n;
                while ((n = read(in, buf, IO_CHUNK)) > 0)
                        if (archive_write_data(w, buf, (size_t)n) != n) break;
                if (n != 0 || archive_write_close(w) != ARCHIVE_OK)
                        r = ocx_error_set(reterr, EIO, NULL, "cannot compress '%s': %s", src,
                                          n < 0 ? strerror(errno) : archive_error_string(w));
        }
        archive_entry_free(e);
        archive_write_free(w);
        close(out);
        if (r < 0) {
                unlink(tmp);
                return r;
        }
        *ret_path = TAKE_PTR(tmp);
        return 0;
}

static int prepare_layer(const char *path, const char *tmp_dir, new_layer *l, ocx_error **reterr) {
        int k = sniff(path, &l->comp, reterr);
        if (k == 0) k = diff_id_of(path, l->diff_id, reterr);
        if (k < 0) return k;
        if (l->comp == COMP_NONE) {
                if ((k = gzip_file(path, tmp_dir, &l->tmp, reterr)) < 0) return k;
                l->blob_path = ocx_xstrdup(l->tmp);
                l->comp = COMP_GZIP;
        } else {
                l->blob_path = ocx_xstrdup(path);
        }
        if ((k = img_sha256_file(l->blob_path, l->digest, &l->size)) < 0)
                return ocx_error_set(reterr, -k, NULL, "cannot read '%s': %s", l->blob_path, strerror(-k));
        return 0;
}

static const char *oci_layer_type(const char *mt) {
        if (ocx_streq(mt, IMG_MT_DOCKER_LAYER)) return IMG_MT_OCI_LAYER_GZIP;
        if (ocx_streq(mt, "application/vnd.docker.image.rootfs.diff.tar")) return IMG_MT_OCI_LAYER;
        return mt;
}

static cJSON *descriptor(const char *mt, const char *digest, int64_t size) {
        cJSON *d = cJSON_CreateObject();
        ocx_json_set_str(d, "mediaType", mt);
        ocx_json_set_int(d, "size", size);
        ocx_json_set_str(d, "digest", digest);
        return d;
}

static char *now_rfc3339(void) {
        char b[64];
        time_t t = time(NULL);
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(b, sizeof(b), "%Y-%m-%dT%H:%M:%SZ", &tm);
        return ocx_xstrdup(b);
}

/* copies (mounts or downloads + uploads) one base layer into the target */
static int copy_blob(img_registry *src, const img_ref *from, img_registry *dst, const img_ref *to, bool same,
                     const img_descriptor *d, const char *tmp_dir, ocx_error **reterr) {
        if (img_registry_blob_exists(dst, to->path, d->digest, NULL, NULL) == 0) return 0;
        if (same) {
                int k = img_registry_mount_blob(dst, to->path, d->digest, from->path, reterr);
                if (k <= 0) return k;
        }
        _cleanup_free_ char *tmp = ocx_xasprintf("%s/ocx-blob-%d-%s", tmp_dir, (int)getpid(), d->digest + 7);
        int k = img_registry_get_blob_file(src, from->path, d->digest, d->size, tmp, reterr);
        if (k == 0) k = img_registry_push_blob(dst, to->path, d->digest, tmp, NULL, 0, reterr);
        unlink(tmp);
        return k;
}

int img_append(const img_append_opts *o, char **ret_digest, ocx_error **reterr) {
        const char *tmp_dir = o->tmp_dir ? o->tmp_dir : getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
        img_ref to = {0}, from = {0};
        img_manifest base = {0};
        img_registry *dst = NULL, *src = NULL;
        cJSON *cfg = NULL, *man = NULL;
        new_layer *nl = ocx_xcalloc(o->n_layers + 1, sizeof(new_layer));
        _cleanup_json_ cJSON *over = NULL;
        _cleanup_free_ char *created = NULL, *cfg_s = NULL, *man_s = NULL;
        bool scratch = !o->from || strcmp(o->from, "scratch") == 0;
        int k;
        if (!o->to) {
                k = ocx_error_set(reterr, EINVAL, NULL, "--to is required");
                goto out;
        }
        if ((k = img_ref_parse(o->to, &to, reterr)) < 0) goto out;
        if (!to.tag) {
                k = ocx_error_set(reterr, EINVAL, NULL, "--to must name a tag: '%s'", o->to);
                goto out;
        }
        if (o->image_json) {
                if ((k = ocx_json_parse(o->image_json, strlen(o->image_json), &over, reterr)) < 0) {
                        ocx_error_wrap(reterr, "--image");
                        goto out;
                }
                if (!cJSON_IsObject(over)) {
                        k = ocx_error_set(reterr, EINVAL, NULL, "--image must be a JSON object");
                        goto out;
                }
        }
        img_registry_opts ro = {.insecure = o->insecure};
        if ((k = img_registry_new(to.domain, &ro, &dst, reterr)) < 0) goto out;
        bool same = false;
        if (!scratch) {
                if ((k = img_ref_parse(o->from, &from, reterr)) < 0) goto out;
                same = strcmp(from.domain, to.domain) == 0;
                if (same)
                        src = dst;
                else if ((k = img_registry_new(from.domain, &ro, &src, reterr)) < 0)
                        goto out;
                if ((k = img_manifest_fetch(src, &from, &base, reterr)) < 0) goto out;
                _cleanup_free_ char *body = NULL;
                size_t len = 0;
                if ((k = img_registry_get_blob_mem(src, from.path, base.config.digest, IMG_MANIFEST_MAX, &body, &len,
                                                   reterr)) < 0)
                        goto out;
                if ((k = ocx_json_parse(body, len, &cfg, reterr)) < 0) goto out;
                for (size_t i = 0; i < base.n_layers; i++)
                        if ((k = copy_blob(src, &from, dst, &to, same, &base.layers[i], tmp_dir, reterr)) < 0) goto out;
        } else {
                cfg = cJSON_CreateObject();
                ocx_json_set_str(cfg, "architecture", "amd64");
                ocx_json_set_str(cfg, "os", "linux");
        }
        bool oci = !scratch && ocx_streq(base.media_type, IMG_MT_OCI_MANIFEST);
        for (size_t i = 0; i < o->n_layers; i++) {
                if ((k = prepare_layer(o->layers[i], tmp_dir, &nl[i], reterr)) < 0) goto out;
                if (nl[i].comp == COMP_ZSTD) oci = true;
                if ((k = img_registry_push_blob(dst, to.path, nl[i].digest, nl[i].blob_path, NULL, 0, reterr)) < 0)
                        goto out;
        }

        /* config */
        created = now_rfc3339();
        ocx_json_set_str(cfg, "created", created);
        cJSON *section = ocx_json_ensure_obj(cfg, "config");
        if (over) {
                const cJSON *it;
                cJSON_ArrayForEach(it, over) { ocx_json_set(section, it->string, cJSON_Duplicate(it, true)); }
        }
        cJSON *rootfs = ocx_json_ensure_obj(cfg, "rootfs");
        ocx_json_set_str(rootfs, "type", "layers");
        cJSON *diff_ids = ocx_json_get(rootfs, "diff_ids");
        if (!cJSON_IsArray(diff_ids)) {
                diff_ids = cJSON_CreateArray();
                ocx_json_set(rootfs, "diff_ids", diff_ids);
        }
        cJSON *history = ocx_json_get(cfg, "history");
        if (!cJSON_IsArray(history)) {
                history = cJSON_CreateArray();
                ocx_json_set(cfg, "history", history);
        }
        for (size_t i = 0; i < o->n_layers; i++) {
                cJSON_AddItemToArray(diff_ids, cJSON_CreateString(nl[i].diff_id));
                cJSON *h = cJSON_CreateObject();
                ocx_json_set_str(h, "created", created);
                ocx_json_set_str(h, "created_by", "ocx image append");
                cJSON_AddItemToArray(history, h);
        }
        cfg_s = ocx_json_print(cfg);
        img_config check;
        if ((k = img_config_parse(cfg_s, strlen(cfg_s), &check, reterr)) < 0) {
                ocx_error_wrap(reterr, "--image");
                goto out;
        }
        img_config_release(&check);
        char cfg_digest[IMG_DIGEST_LEN];
        img_sha256_mem(cfg_s, strlen(cfg_s), cfg_digest);
        if ((k = img_registry_push_blob(dst, to.path, cfg_digest, NULL, cfg_s, strlen(cfg_s), reterr)) < 0) goto out;

        /* manifest */
        man = cJSON_CreateObject();
        ocx_json_set_int(man, "schemaVersion", 2);
        const char *mt = oci ? IMG_MT_OCI_MANIFEST : IMG_MT_DOCKER_MANIFEST;
        ocx_json_set_str(man, "mediaType", mt);
        ocx_json_set(man, "config",
                     descriptor(oci ? IMG_MT_OCI_CONFIG : IMG_MT_DOCKER_CONFIG, cfg_digest, (int64_t)strlen(cfg_s)));
        cJSON *layers = cJSON_CreateArray();
        ocx_json_set(man, "layers", layers);
        for (size_t i = 0; i < base.n_layers; i++) {
                const img_descriptor *d = &base.layers[i];
                cJSON_AddItemToArray(
                    layers, descriptor(oci ? oci_layer_type(d->media_type) : d->media_type, d->digest, d->size));
        }
        for (size_t i = 0; i < o->n_layers; i++) {
                const char *lt = nl[i].comp == COMP_ZSTD ? IMG_MT_OCI_LAYER_ZSTD
                                 : oci                   ? IMG_MT_OCI_LAYER_GZIP
                                                         : IMG_MT_DOCKER_LAYER;
                cJSON_AddItemToArray(layers, descriptor(lt, nl[i].digest, nl[i].size));
        }
        man_s = ocx_json_print(man);
        k = img_registry_put_manifest(dst, to.path, to.tag, mt, man_s, strlen(man_s), ret_digest, reterr);
out:
        for (size_t i = 0; i < o->n_layers; i++) {
                if (nl[i].tmp) unlink(nl[i].tmp);
                free(nl[i].tmp);
                free(nl[i].blob_path);
        }
        free(nl);
        cJSON_Delete(cfg);
        cJSON_Delete(man);
        img_manifest_release(&base);
        if (src != dst) img_registry_free(src);
        img_registry_free(dst);
        img_ref_release(&to);
        img_ref_release(&from);
        return k;
}

/* ---- info ------------------------------------------------------------------------ */

static void human_size(int64_t n, char *out, size_t len) {
        static const char *u[] = {"B", "kB", "MB", "GB", "TB"};
        double v = (double)n;
        size_t i = 0;
        while (v >= 1000 && i + 1 < OCX_ARRAY_SIZE(u)) v /= 1000, i++;
        if (i == 0)
                snprintf(out, len, "%lldB", (long long)n);
        else
                snprintf(out, len, "%.3g%s", v, u[i]);
}

static void print_strv(ocx_buf *out, const char *label, char **v, const char *sep) {
        if (!v || !*v) return;
        ocx_buf_printf(out, "%-14s ", label);
        for (char **p = v; *p; p++) ocx_buf_printf(out, "%s%s", p == v ? "" : sep, *p);
        ocx_buf_puts(out, "\n");
}

int img_info(const char *ref, bool insecure, ocx_buf *out, ocx_error **reterr) {
        img_ref rf;
        int k = img_ref_parse(ref, &rf, reterr);
        if (k < 0) return k;
        _cleanup_registry_ img_registry *reg = NULL;
        img_registry_opts ro = {.insecure = insecure};
        img_manifest m = {0};
        img_config c = {0};
        _cleanup_free_ char *cfg = NULL, *name = NULL;
        _cleanup_json_ cJSON *cj = NULL;
        size_t len = 0;
        if ((k = img_registry_new(rf.domain, &ro, &reg, reterr)) < 0) goto out;
        if ((k = img_manifest_fetch(reg, &rf, &m, reterr)) < 0) goto out;
        if ((k = img_registry_get_blob_mem(reg, rf.path, m.config.digest, IMG_MANIFEST_MAX, &cfg, &len, reterr)) < 0)
                goto out;
        if ((k = img_config_parse(cfg, len, &c, reterr)) < 0) goto out;
        (void)ocx_json_parse(cfg, len, &cj, NULL);
        name = img_ref_string(&rf);
        int64_t total = 0;
        for (size_t i = 0; i < m.n_layers; i++) total += m.layers[i].size;
        char sz[32];
        human_size(total, sz, sizeof(sz));
        ocx_buf_printf(out, "%-14s %s\n", "Name:", name);
        ocx_buf_printf(out, "%-14s %s\n", "Digest:", m.digest);
        if (m.list_digest) ocx_buf_printf(out, "%-14s %s\n", "Manifest List:", m.list_digest);
        ocx_buf_printf(out, "%-14s %s\n", "Media Type:", m.media_type);
        const char *created = ocx_json_get_str(cj, "created");
        if (created) ocx_buf_printf(out, "%-14s %s\n", "Created:", created);
        ocx_buf_printf(out, "%-14s %s in %zu layer%s\n", "Image Size:", sz, m.n_layers, m.n_layers == 1 ? "" : "s");
        for (size_t i = 0; i < m.n_layers; i++) {
                human_size(m.layers[i].size, sz, sizeof(sz));
                ocx_buf_printf(out, "%-14s %-8s %s\n", i == 0 ? "Layers:" : "", sz, m.layers[i].digest);
        }
        ocx_buf_printf(out, "%-14s %s\n", "OS:", c.os ? c.os : "");
        ocx_buf_printf(out, "%-14s %s\n", "Arch:", c.architecture ? c.architecture : "");
        print_strv(out, "Entrypoint:", c.entrypoint, " ");
        print_strv(out, "Command:", c.cmd, " ");
        if (c.working_dir) ocx_buf_printf(out, "%-14s %s\n", "Working Dir:", c.working_dir);
        if (c.user) ocx_buf_printf(out, "%-14s %s\n", "User:", c.user);
        if (c.n_ports) {
                ocx_buf_printf(out, "%-14s ", "Exposed Ports:");
                for (size_t i = 0; i < c.n_ports; i++)
                        ocx_buf_printf(out, "%s%d/%s", i ? ", " : "", c.ports[i].port, c.ports[i].proto);
                ocx_buf_puts(out, "\n");
        }
        if (c.env)
                for (char **e = c.env; *e; e++) ocx_buf_printf(out, "%-14s %s\n", e == c.env ? "Environment:" : "", *e);
        for (size_t i = 0; i < c.n_labels; i++)
                ocx_buf_printf(out, "%-14s %s=%s\n", i == 0 ? "Labels:" : "", c.labels[i].key, c.labels[i].value);
out:
        img_config_release(&c);
        img_manifest_release(&m);
        img_ref_release(&rf);
        return k;
}
