/* ocxd — kinds that are not stored as themselves: projects (a view of
 * namespaces), projectrequests, and the review kinds answered on POST. */
#pragma once
#include "apiserver/api.h"
#include "apiserver/path.h"

void api_handle_virtual(api_server *s, const api_kind *k, const api_path *p, const api_request *req,
                        api_response *resp);

/* SCC reviews (security.openshift.io): PodSecurityPolicySubjectReview,
 * PodSecurityPolicySelfSubjectReview, PodSecurityPolicyReview — which SCC
 * would admit a pod template for a user or service accounts, and why not. */
void api_handle_scc_review(api_server *s, const api_kind *k, const api_path *p, const api_request *req,
                           api_response *resp);
