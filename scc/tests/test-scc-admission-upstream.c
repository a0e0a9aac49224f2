/* SCC admission: the upstream admission_test.go case families, on custom SCC
 * sets and on the default ones. */
#include "scc-test-util.h"
#include "scc/pod.h"
#include "ocx/banned.h"

/* ---- helpers for custom SCC sets ---- */

/* A lax SCC usable by "developer"; extra is spliced into the object. */
static cJSON *lax(const char *name, const char *extra) {
        char *s = ocx_xasprintf("{'metadata':{'name':'%s'},'runAsUser':{'type':'RunAsAny'},"
                                "'seLinuxContext':{'type':'RunAsAny'},'fsGroup':{'type':'RunAsAny'},"
                                "'supplementalGroups':{'type':'RunAsAny'},'volumes':['*'],'allowPrivilegeEscalation':true,"
                                "'users':['developer'],'groups':[]}",
                                name);
        cJSON *j = J(s);
        free(s);
        cJSON *over = Jf(ocx_xasprintf("{%s}", extra ? extra : "")), *e;
        cJSON_ArrayForEach(e, over) ocx_json_set(j, e->string, cJSON_Duplicate(e, true));
        cJSON_Delete(over);
        return j;
}

static cJSON *arr1(cJSON *a) {
        cJSON *r = cJSON_CreateArray();
        cJSON_AddItemToArray(r, a);
        return r;
}

/* ---- TestAdmitCaps ---- */

static void admit_caps(void **state) {
        (void)state;
        static const struct {
                const char *scc, *caps, *want_caps; /* want_caps NULL = rejected */
        } cases[] = {
                {"", "{'add':['foo']}", NULL},                                          /* not allowed */
                {"'allowedCapabilities':['foo']", "{'add':['foo']}", "{'add':['foo']}"}, /* allowed */
                {"'defaultAddCapabilities':['foo']", "{'add':['foo']}", "{'add':['foo']}"},
                {"'requiredDropCapabilities':['foo']", "{'add':['foo']}", NULL},
                {"'requiredDropCapabilities':['foo']", "{'drop':['foo']}", "{'drop':['foo']}"},
                {"'defaultAddCapabilities':['foo']", NULL, "{'add':['foo']}"},
                {"'requiredDropCapabilities':['foo']", NULL, "{'drop':['foo']}"},
                {"'allowedCapabilities':['*']", "{'add':['foo','bar']}", "{'add':['foo','bar']}"},
        };
        cJSON *ns = ns66();
        for (size_t i = 0; i < OCX_ARRAY_SIZE(cases); i++) {
                for (size_t l = 0; l < 3; l++) {
                        const char *list = scc_container_lists[l];
                        char *pod = cases[i].caps
                                            ? ocx_xasprintf("{'spec':{'%s':[{'name':'c','securityContext':{'capabilities':%s}}]}}",
                                                            list, cases[i].caps)
                                            : ocx_xasprintf("{'spec':{'%s':[{'name':'c'}]}}", list);
                        cJSON *sccs = arr1(lax("caps", cases[i].scc));
                        scc_decision d;
                        char *msg = NULL;
                        int rc = run(sccs, pod, ns, &d, &msg);
                        if (!cases[i].want_caps) {
                                assert_int_equal(rc, -EACCES);
                                assert_non_null(strstr(msg, "capabilit"));
                        } else {
                                if (rc != 0) fprintf(stderr, "case %zu/%s: %s\n", i, list, msg);
                                assert_int_equal(rc, 0);
                                cJSON *want = J(cases[i].want_caps);
                                assert_true(ocx_json_equal(ocx_json_path(ctr(d.pod, list, 0), "securityContext.capabilities"), want));
                                cJSON_Delete(want);
                                scc_decision_release(&d);
                        }
                        free(msg);
                        free(pod);
                        cJSON_Delete(sccs);
                }
        }
        cJSON_Delete(ns);
}

static void admit_caps_message(void **state) {
        (void)state;
        cJSON *ns = ns66(), *sccs = arr1(lax("caps", "'requiredDropCapabilities':['SETUID']"));
        scc_decision d;
        char *msg;
        assert_int_equal(run(sccs, "{'spec':{'containers':[{'name':'c','securityContext':{'capabilities':{'add':['SETUID']}}}]}}",
                             ns, &d, &msg),
                         -EACCES);
        assert_string_equal(msg, "unable to validate against any security context constraint: "
                                 "provider caps: .containers[0].capabilities.add: Invalid value: \"SETUID\": capability may not be added");
        free(msg);
        cJSON_Delete(sccs);
        cJSON_Delete(ns);
}

/* ---- TestFailClosedOnInvalidPod ---- */

static void fail_closed_on_invalid_pod(void **state) {
        (void)state;
        cJSON *ns = ns66(), *sccs = arr1(lax("any", NULL));
        scc_decision d;
        char *msg;
        assert_int_equal(run(sccs, "{'spec':{'containers':[{'name':'c','securityContext':{'runAsUser':'root'}}]}}", ns, &d, &msg),
                         -EACCES);
        assert_string_equal(msg, "object was marked as kind pod but was unable to be converted: "
                                 "spec.containers[0].securityContext.runAsUser: expected an integer in range");
        free(msg);
        assert_int_equal(run(sccs, "[1]", ns, &d, &msg), -EACCES);
        assert_true(ocx_startswith(msg, "object was marked as kind pod"));
        free(msg);
        cJSON_Delete(sccs);
        cJSON_Delete(ns);
}

/* ---- TestShouldIgnore / TestShouldIgnoreMetaChanges ---- */

static void should_ignore(void **state) {
        (void)state;
        cJSON *pod = J("{'metadata':{'name':'p'},'spec':{'containers':[{'name':'c'}]}}");
        cJSON *win = J("{'spec':{'os':{'name':'windows'},'containers':[{'name':'c'}]}}");
        cJSON *lin = J("{'spec':{'os':{'name':'linux'},'containers':[{'name':'c'}]}}");
        scc_request r = {.op = SCC_OP_CREATE, .pod = win};
        assert_true(scc_should_ignore(&r));
        r.pod = lin;
        assert_false(scc_should_ignore(&r));
        r.pod = pod;
        assert_false(scc_should_ignore(&r));
        r.subresource = "status";
        assert_true(scc_should_ignore(&r));
        r.subresource = "exec";
        assert_true(scc_should_ignore(&r));
        r.subresource = "ephemeralcontainers";
        assert_false(scc_should_ignore(&r));
        r.subresource = "resize";
        assert_false(scc_should_ignore(&r));
        /* updates */
        r = (scc_request){.op = SCC_OP_UPDATE, .pod = pod, .old_pod = pod};
        assert_true(scc_should_ignore(&r)); /* nothing changed at all */
        cJSON *img = J("{'metadata':{'name':'p'},'spec':{'containers':[{'name':'c','image':'new'}]}}");
        r.pod = img;
        assert_false(scc_should_ignore(&r));
        cJSON *ovn = J("{'metadata':{'name':'p','annotations':{'k8s.ovn.org/pod-networks':'{}'},"
                       "'ownerReferences':[{'uid':'u'}],'finalizers':['f']},'spec':{'containers':[{'name':'c'}]}}");
        r.pod = ovn;
        assert_true(scc_should_ignore(&r));
        cJSON *other = J("{'metadata':{'name':'p','annotations':{'x':'y'}},'spec':{'containers':[{'name':'c'}]}}");
        r.pod = other;
        assert_false(scc_should_ignore(&r));
        cJSON *labels = J("{'metadata':{'name':'p','labels':{'x':'y'}},'spec':{'containers':[{'name':'c'}]}}");
        r.pod = labels;
        assert_false(scc_should_ignore(&r));
        cJSON *objs[] = {pod, win, lin, img, ovn, other, labels};
        for (size_t i = 0; i < OCX_ARRAY_SIZE(objs); i++) cJSON_Delete(objs[i]);
}

/* ---- TestAdmitSuccess / TestAdmitFailure ---- */

static cJSON *success_ns(void) {
        return J("{'openshift.io/sa.scc.uid-range':'1/3','openshift.io/sa.scc.mcs':'s0:c1,c0',"
                 "'openshift.io/sa.scc.supplemental-groups':'2/3'}");
}

static cJSON *success_sccs(void) {
        return J("[{'metadata':{'name':'scc-sa-exact'},'runAsUser':{'type':'MustRunAs','uid':999},"
                 "'seLinuxContext':{'type':'MustRunAs','seLinuxOptions':{'level':'s9:z0,z1'}},"
                 "'fsGroup':{'type':'MustRunAs','ranges':[{'min':999,'max':999}]},"
                 "'supplementalGroups':{'type':'MustRunAs','ranges':[{'min':999,'max':999}]},"
                 "'users':['system:serviceaccount:test:default'],'groups':[]},"
                 "{'metadata':{'name':'scc-sa'},'runAsUser':{'type':'MustRunAsRange'},"
                 "'seLinuxContext':{'type':'MustRunAs'},'fsGroup':{'type':'MustRunAs'},"
                 "'supplementalGroups':{'type':'MustRunAs'},"
                 "'users':['system:serviceaccount:test:default'],'groups':[]}]");
}

static void admit_success(void **state) {
        (void)state;
        static const char *const pods[] = {
                /* specifyUIDInRange */
                "{'spec':{'serviceAccountName':'default','containers':[{'name':'c','securityContext':{'runAsUser':3}}]}}",
                /* specifyLabels */
                "{'spec':{'serviceAccountName':'default','containers':[{'name':'c','securityContext':{'seLinuxOptions':{'level':'s0:c0,c1'}}}]}}",
                /* specifyFSGroup */
                "{'spec':{'serviceAccountName':'default','securityContext':{'fsGroup':2},'containers':[{'name':'c'}]}}",
                /* specifySupGroup */
                "{'spec':{'serviceAccountName':'default','securityContext':{'supplementalGroups':[3]},'containers':[{'name':'c'}]}}",
                /* specifyPodLevelSELinuxLevel */
                "{'spec':{'serviceAccountName':'default','securityContext':{'seLinuxOptions':{'level':'s0:c1,c0'}},'containers':[{'name':'c'}]}}",
        };
        cJSON *ns = success_ns(), *sccs = success_sccs();
        for (size_t i = 0; i < OCX_ARRAY_SIZE(pods); i++) {
                scc_decision d;
                char *msg = NULL;
                int rc = run(sccs, pods[i], ns, &d, &msg);
                if (rc) fprintf(stderr, "case %zu: %s\n", i, msg);
                assert_int_equal(rc, 0);
                assert_string_equal(d.scc, "scc-sa");
                assert_string_equal(d.subject_type, "serviceaccount");
                assert_string_equal(jstr(d.pod, "spec.securityContext.seLinuxOptions.level"), "s0:c1,c0");
                if (i != 3) {
                        assert_int_equal(cJSON_GetArrayItem(ocx_json_path(d.pod, "spec.securityContext.supplementalGroups"), 0)->valuedouble, 2);
                }
                assert_int_equal(jint(d.pod, "spec.securityContext.fsGroup"), 2);
                const cJSON *c = ctr(d.pod, "containers", 0);
                assert_int_equal(jint(c, "securityContext.runAsUser"), i == 0 ? 3 : 1);
                assert_true(cJSON_IsTrue(ocx_json_path(c, "securityContext.runAsNonRoot")));
                scc_decision_release(&d);
        }
        cJSON_Delete(sccs);
        cJSON_Delete(ns);
}

static void admit_failure(void **state) {
        (void)state;
        static const struct {
                const char *pod, *needle;
        } cases[] = {
                {"{'spec':{'containers':[{'name':'c','securityContext':{'runAsUser':1001}}]}}",
                 "provider scc-sa: .containers[0].runAsUser: Invalid value: 1001: must be in the ranges: [1, 3]"},
                {"{'spec':{'containers':[{'name':'c','securityContext':{'seLinuxOptions':{'level':'s1:q0,q1'}}}]}}",
                 "provider scc-sa: .containers[0].seLinuxOptions.level: Invalid value: \"s1:q0,q1\": must be s0:c1,c0"},
                {"{'spec':{'containers':[{'name':'c','securityContext':{'privileged':true}}]}}",
                 "provider scc-sa: .containers[0].privileged: Invalid value: true: Privileged containers are not allowed"},
                {"{'spec':{'hostNetwork':true,'containers':[{'name':'c'}]}}",
                 "provider scc-sa: .spec.securityContext.hostNetwork: Invalid value: true: Host network is not allowed to be used"},
                {"{'spec':{'containers':[{'name':'c','ports':[{'hostPort':8001}]}]}}",
                 "provider scc-sa: .containers[0].containers[0].hostPort: Invalid value: 8001: Host ports are not allowed to be used"},
                {"{'spec':{'hostPID':true,'containers':[{'name':'c'}]}}",
                 "provider scc-sa: .spec.securityContext.hostPID: Invalid value: true: Host PID is not allowed to be used"},
                {"{'spec':{'hostIPC':true,'containers':[{'name':'c'}]}}",
                 "provider scc-sa: .containers[0].hostIPC: Invalid value: true: Host IPC is not allowed to be used"},
                {"{'spec':{'securityContext':{'supplementalGroups':[1]},'containers':[{'name':'c'}]}}",
                 "provider scc-sa: .spec.securityContext.supplementalGroups: Invalid value: []int64{1}: 1 is not an allowed group"},
                {"{'spec':{'securityContext':{'fsGroup':1},'containers':[{'name':'c'}]}}",
                 "provider scc-sa: .spec.securityContext.fsGroup: Invalid value: []int64{1}: 1 is not an allowed group"},
                {"{'spec':{'securityContext':{'seLinuxOptions':{'level':'s0:c1,c0','user':'u','role':'r','type':'t'}},'containers':[{'name':'c'}]}}",
                 "provider scc-sa: .spec.securityContext.seLinuxOptions.role: Invalid value: \"r\": must be "},
        };
        cJSON *ns = success_ns(), *sccs = success_sccs();
        for (size_t i = 0; i < OCX_ARRAY_SIZE(cases); i++) {
                scc_decision d;
                char *msg = NULL;
                char *pod = ocx_xasprintf("%s", cases[i].pod);
                /* same pods with the service account */
                cJSON *pj = J(pod);
                ocx_json_set_str(ocx_json_get(pj, "spec"), "serviceAccountName", "default");
                scc_request r = req_for(pj, ns, NULL);
                assert_int_equal(admit_msg(sccs, &r, &d, &msg), -EACCES);
                if (!strstr(msg, cases[i].needle)) fprintf(stderr, "case %zu: %s\n", i, msg);
                assert_non_null(strstr(msg, cases[i].needle));
                free(msg);
                /* all pass once a lax scc-admin is usable */
                cJSON *more = cJSON_Duplicate(sccs, true);
                cJSON_AddItemToArray(more, lax("scc-admin", "'allowPrivilegedContainer':true,'allowHostNetwork':true,"
                                                            "'allowHostPorts':true,'allowHostPID':true,'allowHostIPC':true"));
                assert_int_equal(admit_msg(more, &r, &d, &msg), 0);
                assert_string_equal(d.scc, "scc-admin");
                scc_decision_release(&d);
                cJSON_Delete(more);
                cJSON_Delete(pj);
                free(pod);
        }
        cJSON_Delete(sccs);
        cJSON_Delete(ns);
}

/* ---- TestCreateProvidersFromConstraints ---- */

static void create_providers(void **state) {
        (void)state;
        static const struct {
                const char *scc, *ns, *err; /* err NULL = ok */
        } cases[] = {
                /* valid non-preallocated */
                {"'runAsUser':{'type':'MustRunAs','uid':1}", "{'openshift.io/sa.scc.uid-range':'1/3','openshift.io/sa.scc.mcs':'s0:c1,c0'}", NULL},
                /* valid preallocated */
                {"'runAsUser':{'type':'MustRunAsRange'},'seLinuxContext':{'type':'MustRunAs'},'fsGroup':{'type':'MustRunAs'},"
                 "'supplementalGroups':{'type':'MustRunAs'}",
                 "{'openshift.io/sa.scc.uid-range':'1/3','openshift.io/sa.scc.mcs':'s0:c1,c0','openshift.io/sa.scc.supplemental-groups':'1/5'}", NULL},
                /* no uid annotation */
                {"'runAsUser':{'type':'MustRunAsRange'}", "{'openshift.io/sa.scc.mcs':'s0:c1,c0'}",
                 "error fetching namespace \"test\": unable to find annotation openshift.io/sa.scc.uid-range"},
                /* no mcs annotation */
                {"'seLinuxContext':{'type':'MustRunAs'}", "{'openshift.io/sa.scc.uid-range':'1/3'}",
                 "error fetching namespace \"test\": unable to find annotation openshift.io/sa.scc.mcs"},
                /* empty uid annotation */
                {"'runAsUser':{'type':'MustRunAsRange'}", "{'openshift.io/sa.scc.uid-range':'','openshift.io/sa.scc.mcs':'s0:c1,c0'}",
                 "unable to find pre-allocated uid annotation for namespace test while trying to configure SCC p: "
                 "found annotation openshift.io/sa.scc.uid-range but it was empty"},
                /* empty mcs annotation */
                {"'seLinuxContext':{'type':'MustRunAs'}", "{'openshift.io/sa.scc.uid-range':'1/3','openshift.io/sa.scc.mcs':''}",
                 "unable to find pre-allocated mcs annotation for namespace test while trying to configure SCC p: "
                 "found annotation openshift.io/sa.scc.mcs but it was empty"},
                /* group falls back to the uid annotation */
                {"'fsGroup':{'type':'MustRunAs'}", "{'openshift.io/sa.scc.uid-range':'1/3','openshift.io/sa.scc.mcs':'s0:c1,c0'}", NULL},
                /* a bad group value fails */
                {"'supplementalGroups':{'type':'MustRunAs'}",
                 "{'openshift.io/sa.scc.uid-range':'1/3','openshift.io/sa.scc.mcs':'s0:c1,c0','openshift.io/sa.scc.supplemental-groups':'foo'}",
                 "unable to find pre-allocated group annotation for namespace test while trying to configure SCC p: expected integer"},
                /* bad strategy options */
                {"'runAsUser':{'type':'MustRunAs'}", "{'openshift.io/sa.scc.uid-range':'1/3','openshift.io/sa.scc.mcs':'s0:c1,c0'}",
                 "error creating provider for SCC p in namespace test: MustRunAs requires a UID"},
                {"'runAsUser':{'type':'MustRunAsRange','uidRangeMin':5}", "{'openshift.io/sa.scc.uid-range':'1/3','openshift.io/sa.scc.mcs':'s0:c1,c0'}",
                 "error creating provider for SCC p in namespace test: MustRunAsRange requires a UIDRangeMax"},
                {"'runAsUser':{'type':'Bogus'}", "{'openshift.io/sa.scc.uid-range':'1/3','openshift.io/sa.scc.mcs':'s0:c1,c0'}",
                 "error creating provider for SCC p in namespace test: Unrecognized RunAsUser strategy type Bogus"},
                {"'fsGroup':{'type':''}", "{'openshift.io/sa.scc.uid-range':'1/3','openshift.io/sa.scc.mcs':'s0:c1,c0'}",
                 "error creating provider for SCC p in namespace test: Unrecognized FSGroup strategy type "},
                {"'seLinuxContext':{'type':'Nope'}", "{'openshift.io/sa.scc.uid-range':'1/3','openshift.io/sa.scc.mcs':'s0:c1,c0'}",
                 "error creating provider for SCC p in namespace test: Unrecognized SELinuxContext strategy type Nope"},
        };
        for (size_t i = 0; i < OCX_ARRAY_SIZE(cases); i++) {
                cJSON *base = lax("p", NULL), *over = Jf(ocx_xasprintf("{%s}", cases[i].scc)), *e;
                cJSON_ArrayForEach(e, over) ocx_json_set(base, e->string, cJSON_Duplicate(e, true));
                cJSON *sccs = arr1(base), *ns = J(cases[i].ns);
                scc_decision d;
                char *msg = NULL;
                int rc = run(sccs, "{'spec':{'containers':[{'name':'c'}]}}", ns, &d, &msg);
                if (!cases[i].err) {
                        if (rc) fprintf(stderr, "case %zu: %s\n", i, msg);
                        assert_int_equal(rc, 0);
                        scc_decision_release(&d);
                } else {
                        assert_int_equal(rc, -EACCES);
                        assert_string_equal(msg, cases[i].err);
                }
                free(msg);
                cJSON_Delete(over);
                cJSON_Delete(sccs);
                cJSON_Delete(ns);
        }
}

/* One broken custom SCC blocks every pod (quirk 3). */
static void broken_scc_blocks_all(void **state) {
        (void)state;
        cJSON *sccs = load_default_sccs(), *ns = ns66();
        cJSON_AddItemToArray(sccs, J("{'metadata':{'name':'broken'},'runAsUser':{'type':'MustRunAs'},"
                                     "'seLinuxContext':{'type':'RunAsAny'},'fsGroup':{'type':'RunAsAny'},"
                                     "'supplementalGroups':{'type':'RunAsAny'}}"));
        scc_decision d;
        char *msg;
        assert_int_equal(run(sccs, APP, ns, &d, &msg), -EACCES);
        assert_string_equal(msg, "error creating provider for SCC broken in namespace test: MustRunAs requires a UID");
        free(msg);
        cJSON_Delete(sccs);
        cJSON_Delete(ns);
}

/* ---- TestMatchingSecurityContextConstraints / TestSCCAuthorizationChecker ---- */

static void matching_sccs(void **state) {
        (void)state;
        cJSON *ns = ns66();
        static const char *const grp[] = {"g1", NULL};
        static const char *const use_p[] = {"p", NULL};
        cJSON *pod = J("{'spec':{'serviceAccountName':'sa','containers':[{'name':'c'}]}}");
        struct {
                const char *scc_extra;
                const char *user;
                grant g;
                const char *want; /* subject type or NULL = denied */
        } cases[] = {
                {"'users':[],'groups':[]", "u", {0}, NULL},                                  /* find none */
                {"'users':['u'],'groups':[]", "u", {0}, "user"},                             /* by user */
                {"'users':[],'groups':['g1']", "u", {0}, "user"},                            /* by group */
                {"'users':[],'groups':[]", "u", {.sccs = use_p, .only_user = "other"}, NULL}, /* authz for another user */
                {"'users':[],'groups':[]", "u", {.sccs = use_p}, "serviceaccount"},           /* authz cluster-wide (SA asked first) */
                {"'users':[],'groups':[]", "u", {.sccs = use_p, .only_user = "u"}, "user"},
                {"'users':[],'groups':[]", "u", {.sccs = use_p, .only_ns = "test", .only_user = "u"}, "user"}, /* in namespace */
                {"'users':[],'groups':[]", "u", {.sccs = use_p, .only_ns = "elsewhere"}, NULL},
                {"'users':['system:serviceaccount:test:sa'],'groups':[]", "u", {0}, "serviceaccount"},
                {"'users':[],'groups':['system:serviceaccounts:test']", "u", {0}, "serviceaccount"},
                {"'users':[],'groups':['system:authenticated']", "u", {0}, NULL}, /* SA carries no system:authenticated */
        };
        for (size_t i = 0; i < OCX_ARRAY_SIZE(cases); i++) {
                cJSON *scc = lax("p", NULL), *over = Jf(ocx_xasprintf("{%s}", cases[i].scc_extra)), *e;
                cJSON_ArrayForEach(e, over) ocx_json_set(scc, e->string, cJSON_Duplicate(e, true));
                cJSON *sccs = arr1(scc);
                scc_request r = req_for(pod, ns, &cases[i].g);
                r.user = cases[i].user;
                r.groups = grp;
                scc_decision d;
                char *msg = NULL;
                int rc = admit_msg(sccs, &r, &d, &msg);
                if (cases[i].want) {
                        if (rc) fprintf(stderr, "case %zu: %s\n", i, msg);
                        assert_int_equal(rc, 0);
                        assert_string_equal(d.subject_type, cases[i].want);
                        scc_decision_release(&d);
                } else {
                        assert_int_equal(rc, -EACCES);
                        assert_string_equal(msg, "unable to validate against any security context constraint: "
                                                 "provider \"p\": Forbidden: not usable by user or serviceaccount");
                }
                free(msg);
                cJSON_Delete(over);
                cJSON_Delete(sccs);
        }
        cJSON_Delete(pod);
        cJSON_Delete(ns);
}

/* ---- TestAdmitWithPrioritizedSCC / TestListOrderedSCCs ---- */

static void list_ordered_sccs(void **state) {
        (void)state;
        cJSON *sccs = J("[{'metadata':{'name':'b'},'priority':1},{'metadata':{'name':'a'},'priority':1},"
                        "{'metadata':{'name':'high'},'priority':10},{'metadata':{'name':'nil'}},"
                        "{'metadata':{'name':'priv'},'allowPrivilegedContainer':true},{'metadata':{'name':'zero'},'priority':0}]");
        scc_set *set;
        assert_int_equal(scc_set_new(sccs, &set, NULL), 0);
        static const char *const want[] = {"high", "a", "b", "nil", "zero", "priv"};
        assert_int_equal(scc_set_size(set), 6);
        for (size_t i = 0; i < 6; i++) assert_string_equal(scc_set_name(set, i), want[i]);
        scc_set_free(set);
        cJSON_Delete(sccs);
        /* the defaults, spec 2.5 */
        sccs = load_default_sccs();
        assert_int_equal(scc_set_new(sccs, &set, NULL), 0);
        static const char *const order[] = {"anyuid", "restricted-v2", "restricted-v3", "restricted", "nested-container",
                                            "nonroot-v2", "nonroot", "hostmount-anyuid", "hostmount-anyuid-v2",
                                            "hostnetwork-v2", "hostnetwork", "hostaccess", "privileged"};
        static const int64_t points[] = {154950, 132010, 132010, 134800, 135020, 142010, 144800,
                                         254950, 284950, 1332010, 1334800, 1434800, 3089000};
        for (size_t i = 0; i < OCX_ARRAY_SIZE(order); i++) {
                assert_string_equal(scc_set_name(set, i), order[i]);
                assert_int_equal(scc_set_get(set, i)->points, points[i]);
        }
        assert_int_equal(scc_set_check_standard(set, NULL), 0);
        scc_set_free(set);
        cJSON_Delete(sccs);
        /* readiness gate */
        sccs = J("[{'metadata':{'name':'restricted'}}]");
        assert_int_equal(scc_set_new(sccs, &set, NULL), 0);
        ocx_error *e = NULL;
        assert_int_equal(scc_set_check_standard(set, &e), -EACCES);
        assert_string_equal(e->message, "securitycontextconstraints.security.openshift.io cache is missing anyuid, hostaccess, "
                                        "hostmount-anyuid, hostnetwork, hostnetwork-v2, nonroot, nonroot-v2, privileged, restricted-v2");
        ocx_error_free(e);
        scc_set_free(set);
        cJSON_Delete(sccs);
}

static void admit_with_prioritized_scc(void **state) {
        (void)state;
        cJSON *ns = ns66();
        cJSON *sccs = cJSON_CreateArray();
        cJSON_AddItemToArray(sccs, lax("matchingPriorityAndScoreSCCOne", "'priority':5,'runAsUser':{'type':'MustRunAs','uid':6}"));
        cJSON_AddItemToArray(sccs, lax("matchingPriorityAndScoreSCCTwo", "'priority':5,'runAsUser':{'type':'MustRunAs','uid':5}"));
        cJSON_AddItemToArray(sccs, lax("lowerPriority", "'priority':1"));
        cJSON_AddItemToArray(sccs, lax("unusable", "'users':[]"));
        scc_decision d;
        char *msg;
        /* admission picks the highest priority, then score, then name: One rejects uid 5, Two accepts */
        assert_int_equal(run(sccs, "{'spec':{'containers':[{'name':'c','securityContext':{'runAsUser':5}}]}}", ns, &d, &msg), 0);
        assert_string_equal(d.scc, "matchingPriorityAndScoreSCCTwo");
        scc_decision_release(&d);
        /* a pod without uid gets the first: uid 6 */
        assert_int_equal(run(sccs, "{'spec':{'containers':[{'name':'c'}]}}", ns, &d, &msg), 0);
        assert_string_equal(d.scc, "matchingPriorityAndScoreSCCOne");
        scc_decision_release(&d);
        /* required-scc forces a lower SCC */
        assert_int_equal(run(sccs, "{'metadata':{'annotations':{'openshift.io/required-scc':'lowerPriority'}},"
                                   "'spec':{'containers':[{'name':'c'}]}}", ns, &d, &msg), 0);
        assert_string_equal(d.scc, "lowerPriority");
        scc_decision_release(&d);
        /* required-scc that does not match: the upstream exact string */
        cJSON *pod = J("{'metadata':{'annotations':{'openshift.io/required-scc':'matchingPriorityAndScoreSCCOne'}},"
                       "'spec':{'containers':[{'name':'c','securityContext':{'runAsUser':5}}]}}");
        scc_request r = req_for(pod, ns, NULL);
        assert_int_equal(admit_msg(sccs, &r, &d, &msg), -EACCES);
        char *full = ocx_xasprintf("pods \"%s\" is forbidden: %s", scc_pod_display_name(pod), msg);
        assert_string_equal(full, "pods \"Unknown\" is forbidden: unable to validate against any security context constraint: "
                                  "provider matchingPriorityAndScoreSCCOne: .containers[0].runAsUser: Invalid value: 5: must be: 6");
        free(full);
        free(msg);
        cJSON_Delete(pod);
        /* required-scc that does not exist / is unusable */
        assert_int_equal(run(sccs, "{'metadata':{'annotations':{'openshift.io/required-scc':'nope'}},'spec':{'containers':[{'name':'c'}]}}",
                             ns, &d, &msg), -EACCES);
        assert_string_equal(msg, "failed to retrieve the required SCC \"nope\": securitycontextconstraints.security.openshift.io \"nope\" not found");
        free(msg);
        assert_int_equal(run(sccs, "{'metadata':{'annotations':{'openshift.io/required-scc':'unusable'}},'spec':{'containers':[{'name':'c'}]}}",
                             ns, &d, &msg), -EACCES);
        assert_string_equal(msg, "unable to validate against any security context constraint: "
                                 "provider \"unusable\": Forbidden: not usable by user or serviceaccount");
        free(msg);
        cJSON_Delete(sccs);
        cJSON_Delete(ns);
}

static void empty_scc_list(void **state) {
        (void)state;
        cJSON *ns = ns66(), *sccs = cJSON_CreateArray();
        scc_decision d;
        char *msg;
        assert_int_equal(run(sccs, APP, ns, &d, &msg), -EACCES);
        assert_string_equal(msg, "no SecurityContextConstraints found in cluster");
        free(msg);
        cJSON_Delete(sccs);
        cJSON_Delete(ns);
}

/* ---- TestAdmitSeccomp ---- */

static void admit_seccomp(void **state) {
        (void)state;
        static const struct {
                const char *scc, *ann, *err, *want_pod_ann;
        } cases[] = {
                {"", "", NULL, NULL}, /* none / none */
                {"", "'container.seccomp.security.alpha.kubernetes.io/c':'foo'",
                 "pod.metadata.annotations[container.seccomp.security.alpha.kubernetes.io/c]: Forbidden: seccomp may not be set", NULL},
                {"'seccompProfiles':['foo']", "", NULL, "foo"}, /* generated from the first entry */
                {"'seccompProfiles':['foo']", "'seccomp.security.alpha.kubernetes.io/pod':'foo'", NULL, "foo"},
                {"'seccompProfiles':['foo']", "'container.seccomp.security.alpha.kubernetes.io/c':'foo'", NULL, "foo"},
                {"'seccompProfiles':['foo']",
                 "'seccomp.security.alpha.kubernetes.io/pod':'foo','container.seccomp.security.alpha.kubernetes.io/c':'bar'",
                 "pod.metadata.annotations[container.seccomp.security.alpha.kubernetes.io/c]: Forbidden: bar is not an allowed "
                 "seccomp profile. Valid values are [foo]", NULL},
                {"'seccompProfiles':['*']", "", NULL, NULL},
                {"'seccompProfiles':['*']", "'seccomp.security.alpha.kubernetes.io/pod':'localhost/x'", NULL, "localhost/x"},
                {"'seccompProfiles':['docker/default']", "'seccomp.security.alpha.kubernetes.io/pod':'runtime/default'", NULL,
                 "runtime/default"},
        };
        cJSON *ns = ns66();
        for (size_t i = 0; i < OCX_ARRAY_SIZE(cases); i++) {
                cJSON *sccs = arr1(lax("s", cases[i].scc));
                char *pod = ocx_xasprintf("{'metadata':{'annotations':{%s}},'spec':{'containers':[{'name':'c'}]}}", cases[i].ann);
                scc_decision d;
                char *msg = NULL;
                int rc = run(sccs, pod, ns, &d, &msg);
                if (cases[i].err) {
                        assert_int_equal(rc, -EACCES);
                        char *want = ocx_xasprintf("unable to validate against any security context constraint: provider s: %s",
                                                   cases[i].err);
                        /* seccomp errors carry no provider root */
                        assert_string_equal(msg + strlen("unable to validate against any security context constraint: "),
                                            cases[i].err);
                        free(want);
                } else {
                        if (rc) fprintf(stderr, "case %zu: %s\n", i, msg);
                        assert_int_equal(rc, 0);
                        const char *a = jstr(d.pod, "metadata.annotations");
                        (void)a;
                        const char *got = ocx_json_get_str(ocx_json_path(d.pod, "metadata.annotations"),
                                                           "seccomp.security.alpha.kubernetes.io/pod");
                        if (cases[i].want_pod_ann) assert_string_equal(got, cases[i].want_pod_ann);
                        else assert_null(got);
                        scc_decision_release(&d);
                }
                free(msg);
                free(pod);
                cJSON_Delete(sccs);
        }
        cJSON_Delete(ns);
}

/* ---- TestAdmitPreferNonmutatingWhenPossible ---- */

static void prefer_nonmutating(void **state) {
        (void)state;
        cJSON *ns = ns66();
        /* "mutating" defaults runAsUser 1000; "nonmutating" accepts anything and sorts after it */
        cJSON *sccs = cJSON_CreateArray();
        cJSON_AddItemToArray(sccs, lax("mutating", "'runAsUser':{'type':'MustRunAs','uid':1000}"));
        cJSON_AddItemToArray(sccs, lax("nonmutating", ""));
        scc_decision d;
        char *msg;
        /* create: the most restrictive wins although it mutates */
        assert_int_equal(run(sccs, "{'spec':{'containers':[{'name':'c'}]}}", ns, &d, &msg), 0);
        assert_string_equal(d.scc, "mutating");
        assert_int_equal(jint(ctr(d.pod, "containers", 0), "securityContext.runAsUser"), 1000);
        scc_decision_release(&d);
        /* update: the most restrictive non-mutating one */
        cJSON *old = J("{'spec':{'containers':[{'name':'c','image':'a'}]}}");
        cJSON *pod = J("{'spec':{'containers':[{'name':'c','image':'b'}]}}");
        scc_request r = req_for(pod, ns, NULL);
        r.op = SCC_OP_UPDATE;
        r.old_pod = old;
        assert_int_equal(admit_msg(sccs, &r, &d, &msg), 0);
        assert_string_equal(d.scc, "nonmutating");
        assert_true(ocx_json_equal(ocx_json_get(d.pod, "spec"), ocx_json_get(pod, "spec")));
        scc_decision_release(&d);
        /* update with only mutating SCCs is rejected with an empty aggregate */
        cJSON *only = arr1(lax("mutating", "'runAsUser':{'type':'MustRunAs','uid':1000}"));
        assert_int_equal(admit_msg(only, &r, &d, &msg), -EACCES);
        assert_string_equal(msg, "unable to validate against any security context constraint: <nil>");
        free(msg);
        /* update that already carries the defaults passes under the mutating SCC */
        cJSON *done = J("{'spec':{'containers':[{'name':'c','image':'b','securityContext':{'runAsUser':1000,'runAsNonRoot':true}}]}}");
        r.pod = done;
        assert_int_equal(admit_msg(only, &r, &d, &msg), 0);
        assert_string_equal(d.scc, "mutating");
        scc_decision_release(&d);
        /* ephemeralcontainers: only the ephemeral containers may be mutated */
        cJSON *eph = J("{'spec':{'containers':[{'name':'c','securityContext':{'runAsUser':1000,'runAsNonRoot':true}}],"
                       "'ephemeralContainers':[{'name':'dbg'}]}}");
        r.pod = eph;
        r.subresource = "ephemeralcontainers";
        assert_int_equal(admit_msg(only, &r, &d, &msg), 0);
        assert_int_equal(jint(ctr(d.pod, "ephemeralContainers", 0), "securityContext.runAsUser"), 1000);
        scc_decision_release(&d);
        cJSON *eph2 = J("{'spec':{'containers':[{'name':'c'}],'ephemeralContainers':[{'name':'dbg'}]}}");
        r.pod = eph2;
        assert_int_equal(admit_msg(only, &r, &d, &msg), -EACCES);
        free(msg);
        r.subresource = NULL;
        /* changing or adding required-scc on update fails */
        cJSON *req_added = J("{'metadata':{'annotations':{'openshift.io/required-scc':'nonmutating'}},"
                             "'spec':{'containers':[{'name':'c','image':'b'}]}}");
        r.pod = req_added;
        assert_int_equal(admit_msg(sccs, &r, &d, &msg), -EACCES);
        assert_string_equal(msg, "invalid change of required security context constraint annotation: openshift.io/required-scc");
        free(msg);
        cJSON *objs[] = {old, pod, only, done, eph, eph2, req_added, sccs, ns};
        for (size_t i = 0; i < OCX_ARRAY_SIZE(objs); i++) cJSON_Delete(objs[i]);
}

/* An update may not change the SCC-relevant fields of a running pod: a pod
 * admitted as restricted-v2 cannot turn on hostPID or drop its defaults. */
static void update_cannot_escalate(void **state) {
        (void)state;
        cJSON *sccs = load_default_sccs(), *ns = ns66(), *pod = J(APP);
        grant g = {.sccs = only_v2};
        scc_request r = req_for(pod, ns, &g);
        scc_decision created;
        char *msg;
        assert_int_equal(admit_msg(sccs, &r, &created, &msg), 0);
        /* unchanged update passes (ignored as nothing changed) */
        r.op = SCC_OP_UPDATE;
        r.old_pod = created.pod;
        r.pod = created.pod;
        scc_decision d;
        assert_int_equal(admit_msg(sccs, &r, &d, &msg), 0);
        assert_true(d.ignored);
        /* image change: restricted-v2 accepts it as a no-op */
        cJSON *img = cJSON_Duplicate(created.pod, true);
        ocx_json_set_str(cJSON_GetArrayItem(ocx_json_path(img, "spec.containers"), 0), "image", "y");
        r.pod = img;
        assert_int_equal(admit_msg(sccs, &r, &d, &msg), 0);
        assert_string_equal(d.scc, "restricted-v2");
        scc_decision_release(&d);
        /* hostPID turned on */
        cJSON *pid = cJSON_Duplicate(created.pod, true);
        cJSON_AddTrueToObject(ocx_json_get(pid, "spec"), "hostPID");
        r.pod = pid;
        assert_int_equal(admit_msg(sccs, &r, &d, &msg), -EACCES);
        assert_non_null(strstr(msg, "provider restricted-v2: .spec.securityContext.hostPID: Invalid value: true: Host PID is not allowed to be used"));
        free(msg);
        /* runAsUser removed: restricted-v2 would have to mutate → rejected */
        cJSON *nouid = cJSON_Duplicate(created.pod, true);
        cJSON_DeleteItemFromObjectCaseSensitive(ocx_json_path(cJSON_GetArrayItem(ocx_json_path(nouid, "spec.containers"), 0), "securityContext"), "runAsUser");
        r.pod = nouid;
        assert_int_equal(admit_msg(sccs, &r, &d, &msg), -EACCES);
        free(msg);
        cJSON *objs[] = {img, pid, nouid, sccs, ns, pod};
        for (size_t i = 0; i < OCX_ARRAY_SIZE(objs); i++) cJSON_Delete(objs[i]);
        scc_decision_release(&created);
}

/* ---- TestRestrictedMessage ---- */

static void restricted_message(void **state) {
        (void)state;
        scc_decision d;
        char *msg;
        assert_int_equal(admit_default("{'spec':{'containers':[{'name':'a','securityContext':{'allowPrivilegeEscalation':true}}]}}",
                                       only_v2, &d, &msg),
                         -EACCES);
        assert_non_null(strstr(msg, "provider restricted-v2: .containers[0].allowPrivilegeEscalation: Invalid value: true: "
                                    "Allowing privilege escalation for containers is not allowed"));
        const char *hint = "no access to scc/restricted: Forbidden: the pod fails to validate against the `restricted-v2` "
                           "security context constraint, but would validate successfully against the `restricted` security "
                           "context constraint]";
        assert_non_null(strstr(msg, hint));
        free(msg);
        /* no hint when restricted would not accept the pod either */
        assert_int_equal(admit_default("{'spec':{'hostPID':true,'containers':[{'name':'a'}]}}", only_v2, &d, &msg), -EACCES);
        assert_null(strstr(msg, "no access to scc/restricted"));
        free(msg);
}

/* ---- TestAdmitValidatedSCCSubjectType ---- */

static void validated_scc_subject_type(void **state) {
        (void)state;
        cJSON *ns = ns66();
        cJSON *sccs = arr1(lax("p", "'users':['system:serviceaccount:test:default']"));
        scc_decision d;
        char *msg;
        assert_int_equal(run(sccs, "{'spec':{'serviceAccountName':'default','containers':[{'name':'c'}]}}", ns, &d, &msg), 0);
        assert_string_equal(ocx_json_get_str(ocx_json_path(d.pod, "metadata.annotations"), SCC_ANN_SUBJECT_TYPE), "serviceaccount");
        assert_string_equal(ocx_json_get_str(ocx_json_path(d.pod, "metadata.annotations"), SCC_ANN_SCC), "p");
        scc_decision_release(&d);
        cJSON_Delete(sccs);
        sccs = arr1(lax("p", NULL));
        assert_int_equal(run(sccs, "{'spec':{'serviceAccountName':'default','containers':[{'name':'c'}]}}", ns, &d, &msg), 0);
        assert_string_equal(d.subject_type, "user");
        scc_decision_release(&d);
        cJSON_Delete(sccs);
        cJSON_Delete(ns);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(admit_caps),
                cmocka_unit_test(admit_caps_message),
                cmocka_unit_test(fail_closed_on_invalid_pod),
                cmocka_unit_test(should_ignore),
                cmocka_unit_test(admit_success),
                cmocka_unit_test(admit_failure),
                cmocka_unit_test(create_providers),
                cmocka_unit_test(broken_scc_blocks_all),
                cmocka_unit_test(matching_sccs),
                cmocka_unit_test(list_ordered_sccs),
                cmocka_unit_test(admit_with_prioritized_scc),
                cmocka_unit_test(empty_scc_list),
                cmocka_unit_test(admit_seccomp),
                cmocka_unit_test(prefer_nonmutating),
                cmocka_unit_test(update_cannot_escalate),
                cmocka_unit_test(restricted_message),
                cmocka_unit_test(validated_scc_subject_type),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
