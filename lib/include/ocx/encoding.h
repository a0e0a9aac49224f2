/* ocx — byte encodings shared by every component: base64 (standard and
 * URL-safe alphabets, with or without padding) and URL query encoding. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

enum {
        OCX_B64_URL = 1 << 0,   /* '-' and '_' instead of '+' and '/' */
        OCX_B64_NOPAD = 1 << 1, /* no trailing '=' */
};

/* Encodes len bytes; returns a NUL-terminated heap string (never NULL). */
char *ocx_base64_encode(const void *data, size_t len, unsigned flags);
/* Decodes n characters of either alphabet, with or without padding. With
 * lenient, characters outside the alphabet (whitespace, line breaks) are
 * skipped; otherwise they are -EINVAL. *ret is NUL terminated (caller frees). */
int ocx_base64_decode(const char *s, size_t n, bool lenient, unsigned char **ret, size_t *ret_len);
/* Percent-encodes everything but RFC 3986 unreserved characters. */
char *ocx_urlencode(const char *s);
