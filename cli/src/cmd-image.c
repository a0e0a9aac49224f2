/* ocx image append|info (and the hidden pull-test / gc-test used by the e2e
 * tests): thin wrappers over imagestreams/. The command table entries live
 * here; commands.c points the "image" command at cli_image_commands. */
#include <stdio.h>
#include "cli/command.h"
#include "imagestreams/append.h"
#include "imagestreams/layers.h"
#include "imagestreams/pull.h"
#include "ocx/buf.h"
#include "ocx/macro.h"
#include "ocx/banned.h"

static int run_append(cli_invocation *inv) {
        const char *to = cli_flag_str(inv, "to");
        if (!to || !*to) return cli_usage_error(inv, "--to is required");
        const char *from = cli_flag_str(inv, "from");
        const char *image = cli_flag_str(inv, "image");
        img_append_opts o = {.from = from && *from ? from : "scratch",
                             .to = to,
                             .image_json = image && *image ? image : NULL,
                             .layers = (const char *const *)inv->args,
                             .n_layers = inv->nargs,
                             .insecure = cli_flag_bool(inv, "insecure")};
        _cleanup_error_ ocx_error *e = NULL;
        _cleanup_free_ char *digest = NULL;
        if (img_append(&o, &digest, &e) < 0) return cli_print_error(e);
        printf("Uploaded %s to %s\n", digest, to);
        return 0;
}

static int run_info(cli_invocation *inv) {
        if (inv->nargs != 1) return cli_usage_error(inv, "expected exactly one image reference");
        ocx_buf out = OCX_BUF_INIT;
        _cleanup_error_ ocx_error *e = NULL;
        int r = img_info(inv->args[0], cli_flag_bool(inv, "insecure"), &out, &e);
        if (r < 0) {
                ocx_buf_release(&out);
                return cli_print_error(e);
        }
        fwrite(out.data, 1, out.len, stdout);
        ocx_buf_release(&out);
        return 0;
}

static int run_pull_test(cli_invocation *inv) {
        const char *base = cli_flag_str(inv, "base-dir");
        if (!base || !*base || inv->nargs != 1) return cli_usage_error(inv, "usage: pull-test --base-dir DIR REF");
        _cleanup_error_ ocx_error *e = NULL;
        img_pulled *p = NULL;
        img_pull_opts po = {.insecure = cli_flag_bool(inv, "insecure")};
        if (img_pull_opts_run(base, inv->args[0], &po, &p, &e) < 0) return cli_print_error(e);
        printf("name %s\ndigest %s\nmedia-type %s\nconfig %s\n", p->name, p->digest, p->media_type, p->config_digest);
        for (size_t i = 0; i < p->n_layers; i++) printf("layer %s %s\n", p->layer_digests[i], p->layers[i]);
        if (p->config.entrypoint)
                for (char **s = p->config.entrypoint; *s; s++) printf("entrypoint %s\n", *s);
        if (p->config.user) printf("user %s\n", p->config.user);
        for (size_t i = 0; i < p->config.n_ports; i++)
                printf("port %d/%s\n", p->config.ports[i].port, p->config.ports[i].proto);
        img_pulled_free(p);
        return 0;
}

static int run_gc_test(cli_invocation *inv) {
        const char *base = cli_flag_str(inv, "base-dir");
        if (!base || !*base) return cli_usage_error(inv, "usage: gc-test --base-dir DIR [DIGEST...]");
        _cleanup_error_ ocx_error *e = NULL;
        img_gc_stats st;
        if (img_store_gc(base, (const char *const *)inv->args, inv->nargs, &st, &e) < 0) return cli_print_error(e);
        printf("removed %zu blobs, %zu layers; kept %zu\n", st.blobs_removed, st.layers_removed, st.kept);
        return 0;
}

static const cli_flag_def append_flags[] = {
    {"from", 0, CLI_FLAG_STRING, "scratch",
     "The image to use as a base. If empty or 'scratch', a new image is created."},
    {"to", 0, CLI_FLAG_STRING, "", "The Docker repository tag to upload the appended image to."},
    {"image", 0, CLI_FLAG_STRING, "",
     "A JSON fragment of the image configuration to set (Entrypoint, Cmd, Env, ExposedPorts, User, WorkingDir, "
     "Labels)."},
    {"insecure", 0, CLI_FLAG_BOOL, "false", "Allow push and pull operations to registries to be made over HTTP."},
    {0},
};

static const cli_flag_def info_flags[] = {
    {"insecure", 0, CLI_FLAG_BOOL, "false", "Allow pull operations to registries to be made over HTTP."},
    {0},
};

static const cli_flag_def test_flags[] = {
    {"base-dir", 0, CLI_FLAG_STRING, "", "Layer store directory."},
    {"insecure", 0, CLI_FLAG_BOOL, "false", "Use plain HTTP."},
    {0},
};

const cli_command cli_image_commands[] = {
    {.name = "append",
     .summary = "Add layers to images and push them to a registry",
     .usage = "image append --from=IMAGE --to=IMAGE [--image=JSON] [LAYER.tar[.gz]...] [flags]",
     .long_help = "Add layers to Docker images.\n\nModifies an existing image by adding layers or changing "
                  "configuration and then pushes that image to a remote registry. Any inherited layers are "
                  "streamed from registry to registry without being stored locally (a cross-repository mount "
                  "when both are the same registry). Layers may be tar archives, gzip- or zstd-compressed; "
                  "plain tars are gzip-compressed before they are pushed.\n\nRegistries on 127.0.0.1 and "
                  "localhost (the integrated registry, 127.0.0.1:5000) are always reached over HTTP.",
     .examples = "  # Create a new image with one layer\n"
                 "  ocx image append --from=scratch --to=127.0.0.1:5000/test/hello:latest layer.tar.gz\n\n"
                 "  # Set the entrypoint and exposed port of the result\n"
                 "  ocx image append --from=127.0.0.1:5000/test/hello --to=127.0.0.1:5000/test/hello:v2 \\\n"
                 "    --image='{\"Entrypoint\":[\"/hello\"],\"ExposedPorts\":{\"8080/tcp\":{}}}'",
     .flags = append_flags,
     .run = run_append},
    {.name = "info",
     .summary = "Display information about an image",
     .usage = "image info IMAGE [flags]",
     .long_help = "Display information about an image in a registry: digest, media type, layers and the "
                  "configuration (entrypoint, command, user, exposed ports, environment, labels). A manifest "
                  "list is resolved to its linux/amd64 image.",
     .examples = "  ocx image info 127.0.0.1:5000/test/hello:latest",
     .flags = info_flags,
     .run = run_info},
    {.name = "pull-test",
     .summary = "Pull an image into a layer store (tests)",
     .usage = "image pull-test --base-dir DIR IMAGE",
     .flags = test_flags,
     .run = run_pull_test,
     .hidden = true},
    {.name = "gc-test",
     .summary = "Collect a layer store (tests)",
     .usage = "image gc-test --base-dir DIR [DIGEST...]",
     .flags = test_flags,
     .run = run_gc_test,
     .hidden = true},
    {0},
};
