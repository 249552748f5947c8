/*
 * analyze/endpoints.h: the parts of the endpoint analyser that are worth testing alone:
 * address scopes (the RFC 6890 special-purpose registries, with their later additions) and
 * the rules that tell an IPv4 literal or a host name from a version string or a file name.
 */
#ifndef VOUCH_ANALYZE_ENDPOINTS_H
#define VOUCH_ANALYZE_ENDPOINTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum vouch_ipscope {
	VOUCH_IP_PUBLIC = 0,
	VOUCH_IP_PRIVATE,      /* RFC 1918, IPv6 unique-local (RFC 4193) */
	VOUCH_IP_CGNAT,        /* 100.64.0.0/10 shared address space (RFC 6598) */
	VOUCH_IP_LINKLOCAL,    /* 169.254.0.0/16, fe80::/10 */
	VOUCH_IP_LOOPBACK,     /* 127.0.0.0/8, ::1 */
	VOUCH_IP_THISNET,      /* 0.0.0.0/8, :: */
	VOUCH_IP_DOC,          /* 192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32 */
	VOUCH_IP_MULTICAST,    /* 224.0.0.0/4, ff00::/8 */
	VOUCH_IP_BROADCAST,    /* 255.255.255.255 */
	VOUCH_IP_RESERVED,     /* 240.0.0.0/4, IETF protocol assignments, benchmarking, ... */
} vouch_ipscope;

/* "public", "private", "cgnat", "link-local", "loopback", "this-network", "documentation",
 * "multicast", "broadcast", "reserved". */
const char *vouch_ipscope_str(vouch_ipscope s);
/* Scope of an IPv4 address in host byte order. */
vouch_ipscope vouch_ip4_scope(uint32_t a);
/* Scope of an IPv6 address (16 bytes, network order). */
vouch_ipscope vouch_ip6_scope(const uint8_t a[16]);

/*
 * Is the dotted quad at s[at, at+len) of the string s[0, n) an address rather than a version,
 * an OID or a netmask? `binary`: the string came from a binary (stricter: a quad of single
 * digits needs an endpoint cue nearby). On success *ip is the address (host order).
 */
bool vouch_ep_ipv4(const char *s, size_t n, size_t at, size_t len, bool binary, uint32_t *ip);

/* Is the lower-case name a host name under a public suffix of the built-in table (not a file
 * name such as "libc.so" or "snmpd.conf")? */
bool vouch_ep_hostname(const char *name, size_t n);

#endif
