/*
 * libFuzzer target: any bytes as a ring-buffer record.  What record_check()
 * accepts is rendered as JSON and text; sanitizers catch any read outside
 * the record.
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
	struct event_view ev = { 0 };
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
		event_json(&w, &f, &ev);
		event_text(text, sizeof(text), &f, &ev, "[NORMAL]");
	}
	free(rec);
	return 0;
}
