#include "apiserver/kinds.h"
#include "apiserver/table.h"
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include "ocx/macro.h"
#include "ocx/banned.h"

#define CORE(kind, plural, singular, ns, flags, table, ...)                                        \
        {"", "v1", kind, plural, singular, {__VA_ARGS__}, ns, flags, table}
#define OS(group, kind, plural, singular, ns, flags, table, ...)                                   \
        {group, "v1", kind, plural, singular, {__VA_ARGS__}, ns, flags, table}

/* Order matters: discovery lists kinds in this order and "get all" follows it. */
const api_kind api_kinds[] = {
        CORE("Pod", "pods", "pod", true, KIND_ALL | KIND_STATUS | KIND_LOG, TABLE_POD, "po"),
        CORE("ReplicationController", "replicationcontrollers", "replicationcontroller", true,
             KIND_ALL | KIND_STATUS | KIND_SCALE, TABLE_RC, "rc"),
        CORE("Service", "services", "service", true, KIND_ALL | KIND_STATUS, TABLE_SERVICE, "svc"),
        CORE("Namespace", "namespaces", "namespace", false, KIND_STATUS, TABLE_NAMESPACE, "ns"),
        CORE("Endpoints", "endpoints", "endpoints", true, 0, TABLE_ENDPOINTS, "ep"),
        CORE("ServiceAccount", "serviceaccounts", "serviceaccount", true, 0, TABLE_SA, "sa"),
        CORE("Secret", "secrets", "secret", true, 0, TABLE_SECRET, NULL),
        CORE("ConfigMap", "configmaps", "configmap", true, 0, TABLE_CONFIGMAP, "cm"),
        CORE("Event", "events", "event", true, 0, TABLE_EVENT, "ev"),
        CORE("Node", "nodes", "node", false, KIND_STATUS, TABLE_NODE, "no"),
        OS("apps.openshift.io", "DeploymentConfig", "deploymentconfigs", "deploymentconfig", true,
           KIND_ALL | KIND_STATUS | KIND_SCALE | KIND_LOG | KIND_STRICT, TABLE_DC, "dc"),
        OS("image.openshift.io", "ImageStream", "imagestreams", "imagestream", true,
           KIND_ALL | KIND_STATUS | KIND_STRICT, TABLE_IS, "is"),
        OS("image.openshift.io", "ImageStreamTag", "imagestreamtags", "imagestreamtag", true,
           KIND_STRICT, TABLE_DEFAULT, "istag"),
        OS("image.openshift.io", "Image", "images", "image", false, KIND_STRICT, TABLE_DEFAULT, NULL),
        OS("route.openshift.io", "Route", "routes", "route", true, KIND_ALL | KIND_STATUS | KIND_STRICT,
           TABLE_ROUTE, NULL),
        OS("security.openshift.io", "SecurityContextConstraints", "securitycontextconstraints",
           "securitycontextconstraints", false, KIND_STRICT, TABLE_SCC, "scc"),
        OS("security.openshift.io", "PodSecurityPolicySubjectReview", "podsecuritypolicysubjectreviews",
           "podsecuritypolicysubjectreview", true, KIND_CREATE_ONLY, TABLE_DEFAULT, NULL),
        OS("security.openshift.io", "PodSecurityPolicySelfSubjectReview", "podsecuritypolicyselfsubjectreviews",
           "podsecuritypolicyselfsubjectreview", true, KIND_CREATE_ONLY, TABLE_DEFAULT, NULL),
        OS("security.openshift.io", "PodSecurityPolicyReview", "podsecuritypolicyreviews", "podsecuritypolicyreview", true,
           KIND_CREATE_ONLY, TABLE_DEFAULT, NULL),
        OS("project.openshift.io", "Project", "projects", "project", false, KIND_VIRTUAL | KIND_STRICT,
           TABLE_PROJECT, NULL),
        OS("project.openshift.io", "ProjectRequest", "projectrequests", "projectrequest", false,
           KIND_CREATE_ONLY | KIND_STRICT, TABLE_DEFAULT, NULL),
        OS("user.openshift.io", "User", "users", "user", false, KIND_STRICT, TABLE_USER, NULL),
        OS("user.openshift.io", "Identity", "identities", "identity", false, KIND_STRICT,
           TABLE_IDENTITY, NULL),
        OS("user.openshift.io", "Group", "groups", "group", false, KIND_STRICT, TABLE_GROUP, NULL),
        OS("oauth.openshift.io", "OAuthAccessToken", "oauthaccesstokens", "oauthaccesstoken", false,
           KIND_STRICT, TABLE_DEFAULT, NULL),
        OS("oauth.openshift.io", "OAuthClient", "oauthclients", "oauthclient", false, KIND_STRICT,
           TABLE_DEFAULT, NULL),
        OS("rbac.authorization.k8s.io", "Role", "roles", "role", true, 0, TABLE_DEFAULT, NULL),
        OS("rbac.authorization.k8s.io", "RoleBinding", "rolebindings", "rolebinding", true, 0,
           TABLE_ROLEBINDING, NULL),
        OS("rbac.authorization.k8s.io", "ClusterRole", "clusterroles", "clusterrole", false, 0,
           TABLE_DEFAULT, NULL),
        OS("rbac.authorization.k8s.io", "ClusterRoleBinding", "clusterrolebindings",
           "clusterrolebinding", false, 0, TABLE_ROLEBINDING, NULL),
        OS("authentication.k8s.io", "SelfSubjectReview", "selfsubjectreviews", "selfsubjectreview",
           false, KIND_CREATE_ONLY, TABLE_DEFAULT, NULL),
        OS("authorization.k8s.io", "SelfSubjectAccessReview", "selfsubjectaccessreviews",
           "selfsubjectaccessreview", false, KIND_CREATE_ONLY, TABLE_DEFAULT, NULL),
};
const size_t api_kinds_n = OCX_ARRAY_SIZE(api_kinds);

const api_kind *api_kind_by_plural(const char *group, const char *version, const char *plural) {
        for (size_t i = 0; i < api_kinds_n; i++) {
                const api_kind *k = &api_kinds[i];
                if (strcmp(k->group, group) == 0 && strcmp(k->plural, plural) == 0 &&
                    (!version || strcmp(k->version, version) == 0))
                        return k;
        }
        return NULL;
}

const api_kind *api_kind_by_kind(const char *group, const char *kind) {
        for (size_t i = 0; i < api_kinds_n; i++)
                if (strcmp(api_kinds[i].group, group) == 0 && strcmp(api_kinds[i].kind, kind) == 0)
                        return &api_kinds[i];
        return NULL;
}

/* "group/version" and "plural.group" per kind, computed once (any thread may ask first) */
static char apiv[OCX_ARRAY_SIZE(api_kinds)][64];
static char qual[OCX_ARRAY_SIZE(api_kinds)][96];
static pthread_once_t names_once = PTHREAD_ONCE_INIT;

static void names_init(void) {
        for (size_t i = 0; i < api_kinds_n; i++) {
                const api_kind *k = &api_kinds[i];
                if (k->group[0]) {
                        snprintf(apiv[i], sizeof(apiv[i]), "%s/%s", k->group, k->version);
                        snprintf(qual[i], sizeof(qual[i]), "%s.%s", k->plural, k->group);
                } else {
                        snprintf(apiv[i], sizeof(apiv[i]), "%s", k->version);
                        snprintf(qual[i], sizeof(qual[i]), "%s", k->plural);
                }
        }
}

const char *api_kind_api_version(const api_kind *k) {
        pthread_once(&names_once, names_init);
        return apiv[k - api_kinds];
}

const char *api_kind_qualified(const api_kind *k) {
        pthread_once(&names_once, names_init);
        return qual[k - api_kinds];
}
