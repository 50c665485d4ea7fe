/*
 * top.c - `vigil top`: a terminal view of the running agent, refreshed
 * each second: its containers with syscall and event rates, and the
 * latest INSECURE events.  It reads the agent's /status.json (vigil run
 * --metrics ADDR), so it needs no root and never touches the kernel side.
 */
#include <curl/curl.h>
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "output/format.h"
#include "util/bodybuf.h"
#include "util/log.h"

#define TOP_MAX_CONTAINERS 1024

static void usage(FILE *f)
{
	fprintf(f,
"usage: vigil top [--agent ADDR] [--interval S] [--once]\n"
"\n"
"The running agent's containers - syscalls/s, events/s, INSECURE events -\n"
"and its latest INSECURE events, refreshed every second; q quits.  Reads\n"
"http://ADDR/status.json, so the agent must run with --metrics ADDR.\n"
"\n"
"      --agent ADDR   the agent's --metrics address (default 127.0.0.1:9464)\n"
"      --interval S   seconds between refreshes (default 1)\n"
"      --once         print one view (rates over one interval) and exit\n");
}

struct sample {
	char id[80];
	uint64_t events, syscalls;
	bool have_syscalls;
};


static volatile sig_atomic_t done;

static void on_signal(int sig)
{
	done = 1;
}

static json_t *fetch(CURL *c, const char *url, char *err, size_t errlen)
{
	struct bodybuf b = { .max = 8u << 20 };
	json_error_t jerr;
	long code = 0;
	CURLcode rc;
	json_t *j;

	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, bodybuf_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 3000L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	if (rc != CURLE_OK || code != 200) {
		snprintf(err, errlen, "%s: %s", url, rc != CURLE_OK ? curl_easy_strerror(rc) : "no status page");
		free(b.p);
		return NULL;
	}
	j = json_loads(b.p ? b.p : "", 0, &jerr);
	if (!j)
		snprintf(err, errlen, "%s: %s", url, jerr.text);
	free(b.p);
	return j;
}

static const char *jstr(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

/* s cut to n columns, control bytes as '?' (names come from the containers' owners) */
static void put_cell(FILE *f, const char *s, int n)
{
	int i = 0;

	for (; *s && i < n; s++) {
		unsigned char ch = (unsigned char)*s;

		if ((ch & 0xc0) == 0x80) {
			fputc(ch, f);	/* a UTF-8 continuation: no column of its own */
			continue;
		}
		fputc(ch < 32 || ch == 127 ? '?' : ch, f);
		i++;
	}
	for (; i < n; i++)
		fputc(' ', f);
}

static const struct sample *prev_of(const struct sample *prev, size_t n, const char *id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(prev[i].id, id))
			return &prev[i];
	return NULL;
}

static void draw(FILE *f, json_t *st, struct sample *prev, size_t *n_prev, double secs, bool clear, int rows,
		 int cols)
{
	json_t *ctrs = json_object_get(st, "containers"), *c, *alerts = json_object_get(st, "alerts"), *al;
	static struct sample now[TOP_MAX_CONTAINERS];
	size_t i, n = 0;
	int line = 4;

	if (clear)
		fputs("\033[H\033[2J", f);
	fprintf(f, "vigil top - host ");
	put_cell(f, jstr(st, "host"), 24);
	fprintf(f, " agent %s  %s  (q quits)\n\n", jstr(st, "version"), jstr(st, "time"));
	fprintf(f, "%-24s %-28s %12s %10s %8s\n", "CONTAINER", "IMAGE", "SYSCALLS/s", "EVENTS/s", "ALERTS");
	json_array_foreach(ctrs, i, c) {
		const char *id = jstr(c, "id");
		const struct sample *p = prev_of(prev, *n_prev, id);
		json_t *sc = json_object_get(c, "syscalls");
		struct sample s = { .events = (uint64_t)json_integer_value(json_object_get(c, "events")),
				    .syscalls = (uint64_t)json_integer_value(sc), .have_syscalls = sc != NULL };
		char rate[32];

		snprintf(s.id, sizeof(s.id), "%s", id);
		if (n < TOP_MAX_CONTAINERS)
			now[n++] = s;
		if (line++ >= rows - 8)
			continue;	/* the terminal is full: the events below matter more */
		put_cell(f, *jstr(c, "name") ? jstr(c, "name") : id, 24);
		fputc(' ', f);
		put_cell(f, jstr(c, "image"), 28);
		if (!s.have_syscalls)
			snprintf(rate, sizeof(rate), "-");
		else if (p && p->have_syscalls && secs > 0)
			snprintf(rate, sizeof(rate), "%.0f", (s.syscalls - p->syscalls) / secs);
		else
			snprintf(rate, sizeof(rate), "...");
		fprintf(f, " %12s", rate);
		if (p && secs > 0)
			fprintf(f, " %10.1f", (s.events - p->events) / secs);
		else
			fprintf(f, " %10s", "...");
		fprintf(f, " %8lld\n", (long long)json_integer_value(json_object_get(c, "alerts")));
	}
	if (!json_array_size(ctrs))
		fprintf(f, "(no containers running)\n");
	if (!json_is_true(json_object_get(st, "syscall_counting")))
		fprintf(f, "(syscalls/s: the counter is off now; --syscall-counts always keeps it on)\n");
	fprintf(f, "\nLatest INSECURE events\n");
	json_array_foreach(alerts, i, al) {
		const char *t = jstr(al, "time");

		if (i >= 8)
			break;
		fprintf(f, "%.8s ", strlen(t) > 11 ? t + 11 : t);
		put_cell(f, jstr(al, "priority"), 9);
		fputc(' ', f);
		put_cell(f, jstr(al, "container"), 20);
		fputc(' ', f);
		put_cell(f, jstr(al, "rule"), 40);
		fputc(' ', f);
		put_cell(f, jstr(al, "output"), cols > 102 ? cols - 82 : 20);
		fputc('\n', f);
	}
	if (!json_array_size(alerts))
		fprintf(f, "(none)\n");
	fflush(f);
	memcpy(prev, now, n * sizeof(*now));
	*n_prev = n;
}

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int top_cmd(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "agent", required_argument, NULL, 'a' },
		{ "interval", required_argument, NULL, 'n' },
		{ "once", no_argument, NULL, '1' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static struct sample prev[TOP_MAX_CONTAINERS];
	const char *agent = "127.0.0.1:9464";
	struct sigaction sa = { .sa_handler = on_signal };
	bool once = false, tty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
	double interval = 1, last = 0;
	struct termios old, raw;
	size_t n_prev = 0;
	char url[512], err[1024];
	FILE *quiet = NULL;
	CURL *curl;
	int c, status = 0;

	while ((c = getopt_long(argc, argv, "a:n:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'a': agent = optarg; break;
		case 'n': {
			char *end;

			interval = strtod(optarg, &end);
			if (*end || interval < 0.2 || interval > 3600)
				fatalx("top: --interval '%s' is not a number of seconds from 0.2 to 3600", optarg);
			break;
		}
		case '1': once = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc)
		fatalx("top: unexpected argument '%s'", argv[optind]);
	snprintf(url, sizeof(url), "http://%s/status.json", agent);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (!(curl = curl_easy_init()))
		fatalx("top: libcurl could not start");
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (tty && !once) {
		tcgetattr(STDIN_FILENO, &old);
		raw = old;
		raw.c_lflag &= ~(ICANON | ECHO);
		tcsetattr(STDIN_FILENO, TCSANOW, &raw);
		fputs("\033[?25l", stdout);	/* no cursor while drawing */
	}
	for (int frame = 0; !done; frame++) {
		struct winsize ws = { .ws_row = 40, .ws_col = 160 };
		struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
		double t = mono_s();
		json_t *st = fetch(curl, url, err, sizeof(err));

		if (!st) {
			if (!frame || once) {
				fprintf(stderr, "vigil: top: %s (is `vigil run --metrics %s` running?)\n", err, agent);
				status = 1;
				break;
			}
			fprintf(stdout, "\033[H\033[2Jvigil top: %s; trying again\n", err);
			fflush(stdout);
		} else {
			ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws);
			/* --once: two samples an interval apart, so the rates are real */
			if (!once || frame)
				draw(stdout, st, prev, &n_prev, last ? t - last : 0, tty && !once, ws.ws_row ? ws.ws_row : 40,
				     ws.ws_col ? ws.ws_col : 160);
			else if ((quiet = fopen("/dev/null", "w")))
				draw(quiet, st, prev, &n_prev, 0, false, 40, 160);
			json_decref(st);
			last = t;
			if (once && frame)
				break;
		}
		if (tty && !once) {
			if (poll(&pfd, 1, (int)(interval * 1000)) > 0) {
				char ch = 0;

				if (read(STDIN_FILENO, &ch, 1) == 1 && (ch == 'q' || ch == 'Q'))
					break;
			}
		} else {
			usleep((useconds_t)(interval * 1e6));
		}
	}
	if (tty && !once) {
		tcsetattr(STDIN_FILENO, TCSANOW, &old);
		fputs("\033[?25h\n", stdout);
	}
	if (quiet)
		fclose(quiet);
	curl_easy_cleanup(curl);
	return status;
}
