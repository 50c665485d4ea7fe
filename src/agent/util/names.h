/* names.h - symbolic names for numbers in events. */
#ifndef VIGIL_NAMES_H
#define VIGIL_NAMES_H

#include <stdint.h>
#include "output/jsonw.h"

/* "ENOENT" for 2; static storage. */
const char *errno_name(int err);
/* Writes open(2) flags as an array of names ("O_RDONLY", "O_CREAT", ...). */
void open_flags_json(struct jw *w, const char *key, uint64_t flags);
/* The same names joined by sep ("O_WRONLY|O_TRUNC") into buf. */
const char *open_flags_str(uint64_t flags, char sep, char *buf, size_t len);
/* "CAP_SYS_ADMIN" (any case) -> 21; -1 when unknown or NULL. */
int cap_number(const char *name);
/* One capability's name, "CAP_CHOWN"; "?" when out of range. */
const char *cap_name(int cap);
/* Writes set capability bits as names ("CAP_CHOWN", ...). */
void caps_json(struct jw *w, const char *key, uint64_t caps);
/* The same names joined by sep into buf. */
const char *caps_str(uint64_t caps, char sep, char *buf, size_t len);
/* "AF_INET", ...; static storage. */
const char *family_name(unsigned int family);
/* fd.sockfamily as Falco says it: "ip" (v4 or v6), "unix", else family_name() */
const char *sockfamily_name(unsigned int family);
const char *l4proto_name(unsigned int type, unsigned int protocol);
/* Formats an address of the given family into buf; returns buf. */
const char *addr_str(unsigned int family, const uint8_t *addr, char *buf, size_t len);
/* "CLONE_NEWNS|CLONE_NEWPID", ...; writes into buf. */
const char *ns_flags_str(uint64_t flags, char *buf, size_t len);
/*
 * A sun_path as raw bytes from a sockaddr: up to its first NUL; an abstract
 * name (leading NUL) as "@name".  Writes a C string into buf.
 */
const char *unix_path_str(const char *p, size_t n, char *buf, size_t len);

/* PTRACE_ATTACH, ...; static storage or NULL. */
const char *ptrace_request_name(uint64_t req);

#endif
