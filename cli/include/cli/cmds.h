/* ocx — run functions of the commands in the table (cli/src/commands.c). */
#pragma once
#include "cli/command.h"

int cli_run_get(cli_invocation *inv);
int cli_run_describe(cli_invocation *inv);
int cli_run_create(cli_invocation *inv);
int cli_run_apply(cli_invocation *inv);
int cli_run_delete(cli_invocation *inv);
int cli_run_patch(cli_invocation *inv);
int cli_run_edit(cli_invocation *inv);
int cli_run_config_view(cli_invocation *inv);
int cli_run_config_current_context(cli_invocation *inv);
int cli_run_config_use_context(cli_invocation *inv);
int cli_run_config_get_contexts(cli_invocation *inv);
int cli_run_api_resources(cli_invocation *inv);

/* login, projects, users (cmd-login.c, cmd-project.c, cmd-whoami.c, cmd-adm-htpasswd.c) */
int cli_run_login(cli_invocation *inv);
int cli_run_logout(cli_invocation *inv);
int cli_run_whoami(cli_invocation *inv);
int cli_run_new_project(cli_invocation *inv);
int cli_run_project(cli_invocation *inv);
int cli_run_projects(cli_invocation *inv);
/* ocx status: project overview (cmd-status.c) */
int cli_run_status(cli_invocation *inv);
int cli_run_adm_htpasswd(cli_invocation *inv);
struct cli_session;
/* Who the session's credentials name: SelfSubjectReview, else users/~.
 * 401 -> "error: You must be logged in to the server (Unauthorized)". */
int cli_whoami(struct cli_session *s, char **ret_user, ocx_error **reterr);
/* htpasswd file editing (mode 0600, atomic). set: 1 replaced, 0 added. */
int cli_htpasswd_hash(const char *password, char **ret, ocx_error **reterr);
int cli_htpasswd_set(const char *path, const char *user, const char *password, ocx_error **reterr);
int cli_htpasswd_remove(const char *path, const char *user, ocx_error **reterr);

/* routes (cmd-expose.c, cmd-create-route.c) */
struct cJSON;
int cli_run_expose(cli_invocation *inv);
int cli_run_create_route(cli_invocation *inv);
/* A Route named route_name to service svc_name in the session's namespace
 * (labels copied from the service; spec.port.targetPort = port, else the
 * service's first TCP port name or target port). Errors with oc's texts for
 * a missing service without port and a service without a TCP port. */
int cli_route_for_service(struct cli_session *s, const char *svc_name, const char *route_name, const char *port,
                          struct cJSON **ret, ocx_error **reterr);
