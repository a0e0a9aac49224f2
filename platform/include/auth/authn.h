/* ocxd — authentication: the htpasswd identity provider, OAuth access tokens
 * and service-account tokens, and who a bearer token names.
 *
 * Tokens
 *   OAuth access tokens are "sha256~" + 43 characters of unpadded base64url
 *   (32 random bytes). Only their hash is stored: the OAuthAccessToken object
 *   is named "sha256~" + base64url(SHA-256(the 43 characters)) and carries
 *   userName, userUID, expiresIn (86400) and scopes. A token is valid while
 *   that object exists and creationTimestamp + expiresIn is in the future.
 *
 *   Service-account tokens are JWTs signed with HMAC-SHA256 (alg HS256) by a
 *   32-byte key in BASE/pki/serviceaccount-signing.key (created by ocxd on
 *   first use, mode 0600). They are valid while the signature verifies and the
 *   kubernetes.io/service-account-token Secret named in their claims still
 *   exists and holds the same token.
 *
 * Nothing here logs a password or a token. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include "apiserver/api.h"
#include "ocx/error.h"

#define AUTHN_TOKEN_PREFIX "sha256~"
#define AUTHN_TOKEN_LIFETIME 86400
#define AUTHN_IDP_NAME "htpasswd_provider"

/* Who a credential names. Heap owned; groups NULL terminated. */
typedef struct authn_user {
        char *name;
        char *uid;
        char **groups;
        size_t n_groups;
} authn_user;

void authn_user_release(authn_user *u);
void authn_user_add_group(authn_user *u, const char *group);


/* ---- htpasswd (htpasswd.c) -------------------------------------------------- */

/* Checks one password against one htpasswd hash: bcrypt ($2y$, $2a$, $2b$),
 * Apache MD5 ($apr1$), {SHA}. Returns 1 match, 0 mismatch, -ENOTSUP for a
 * 13-character crypt(3) DES hash (recognised, rejected) and -EINVAL for an
 * unknown format. Constant time in the compared digest. */
int authn_htpasswd_check(const char *hash, const char *password);
/* The $apr1$ hash of password with salt (at most 8 characters). Caller frees. */
char *authn_apr1(const char *password, const char *salt);
/* Verifies user/password against the htpasswd file at path. The file is
 * re-read when its mtime or size changes; the last line for a user wins.
 * 0 ok; -EPERM wrong password, unknown user or rejected hash; -ENOENT no file. */
int authn_htpasswd_verify(const char *path, const char *user, const char *password);

/* ---- OAuth access tokens (tokens.c) ------------------------------------------ */

/* A new random access token "sha256~" + 43 chars. Caller frees. */
char *authn_token_generate(void);
/* The OAuthAccessToken object name for a token: "sha256~" +
 * base64url(SHA-256(token without the prefix)); tokens without the prefix
 * name themselves. NULL for an empty token. Caller frees. */
char *authn_token_object_name(const char *token);
/* PKCE: does verifier match challenge under method ("plain", "S256"; NULL or
 * "" means plain)? */
bool authn_pkce_verify(const char *method, const char *challenge, const char *verifier);

/* Creates an OAuthAccessToken for user (uid may be NULL) and returns the
 * token (caller frees and wipes). */
int authn_token_issue(api_server *s, const char *user, const char *uid, const char *client, const char *redirect_uri,
                      char **ret_token, ocx_error **reterr);

/* Bearer-token authentication: an OAuth access token or a service-account
 * token. 0 and *ret filled (groups include system:authenticated and, for
 * OAuth tokens, system:authenticated:oauth and the Group objects listing the
 * user); -EPERM when the token does not verify (unknown, expired, deleted,
 * malformed, bad signature). */
int authn_token_authenticate(api_server *s, const char *token, authn_user *ret);

/* Appends the names of the Group objects that list user. */
void authn_add_user_groups(api_server *s, authn_user *u);

/* Finds or creates Identity "<idp>:<user>" and User "<user>" (mapping
 * method claim) and returns the user's name and uid. */
int authn_map_identity(api_server *s, const char *idp, const char *user, authn_user *ret, ocx_error **reterr);

/* ---- service accounts (serviceaccounts.c) ------------------------------------- */

/* Creates ServiceAccount ns/name (when absent) and a token Secret
 * "<name>-token-xxxxx" of type kubernetes.io/service-account-token with
 * token, ca.crt and namespace, and lists it in the account's secrets. */
int authn_sa_ensure(api_server *s, const char *ns, const char *name, ocx_error **reterr);
/* The token controller (a thread): gives every active namespace the
 * accounts default, builder and deployer, and every ServiceAccount a token
 * Secret (again after its Secret was deleted). Wakes on store events for
 * namespaces, service accounts and deleted secrets (notify, cheap, called
 * from the store notify callback) and every 30 s. */
int authn_sa_controller_start(api_server *s);
void authn_sa_controller_stop(void);
void authn_sa_controller_notify(const store_event *ev);
/* Signs a service-account token for these claims. Caller frees. */
int authn_sa_token_sign(api_server *s, const char *ns, const char *sa, const char *sa_uid, const char *secret,
                        char **ret, ocx_error **reterr);
/* Verifies a service-account token (signature, then the Secret). */
int authn_sa_token_authenticate(api_server *s, const char *token, authn_user *ret);
/* Signature and claims only, with an explicit key (for tests). On success
 * *ret_ns, *ret_sa, *ret_secret are set (caller frees). */
int authn_sa_token_verify_sig(const unsigned char *key, size_t key_len, const char *token, char **ret_ns, char **ret_sa,
                              char **ret_uid, char **ret_secret);
char *authn_sa_token_sign_key(const unsigned char *key, size_t key_len, const char *ns, const char *sa,
                              const char *sa_uid, const char *secret);
