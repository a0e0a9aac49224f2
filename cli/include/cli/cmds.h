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
