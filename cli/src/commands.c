/* ocx — the command table: names, aliases, help and flags of every command;
 * cli_main dispatches through it. `ocx __docs DIR` writes docs/commands. */
#include <dirent.h>
#include <stdio.h>
#include <sys/stat.h>
#include "cli/cli.h"
#include "cli/client.h"
#include "cli/cluster.h"
#include "cli/cmds.h"
#include "cli/command.h"
#include "ocx/banned.h"

const cli_flag_def cli_global_flags[] = {
        {"kubeconfig", 0, CLI_FLAG_STRING, "", "Path to the kubeconfig file to use for CLI requests."},
        {"server", 0, CLI_FLAG_STRING, "", "The address and port of the Kubernetes API server"},
        {"namespace", 'n', CLI_FLAG_STRING, "", "If present, the namespace scope for this CLI request"},
        {"context", 0, CLI_FLAG_STRING, "", "The name of the kubeconfig context to use"},
        {"insecure-skip-tls-verify", 0, CLI_FLAG_BOOL, "false",
         "If true, the server's certificate will not be checked for validity. This will make your HTTPS "
         "connections insecure"},
        {"token", 0, CLI_FLAG_STRING, "", "Bearer token for authentication to the API server"},
        {0},
};

static const cli_flag_def get_flags[] = {
        {"output", 'o', CLI_FLAG_STRING, "",
         "Output format. One of: json|yaml|name|wide|jsonpath=TEMPLATE."},
        {"selector", 'l', CLI_FLAG_STRING, "",
         "Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin' (e.g. -l key1=value1,key2=value2)."},
        {"field-selector", 0, CLI_FLAG_STRING, "",
         "Selector (field query) to filter on, supports '=', '==', and '!=' (e.g. --field-selector key1=value1,key2=value2)."},
        {"all-namespaces", 'A', CLI_FLAG_BOOL, "false",
         "If present, list the requested object(s) across all namespaces."},
        {"watch", 'w', CLI_FLAG_BOOL, "false",
         "After listing/getting the requested object, watch for changes."},
        {"watch-only", 0, CLI_FLAG_BOOL, "false", "Watch for changes to the requested object(s), without listing/getting first."},
        {"output-watch-events", 0, CLI_FLAG_BOOL, "false", "Output watch event objects when --watch or --watch-only is used."},
        {"show-labels", 0, CLI_FLAG_BOOL, "false", "When printing, show all labels as the last column."},
        {"no-headers", 0, CLI_FLAG_BOOL, "false", "When using the default output format, don't print headers."},
        {"show-kind", 0, CLI_FLAG_BOOL, "false", "If present, list the resource type for the requested object(s)."},
        {"ignore-not-found", 0, CLI_FLAG_BOOL, "false", "If the requested object does not exist the command will return exit code 0."},
        {0},
};

static const cli_flag_def describe_flags[] = {
        {"selector", 'l', CLI_FLAG_STRING, "", "Selector (label query) to filter on."},
        {"all-namespaces", 'A', CLI_FLAG_BOOL, "false", "If present, list the requested object(s) across all namespaces."},
        {0},
};

static const cli_flag_def create_flags[] = {
        {"filename", 'f', CLI_FLAG_LIST, "", "Filename, directory, or '-' (stdin) of the resources to create."},
        {"recursive", 'R', CLI_FLAG_BOOL, "false", "Process the directory used in -f, --filename recursively."},
        {"output", 'o', CLI_FLAG_STRING, "", "Output format. One of: json|yaml|name."},
        {"dry-run", 0, CLI_FLAG_STRING, "none", "Must be \"none\", \"server\", or \"client\"."},
        {"save-config", 0, CLI_FLAG_BOOL, "false",
         "If true, the configuration of the current object will be saved in its annotation."},
        {0},
};

static const cli_flag_def apply_flags[] = {
        {"filename", 'f', CLI_FLAG_LIST, "", "Filename, directory, or '-' (stdin) that contains the configuration to apply."},
        {"recursive", 'R', CLI_FLAG_BOOL, "false", "Process the directory used in -f, --filename recursively."},
        {"output", 'o', CLI_FLAG_STRING, "", "Output format. One of: json|yaml|name."},
        {"dry-run", 0, CLI_FLAG_STRING, "none", "Must be \"none\", \"server\", or \"client\"."},
        {0},
};

static const cli_flag_def delete_flags[] = {
        {"filename", 'f', CLI_FLAG_LIST, "", "Filename, directory, or '-' (stdin) containing the resources to delete."},
        {"recursive", 'R', CLI_FLAG_BOOL, "false", "Process the directory used in -f, --filename recursively."},
        {"selector", 'l', CLI_FLAG_STRING, "", "Selector (label query) to filter on."},
        {"all", 0, CLI_FLAG_BOOL, "false", "Delete all resources, in the namespace of the specified resource types."},
        {"all-namespaces", 'A', CLI_FLAG_BOOL, "false", "If present, delete the requested objects across all namespaces."},
        {"ignore-not-found", 0, CLI_FLAG_BOOL, "false", "Treat \"resource not found\" as a successful delete."},
        {"output", 'o', CLI_FLAG_STRING, "", "Output mode. Use \"-o name\" for shorter output (resource/name)."},
        {"wait", 0, CLI_FLAG_BOOL, "true", "If true, wait for resources to be gone before returning."},
        {"timeout", 0, CLI_FLAG_STRING, "0s", "The length of time to wait before giving up on a delete (0 = 60s)."},
        {"grace-period", 0, CLI_FLAG_INT, "-1", "Period of time in seconds given to the resource to terminate gracefully."},
        {"now", 0, CLI_FLAG_BOOL, "false", "If true, resources are signaled for immediate shutdown (same as --grace-period=1)."},
        {"force", 0, CLI_FLAG_BOOL, "false", "If true, immediately remove resources from API and bypass graceful deletion."},
        {"cascade", 0, CLI_FLAG_STRING, "background", "Must be \"background\", \"orphan\", or \"foreground\"."},
        {0},
};

static const cli_flag_def patch_flags[] = {
        {"patch", 'p', CLI_FLAG_STRING, "", "The patch to be applied to the resource JSON file."},
        {"type", 0, CLI_FLAG_STRING, "strategic",
         "The type of patch being provided; one of [json merge strategic] (strategic is sent as a merge patch)."},
        {"output", 'o', CLI_FLAG_STRING, "", "Output format. One of: json|yaml|name."},
        {"dry-run", 0, CLI_FLAG_STRING, "none", "Must be \"none\", \"server\", or \"client\"."},
        {0},
};

static const cli_flag_def edit_flags[] = {
        {"output", 'o', CLI_FLAG_STRING, "yaml", "Output format. One of: yaml|json."},
        {0},
};

static const cli_flag_def config_view_flags[] = {
        {"output", 'o', CLI_FLAG_STRING, "yaml", "Output format. One of: yaml|json."},
        {"minify", 0, CLI_FLAG_BOOL, "false", "Remove all information not used by current-context from the output."},
        {"raw", 0, CLI_FLAG_BOOL, "false", "Display raw byte data and sensitive data."},
        {0},
};

static const cli_flag_def no_flags[] = {{0}};

static int run_cluster_placeholder(cli_invocation *inv) { return cli_cmd_cluster(inv->raw_argc, inv->raw_argv); }

static const cli_command config_commands[] = {
        {.name = "view", .summary = "Display merged kubeconfig settings or a specified kubeconfig file",
         .usage = "config view [flags]", .flags = config_view_flags, .run = cli_run_config_view,
         .examples = "  # Show merged kubeconfig settings\n  ocx config view"},
        {.name = "current-context", .summary = "Display the current-context", .usage = "config current-context",
         .flags = no_flags, .run = cli_run_config_current_context},
        {.name = "use-context", .aliases = {"use"}, .summary = "Set the current-context in a kubeconfig file",
         .usage = "config use-context CONTEXT_NAME", .flags = no_flags, .run = cli_run_config_use_context},
        {.name = "get-contexts", .summary = "Describe one or many contexts", .usage = "config get-contexts [NAME]",
         .flags = no_flags, .run = cli_run_config_get_contexts},
        {0},
};

static int run_docs(cli_invocation *inv);
static int run_options(cli_invocation *inv);

const cli_command cli_root_commands[] = {
        {.name = "get", .group = "Basic Commands", .summary = "Display one or many resources",
         .usage = "get [(-o|--output=)json|yaml|name|wide|jsonpath=...] (TYPE[.GROUP] [NAME ...] | TYPE[.GROUP]/NAME ...) [flags]",
         .long_help = "Display one or many resources.\n\nPossible resources include builds, buildConfigs, services, pods, "
                      "etc. To see a list of common resources, use 'ocx api-resources'. Some resources may omit "
                      "advanced details that you can see with '-o wide'. If you want an even more detailed view, "
                      "use 'ocx describe'.\n\n'ocx get all' lists the resources of the \"all\" category.",
         .examples = "  # List all pods in ps output format\n  ocx get pods\n\n"
                     "  # List a single route in JSON output format\n  ocx get -o json route web\n\n"
                     "  # List everything in the project\n  ocx get all\n\n"
                     "  # Print the names of the pods with a label\n  ocx get pods -l app=web -o name",
         .flags = get_flags, .run = cli_run_get},
        {.name = "describe", .group = "Basic Commands", .summary = "Show details of a specific resource or group of resources",
         .usage = "describe (TYPE [NAME_PREFIX] | TYPE/NAME) [flags]",
         .long_help = "Show details of a specific resource or group of resources.\n\nPrint a detailed description "
                      "of the selected resources, including related resources such as events. A name is a prefix "
                      "match when no object has exactly that name.",
         .examples = "  # Describe a route\n  ocx describe route web",
         .flags = describe_flags, .run = cli_run_describe},
        {.name = "create", .group = "Basic Commands", .summary = "Create a resource from a file or from stdin",
         .usage = "create -f FILENAME [flags]",
         .long_help = "Create a resource from a file or from stdin.\n\nJSON and YAML formats are accepted; "
                      "a file may hold several documents separated by '---' or a List.",
         .examples = "  # Create a route from a file\n  ocx create -f route.yaml\n\n"
                     "  # Create from stdin\n  cat pod.json | ocx create -f -",
         .flags = create_flags, .run = cli_run_create},
        {.name = "apply", .group = "Basic Commands", .summary = "Apply a configuration to a resource by filename or stdin",
         .usage = "apply -f FILENAME [flags]",
         .long_help = "Apply a configuration to a resource by filename or stdin.\n\nObjects that do not exist are "
                      "created with the kubectl.kubernetes.io/last-applied-configuration annotation; existing "
                      "ones get a three-way JSON merge patch between the last applied, live and new configuration.",
         .examples = "  # Apply the configuration in route.yaml\n  ocx apply -f route.yaml",
         .flags = apply_flags, .run = cli_run_apply},
        {.name = "delete", .group = "Basic Commands", .summary = "Delete resources by filenames, stdin, resources and names, or by resources and label selector",
         .usage = "delete ([-f FILENAME] | TYPE [(NAME | -l label | --all)]) [flags]",
         .examples = "  # Delete a pod\n  ocx delete pod web\n\n  # Delete pods and services with label name=myLabel\n"
                     "  ocx delete pods,services -l name=myLabel\n\n  # Delete everything of the all category\n"
                     "  ocx delete all --all",
         .flags = delete_flags, .run = cli_run_delete},
        {.name = "patch", .group = "Basic Commands", .summary = "Update fields of a resource",
         .usage = "patch (-f FILENAME | TYPE NAME) -p PATCH [--type merge|json] [flags]",
         .examples = "  # Partially update a route's host\n  ocx patch route web -p '{\"spec\":{\"host\":\"x.example.com\"}}'\n\n"
                     "  # JSON patch\n  ocx patch dc web --type json -p '[{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":2}]'",
         .flags = patch_flags, .run = cli_run_patch},
        {.name = "edit", .group = "Basic Commands", .summary = "Edit a resource on the server",
         .usage = "edit (RESOURCE/NAME | RESOURCE NAME) [flags]",
         .long_help = "Edit a resource from the default editor.\n\nThe editor is the first of OC_EDITOR, KUBE_EDITOR "
                      "and EDITOR that is set, else vi. When saving fails the file is reopened with the errors "
                      "as comments; the change is sent as a JSON merge patch.",
         .examples = "  # Edit the restricted SCC\n  ocx edit scc restricted\n\n  # Edit in JSON\n  ocx edit dc/web -o json",
         .flags = edit_flags, .run = cli_run_edit},
        {.name = "api-resources", .group = "Basic Commands", .summary = "Print the supported API resources on the server",
         .usage = "api-resources [flags]", .flags = no_flags, .run = cli_run_api_resources},
        {.name = "cluster", .group = "Cluster Management Commands", .summary = "Start, stop and inspect a local all-in-one cluster",
         .usage = "cluster (up|down|status) [flags]",
         .long_help = "Start, stop and inspect a local all-in-one cluster.\n\n'ocx cluster up' starts the API "
                      "server, controllers and node under a base directory, writes certificates and a kubeconfig "
                      "with a system:admin context. Run 'ocx cluster up --help' for its options.",
         .examples = "  ocx cluster up\n  ocx cluster status\n  ocx cluster down --clean",
         .flags = no_flags, .run = run_cluster_placeholder, .raw_args = true},
        {.name = "config", .group = "Settings Commands", .summary = "Modify kubeconfig files", .usage = "config SUBCOMMAND [flags]",
         .long_help = "Modify kubeconfig files using subcommands like \"ocx config use-context my-context\".\n\n"
                      "The file is --kubeconfig, else the merge of the $KUBECONFIG list, else ~/.kube/config.",
         .flags = no_flags, .subcommands = config_commands},
        {.name = "options", .group = "Settings Commands", .summary = "Print the list of flags inherited by all commands",
         .usage = "options", .flags = no_flags, .run = run_options},
        {.name = "__docs", .summary = "Write the command reference pages", .usage = "__docs DIR", .flags = no_flags,
         .run = run_docs, .hidden = true},
        {0},
};

static void global_flags_help(ocx_buf *out) {
        ocx_buf_puts(out, "The following options can be passed to any command:\n\n");
        for (const cli_flag_def *f = cli_global_flags; f->name; f++) {
                char sh[8] = "";
                if (f->shorthand) snprintf(sh, sizeof(sh), "-%c, ", f->shorthand);
                bool q = f->type == CLI_FLAG_STRING;
                ocx_buf_printf(out, "    %s--%s=%s%s%s:\n\t%s\n\n", sh, f->name, q ? "'" : "", f->dflt, q ? "'" : "", f->help);
        }
}

static int run_options(cli_invocation *inv) {
        (void)inv;
        ocx_buf b = OCX_BUF_INIT;
        global_flags_help(&b);
        fputs(b.data, stdout);
        ocx_buf_release(&b);
        return 0;
}

static void root_help(ocx_buf *out) {
        ocx_buf_puts(out, "OpenShift-style container platform client\n\n"
                          "This client helps you develop, build, deploy, and run your applications on an ocx "
                          "cluster. It behaves like oc.\n");
        const char *groups[] = {"Basic Commands", "Cluster Management Commands", "Settings Commands", "Other Commands"};
        for (size_t g = 0; g < OCX_ARRAY_SIZE(groups); g++) {
                bool any = false;
                for (const cli_command *c = cli_root_commands; c->name; c++) {
                        const char *cg = c->group ? c->group : "Other Commands";
                        if (c->hidden || strcmp(cg, groups[g]) != 0) continue;
                        if (!any) ocx_buf_printf(out, "\n%s:\n", groups[g]);
                        any = true;
                        ocx_buf_printf(out, "  %-16s %s\n", c->name, c->summary);
                }
        }
        ocx_buf_puts(out, "\nUsage:\n  ocx [flags] [options]\n\n"
                          "Use \"ocx <command> --help\" for more information about a given command.\n"
                          "Use \"ocx options\" for a list of global command-line options (applies to all commands).\n");
}

static int write_page(const char *dir, const char *file, const ocx_buf *b) {
        _cleanup_free_ char *path = ocx_xasprintf("%s/%s", dir, file);
        int r = ocx_write_file_atomic(path, b->data ? b->data : "", b->len, 0644);
        if (r < 0) fprintf(stderr, "error: cannot write %s: %s\n", path, strerror(-r));
        return r;
}

static int run_docs(cli_invocation *inv) {
        if (inv->nargs != 1) return cli_usage_error(inv, "exactly one directory is required");
        const char *dir = inv->args[0];
        mkdir(dir, 0755);
        ocx_buf index = OCX_BUF_INIT;
        ocx_buf_puts(&index, "# ocx command reference\n\nGenerated from the command table by `ocx __docs docs/commands`; "
                             "do not edit by hand.\n\n| command | summary |\n|---|---|\n");
        int rc = 0;
        for (const cli_command *c = cli_root_commands; c->name; c++) {
                if (c->hidden) continue;
                ocx_buf_printf(&index, "| [`ocx %s`](%s.md) | %s |\n", c->name, c->name, c->summary);
                ocx_buf page = OCX_BUF_INIT;
                _cleanup_free_ char *path = ocx_xasprintf("ocx %s", c->name);
                cli_command_markdown(c, path, &page);
                for (const cli_command *s = c->subcommands; s && s->name; s++) {
                        _cleanup_free_ char *sp = ocx_xasprintf("ocx %s %s", c->name, s->name);
                        ocx_buf_puts(&page, "\n---\n\n");
                        ocx_buf sub = OCX_BUF_INIT;
                        cli_command_markdown(s, sp, &sub);
                        ocx_buf_puts(&page, sub.data);
                        ocx_buf_release(&sub);
                }
                _cleanup_free_ char *file = ocx_xasprintf("%s.md", c->name);
                if (write_page(dir, file, &page) < 0) rc = 1;
                ocx_buf_release(&page);
        }
        ocx_buf opt = OCX_BUF_INIT;
        ocx_buf_puts(&opt, "# ocx options\n\nGlobal options, accepted by every command (before or after the command "
                           "name).\n\n| flag | default | meaning |\n|---|---|---|\n");
        for (const cli_flag_def *f = cli_global_flags; f->name; f++) {
                char sh[8] = "";
                if (f->shorthand) snprintf(sh, sizeof(sh), "-%c, ", f->shorthand);
                ocx_buf_printf(&opt, "| `%s--%s` | `%s` | %s |\n", sh, f->name, f->dflt, f->help);
        }
        if (write_page(dir, "options.md", &opt) < 0) rc = 1;
        if (write_page(dir, "README.md", &index) < 0) rc = 1;
        ocx_buf_release(&opt);
        ocx_buf_release(&index);
        return rc;
}

static const cli_flag_def *global_flag_named(const char *arg) {
        if (arg[0] != '-') return NULL;
        if (arg[1] == '-') {
                const char *n = arg + 2;
                size_t l = strcspn(n, "=");
                for (const cli_flag_def *f = cli_global_flags; f->name; f++)
                        if (strlen(f->name) == l && strncmp(f->name, n, l) == 0) return n[l] ? NULL : f;
                return NULL;
        }
        for (const cli_flag_def *f = cli_global_flags; f->name; f++)
                if (f->shorthand && arg[1] == f->shorthand && arg[2] == 0) return f;
        return NULL;
}

/* index of the first word that is not a flag (or a global flag's value) */
static int next_word(int argc, char **argv, int from) {
        for (int i = from; i < argc; i++) {
                if (strcmp(argv[i], "--") == 0) return -1;
                if (argv[i][0] != '-' || argv[i][1] == 0) return i;
                const cli_flag_def *f = global_flag_named(argv[i]);
                if (f && f->type != CLI_FLAG_BOOL) i++;
        }
        return -1;
}

static int dispatch(const cli_command *cmd, const char *path, int argc, char **argv, int skip_a, int skip_b) {
        /* argv without the command words */
        char **rest = ocx_xcalloc((size_t)argc + 1, sizeof(char *));
        int n = 0;
        for (int i = 1; i < argc; i++)
                if (i != skip_a && i != skip_b) rest[n++] = argv[i];
        cli_invocation inv = {0};
        ocx_error *err = NULL;
        int rc;
        inv.path = ocx_xstrdup(path);
        if (cli_parse_flags(cmd, n, rest, &inv, &err) < 0) {
                fprintf(stderr, "error: %s\nSee '%s --help' for usage.\n", err->message, path);
                rc = 1;
        } else if (cli_flag_bool(&inv, "help") || (cmd->subcommands && !cmd->run)) {
                ocx_buf b = OCX_BUF_INIT;
                cli_command_help(cmd, path, &b);
                fputs(b.data, stdout);
                ocx_buf_release(&b);
                rc = 0;
        } else {
                rc = cmd->run(&inv);
        }
        ocx_error_free(err);
        cli_session_free(inv.session);
        cli_invocation_release(&inv);
        free(rest);
        return rc;
}

int cli_main(int argc, char **argv) {
        int w = next_word(argc, argv, 1);
        for (int i = 1; i < argc && (w < 0 || i < w); i++)
                if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) w = -1;
        if (w < 0) {
                for (int i = 1; i < argc; i++) {
                        if (argv[i][0] != '-') break;
                        if (strcmp(argv[i], "-h") && strcmp(argv[i], "--help") && !global_flag_named(argv[i]) &&
                            !ocx_startswith(argv[i], "--")) {
                                fprintf(stderr, "error: unknown shorthand flag: '%c' in %s\n", argv[i][1], argv[i]);
                                return 1;
                        }
                }
                ocx_buf b = OCX_BUF_INIT;
                root_help(&b);
                fputs(b.data, stdout);
                ocx_buf_release(&b);
                return 0;
        }
        const cli_command *cmd = cli_find_command(cli_root_commands, argv[w]);
        if (!cmd) {
                ocx_buf s = OCX_BUF_INIT;
                cli_suggest(cli_root_commands, argv[w], &s);
                fprintf(stderr, "error: unknown command \"%s\" for \"ocx\"\n", argv[w]);
                if (s.len) fprintf(stderr, "\nDid you mean this?\n%s", s.data);
                ocx_buf_release(&s);
                return 1;
        }
        if (cmd->raw_args) return cmd->run(&(cli_invocation){.cmd = cmd, .raw_argc = argc - w, .raw_argv = argv + w});
        _cleanup_free_ char *path = ocx_xasprintf("ocx %s", cmd->name);
        if (cmd->subcommands) {
                int s = next_word(argc, argv, w + 1);
                const cli_command *sub = s > 0 ? cli_find_command(cmd->subcommands, argv[s]) : NULL;
                if (s > 0 && !sub) {
                        fprintf(stderr, "error: unknown command \"%s\" for \"%s\"\n", argv[s], path);
                        return 1;
                }
                if (sub) {
                        _cleanup_free_ char *sp = ocx_xasprintf("%s %s", path, sub->name);
                        return dispatch(sub, sp, argc, argv, w, s);
                }
        }
        return dispatch(cmd, path, argc, argv, w, -1);
}
