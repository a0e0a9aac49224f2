/* ocx imagestreams — image config blob parsing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "imagestreams/image.h"
#include "ocx/json.h"
#include "ocx/macro.h"
#include "ocx/banned.h"

#define MAX_ITEMS 4096

static void strv_free(char **v) {
        if (!v) return;
        for (char **p = v; *p; p++) free(*p);
        free(v);
}

void img_config_release(img_config *c) {
        if (!c) return;
        free(c->architecture);
        free(c->os);
        free(c->user);
        free(c->working_dir);
        strv_free(c->env);
        strv_free(c->entrypoint);
        strv_free(c->cmd);
        free(c->ports);
        for (size_t i = 0; i < c->n_labels; i++) {
                free(c->labels[i].key);
                free(c->labels[i].value);
        }
        free(c->labels);
        memset(c, 0, sizeof(*c));
}

/* array of strings or null → NULL-terminated vector */
static int strv_from(const cJSON *j, const char *field, char ***ret, ocx_error **reterr) {
        *ret = NULL;
        if (!j || cJSON_IsNull(j)) return 0;
        if (!cJSON_IsArray(j)) return ocx_error_set(reterr, EINVAL, field, "%s: expected an array of strings", field);
        int n = cJSON_GetArraySize(j);
        if (n > MAX_ITEMS) return ocx_error_set(reterr, E2BIG, field, "%s: too many items", field);
        char **v = ocx_xcalloc((size_t)n + 1, sizeof(char *));
        int i = 0;
        const cJSON *it;
        cJSON_ArrayForEach(it, j) {
                if (!cJSON_IsString(it)) {
                        strv_free(v);
                        return ocx_error_set(reterr, EINVAL, field, "%s[%d]: expected a string", field, i);
                }
                v[i++] = ocx_xstrdup(it->valuestring);
        }
        *ret = v;
        return 0;
}

static int opt_str(const cJSON *obj, const char *key, const char *field, char **ret, ocx_error **reterr) {
        const cJSON *j = ocx_json_get(obj, key);
        *ret = NULL;
        if (!j || cJSON_IsNull(j)) return 0;
        if (!cJSON_IsString(j)) return ocx_error_set(reterr, EINVAL, field, "%s: expected a string", field);
        if (*j->valuestring) *ret = ocx_xstrdup(j->valuestring);
        return 0;
}

static int cmp_port(const void *a, const void *b) {
        const img_port *x = a, *y = b;
        if (x->port != y->port) return x->port < y->port ? -1 : 1;
        return strcmp(x->proto, y->proto);
}

static int cmp_label(const void *a, const void *b) {
        return strcmp(((const img_label *)a)->key, ((const img_label *)b)->key);
}

/* "8080/tcp", "53/udp", "80" */
static int parse_port(const char *s, img_port *ret) {
        char *end = NULL;
        errno = 0;
        long p = strtol(s, &end, 10);
        if (errno || end == s || p < 1 || p > 65535 || *s == '+' || *s == '-' || *s == ' ') return -EINVAL;
        const char *proto = "tcp";
        if (*end == '/') {
                proto = end + 1;
                if (strcmp(proto, "tcp") != 0 && strcmp(proto, "udp") != 0 && strcmp(proto, "sctp") != 0)
                        return -EINVAL;
        } else if (*end) {
                return -EINVAL;
        }
        ret->port = (int)p;
        snprintf(ret->proto, sizeof(ret->proto), "%s", proto);
        return 0;
}

static int parse_section(const cJSON *cfg, img_config *c, ocx_error **reterr) {
        int r;
        if ((r = opt_str(cfg, "User", "config.User", &c->user, reterr)) < 0) return r;
        if ((r = opt_str(cfg, "WorkingDir", "config.WorkingDir", &c->working_dir, reterr)) < 0) return r;
        if ((r = strv_from(ocx_json_get(cfg, "Env"), "config.Env", &c->env, reterr)) < 0) return r;
        if ((r = strv_from(ocx_json_get(cfg, "Entrypoint"), "config.Entrypoint", &c->entrypoint, reterr)) < 0) return r;
        if ((r = strv_from(ocx_json_get(cfg, "Cmd"), "config.Cmd", &c->cmd, reterr)) < 0) return r;
        if (c->env)
                for (char **e = c->env; *e; e++)
                        if (!strchr(*e, '=') || **e == '=')
                                return ocx_error_set(reterr, EINVAL, "config.Env", "config.Env: invalid entry '%s'",
                                                     *e);

        const cJSON *ports = ocx_json_get(cfg, "ExposedPorts");
        if (ports && !cJSON_IsNull(ports)) {
                if (!cJSON_IsObject(ports))
                        return ocx_error_set(reterr, EINVAL, "config.ExposedPorts",
                                             "config.ExposedPorts: expected an object");
                int n = cJSON_GetArraySize(ports);
                if (n > MAX_ITEMS)
                        return ocx_error_set(reterr, E2BIG, "config.ExposedPorts",
                                             "config.ExposedPorts: too many ports");
                c->ports = ocx_xcalloc((size_t)n + 1, sizeof(img_port));
                const cJSON *it;
                cJSON_ArrayForEach(it, ports) {
                        if (parse_port(it->string, &c->ports[c->n_ports]) < 0)
                                return ocx_error_set(reterr, EINVAL, "config.ExposedPorts",
                                                     "config.ExposedPorts: invalid port '%s'", it->string);
                        c->n_ports++;
                }
                qsort(c->ports, c->n_ports, sizeof(img_port), cmp_port);
        }
        const cJSON *labels = ocx_json_get(cfg, "Labels");
        if (labels && !cJSON_IsNull(labels)) {
                if (!cJSON_IsObject(labels))
                        return ocx_error_set(reterr, EINVAL, "config.Labels", "config.Labels: expected an object");
                int n = cJSON_GetArraySize(labels);
                if (n > MAX_ITEMS)
                        return ocx_error_set(reterr, E2BIG, "config.Labels", "config.Labels: too many labels");
                c->labels = ocx_xcalloc((size_t)n + 1, sizeof(img_label));
                const cJSON *it;
                cJSON_ArrayForEach(it, labels) {
                        if (!cJSON_IsString(it))
                                return ocx_error_set(reterr, EINVAL, "config.Labels",
                                                     "config.Labels: value of '%s' is not a string", it->string);
                        c->labels[c->n_labels].key = ocx_xstrdup(it->string);
                        c->labels[c->n_labels].value = ocx_xstrdup(it->valuestring);
                        c->n_labels++;
                }
                qsort(c->labels, c->n_labels, sizeof(img_label), cmp_label);
        }
        return 0;
}

int img_config_parse(const char *json, size_t len, img_config *ret, ocx_error **reterr) {
        memset(ret, 0, sizeof(*ret));
        _cleanup_json_ cJSON *j = NULL;
        int r = ocx_json_parse(json, len, &j, reterr);
        if (r < 0) return r;
        if (!cJSON_IsObject(j)) return ocx_error_set(reterr, EINVAL, NULL, "image config: expected an object");
        img_config c = {0};
        if ((r = opt_str(j, "architecture", "architecture", &c.architecture, reterr)) < 0 ||
            (r = opt_str(j, "os", "os", &c.os, reterr)) < 0) {
                img_config_release(&c);
                return r;
        }
        const cJSON *cfg = ocx_json_get(j, "config");
        if (cfg && !cJSON_IsNull(cfg)) {
                if (!cJSON_IsObject(cfg)) {
                        img_config_release(&c);
                        return ocx_error_set(reterr, EINVAL, "config", "config: expected an object");
                }
                if ((r = parse_section(cfg, &c, reterr)) < 0) {
                        img_config_release(&c);
                        return r;
                }
        }
        *ret = c;
        return 0;
}
