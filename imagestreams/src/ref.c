/* ocx imagestreams — image reference parsing with Docker's normalisation. */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "imagestreams/ref.h"
#include "ocx/macro.h"
#include "ocx/banned.h"

#define NAME_MAX_LEN 255
#define TAG_MAX_LEN 128

void img_ref_release(img_ref *r) {
        if (!r) return;
        free(r->domain);
        free(r->path);
        free(r->tag);
        free(r->digest);
        memset(r, 0, sizeof(*r));
}

int img_digest_valid(const char *s) {
        if (!s || strncmp(s, "sha256:", 7) != 0) return 0;
        s += 7;
        size_t n = 0;
        for (; s[n]; n++)
                if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f'))) return 0;
        return n == 64;
}

static bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

/* one path component: [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)* */
static bool valid_component(const char *s, size_t n) {
        size_t i = 0;
        if (n == 0 || !is_lower_alnum(s[0])) return false;
        while (i < n) {
                while (i < n && is_lower_alnum(s[i])) i++;
                if (i == n) return true;
                size_t sep = i;
                if (s[i] == '.') {
                        i++;
                } else if (s[i] == '_') {
                        i++;
                        if (i < n && s[i] == '_') i++;
                } else if (s[i] == '-') {
                        while (i < n && s[i] == '-') i++;
                } else {
                        return false;
                }
                if (i == n || !is_lower_alnum(s[i]) || i == sep) return false;
        }
        return true;
}

/* domain: label(.label)*(:port)?, label [A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])? */
static bool valid_domain(const char *s, size_t n) {
        const char *colon = memchr(s, ':', n);
        size_t host_n = colon ? (size_t)(colon - s) : n;
        if (host_n == 0) return false;
        size_t i = 0;
        while (i < host_n) {
                size_t start = i;
                while (i < host_n && s[i] != '.') {
                        if (!isalnum((unsigned char)s[i]) && s[i] != '-') return false;
                        i++;
                }
                if (i == start || s[start] == '-' || s[i - 1] == '-') return false;
                if (i < host_n) {
                        i++; /* '.' */
                        if (i == host_n) return false;
                }
        }
        if (colon) {
                size_t p = host_n + 1;
                if (p == n || n - p > 5) return false;
                for (; p < n; p++)
                        if (!isdigit((unsigned char)s[p])) return false;
        }
        return true;
}

static bool valid_tag(const char *s) {
        size_t n = strlen(s);
        if (n == 0 || n > TAG_MAX_LEN) return false;
        if (!(isalnum((unsigned char)s[0]) || s[0] == '_')) return false;
        for (size_t i = 1; i < n; i++)
                if (!(isalnum((unsigned char)s[i]) || s[i] == '_' || s[i] == '.' || s[i] == '-')) return false;
        return true;
}

static bool is_hex64(const char *s) {
        size_t n = 0;
        for (; s[n]; n++)
                if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f'))) return false;
        return n == 64;
}

static int fail(ocx_error **reterr, const char *s, const char *why) {
        return ocx_error_set(reterr, EINVAL, NULL, "invalid reference format%s%s: '%s'", why ? ": " : "",
                             why ? why : "", s);
}

int img_ref_parse(const char *s, img_ref *ret, ocx_error **reterr) {
        memset(ret, 0, sizeof(*ret));
        if (!s || !*s) return ocx_error_set(reterr, EINVAL, NULL, "invalid reference format: empty reference");
        if (strlen(s) > 4096) return fail(reterr, "...", "reference too long");
        _cleanup_free_ char *work = ocx_xstrdup(s);
        char *at = strchr(work, '@');
        const char *digest = NULL;
        if (at) {
                *at = '\0';
                digest = at + 1;
                if (strncmp(digest, "sha256:", 7) != 0) {
                        if (strchr(digest, ':')) return fail(reterr, s, "unsupported digest algorithm");
                        return fail(reterr, s, NULL);
                }
                if (!img_digest_valid(digest)) return fail(reterr, s, "invalid checksum digest format");
        }
        char *last_slash = strrchr(work, '/');
        char *colon = strrchr(last_slash ? last_slash : work, ':');
        const char *tag = NULL;
        if (colon) {
                *colon = '\0';
                tag = colon + 1;
                if (!valid_tag(tag)) return fail(reterr, s, NULL);
        }
        const char *name = work;
        size_t name_len = strlen(name);
        if (name_len == 0) return fail(reterr, s, NULL);

        /* split the domain off */
        const char *slash = strchr(name, '/');
        const char *remainder = name;
        _cleanup_free_ char *domain = NULL;
        if (slash) {
                size_t dn = (size_t)(slash - name);
                bool lower = true;
                for (size_t i = 0; i < dn; i++)
                        if (isupper((unsigned char)name[i])) lower = false;
                bool is_domain = memchr(name, '.', dn) || memchr(name, ':', dn) ||
                                 (dn == 9 && strncmp(name, "localhost", 9) == 0) || !lower;
                if (is_domain) {
                        if (!valid_domain(name, dn)) return fail(reterr, s, NULL);
                        domain = ocx_xstrndup(name, dn);
                        remainder = slash + 1;
                }
        }
        if (!domain) domain = ocx_xstrdup("docker.io");
        if (strcmp(domain, "index.docker.io") == 0) {
                free(domain);
                domain = ocx_xstrdup("docker.io");
        }
        for (const char *p = remainder; *p; p++)
                if (isupper((unsigned char)*p)) return fail(reterr, s, "repository name must be lowercase");
        /* components */
        if (!*remainder) return fail(reterr, s, NULL);
        for (const char *p = remainder;;) {
                const char *e = strchr(p, '/');
                size_t n = e ? (size_t)(e - p) : strlen(p);
                if (!valid_component(p, n)) return fail(reterr, s, NULL);
                if (!e) break;
                p = e + 1;
        }
        _cleanup_free_ char *path = NULL;
        if (strcmp(domain, "docker.io") == 0 && !strchr(remainder, '/'))
                path = ocx_xasprintf("library/%s", remainder);
        else
                path = ocx_xstrdup(remainder);
        if (!slash && is_hex64(remainder) && !tag && !digest)
                return fail(reterr, s, "cannot specify 64-byte hexadecimal strings");
        if (strlen(domain) + 1 + strlen(path) > NAME_MAX_LEN)
                return fail(reterr, s, "repository name must not be more than 255 characters");

        ret->domain = TAKE_PTR(domain);
        ret->path = TAKE_PTR(path);
        ret->tag = tag ? ocx_xstrdup(tag) : digest ? NULL : ocx_xstrdup("latest");
        ret->digest = digest ? ocx_xstrdup(digest) : NULL;
        return 0;
}

char *img_ref_name(const img_ref *r) { return ocx_xasprintf("%s/%s", r->domain, r->path); }

char *img_ref_string(const img_ref *r) {
        return ocx_xasprintf("%s/%s%s%s%s%s", r->domain, r->path, r->tag ? ":" : "", r->tag ? r->tag : "",
                             r->digest ? "@" : "", r->digest ? r->digest : "");
}

char *img_ref_familiar(const img_ref *r) {
        if (strcmp(r->domain, "docker.io") != 0) return img_ref_string(r);
        const char *p = ocx_startswith(r->path, "library/") && !strchr(r->path + 8, '/') ? r->path + 8 : r->path;
        return ocx_xasprintf("%s%s%s%s%s", p, r->tag ? ":" : "", r->tag ? r->tag : "", r->digest ? "@" : "",
                             r->digest ? r->digest : "");
}

const char *img_ref_reference(const img_ref *r) { return r->digest ? r->digest : r->tag; }
