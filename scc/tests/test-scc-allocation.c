/* Namespace allocation (spec 4) and the pre-allocation parsers used by
 * admission (matcher_test.go: ParseSupplementalGroupAnnotation,
 * GetPreallocatedFSGroup/SupplementalGroups; mcs/label_test.go vectors). */
#include "scc-test-util.h"
#include "scc/allocation.h"
#include "ocx/banned.h"

static void block_parse(void **state) {
        (void)state;
        static const struct {
                const char *in;
                uint32_t start, end;
                const char *err;
        } cases[] = {
                {"1000660000/10000", 1000660000, 1000669999, NULL},
                {"1-5", 1, 5, NULL},
                {"1/5", 1, 5, NULL},
                {"1/5,6/5", 1, 5, NULL}, /* scanf ignores the tail */
                {" 7/3", 7, 9, NULL},
                {"", 0, 0, "unexpected EOF"},
                {"foo", 0, 0, "expected integer"},
                {"5", 0, 0, "unexpected EOF"},
                {"5x", 0, 0, "input does not match format"},
                {"5/", 0, 0, "unexpected EOF"},
                {"/5", 0, 0, "expected integer"},
                {"-1-5", 0, 0, "expected integer"},
                {"4294967296/1", 0, 0, "unsigned integer overflow on token 4294967296"},
                {"99999999999999999999/1", 0, 0, "strconv.ParseUint: parsing \"99999999999999999999\": value out of range"},
        };
        for (size_t i = 0; i < OCX_ARRAY_SIZE(cases); i++) {
                scc_block b = {0, 0};
                ocx_error *e = NULL;
                int r = scc_block_parse(cases[i].in, &b, &e);
                if (cases[i].err) {
                        assert_true(r < 0);
                        assert_string_equal(e->message, cases[i].err);
                } else {
                        assert_int_equal(r, 0);
                        assert_int_equal(b.start, cases[i].start);
                        assert_int_equal(b.end, cases[i].end);
                }
                ocx_error_free(e);
        }
        char *s = scc_block_format((scc_block){1000660000, 1000669999});
        assert_string_equal(s, "1000660000/10000");
        free(s);
}

static void parse_supplemental_group_annotation(void **state) {
        (void)state;
        scc_block *b = NULL;
        size_t n = 0;
        assert_int_equal(scc_blocks_parse("1/5,6/5,11/5", &b, &n, NULL), 0);
        assert_int_equal(n, 3);
        assert_int_equal(b[2].start, 11);
        assert_int_equal(b[2].end, 15);
        free(b);
        assert_int_equal(scc_blocks_parse("1-5,6-10", &b, &n, NULL), 0);
        assert_int_equal(n, 2);
        free(b);
        ocx_error *e = NULL;
        assert_true(scc_blocks_parse("", &b, &n, &e) < 0);
        assert_string_equal(e->message, "unexpected EOF");
        ocx_error_free(e);
}

static void preallocated_groups(void **state) {
        (void)state;
        scc_ns_info ns;
        /* fallback to uid-range → fsGroup {1,1} */
        cJSON *a = J("{'openshift.io/sa.scc.uid-range':'1/5','openshift.io/sa.scc.mcs':'s0:c1,c0'}");
        assert_int_equal(scc_ns_info_init(&ns, "n", a, NULL), 0);
        assert_null(ns.groups_err);
        assert_int_equal(ns.n_groups, 1);
        assert_int_equal(ns.groups[0].min, 1);
        assert_int_equal(ns.groups[0].max, 5);
        scc_ns_info_release(&ns);
        cJSON_Delete(a);
        /* bad group value */
        a = J("{'openshift.io/sa.scc.uid-range':'1/5','openshift.io/sa.scc.mcs':'s0:c1,c0','openshift.io/sa.scc.supplemental-groups':'foo'}");
        assert_int_equal(scc_ns_info_init(&ns, "n", a, NULL), 0);
        assert_string_equal(ns.groups_err, "expected integer");
        scc_ns_info_release(&ns);
        cJSON_Delete(a);
        /* empty */
        a = J("{'openshift.io/sa.scc.uid-range':'1/5','openshift.io/sa.scc.mcs':'','openshift.io/sa.scc.supplemental-groups':''}");
        assert_int_equal(scc_ns_info_init(&ns, "n", a, NULL), 0);
        assert_string_equal(ns.groups_err,
                            "unable to find groups using openshift.io/sa.scc.supplemental-groups and openshift.io/sa.scc.uid-range annotations");
        assert_string_equal(ns.mcs_err, "found annotation openshift.io/sa.scc.mcs but it was empty");
        scc_ns_info_release(&ns);
        cJSON_Delete(a);
        /* missing */
        a = J("{}");
        ocx_error *e = NULL;
        assert_int_equal(scc_ns_info_init(&ns, "n", a, &e), -EACCES);
        assert_string_equal(e->message, "error fetching namespace \"n\": unable to find annotation openshift.io/sa.scc.uid-range");
        ocx_error_free(e);
        cJSON_Delete(a);
}

static void mcs_vectors(void **state) {
        (void)state;
        static const struct {
                const char *label;
                uint64_t rank;
        } v[] = {{"c1,c0", 0}, {"c2,c0", 1}, {"c3", 3}, {"c3,c0", 3}, {"c3,c1,c0", 1}, {"c10,c2,c0", 121}, {"c1021,c1020", 521730},
                 {"s0:c26,c5", 330}};
        for (size_t i = 0; i < OCX_ARRAY_SIZE(v); i++) {
                uint64_t r = 0;
                assert_int_equal(scc_mcs_rank(v[i].label, &r, NULL), 0);
                assert_int_equal(r, v[i].rank);
        }
        uint64_t r;
        assert_true(scc_mcs_rank("c1,c1", &r, NULL) < 0);
        assert_true(scc_mcs_rank("x1,c0", &r, NULL) < 0);
        assert_true(scc_mcs_rank("s0:", &r, NULL) < 0);
        char *c = NULL;
        assert_int_equal(scc_mcs_categories(521730, 1024, 2, &c, NULL), 0);
        assert_string_equal(c, "c1021,c1020");
        free(c);
        assert_true(scc_mcs_categories(523776, 1024, 2, &c, NULL) < 0);
        /* the controller test: n=10 k=2, first namespace gets c1,c0 */
        assert_int_equal(scc_mcs_categories(0, 10, 2, &c, NULL), 0);
        assert_string_equal(c, "c1,c0");
        free(c);
}

/* Spec 4.4 table: index → uid-range → mcs. */
static void allocation_table(void **state) {
        (void)state;
        static const struct {
                uint32_t i;
                const char *uid, *mcs;
        } t[] = {
                {0, "1000000000/10000", "s0:c1,c0"},     {1, "1000010000/10000", "s0:c3,c2"},
                {2, "1000020000/10000", "s0:c5,c0"},     {3, "1000030000/10000", "s0:c6,c0"},
                {4, "1000040000/10000", "s0:c6,c5"},     {5, "1000050000/10000", "s0:c7,c4"},
                {6, "1000060000/10000", "s0:c8,c2"},     {7, "1000070000/10000", "s0:c8,c7"},
                {8, "1000080000/10000", "s0:c9,c4"},     {9, "1000090000/10000", "s0:c10,c0"},
                {10, "1000100000/10000", "s0:c10,c5"},   {13, "1000130000/10000", "s0:c11,c10"},
                {20, "1000200000/10000", "s0:c14,c9"},   {29, "1000290000/10000", "s0:c17,c9"},
                {50, "1000500000/10000", "s0:c22,c19"},  {60, "1000600000/10000", "s0:c25,c0"},
                {61, "1000610000/10000", "s0:c25,c5"},   {62, "1000620000/10000", "s0:c25,c10"},
                {63, "1000630000/10000", "s0:c25,c15"},  {64, "1000640000/10000", "s0:c25,c20"},
                {65, "1000650000/10000", "s0:c26,c0"},   {66, "1000660000/10000", "s0:c26,c5"},
                {67, "1000670000/10000", "s0:c26,c10"},  {68, "1000680000/10000", "s0:c26,c15"},
                {70, "1000700000/10000", "s0:c26,c25"},  {71, "1000710000/10000", "s0:c27,c4"},
                {75, "1000750000/10000", "s0:c27,c24"},  {100, "1001000000/10000", "s0:c32,c4"},
                {1000, "1010000000/10000", "s0:c100,c50"}, {99999, "1999990000/10000", "s0:c1000,c495"},
        };
        for (size_t k = 0; k < OCX_ARRAY_SIZE(t); k++) {
                scc_ns_allocation a;
                assert_int_equal(scc_ns_allocation_for_index(t[k].i, &a, NULL), 0);
                assert_string_equal(a.uid_range, t[k].uid);
                assert_string_equal(a.sup_groups, t[k].uid);
                assert_string_equal(a.mcs, t[k].mcs);
                uint64_t r;
                assert_int_equal(scc_mcs_rank(a.mcs, &r, NULL), 0);
                assert_int_equal(r, (uint64_t)t[k].i * 5);
                scc_ns_allocation_release(&a);
        }
        scc_ns_allocation a;
        ocx_error *e = NULL;
        assert_int_equal(scc_ns_allocation_for_index(100000, &a, &e), -ERANGE);
        assert_string_equal(e->message, "uid range exceeded");
        ocx_error_free(e);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(block_parse),
                cmocka_unit_test(parse_supplemental_group_annotation),
                cmocka_unit_test(preallocated_groups),
                cmocka_unit_test(mcs_vectors),
                cmocka_unit_test(allocation_table),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
