/* ocx — edit file helpers (see cli/edit.h). */
#include "cli/edit.h"
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "ocx/buf.h"
#include "ocx/macro.h"
#include "ocx/banned.h"

char *cli_edit_strip_comments(const char *text) {
        ocx_buf b = OCX_BUF_INIT;
        const char *p = text;
        while (*p) {
                const char *e = strchr(p, '\n');
                size_t n = e ? (size_t)(e - p + 1) : strlen(p);
                const char *q = p;
                while (q < p + n && (*q == ' ' || *q == '\t')) q++;
                if (*q != '#') ocx_buf_append(&b, p, n);
                p += n;
        }
        return ocx_buf_detach(&b, NULL);
}

bool cli_edit_is_blank(const char *text) {
        _cleanup_free_ char *s = cli_edit_strip_comments(text);
        for (const char *p = s; *p; p++)
                if (!isspace((unsigned char)*p)) return false;
        return true;
}

char *cli_edit_compose(const char *errors, const char *body) {
        ocx_buf b = OCX_BUF_INIT;
        ocx_buf_puts(&b, CLI_EDIT_HEADER);
        if (errors && *errors) {
                const char *p = errors;
                while (*p) {
                        const char *e = strchr(p, '\n');
                        size_t n = e ? (size_t)(e - p) : strlen(p);
                        ocx_buf_printf(&b, "# %.*s\n", (int)n, p);
                        p += n + (e ? 1 : 0);
                }
                ocx_buf_puts(&b, "#\n");
        }
        ocx_buf_puts(&b, body);
        return ocx_buf_detach(&b, NULL);
}

const char *cli_editor_name(void) {
        static const char *const vars[] = {"OC_EDITOR", "KUBE_EDITOR", "EDITOR"};
        for (size_t i = 0; i < OCX_ARRAY_SIZE(vars); i++) {
                const char *v = getenv(vars[i]);
                if (v && *v) return v;
        }
        return "vi";
}

char **cli_editor_argv(const char *editor, const char *file) {
        char **v = ocx_xcalloc(strlen(editor) + 4, sizeof(char *));
        size_t n = 0;
        if (!strchr(editor, ' ')) {
                v[n++] = ocx_xstrdup(editor);
        } else if (!strpbrk(editor, "\"'\\")) {
                const char *p = editor;
                while (*p) {
                        while (*p == ' ') p++;
                        if (!*p) break;
                        size_t l = strcspn(p, " ");
                        v[n++] = ocx_xstrndup(p, l);
                        p += l;
                }
        } else {
                const char *sh = getenv("SHELL");
                v[n++] = ocx_xstrdup(sh && *sh ? sh : "/bin/bash");
                v[n++] = ocx_xstrdup("-c");
                v[n++] = ocx_xasprintf("%s \"%s\"", editor, file);
                v[n] = NULL;
                return v;
        }
        v[n++] = ocx_xstrdup(file);
        v[n] = NULL;
        return v;
}
