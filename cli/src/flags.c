/* ocx — flag parsing (pflag/cobra rules), help text, docs pages and the
 * error printer shared by every command. */
#include "cli/command.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ocx/macro.h"
#include "ocx/banned.h"

static const cli_flag_def help_flag = {"help", 'h', CLI_FLAG_BOOL, "false", "help for this command"};

static size_t count_flags(const cli_flag_def *f) {
        size_t n = 0;
        while (f && f[n].name) n++;
        return n;
}

static cli_flag_value *find_long(cli_invocation *inv, const char *name, size_t len) {
        for (size_t i = 0; i < inv->nflags; i++)
                if (strlen(inv->flags[i].def->name) == len &&
                    strncmp(inv->flags[i].def->name, name, len) == 0)
                        return &inv->flags[i];
        return NULL;
}

static cli_flag_value *find_short(cli_invocation *inv, char c) {
        for (size_t i = 0; i < inv->nflags; i++)
                if (inv->flags[i].def->shorthand == c) return &inv->flags[i];
        return NULL;
}

static int set_value(cli_flag_value *v, const char *val, const char *shown, ocx_error **reterr) {
        if (v->def->type == CLI_FLAG_BOOL) {
                if (!val || strcmp(val, "true") == 0 || strcmp(val, "1") == 0)
                        val = "true";
                else if (strcmp(val, "false") == 0 || strcmp(val, "0") == 0)
                        val = "false";
                else
                        return ocx_error_set(reterr, EINVAL, NULL,
                                             "invalid argument \"%s\" for \"%s\" flag: strconv.ParseBool: "
                                             "parsing \"%s\": invalid syntax",
                                             val, shown, val);
        }
        if (v->def->type == CLI_FLAG_INT) {
                char *end = NULL;
                errno = 0;
                (void)strtol(val, &end, 10);
                if (!*val || *end || errno)
                        return ocx_error_set(reterr, EINVAL, NULL,
                                             "invalid argument \"%s\" for \"%s\" flag: strconv.ParseInt: "
                                             "parsing \"%s\": invalid syntax",
                                             val, shown, val);
        }
        v->set = true;
        if (v->def->type == CLI_FLAG_LIST) {
                v->list = ocx_xrealloc(v->list, (v->nlist + 2) * sizeof(char *));
                v->list[v->nlist++] = ocx_xstrdup(val);
                v->list[v->nlist] = NULL;
                return 0;
        }
        free(v->value);
        v->value = ocx_xstrdup(val);
        return 0;
}

int cli_parse_flags(const cli_command *cmd, int argc, char **argv, cli_invocation *inv,
                    ocx_error **reterr) {
        size_t nc = count_flags(cmd->flags), ng = count_flags(cli_global_flags);
        inv->cmd = cmd;
        inv->nflags = nc + ng + 1;
        inv->flags = ocx_xcalloc(inv->nflags, sizeof(cli_flag_value));
        for (size_t i = 0; i < nc; i++) inv->flags[i].def = &cmd->flags[i];
        for (size_t i = 0; i < ng; i++) inv->flags[nc + i].def = &cli_global_flags[i];
        inv->flags[nc + ng].def = &help_flag;
        inv->args = ocx_xcalloc((size_t)argc + 1, sizeof(char *));
        inv->nargs = 0;
        for (int i = 0; i < argc; i++) {
                char *a = argv[i];
                if (strcmp(a, "--") == 0) {
                        while (++i < argc) inv->args[inv->nargs++] = argv[i];
                        break;
                }
                if (a[0] != '-' || a[1] == 0) {
                        inv->args[inv->nargs++] = a;
                        continue;
                }
                if (a[1] == '-') {
                        const char *name = a + 2, *eq = strchr(name, '=');
                        size_t len = eq ? (size_t)(eq - name) : strlen(name);
                        cli_flag_value *v = find_long(inv, name, len);
                        if (!v)
                                return ocx_error_set(reterr, EINVAL, NULL, "unknown flag: --%.*s", (int)len,
                                                     name);
                        _cleanup_free_ char *shown = ocx_xasprintf("--%s", v->def->name);
                        const char *val = eq ? eq + 1 : NULL;
                        if (!val && v->def->type != CLI_FLAG_BOOL) {
                                if (i + 1 >= argc)
                                        return ocx_error_set(reterr, EINVAL, NULL,
                                                             "flag needs an argument: --%s", v->def->name);
                                val = argv[++i];
                        }
                        int r = set_value(v, val, shown, reterr);
                        if (r < 0) return r;
                        continue;
                }
                for (const char *p = a + 1; *p; p++) {
                        cli_flag_value *v = find_short(inv, *p);
                        if (!v)
                                return ocx_error_set(reterr, EINVAL, NULL,
                                                     "unknown shorthand flag: '%c' in %s", *p, a);
                        _cleanup_free_ char *shown = ocx_xasprintf("-%c, --%s", *p, v->def->name);
                        if (v->def->type == CLI_FLAG_BOOL) {
                                const char *val = NULL;
                                if (p[1] == '=') val = p + 2;
                                int r = set_value(v, val, shown, reterr);
                                if (r < 0) return r;
                                if (val) break;
                                continue;
                        }
                        const char *val = p + 1;
                        if (*val == '=') val++;
                        if (!*val && !p[1]) {
                                if (i + 1 >= argc)
                                        return ocx_error_set(reterr, EINVAL, NULL,
                                                             "flag needs an argument: '%c' in -%c", *p, *p);
                                val = argv[++i];
                        }
                        int r = set_value(v, val, shown, reterr);
                        if (r < 0) return r;
                        break;
                }
        }
        return 0;
}

void cli_invocation_release(cli_invocation *inv) {
        for (size_t i = 0; i < inv->nflags; i++) {
                free(inv->flags[i].value);
                for (size_t k = 0; k < inv->flags[i].nlist; k++) free(inv->flags[i].list[k]);
                free(inv->flags[i].list);
        }
        free(inv->flags);
        free(inv->args);
        free(inv->path);
        inv->flags = NULL;
        inv->args = NULL;
        inv->path = NULL;
}

const cli_flag_value *cli_flag(const cli_invocation *inv, const char *name) {
        for (size_t i = 0; i < inv->nflags; i++)
                if (strcmp(inv->flags[i].def->name, name) == 0) return &inv->flags[i];
        return NULL;
}

const char *cli_flag_str(const cli_invocation *inv, const char *name) {
        const cli_flag_value *v = cli_flag(inv, name);
        if (!v) return NULL;
        if (v->def->type == CLI_FLAG_LIST) return v->nlist ? v->list[v->nlist - 1] : NULL;
        if (v->set) return v->value;
        return v->def->dflt && *v->def->dflt ? v->def->dflt : NULL;
}

bool cli_flag_bool(const cli_invocation *inv, const char *name) {
        const char *s = cli_flag_str(inv, name);
        return s && strcmp(s, "true") == 0;
}

bool cli_flag_is_set(const cli_invocation *inv, const char *name) {
        const cli_flag_value *v = cli_flag(inv, name);
        return v && v->set;
}

char **cli_flag_list(const cli_invocation *inv, const char *name, size_t *ret_n) {
        cli_flag_value *v = (cli_flag_value *)cli_flag(inv, name);
        *ret_n = 0;
        if (!v || !v->set) return NULL;
        if (v->def->type == CLI_FLAG_LIST) {
                *ret_n = v->nlist;
                return v->list;
        }
        *ret_n = 1;
        return &v->value;
}

int cli_flag_int(const cli_invocation *inv, const char *name, long *ret, ocx_error **reterr) {
        const char *s = cli_flag_str(inv, name);
        if (!s) s = "0";
        char *end = NULL;
        errno = 0;
        long v = strtol(s, &end, 10);
        if (!*s || *end || errno) return ocx_error_set(reterr, EINVAL, NULL, "invalid number '%s'", s);
        *ret = v;
        return 0;
}

const cli_command *cli_find_command(const cli_command *table, const char *name) {
        for (const cli_command *c = table; c && c->name; c++) {
                if (strcmp(c->name, name) == 0) return c;
                for (size_t i = 0; i < OCX_ARRAY_SIZE(c->aliases) && c->aliases[i]; i++)
                        if (strcmp(c->aliases[i], name) == 0) return c;
        }
        return NULL;
}

static size_t levenshtein(const char *a, const char *b) {
        size_t la = strlen(a), lb = strlen(b);
        if (la > 64 || lb > 64) return 99;
        size_t d[65][65];
        for (size_t i = 0; i <= la; i++) d[i][0] = i;
        for (size_t j = 0; j <= lb; j++) d[0][j] = j;
        for (size_t i = 1; i <= la; i++)
                for (size_t j = 1; j <= lb; j++) {
                        size_t c = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
                        if (d[i - 1][j] + 1 < c) c = d[i - 1][j] + 1;
                        if (d[i][j - 1] + 1 < c) c = d[i][j - 1] + 1;
                        d[i][j] = c;
                }
        return d[la][lb];
}

void cli_suggest(const cli_command *table, const char *name, ocx_buf *out) {
        for (const cli_command *c = table; c && c->name; c++) {
                if (c->hidden) continue;
                if (levenshtein(c->name, name) <= 2 || ocx_startswith(c->name, name))
                        ocx_buf_printf(out, "\t%s\n", c->name);
        }
}

static void flag_lines(const cli_flag_def *defs, ocx_buf *out, bool markdown) {
        for (const cli_flag_def *f = defs; f && f->name; f++) {
                const char *d = f->dflt ? f->dflt : "";
                bool quote = f->type == CLI_FLAG_STRING && strcmp(d, "") == 0;
                if (f->type == CLI_FLAG_LIST) d = "[]";
                char sh[8] = "";
                if (f->shorthand) snprintf(sh, sizeof(sh), "-%c, ", f->shorthand);
                if (markdown) {
                        ocx_buf_printf(out, "| `%s--%s` | `%s%s%s` | ", sh, f->name, quote ? "'" : "", d,
                                       quote ? "'" : "");
                        for (const char *p = f->help; *p; p++)
                                ocx_buf_puts(out, *p == '|' ? "\\|" : (char[]){*p, 0});
                        ocx_buf_puts(out, " |\n");
                }
                else
                        ocx_buf_printf(out, "    %s--%s=%s%s%s:\n\t%s\n\n", sh, f->name, quote ? "'" : "", d,
                                       quote ? "'" : "", f->help);
        }
}

void cli_command_help(const cli_command *cmd, const char *path, ocx_buf *out) {
        ocx_buf_printf(out, "%s\n\n", cmd->long_help ? cmd->long_help : cmd->summary);
        if (cmd->aliases[0]) {
                ocx_buf_printf(out, "Aliases:\n  %s", cmd->name);
                for (size_t i = 0; i < OCX_ARRAY_SIZE(cmd->aliases) && cmd->aliases[i]; i++)
                        ocx_buf_printf(out, ", %s", cmd->aliases[i]);
                ocx_buf_puts(out, "\n\n");
        }
        if (cmd->examples) ocx_buf_printf(out, "Examples:\n%s\n\n", cmd->examples);
        if (cmd->subcommands) {
                ocx_buf_puts(out, "Available Commands:\n");
                for (const cli_command *s = cmd->subcommands; s->name; s++)
                        if (!s->hidden) ocx_buf_printf(out, "  %-16s %s\n", s->name, s->summary);
                ocx_buf_puts(out, "\n");
        }
        if (cmd->flags && cmd->flags[0].name) {
                ocx_buf_puts(out, "Options:\n");
                flag_lines(cmd->flags, out, false);
        }
        ocx_buf_printf(out, "Usage:\n  ocx %s\n\n", cmd->usage);
        ocx_buf_printf(out, "Use \"ocx options\" for a list of global command-line options (applies to all commands).\n");
        (void)path;
}

void cli_command_markdown(const cli_command *cmd, const char *path, ocx_buf *out) {
        bool sub = strchr(path + 4, ' ') != NULL; /* "ocx config view": a section of the parent page */
        const char *h1 = sub ? "##" : "#", *h2 = sub ? "###" : "##";
        ocx_buf_printf(out, "%s %s\n\n%s\n\n", h1, path, cmd->summary);
        if (cmd->long_help) ocx_buf_printf(out, "%s\n\n", cmd->long_help);
        ocx_buf_printf(out, "%s Usage\n\n```\nocx %s\n```\n\n", h2, cmd->usage);
        if (cmd->aliases[0]) {
                ocx_buf_puts(out, "Aliases:");
                for (size_t i = 0; i < OCX_ARRAY_SIZE(cmd->aliases) && cmd->aliases[i]; i++)
                        ocx_buf_printf(out, " `%s`", cmd->aliases[i]);
                ocx_buf_puts(out, "\n\n");
        }
        if (cmd->examples) ocx_buf_printf(out, "%s Examples\n\n```\n%s\n```\n\n", h2, cmd->examples);
        if (cmd->subcommands) {
                ocx_buf_printf(out, "%s Subcommands\n\n| command | summary |\n|---|---|\n", h2);
                for (const cli_command *s = cmd->subcommands; s->name; s++)
                        if (!s->hidden) ocx_buf_printf(out, "| `%s %s` | %s |\n", path, s->name, s->summary);
                ocx_buf_puts(out, "\n");
        }
        if (cmd->flags && cmd->flags[0].name) {
                ocx_buf_printf(out, "%s Options\n\n| flag | default | meaning |\n|---|---|---|\n", h2);
                flag_lines(cmd->flags, out, true);
                ocx_buf_puts(out, "\n");
        }
        if (sub) return;
        ocx_buf_puts(out, "Global options (`--kubeconfig`, `--server`, `-n`, `--context`, "
                          "`--insecure-skip-tls-verify`, `--token`) apply too; see [options](options.md).\n");
}

static bool final_form(const char *m) {
        static const char *const prefixes[] = {"Error from server", "The ", "Unable to connect to the server",
                                               "error: ", "Edit cancelled", "A copy of"};
        for (size_t i = 0; i < OCX_ARRAY_SIZE(prefixes); i++)
                if (ocx_startswith(m, prefixes[i])) return true;
        return false;
}

int cli_print_error(const ocx_error *e) {
        const char *m = e && e->message ? e->message : "unknown error";
        size_t len = strlen(m);
        bool nl = len > 0 && m[len - 1] == '\n';
        fprintf(stderr, "%s%s%s", final_form(m) ? "" : "error: ", m, nl ? "" : "\n");
        return 1;
}

int cli_usage_error(const cli_invocation *inv, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        fputs("error: ", stderr);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fprintf(stderr, "\nSee '%s -h' for help and examples\n", inv->path ? inv->path : "ocx");
        return 1;
}
