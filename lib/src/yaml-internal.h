/* ocx — what lib/src/yaml-read.c and yaml-write.c share (yaml-scalar.c):
 * go-yaml v2's resolution of plain scalars, which decides a scalar's type when
 * reading and whether a string needs quotes when writing, and its number text.
 * Internal to lib; the public interface is ocx/yaml.h. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

typedef enum {
        R_STR,
        R_NULL,
        R_BOOL,
        R_NUM,
        R_INFNAN,    /* .inf/.nan: valid YAML, not representable in JSON */
        R_TIMESTAMP, /* stays a string when decoding, forces quotes when encoding */
        R_MERGE,
} rkind;

/* Resolves a plain scalar (go-yaml v2 resolve() with an empty tag): the kind,
 * with *num set for R_NUM and *bval for R_BOOL. */
rkind ocx_yaml_resolve_plain(const char *s, double *num, bool *bval);

/* isBase60Float: ^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$ (go-yaml
 * quotes such strings so that YAML 1.1 readers do not take them as numbers). */
bool ocx_yaml_is_base60_float(const char *s);

/* Number text as go-yaml prints it: integers without a fraction, otherwise
 * Go's strconv.FormatFloat(d, 'g', -1, 64); .nan/.inf/-.inf. */
void ocx_yaml_format_number(double d, char *out, size_t n);
