/* scc — volume type mapping and the projected service-account special case. */
#include "scc/volumes.h"
#include <string.h>
#include "ocx/json.h"
#include "ocx/banned.h"

/* JSON member name → FSType, in the upstream precedence order. */
static const struct {
        const char *key, *fstype;
} sources[] = {
        {"hostPath", "hostPath"},
        {"emptyDir", "emptyDir"},
        {"gcePersistentDisk", "gcePersistentDisk"},
        {"awsElasticBlockStore", "awsElasticBlockStore"},
        {"gitRepo", "gitRepo"},
        {"secret", "secret"},
        {"nfs", "nfs"},
        {"iscsi", "iscsi"},
        {"glusterfs", "glusterfs"},
        {"persistentVolumeClaim", "persistentVolumeClaim"},
        {"rbd", "rbd"},
        {"flexVolume", "flexVolume"},
        {"cinder", "cinder"},
        {"cephfs", "cephFS"},
        {"flocker", "flocker"},
        {"downwardAPI", "downwardAPI"},
        {"fc", "fc"},
        {"azureFile", "azureFile"},
        {"configMap", "configMap"},
        {"vsphereVolume", "vsphere"},
        {"quobyte", "quobyte"},
        {"azureDisk", "azureDisk"},
        {"photonPersistentDisk", "photonPersistentDisk"},
        {"projected", "projected"},
        {"portworxVolume", "portworxVolume"},
        {"scaleIO", "scaleIO"},
        {"storageos", "storageOS"},
        {"csi", "csi"},
        {"ephemeral", "ephemeral"},
        {"image", "image"},
};

const char *const scc_all_fstypes[] = {
        "awsElasticBlockStore", "azureDisk", "azureFile", "cephFS", "cinder", "configMap", "csi",
        "downwardAPI", "emptyDir", "ephemeral", "fc", "flexVolume", "flocker", "gcePersistentDisk",
        "gitRepo", "glusterfs", "hostPath", "image", "iscsi", "nfs", "persistentVolumeClaim",
        "photonPersistentDisk", "portworxVolume", "projected", "quobyte", "rbd", "scaleIO", "secret",
        "storageOS", "vsphere", NULL,
};

bool scc_fstype_known(const char *s) {
        if (!strcmp(s, "*") || !strcmp(s, "none") || !strcmp(s, "serviceAccountToken")) return true;
        for (size_t i = 0; scc_all_fstypes[i]; i++)
                if (strcmp(s, scc_all_fstypes[i]) == 0) return true;
        return false;
}

const char *scc_volume_fstype(const cJSON *volume) {
        for (size_t i = 0; i < OCX_ARRAY_SIZE(sources); i++) {
                const cJSON *v = ocx_json_get(volume, sources[i].key);
                if (v && !cJSON_IsNull(v)) return sources[i].fstype;
        }
        return NULL;
}

bool scc_volumes_allow(const scc_strv *volumes, const char *fstype) {
        return scc_strv_has(volumes, "*") || scc_strv_has(volumes, fstype);
}

/* A configMap projection of exactly one item key→path with the given name. */
static bool one_item_cm(const cJSON *cm, const char *name, const char *item) {
        if (!ocx_streq(ocx_json_get_str(cm, "name"), name)) return false;
        const cJSON *items = ocx_json_get(cm, "items");
        if (!cJSON_IsArray(items) || cJSON_GetArraySize(items) != 1) return false;
        const cJSON *it = cJSON_GetArrayItem(items, 0);
        return ocx_streq(ocx_json_get_str(it, "key"), item) && ocx_streq(ocx_json_get_str(it, "path"), item);
}

static bool source_ok(const cJSON *src) {
        const cJSON *v;
        int kinds = 0;
        bool ok = true;
        if ((v = ocx_json_get(src, "serviceAccountToken")) && !cJSON_IsNull(v)) {
                kinds++;
                const char *aud = ocx_json_get_str(v, "audience");
                ok = ok && ocx_streq(ocx_json_get_str(v, "path"), "token") && (!aud || !*aud);
        }
        if ((v = ocx_json_get(src, "configMap")) && !cJSON_IsNull(v)) {
                kinds++;
                ok = ok && (one_item_cm(v, "kube-root-ca.crt", "ca.crt") ||
                            one_item_cm(v, "openshift-service-ca.crt", "service-ca.crt"));
        }
        if ((v = ocx_json_get(src, "downwardAPI")) && !cJSON_IsNull(v)) {
                kinds++;
                const cJSON *items = ocx_json_get(v, "items"), *it;
                if (items && !cJSON_IsArray(items)) ok = false;
                cJSON_ArrayForEach(it, items) {
                        const cJSON *fr = ocx_json_get(it, "fieldRef");
                        if (!ocx_streq(ocx_json_get_str(it, "path"), "namespace") ||
                            !ocx_streq(ocx_json_get_str(fr, "apiVersion"), "v1") ||
                            !ocx_streq(ocx_json_get_str(fr, "fieldPath"), "metadata.namespace"))
                                ok = false;
                }
        }
        return ok && kinds > 0;
}

bool scc_projected_is_sa_token(const cJSON *projected) {
        const cJSON *sources_ = ocx_json_get(projected, "sources"), *s;
        if (!cJSON_IsArray(sources_)) return false;
        cJSON_ArrayForEach(s, sources_) {
                if (!source_ok(s)) return false;
        }
        return true;
}
