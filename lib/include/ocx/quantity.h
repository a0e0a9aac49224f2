/* ocx — Kubernetes resource quantities ("64Mi", "1G", "500m", "1.5", "2e3").
 *
 * Grammar as apimachinery's resource.Quantity: an optionally signed decimal
 * number (digits, at most one '.') followed by nothing, a binary SI suffix
 * (Ki Mi Gi Ti Pi Ei), a decimal SI suffix (n u m k M G T P E) or a decimal
 * exponent (e3, E-2). No spaces. */
#pragma once
#include <stdint.h>

/* The quantity as an integer, rounded up (towards +infinity) as
 * Quantity.Value() does: "64Mi" = 67108864, "1G" = 1000000000, "100m" = 1.
 * 0 on success, -EINVAL when s is not a quantity, -ERANGE when the value
 * does not fit an int64. */
int ocx_quantity_value(const char *s, int64_t *ret);
/* The quantity times 1000, rounded up, as Quantity.MilliValue() does (CPU:
 * "500m" = 500, "2" = 2000, "0.1" = 100). Same errors. */
int ocx_quantity_milli(const char *s, int64_t *ret);
