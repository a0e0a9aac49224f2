/* ocx — listen addresses: "HOST:PORT" with an IPv4 literal (or an empty
 * host, meaning every address) and a port 1..65535. */
#pragma once
#include <netinet/in.h>
#include <stdbool.h>

/* 0 and *ret filled; -EINVAL for anything else. ret_any (may be NULL) tells
 * whether the host part was empty. */
int ocx_parse_hostport(const char *s, struct sockaddr_in *ret, bool *ret_any);
