/* ocxd — the built-in OAuth server (3.x style: the issuer is the API server
 * itself) and the user endpoints that need the caller's identity.
 *
 *   GET  /.well-known/oauth-authorization-server   discovery document
 *   GET  /oauth/authorize      client openshift-challenging-client; Basic
 *                              credentials checked against BASE/htpasswd;
 *                              response_type=token (implicit, 302 with the
 *                              token in the fragment) or code (+PKCE)
 *   POST /oauth/token          authorization_code grant (code_verifier)
 *   GET  /oauth/token/implicit the page the redirects point at
 *   GET  /oauth/token/request  how to obtain a token
 *   GET  /apis/user.openshift.io/v1/users/~   the current User
 *   DELETE /apis/oauth.openshift.io/v1/oauthaccesstokens/NAME   by the
 *                              token's owner (oc logout; OpenShift grants
 *                              this through system:oauth-token-deleter);
 *                              anyone else goes through RBAC
 *
 * Failed logins are throttled per user name: after OAUTH_MAX_FAILURES
 * failures within OAUTH_FAILURE_WINDOW seconds, every attempt for that user
 * is refused for OAUTH_LOCKOUT seconds without checking the password. */
#pragma once
#include <stdbool.h>
#include <time.h>
#include "apiserver/api.h"

#define OAUTH_MAX_FAILURES 5
#define OAUTH_FAILURE_WINDOW 60
#define OAUTH_LOCKOUT 30
#define OAUTH_CHALLENGING_CLIENT "openshift-challenging-client"

/* true when path is served by oauth_handle (before authentication). */
bool oauth_is_oauth_path(const char *path);
/* Serves the paths above. Returns false (resp untouched) for any other path.
 * req->user must be set for users/~. */
bool oauth_handle(api_server *s, const api_request *req, api_response *resp);

/* Forgets all throttling state (tests). */
void oauth_throttle_reset(void);
/* Records a failure / asks whether user is locked out at time now. */
void oauth_throttle_fail(const char *user, time_t now);
bool oauth_throttle_locked(const char *user, time_t now);
void oauth_throttle_success(const char *user);
