#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include "ocx/json.h"
#include "ocx/selector.h"

static cJSON *J(const char *s) {
        cJSON *j = NULL;
        assert_int_equal(ocx_json_parse(s, strlen(s), &j, NULL), 0);
        return j;
}

static bool lmatch(const char *sel, const char *labels_json) {
        _cleanup_(ocx_selector_freep) ocx_selector *s = NULL;
        _cleanup_error_ ocx_error *e = NULL;
        if (ocx_label_selector_parse(sel, &s, &e) < 0) fail_msg("parse '%s': %s", sel, e->message);
        _cleanup_json_ cJSON *l = labels_json ? J(labels_json) : NULL;
        return ocx_label_selector_match(s, l);
}

static void label_match(void **state) {
        (void)state;
        const char *L = "{\"app\":\"web\",\"tier\":\"front\",\"ver\":\"3\"}";
        assert_true(lmatch("", L));
        assert_true(lmatch(NULL, L));
        assert_true(lmatch("   ", NULL));
        assert_true(lmatch("app=web", L));
        assert_true(lmatch("app==web", L));
        assert_false(lmatch("app=db", L));
        assert_false(lmatch("app!=web", L));
        assert_true(lmatch("app!=db", L));
        assert_true(lmatch("missing!=x", L));
        assert_true(lmatch("app in (db, web)", L));
        assert_false(lmatch("app notin (db,web)", L));
        assert_true(lmatch("missing notin (a)", L));
        assert_false(lmatch("missing in (a)", L));
        assert_true(lmatch("app", L));
        assert_false(lmatch("!app", L));
        assert_true(lmatch("!missing", L));
        assert_false(lmatch("missing", L));
        assert_true(lmatch(" app = web , tier in(front) ,!missing,ver", L));
        assert_false(lmatch("app=web,tier=back", L));
        assert_true(lmatch("ver>2,ver<4", L));
        assert_false(lmatch("ver>3", L));
        assert_true(lmatch("app=", "{\"app\":\"\"}"));
        assert_false(lmatch("app=", L));
        assert_true(lmatch("app in (x,)", "{\"app\":\"\"}"));
        /* keywords are plain values in value position */
        assert_true(lmatch("app in (in,notin)", "{\"app\":\"notin\"}"));
        assert_true(lmatch("app.kubernetes.io/name=x", "{\"app.kubernetes.io/name\":\"x\"}"));
        assert_false(lmatch("app=web", NULL));
        assert_true(lmatch("!app", NULL));
}

static void label_errors(void **state) {
        (void)state;
        static const struct {
                const char *sel, *msg;
        } cases[] = {
                {"app=web,", "found '', expected: identifier after ','"},
                {",app", "found ',', expected: !, identifier, or 'end of string'"},
                {"app web", "unable to parse requirement: found 'web', expected: in, notin, =, ==, !=, gt, lt"},
                {"app in web", "unable to parse requirement: found 'web' expected: '('"},
                {"app in (a b)", "unable to parse requirement: found 'b', expected: ',' or ')'"},
                {"app in (a", "unable to parse requirement: found '', expected: ',' or ')'"},
                {"app in (=)", "unable to parse requirement: found '=', expected: ',', ')' or identifier"},
                {"app=(x)", "unable to parse requirement: found '(', expected: identifier"},
                {"app=a=b", "found '=', expected: ',' or 'end of string'"},
                {"!app=x", "found '=', expected: ',' or 'end of string'"},
                {"ver>x", "unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer"},
                {"-app=x",
                 "unable to parse requirement: invalid label key \"-app\": name part must consist of alphanumeric "
                 "characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. "
                 "'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
                 "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"},
                {"app=-web",
                 "unable to parse requirement: invalid label value: \"-web\": at key: \"app\": a valid label must be "
                 "an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end "
                 "with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for "
                 "validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"},
        };
        for (size_t i = 0; i < OCX_ARRAY_SIZE(cases); i++) {
                ocx_selector *s = NULL;
                _cleanup_error_ ocx_error *e = NULL;
                assert_int_equal(ocx_label_selector_parse(cases[i].sel, &s, &e), -EINVAL);
                assert_null(s);
                assert_string_equal(e->message, cases[i].msg);
        }
}

static bool smatch(const char *sel_json, const char *labels) {
        _cleanup_json_ cJSON *sj = sel_json ? J(sel_json) : NULL;
        _cleanup_(ocx_selector_freep) ocx_selector *s = NULL;
        _cleanup_error_ ocx_error *e = NULL;
        if (ocx_label_selector_from_json(sj, &s, &e) < 0) fail_msg("%s", e->message);
        _cleanup_json_ cJSON *l = J(labels);
        return ocx_label_selector_match(s, l);
}

static void structured(void **state) {
        (void)state;
        const char *L = "{\"app\":\"web\",\"env\":\"prod\"}";
        assert_true(smatch("{}", L));
        assert_false(smatch(NULL, L)); /* a null selector selects nothing */
        assert_true(smatch("{\"matchLabels\":{\"app\":\"web\"}}", L));
        assert_false(smatch("{\"matchLabels\":{\"app\":\"web\",\"env\":\"dev\"}}", L));
        assert_true(smatch("{\"matchExpressions\":[{\"key\":\"env\",\"operator\":\"In\",\"values\":[\"prod\",\"qa\"]}]}", L));
        assert_false(smatch("{\"matchExpressions\":[{\"key\":\"env\",\"operator\":\"NotIn\",\"values\":[\"prod\"]}]}", L));
        assert_true(smatch("{\"matchExpressions\":[{\"key\":\"app\",\"operator\":\"Exists\"}]}", L));
        assert_true(smatch("{\"matchExpressions\":[{\"key\":\"tier\",\"operator\":\"DoesNotExist\"}],"
                           "\"matchLabels\":{\"app\":\"web\"}}", L));

        static const struct {
                const char *json, *field, *msg;
        } bad[] = {
                {"{\"matchExpressions\":[{\"key\":\"a\",\"operator\":\"Foo\"}]}", "matchExpressions[0]",
                 "\"Foo\" is not a valid label selector operator"},
                {"{\"matchExpressions\":[{\"key\":\"a\",\"operator\":\"In\",\"values\":[]}]}", "matchExpressions[0]",
                 "for 'in', 'notin' operators, values set can't be empty"},
                {"{\"matchExpressions\":[{\"key\":\"a\",\"operator\":\"Exists\",\"values\":[\"x\"]}]}",
                 "matchExpressions[0]", "values set must be empty for exists and does not exist"},
                {"{\"matchLabels\":{\"a\":1}}", "matchLabels", "value of 'a' must be a string"},
        };
        for (size_t i = 0; i < OCX_ARRAY_SIZE(bad); i++) {
                _cleanup_json_ cJSON *sj = J(bad[i].json);
                ocx_selector *s = NULL;
                _cleanup_error_ ocx_error *e = NULL;
                assert_int_equal(ocx_label_selector_from_json(sj, &s, &e), -EINVAL);
                assert_string_equal(e->field, bad[i].field);
                assert_string_equal(e->message, bad[i].msg);
        }
}

static bool fmatch(const char *sel, const char *obj) {
        _cleanup_(ocx_selector_freep) ocx_selector *s = NULL;
        _cleanup_error_ ocx_error *e = NULL;
        if (ocx_field_selector_parse(sel, &s, &e) < 0) fail_msg("%s", e->message);
        _cleanup_json_ cJSON *o = J(obj);
        return ocx_field_selector_match(s, o);
}

static void fields(void **state) {
        (void)state;
        const char *P = "{\"metadata\":{\"name\":\"web-1\",\"namespace\":\"test\"},\"spec\":{\"replicas\":3,"
                        "\"paused\":false},\"status\":{\"phase\":\"Running\"}}";
        assert_true(fmatch("", P));
        assert_true(fmatch("metadata.name=web-1", P));
        assert_true(fmatch("metadata.name==web-1,status.phase!=Pending", P));
        assert_false(fmatch("status.phase!=Running", P));
        assert_true(fmatch("spec.replicas=3,spec.paused=false", P));
        assert_true(fmatch("spec.nodeName=", P));
        assert_false(fmatch("spec.nodeName!=", P));
        assert_true(fmatch("metadata.name=a\\,b", "{\"metadata\":{\"name\":\"a,b\"}}"));
        assert_true(fmatch("metadata.name=a\\=b\\\\", "{\"metadata\":{\"name\":\"a=b\\\\\"}}"));
        {
                _cleanup_(ocx_selector_freep) ocx_selector *s = NULL;
                assert_int_equal(ocx_field_selector_parse(",,", &s, NULL), 0);
                assert_true(ocx_selector_empty(s));
        }
        static const struct {
                const char *sel, *msg;
        } bad[] = {
                {"metadata.name", "invalid selector: 'metadata.name'; can't understand 'metadata.name'"},
                {"a=b,c", "invalid selector: 'a=b,c'; can't understand 'c'"},
                {"a=b=c", "invalid field selector: unescaped character ="},
                {"a=b\\x", "invalid field selector: invalid escape sequence: \\x"},
                {"a=b\\", "invalid field selector: invalid escape sequence: \\"},
        };
        for (size_t i = 0; i < OCX_ARRAY_SIZE(bad); i++) {
                ocx_selector *s = NULL;
                _cleanup_error_ ocx_error *e = NULL;
                assert_int_equal(ocx_field_selector_parse(bad[i].sel, &s, &e), -EINVAL);
                assert_null(s);
                assert_string_equal(e->message, bad[i].msg);
        }
}

static void empty(void **state) {
        (void)state;
        _cleanup_(ocx_selector_freep) ocx_selector *a = NULL, *b = NULL, *c = NULL;
        assert_int_equal(ocx_label_selector_parse("", &a, NULL), 0);
        assert_true(ocx_selector_empty(a));
        assert_int_equal(ocx_label_selector_parse("a", &b, NULL), 0);
        assert_false(ocx_selector_empty(b));
        assert_int_equal(ocx_label_selector_from_json(NULL, &c, NULL), 0);
        assert_false(ocx_selector_empty(c));
        assert_null(ocx_selector_free(NULL));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(label_match), cmocka_unit_test(label_errors), cmocka_unit_test(structured),
                cmocka_unit_test(fields),      cmocka_unit_test(empty),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
