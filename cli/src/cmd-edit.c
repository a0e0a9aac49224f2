/* ocx edit (spec 5.11): GET, write a temp file with the header, run the
 * editor, send the change as a JSON merge patch, reopen on errors. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
#include "cli/client.h"
#include "cli/cmds.h"
#include "cli/edit.h"
#include "cli/merge.h"
#include "cli/printer.h"
#include "cli/resargs.h"
#include "ocx/json.h"
#include "ocx/yaml.h"
#include "ocx/banned.h"

#define EDIT_FILE_CAP ((size_t)16 << 20)

/* 0 ok; -1 launch failure; -2 editor failed */
static int run_editor(const char *editor, const char *file) {
        char **argv = cli_editor_argv(editor, file);
        int pfd[2];
        int rc = 0;
        if (pipe2(pfd, O_CLOEXEC) < 0) {
                rc = -1;
                goto out;
        }
        pid_t pid = fork();
        if (pid < 0) {
                close(pfd[0]);
                close(pfd[1]);
                rc = -1;
                goto out;
        }
        if (pid == 0) {
                close(pfd[0]);
                execvp(argv[0], argv);
                int err = errno;
                (void)!write(pfd[1], &err, sizeof(err));
                _exit(127);
        }
        close(pfd[1]);
        int err = 0;
        ssize_t k = read(pfd[0], &err, sizeof(err));
        close(pfd[0]);
        int status = 0;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        if (k == (ssize_t)sizeof(err))
                rc = -1;
        else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                rc = -2;
out:
        for (size_t i = 0; argv[i]; i++) free(argv[i]);
        free(argv);
        return rc;
}

static int serialize(const cJSON *obj, bool json, ocx_buf *out) {
        if (json) {
                int r = ocx_json_write(out, obj, 4);
                return r < 0 ? r : ocx_buf_puts(out, "\n");
        }
        return ocx_yaml_write(out, obj);
}

static int write_text(const char *path, const char *text) {
        return ocx_write_file_atomic(path, text, strlen(text), 0600);
}

/* Invalid status → "<qr> \"<name>\" was not valid:\n* field: msg" */
static char *invalid_block(const char *qr, const char *name, const cJSON *st) {
        ocx_buf b = OCX_BUF_INIT;
        ocx_buf_printf(&b, "%s \"%s\" was not valid:\n", qr, name);
        const cJSON *c;
        int n = 0;
        cJSON_ArrayForEach(c, ocx_json_path(st, "details.causes")) {
                const char *f = ocx_json_get_str(c, "field"), *m = ocx_json_get_str(c, "message");
                ocx_buf_printf(&b, "* %s%s%s\n", f ? f : "", f ? ": " : "", m ? m : "");
                n++;
        }
        if (n == 0) {
                const char *m = ocx_json_get_str(st, "message");
                ocx_buf_printf(&b, "* %s\n", m ? m : "invalid");
        }
        return ocx_buf_detach(&b, NULL);
}

static bool same_identity(const cJSON *a, const cJSON *b) {
        return ocx_streq(ocx_json_get_str(a, "apiVersion"), ocx_json_get_str(b, "apiVersion")) &&
               ocx_streq(ocx_json_get_str(a, "kind"), ocx_json_get_str(b, "kind")) &&
               ocx_streq(ocx_json_path_str(a, "metadata.name"), ocx_json_path_str(b, "metadata.name"));
}

int cli_run_edit(cli_invocation *inv) {
        const char *fmt = cli_flag_str(inv, "output");
        bool json = ocx_streq(fmt, "json");
        if (fmt && !json && strcmp(fmt, "yaml") != 0)
                return cli_usage_error(inv, "the edit mode must be one of: yaml, json");
        if (inv->nargs == 0) return cli_usage_error(inv, "You must provide one or more resources by argument or filename.");
        _cleanup_error_ ocx_error *e = NULL;
        cli_session *s = NULL;
        cli_discovery *d = NULL;
        cli_targets t;
        if (cli_session_get(inv, &s, &e) < 0 || cli_discovery_get(s, &d, &e) < 0 ||
            cli_targets_from_args(d, inv->args, inv->nargs, "edit", &t, &e) < 0)
                return cli_print_error(e);
        if (t.n != 1 || t.v[0].nnames != 1) {
                cli_targets_release(&t);
                return cli_usage_error(inv, "ocx edit edits exactly one object (KIND NAME or KIND/NAME)");
        }
        const cli_resource *res = t.v[0].res;
        _cleanup_free_ char *name = ocx_xstrdup(t.v[0].names[0]);
        cli_targets_release(&t);
        _cleanup_free_ char *path = cli_resource_path(res, s->ns, name);
        _cleanup_json_ cJSON *orig = NULL;
        if (cli_request_json(s, "GET", path, NULL, NULL, &orig, &e) < 0) return cli_print_error(e);
        _cleanup_free_ char *av = cli_resource_api_version(res);
        cli_ensure_type_meta(orig, av, res->kind);
        cJSON *meta = ocx_json_get(orig, "metadata");
        if (meta) cJSON_DeleteItemFromObjectCaseSensitive(meta, "managedFields");
        ocx_buf ob = OCX_BUF_INIT;
        serialize(orig, json, &ob);
        _cleanup_free_ char *orig_text = ocx_buf_detach(&ob, NULL);
        const char *tmpdir = getenv("TMPDIR");
        _cleanup_free_ char *file = ocx_xasprintf("%s/ocx-edit-XXXXXX.%s", tmpdir && *tmpdir ? tmpdir : "/tmp",
                                                  json ? "json" : "yaml");
        int fd = mkstemps(file, json ? 5 : 5);
        if (fd < 0) return cli_print_error(&(ocx_error){.message = (char *)"cannot create a temporary file"});
        close(fd);
        _cleanup_free_ char *qr = cli_resource_qualified(res);
        _cleanup_free_ char *kp = cli_resource_kind_prefix(res);
        const char *editor = cli_editor_name();
        _cleanup_free_ char *content = cli_edit_compose(NULL, orig_text);
        _cleanup_free_ char *previous = cli_edit_strip_comments(orig_text); /* what "unchanged" means */
        bool had_error = false;
        for (int round = 0; round < 100; round++) {
                if (write_text(file, content) < 0) {
                        fprintf(stderr, "error: cannot write %s\n", file);
                        return 1;
                }
                int er = run_editor(editor, file);
                if (er == -1) {
                        fprintf(stderr, "error: unable to launch the editor \"%s\"\n", editor);
                        unlink(file);
                        return 1;
                }
                if (er == -2) {
                        fprintf(stderr, "error: there was a problem with the editor \"%s\"\n", editor);
                        unlink(file);
                        return 1;
                }
                _cleanup_free_ char *edited = NULL;
                size_t elen = 0;
                if (ocx_read_file(file, EDIT_FILE_CAP, &edited, &elen) < 0) {
                        fprintf(stderr, "error: cannot read %s\n", file);
                        return 1;
                }
                _cleanup_free_ char *stripped = cli_edit_strip_comments(edited);
                if (had_error && strcmp(stripped, previous) == 0) {
                        fprintf(stderr, "A copy of your changes has been stored to \"%s\"\n", file);
                        fprintf(stderr, "error: Edit cancelled, no valid changes were saved.\n");
                        return 1;
                }
                if (strcmp(stripped, previous) == 0) {
                        unlink(file);
                        fprintf(stderr, "Edit cancelled, no changes made.\n");
                        return 0;
                }
                if (cli_edit_is_blank(edited)) {
                        unlink(file);
                        fprintf(stderr, "Edit cancelled, saved file was empty.\n");
                        return 0;
                }
                _cleanup_json_ cJSON *docs = NULL;
                ocx_error *pe = NULL;
                if (ocx_yaml_parse_stream(stripped, strlen(stripped), &docs, &pe) < 0 || cJSON_GetArraySize(docs) != 1 ||
                    !cJSON_IsObject(cJSON_GetArrayItem(docs, 0))) {
                        _cleanup_free_ char *msg = ocx_xasprintf("The edited file had a syntax error: %s",
                                                                 pe ? pe->message : "expected exactly one object");
                        ocx_error_free(pe);
                        free(content);
                        content = cli_edit_compose(msg, stripped);
                        free(previous);
                        previous = ocx_xstrdup(stripped);
                        had_error = true;
                        continue;
                }
                const cJSON *mod = cJSON_GetArrayItem(docs, 0);
                if (!same_identity(orig, mod)) {
                        fprintf(stderr, "A copy of your changes has been stored to \"%s\"\n", file);
                        fprintf(stderr, "error: At least one of apiVersion, kind and name was changed\n");
                        return 1;
                }
                const char *ons = ocx_json_path_str(orig, "metadata.namespace");
                if (!ocx_streq(ons, ocx_json_path_str(mod, "metadata.namespace")) && ons) {
                        fprintf(stderr, "A copy of your changes has been stored to \"%s\"\n", file);
                        fprintf(stderr, "error: the namespace from the provided object \"%s\" does not match the "
                                        "namespace \"%s\". You must pass '--namespace=%s' to perform this operation.\n",
                                ocx_json_path_str(mod, "metadata.namespace") ? ocx_json_path_str(mod, "metadata.namespace")
                                                                            : "",
                                ons, ons);
                        return 1;
                }
                _cleanup_json_ cJSON *patch = cli_merge_patch_diff(orig, mod);
                if (cli_patch_is_empty(patch)) {
                        unlink(file);
                        fprintf(stderr, "Edit cancelled, no changes made.\n");
                        return 0;
                }
                _cleanup_free_ char *body = ocx_json_print(patch);
                ocx_http_response resp;
                ocx_error *re = NULL;
                int r = cli_do(s, "PATCH", path, "application/merge-patch+json", body, strlen(body), NULL, &resp, &re);
                if (r < 0) {
                        fprintf(stderr, "error: %s \"%s\" could not be patched: %s\n", qr, name, re->message);
                        fprintf(stderr, "You can run `ocx replace -f %s` to try this update again.\n", file);
                        ocx_error_free(re);
                        return 1;
                }
                long st = resp.status;
                _cleanup_json_ cJSON *sj = NULL;
                if (ocx_json_parse(resp.body, resp.body_len, &sj, NULL) < 0) sj = NULL;
                if (st >= 200 && st <= 299) {
                        ocx_http_response_release(&resp);
                        unlink(file);
                        printf("%s/%s edited\n", kp, name);
                        return 0;
                }
                if (st == 422) {
                        ocx_http_response_release(&resp);
                        fprintf(stderr, "error: %s \"%s\" is invalid\n", qr, name);
                        _cleanup_free_ char *blk = invalid_block(qr, name, sj);
                        free(content);
                        content = cli_edit_compose(blk, stripped);
                        free(previous);
                        previous = ocx_xstrdup(stripped);
                        had_error = true;
                        continue;
                }
                if (st == 404) {
                        ocx_http_response_release(&resp);
                        fprintf(stderr, "error: %s \"%s\" could not be found on the server\n", qr, name);
                        fprintf(stderr, "The edits you made on deleted resources have been saved to \"%s\"\n", file);
                        return 1;
                }
                r = cli_status_error(&resp, NULL, &re);
                ocx_http_response_release(&resp);
                fprintf(stderr, "error: %s \"%s\" could not be patched: %s\n", qr, name, re ? re->message : "");
                fprintf(stderr, "You can run `ocx replace -f %s` to try this update again.\n", file);
                ocx_error_free(re);
                return 1;
        }
        return 1;
}
