/* ocx — session, requests and API error text (see cli/client.h). */
#include "cli/client.h"
#include <stdio.h>
#include <string.h>
#include "cli/resources.h"
#include "ocx/encoding.h"
#include "ocx/json.h"
#include "ocx/banned.h"

#define CLI_REQUEST_TIMEOUT_MS 60000L

int cli_session_get(cli_invocation *inv, cli_session **ret, ocx_error **reterr) {
        if (inv->session) {
                *ret = inv->session;
                return 0;
        }
        cli_session *s = ocx_xcalloc(1, sizeof(*s));
        int r = cli_kubeconfig_load(cli_flag_str(inv, "kubeconfig"), &s->kc, reterr);
        char *ns = NULL;
        const char *server = cli_flag_str(inv, "server");
        if (r >= 0) r = cli_kubeconfig_client(&s->kc, cli_flag_str(inv, "context"), server, &s->cfg, &ns, reterr);
        if (r < 0) {
                cli_session_free(s);
                return r;
        }
        const char *token = cli_flag_str(inv, "token");
        if (token) {
                free(s->cfg.token);
                s->cfg.token = ocx_xstrdup(token);
        }
        if (cli_flag_bool(inv, "insecure-skip-tls-verify")) s->cfg.insecure = true;
        s->cfg.timeout_ms = CLI_REQUEST_TIMEOUT_MS;
        const char *nsflag = cli_flag_str(inv, "namespace");
        if (nsflag && *nsflag) {
                free(ns);
                s->ns = ocx_xstrdup(nsflag);
                s->ns_explicit = true;
        } else {
                s->ns = ns && *ns ? ns : ocx_xstrdup("default");
                if (s->ns != ns) free(ns);
        }
        r = ocx_http_new(&s->cfg, &s->http, reterr);
        if (r < 0) {
                cli_session_free(s);
                return r;
        }
        inv->session = s;
        *ret = s;
        return 0;
}

void cli_session_free(cli_session *s) {
        if (!s) return;
        ocx_http_free(s->http);
        ocx_http_config_release(&s->cfg);
        cli_kubeconfig_release(&s->kc);
        cli_discovery_free(s->disc);
        free(s->ns);
        free(s);
}

int cli_do(cli_session *s, const char *method, const char *path, const char *content_type,
           const char *body, size_t body_len, const char *accept, ocx_http_response *ret,
           ocx_error **reterr) {
        const char *hdrs[2] = {accept, NULL};
        int r = ocx_http_request(s->http, method, path, content_type, body, body_len, accept ? hdrs : NULL, ret,
                                 reterr);
        if (r < 0) return r;
        if (ret->warning) {
                /* Warning: 299 - "text" */
                char *save = NULL;
                for (char *l = strtok_r(ret->warning, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                        const char *q = strchr(l, '"');
                        if (q && strncmp(l, "299", 3) == 0) {
                                size_t n = strlen(q + 1);
                                if (n > 0 && q[n] == '"') n--;
                                fprintf(stderr, "Warning: %.*s\n", (int)n, q + 1);
                        } else {
                                fprintf(stderr, "Warning: %s\n", l);
                        }
                }
        }
        return 0;
}

int cli_request_json(cli_session *s, const char *method, const char *path, const char *content_type,
                     const cJSON *body, cJSON **ret, ocx_error **reterr) {
        _cleanup_free_ char *text = body ? ocx_json_print(body) : NULL;
        ocx_http_response resp;
        if (ret) *ret = NULL;
        int r = cli_do(s, method, path, body ? (content_type ? content_type : "application/json") : NULL, text,
                       text ? strlen(text) : 0, NULL, &resp, reterr);
        if (r < 0) return r;
        if (resp.status < 200 || resp.status > 299) {
                r = cli_status_error(&resp, NULL, reterr);
                ocx_http_response_release(&resp);
                return r;
        }
        if (ret && resp.body_len > 0) {
                r = ocx_json_parse(resp.body, resp.body_len, ret, reterr);
                if (r < 0) ocx_error_wrap(reterr, "decoding the response of %s %s", method, path);
        }
        ocx_http_response_release(&resp);
        return r;
}

static const char *reason_for(long status) {
        switch (status) {
        case 400: return "BadRequest";
        case 401: return "Unauthorized";
        case 403: return "Forbidden";
        case 404: return "NotFound";
        case 405: return "MethodNotAllowed";
        case 409: return "Conflict";
        case 410: return "Expired";
        case 422: return "Invalid";
        case 429: return "TooManyRequests";
        case 500: return "InternalError";
        case 503: return "ServiceUnavailable";
        case 504: return "Timeout";
        default: return NULL;
        }
}

char *cli_format_status(const cJSON *st, long http_status, const char *context) {
        const char *reason = ocx_json_get_str(st, "reason");
        const char *msg = ocx_json_get_str(st, "message");
        if (!msg) msg = "";
        if (ocx_streq(reason, "Unauthorized"))
                return ocx_xasprintf("error: You must be logged in to the server (%s)", *msg ? msg : "Unauthorized");
        if (ocx_streq(reason, "Invalid") || (!reason && http_status == 422)) {
                const cJSON *d = ocx_json_get(st, "details");
                if (!cJSON_IsObject(d)) return ocx_xasprintf("The request is invalid: %s", msg);
                const char *kind = ocx_json_get_str(d, "kind"), *name = ocx_json_get_str(d, "name");
                ocx_buf b = OCX_BUF_INIT;
                if ((kind && *kind) || (name && *name))
                        ocx_buf_printf(&b, "The %s \"%s\" is invalid", kind ? kind : "", name ? name : "");
                else
                        ocx_buf_puts(&b, "The request is invalid");
                const cJSON *causes = ocx_json_get(d, "causes");
                int n = cJSON_IsArray(causes) ? cJSON_GetArraySize(causes) : 0;
                if (n == 1) {
                        const cJSON *c = cJSON_GetArrayItem(causes, 0);
                        const char *f = ocx_json_get_str(c, "field"), *m = ocx_json_get_str(c, "message");
                        ocx_buf_printf(&b, ": %s: %s", f ? f : "", m ? m : "");
                } else if (n > 1) {
                        ocx_buf_puts(&b, ": ");
                        const cJSON *c;
                        cJSON_ArrayForEach(c, causes) {
                                const char *f = ocx_json_get_str(c, "field"), *m = ocx_json_get_str(c, "message");
                                ocx_buf_printf(&b, "\n* %s: %s", f ? f : "", m ? m : "");
                        }
                } else if (!((kind && *kind) || (name && *name)) && *msg) {
                        ocx_buf_printf(&b, ": %s", msg);
                }
                return ocx_buf_detach(&b, NULL);
        }
        if (!reason || !*reason) reason = NULL;
        if (reason)
                return ocx_xasprintf("Error from server (%s): %s%s%s", reason, context ? context : "",
                                     context ? ": " : "", msg);
        return ocx_xasprintf("Error from server: %s%s%s", context ? context : "", context ? ": " : "", msg);
}

int cli_status_error(const ocx_http_response *r, const char *context, ocx_error **reterr) {
        _cleanup_json_ cJSON *j = NULL;
        ocx_error *tmp = NULL;
        int code = -ocx_http_status_error(r, &tmp);
        if (code <= 0) code = EIO;
        ocx_error_free(tmp);
        if (!(r->body_len > 0 && ocx_json_parse(r->body, r->body_len, &j, NULL) >= 0 &&
              ocx_streq(ocx_json_get_str(j, "kind"), "Status"))) {
                cJSON_Delete(j);
                j = cJSON_CreateObject();
                const char *reason = reason_for(r->status);
                if (reason) ocx_json_set_str(j, "reason", reason);
                const char *m = r->status == 404 ? "the server could not find the requested resource"
                                                 : (r->body_len > 0 && r->body_len < 512 ? r->body : "unknown");
                ocx_json_set_str(j, "message", m);
        }
        _cleanup_free_ char *text = cli_format_status(j, r->status, context);
        return ocx_error_set(reterr, code, NULL, "%s", text);
}

char *cli_path_add_query(const char *path, const char *key, const char *value) {
        _cleanup_free_ char *v = ocx_urlencode(value);
        return ocx_xasprintf("%s%c%s=%s", path, strchr(path, '?') ? '&' : '?', key, v);
}
