/* Name validation with apimachinery's messages (pkg/util/validation), plus
 * random identifiers. */
#include "ocx/names.h"
#include <stdio.h>
#include <sys/random.h>
#include "ocx/buf.h"
#include "ocx/json.h"
#include "ocx/banned.h"

#define DNS1123_LABEL_FMT "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
#define DNS1123_LABEL_MSG                                                                          \
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "   \
        "and must start and end with an alphanumeric character"
#define DNS1123_SUBDOMAIN_FMT DNS1123_LABEL_FMT "(\\." DNS1123_LABEL_FMT ")*"
#define DNS1123_SUBDOMAIN_MSG                                                                      \
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' "  \
        "or '.', and must start and end with an alphanumeric character"
#define DNS1035_LABEL_FMT "[a-z]([-a-z0-9]*[a-z0-9])?"
#define DNS1035_LABEL_MSG                                                                          \
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with "  \
        "an alphabetic character, and end with an alphanumeric character"
#define QNAME_FMT "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
#define QNAME_MSG                                                                                  \
        "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with "   \
        "an alphanumeric character"
#define LABEL_VALUE_FMT "(" QNAME_FMT ")?"
#define LABEL_VALUE_MSG                                                                            \
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' "   \
        "or '.', and must start and end with an alphanumeric character"
#define TOTAL_ANNOTATION_SIZE_LIMIT (256 * 1024)

/* apimachinery RegexError, including its ",  or " between examples. */
static void regex_error(ocx_buf *b, const char *msg, const char *fmt, const char *const *examples, size_t n) {
        if (n == 0) {
                ocx_buf_printf(b, "%s (regex used for validation is '%s')", msg, fmt);
                return;
        }
        ocx_buf_printf(b, "%s (e.g. ", msg);
        for (size_t i = 0; i < n; i++) ocx_buf_printf(b, "%s'%s', ", i > 0 ? " or " : "", examples[i]);
        ocx_buf_printf(b, "regex used for validation is '%s')", fmt);
}

/* Messages are joined with "; " when there are several. */
static void sep(ocx_buf *b) {
        if (b->len) ocx_buf_puts(b, "; ");
}

static char *result(ocx_buf *b) {
        if (!b->len) {
                ocx_buf_release(b);
                return NULL;
        }
        return ocx_buf_detach(b, NULL);
}

static bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
static bool is_alnum(char c) { return is_lower_alnum(c) || (c >= 'A' && c <= 'Z'); }

static bool match_dns1123_label(const char *s, size_t n) {
        if (n == 0 || !is_lower_alnum(s[0]) || !is_lower_alnum(s[n - 1])) return false;
        for (size_t i = 0; i < n; i++)
                if (!is_lower_alnum(s[i]) && s[i] != '-') return false;
        return true;
}

static bool match_dns1123_subdomain(const char *s) {
        const char *p = s;
        for (;;) {
                const char *dot = strchr(p, '.');
                size_t n = dot ? (size_t)(dot - p) : strlen(p);
                if (!match_dns1123_label(p, n)) return false;
                if (!dot) return true;
                p = dot + 1;
        }
}

static bool match_qname(const char *s, size_t n) {
        if (n == 0 || !is_alnum(s[0]) || !is_alnum(s[n - 1])) return false;
        for (size_t i = 0; i < n; i++)
                if (!is_alnum(s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.') return false;
        return true;
}

static void max_len(ocx_buf *b, size_t len, size_t max) {
        if (len > max) {
                sep(b);
                ocx_buf_printf(b, "must be no more than %zu characters", max);
        }
}

char *ocx_validate_dns1123_label(const char *s) {
        static const char *const ex[] = {"my-name", "123-abc"};
        ocx_buf b = OCX_BUF_INIT;
        if (!s) s = "";
        max_len(&b, strlen(s), 63);
        if (!match_dns1123_label(s, strlen(s))) {
                sep(&b);
                regex_error(&b, DNS1123_LABEL_MSG, DNS1123_LABEL_FMT, ex, 2);
        }
        return result(&b);
}

static void subdomain_errors(ocx_buf *b, const char *s, const char *prefix) {
        static const char *const ex[] = {"example.com"};
        if (strlen(s) > 253) {
                sep(b);
                ocx_buf_printf(b, "%smust be no more than 253 characters", prefix);
        }
        if (!match_dns1123_subdomain(s)) {
                sep(b);
                ocx_buf_puts(b, prefix);
                regex_error(b, DNS1123_SUBDOMAIN_MSG, DNS1123_SUBDOMAIN_FMT, ex, 1);
        }
}

char *ocx_validate_dns1123_subdomain(const char *s) {
        ocx_buf b = OCX_BUF_INIT;
        subdomain_errors(&b, s ? s : "", "");
        return result(&b);
}

char *ocx_validate_dns1035_label(const char *s) {
        static const char *const ex[] = {"my-name", "abc-123"};
        ocx_buf b = OCX_BUF_INIT;
        if (!s) s = "";
        size_t n = strlen(s);
        max_len(&b, n, 63);
        if (!match_dns1123_label(s, n) || !(s[0] >= 'a' && s[0] <= 'z')) {
                sep(&b);
                regex_error(&b, DNS1035_LABEL_MSG, DNS1035_LABEL_FMT, ex, 2);
        }
        return result(&b);
}

char *ocx_validate_qualified_name(const char *s) {
        static const char *const ex[] = {"MyName", "my.name", "123-abc"};
        ocx_buf b = OCX_BUF_INIT;
        if (!s) s = "";
        const char *slash = strchr(s, '/');
        const char *name = s;
        if (slash && strchr(slash + 1, '/')) {
                ocx_buf_puts(&b, "a qualified name ");
                regex_error(&b, QNAME_MSG, QNAME_FMT, ex, 3);
                ocx_buf_puts(&b, " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
                return result(&b);
        }
        if (slash) {
                _cleanup_free_ char *prefix = ocx_xstrndup(s, (size_t)(slash - s));
                name = slash + 1;
                if (!*prefix) ocx_buf_puts(&b, "prefix part must be non-empty");
                else subdomain_errors(&b, prefix, "prefix part ");
        }
        size_t n = strlen(name);
        if (n == 0) {
                sep(&b);
                ocx_buf_puts(&b, "name part must be non-empty");
        } else if (n > 63) {
                sep(&b);
                ocx_buf_puts(&b, "name part must be no more than 63 characters");
        }
        if (!match_qname(name, n)) {
                sep(&b);
                ocx_buf_puts(&b, "name part ");
                regex_error(&b, QNAME_MSG, QNAME_FMT, ex, 3);
        }
        return result(&b);
}

char *ocx_validate_label_value(const char *s) {
        static const char *const ex[] = {"MyValue", "my_value", "12345"};
        ocx_buf b = OCX_BUF_INIT;
        if (!s) s = "";
        size_t n = strlen(s);
        max_len(&b, n, 63);
        if (n > 0 && !match_qname(s, n)) {
                sep(&b);
                regex_error(&b, LABEL_VALUE_MSG, LABEL_VALUE_FMT, ex, 3);
        }
        return result(&b);
}

/* Go's %q for the value in "Invalid value: ..." (printable ASCII kept, the rest escaped). */
static char *go_quote(const char *s) {
        ocx_buf b = OCX_BUF_INIT;
        ocx_buf_puts(&b, "\"");
        for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
                if (*p == '"' || *p == '\\') ocx_buf_printf(&b, "\\%c", *p);
                else if (*p == '\n') ocx_buf_puts(&b, "\\n");
                else if (*p == '\t') ocx_buf_puts(&b, "\\t");
                else if (*p < 0x20 || *p == 0x7f) ocx_buf_printf(&b, "\\x%02x", *p);
                else ocx_buf_append(&b, p, 1);
        }
        ocx_buf_puts(&b, "\"");
        return ocx_buf_detach(&b, NULL);
}

static int invalid(ocx_error **reterr, const char *field, const char *value, const char *msg) {
        _cleanup_free_ char *q = go_quote(value);
        return ocx_error_set(reterr, EINVAL, field, "Invalid value: %s: %s", q, msg);
}

static int check_string_map(const cJSON *m, const char *field, ocx_error **reterr) {
        if (!m || cJSON_IsNull(m)) return 0;
        if (!cJSON_IsObject(m)) return ocx_error_set(reterr, EINVAL, field, "must be an object of strings");
        for (const cJSON *c = m->child; c; c = c->next)
                if (!cJSON_IsString(c)) {
                        _cleanup_free_ char *f = ocx_xasprintf("%s.%s", field, c->string);
                        return ocx_error_set(reterr, EINVAL, f, "must be a string");
                }
        return 0;
}

int ocx_validate_labels_annotations(const cJSON *metadata, ocx_error **reterr) {
        const cJSON *labels = ocx_json_get(metadata, "labels");
        const cJSON *annotations = ocx_json_get(metadata, "annotations");
        int r = check_string_map(labels, "metadata.labels", reterr);
        if (r < 0) return r;
        r = check_string_map(annotations, "metadata.annotations", reterr);
        if (r < 0) return r;
        if (cJSON_IsObject(labels))
                for (const cJSON *c = labels->child; c; c = c->next) {
                        _cleanup_free_ char *km = ocx_validate_qualified_name(c->string);
                        if (km) return invalid(reterr, "metadata.labels", c->string, km);
                        _cleanup_free_ char *vm = ocx_validate_label_value(c->valuestring);
                        if (vm) return invalid(reterr, "metadata.labels", c->valuestring, vm);
                }
        if (cJSON_IsObject(annotations)) {
                size_t total = 0;
                for (const cJSON *c = annotations->child; c; c = c->next) {
                        /* upstream validates the lower-cased key */
                        _cleanup_free_ char *lower = ocx_xstrdup(c->string);
                        for (char *p = lower; *p; p++)
                                if (*p >= 'A' && *p <= 'Z') *p = (char)(*p - 'A' + 'a');
                        _cleanup_free_ char *km = ocx_validate_qualified_name(lower);
                        if (km) return invalid(reterr, "metadata.annotations", c->string, km);
                        total += strlen(c->string) + strlen(c->valuestring);
                }
                if (total > TOTAL_ANNOTATION_SIZE_LIMIT)
                        return ocx_error_set(reterr, EINVAL, "metadata.annotations",
                                             "Too long: must have at most %d bytes", TOTAL_ANNOTATION_SIZE_LIMIT);
        }
        return 0;
}

void ocx_random_bytes(void *buf, size_t n) {
        unsigned char *p = buf;
        while (n > 0) {
                ssize_t r = getrandom(p, n, 0);
                if (r < 0) {
                        if (errno == EINTR) continue;
                        abort();
                }
                p += r;
                n -= (size_t)r;
        }
}

void ocx_uuid4(char out[37]) {
        unsigned char u[16];
        ocx_random_bytes(u, sizeof(u));
        u[6] = (unsigned char)((u[6] & 0x0f) | 0x40);
        u[8] = (unsigned char)((u[8] & 0x3f) | 0x80);
        snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0], u[1], u[2],
                 u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
}
