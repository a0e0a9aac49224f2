#include "apiserver/schema.h"
#include <pthread.h>
#include <stdio.h>
#include "ocx/json.h"
#include "ocx/log.h"
#include "ocx/banned.h"

#define META "\"metadata\":{\"name\":\"string\",\"generateName\":\"string\",\"namespace\":\"string\"," \
        "\"uid\":\"string\",\"resourceVersion\":\"string\",\"generation\":\"integer\"," \
        "\"creationTimestamp\":\"any\",\"deletionTimestamp\":\"any\",\"deletionGracePeriodSeconds\":\"integer\"," \
        "\"labels\":\"map\",\"annotations\":\"map\",\"finalizers\":[\"string\"],\"managedFields\":\"any\"," \
        "\"selfLink\":\"string\",\"ownerReferences\":[{\"apiVersion\":\"string\",\"kind\":\"string\"," \
        "\"name\":\"string\",\"uid\":\"string\",\"controller\":\"boolean\",\"blockOwnerDeletion\":\"boolean\"}]}"
#define TM "\"apiVersion\":\"string\",\"kind\":\"string\"," META
#define OBJREF "{\"kind\":\"string\",\"name\":\"string\",\"namespace\":\"string\",\"uid\":\"string\",\"apiVersion\":\"string\",\"resourceVersion\":\"string\",\"fieldPath\":\"string\"}"
#define RANGES "[{\"min\":\"integer\",\"max\":\"integer\"}]"
#define CONTAINER "{\"$open\":true,\"name\":\"string\",\"image\":\"string\",\"command\":[\"string\"],\"args\":[\"string\"]," \
        "\"workingDir\":\"string\",\"ports\":[{\"$open\":true,\"containerPort\":\"int32\",\"hostPort\":\"int32\",\"protocol\":\"string\",\"name\":\"string\"}]," \
        "\"env\":[{\"$open\":true,\"name\":\"string\",\"value\":\"string\"}],\"securityContext\":\"object\"}"

typedef struct schema_src {
        const char *plural, *group, *text;
} schema_src;

static const schema_src sources[] = {
        {"routes", "route.openshift.io",
         "{" TM ",\"spec\":{\"host\":\"string\",\"subdomain\":\"string\",\"path\":\"string\","
         "\"to\":{\"kind\":\"string\",\"name\":\"string\",\"weight\":\"int32\"},"
         "\"alternateBackends\":[{\"kind\":\"string\",\"name\":\"string\",\"weight\":\"int32\"}],"
         "\"port\":{\"targetPort\":\"intstr\"},"
         "\"tls\":{\"termination\":\"string\",\"certificate\":\"string\",\"key\":\"string\",\"caCertificate\":\"string\","
         "\"destinationCACertificate\":\"string\",\"insecureEdgeTerminationPolicy\":\"string\",\"externalCertificate\":{\"name\":\"string\"}},"
         "\"wildcardPolicy\":\"string\",\"httpHeaders\":\"object\"},"
         "\"status\":{\"ingress\":[{\"host\":\"string\",\"routerName\":\"string\",\"wildcardPolicy\":\"string\","
         "\"routerCanonicalHostname\":\"string\",\"conditions\":[{\"type\":\"string\",\"status\":\"string\","
         "\"reason\":\"string\",\"message\":\"string\",\"lastTransitionTime\":\"any\"}]}]}}"},
        {"securitycontextconstraints", "security.openshift.io",
         "{" TM ",\"priority\":\"int32\",\"allowPrivilegedContainer\":\"boolean\",\"defaultAddCapabilities\":[\"string\"],"
         "\"requiredDropCapabilities\":[\"string\"],\"allowedCapabilities\":[\"string\"],\"allowHostDirVolumePlugin\":\"boolean\","
         "\"volumes\":[\"string\"],\"allowedFlexVolumes\":[{\"driver\":\"string\"}],\"allowHostNetwork\":\"boolean\","
         "\"allowHostPorts\":\"boolean\",\"allowHostPID\":\"boolean\",\"allowHostIPC\":\"boolean\",\"userNamespaceLevel\":\"string\","
         "\"defaultAllowPrivilegeEscalation\":\"boolean\",\"allowPrivilegeEscalation\":\"boolean\","
         "\"seLinuxContext\":{\"type\":\"string\",\"seLinuxOptions\":{\"user\":\"string\",\"role\":\"string\",\"type\":\"string\",\"level\":\"string\"}},"
         "\"runAsUser\":{\"type\":\"string\",\"uid\":\"integer\",\"uidRangeMin\":\"integer\",\"uidRangeMax\":\"integer\"},"
         "\"supplementalGroups\":{\"type\":\"string\",\"ranges\":" RANGES "},\"fsGroup\":{\"type\":\"string\",\"ranges\":" RANGES "},"
         "\"readOnlyRootFilesystem\":\"boolean\",\"users\":[\"string\"],\"groups\":[\"string\"],\"seccompProfiles\":[\"string\"],"
         "\"allowedUnsafeSysctls\":[\"string\"],\"forbiddenSysctls\":[\"string\"]}"},
        {"deploymentconfigs", "apps.openshift.io",
         "{" TM ",\"spec\":{\"replicas\":\"int32\",\"selector\":\"map\",\"paused\":\"boolean\",\"test\":\"boolean\","
         "\"revisionHistoryLimit\":\"int32\",\"minReadySeconds\":\"int32\",\"strategy\":\"object\",\"template\":\"object\","
         "\"triggers\":[{\"type\":\"string\",\"imageChangeParams\":{\"automatic\":\"boolean\",\"containerNames\":[\"string\"],"
         "\"from\":" OBJREF ",\"lastTriggeredImage\":\"string\"}}]},\"status\":\"object\"}"},
        {"imagestreams", "image.openshift.io",
         "{" TM ",\"spec\":{\"lookupPolicy\":{\"local\":\"boolean\"},\"dockerImageRepository\":\"string\","
         "\"tags\":[{\"name\":\"string\",\"annotations\":\"map\",\"from\":" OBJREF ",\"reference\":\"boolean\",\"generation\":\"integer\","
         "\"importPolicy\":{\"insecure\":\"boolean\",\"scheduled\":\"boolean\",\"importMode\":\"string\"},"
         "\"referencePolicy\":{\"type\":\"string\"}}]},\"status\":\"object\"}"},
        {"imagestreamtags", "image.openshift.io", "{" TM ",\"tag\":\"object\",\"image\":\"object\",\"generation\":\"integer\",\"conditions\":\"array\",\"lookupPolicy\":\"object\"}"},
        {"images", "image.openshift.io", "{\"$open\":true," TM "}"},
        {"projects", "project.openshift.io", "{" TM ",\"spec\":{\"finalizers\":[\"string\"]},\"status\":\"object\"}"},
        {"projectrequests", "project.openshift.io", "{" TM ",\"displayName\":\"string\",\"description\":\"string\"}"},
        {"users", "user.openshift.io", "{" TM ",\"fullName\":\"string\",\"identities\":[\"string\"],\"groups\":[\"string\"]}"},
        {"identities", "user.openshift.io", "{" TM ",\"providerName\":\"string\",\"providerUserName\":\"string\",\"user\":" OBJREF ",\"extra\":\"map\"}"},
        {"groups", "user.openshift.io", "{" TM ",\"users\":[\"string\"]}"},
        {"oauthaccesstokens", "oauth.openshift.io",
         "{" TM ",\"clientName\":\"string\",\"expiresIn\":\"integer\",\"scopes\":[\"string\"],\"redirectURI\":\"string\","
         "\"userName\":\"string\",\"userUID\":\"string\",\"authorizeToken\":\"string\",\"refreshToken\":\"string\",\"inactivityTimeoutSeconds\":\"int32\"}"},
        {"oauthclients", "oauth.openshift.io",
         "{" TM ",\"secret\":\"string\",\"additionalSecrets\":[\"string\"],\"respondWithChallenges\":\"boolean\",\"redirectURIs\":[\"string\"],"
         "\"grantMethod\":\"string\",\"scopeRestrictions\":\"array\",\"accessTokenMaxAgeSeconds\":\"int32\",\"accessTokenInactivityTimeoutSeconds\":\"int32\"}"},
        /* core kinds: types checked, unknown fields allowed */
        {"pods", "", "{\"$open\":true," TM ",\"spec\":{\"$open\":true,\"containers\":[" CONTAINER "],\"initContainers\":[" CONTAINER "],"
         "\"nodeName\":\"string\",\"hostNetwork\":\"boolean\",\"hostPID\":\"boolean\",\"hostIPC\":\"boolean\",\"serviceAccountName\":\"string\","
         "\"restartPolicy\":\"string\",\"terminationGracePeriodSeconds\":\"integer\",\"nodeSelector\":\"map\",\"securityContext\":\"object\",\"volumes\":\"array\"}}"},
        {"services", "", "{\"$open\":true," TM ",\"spec\":{\"$open\":true,\"type\":\"string\",\"clusterIP\":\"string\",\"selector\":\"map\","
         "\"ports\":[{\"$open\":true,\"name\":\"string\",\"port\":\"int32\",\"targetPort\":\"intstr\",\"protocol\":\"string\",\"nodePort\":\"int32\"}]}}"},
        {"configmaps", "", "{" TM ",\"data\":\"map\",\"binaryData\":\"map\",\"immutable\":\"boolean\"}"},
        {"secrets", "", "{" TM ",\"data\":\"map\",\"stringData\":\"map\",\"type\":\"string\",\"immutable\":\"boolean\"}"},
        {"namespaces", "", "{" TM ",\"spec\":{\"finalizers\":[\"string\"]},\"status\":\"object\"}"},
        {"replicationcontrollers", "", "{\"$open\":true," TM ",\"spec\":{\"$open\":true,\"replicas\":\"int32\",\"selector\":\"map\",\"template\":\"object\"}}"},
        {"endpoints", "", "{\"$open\":true," TM ",\"subsets\":[{\"addresses\":\"array\",\"notReadyAddresses\":\"array\","
         "\"ports\":[{\"name\":\"string\",\"port\":\"int32\",\"protocol\":\"string\",\"appProtocol\":\"string\"}]}]}"},
};

static cJSON *parsed[OCX_ARRAY_SIZE(sources)];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void parse_all(void) {
        for (size_t i = 0; i < OCX_ARRAY_SIZE(sources); i++) {
                _cleanup_error_ ocx_error *e = NULL;
                if (ocx_json_parse(sources[i].text, strlen(sources[i].text), &parsed[i], &e) < 0) {
                        log_error("schema for %s is broken: %s", sources[i].plural, e->message);
                        abort();
                }
        }
}

const cJSON *api_schema_for(const api_kind *k) {
        pthread_once(&once, parse_all);
        for (size_t i = 0; i < OCX_ARRAY_SIZE(sources); i++)
                if (ocx_streq(sources[i].plural, k->plural) && ocx_streq(sources[i].group, k->group)) return parsed[i];
        return NULL;
}
