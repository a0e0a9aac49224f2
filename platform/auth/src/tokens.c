/* ocxd — OAuth access tokens: format, hashing, storage as OAuthAccessToken
 * objects, bearer authentication; users, identities and groups. */
#include <stdio.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include "auth/authn.h"
#include "ocx/encoding.h"
#include "ocx/buf.h"
#include "ocx/json.h"
#include "ocx/names.h"
#include "ocx/timefmt.h"
#include "ocx/banned.h"

/* ---- users -------------------------------------------------------------------- */

void authn_user_release(authn_user *u) {
        if (!u) return;
        free(u->name);
        free(u->uid);
        for (size_t i = 0; i < u->n_groups; i++) free(u->groups[i]);
        free(u->groups);
        memset(u, 0, sizeof(*u));
}

void authn_user_add_group(authn_user *u, const char *group) {
        for (size_t i = 0; i < u->n_groups; i++)
                if (strcmp(u->groups[i], group) == 0) return;
        u->groups = ocx_xrealloc(u->groups, (u->n_groups + 2) * sizeof(char *));
        u->groups[u->n_groups++] = ocx_xstrdup(group);
        u->groups[u->n_groups] = NULL;
}

/* ---- token format --------------------------------------------------------------- */

char *authn_token_generate(void) {
        unsigned char raw[32];
        ocx_random_bytes(raw, sizeof(raw));
        _cleanup_free_ char *b = ocx_base64_encode(raw, sizeof(raw), OCX_B64_URL | OCX_B64_NOPAD);
        explicit_bzero(raw, sizeof(raw));
        char *t = ocx_xasprintf(AUTHN_TOKEN_PREFIX "%s", b);
        explicit_bzero(b, strlen(b));
        return t;
}

char *authn_token_object_name(const char *token) {
        if (!token || !*token) return NULL;
        if (!ocx_startswith(token, AUTHN_TOKEN_PREFIX)) return ocx_xstrdup(token);
        const char *raw = token + strlen(AUTHN_TOKEN_PREFIX);
        unsigned char d[32];
        if (gnutls_hash_fast(GNUTLS_DIG_SHA256, raw, strlen(raw), d) < 0) return NULL;
        _cleanup_free_ char *b = ocx_base64_encode(d, sizeof(d), OCX_B64_URL | OCX_B64_NOPAD);
        return ocx_xasprintf(AUTHN_TOKEN_PREFIX "%s", b);
}

bool authn_pkce_verify(const char *method, const char *challenge, const char *verifier) {
        if (!challenge || !verifier || !*verifier) return false;
        size_t vl = strlen(verifier);
        if (vl < 43 || vl > 128) return false; /* RFC 7636 4.1 */
        for (const char *p = verifier; *p; p++)
                if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
                      strchr("-._~", *p)))
                        return false;
        if (!method || !*method || strcmp(method, "plain") == 0) return strcmp(challenge, verifier) == 0;
        if (strcmp(method, "S256") != 0) return false;
        unsigned char d[32];
        if (gnutls_hash_fast(GNUTLS_DIG_SHA256, verifier, vl, d) < 0) return false;
        _cleanup_free_ char *b = ocx_base64_encode(d, sizeof(d), OCX_B64_URL | OCX_B64_NOPAD);
        return strcmp(b, challenge) == 0;
}

/* ---- storage ---------------------------------------------------------------------- */

static const api_kind *kind(const char *group, const char *plural) { return api_kind_by_plural(group, "v1", plural); }

int authn_token_issue(api_server *s, const char *user, const char *uid, const char *client, const char *redirect_uri,
                      char **ret_token, ocx_error **reterr) {
        char *token = authn_token_generate();
        _cleanup_free_ char *name = authn_token_object_name(token);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "apiVersion", "oauth.openshift.io/v1");
        cJSON_AddStringToObject(o, "kind", "OAuthAccessToken");
        cJSON_AddStringToObject(cJSON_AddObjectToObject(o, "metadata"), "name", name);
        cJSON_AddStringToObject(o, "clientName", client ? client : "openshift-challenging-client");
        cJSON_AddNumberToObject(o, "expiresIn", AUTHN_TOKEN_LIFETIME);
        cJSON_AddStringToObject(o, "redirectURI", redirect_uri ? redirect_uri : "");
        cJSON *scopes = cJSON_AddArrayToObject(o, "scopes");
        cJSON_AddItemToArray(scopes, cJSON_CreateString("user:full"));
        cJSON_AddStringToObject(o, "userName", user);
        cJSON_AddStringToObject(o, "userUID", uid ? uid : "");
        int r =
            api_create_object(s, kind("oauth.openshift.io", "oauthaccesstokens"), NULL, o, false, NULL, NULL, reterr);
        if (r < 0) {
                explicit_bzero(token, strlen(token));
                free(token);
                return r;
        }
        *ret_token = token;
        return 0;
}

void authn_add_user_groups(api_server *s, authn_user *u) {
        _cleanup_free_ char *prefix = api_key_prefix(kind("user.openshift.io", "groups"), NULL);
        store_kv *items = NULL;
        size_t n = 0;
        int64_t rev;
        if (store_list(s->st, prefix, NULL, 0, &items, &n, &rev) < 0) return;
        for (size_t i = 0; i < n; i++) {
                _cleanup_json_ cJSON *g = NULL;
                if (ocx_json_parse(items[i].value, items[i].value_len, &g, NULL) < 0) continue;
                const cJSON *m;
                cJSON_ArrayForEach(m, ocx_json_get(g, "users")) {
                        if (cJSON_IsString(m) && ocx_streq(m->valuestring, u->name)) {
                                const char *gn = ocx_json_path_str(g, "metadata.name");
                                if (gn) authn_user_add_group(u, gn);
                                break;
                        }
                }
        }
        store_kvs_free(items, n);
}

static int oauth_token_authenticate(api_server *s, const char *token, authn_user *ret) {
        _cleanup_free_ char *name = authn_token_object_name(token);
        if (!name || strlen(name) > 200) return -EPERM;
        _cleanup_json_ cJSON *t = NULL;
        if (api_get_object(s, kind("oauth.openshift.io", "oauthaccesstokens"), NULL, name, &t) < 0) return -EPERM;
        if (ocx_json_path(t, "metadata.deletionTimestamp")) return -EPERM;
        int64_t expires = 0;
        ocx_json_int(ocx_json_get(t, "expiresIn"), 0, INT64_MAX / 2, &expires);
        time_t created = 0;
        const char *ct = ocx_json_path_str(t, "metadata.creationTimestamp");
        if (!ct || ocx_time_parse_rfc3339(ct, &created) < 0) return -EPERM;
        if (expires > 0 && (int64_t)time(NULL) >= (int64_t)created + expires) return -EPERM;
        const char *user = ocx_json_get_str(t, "userName"), *uid = ocx_json_get_str(t, "userUID");
        if (!user || !*user) return -EPERM;
        /* the user must still exist and be the one the token was issued to */
        _cleanup_json_ cJSON *u = NULL;
        if (api_get_object(s, kind("user.openshift.io", "users"), NULL, user, &u) < 0) return -EPERM;
        const char *cur_uid = ocx_json_path_str(u, "metadata.uid");
        if (uid && *uid && !ocx_streq(uid, cur_uid)) return -EPERM;
        ret->name = ocx_xstrdup(user);
        ret->uid = ocx_xstrdup(cur_uid ? cur_uid : "");
        authn_user_add_group(ret, "system:authenticated");
        authn_user_add_group(ret, "system:authenticated:oauth");
        authn_add_user_groups(s, ret);
        return 0;
}

int authn_token_authenticate(api_server *s, const char *token, authn_user *ret) {
        memset(ret, 0, sizeof(*ret));
        if (!token || !*token || strlen(token) > 8192) return -EPERM;
        for (const char *p = token; *p; p++)
                if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f) return -EPERM;
        int r;
        if (ocx_startswith(token, AUTHN_TOKEN_PREFIX))
                r = oauth_token_authenticate(s, token, ret);
        else if (strchr(token, '.'))
                r = authn_sa_token_authenticate(s, token, ret);
        else
                r = -EPERM;
        if (r < 0) authn_user_release(ret);
        return r < 0 ? -EPERM : 0;
}

/* ---- identities --------------------------------------------------------------------- */

int authn_map_identity(api_server *s, const char *idp, const char *user, authn_user *ret, ocx_error **reterr) {
        memset(ret, 0, sizeof(*ret));
        const api_kind *uk = kind("user.openshift.io", "users"), *ik = kind("user.openshift.io", "identities");
        _cleanup_free_ char *idname = ocx_xasprintf("%s:%s", idp, user);
        _cleanup_json_ cJSON *u = NULL;
        int r;
        for (int attempt = 0; attempt < 3; attempt++) {
                cJSON_Delete(u);
                u = NULL;
                r = api_get_object(s, uk, NULL, user, &u);
                if (r == -ENOENT) {
                        cJSON *nu = cJSON_CreateObject();
                        cJSON_AddStringToObject(nu, "apiVersion", "user.openshift.io/v1");
                        cJSON_AddStringToObject(nu, "kind", "User");
                        cJSON_AddStringToObject(cJSON_AddObjectToObject(nu, "metadata"), "name", user);
                        cJSON_AddItemToArray(cJSON_AddArrayToObject(nu, "identities"), cJSON_CreateString(idname));
                        r = api_create_object(s, uk, NULL, nu, false, &u, NULL, NULL);
                        if (r == -EEXIST) continue;
                } else if (r == 0) {
                        cJSON *ids = ocx_json_get(u, "identities");
                        bool have = false;
                        const cJSON *i;
                        cJSON_ArrayForEach(i, ids) if (cJSON_IsString(i) && ocx_streq(i->valuestring, idname)) have =
                            true;
                        if (!have) {
                                if (!cJSON_IsArray(ids)) {
                                        ids = cJSON_CreateArray();
                                        ocx_json_set(u, "identities", ids);
                                }
                                cJSON_AddItemToArray(ids, cJSON_CreateString(idname));
                                cJSON *upd = NULL;
                                r = api_update_object(s, uk, NULL, user, cJSON_Duplicate(u, true), NULL, false, &upd,
                                                      NULL, NULL);
                                if (r == -ESTALE) continue;
                                if (r == 0) {
                                        cJSON_Delete(u);
                                        u = upd;
                                }
                        }
                }
                break;
        }
        if (r < 0) return ocx_error_set(reterr, -r, NULL, "cannot create or update user '%s'", user);
        const char *uid = ocx_json_path_str(u, "metadata.uid");
        _cleanup_json_ cJSON *ident = NULL;
        if (api_get_object(s, ik, NULL, idname, &ident) == -ENOENT) {
                cJSON *ni = cJSON_CreateObject();
                cJSON_AddStringToObject(ni, "apiVersion", "user.openshift.io/v1");
                cJSON_AddStringToObject(ni, "kind", "Identity");
                cJSON_AddStringToObject(cJSON_AddObjectToObject(ni, "metadata"), "name", idname);
                cJSON_AddStringToObject(ni, "providerName", idp);
                cJSON_AddStringToObject(ni, "providerUserName", user);
                cJSON *ref = cJSON_AddObjectToObject(ni, "user");
                cJSON_AddStringToObject(ref, "name", user);
                cJSON_AddStringToObject(ref, "uid", uid ? uid : "");
                r = api_create_object(s, ik, NULL, ni, false, NULL, NULL, NULL);
                if (r < 0 && r != -EEXIST)
                        return ocx_error_set(reterr, -r, NULL, "cannot create identity '%s'", idname);
        }
        ret->name = ocx_xstrdup(user);
        ret->uid = ocx_xstrdup(uid ? uid : "");
        return 0;
}
