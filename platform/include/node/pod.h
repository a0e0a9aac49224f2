/* ocxd node — one pod on this node: its sandbox (network namespace, /etc
 * files, emptyDir volumes), its containers' lifecycle (start, exit, restart
 * policy with back-off, termination) and the status it reports. Used by the
 * agent thread only (no locking). */
#pragma once
#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>
#include "node/network.h"
#include "ocx/error.h"

typedef struct node_ctx {
        char *name;      /* node name */
        char *base;      /* BASE */
        char *run_dir;   /* BASE/run/node: per-pod state, kept across ocxd restarts */
        char *api_port;  /* KUBERNETES_SERVICE_PORT */
        net_config net;
        bool bridge_ready;
        char started_at[32];
        long backoff_ms; /* first restart delay (OCX_NODE_BACKOFF_MS, default 10000) */
} node_ctx;

typedef enum { CS_WAITING, CS_RUNNING, CS_TERMINATED } ctr_state;

typedef struct ctr_rt {
        char *name, *image;
        bool init;
        ctr_state state;
        char *reason, *message; /* waiting or terminated */
        int exit_code;
        pid_t pid, monitor;
        time_t started_at, finished_at, next_start;
        long backoff_ms;
        int restarts;
        cJSON *last_state; /* lastState (terminated) or NULL */
} ctr_rt;

typedef struct pod_rt {
        char *uid, *ns, *name;
        cJSON *pod; /* the latest object seen */
        char *state_dir, *pod_dir;
        char netns[32], host_if[16];
        uint32_t ip;
        bool ready;       /* sandbox set up */
        bool adopted;
        bool host_network;
        time_t start_time;
        bool terminating, killed, seen;
        time_t kill_at;
        char *last_status;
        size_t n;
        ctr_rt *c;
        struct pod_rt *next;
} pod_rt;

int pod_ctx_init(node_ctx *x, const char *name, const char *base, const char *bridge, const char *cidr,
                 const char *api_port, ocx_error **reterr);
void pod_ctx_release(node_ctx *x);

/* Whether a state directory exists for this pod uid (it ran here before). */
bool pod_rt_has_state(const node_ctx *x, const char *uid);
/* New record for a pod bound to this node; adopts running containers and the
 * network namespace when the state directory says they exist. */
pod_rt *pod_rt_new(node_ctx *x, const cJSON *pod);
void pod_rt_free(pod_rt *p);
/* Signals every running container's PID 1. */
void pod_rt_kill(pod_rt *p, int sig);
/* Number of running containers. */
int pod_rt_running(const pod_rt *p);
/* Notices containers that ended. */
void pod_rt_poll(node_ctx *x, pod_rt *p);
void pod_rt_wait_stopped(node_ctx *x, pod_rt *p, int ms);
/* Sets the sandbox up when needed, starts or restarts containers. */
void pod_rt_advance(node_ctx *x, pod_rt *p, time_t now);
/* Removes the network namespace, the address, the state and the pod dir. */
void pod_rt_cleanup(node_ctx *x, pod_rt *p);
/* Starts one container of a pod whose sandbox is ready (container.c):
 * image, security context, command, environment, mounts, logs. */
int ctr_start(node_ctx *x, pod_rt *p, ctr_rt *c, ocx_error **reterr);
/* status for the API (phase, podIP, conditions, containerStatuses). */
cJSON *pod_rt_status(const node_ctx *x, const pod_rt *p);
