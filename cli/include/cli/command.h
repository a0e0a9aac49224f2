/* ocx — the command table and argument parsing. One table (commands.c) of
 * commands with their flags and help drives parsing, `--help` and the
 * generated docs/commands pages. Global flags may appear anywhere. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include "ocx/buf.h"
#include "ocx/error.h"

typedef enum { CLI_FLAG_BOOL, CLI_FLAG_STRING, CLI_FLAG_LIST, CLI_FLAG_INT } cli_flag_type;

typedef struct cli_flag_def {
        const char *name;   /* long name without "--" */
        char shorthand;     /* 0 = none */
        cli_flag_type type; /* LIST: repeatable string flag */
        const char *dflt;   /* default shown in help ("false", "", "-1") */
        const char *help;
} cli_flag_def;

typedef struct cli_invocation cli_invocation;
typedef int (*cli_run_fn)(cli_invocation *inv);

typedef struct cli_command {
        const char *name;
        const char *aliases[3];
        const char *summary;   /* one line */
        const char *usage;     /* after "ocx ": "get [TYPE] [NAME] [flags]" */
        const char *long_help; /* may be NULL */
        const char *examples;  /* may be NULL */
        const cli_flag_def *flags; /* terminated by {0} */
        cli_run_fn run;
        const struct cli_command *subcommands; /* terminated by {0}; NULL = leaf */
        bool hidden;
        bool raw_args; /* argv passed unparsed to run (cluster) */
        const char *group; /* section in `ocx --help` */
} cli_command;

/* parsed value of one flag */
typedef struct cli_flag_value {
        const cli_flag_def *def;
        bool set;
        char *value;   /* STRING/INT/BOOL ("true"/"false") */
        char **list;   /* LIST values */
        size_t nlist;
} cli_flag_value;

struct cli_session;

struct cli_invocation {
        const cli_command *cmd;
        char *path; /* "ocx get", "ocx config view" */
        char **args; /* positional arguments (not owned) */
        size_t nargs;
        cli_flag_value *flags; /* command flags then global flags */
        size_t nflags;
        int raw_argc;
        char **raw_argv;
        struct cli_session *session; /* created on demand by cli_session_get */
};

extern const cli_flag_def cli_global_flags[];
extern const cli_command cli_root_commands[];

/* Parses argv (after the command words) into inv. Errors carry the exact
 * cobra text ("unknown flag: --foo"). */
int cli_parse_flags(const cli_command *cmd, int argc, char **argv, cli_invocation *inv,
                    ocx_error **reterr);
void cli_invocation_release(cli_invocation *inv);

const cli_flag_value *cli_flag(const cli_invocation *inv, const char *name);
const char *cli_flag_str(const cli_invocation *inv, const char *name); /* NULL when unset+empty default */
bool cli_flag_bool(const cli_invocation *inv, const char *name);
bool cli_flag_is_set(const cli_invocation *inv, const char *name);
/* LIST values (or the single STRING value); *ret_n may be 0. */
char **cli_flag_list(const cli_invocation *inv, const char *name, size_t *ret_n);
int cli_flag_int(const cli_invocation *inv, const char *name, long *ret, ocx_error **reterr);

/* Help text of a command (as printed by --help) and its markdown page. */
void cli_command_help(const cli_command *cmd, const char *path, ocx_buf *out);
void cli_command_markdown(const cli_command *cmd, const char *path, ocx_buf *out);
/* Finds a command by name or alias in a table. */
const cli_command *cli_find_command(const cli_command *table, const char *name);
/* Suggestions for an unknown command (Levenshtein <= 2 or prefix). */
void cli_suggest(const cli_command *table, const char *name, ocx_buf *out);

/* Prints an error per spec 1.1 (adds "error: " unless the message is already
 * in one of the final forms) and returns 1. */
int cli_print_error(const ocx_error *e);
/* usage error: "error: <msg>\nSee '<path> -h' for help and examples" */
int cli_usage_error(const cli_invocation *inv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
