/* ocxd — the htpasswd identity provider: hash formats and the file cache.
 *
 * bcrypt goes through libxcrypt's crypt_r (-lcrypt). */
#include <crypt.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/stat.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include "auth/authn.h"
#include "ocx/encoding.h"
#include "ocx/buf.h"
#include "ocx/log.h"
#include "ocx/banned.h"

#define HTPASSWD_CAP ((size_t)4 << 20)
#define HTPASSWD_USER_MAX 255

/* ---- constant-time compare ------------------------------------------------------ */

static bool ct_equal(const void *a, size_t alen, const void *b, size_t blen) {
        const unsigned char *x = a, *y = b;
        unsigned char d = alen != blen;
        size_t n = alen < blen ? alen : blen;
        for (size_t i = 0; i < n; i++) d |= (unsigned char)(x[i] ^ y[i]);
        return d == 0;
}

/* ---- bcrypt via libcrypt ------------------------------------------------------- */

static int check_bcrypt(const char *hash, const char *password) {
        struct crypt_data *cd = ocx_xcalloc(1, sizeof(*cd));
        const char *out = crypt_r(password, hash, cd);
        bool ok = out && out[0] != '*' && ct_equal(out, strlen(out), hash, strlen(hash));
        explicit_bzero(cd, sizeof(*cd));
        free(cd);
        return ok ? 1 : 0;
}

/* ---- Apache MD5 ($apr1$) ------------------------------------------------------- */

static const char itoa64[] = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

static void to64(ocx_buf *b, unsigned v, int n) {
        while (n-- > 0) {
                char c = itoa64[v & 0x3f];
                ocx_buf_append(b, &c, 1);
                v >>= 6;
        }
}

static void md5_of(gnutls_hash_hd_t h, unsigned char out[16]) { gnutls_hash_output(h, out); }

char *authn_apr1(const char *password, const char *salt) {
        static const char magic[] = "$apr1$";
        size_t pl = strlen(password), sl = strcspn(salt, "$");
        if (sl > 8) sl = 8;
        unsigned char fin[16];
        gnutls_hash_hd_t h = NULL, alt = NULL;
        if (gnutls_hash_init(&h, GNUTLS_DIG_MD5) < 0 || gnutls_hash_init(&alt, GNUTLS_DIG_MD5) < 0) abort();
        gnutls_hash(h, password, pl);
        gnutls_hash(h, magic, strlen(magic));
        gnutls_hash(h, salt, sl);
        gnutls_hash(alt, password, pl);
        gnutls_hash(alt, salt, sl);
        gnutls_hash(alt, password, pl);
        md5_of(alt, fin);
        for (ssize_t n = (ssize_t)pl; n > 0; n -= 16) gnutls_hash(h, fin, n > 16 ? 16 : (size_t)n);
        memset(fin, 0, sizeof(fin));
        for (size_t i = pl; i; i >>= 1) gnutls_hash(h, (i & 1) ? (const void *)fin : (const void *)password, 1);
        md5_of(h, fin);
        for (int i = 0; i < 1000; i++) {
                if (i & 1)
                        gnutls_hash(alt, password, pl);
                else
                        gnutls_hash(alt, fin, 16);
                if (i % 3) gnutls_hash(alt, salt, sl);
                if (i % 7) gnutls_hash(alt, password, pl);
                if (i & 1)
                        gnutls_hash(alt, fin, 16);
                else
                        gnutls_hash(alt, password, pl);
                md5_of(alt, fin);
        }
        gnutls_hash_deinit(h, NULL);
        gnutls_hash_deinit(alt, NULL);
        ocx_buf b = OCX_BUF_INIT;
        ocx_buf_printf(&b, "%s%.*s$", magic, (int)sl, salt);
        to64(&b, ((unsigned)fin[0] << 16) | ((unsigned)fin[6] << 8) | fin[12], 4);
        to64(&b, ((unsigned)fin[1] << 16) | ((unsigned)fin[7] << 8) | fin[13], 4);
        to64(&b, ((unsigned)fin[2] << 16) | ((unsigned)fin[8] << 8) | fin[14], 4);
        to64(&b, ((unsigned)fin[3] << 16) | ((unsigned)fin[9] << 8) | fin[15], 4);
        to64(&b, ((unsigned)fin[4] << 16) | ((unsigned)fin[10] << 8) | fin[5], 4);
        to64(&b, fin[11], 2);
        explicit_bzero(fin, sizeof(fin));
        return ocx_buf_detach(&b, NULL);
}

static int check_apr1(const char *hash, const char *password) {
        const char *salt = hash + 6;
        if (!strchr(salt, '$')) return -EINVAL;
        _cleanup_free_ char *mine = authn_apr1(password, salt);
        return ct_equal(mine, strlen(mine), hash, strlen(hash)) ? 1 : 0;
}

/* ---- {SHA} ------------------------------------------------------------------ */

static int check_sha(const char *hash, const char *password) {
        unsigned char d[20];
        if (gnutls_hash_fast(GNUTLS_DIG_SHA1, password, strlen(password), d) < 0) return -EIO;
        _cleanup_free_ char *mine = ocx_base64_encode(d, sizeof(d), 0);
        const char *want = hash + 5;
        return ct_equal(mine, strlen(mine), want, strlen(want)) ? 1 : 0;
}

static bool is_crypt_des(const char *hash) {
        if (strlen(hash) != 13) return false;
        for (const char *p = hash; *p; p++)
                if (!strchr(itoa64, *p)) return false;
        return true;
}

int authn_htpasswd_check(const char *hash, const char *password) {
        if (!hash || !password) return -EINVAL;
        if (ocx_startswith(hash, "$2y$") || ocx_startswith(hash, "$2a$") || ocx_startswith(hash, "$2b$"))
                return check_bcrypt(hash, password);
        if (ocx_startswith(hash, "$apr1$")) return check_apr1(hash, password);
        if (ocx_startswith(hash, "{SHA}")) return check_sha(hash, password);
        if (is_crypt_des(hash)) return -ENOTSUP;
        return -EINVAL;
}

/* ---- the file ----------------------------------------------------------------- */

typedef struct htpasswd_cache {
        char *path;
        struct timespec mtime;
        off_t size;
        ino_t ino;
        char *text; /* "user:hash" lines, modified in place: ':' and '\n' -> NUL */
        char **users, **hashes;
        size_t n;
} htpasswd_cache;

static htpasswd_cache cache;
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;

static void cache_clear(void) {
        if (cache.text) explicit_bzero(cache.text, strlen(cache.text));
        free(cache.text);
        free(cache.users);
        free(cache.hashes);
        free(cache.path);
        memset(&cache, 0, sizeof(cache));
}

static int cache_load(const char *path, const struct stat *st) {
        char *text = NULL;
        size_t len = 0;
        int r = ocx_read_file(path, HTPASSWD_CAP, &text, &len);
        if (r < 0) return r;
        cache_clear();
        cache.path = ocx_xstrdup(path);
        cache.mtime = st->st_mtim;
        cache.size = st->st_size;
        cache.ino = st->st_ino;
        cache.text = text;
        size_t cap = 16;
        cache.users = ocx_xcalloc(cap, sizeof(char *));
        cache.hashes = ocx_xcalloc(cap, sizeof(char *));
        for (char *line = text; line && *line;) {
                char *nl = strchr(line, '\n');
                if (nl) *nl = 0;
                size_t ll = strlen(line);
                if (ll && line[ll - 1] == '\r') line[--ll] = 0;
                char *colon = strchr(line, ':');
                if (colon && colon != line && (size_t)(colon - line) <= HTPASSWD_USER_MAX && line[0] != '#') {
                        *colon = 0;
                        if (cache.n == cap) {
                                cap *= 2;
                                cache.users = ocx_xrealloc(cache.users, cap * sizeof(char *));
                                cache.hashes = ocx_xrealloc(cache.hashes, cap * sizeof(char *));
                        }
                        cache.users[cache.n] = line;
                        cache.hashes[cache.n] = colon + 1;
                        cache.n++;
                }
                line = nl ? nl + 1 : NULL;
        }
        return 0;
}

int authn_htpasswd_verify(const char *path, const char *user, const char *password) {
        if (!user || !*user || strchr(user, ':') || strlen(user) > HTPASSWD_USER_MAX || !password) return -EPERM;
        struct stat st;
        if (stat(path, &st) < 0) return -ENOENT;
        pthread_mutex_lock(&cache_lock);
        int r = 0;
        if (!cache.path || strcmp(cache.path, path) != 0 || cache.mtime.tv_sec != st.st_mtim.tv_sec ||
            cache.mtime.tv_nsec != st.st_mtim.tv_nsec || cache.size != st.st_size || cache.ino != st.st_ino)
                r = cache_load(path, &st);
        _cleanup_free_ char *hash = NULL;
        if (r >= 0) /* the last line for a user wins */
                for (size_t i = cache.n; i > 0; i--)
                        if (strcmp(cache.users[i - 1], user) == 0) {
                                hash = ocx_xstrdup(cache.hashes[i - 1]);
                                break;
                        }
        pthread_mutex_unlock(&cache_lock);
        if (r < 0) return r == -ENOENT ? -ENOENT : -EPERM;
        if (!hash) {
                /* same work as a real check, so unknown users are not faster */
                (void)authn_htpasswd_check("$apr1$ocxdummy$0000000000000000000000", password);
                return -EPERM;
        }
        int m = authn_htpasswd_check(hash, password);
        if (m == -ENOTSUP) log_warn("htpasswd: user '%s' has a crypt(3) DES hash, which is not accepted", user);
        explicit_bzero(hash, strlen(hash));
        return m == 1 ? 0 : -EPERM;
}
