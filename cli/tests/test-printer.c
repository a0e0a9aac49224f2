/* tabwriter rule, Table rendering, cells, labels, jsonpath */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include "cli/printer.h"
#include "cli/tabwriter.h"
#include "ocx/json.h"

static char *render(const char *text, int minw, int pad) {
        cli_tabwriter tw;
        cli_tabwriter_init(&tw, minw, pad);
        cli_tabwriter_write(&tw, text);
        ocx_buf out = OCX_BUF_INIT;
        cli_tabwriter_flush(&tw, &out);
        cli_tabwriter_release(&tw);
        return ocx_buf_detach(&out, NULL);
}

static void tabwriter_minwidth_padding_last_column(void **state) {
        (void)state;
        _cleanup_free_ char *s = render("NAME\tREADY\tSTATUS\tRESTARTS\tAGE\n"
                                        "hello-6c9f7d8b5d-x2k4j\t1/1\tRunning\t0\t4m30s\n", 6, 3);
        assert_string_equal(s, "NAME                     READY   STATUS    RESTARTS   AGE\n"
                               "hello-6c9f7d8b5d-x2k4j   1/1     Running   0          4m30s\n");
}

static void tabwriter_blank_line_splits_blocks(void **state) {
        (void)state;
        _cleanup_free_ char *s = render("NAME\tAGE\npod/a-very-long-name\t1s\n\nNAME\tAGE\nsvc/x\t2s\n", 6, 3);
        assert_string_equal(s, "NAME                   AGE\npod/a-very-long-name   1s\n\nNAME    AGE\nsvc/x   2s\n");
}

static void tabwriter_empty_last_cell_keeps_padding(void **state) {
        (void)state;
        _cleanup_free_ char *s = render("A\tB\tC\nx\t\t\n", 6, 3);
        assert_string_equal(s, "A     B     C\nx           \n");
}

static void tabwriter_utf8_width(void **state) {
        (void)state;
        _cleanup_free_ char *s = render("Name:\tx\nAnnotations:\té\n", 0, 2);
        assert_string_equal(s, "Name:         x\nAnnotations:  é\n");
}

static const char *table_json =
        "{\"kind\":\"Table\",\"apiVersion\":\"meta.k8s.io/v1\",\"columnDefinitions\":["
        "{\"name\":\"Name\",\"type\":\"string\",\"format\":\"name\",\"priority\":0},"
        "{\"name\":\"Ready\",\"type\":\"string\",\"priority\":0},"
        "{\"name\":\"Restarts\",\"type\":\"integer\",\"priority\":0},"
        "{\"name\":\"IP\",\"type\":\"string\",\"priority\":1}],"
        "\"rows\":[{\"cells\":[\"web-1\",\"1/1\",0,\"10.0.0.5\"],\"object\":{\"metadata\":{\"name\":\"web-1\","
        "\"namespace\":\"demo\",\"labels\":{\"b\":\"2\",\"a\":\"1\"}}}},"
        "{\"cells\":[\"db\",\"0/1\",12,null],\"object\":{\"metadata\":{\"name\":\"db\",\"namespace\":\"other\"}}}]}";

static char *render_table(const cli_table_opts *o) {
        _cleanup_json_ cJSON *t = NULL;
        assert_int_equal(ocx_json_parse(table_json, strlen(table_json), &t, NULL), 0);
        cli_tabwriter tw;
        cli_tabwriter_init(&tw, 6, 3);
        assert_int_equal(cli_table_write(t, o, true, NULL, &tw), 2);
        ocx_buf out = OCX_BUF_INIT;
        cli_tabwriter_flush(&tw, &out);
        cli_tabwriter_release(&tw);
        return ocx_buf_detach(&out, NULL);
}

static void table_default(void **state) {
        (void)state;
        cli_table_opts o = {0};
        _cleanup_free_ char *s = render_table(&o);
        assert_string_equal(s, "NAME    READY   RESTARTS\nweb-1   1/1     0\ndb      0/1     12\n");
}

static void table_wide_prefix_namespace_labels(void **state) {
        (void)state;
        cli_table_opts o = {.wide = true, .name_prefix = "pod/", .namespace_col = true, .show_labels = true};
        _cleanup_free_ char *s = render_table(&o);
        assert_string_equal(s, "NAMESPACE   NAME        READY   RESTARTS   IP         LABELS\n"
                               "demo        pod/web-1   1/1     0          10.0.0.5   a=1,b=2\n"
                               "other       pod/db      0/1     12                    <none>\n");
}

static void table_no_headers(void **state) {
        (void)state;
        cli_table_opts o = {.no_headers = true};
        _cleanup_free_ char *s = render_table(&o);
        assert_string_equal(s, "web-1   1/1   0\ndb      0/1   12\n");
}

static void cell_formatting(void **state) {
        (void)state;
        const char *j = "[\"a\\nb\", 1.5, true, null, 3, {\"x\":1}]";
        _cleanup_json_ cJSON *v = NULL;
        assert_int_equal(ocx_json_parse(j, strlen(j), &v, NULL), 0);
        const char *want[] = {"a...", "1.5", "true", "", "3", "{\"x\":1}"};
        for (int i = 0; i < 6; i++) {
                _cleanup_free_ char *c = cli_table_cell(cJSON_GetArrayItem(v, i));
                assert_string_equal(c, want[i]);
        }
}

static char *jp(const char *tmpl, const char *json) {
        _cleanup_json_ cJSON *v = NULL;
        assert_int_equal(ocx_json_parse(json, strlen(json), &v, NULL), 0);
        ocx_buf out = OCX_BUF_INIT;
        ocx_error *e = NULL;
        assert_int_equal(cli_jsonpath(tmpl, v, &out, &e), 0);
        return ocx_buf_detach(&out, NULL);
}

static void jsonpath_subset(void **state) {
        (void)state;
        const char *list = "{\"kind\":\"List\",\"items\":[{\"metadata\":{\"name\":\"a\",\"labels\":{\"app\":\"x\","
                           "\"k.io/n\":\"dots\"}},\"spec\":{\"ports\":[{\"port\":80},{\"port\":443}]}},"
                           "{\"metadata\":{\"name\":\"b\"},\"spec\":{\"ports\":[{\"port\":8080}]}}]}";
        char *s;
        s = jp("{.items[*].metadata.name}", list);
        assert_string_equal(s, "a b");
        free(s);
        s = jp("{range .items[*]}{.metadata.name}:{.spec.ports[*].port}{\"\\n\"}{end}", list);
        assert_string_equal(s, "a:80 443\nb:8080\n");
        free(s);
        s = jp("{.items[0].metadata.labels['k.io/n']} {.items[0].metadata.labels.k\\.io/n}", list);
        assert_string_equal(s, "dots dots");
        free(s);
        s = jp("{.items[-1].spec.ports[0].port}{.missing.key}", list);
        assert_string_equal(s, "8080");
        free(s);
        s = jp("{.items[?(@.metadata.name==\"b\")].spec.ports[0].port}", list);
        assert_string_equal(s, "8080");
        free(s);
        s = jp("name={.metadata.name}", "{\"metadata\":{\"name\":\"x\"}}");
        assert_string_equal(s, "name=x");
        free(s);
}

static void jsonpath_errors(void **state) {
        (void)state;
        _cleanup_json_ cJSON *v = cJSON_CreateObject();
        ocx_buf out = OCX_BUF_INIT;
        _cleanup_error_ ocx_error *e = NULL;
        assert_int_equal(cli_jsonpath("{.a", v, &out, &e), -EINVAL);
        ocx_buf_release(&out);
}

static void labels_and_list(void **state) {
        (void)state;
        _cleanup_json_ cJSON *l = NULL;
        assert_int_equal(ocx_json_parse("{\"z\":\"1\",\"a\":\"2\"}", 17, &l, NULL), 0);
        _cleanup_free_ char *s = cli_labels_string(l);
        assert_string_equal(s, "a=2,z=1");
        _cleanup_free_ char *n = cli_labels_string(NULL);
        assert_string_equal(n, "<none>");
        _cleanup_json_ cJSON *list = cli_make_list(NULL);
        _cleanup_free_ char *p = ocx_json_print(list);
        assert_string_equal(p, "{\"apiVersion\":\"v1\",\"items\":[],\"kind\":\"List\",\"metadata\":{\"resourceVersion\":\"\"}}");
        cJSON *obj = cJSON_CreateObject();
        cJSON_AddStringToObject(obj, "metadata", "m");
        cli_ensure_type_meta(obj, "v1", "Pod");
        _cleanup_free_ char *q = ocx_json_print(obj);
        assert_string_equal(q, "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":\"m\"}");
        cJSON_Delete(obj);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(tabwriter_minwidth_padding_last_column),
                cmocka_unit_test(tabwriter_blank_line_splits_blocks),
                cmocka_unit_test(tabwriter_empty_last_cell_keeps_padding),
                cmocka_unit_test(tabwriter_utf8_width),
                cmocka_unit_test(table_default),
                cmocka_unit_test(table_wide_prefix_namespace_labels),
                cmocka_unit_test(table_no_headers),
                cmocka_unit_test(cell_formatting),
                cmocka_unit_test(jsonpath_subset),
                cmocka_unit_test(jsonpath_errors),
                cmocka_unit_test(labels_and_list),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
