/*
 * vigil-http-sink - the receiving end of the webhook tests: an HTTP server
 * on 127.0.0.1 that appends each POST body to a file.
 *
 *   vigil-http-sink PORT OUT [FAIL_FIRST]
 *
 * Each body goes to OUT as it came (a newline added when it has none);
 * each request adds "STATUS CONTENT-TYPE" to OUT.meta.  The first
 * FAIL_FIRST requests are answered 503 and not recorded, so a test sees
 * the sender try again.
 */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct body {
	char *p;
	size_t len;
};

static FILE *out, *meta;
static long fail_first, seen;

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
				  const char *version, const char *data, size_t *data_len, void **state)
{
	struct body *b = *state;
	struct MHD_Response *r;
	const char *ctype;
	unsigned int status;
	enum MHD_Result ret;

	if (!b) {
		*state = calloc(1, sizeof(struct body));
		return *state ? MHD_YES : MHD_NO;
	}
	if (*data_len) {
		char *n = realloc(b->p, b->len + *data_len);

		if (!n)
			return MHD_NO;
		memcpy(n + b->len, data, *data_len);
		b->p = n;
		b->len += *data_len;
		*data_len = 0;
		return MHD_YES;
	}
	ctype = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
	status = strcmp(method, "POST") ? 405 : seen++ < fail_first ? 503 : 200;
	if (status == 200) {
		fwrite(b->p, 1, b->len, out);
		if (!b->len || b->p[b->len - 1] != '\n')
			fputc('\n', out);
		fflush(out);
	}
	fprintf(meta, "%u %s\n", status, ctype ? ctype : "-");
	fflush(meta);
	r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static void on_done(void *cls, struct MHD_Connection *c, void **state, enum MHD_RequestTerminationCode code)
{
	struct body *b = *state;

	if (b)
		free(b->p);
	free(b);
	*state = NULL;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct MHD_Daemon *d;
	char path[4096];
	sigset_t set;
	int sig;

	if (argc < 3) {
		fprintf(stderr, "usage: vigil-http-sink PORT OUT [FAIL_FIRST]\n");
		return 2;
	}
	fail_first = argc > 3 ? atol(argv[3]) : 0;
	snprintf(path, sizeof(path), "%s.meta", argv[2]);
	out = fopen(argv[2], "a");
	meta = fopen(path, "a");
	if (!out || !meta) {
		perror(argv[2]);
		return 1;
	}
	sa.sin_port = htons((uint16_t)atoi(argv[1]));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, on_request, NULL,
			     MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
			     MHD_OPTION_NOTIFY_COMPLETED, on_done, NULL, MHD_OPTION_END);
	if (!d) {
		fprintf(stderr, "vigil-http-sink: cannot listen on port %s\n", argv[1]);
		return 1;
	}
	sigwait(&set, &sig);
	MHD_stop_daemon(d);
	return 0;
}
