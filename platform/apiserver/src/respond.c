/* Responses: JSON bodies and Kubernetes Status errors with upstream wording. */
#include <stdio.h>
#include "apiserver/api.h"
#include "apiserver/validate.h"
#include "ocx/buf.h"
#include "ocx/json.h"
#include "ocx/banned.h"

void api_response_release(api_response *r) {
        free(r->body);
        free(r->warning);
        free(r->location);
        free(r->www_authenticate);
        r->body = NULL;
        r->warning = NULL;
        r->location = NULL;
        r->www_authenticate = NULL;
}

void api_respond_raw(api_response *resp, int http, char *json, size_t len) {
        free(resp->body);
        resp->status = http;
        resp->body = json;
        resp->body_len = len;
        resp->content_type = "application/json";
}

void api_respond_json(api_response *resp, int http, const cJSON *obj) {
        ocx_buf b = OCX_BUF_INIT;
        ocx_json_write(&b, obj, 0);
        size_t len;
        char *s = ocx_buf_detach(&b, &len);
        api_respond_raw(resp, http, s, len);
}

void api_respond_status(api_response *resp, int http, const char *reason, const char *message, cJSON *details) {
        cJSON *st = cJSON_CreateObject();
        cJSON_AddStringToObject(st, "kind", "Status");
        cJSON_AddStringToObject(st, "apiVersion", "v1");
        cJSON_AddObjectToObject(st, "metadata");
        cJSON_AddStringToObject(st, "status", http < 300 ? "Success" : "Failure");
        if (message) cJSON_AddStringToObject(st, "message", message);
        if (reason) cJSON_AddStringToObject(st, "reason", reason);
        if (details) cJSON_AddItemToObject(st, "details", details);
        cJSON_AddNumberToObject(st, "code", http);
        api_respond_json(resp, http, st);
        cJSON_Delete(st);
}

static cJSON *details_for(const api_kind *k, const char *name) {
        if (!k) return NULL;
        cJSON *d = cJSON_CreateObject();
        if (name && *name) cJSON_AddStringToObject(d, "name", name);
        if (k->group[0]) cJSON_AddStringToObject(d, "group", k->group);
        cJSON_AddStringToObject(d, "kind", k->plural);
        return d;
}

void api_respond_error(api_response *resp, int code, const ocx_error *e, const api_kind *k, const char *name) {
        if (code < 0) code = -code;
        const char *qr = k ? api_kind_qualified(k) : "";
        const char *n = name ? name : "";
        _cleanup_free_ char *msg = NULL;
        switch (code) {
        case ENOENT:
                msg = e ? ocx_xstrdup(e->message) : ocx_xasprintf("%s \"%s\" not found", qr, n);
                api_respond_status(resp, 404, "NotFound", msg, details_for(k, n));
                return;
        case EEXIST:
                msg = e ? ocx_xstrdup(e->message) : ocx_xasprintf("%s \"%s\" already exists", qr, n);
                api_respond_status(resp, 409, "AlreadyExists", msg, details_for(k, n));
                return;
        case ESTALE:
                msg = ocx_xasprintf("Operation cannot be fulfilled on %s \"%s\": %s", qr, n,
                                    e ? e->message
                                      : "the object has been modified; please apply your changes to the latest version and try again");
                api_respond_status(resp, 409, "Conflict", msg, details_for(k, n));
                return;
        case EACCES:
                api_respond_status(resp, 403, "Forbidden", e ? e->message : "forbidden", details_for(k, n));
                return;
        case EPERM:
                api_respond_status(resp, 401, "Unauthorized", "Unauthorized", NULL);
                return;
        case E2BIG:
                api_respond_status(resp, 413, "RequestEntityTooLarge",
                                   e ? e->message : "Request entity too large: limit is 3145728", NULL);
                return;
        case EOPNOTSUPP:
                api_respond_status(resp, 405, "MethodNotAllowed",
                                   "the server does not allow this method on the requested resource", details_for(k, n));
                return;
        case ERANGE:
                api_respond_status(resp, 410, "Expired", e ? e->message : "too old resource version", NULL);
                return;
        case EINVAL: {
                /* a bare Invalid without causes: use the message as the only cause */
                cJSON *causes = cJSON_CreateArray();
                if (e) api_cause_str(causes, "FieldValueInvalid", e->field ? e->field : "", NULL, e->message);
                msg = k ? api_invalid_message(k, n, causes) : ocx_xstrdup(e ? e->message : "invalid");
                cJSON *d = details_for(k, n);
                if (d) {
                        if (k) {
                                cJSON_ReplaceItemInObjectCaseSensitive(d, "kind", cJSON_CreateString(k->kind));
                        }
                        cJSON_AddItemToObject(d, "causes", causes);
                } else {
                        cJSON_Delete(causes);
                }
                api_respond_status(resp, 422, "Invalid", msg, d);
                return;
        }
        case EBADMSG:
        case EPROTO:
                api_respond_status(resp, 400, "BadRequest", e ? e->message : "bad request", NULL);
                return;
        case EPROTONOSUPPORT:
                api_respond_status(resp, 415, "UnsupportedMediaType", e ? e->message : "unsupported media type", NULL);
                return;
        case ENOSYS:
                api_respond_status(resp, 404, "NotFound", "the server could not find the requested resource", NULL);
                return;
        default:
                msg = ocx_xasprintf("Internal error occurred: %s", e ? e->message : strerror(code));
                api_respond_status(resp, 500, "InternalError", msg, NULL);
        }
}
