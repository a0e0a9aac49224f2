/* apply's three-way merge patch, edit's two-way patch, edit file helpers */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdlib.h>
#include "cli/edit.h"
#include "cli/merge.h"
#include "ocx/json.h"

static cJSON *J(const char *s) {
        cJSON *j = NULL;
        assert_int_equal(ocx_json_parse(s, strlen(s), &j, NULL), 0);
        return j;
}

static void assert_json(const cJSON *got, const char *want) {
        _cleanup_json_ cJSON *w = J(want);
        if (!ocx_json_equal(got, w)) {
                _cleanup_free_ char *g = ocx_json_print(got);
                fail_msg("got %s want %s", g, want);
        }
}

static void two_way(void **state) {
        (void)state;
        _cleanup_json_ cJSON *a = J("{\"spec\":{\"replicas\":1,\"host\":\"x\",\"ports\":[1,2]},\"status\":{\"a\":1}}");
        _cleanup_json_ cJSON *b = J("{\"spec\":{\"replicas\":2,\"ports\":[1]},\"status\":{\"a\":1}}");
        _cleanup_json_ cJSON *p = cli_merge_patch_diff(a, b);
        assert_json(p, "{\"spec\":{\"replicas\":2,\"host\":null,\"ports\":[1]}}");
        _cleanup_json_ cJSON *q = cli_merge_patch_diff(a, a);
        assert_true(cli_patch_is_empty(q));
        cJSON *t = ocx_json_merge_patch(cJSON_Duplicate(a, true), p);
        assert_json(t, "{\"spec\":{\"replicas\":2,\"ports\":[1]},\"status\":{\"a\":1}}");
        cJSON_Delete(t);
}

static void three_way(void **state) {
        (void)state;
        /* last applied had labels.a and spec.x; user removed label a, changed x; server added status and defaults */
        _cleanup_json_ cJSON *last = J("{\"metadata\":{\"name\":\"n\",\"labels\":{\"a\":\"1\",\"b\":\"2\"}},\"spec\":{\"x\":1}}");
        _cleanup_json_ cJSON *live = J("{\"metadata\":{\"name\":\"n\",\"uid\":\"u\",\"labels\":{\"a\":\"1\",\"b\":\"2\","
                                       "\"c\":\"3\"}},\"spec\":{\"x\":1,\"weight\":100},\"status\":{}}");
        _cleanup_json_ cJSON *mod = J("{\"metadata\":{\"name\":\"n\",\"labels\":{\"b\":\"2\"}},\"spec\":{\"x\":2}}");
        _cleanup_json_ cJSON *p = cli_three_way_merge_patch(last, live, mod);
        /* label c (added by someone else) and spec.weight (defaulted) survive */
        assert_json(p, "{\"metadata\":{\"labels\":{\"a\":null}},\"spec\":{\"x\":2}}");
}

static void three_way_unchanged(void **state) {
        (void)state;
        _cleanup_json_ cJSON *mod = J("{\"metadata\":{\"name\":\"n\"},\"spec\":{\"x\":1}}");
        _cleanup_json_ cJSON *live = J("{\"metadata\":{\"name\":\"n\",\"resourceVersion\":\"5\"},\"spec\":{\"x\":1,\"d\":0}}");
        _cleanup_json_ cJSON *p = cli_three_way_merge_patch(mod, live, mod);
        assert_true(cli_patch_is_empty(p));
        _cleanup_json_ cJSON *p2 = cli_three_way_merge_patch(NULL, live, mod);
        assert_true(cli_patch_is_empty(p2));
}

static void edit_file_helpers(void **state) {
        (void)state;
        _cleanup_free_ char *s = cli_edit_strip_comments("# a\nkind: X\n  # indented\nname: y # not a comment line\n");
        assert_string_equal(s, "kind: X\nname: y # not a comment line\n");
        assert_true(cli_edit_is_blank("# only\n\n  \n# comments\n"));
        assert_false(cli_edit_is_blank("# c\na: 1\n"));
        _cleanup_free_ char *c = cli_edit_compose("routes \"x\" was not valid:\n* spec.host: bad", "kind: Route\n");
        assert_string_equal(c, CLI_EDIT_HEADER "# routes \"x\" was not valid:\n# * spec.host: bad\n#\nkind: Route\n");
        _cleanup_free_ char *plain = cli_edit_compose(NULL, "a: 1\n");
        assert_string_equal(plain, CLI_EDIT_HEADER "a: 1\n");
}

static void free_argv(char **v) {
        for (size_t i = 0; v[i]; i++) free(v[i]);
        free(v);
}

static void editor_command_line(void **state) {
        (void)state;
        char **v = cli_editor_argv("vim", "/tmp/f.yaml");
        assert_string_equal(v[0], "vim");
        assert_string_equal(v[1], "/tmp/f.yaml");
        assert_null(v[2]);
        free_argv(v);
        v = cli_editor_argv("code --wait", "/tmp/f.yaml");
        assert_string_equal(v[0], "code");
        assert_string_equal(v[1], "--wait");
        assert_string_equal(v[2], "/tmp/f.yaml");
        free_argv(v);
        setenv("SHELL", "/bin/sh", 1);
        v = cli_editor_argv("emacs -nw '+1'", "/tmp/f.yaml");
        assert_string_equal(v[0], "/bin/sh");
        assert_string_equal(v[1], "-c");
        assert_string_equal(v[2], "emacs -nw '+1' \"/tmp/f.yaml\"");
        free_argv(v);
        unsetenv("OC_EDITOR");
        setenv("KUBE_EDITOR", "nano", 1);
        setenv("EDITOR", "ed", 1);
        assert_string_equal(cli_editor_name(), "nano");
        setenv("OC_EDITOR", "joe", 1);
        assert_string_equal(cli_editor_name(), "joe");
        unsetenv("OC_EDITOR");
        unsetenv("KUBE_EDITOR");
        unsetenv("EDITOR");
        assert_string_equal(cli_editor_name(), "vi");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(two_way),          cmocka_unit_test(three_way),
                cmocka_unit_test(three_way_unchanged), cmocka_unit_test(edit_file_helpers),
                cmocka_unit_test(editor_command_line),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
