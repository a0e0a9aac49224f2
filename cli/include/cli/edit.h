/* ocx — the pure parts of `ocx edit` (spec 5.11): the file header, comment
 * stripping and how the editor command line is built. */
#pragma once
#include <stdbool.h>

#define CLI_EDIT_HEADER                                                                               \
        "# Please edit the object below. Lines beginning with a '#' will be ignored,\n"               \
        "# and an empty file will abort the edit. If an error occurs while saving this file will be\n" \
        "# reopened with the relevant failures.\n"                                                    \
        "#\n"

/* Removes every line whose first non-blank character is '#'. Caller frees. */
char *cli_edit_strip_comments(const char *text);
/* Only whitespace (after stripping comments). */
bool cli_edit_is_blank(const char *text);
/* header + (each line of errors prefixed "# ", then "#") + body. errors may
 * be NULL. Caller frees. */
char *cli_edit_compose(const char *errors, const char *body);
/* The editor from OC_EDITOR, KUBE_EDITOR, EDITOR, else "vi" (not freed). */
const char *cli_editor_name(void);
/* argv to run: a value without spaces is the program; with spaces and no
 * quotes/backslashes it is split on spaces; otherwise $SHELL -c '<value> "<file>"'.
 * NULL-terminated, caller frees each string and the array. */
char **cli_editor_argv(const char *editor, const char *file);
