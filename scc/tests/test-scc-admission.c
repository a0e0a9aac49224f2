/* SCC admission: the worked examples of spec 3.14 byte for byte, the validate
 * phase, and the bad inputs of the issue (the upstream admission_test.go case
 * families are in test-scc-admission-upstream.c). */
#include "scc-test-util.h"
#include "ocx/banned.h"

static const char *const only_restricted[] = {"restricted", NULL};
static const char *const only_anyuid_v2[] = {"anyuid", "restricted-v2", NULL};

static void assert_pod(const cJSON *got, const char *want_json) {
        cJSON *want = J(want_json);
        if (!ocx_json_equal(got, want)) {
                char *g = ocx_json_print(got), *w = ocx_json_print(want);
                fprintf(stderr, "got:  %s\nwant: %s\n", g, w);
                free(g);
                free(w);
                fail();
        }
        cJSON_Delete(want);
}

/* ---- spec 3.14 worked examples ---- */

static void worked_example_restricted_v2(void **state) {
        (void)state;
        scc_decision d;
        char *msg;
        assert_int_equal(admit_default(APP, only_v2, &d, &msg), 0);
        assert_string_equal(d.scc, "restricted-v2");
        assert_string_equal(d.subject_type, "user");
        assert_pod(d.pod,
                   "{'metadata':{'name':'app','annotations':{'openshift.io/scc':'restricted-v2',"
                   "'security.openshift.io/validated-scc-subject-type':'user',"
                   "'seccomp.security.alpha.kubernetes.io/pod':'runtime/default'}},"
                   "'spec':{'securityContext':{'fsGroup':1000660000,'seLinuxOptions':{'level':'s0:c26,c5'},"
                   "'seccompProfile':{'type':'RuntimeDefault'}},"
                   "'containers':[{'name':'app','image':'x','securityContext':{'runAsUser':1000660000,"
                   "'runAsNonRoot':true,'capabilities':{'drop':['ALL']},'allowPrivilegeEscalation':false}}]}}");
        scc_decision_release(&d);
}

static void worked_example_restricted(void **state) {
        (void)state;
        scc_decision d;
        char *msg;
        assert_int_equal(admit_default(APP, only_restricted, &d, &msg), 0);
        assert_string_equal(d.scc, "restricted");
        assert_pod(d.pod,
                   "{'metadata':{'name':'app','annotations':{'openshift.io/scc':'restricted',"
                   "'security.openshift.io/validated-scc-subject-type':'user'}},"
                   "'spec':{'securityContext':{'fsGroup':1000660000,'seLinuxOptions':{'level':'s0:c26,c5'}},"
                   "'containers':[{'name':'app','image':'x','securityContext':{'runAsUser':1000660000,"
                   "'runAsNonRoot':true,'capabilities':{'drop':['KILL','MKNOD','SETGID','SETUID']}}}]}}");
        scc_decision_release(&d);
}

static void worked_example_anyuid(void **state) {
        (void)state;
        scc_decision d;
        char *msg;
        assert_int_equal(admit_default(APP, only_anyuid_v2, &d, &msg), 0);
        assert_string_equal(d.scc, "anyuid");
        assert_pod(d.pod,
                   "{'metadata':{'name':'app','annotations':{'openshift.io/scc':'anyuid',"
                   "'security.openshift.io/validated-scc-subject-type':'user'}},"
                   "'spec':{'securityContext':{'seLinuxOptions':{'level':'s0:c26,c5'}},"
                   "'containers':[{'name':'app','image':'x','securityContext':{'capabilities':{'drop':['MKNOD']}}}]}}");
        scc_decision_release(&d);
}

static void worked_example_root_gets_anyuid(void **state) {
        (void)state;
        scc_decision d;
        char *msg;
        assert_int_equal(admit_default("{'spec':{'containers':[{'name':'a','securityContext':{'runAsUser':0}}]}}",
                                       only_anyuid_v2, &d, &msg),
                         0);
        assert_string_equal(d.scc, "anyuid");
        assert_int_equal(jint(ctr(d.pod, "containers", 0), "securityContext.runAsUser"), 0);
        assert_null(ocx_json_path(ctr(d.pod, "containers", 0), "securityContext.runAsNonRoot"));
        scc_decision_release(&d);
}

static const char *const admin_groups[] = {"system:cluster-admins", "system:authenticated", NULL};

static void worked_example_privileged_falls_through(void **state) {
        (void)state;
        cJSON *sccs = load_default_sccs(), *ns = ns66();
        cJSON *pod = J("{'spec':{'containers':[{'name':'a','securityContext':{'privileged':true}}]}}");
        scc_request r = req_for(pod, ns, NULL);
        r.groups = admin_groups;
        scc_decision d;
        char *msg;
        assert_int_equal(admit_msg(sccs, &r, &d, &msg), 0);
        assert_string_equal(d.scc, "privileged");
        assert_string_equal(d.subject_type, "user");
        scc_decision_release(&d);
        cJSON_Delete(pod);
        cJSON_Delete(ns);
        cJSON_Delete(sccs);
}

static void worked_example_host_network_v2_first(void **state) {
        (void)state;
        static const char *const all[] = {"hostnetwork", "hostnetwork-v2", "restricted-v2", NULL};
        scc_decision d;
        char *msg;
        assert_int_equal(admit_default("{'spec':{'hostNetwork':true,'containers':[{'name':'a'}]}}", all, &d, &msg), 0);
        assert_string_equal(d.scc, "hostnetwork-v2");
        /* hostnetwork-v2 has MustRunAs supplemental groups from the namespace */
        assert_int_equal(cJSON_GetArraySize(ocx_json_path(d.pod, "spec.securityContext.supplementalGroups")), 1);
        scc_decision_release(&d);
}

/* The full refusal text for a hostNetwork pod of a developer who may use only
 * restricted-v2 (and restricted through system:authenticated). */
static void refusal_message_byte_for_byte(void **state) {
        (void)state;
        scc_decision d;
        char *msg;
        assert_int_equal(admit_default("{'metadata':{'name':'x'},'spec':{'hostNetwork':true,'containers':[{'name':'a'}]}}",
                                       only_v2, &d, &msg),
                         -EACCES);
        assert_string_equal(
                msg,
                "unable to validate against any security context constraint: ["
                "provider \"anyuid\": Forbidden: not usable by user or serviceaccount, "
                "provider restricted-v2: .spec.securityContext.hostNetwork: Invalid value: true: Host network is not allowed to be used, "
                "provider restricted-v2: .containers[0].hostNetwork: Invalid value: true: Host network is not allowed to be used, "
                "provider \"restricted-v3\": Forbidden: not usable by user or serviceaccount, "
                "provider \"restricted\": Forbidden: not usable by user or serviceaccount, "
                "provider \"nested-container\": Forbidden: not usable by user or serviceaccount, "
                "provider \"nonroot-v2\": Forbidden: not usable by user or serviceaccount, "
                "provider \"nonroot\": Forbidden: not usable by user or serviceaccount, "
                "provider \"hostmount-anyuid\": Forbidden: not usable by user or serviceaccount, "
                "provider \"hostmount-anyuid-v2\": Forbidden: not usable by user or serviceaccount, "
                "provider \"hostnetwork-v2\": Forbidden: not usable by user or serviceaccount, "
                "provider \"hostnetwork\": Forbidden: not usable by user or serviceaccount, "
                "provider \"hostaccess\": Forbidden: not usable by user or serviceaccount, "
                "provider \"privileged\": Forbidden: not usable by user or serviceaccount]");
        free(msg);
}

/* ---- Validate phase (3.12) ---- */

static void validate_phase(void **state) {
        (void)state;
        cJSON *sccs = load_default_sccs(), *ns = ns66(), *pod = J(APP);
        grant g = {.sccs = only_anyuid_v2};
        scc_request r = req_for(pod, ns, &g);
        scc_set *set;
        assert_int_equal(scc_set_new(sccs, &set, NULL), 0);
        scc_decision created, d;
        assert_int_equal(scc_admit(set, &r, &created, NULL), 0);
        assert_string_equal(created.scc, "anyuid");
        r.pod = created.pod;
        assert_int_equal(scc_validate(set, &r, &d, NULL), 0);
        assert_string_equal(d.scc, "anyuid");
        assert_null(d.pod);
        scc_decision_release(&d);
        /* a webhook that adds a privileged container makes it fail, raw list format */
        cJSON *hooked = cJSON_Duplicate(created.pod, true);
        cJSON_AddItemToArray(ocx_json_path(hooked, "spec.containers"),
                             J("{'name':'side','securityContext':{'privileged':true,'capabilities':{'drop':['MKNOD']}}}"));
        r.pod = hooked;
        ocx_error *e = NULL;
        assert_int_equal(scc_validate(set, &r, &d, &e), -EACCES);
        assert_true(ocx_startswith(e->message, "unable to validate against any security context constraint: [provider anyuid: "
                                               ".containers[1].privileged: Invalid value: true: Privileged containers are not allowed "));
        assert_null(strstr(e->message, ", "));
        e = ocx_error_free(e);
        /* required-scc must match the chosen one */
        cJSON *req = cJSON_Duplicate(created.pod, true);
        ocx_json_set_str(ocx_json_path(req, "metadata.annotations"), SCC_ANN_REQUIRED, "restricted-v2");
        r.pod = req;
        assert_int_equal(scc_validate(set, &r, &d, &e), -EACCES);
        assert_string_equal(e->message, "required scc/restricted-v2 does not match the suggested scc/anyuid");
        ocx_error_free(e);
        cJSON *objs[] = {hooked, req, sccs, ns, pod};
        for (size_t i = 0; i < OCX_ARRAY_SIZE(objs); i++) cJSON_Delete(objs[i]);
        scc_decision_release(&created);
        scc_set_free(set);
}

/* ---- bad inputs of the issue, each with its exact error ---- */

static void bad_inputs(void **state) {
        (void)state;
        static const struct {
                const char *pod, *needle;
        } cases[] = {
                {"{'spec':{'containers':[{'name':'a','securityContext':{'runAsUser':0}}]}}",
                 "provider restricted-v2: .containers[0].runAsUser: Invalid value: 0: must be in the ranges: [1000660000, 1000669999]"},
                {"{'spec':{'containers':[{'name':'a','securityContext':{'runAsUser':65532}}]}}",
                 "provider restricted-v2: .containers[0].runAsUser: Invalid value: 65532: must be in the ranges: [1000660000, 1000669999]"},
                {"{'spec':{'containers':[{'name':'a','securityContext':{'privileged':true}}]}}",
                 "provider restricted-v2: .containers[0].privileged: Invalid value: true: Privileged containers are not allowed"},
                {"{'spec':{'containers':[{'name':'a','securityContext':{'capabilities':{'add':['SYS_ADMIN']}}}]}}",
                 "provider restricted-v2: .containers[0].capabilities.add: Invalid value: \"SYS_ADMIN\": capability may not be added"},
                {"{'spec':{'hostNetwork':true,'containers':[{'name':'a'}]}}",
                 "provider restricted-v2: .containers[0].hostNetwork: Invalid value: true: Host network is not allowed to be used"},
                {"{'spec':{'hostPID':true,'containers':[{'name':'a'}]}}",
                 "provider restricted-v2: .containers[0].hostPID: Invalid value: true: Host PID is not allowed to be used"},
                {"{'spec':{'hostIPC':true,'containers':[{'name':'a'}]}}",
                 "provider restricted-v2: .spec.securityContext.hostIPC: Invalid value: true: Host IPC is not allowed to be used"},
                {"{'spec':{'initContainers':[{'name':'i'}],'containers':[{'name':'a','ports':[{'containerPort':80,'hostPort':8080}]}]}}",
                 "provider restricted-v2: .initContainers[0].containers[0].hostPort: Invalid value: 8080: Host ports are not allowed to be used, "
                 "provider restricted-v2: .containers[0].containers[0].hostPort: Invalid value: 8080: Host ports are not allowed to be used"},
                {"{'spec':{'volumes':[{'name':'h','hostPath':{'path':'/'}}],'containers':[{'name':'a'}]}}",
                 "spec.volumes[0]: Invalid value: \"hostPath\": hostPath volumes are not allowed to be used"},
                {"{'spec':{'securityContext':{'seLinuxOptions':{'level':'s0:c1,c2'}},'containers':[{'name':'a'}]}}",
                 "provider restricted-v2: .spec.securityContext.seLinuxOptions.level: Invalid value: \"s0:c1,c2\": must be s0:c26,c5"},
                {"{'spec':{'containers':[{'name':'a','securityContext':{'seLinuxOptions':{'type':'spc_t'}}}]}}",
                 "provider restricted-v2: .containers[0].seLinuxOptions.level: Invalid value: \"\": must be s0:c26,c5, "
                 "provider restricted-v2: .containers[0].seLinuxOptions.type: Invalid value: \"spc_t\": must be , "},
                {"{'spec':{'containers':[{'name':'a','securityContext':{'allowPrivilegeEscalation':true}}]}}",
                 "provider restricted-v2: .containers[0].allowPrivilegeEscalation: Invalid value: true: Allowing privilege escalation for containers is not allowed"},
                {"{'spec':{'securityContext':{'seccompProfile':{'type':'Localhost','localhostProfile':'x.json'}},'containers':[{'name':'a'}]}}",
                 "pod.metadata.annotations[seccomp.security.alpha.kubernetes.io/pod]: Forbidden: localhost/x.json is not an allowed "
                 "seccomp profile. Valid values are [runtime/default]"},
                {"{'spec':{'securityContext':{'sysctls':[{'name':'kernel.msgmax','value':'1'}]},'containers':[{'name':'a'}]}}",
                 "pod.spec.securityContext.sysctls[0]: Forbidden: unsafe sysctl \"kernel.msgmax\" is not allowed"},
                {"{'spec':{'securityContext':{'fsGroup':10001},'containers':[{'name':'a'}]}}",
                 "provider restricted-v2: .spec.securityContext.fsGroup: Invalid value: []int64{10001}: 10001 is not an allowed group"},
        };
        for (size_t i = 0; i < OCX_ARRAY_SIZE(cases); i++) {
                scc_decision d;
                char *msg = NULL;
                int rc = admit_default(cases[i].pod, only_v2, &d, &msg);
                if (rc == 0) scc_decision_release(&d);
                assert_int_equal(rc, -EACCES);
                if (!strstr(msg, cases[i].needle)) fprintf(stderr, "case %zu: %s\n", i, msg);
                assert_non_null(strstr(msg, cases[i].needle));
                free(msg);
        }
}

static void bad_namespaces(void **state) {
        (void)state;
        static const struct {
                const char *ns, *needle;
        } cases[] = {
                {"{}", "error fetching namespace \"test\": unable to find annotation openshift.io/sa.scc.uid-range"},
                {"{'openshift.io/sa.scc.uid-range':'1000660000/10000'}",
                 "error fetching namespace \"test\": unable to find annotation openshift.io/sa.scc.mcs"},
                {"{'openshift.io/sa.scc.uid-range':'abc','openshift.io/sa.scc.mcs':'s0:c26,c5','openshift.io/sa.scc.supplemental-groups':'1/2'}",
                 "unable to find pre-allocated uid annotation for namespace test while trying to configure SCC restricted-v2: expected integer"},
                {"{'openshift.io/sa.scc.uid-range':'1000660000','openshift.io/sa.scc.mcs':'s0:c26,c5'}",
                 "unable to find pre-allocated uid annotation for namespace test while trying to configure SCC restricted-v2: unexpected EOF"},
                {"{'openshift.io/sa.scc.uid-range':'1/2','openshift.io/sa.scc.mcs':'s0:c26,c5','openshift.io/sa.scc.supplemental-groups':'1/2,x'}",
                 "unable to find pre-allocated group annotation for namespace test while trying to configure SCC restricted-v2: expected integer"},
                {"{'openshift.io/sa.scc.uid-range':'1/2','openshift.io/sa.scc.mcs':'s0:c26,c5','openshift.io/sa.scc.supplemental-groups':''}",
                 "unable to find pre-allocated group annotation for namespace test while trying to configure SCC hostnetwork-v2: "
                 "unable to find groups using openshift.io/sa.scc.supplemental-groups and openshift.io/sa.scc.uid-range annotations"},
        };
        cJSON *sccs = load_default_sccs();
        for (size_t i = 0; i < OCX_ARRAY_SIZE(cases); i++) {
                cJSON *ns = J(cases[i].ns);
                scc_decision d;
                char *msg = NULL;
                assert_int_equal(run(sccs, APP, ns, &d, &msg), -EACCES);
                if (!strstr(msg, cases[i].needle)) fprintf(stderr, "case %zu: %s\n", i, msg);
                assert_non_null(strstr(msg, cases[i].needle));
                free(msg);
                cJSON_Delete(ns);
        }
        cJSON_Delete(sccs);
}

static void scc_priority_beyond_int32(void **state) {
        (void)state;
        cJSON *sccs = load_default_sccs(), *ns = ns66();
        cJSON_AddItemToArray(sccs, J("{'metadata':{'name':'big'},'priority':3000000000}"));
        scc_decision d;
        char *msg;
        assert_int_equal(run(sccs, APP, ns, &d, &msg), -EACCES);
        assert_string_equal(msg, "error creating provider for SCC big in namespace test: "
                                 "priority: Invalid value: 3000000000: must be a 32-bit integer");
        free(msg);
        cJSON_Delete(sccs);
        cJSON_Delete(ns);
}
int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(worked_example_restricted_v2),
                cmocka_unit_test(worked_example_restricted),
                cmocka_unit_test(worked_example_anyuid),
                cmocka_unit_test(worked_example_root_gets_anyuid),
                cmocka_unit_test(worked_example_privileged_falls_through),
                cmocka_unit_test(worked_example_host_network_v2_first),
                cmocka_unit_test(refusal_message_byte_for_byte),
                cmocka_unit_test(validate_phase),
                cmocka_unit_test(bad_inputs),
                cmocka_unit_test(bad_namespaces),
                cmocka_unit_test(scc_priority_beyond_int32),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
