/* ocxd — service accounts: the HS256 signing key under BASE/pki, token
 * signing and verification, the ServiceAccount + token Secret pair, and the
 * token controller (every ServiceAccount gets a token Secret; every active
 * namespace gets default, builder and deployer). */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include "auth/authn.h"
#include "ocx/encoding.h"
#include "ocx/buf.h"
#include "ocx/json.h"
#include "ocx/log.h"
#include "ocx/names.h"
#include "ocx/banned.h"

#define SA_KEY_LEN 32
#define SA_ISSUER "kubernetes/serviceaccount"
#define SA_CLAIM(x) "kubernetes.io/serviceaccount/" x

static pthread_mutex_t key_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned char sa_key[SA_KEY_LEN];
static char *sa_key_base; /* base dir the key was loaded for */

/* Loads BASE/pki/serviceaccount-signing.key, creating it (0600) when absent. */
static int load_key(api_server *s, unsigned char out[SA_KEY_LEN]) {
        pthread_mutex_lock(&key_lock);
        int r = 0;
        if (!sa_key_base || strcmp(sa_key_base, s->cfg.base_dir ? s->cfg.base_dir : "") != 0) {
                const char *base = s->cfg.base_dir ? s->cfg.base_dir : ".";
                _cleanup_free_ char *dir = ocx_xasprintf("%s/pki", base);
                _cleanup_free_ char *path = ocx_xasprintf("%s/serviceaccount-signing.key", dir);
                char *text = NULL;
                size_t len = 0;
                unsigned char *raw = NULL;
                size_t rl = 0;
                if (ocx_read_file(path, 4096, &text, &len) == 0 &&
                    ocx_base64_decode(text, strcspn(text, "\r\n"), false, &raw, &rl) == 0 && rl == SA_KEY_LEN) {
                        memcpy(sa_key, raw, SA_KEY_LEN);
                } else {
                        ocx_random_bytes(sa_key, SA_KEY_LEN);
                        _cleanup_free_ char *b = ocx_base64_encode(sa_key, SA_KEY_LEN, 0);
                        _cleanup_free_ char *line = ocx_xasprintf("%s\n", b);
                        (void)mkdir(dir, 0700);
                        r = ocx_write_file_atomic(path, line, strlen(line), 0600);
                        if (r < 0) log_error("cannot write %s: %s", path, strerror(-r));
                        explicit_bzero(line, strlen(line));
                        explicit_bzero(b, strlen(b));
                }
                if (raw) explicit_bzero(raw, rl);
                free(raw);
                if (text) explicit_bzero(text, len);
                free(text);
                if (r >= 0) {
                        free(sa_key_base);
                        sa_key_base = ocx_xstrdup(s->cfg.base_dir ? s->cfg.base_dir : "");
                }
        }
        memcpy(out, sa_key, SA_KEY_LEN);
        pthread_mutex_unlock(&key_lock);
        return r;
}

static char *b64url_str(const char *s) { return ocx_base64_encode(s, strlen(s), OCX_B64_URL | OCX_B64_NOPAD); }

static char *hs256(const unsigned char *key, size_t key_len, const char *data, size_t len) {
        unsigned char mac[32];
        if (gnutls_hmac_fast(GNUTLS_MAC_SHA256, key, key_len, data, len, mac) < 0) return NULL;
        return ocx_base64_encode(mac, sizeof(mac), OCX_B64_URL | OCX_B64_NOPAD);
}

char *authn_sa_token_sign_key(const unsigned char *key, size_t key_len, const char *ns, const char *sa,
                              const char *sa_uid, const char *secret) {
        _cleanup_json_ cJSON *c = cJSON_CreateObject();
        cJSON_AddStringToObject(c, "iss", SA_ISSUER);
        cJSON_AddStringToObject(c, SA_CLAIM("namespace"), ns);
        cJSON_AddStringToObject(c, SA_CLAIM("secret.name"), secret);
        cJSON_AddStringToObject(c, SA_CLAIM("service-account.name"), sa);
        cJSON_AddStringToObject(c, SA_CLAIM("service-account.uid"), sa_uid ? sa_uid : "");
        _cleanup_free_ char *sub = ocx_xasprintf("system:serviceaccount:%s:%s", ns, sa);
        cJSON_AddStringToObject(c, "sub", sub);
        _cleanup_free_ char *claims = ocx_json_print(c);
        _cleanup_free_ char *h = b64url_str("{\"alg\":\"HS256\",\"typ\":\"JWT\"}");
        _cleanup_free_ char *p = b64url_str(claims);
        _cleanup_free_ char *signing = ocx_xasprintf("%s.%s", h, p);
        _cleanup_free_ char *sig = hs256(key, key_len, signing, strlen(signing));
        if (!sig) return NULL;
        return ocx_xasprintf("%s.%s", signing, sig);
}

int authn_sa_token_verify_sig(const unsigned char *key, size_t key_len, const char *token, char **ret_ns, char **ret_sa,
                              char **ret_uid, char **ret_secret) {
        const char *d1 = strchr(token, '.');
        const char *d2 = d1 ? strchr(d1 + 1, '.') : NULL;
        if (!d1 || !d2 || strchr(d2 + 1, '.')) return -EPERM;
        _cleanup_free_ char *sig = hs256(key, key_len, token, (size_t)(d2 - token));
        const char *given = d2 + 1;
        if (!sig || strlen(given) != strlen(sig)) return -EPERM;
        unsigned char diff = 0;
        for (size_t i = 0; sig[i]; i++) diff |= (unsigned char)(sig[i] ^ given[i]);
        if (diff) return -EPERM;
        _cleanup_free_ unsigned char *hdr = NULL, *claims = NULL;
        size_t hl, cl;
        if (ocx_base64_decode(token, (size_t)(d1 - token), false, &hdr, &hl) < 0 ||
            ocx_base64_decode(d1 + 1, (size_t)(d2 - d1 - 1), false, &claims, &cl) < 0)
                return -EPERM;
        _cleanup_json_ cJSON *h = NULL, *c = NULL;
        if (ocx_json_parse((const char *)hdr, hl, &h, NULL) < 0 || !ocx_streq(ocx_json_get_str(h, "alg"), "HS256") ||
            ocx_json_parse((const char *)claims, cl, &c, NULL) < 0 || !ocx_streq(ocx_json_get_str(c, "iss"), SA_ISSUER))
                return -EPERM;
        const char *ns = ocx_json_get_str(c, SA_CLAIM("namespace")),
                   *sa = ocx_json_get_str(c, SA_CLAIM("service-account.name"));
        const char *uid = ocx_json_get_str(c, SA_CLAIM("service-account.uid")),
                   *sec = ocx_json_get_str(c, SA_CLAIM("secret.name"));
        if (!ns || !*ns || !sa || !*sa || !sec || !*sec) return -EPERM;
        *ret_ns = ocx_xstrdup(ns);
        *ret_sa = ocx_xstrdup(sa);
        *ret_uid = ocx_xstrdup(uid ? uid : "");
        *ret_secret = ocx_xstrdup(sec);
        return 0;
}

int authn_sa_token_sign(api_server *s, const char *ns, const char *sa, const char *sa_uid, const char *secret,
                        char **ret, ocx_error **reterr) {
        unsigned char key[SA_KEY_LEN];
        int r = load_key(s, key);
        if (r < 0) return ocx_error_set(reterr, -r, NULL, "cannot create the service account signing key");
        *ret = authn_sa_token_sign_key(key, SA_KEY_LEN, ns, sa, sa_uid, secret);
        explicit_bzero(key, sizeof(key));
        return *ret ? 0 : ocx_error_set(reterr, EIO, NULL, "cannot sign a service account token");
}

static const api_kind *core(const char *plural) { return api_kind_by_plural("", "v1", plural); }

int authn_sa_token_authenticate(api_server *s, const char *token, authn_user *ret) {
        unsigned char key[SA_KEY_LEN];
        if (load_key(s, key) < 0) return -EPERM;
        _cleanup_free_ char *ns = NULL, *sa = NULL, *uid = NULL, *secret = NULL;
        int r = authn_sa_token_verify_sig(key, SA_KEY_LEN, token, &ns, &sa, &uid, &secret);
        explicit_bzero(key, sizeof(key));
        if (r < 0) return -EPERM;
        /* revocable: the Secret must still exist and hold this token */
        _cleanup_json_ cJSON *sec = NULL;
        if (api_get_object(s, core("secrets"), ns, secret, &sec) < 0) return -EPERM;
        if (!ocx_streq(ocx_json_get_str(sec, "type"), "kubernetes.io/service-account-token")) return -EPERM;
        const char *stored = ocx_json_path_str(sec, "data.token");
        _cleanup_free_ unsigned char *raw = NULL;
        size_t rl = 0;
        if (!stored || ocx_base64_decode(stored, strlen(stored), false, &raw, &rl) < 0 || rl != strlen(token) ||
            memcmp(raw, token, rl) != 0)
                return -EPERM;
        _cleanup_json_ cJSON *acct = NULL;
        if (api_get_object(s, core("serviceaccounts"), ns, sa, &acct) < 0) return -EPERM;
        if (uid && *uid && !ocx_streq(uid, ocx_json_path_str(acct, "metadata.uid"))) return -EPERM;
        ret->name = ocx_xasprintf("system:serviceaccount:%s:%s", ns, sa);
        ret->uid = ocx_xstrdup(uid);
        authn_user_add_group(ret, "system:serviceaccounts");
        _cleanup_free_ char *g = ocx_xasprintf("system:serviceaccounts:%s", ns);
        authn_user_add_group(ret, g);
        authn_user_add_group(ret, "system:authenticated");
        return 0;
}

static char *random_suffix(void) {
        static const char alphabet[] = "bcdfghjklmnpqrstvwxz2456789";
        unsigned char rnd[5];
        ocx_random_bytes(rnd, sizeof(rnd));
        char out[6];
        for (int i = 0; i < 5; i++) out[i] = alphabet[rnd[i] % (sizeof(alphabet) - 1)];
        out[5] = 0;
        return ocx_xstrdup(out);
}

static void add_b64(cJSON *data, const char *key, const char *value, size_t len) {
        _cleanup_free_ char *b = ocx_base64_encode(value, len, 0);
        cJSON_AddStringToObject(data, key, b);
}

/* one at a time: the controller and project requests must not both add a token */
static pthread_mutex_t ensure_lock = PTHREAD_MUTEX_INITIALIZER;

static int sa_ensure_locked(api_server *s, const char *ns, const char *name, ocx_error **reterr);

int authn_sa_ensure(api_server *s, const char *ns, const char *name, ocx_error **reterr) {
        pthread_mutex_lock(&ensure_lock);
        int r = sa_ensure_locked(s, ns, name, reterr);
        pthread_mutex_unlock(&ensure_lock);
        return r;
}

/* Whether the account lists a token Secret that exists; references to
 * token Secrets that were deleted (revoked) are dropped from acct
 * (*ret_pruned says so). */
static bool has_token(api_server *s, const char *ns, cJSON *acct, bool *ret_pruned) {
        bool have = false;
        cJSON *secrets = ocx_json_get(acct, "secrets");
        cJSON *e = cJSON_IsArray(secrets) ? secrets->child : NULL;
        while (e) {
                cJSON *next = e->next;
                const char *sn = ocx_json_get_str(e, "name");
                if (sn && strstr(sn, "-token-")) {
                        _cleanup_json_ cJSON *sec = NULL;
                        int r = api_get_object(s, core("secrets"), ns, sn, &sec);
                        if (r == 0 && ocx_streq(ocx_json_get_str(sec, "type"), "kubernetes.io/service-account-token")) have = true;
                        else if (r == -ENOENT) {
                                cJSON_Delete(cJSON_DetachItemViaPointer(secrets, e));
                                *ret_pruned = true;
                        }
                }
                e = next;
        }
        return have;
}

static int sa_ensure_locked(api_server *s, const char *ns, const char *name, ocx_error **reterr) {
        _cleanup_json_ cJSON *acct = NULL;
        int r = api_get_object(s, core("serviceaccounts"), ns, name, &acct);
        if (r == -ENOENT) {
                cJSON *o = cJSON_CreateObject();
                cJSON_AddStringToObject(o, "apiVersion", "v1");
                cJSON_AddStringToObject(o, "kind", "ServiceAccount");
                cJSON *md = cJSON_AddObjectToObject(o, "metadata");
                cJSON_AddStringToObject(md, "name", name);
                cJSON_AddStringToObject(md, "namespace", ns);
                r = api_create_object(s, core("serviceaccounts"), ns, o, false, &acct, NULL, reterr);
        }
        if (r < 0) return r;
        /* already has a token secret? */
        bool pruned = false;
        if (has_token(s, ns, acct, &pruned)) {
                if (pruned)
                        (void)api_update_object(s, core("serviceaccounts"), ns, name, cJSON_Duplicate(acct, true), NULL, false,
                                                NULL, NULL, NULL);
                return 0;
        }
        const char *uid = ocx_json_path_str(acct, "metadata.uid");
        _cleanup_free_ char *suffix = random_suffix();
        _cleanup_free_ char *sname = ocx_xasprintf("%s-token-%s", name, suffix);
        _cleanup_free_ char *token = NULL;
        if ((r = authn_sa_token_sign(s, ns, name, uid, sname, &token, reterr)) < 0 || !token) return r < 0 ? r : -EIO;
        cJSON *sec = cJSON_CreateObject();
        cJSON_AddStringToObject(sec, "apiVersion", "v1");
        cJSON_AddStringToObject(sec, "kind", "Secret");
        cJSON *md = cJSON_AddObjectToObject(sec, "metadata");
        cJSON_AddStringToObject(md, "name", sname);
        cJSON_AddStringToObject(md, "namespace", ns);
        cJSON *ann = cJSON_AddObjectToObject(md, "annotations");
        cJSON_AddStringToObject(ann, "kubernetes.io/service-account.name", name);
        cJSON_AddStringToObject(ann, "kubernetes.io/service-account.uid", uid ? uid : "");
        cJSON_AddStringToObject(sec, "type", "kubernetes.io/service-account-token");
        cJSON *data = cJSON_AddObjectToObject(sec, "data");
        _cleanup_free_ char *ca_path = ocx_xasprintf("%s/pki/ca.crt", s->cfg.base_dir ? s->cfg.base_dir : ".");
        _cleanup_free_ char *ca = NULL;
        size_t cal = 0;
        if (ocx_read_file(ca_path, 1 << 20, &ca, &cal) < 0) {
                free(ca);
                ca = ocx_xstrdup("");
                cal = 0;
        }
        add_b64(data, "ca.crt", ca, cal);
        add_b64(data, "namespace", ns, strlen(ns));
        add_b64(data, "token", token, strlen(token));
        explicit_bzero(token, strlen(token));
        r = api_create_object(s, core("secrets"), ns, sec, false, NULL, NULL, reterr);
        if (r < 0) return r;
        /* list it on the account */
        for (int attempt = 0; attempt < 3; attempt++) {
                cJSON *secrets = ocx_json_get(acct, "secrets");
                if (!cJSON_IsArray(secrets)) {
                        secrets = cJSON_CreateArray();
                        ocx_json_set(acct, "secrets", secrets);
                }
                cJSON *ref = cJSON_CreateObject();
                cJSON_AddStringToObject(ref, "name", sname);
                cJSON_AddItemToArray(secrets, ref);
                r = api_update_object(s, core("serviceaccounts"), ns, name, cJSON_Duplicate(acct, true), NULL, false,
                                      NULL, NULL, reterr);
                if (r != -ESTALE) break;
                cJSON_Delete(acct);
                acct = NULL;
                if ((r = api_get_object(s, core("serviceaccounts"), ns, name, &acct)) < 0) break;
        }
        return r;
}

/* ---- the token controller -------------------------------------------------------- */

#define RESYNC_S 30
#define CACHE_MAX 65536

typedef struct sa_seen {
        char *key, *rv; /* store key, resourceVersion checked */
        uint64_t secret_gen;
        bool seen;
} sa_seen;

static struct {
        pthread_mutex_t mu;
        pthread_cond_t cond;
        pthread_t th;
        api_server *s;
        bool started, stop, dirty;
        uint64_t secret_gen; /* bumped when a Secret is deleted */
        sa_seen *cache;
        size_t n;
} TC = {.mu = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};

void authn_sa_controller_notify(const store_event *ev) {
        if (!ev || !ev->key) return;
        bool sa = ocx_startswith(ev->key, "/core/serviceaccounts/"), nsk = ocx_startswith(ev->key, "/core/namespaces/");
        bool secret_gone = ev->type == STORE_EV_DELETE && ocx_startswith(ev->key, "/core/secrets/");
        if (!sa && !nsk && !secret_gone) return;
        pthread_mutex_lock(&TC.mu);
        if (secret_gone) TC.secret_gen++;
        TC.dirty = true;
        pthread_cond_signal(&TC.cond);
        pthread_mutex_unlock(&TC.mu);
}

static sa_seen *cache_find(const char *key) {
        for (size_t i = 0; i < TC.n; i++)
                if (ocx_streq(TC.cache[i].key, key)) return &TC.cache[i];
        return NULL;
}

static void cache_prune(bool all) {
        size_t k = 0;
        for (size_t i = 0; i < TC.n; i++) {
                if (!all && TC.cache[i].seen) {
                        TC.cache[i].seen = false;
                        TC.cache[k++] = TC.cache[i];
                        continue;
                }
                free(TC.cache[i].key);
                free(TC.cache[i].rv);
        }
        TC.n = k;
}

static bool ns_active(const cJSON *o) {
        return !ocx_json_path(o, "metadata.deletionTimestamp") &&
               !ocx_streq(ocx_json_path_str(o, "status.phase"), "Terminating");
}

/* One pass: the default accounts of every active namespace, then a token for
 * every account that has none (checked again when the account changes or a
 * Secret was deleted). */
static void controller_pass(api_server *s, uint64_t gen) {
        const api_kind *nsk = core("namespaces"), *sak = core("serviceaccounts");
        _cleanup_free_ char *nsp = api_key_prefix(nsk, NULL), *sap = api_key_prefix(sak, NULL);
        store_kv *nss = NULL, *sas = NULL;
        size_t n_ns = 0, n_sa = 0;
        int64_t rev;
        if (store_list(s->st, nsp, NULL, 0, &nss, &n_ns, &rev) < 0) return;
        if (store_list(s->st, sap, NULL, 0, &sas, &n_sa, &rev) < 0) {
                store_kvs_free(nss, n_ns);
                return;
        }
        static const char *const defaults[] = {"builder", "default", "deployer"};
        for (size_t i = 0; i < n_ns && !TC.stop; i++) {
                _cleanup_json_ cJSON *o = NULL;
                if (ocx_json_parse(nss[i].value, nss[i].value_len, &o, NULL) < 0 || !ns_active(o)) continue;
                const char *ns = ocx_json_path_str(o, "metadata.name");
                if (!ns) continue;
                for (size_t d = 0; d < OCX_ARRAY_SIZE(defaults); d++) {
                        _cleanup_free_ char *key = ocx_xasprintf("%s%s/%s", sap, ns, defaults[d]);
                        bool have = false;
                        for (size_t j = 0; j < n_sa && !have; j++) have = ocx_streq(sas[j].key, key);
                        if (have) continue;
                        _cleanup_error_ ocx_error *e = NULL;
                        int r = authn_sa_ensure(s, ns, defaults[d], &e);
                        if (r < 0 && r != -EEXIST && r != -EACCES && r != -EPERM)
                                log_warn("service account %s/%s: %s", ns, defaults[d], e ? e->message : strerror(-r));
                }
        }
        for (size_t j = 0; j < n_sa && !TC.stop; j++) {
                _cleanup_json_ cJSON *o = NULL;
                if (ocx_json_parse(sas[j].value, sas[j].value_len, &o, NULL) < 0) continue;
                const char *rv = ocx_json_path_str(o, "metadata.resourceVersion");
                const char *ns = ocx_json_path_str(o, "metadata.namespace"), *name = ocx_json_path_str(o, "metadata.name");
                if (!ns || !name || ocx_json_path(o, "metadata.deletionTimestamp")) continue;
                sa_seen *c = cache_find(sas[j].key);
                if (c && ocx_streq(c->rv, rv) && c->secret_gen == gen) {
                        c->seen = true;
                        continue;
                }
                _cleanup_error_ ocx_error *e = NULL;
                int r = authn_sa_ensure(s, ns, name, &e);
                if (r < 0) {
                        /* a namespace being deleted refuses new content: not worth a warning */
                        if (r != -EACCES && r != -EPERM && r != -ENOENT)
                                log_warn("service account %s/%s: cannot create its token: %s", ns, name, e ? e->message : strerror(-r));
                        continue;
                }
                if (!c && TC.n < CACHE_MAX) {
                        TC.cache = ocx_xrealloc(TC.cache, (TC.n + 1) * sizeof(*TC.cache));
                        c = &TC.cache[TC.n++];
                        memset(c, 0, sizeof(*c));
                        c->key = ocx_xstrdup(sas[j].key);
                }
                if (!c) continue;
                free(c->rv);
                c->rv = ocx_xstrdup(rv ? rv : "");
                c->secret_gen = gen;
                c->seen = true;
        }
        cache_prune(false);
        store_kvs_free(nss, n_ns);
        store_kvs_free(sas, n_sa);
}

static void *controller_loop(void *arg) {
        api_server *s = arg;
        pthread_mutex_lock(&TC.mu);
        TC.dirty = true;
        while (!TC.stop) {
                if (!TC.dirty) {
                        struct timespec ts;
                        clock_gettime(CLOCK_REALTIME, &ts);
                        ts.tv_sec += RESYNC_S;
                        if (pthread_cond_timedwait(&TC.cond, &TC.mu, &ts) != 0) TC.dirty = true; /* resync */
                        continue;
                }
                TC.dirty = false;
                uint64_t gen = TC.secret_gen;
                pthread_mutex_unlock(&TC.mu);
                controller_pass(s, gen);
                pthread_mutex_lock(&TC.mu);
        }
        pthread_mutex_unlock(&TC.mu);
        return NULL;
}

int authn_sa_controller_start(api_server *s) {
        if (TC.started) return 0;
        TC.s = s;
        TC.stop = false;
        int r = pthread_create(&TC.th, NULL, controller_loop, s);
        if (r != 0) return -r;
        TC.started = true;
        return 0;
}

void authn_sa_controller_stop(void) {
        if (!TC.started) return;
        pthread_mutex_lock(&TC.mu);
        TC.stop = true;
        pthread_cond_signal(&TC.cond);
        pthread_mutex_unlock(&TC.mu);
        pthread_join(TC.th, NULL);
        TC.started = false;
        cache_prune(true);
        free(TC.cache);
        TC.cache = NULL;
}
