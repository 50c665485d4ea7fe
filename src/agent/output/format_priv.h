/* format_priv.h - shared by event_json.c and event_text.c only. */
#ifndef VIGIL_FORMAT_PRIV_H
#define VIGIL_FORMAT_PRIV_H

#include <stddef.h>
#include "bpf/decode.h"

const struct vigil_hdr *hdr_of(const void *rec);
/* argv is NUL-separated; the kernel's copy ends in a NUL not shown. */
size_t argv_trim(const char *argv, size_t len);
/* A user path joined to its kernel-resolved directory, into buf. */
struct sv joined_path(const void *rec, struct vigil_str path, struct vigil_str dir, char *buf, size_t len);
const char *uring_op_name(unsigned int op);

#endif
