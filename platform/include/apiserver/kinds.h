/* ocxd — the one table of resource kinds that drives REST routing,
 * discovery, OpenAPI, storage keys and server-side tables. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

enum {
        KIND_ALL = 1 << 0,        /* member of the "all" category */
        KIND_STATUS = 1 << 1,     /* has a status subresource */
        KIND_SCALE = 1 << 2,      /* has a scale subresource */
        KIND_LOG = 1 << 3,        /* has a log subresource */
        KIND_STRICT = 1 << 4,     /* unknown fields are rejected (our own kinds) */
        KIND_CREATE_ONLY = 1 << 5, /* reviews, requests: POST only, not stored */
        KIND_VIRTUAL = 1 << 6,    /* served from another kind (projects) */
};

typedef struct api_kind {
        const char *group;   /* "" for core */
        const char *version;
        const char *kind;
        const char *plural;
        const char *singular;
        const char *short_names[4];
        bool namespaced;
        unsigned flags;
        int table; /* index into the table printers (table.c) */
} api_kind;

extern const api_kind api_kinds[];
extern const size_t api_kinds_n;

/* Lookup by group + plural (version must match the kind's). NULL when absent. */
const api_kind *api_kind_by_plural(const char *group, const char *version, const char *plural);
const api_kind *api_kind_by_kind(const char *group, const char *kind);
/* "v1" for core, "route.openshift.io/v1" otherwise; static buffer per kind. */
const char *api_kind_api_version(const api_kind *k);
/* Qualified resource for messages: "pods", "routes.route.openshift.io". */
const char *api_kind_qualified(const api_kind *k);
