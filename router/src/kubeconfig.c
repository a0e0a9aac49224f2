/* ocx-router — the part of a kubeconfig the router needs: the current
 * context's server, CA and credentials, into an ocx_http_config. */
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include "rt.h"
#include "ocx/json.h"
#include "ocx/macro.h"
#include "ocx/yaml.h"
#include "ocx/banned.h"

int rt_kubeconfig_load(const char *path, ocx_http_config *cfg, ocx_error **reterr);

static const cJSON *named(const cJSON *list, const char *name, const char *member) {
        const cJSON *it;
        cJSON_ArrayForEach(it, list) if (ocx_streq(ocx_json_get_str(it, "name"), name)) return ocx_json_get(it, member);
        return NULL;
}

static char *b64(const char *s) {
        size_t n = strlen(s);
        char *out = ocx_xmalloc(n / 4 * 3 + 4);
        int r = EVP_DecodeBlock((unsigned char *)out, (const unsigned char *)s, (int)n);
        if (r < 0) {
                free(out);
                return NULL;
        }
        while (n > 0 && s[n - 1] == '=') n--, r--; /* EVP_DecodeBlock counts padding */
        out[r] = '\0';
        return out;
}

static void set(char **dst, const char *v) {
        if (v && *v) free(*dst), *dst = ocx_xstrdup(v);
}

int rt_kubeconfig_load(const char *path, ocx_http_config *cfg, ocx_error **reterr) {
        _cleanup_free_ char *data = NULL;
        _cleanup_json_ cJSON *docs = NULL;
        size_t len;
        int r = ocx_read_file(path, 16u << 20, &data, &len);
        if (r < 0) return ocx_error_set(reterr, -r, NULL, "kubeconfig '%s': %s", path, strerror(-r));
        r = ocx_yaml_parse_stream(data, len, &docs, reterr);
        if (r < 0) return ocx_error_wrap(reterr, "kubeconfig '%s'", path);
        const cJSON *kc = cJSON_GetArrayItem(docs, 0);
        const char *cur = ocx_json_get_str(kc, "current-context");
        const cJSON *ctx = named(ocx_json_get(kc, "contexts"), cur, "context");
        if (!ctx) return ocx_error_set(reterr, EINVAL, NULL, "kubeconfig '%s': no current context", path);
        const cJSON *cl = named(ocx_json_get(kc, "clusters"), ocx_json_get_str(ctx, "cluster"), "cluster");
        const cJSON *user = named(ocx_json_get(kc, "users"), ocx_json_get_str(ctx, "user"), "user");
        if (!cl) return ocx_error_set(reterr, EINVAL, NULL, "kubeconfig '%s': no cluster for the current context", path);
        set(&cfg->server, ocx_json_get_str(cl, "server"));
        if (ocx_json_get_bool(cl, "insecure-skip-tls-verify", false)) cfg->insecure = true;
        set(&cfg->ca_file, ocx_json_get_str(cl, "certificate-authority"));
        const char *d;
        if ((d = ocx_json_get_str(cl, "certificate-authority-data"))) free(cfg->ca_pem), cfg->ca_pem = b64(d);
        set(&cfg->token, ocx_json_get_str(user, "token"));
        set(&cfg->cert_file, ocx_json_get_str(user, "client-certificate"));
        set(&cfg->key_file, ocx_json_get_str(user, "client-key"));
        if ((d = ocx_json_get_str(user, "client-certificate-data"))) free(cfg->cert_pem), cfg->cert_pem = b64(d);
        if ((d = ocx_json_get_str(user, "client-key-data"))) free(cfg->key_pem), cfg->key_pem = b64(d);
        if (cfg->server) {
                size_t n = strlen(cfg->server);
                while (n > 0 && cfg->server[n - 1] == '/') cfg->server[--n] = '\0';
        }
        return 0;
}
