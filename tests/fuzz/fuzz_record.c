/*
 * libFuzzer target: any bytes as a ring-buffer record.  What record_check()
 * accepts is rendered as JSON and text, and every field of every class is
 * extracted from it; sanitizers catch any read outside the record.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bpf/decode.h"
#include "output/format.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct jw w;
	static char text[4096];
	struct fmt_ctx f = { .host = "fuzz" };
	static const struct field_def *const classes[] = { field_evt, field_proc, field_fd, field_ctr, field_k8s };
	static const char *const args[] = { NULL, "0", "2", "flags", "mode", "/etc*", "-1" };
	static struct field_ctx fc;
	struct event_view ev = { 0 };
	const struct field_def *fd;
	struct fval v;
	size_t i, k;
	struct vigil_hdr *h;
	void *rec;

	if (size < sizeof(*h))
		return 0;
	/* an exact-size heap copy, so ASan sees any overrun */
	rec = malloc(size);
	memcpy(rec, data, size);
	h = rec;
	/* steer the fuzzer past the trivial checks */
	h->version = VIGIL_ABI_VERSION;
	h->size = size;
	if (record_check(rec, size) == 0) {
		ev.rec = rec;
		field_ctx_reset(&fc, &ev, 1);
		event_json(&w, &f, &fc);
		event_text(text, sizeof(text), &f, &fc, "[NORMAL]");
		for (i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
			for (fd = classes[i]; fd->name; fd++)
				for (k = 0; k < (fd->takes_arg ? sizeof(args) / sizeof(args[0]) : 1); k++) {
					field_ctx_reset(&fc, &ev, 1);
					field_get(fd, args[k], &fc, &v);
				}
	}
	free(rec);
	return 0;
}
