/* ocx imagestreams — image configuration (the "config" blob of an image:
 * application/vnd.docker.container.image.v1+json or
 * application/vnd.oci.image.config.v1+json). */
#pragma once
#include <stddef.h>

#include "ocx/error.h"

typedef struct img_port {
        int port;      /* 1..65535 */
        char proto[8]; /* "tcp", "udp" or "sctp" */
} img_port;

typedef struct img_label {
        char *key;
        char *value;
} img_label;

/* Parsed "config" section. Arrays are NULL-terminated string vectors (or NULL
 * when absent); all strings are owned by the struct. */
typedef struct img_config {
        char *architecture; /* "amd64" ... or NULL */
        char *os;           /* "linux" ... or NULL */
        char *user;         /* "1001", "app:app" or NULL */
        char *working_dir;  /* NULL when unset */
        char **env;         /* "KEY=value" */
        char **entrypoint;
        char **cmd;
        img_port *ports; /* ExposedPorts, sorted by port then protocol */
        size_t n_ports;
        img_label *labels; /* sorted by key */
        size_t n_labels;
} img_config;

/* Parses an image config JSON document of len bytes. Errors: -EINVAL with the
 * JSON path of the bad field ("config.ExposedPorts"). */
int img_config_parse(const char *json, size_t len, img_config *ret, ocx_error **reterr);
void img_config_release(img_config *c);
