/* ocx adm htpasswd add|remove USER [-p PASS] [--base-dir DIR]: edits
 * BASE/htpasswd, the file of the cluster's htpasswd identity provider.
 * ocxd re-reads it when it changes. New entries are bcrypt ($2y$, cost 10)
 * through libxcrypt (-lcrypt). */
#include <crypt.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <termios.h>
#include "cli/cmds.h"
#include "ocx/buf.h"
#include "ocx/banned.h"

#define HTPASSWD_CAP ((size_t)4 << 20)
#define BCRYPT_COST 10

int cli_htpasswd_hash(const char *password, char **ret, ocx_error **reterr) {
        char salt[64];
        if (!crypt_gensalt_rn("$2y$", BCRYPT_COST, NULL, 0, salt, (int)sizeof(salt)))
                return ocx_error_set(reterr, EIO, NULL, "cannot generate a bcrypt salt: %s", strerror(errno));
        struct crypt_data *cd = ocx_xcalloc(1, sizeof(*cd));
        const char *h = crypt_r(password, salt, cd);
        int r = 0;
        if (!h || h[0] == '*')
                r = ocx_error_set(reterr, EIO, NULL, "bcrypt hashing failed");
        else
                *ret = ocx_xstrdup(h);
        explicit_bzero(cd, sizeof(*cd));
        free(cd);
        return r;
}

/* Rewrites path without the lines of user, then (when hash != NULL) with
 * "user:hash" appended. *ret_found: the user had a line. */
static int rewrite(const char *path, const char *user, const char *hash, bool *ret_found, ocx_error **reterr) {
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        int r = ocx_read_file(path, HTPASSWD_CAP, &text, &len);
        if (r < 0 && r != -ENOENT) return ocx_error_set(reterr, -r, NULL, "cannot read %s: %s", path, strerror(-r));
        ocx_buf b = OCX_BUF_INIT;
        size_t ul = strlen(user);
        *ret_found = false;
        for (char *line = text; line && *line;) {
                char *nl = strchr(line, '\n');
                size_t ll = nl ? (size_t)(nl - line) : strlen(line);
                if (ll > ul && strncmp(line, user, ul) == 0 && line[ul] == ':') {
                        *ret_found = true;
                } else if (ll > 0) {
                        ocx_buf_append(&b, line, ll);
                        ocx_buf_append(&b, "\n", 1);
                }
                line = nl ? nl + 1 : NULL;
        }
        if (hash) ocx_buf_printf(&b, "%s:%s\n", user, hash);
        r = ocx_write_file_atomic(path, b.data ? b.data : "", b.len, 0600);
        if (b.data) explicit_bzero(b.data, b.len);
        ocx_buf_release(&b);
        if (text) explicit_bzero(text, len);
        if (r < 0) return ocx_error_set(reterr, -r, NULL, "cannot write %s: %s", path, strerror(-r));
        return 0;
}

static int check_user(const char *user, ocx_error **reterr) {
        if (!*user || strlen(user) > 255 || strpbrk(user, ":\n\r\t /"))
                return ocx_error_set(reterr, EINVAL, NULL,
                                     "invalid user name '%s': 1-255 characters, no ':', '/' or whitespace", user);
        return 0;
}

int cli_htpasswd_set(const char *path, const char *user, const char *password, ocx_error **reterr) {
        int r = check_user(user, reterr);
        if (r < 0) return r;
        _cleanup_free_ char *hash = NULL;
        if ((r = cli_htpasswd_hash(password, &hash, reterr)) < 0) return r;
        bool found = false;
        return rewrite(path, user, hash, &found, reterr) < 0 ? -EIO : (found ? 1 : 0);
}

int cli_htpasswd_remove(const char *path, const char *user, ocx_error **reterr) {
        bool found = false;
        int r = rewrite(path, user, NULL, &found, reterr);
        if (r < 0) return r;
        if (!found) return ocx_error_set(reterr, ENOENT, NULL, "user \"%s\" not found in %s", user, path);
        return 0;
}

static char *prompt_password(void) {
        struct termios old, raw;
        fputs("Password: ", stderr);
        fflush(stderr);
        bool tty = tcgetattr(0, &old) == 0;
        if (tty) {
                raw = old;
                raw.c_lflag &= ~(tcflag_t)ECHO;
                tcsetattr(0, TCSAFLUSH, &raw);
        }
        char buf[1024];
        char *r = fgets(buf, sizeof(buf), stdin);
        if (tty) tcsetattr(0, TCSAFLUSH, &old);
        fputs("\n", stderr);
        if (!r) return NULL;
        buf[strcspn(buf, "\r\n")] = 0;
        char *p = ocx_xstrdup(buf);
        explicit_bzero(buf, sizeof(buf));
        return p;
}

int cli_run_adm_htpasswd(cli_invocation *inv) {
        if (inv->nargs != 2 || (!ocx_streq(inv->args[0], "add") && !ocx_streq(inv->args[0], "remove")))
                return cli_usage_error(inv, "expected 'add USER' or 'remove USER'");
        const char *base = cli_flag_str(inv, "base-dir");
        if (!base || !*base) base = "/var/lib/ocx";
        _cleanup_free_ char *path = ocx_xasprintf("%s/htpasswd", base);
        const char *user = inv->args[1];
        _cleanup_error_ ocx_error *e = NULL;
        if (ocx_streq(inv->args[0], "remove")) {
                if (cli_htpasswd_remove(path, user, &e) < 0) return cli_print_error(e);
                printf("Removed user \"%s\" from %s\n", user, path);
                return 0;
        }
        _cleanup_free_ char *pass = NULL;
        if (cli_flag_is_set(inv, "password")) {
                pass = ocx_xstrdup(cli_flag_str(inv, "password") ? cli_flag_str(inv, "password") : "");
        } else if (isatty(0)) {
                pass = prompt_password();
        }
        if (!pass) {
                fprintf(stderr, "error: a password is required: pass -p PASSWORD\n");
                return 1;
        }
        int r = cli_htpasswd_set(path, user, pass, &e);
        explicit_bzero(pass, strlen(pass));
        if (r < 0) return cli_print_error(e);
        printf("%s user \"%s\" in %s\n", r == 1 ? "Updated" : "Added", user, path);
        return 0;
}
