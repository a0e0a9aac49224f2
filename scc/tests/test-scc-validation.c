/* SCC object defaulting (spec 1.4) and validation (1.5); the shipped default
 * SCCs must all be valid and already defaulted. */
#include "scc-test-util.h"
#include "scc/validation.h"
#include "ocx/banned.h"

static void defaults_are_valid_and_stable(void **state) {
        (void)state;
        cJSON *sccs = load_default_sccs(), *e;
        assert_int_equal(cJSON_GetArraySize(sccs), 13);
        cJSON_ArrayForEach(e, sccs) {
                ocx_error *err = NULL;
                if (scc_object_check(e, &err) < 0) fprintf(stderr, "%s: %s\n", jstr(e, "metadata.name"), err->message);
                assert_null(err);
                cJSON *d = cJSON_Duplicate(e, true);
                assert_int_equal(scc_object_set_defaults(d), 0);
                assert_true(ocx_json_equal(d, e)); /* the files are stored defaulted */
                cJSON_Delete(d);
        }
        /* issue data points */
        assert_string_equal(jstr(find_scc(sccs, "restricted"), "runAsUser.type"), "MustRunAsRange");
        assert_string_equal(cJSON_GetArrayItem(ocx_json_get(find_scc(sccs, "restricted"), "groups"), 0)->valuestring,
                            "system:authenticated");
        assert_string_equal(cJSON_GetArrayItem(ocx_json_get(find_scc(sccs, "anyuid"), "groups"), 0)->valuestring,
                            "system:cluster-admins");
        assert_int_equal(cJSON_GetArraySize(ocx_json_get(find_scc(sccs, "privileged"), "groups")), 3);
        cJSON_Delete(sccs);
}

static void set_defaults(void **state) {
        (void)state;
        static const struct {
                const char *in, *want_volumes;
        } cases[] = {
                {"{}", "['awsElasticBlockStore','azureDisk','azureFile','cephFS','cinder','configMap','csi','downwardAPI',"
                       "'emptyDir','ephemeral','fc','flexVolume','flocker','gcePersistentDisk','gitRepo','glusterfs','image',"
                       "'iscsi','nfs','persistentVolumeClaim','photonPersistentDisk','portworxVolume','projected','quobyte',"
                       "'rbd','scaleIO','secret','storageOS','vsphere']"},
                {"{'volumes':[]}", "['none']"},
                {"{'volumes':[],'allowHostDirVolumePlugin':true}", "['hostPath']"},
                {"{'volumes':['secret','hostPath']}", "['secret']"},
                {"{'volumes':['secret'],'allowHostDirVolumePlugin':true}", "['hostPath','secret']"},
                {"{'volumes':['*'],'allowHostDirVolumePlugin':true}", "['*']"},
        };
        for (size_t i = 0; i < OCX_ARRAY_SIZE(cases); i++) {
                cJSON *o = J(cases[i].in), *want = J(cases[i].want_volumes);
                assert_int_equal(scc_object_set_defaults(o), 0);
                assert_true(ocx_json_equal(ocx_json_get(o, "volumes"), want));
                assert_string_equal(jstr(o, "fsGroup.type"), "RunAsAny");
                assert_string_equal(jstr(o, "supplementalGroups.type"), "RunAsAny");
                assert_true(cJSON_IsArray(ocx_json_get(o, "users")));
                assert_true(cJSON_IsTrue(ocx_json_get(o, "allowPrivilegeEscalation")));
                cJSON_Delete(o);
                cJSON_Delete(want);
        }
}

static const char *BASE = "'metadata':{'name':'x'},'runAsUser':{'type':'RunAsAny'},'seLinuxContext':{'type':'RunAsAny'},"
                          "'fsGroup':{'type':'RunAsAny'},'supplementalGroups':{'type':'RunAsAny'}";

static void validation_errors(void **state) {
        (void)state;
        static const struct {
                const char *extra, *want;
        } cases[] = {
                {"'priority':-1", "priority: Invalid value: -1: priority cannot be negative"},
                {"'priority':3000000000", "priority: Invalid value: 3000000000: must be a 32-bit integer"},
                {"'priority':'high'", "priority: Invalid value: \"high\": must be a 32-bit integer"},
                {"'runAsUser':{'type':'Foo'}",
                 "runAsUser.type: Invalid value: \"Foo\": invalid strategy type.  Valid values are MustRunAs, MustRunAsNonRoot, MustRunAsRange, RunAsAny"},
                {"'runAsUser':{'type':'MustRunAs','uid':-1}", "runAsUser.uid: Invalid value: -1: uid cannot be negative"},
                {"'runAsUser':{'type':'MustRunAsRange','uidRangeMin':2000,'uidRangeMax':1000}",
                 "runAsUser.uidRangeMin: Invalid value: 2000: min cannot be greater than max"},
                {"'runAsUser':{'type':'MustRunAsRange','uidRangeMin':-5,'uidRangeMax':10}",
                 "runAsUser.uidRangeMin: Invalid value: -5: min cannot be negative"},
                {"'runAsUser':{'type':'MustRunAsRange','uidRangeMin':1e300}",
                 "runAsUser.uidRangeMin: Invalid value: 1e+300: must be a 64-bit integer"},
                {"'seLinuxContext':{'type':'Bar'}",
                 "seLinuxContext.type: Invalid value: \"Bar\": invalid strategy type.  Valid values are MustRunAs, RunAsAny"},
                {"'fsGroup':{'type':'X'}", "fsGroup.type: Unsupported value: \"X\": supported values: \"MustRunAs\", \"RunAsAny\""},
                {"'fsGroup':{'type':'MustRunAs','ranges':[{'min':5,'max':1}]}",
                 "fsGroup.ranges[0].min: Invalid value: security.IDRange{Min:5, Max:1}: min cannot be greater than max"},
                {"'supplementalGroups':{'type':'MustRunAs','ranges':[{'min':-1,'max':-2}]}",
                 "[supplementalGroups.ranges[0].min: Invalid value: -1: min cannot be negative, supplementalGroups.ranges[0].max: "
                 "Invalid value: -2: max cannot be negative, supplementalGroups.ranges[0].min: Invalid value: "
                 "security.IDRange{Min:-1, Max:-2}: min cannot be greater than max]"},
                {"'allowedCapabilities':['SETUID'],'requiredDropCapabilities':['SETUID']",
                 "allowedCapabilities: Invalid value: \"SETUID\": capability is listed in allowedCapabilities and requiredDropCapabilities"},
                {"'allowedCapabilities':['*'],'requiredDropCapabilities':['KILL']",
                 "requiredDropCapabilities: Invalid value: []core.Capability{\"KILL\"}: required capabilities must be empty when all "
                 "capabilities are allowed by a wildcard"},
                {"'allowPrivilegeEscalation':false,'defaultAllowPrivilegeEscalation':true",
                 "defaultAllowPrivilegeEscalation: Invalid value: true: Cannot set DefaultAllowPrivilegeEscalation to true without "
                 "also setting AllowPrivilegeEscalation to true"},
                {"'volumes':['none','secret']",
                 "volumes: Invalid value: []security.FSType{\"none\", \"secret\"}: if 'none' is specified, no other values are allowed"},
                {"'volumes':['secret'],'allowedFlexVolumes':[{'driver':'d'}]",
                 "allowedFlexVolumes: Invalid value: []security.AllowedFlexVolume{security.AllowedFlexVolume{Driver:\"d\"}}: volumes "
                 "does not include 'flexVolume' or '*', so no flex volumes are allowed"},
                {"'volumes':['flexVolume'],'allowedFlexVolumes':[{'driver':''}]",
                 "allowedFlexVolumes[0].driver: Required value: must specify a driver"},
                {"'allowedUnsafeSysctls':['*','a.b']", "allowedUnsafeSysctls.items: Forbidden: if '*' is present, must not specify other sysctls"},
                {"'forbiddenSysctls':['Bad!']",
                 "forbiddenSysctls[0]: Invalid value: \"Bad!\": must have at most 253 characters and match regex "
                 "^([a-z0-9]([-_a-z0-9]*[a-z0-9])?\\.)*([a-z0-9][-_a-z0-9]*)?[a-z0-9*]$"},
                {"'allowedUnsafeSysctls':['kernel.msg*'],'forbiddenSysctls':['kernel.*']",
                 "allowedUnsafeSysctls[0]: Invalid value: \"kernel.msg*\": sysctl overlaps with kernel.*"},
                {"'allowedUnsafeSysctls':['kernel.msgmax'],'forbiddenSysctls':['kernel.msgmax']",
                 "allowedUnsafeSysctls[0]: Invalid value: \"kernel.msgmax\": sysctl overlaps with kernel.msgmax"},
                {"'allowHostNetwork':'yes'", "allowHostNetwork: Invalid value: \"yes\": must be a boolean"},
        };
        for (size_t i = 0; i < OCX_ARRAY_SIZE(cases); i++) {
                cJSON *base = Jf(ocx_xasprintf("{%s}", BASE)), *over = Jf(ocx_xasprintf("{%s}", cases[i].extra)), *e;
                cJSON_ArrayForEach(e, over) ocx_json_set(base, e->string, cJSON_Duplicate(e, true));
                ocx_error *err = NULL;
                assert_int_equal(scc_object_check(base, &err), -EINVAL);
                if (strcmp(err->message, cases[i].want) != 0) fprintf(stderr, "case %zu: %s\n", i, err->message);
                assert_string_equal(err->message, cases[i].want);
                ocx_error_free(err);
                cJSON_Delete(base);
                cJSON_Delete(over);
        }
        cJSON *bad_name = J("{'metadata':{'name':'Bad_Name'}}");
        ocx_error *err = NULL;
        assert_int_equal(scc_object_check(bad_name, &err), -EINVAL);
        assert_true(ocx_startswith(err->message, "[metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain"));
        assert_string_equal(err->field, "metadata.name");
        ocx_error_free(err);
        cJSON_Delete(bad_name);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(defaults_are_valid_and_stable),
                cmocka_unit_test(set_defaults),
                cmocka_unit_test(validation_errors),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
