/* ocx — time formatting as Kubernetes and oc print it. */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* RFC 3339 UTC, seconds precision: "2026-11-26T20:44:38Z". out >= 21 bytes. */
void ocx_time_rfc3339(time_t t, char *out, size_t n);
/* Parses "YYYY-MM-DDTHH:MM:SS[.frac](Z|±hh:mm)"; -EINVAL when malformed. */
int ocx_time_parse_rfc3339(const char *s, time_t *ret);
/* apimachinery duration.HumanDuration (the 4.x AGE column): "0s", "45s",
 * "4m30s", "95m", "3h20m", "5d2h", "400d", "3y20d", "<invalid>". */
void ocx_human_duration(int64_t seconds, char *out, size_t n);
/* docker go-units HumanDuration + " ago": "Less than a second ago",
 * "About a minute ago", "3 days ago". */
void ocx_units_ago(int64_t seconds, char *out, size_t n);
