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

static const cli_flag_def expose_flags[] = {
        {"hostname", 0, CLI_FLAG_STRING, "", "Set a hostname for the new route"},
        {"path", 0, CLI_FLAG_STRING, "", "Set a path for the new route"},
        {"port", 0, CLI_FLAG_STRING, "", "The port that the resource should serve on (the route's target port)"},
        {"name", 0, CLI_FLAG_STRING, "", "The name for the newly created object."},
        {"labels", 'l', CLI_FLAG_STRING, "", "Labels to apply to the route created by this call."},
        {"wildcard-policy", 0, CLI_FLAG_STRING, "", "Sets the WildcardPolicy for the hostname, the default is \"None\". Valid values are \"None\" and \"Subdomain\""},
        {"type", 0, CLI_FLAG_STRING, "", "Type for this service (not allowed when exposing a route)"},
        {0},
};

static const cli_flag_def create_route_flags[] = {
        {"service", 0, CLI_FLAG_STRING, "", "Name of the service that the new route is exposing"},
        {"hostname", 0, CLI_FLAG_STRING, "", "Set a hostname for the new route"},
        {"path", 0, CLI_FLAG_STRING, "", "Path that the router watches to route traffic to the service."},
        {"port", 0, CLI_FLAG_STRING, "", "Name of the service port or number of the container port the route will route traffic to"},
        {"cert", 0, CLI_FLAG_STRING, "", "Path to a certificate file."},
        {"key", 0, CLI_FLAG_STRING, "", "Path to a key file."},
        {"ca-cert", 0, CLI_FLAG_STRING, "", "Path to a CA certificate file."},
        {"insecure-policy", 0, CLI_FLAG_STRING, "", "Set an insecure policy for the new route (Allow, None, Redirect)"},
        {"wildcard-policy", 0, CLI_FLAG_STRING, "", "Sets the WildcardPolicy for the hostname (None, Subdomain)"},
        {0},
};

static const cli_command create_commands[] = {
        {.name = "route", .summary = "Create a route that uses edge TLS termination",
         .usage = "create route edge [NAME] --service=SERVICE [flags]",
         .long_help = "Create a route that uses edge TLS termination.\n\nSpecify the service (either just its name or "
                      "using type/name syntax) that the generated route should expose via the --service flag. The "
                      "certificate, key and CA files are read by the client and sent in the route.",
         .examples = "  # Create an edge route named \"my-route\" that exposes the frontend service\n"
                     "  ocx create route edge my-route --service=frontend\n\n"
                     "  # With a custom certificate, redirecting plain HTTP\n"
                     "  ocx create route edge --service=frontend --cert=tls.crt --key=tls.key --insecure-policy=Redirect",
         .flags = create_route_flags, .run = cli_run_create_route},
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

/* runtime: logs and exec (cmd-logs.c, cmd-exec.c) */
int cli_run_logs(cli_invocation *inv);
int cli_run_exec(cli_invocation *inv);
static const cli_flag_def logs_flags[] = {
        {"follow", 'f', CLI_FLAG_BOOL, "false", "Specify if the logs should be streamed."},
        {"container", 'c', CLI_FLAG_STRING, "", "Print the logs of this container"},
        {"tail", 0, CLI_FLAG_INT, "-1", "Lines of recent log file to display. Defaults to -1, showing all log lines."},
        {"previous", 'p', CLI_FLAG_BOOL, "false", "If true, print the logs for the previous instance of the container in a pod if it exists."},
        {0},
};
static const cli_flag_def exec_flags[] = {
        {"container", 'c', CLI_FLAG_STRING, "", "Container name. If omitted, the first container in the pod will be chosen"},
        {"stdin", 'i', CLI_FLAG_BOOL, "false", "Pass stdin to the container"},
        {"tty", 't', CLI_FLAG_BOOL, "false", "Stdin is a TTY"},
        {"base-dir", 0, CLI_FLAG_STRING, "", "The node's base directory (default: $OCX_BASE_DIR, else /var/lib/ocx); exec works on the node machine only"},
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

/* cli/src/cmd-image.c */
extern const cli_command cli_image_commands[];
static const cli_flag_def login_flags[] = {
        {"username", 'u', CLI_FLAG_STRING, "", "Username for server"},
        {"password", 'p', CLI_FLAG_STRING, "", "Password for server"},
        {"certificate-authority", 0, CLI_FLAG_STRING, "", "Path to a cert file for the certificate authority"},
        {0},
};

static const cli_flag_def whoami_flags[] = {
        {"show-token", 't', CLI_FLAG_BOOL, "false", "Print the token the current session is using."},
        {"show-context", 'c', CLI_FLAG_BOOL, "false", "Print the current user context name"},
        {"show-server", 0, CLI_FLAG_BOOL, "false", "If true, print the current server's REST API URL"},
        {"show-console", 0, CLI_FLAG_BOOL, "false", "If true, print the current server's web console URL"},
        {"output", 'o', CLI_FLAG_STRING, "", "Output format. One of: json|yaml."},
        {0},
};

static const cli_flag_def new_project_flags[] = {
        {"display-name", 0, CLI_FLAG_STRING, "", "Project display name"},
        {"description", 0, CLI_FLAG_STRING, "", "Project description"},
        {"skip-config-write", 0, CLI_FLAG_BOOL, "false",
         "If true, the project will not be set as a cluster entry in kubeconfig after being created"},
        {0},
};

static const cli_flag_def project_flags[] = {
        {"short", 'q', CLI_FLAG_BOOL, "false", "If true, display only the project name"},
        {0},
};

static const cli_flag_def htpasswd_flags[] = {
        {"password", 'p', CLI_FLAG_STRING, "", "The user's password (prompted for on a terminal when missing)"},
        {"base-dir", 0, CLI_FLAG_STRING, "/var/lib/ocx", "The cluster's base directory (the file is BASE/htpasswd)"},
        {0},
};

/* RBAC commands: cli/src/cmd-adm-policy.c, cli/src/cmd-auth.c */
extern const cli_flag_def cli_policy_flags[];
extern const cli_command cli_auth_commands[];
int cli_run_policy(cli_invocation *inv);
/* scc-review / scc-subject-review: cli/src/cmd-scc-review.c (its flags are
 * cli_policy_flags plus -f/-u/-g; other subcommands go on to cli_run_policy) */
extern cli_flag_def cli_policy_review_flags[];
int cli_run_policy_review(cli_invocation *inv);
#define SCC_REVIEW_USAGE " | policy (scc-subject-review [-u USER] [-g GROUP]... [-z SA] | scc-review [-z SA]...) -f FILE [-o yaml|json]"
#define SCC_REVIEW_EXAMPLES                                                                                                \
        "\n\n  # Which SCC would admit the pod in pod.yaml, created by you (or -u USER, -z SA)\n"                       \
        "  ocx adm policy scc-subject-review -f pod.yaml\n\n"                                                             \
        "  # Which of these service accounts may run it\n  ocx adm policy scc-review -z default,builder -f pod.yaml"
#define POLICY_USAGE                                                                                                       \
        "policy (add-role-to-user|add-role-to-group|add-cluster-role-to-user|add-cluster-role-to-group|"                   \
        "remove-role-from-user|remove-role-from-group|remove-cluster-role-from-user|remove-cluster-role-from-group|"       \
        "add-scc-to-user|add-scc-to-group|remove-scc-from-user|remove-scc-from-group) ROLE|SCC (USER...|GROUP...) "       \
        "[-z SA] [--rolebinding-name N] [--role-namespace NS] | policy who-can VERB RESOURCE [NAME]"
#define POLICY_EXAMPLES                                                                                                    \
        "  # Let alice view the current project\n  ocx adm policy add-role-to-user view alice\n\n"                        \
        "  # Let the default service account run as any uid\n  ocx adm policy add-scc-to-user anyuid -z default\n\n"       \
        "  # Who may delete pods here\n  ocx adm policy who-can delete pods"

/* `ocx adm` subcommands (other adm commands join this table) */
static const cli_command adm_commands[] = {
        {.name = "policy", .summary = "Manage cluster authorization and security policy", .usage = "adm " POLICY_USAGE SCC_REVIEW_USAGE,
         .long_help = "Manage cluster authorization and security policy.\n\nRoles are granted with RoleBindings in the "
                      "current project (add-role-*) or ClusterRoleBindings (add-cluster-role-*); SCCs through the "
                      "ClusterRole system:openshift:scc:<name> and a binding of that name (a RoleBinding when -n is given).",
         .examples = POLICY_EXAMPLES SCC_REVIEW_EXAMPLES, .flags = cli_policy_review_flags, .run = cli_run_policy_review},
        {.name = "htpasswd", .summary = "Add or remove users of the htpasswd identity provider",
         .usage = "adm htpasswd (add|remove) USER [-p PASSWORD] [--base-dir DIR]",
         .long_help = "Add or remove users of the htpasswd identity provider.\n\nEdits BASE/htpasswd (bcrypt "
                      "entries, mode 0600); the API server re-reads the file when it changes.",
         .examples = "  # Add a user\n  ocx adm htpasswd add alice -p secret\n\n  # Remove it\n  ocx adm htpasswd remove alice",
         .flags = htpasswd_flags, .run = cli_run_adm_htpasswd},
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
         .flags = create_flags, .run = cli_run_create, .subcommands = create_commands},
        {.name = "expose", .group = "Basic Commands", .summary = "Expose a replicated application as a service or route",
         .usage = "expose (svc/NAME | svc NAME) [--hostname=H] [--path=P] [--port=PORT] [--name=N] [-l k=v] [flags]",
         .long_help = "Expose containers internally as services or externally via routes.\n\nFor a service, a Route "
                      "is created; without --hostname the server generates <name>-<namespace>.<routing suffix>.",
         .examples = "  # Create a route based on service nginx. The new route will reuse nginx's labels\n"
                     "  ocx expose service nginx\n\n"
                     "  # Create a route and specify your own hostname\n"
                     "  ocx expose service nginx --hostname=www.example.com",
         .flags = expose_flags, .run = cli_run_expose},
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
        {.name = "logs", .group = "Troubleshooting and Debugging Commands", .summary = "Print the logs for a container in a pod",
         .usage = "logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER] [flags]",
         .examples = "  # Print the log of the only container of pod web\n  ocx logs web\n\n"
                     "  # Follow the log of container c\n  ocx logs -f pod/web -c c\n\n"
                     "  # The last 20 lines of the previous instance\n  ocx logs --previous --tail 20 web",
         .flags = logs_flags, .run = cli_run_logs},
        {.name = "exec", .group = "Troubleshooting and Debugging Commands", .summary = "Execute a command in a container",
         .usage = "exec POD [-c CONTAINER] -- COMMAND [args...] [flags]",
         .long_help = "Execute a command in a container.\n\nThis first version runs on the node machine only: it enters the "
                      "container's namespaces through `ocxd node-exec` with the container's security context.",
         .examples = "  # Run 'id' in the first container of pod web\n  ocx exec web -- id",
         .flags = exec_flags, .run = cli_run_exec},
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
        {.name = "image", .group = "Other Commands", .summary = "Useful commands for managing images",
         .usage = "image COMMAND [flags]",
         .long_help = "Manage images in registries: 'ocx image append' builds an image from layer archives and "
                      "pushes it, 'ocx image info' describes one.",
         .flags = no_flags, .subcommands = cli_image_commands},
        {.name = "login", .group = "Basic Commands", .summary = "Log in to a server",
         .usage = "login [URL] [flags]",
         .long_help = "Log in to your server and save login for subsequent use.\n\nThe first time you log in, "
                      "the server URL is remembered in your kubeconfig. A user name without a password reuses "
                      "existing credentials for that user (how system:admin logs in); otherwise the password is "
                      "sent to the server's OAuth endpoint and the token it returns is saved.",
         .examples = "  # Log in as the cluster administrator (client certificate)\n  ocx login -u system:admin\n\n"
                     "  # Log in with a user name and password\n  ocx login https://127.0.0.1:8443 -u developer -p developer\n\n"
                     "  # Log in with a token\n  ocx login https://127.0.0.1:8443 --token=sha256~...",
         .flags = login_flags, .run = cli_run_login},
        {.name = "logout", .group = "Basic Commands", .summary = "End the current server session",
         .usage = "logout [flags]",
         .long_help = "Log out of the active session out by clearing saved tokens.\n\nThe token is deleted on the "
                      "server and removed from every kubeconfig user entry that holds it.",
         .examples = "  # Log out\n  ocx logout", .flags = no_flags, .run = cli_run_logout},
        {.name = "status", .group = "Basic Commands", .summary = "Show an overview of the current project",
         .usage = "status [flags]",
         .examples = "  # See an overview of the current project\n  ocx status",
         .flags = no_flags, .run = cli_run_status},
        {.name = "whoami", .group = "Basic Commands", .summary = "Return information about the current session",
         .usage = "whoami [flags]",
         .examples = "  # Display the currently authenticated user\n  ocx whoami\n\n  # Display the token\n  ocx whoami -t",
         .flags = whoami_flags, .run = cli_run_whoami},
        {.name = "new-project", .group = "Basic Commands", .summary = "Request a new project",
         .usage = "new-project NAME [--display-name=DISPLAYNAME] [--description=DESCRIPTION] [flags]",
         .long_help = "Create a new project for yourself.\n\nYou become the project's administrator; the project "
                      "gets the default, builder and deployer service accounts.",
         .examples = "  # Create a new project with minimal information\n  ocx new-project web-team-dev\n\n"
                     "  # Create a new project with a display name and description\n"
                     "  ocx new-project web-team-dev --display-name=\"Web Team Development\" --description=\"Development project for the web team.\"",
         .flags = new_project_flags, .run = cli_run_new_project},
        {.name = "project", .group = "Basic Commands", .summary = "Switch to another project",
         .usage = "project [NAME] [flags]",
         .examples = "  # Switch to the 'myapp' project\n  ocx project myapp\n\n  # Display the project currently in use\n  ocx project",
         .flags = project_flags, .run = cli_run_project},
        {.name = "projects", .group = "Basic Commands", .summary = "Display existing projects",
         .usage = "projects [flags]",
         .examples = "  # List all projects\n  ocx projects", .flags = project_flags, .run = cli_run_projects},
        {.name = "adm", .group = "Cluster Management Commands", .summary = "Tools for managing a cluster",
         .usage = "adm COMMAND [flags]", .flags = no_flags, .subcommands = adm_commands},
        {.name = "policy", .group = "Cluster Management Commands", .summary = "Manage authorization policy",
         .usage = POLICY_USAGE SCC_REVIEW_USAGE, .examples = POLICY_EXAMPLES SCC_REVIEW_EXAMPLES,
         .flags = cli_policy_review_flags, .run = cli_run_policy_review},
        {.name = "auth", .group = "Cluster Management Commands", .summary = "Inspect authorization",
         .usage = "auth can-i VERB [TYPE | TYPE/NAME | NONRESOURCEURL] [flags]", .flags = no_flags,
         .subcommands = cli_auth_commands},
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
                        if (s->hidden) continue;
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
                if (s > 0 && !sub && !cmd->run) {
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
