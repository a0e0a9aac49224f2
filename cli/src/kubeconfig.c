/* ocx — kubeconfig load/merge/save and oc's naming (see cli/kubeconfig.h). */
#include "cli/kubeconfig.h"
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include "ocx/encoding.h"
#include "ocx/json.h"
#include "ocx/yaml.h"
#include "ocx/banned.h"

#define KUBECONFIG_CAP ((size_t)16 << 20)

static const char *const list_keys[] = {"clusters", "contexts", "users"};

static cJSON *empty_doc(void) {
        cJSON *d = cJSON_CreateObject();
        cJSON_AddStringToObject(d, "apiVersion", "v1");
        cJSON_AddItemToObject(d, "clusters", cJSON_CreateArray());
        cJSON_AddItemToObject(d, "contexts", cJSON_CreateArray());
        cJSON_AddStringToObject(d, "current-context", "");
        cJSON_AddStringToObject(d, "kind", "Config");
        cJSON_AddItemToObject(d, "preferences", cJSON_CreateObject());
        cJSON_AddItemToObject(d, "users", cJSON_CreateArray());
        return d;
}

static cJSON *find_named(const cJSON *list, const char *name) {
        cJSON *e;
        cJSON_ArrayForEach(e, list) if (ocx_streq(ocx_json_get_str(e, "name"), name)) return e;
        return NULL;
}

/* Reads one file; -ENOENT when missing. Relative paths of file references
 * (certificate-authority, client-certificate, client-key) are made absolute. */
static int load_file(const char *path, cJSON **ret, ocx_error **reterr) {
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        int r = ocx_read_file(path, KUBECONFIG_CAP, &text, &len);
        if (r == -ENOENT) return r;
        if (r < 0) return ocx_error_set(reterr, -r, NULL, "cannot read %s: %s", path, strerror(-r));
        _cleanup_json_ cJSON *docs = NULL;
        r = ocx_yaml_parse_stream(text, len, &docs, reterr);
        if (r < 0) return ocx_error_wrap(reterr, "error loading config file \"%s\"", path);
        cJSON *doc = cJSON_GetArrayItem(docs, 0);
        if (!doc) {
                *ret = empty_doc();
                return 0;
        }
        if (!cJSON_IsObject(doc))
                return ocx_error_set(reterr, EINVAL, NULL, "error loading config file \"%s\": not a mapping", path);
        doc = cJSON_DetachItemFromArray(docs, 0);
        _cleanup_free_ char *pcopy = ocx_xstrdup(path);
        const char *dir = dirname(pcopy);
        static const struct {
                const char *list, *inner, *key;
        } refs[] = {{"clusters", "cluster", "certificate-authority"},
                    {"users", "user", "client-certificate"},
                    {"users", "user", "client-key"}};
        for (size_t i = 0; i < OCX_ARRAY_SIZE(refs); i++) {
                cJSON *e;
                cJSON_ArrayForEach(e, ocx_json_get(doc, refs[i].list)) {
                        cJSON *in = ocx_json_get(e, refs[i].inner);
                        const char *f = ocx_json_get_str(in, refs[i].key);
                        if (f && *f && f[0] != '/') {
                                _cleanup_free_ char *abs = ocx_xasprintf("%s/%s", dir, f);
                                ocx_json_set_str(in, refs[i].key, abs);
                        }
                }
        }
        for (size_t i = 0; i < OCX_ARRAY_SIZE(list_keys); i++)
                if (!cJSON_IsArray(ocx_json_get(doc, list_keys[i])))
                        ocx_json_set(doc, list_keys[i], cJSON_CreateArray());
        *ret = doc;
        return 0;
}

/* first file that defines a name wins; current-context = first non-empty */
static void merge_into(cJSON *dst, const cJSON *src) {
        for (size_t i = 0; i < OCX_ARRAY_SIZE(list_keys); i++) {
                cJSON *dl = ocx_json_get(dst, list_keys[i]);
                const cJSON *e;
                cJSON_ArrayForEach(e, ocx_json_get(src, list_keys[i])) {
                        const char *n = ocx_json_get_str(e, "name");
                        if (n && !find_named(dl, n)) cJSON_AddItemToArray(dl, cJSON_Duplicate(e, true));
                }
        }
        const char *cur = ocx_json_get_str(dst, "current-context");
        const char *scur = ocx_json_get_str(src, "current-context");
        if ((!cur || !*cur) && scur && *scur) ocx_json_set_str(dst, "current-context", scur);
}

int cli_kubeconfig_load(const char *explicit_path, cli_kubeconfig *ret, ocx_error **reterr) {
        memset(ret, 0, sizeof(*ret));
        cJSON *doc = empty_doc();
        if (explicit_path && *explicit_path) {
                cJSON *f = NULL;
                int r = load_file(explicit_path, &f, reterr);
                if (r < 0 && r != -ENOENT) {
                        cJSON_Delete(doc);
                        return r;
                }
                if (f) merge_into(doc, f);
                cJSON_Delete(f);
                ret->path = ocx_xstrdup(explicit_path);
                ret->doc = doc;
                return 0;
        }
        const char *env = getenv("KUBECONFIG");
        if (env && *env) {
                _cleanup_free_ char *copy = ocx_xstrdup(env);
                char *save = NULL, *first_existing = NULL, *last = NULL;
                size_t count = 0;
                for (char *p = strtok_r(copy, ":", &save); p; p = strtok_r(NULL, ":", &save)) {
                        if (!*p) continue;
                        count++;
                        last = p;
                        cJSON *f = NULL;
                        int r = load_file(p, &f, reterr);
                        if (r == -ENOENT) continue;
                        if (r < 0) {
                                cJSON_Delete(doc);
                                return r;
                        }
                        if (!first_existing) first_existing = p;
                        merge_into(doc, f);
                        cJSON_Delete(f);
                }
                if (count > 0) {
                        ret->path = ocx_xstrdup(count == 1 ? last : first_existing ? first_existing : last);
                        ret->doc = doc;
                        return 0;
                }
        }
        const char *home = getenv("HOME");
        ret->path = ocx_xasprintf("%s/.kube/config", home && *home ? home : "/root");
        cJSON *f = NULL;
        int r = load_file(ret->path, &f, reterr);
        if (r < 0 && r != -ENOENT) {
                cJSON_Delete(doc);
                free(ret->path);
                ret->path = NULL;
                return r;
        }
        if (f) merge_into(doc, f);
        cJSON_Delete(f);
        ret->doc = doc;
        return 0;
}

void cli_kubeconfig_release(cli_kubeconfig *kc) {
        if (!kc) return;
        cJSON_Delete(kc->doc);
        free(kc->path);
        kc->doc = NULL;
        kc->path = NULL;
}

static int cmp_by_name(const void *a, const void *b) {
        const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;
        const char *nx = ocx_json_get_str(x, "name"), *ny = ocx_json_get_str(y, "name");
        return strcmp(nx ? nx : "", ny ? ny : "");
}

static void sort_list(cJSON *list) {
        int n = cJSON_GetArraySize(list);
        if (n < 2) return;
        cJSON **v = ocx_xcalloc((size_t)n, sizeof(cJSON *));
        for (int i = n - 1; i >= 0; i--) v[i] = cJSON_DetachItemFromArray(list, i);
        qsort(v, (size_t)n, sizeof(cJSON *), cmp_by_name);
        for (int i = 0; i < n; i++) cJSON_AddItemToArray(list, v[i]);
        free(v);
}

static int mkdir_parents(const char *path) {
        _cleanup_free_ char *dir = ocx_xstrdup(path);
        char *slash = strrchr(dir, '/');
        if (!slash || slash == dir) return 0;
        *slash = 0;
        for (char *p = dir + 1; *p; p++) {
                if (*p != '/') continue;
                *p = 0;
                if (mkdir(dir, 0755) < 0 && errno != EEXIST) return -errno;
                *p = '/';
        }
        if (mkdir(dir, 0755) < 0 && errno != EEXIST) return -errno;
        return 0;
}

int cli_kubeconfig_save(const cli_kubeconfig *kc, ocx_error **reterr) {
        for (size_t i = 0; i < OCX_ARRAY_SIZE(list_keys); i++) sort_list(ocx_json_get(kc->doc, list_keys[i]));
        int r = mkdir_parents(kc->path);
        if (r < 0) return ocx_error_set(reterr, -r, NULL, "cannot create the directory of %s: %s", kc->path, strerror(-r));
        _cleanup_free_ char *lock = ocx_xasprintf("%s.lock", kc->path);
        int fd = -1;
        for (int tries = 0; tries < 50; tries++) {
                fd = open(lock, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
                if (fd >= 0 || errno != EEXIST) break;
                struct timespec ts = {0, 100 * 1000 * 1000};
                nanosleep(&ts, NULL);
        }
        if (fd < 0)
                return ocx_error_set(reterr, errno, NULL, "cannot lock %s: %s", kc->path, strerror(errno));
        close(fd);
        ocx_buf b = OCX_BUF_INIT;
        r = ocx_yaml_write(&b, kc->doc);
        if (r >= 0) r = ocx_write_file_atomic(kc->path, b.data ? b.data : "", b.len, 0600);
        ocx_buf_release(&b);
        unlink(lock);
        if (r < 0) return ocx_error_set(reterr, -r, NULL, "cannot write %s: %s", kc->path, strerror(-r));
        return 0;
}

char *cli_cluster_nick(const char *server) {
        const char *p = strstr(server, "://");
        bool http = ocx_startswith(server, "http://");
        p = p ? p + 3 : server;
        size_t n = strcspn(p, "/?#");
        _cleanup_free_ char *hp = ocx_xstrndup(p, n);
        const char *close_br = strchr(hp, ']');
        const char *colon = strrchr(close_br ? close_br : hp, ':');
        char *r = colon ? ocx_xstrdup(hp) : ocx_xasprintf("%s:%s", hp, http ? "80" : "443");
        for (char *q = r; *q; q++)
                if (*q == '.') *q = '-';
        return r;
}

static void upsert(cJSON *list, const char *name, const char *inner_key, const cJSON *inner) {
        cJSON *e = find_named(list, name);
        if (!e) {
                e = cJSON_CreateObject();
                cJSON_AddItemToArray(list, e);
        }
        ocx_json_set(e, inner_key, cJSON_Duplicate(inner, true));
        ocx_json_set_str(e, "name", name);
}

int cli_kubeconfig_set_login(cli_kubeconfig *kc, const char *server, const cJSON *cluster,
                             const char *username, const cJSON *user, const char *ns,
                             char **ret_context, ocx_error **reterr) {
        if (!server || !username) return ocx_error_set(reterr, EINVAL, NULL, "server and user are required");
        _cleanup_free_ char *nick = cli_cluster_nick(server);
        _cleanup_free_ char *uname = ocx_xasprintf("%s/%s", username, nick);
        upsert(ocx_json_get(kc->doc, "clusters"), nick, "cluster", cluster);
        upsert(ocx_json_get(kc->doc, "users"), uname, "user", user);
        cJSON *contexts = ocx_json_get(kc->doc, "contexts");
        const char *found = NULL;
        cJSON *e;
        cJSON_ArrayForEach(e, contexts) {
                const cJSON *c = ocx_json_get(e, "context");
                const char *cns = ocx_json_get_str(c, "namespace");
                if (ocx_streq(ocx_json_get_str(c, "cluster"), nick) && ocx_streq(ocx_json_get_str(c, "user"), uname) &&
                    strcmp(cns ? cns : "", ns ? ns : "") == 0) {
                        found = ocx_json_get_str(e, "name");
                        break;
                }
        }
        _cleanup_free_ char *ctxname = found ? ocx_xstrdup(found)
                                             : ocx_xasprintf("%s/%s/%s", ns ? ns : "", nick, username);
        if (!found) {
                cJSON *c = cJSON_CreateObject();
                cJSON_AddStringToObject(c, "cluster", nick);
                if (ns && *ns) cJSON_AddStringToObject(c, "namespace", ns);
                cJSON_AddStringToObject(c, "user", uname);
                cJSON *old = find_named(contexts, ctxname);
                if (old) {
                        ocx_json_set(old, "context", c);
                } else {
                        cJSON *ne = cJSON_CreateObject();
                        cJSON_AddItemToObject(ne, "context", c);
                        cJSON_AddStringToObject(ne, "name", ctxname);
                        cJSON_AddItemToArray(contexts, ne);
                }
        }
        ocx_json_set_str(kc->doc, "current-context", ctxname);
        if (ret_context) *ret_context = TAKE_PTR(ctxname);
        return 0;
}

/* kubeconfig *-data fields: base64 PEM text */
static char *b64_text(const char *s) {
        unsigned char *d = NULL;
        if (ocx_base64_decode(s, strlen(s), true, &d, NULL) < 0) return ocx_xstrdup("");
        return (char *)d;
}

static const char missing_config[] =
        "Missing or incomplete configuration info.  Please point to an existing, complete config file:\n\n"
        "  1. Via the command-line flag --kubeconfig\n"
        "  2. Via the KUBECONFIG environment variable\n"
        "  3. In your home directory as ~/.kube/config\n\n"
        "To view or setup config directly use the 'config' command.";

int cli_kubeconfig_client(const cli_kubeconfig *kc, const char *context_override,
                          const char *server_override, ocx_http_config *ret_cfg, char **ret_ns,
                          ocx_error **reterr) {
        memset(ret_cfg, 0, sizeof(*ret_cfg));
        *ret_ns = NULL;
        const char *ctxname = context_override && *context_override ? context_override
                                                                      : ocx_json_get_str(kc->doc, "current-context");
        const cJSON *ctx = NULL;
        if (ctxname && *ctxname) {
                ctx = ocx_json_get(find_named(ocx_json_get(kc->doc, "contexts"), ctxname), "context");
                if (!ctx && context_override && *context_override)
                        return ocx_error_set(reterr, ENOENT, NULL, "context was not found for specified context: %s",
                                             ctxname);
        }
        const cJSON *cluster = ctx ? ocx_json_get(find_named(ocx_json_get(kc->doc, "clusters"),
                                                             ocx_json_get_str(ctx, "cluster")),
                                                  "cluster")
                                   : NULL;
        const cJSON *user = ctx ? ocx_json_get(find_named(ocx_json_get(kc->doc, "users"), ocx_json_get_str(ctx, "user")),
                                               "user")
                                : NULL;
        const char *server = server_override && *server_override ? server_override : ocx_json_get_str(cluster, "server");
        if (!server || !*server) return ocx_error_set(reterr, ENOENT, NULL, "%s", missing_config);
        ret_cfg->server = ocx_xstrdup(server);
        const char *s;
        if ((s = ocx_json_get_str(cluster, "certificate-authority-data"))) ret_cfg->ca_pem = b64_text(s);
        if ((s = ocx_json_get_str(cluster, "certificate-authority"))) ret_cfg->ca_file = ocx_xstrdup(s);
        ret_cfg->insecure = ocx_json_get_bool(cluster, "insecure-skip-tls-verify", false);
        if ((s = ocx_json_get_str(user, "token"))) ret_cfg->token = ocx_xstrdup(s);
        if ((s = ocx_json_get_str(user, "client-certificate-data"))) ret_cfg->cert_pem = b64_text(s);
        if ((s = ocx_json_get_str(user, "client-key-data"))) ret_cfg->key_pem = b64_text(s);
        if ((s = ocx_json_get_str(user, "client-certificate"))) ret_cfg->cert_file = ocx_xstrdup(s);
        if ((s = ocx_json_get_str(user, "client-key"))) ret_cfg->key_file = ocx_xstrdup(s);
        if ((s = ocx_json_get_str(ctx, "namespace")) && *s) *ret_ns = ocx_xstrdup(s);
        return 0;
}
