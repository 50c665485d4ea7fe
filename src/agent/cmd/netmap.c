/*
 * netmap.c - `vigil netmap`: the traffic map the agent keeps
 * (core/netmap.h) as JSON, Graphviz dot, or SVG drawn by Graphviz.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "core/agent.h"
#include "core/netmap.h"
#include "util/log.h"

static void usage(FILE *f)
{
	fprintf(f,
"usage: vigil netmap [--format json|dot|svg] [--state-dir DIR | --input FILE]\n"
"\n"
"Who talks to whom: container to container and container to outside\n"
"addresses, with port, protocol, count, first and last seen, as the running\n"
"(or last) agent saw them since it started.\n"
"\n"
"  -F, --format F      json (default), dot (Graphviz), svg (drawn by Graphviz's\n"
"                      dot, which must be installed)\n"
"      --state-dir DIR the agent's state directory (default " AGENT_STATE_DIR ")\n"
"  -i, --input FILE    a netmap.json to render instead\n");
}

/* A DOT string's body: '"' and '\' escaped, control bytes dropped. */
static void dot_str(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		if ((unsigned char)*s >= 32)
			fputc(*s, f);
	}
}

static const char *jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

static void dot_node(FILE *f, json_t *end, json_t *containers)
{
	const char *node = jstr(end, "node");
	size_t i;
	json_t *c;

	fputs("  \"", f);
	dot_str(f, node);
	if (!strcmp(jstr(end, "kind"), "container")) {
		const char *name = jstr(end, "name"), *image = "";

		json_array_foreach(containers, i, c)
			if (!strcmp(jstr(c, "node"), node))
				image = jstr(c, "image");
		fputs("\" [label=\"", f);
		dot_str(f, *name ? name : jstr(end, "id"));
		if (*image) {
			fputs("\\n", f);
			dot_str(f, image);
		}
		fputs("\"];\n", f);
	} else {
		fputs("\" [label=\"", f);
		dot_str(f, jstr(end, "address"));
		fputs("\", shape=ellipse, style=dashed];\n", f);
	}
}

static void write_dot(FILE *f, json_t *map)
{
	json_t *edges = json_object_get(map, "edges"), *containers = json_object_get(map, "containers"), *e;
	size_t i;

	fputs("digraph vigil {\n  rankdir=LR;\n  node [shape=box, style=rounded, fontname=\"sans\"];\n"
	      "  edge [fontname=\"sans\", fontsize=10];\n", f);
	json_array_foreach(edges, i, e) {
		dot_node(f, json_object_get(e, "from"), containers);
		dot_node(f, json_object_get(e, "to"), containers);
	}
	json_array_foreach(edges, i, e) {
		fputs("  \"", f);
		dot_str(f, jstr(json_object_get(e, "from"), "node"));
		fputs("\" -> \"", f);
		dot_str(f, jstr(json_object_get(e, "to"), "node"));
		fprintf(f, "\" [label=\"%s/%lld x%lld\"];\n", jstr(e, "proto"),
			(long long)json_integer_value(json_object_get(e, "port")),
			(long long)json_integer_value(json_object_get(e, "count")));
	}
	fputs("}\n", f);
}

/* dot text piped through `dot -Tsvg` to stdout. */
static int write_svg(json_t *map)
{
	int fds[2], status;
	pid_t pid;
	FILE *f;

	if (pipe(fds))
		fatalx("netmap: pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		fatalx("netmap: fork: %s", strerror(errno));
	if (!pid) {
		dup2(fds[0], STDIN_FILENO);
		close(fds[0]);
		close(fds[1]);
		execlp("dot", "dot", "-Tsvg", (char *)NULL);
		_exit(127);
	}
	close(fds[0]);
	f = fdopen(fds[1], "w");
	if (!f)
		fatalx("netmap: %s", strerror(errno));
	write_dot(f, map);
	fclose(f);
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		fatalx("netmap: Graphviz's dot did not finish");
	if (WEXITSTATUS(status) == 127)
		fatalx("netmap: --format svg needs Graphviz's dot (apt-get install graphviz); --format dot gives its input");
	return WEXITSTATUS(status) ? 1 : 0;
}

int netmap_cmd(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'F' },
		{ "state-dir", required_argument, NULL, 'S' },
		{ "input", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *format = "json", *dir = AGENT_STATE_DIR, *input = NULL;
	char path[4096];
	json_error_t jerr;
	json_t *map;
	int c;

	while ((c = getopt_long(argc, argv, "F:i:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'F': format = optarg; break;
		case 'S': dir = optarg; break;
		case 'i': input = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc)
		fatalx("netmap: unexpected argument '%s'", argv[optind]);
	if (strcmp(format, "json") && strcmp(format, "dot") && strcmp(format, "svg"))
		fatalx("netmap: --format '%s' is none of json, dot, svg", format);
	if (!input) {
		snprintf(path, sizeof(path), "%s/%s", dir, NETMAP_FILE);
		input = path;
	}
	map = json_load_file(input, 0, &jerr);
	if (!map) {
		if (errno == ENOENT || strstr(jerr.text, "unable to open"))
			fatalx("netmap: %s: %s (is an agent running, with --state-dir %s?)", input, jerr.text, dir);
		fatalx("netmap: %s:%d: %s", input, jerr.line, jerr.text);
	}
	if (!json_is_array(json_object_get(map, "edges")))
		fatalx("netmap: %s: no \"edges\" array: not a traffic map", input);
	if (!strcmp(format, "json")) {
		json_dumpf(map, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
	} else if (!strcmp(format, "dot")) {
		write_dot(stdout, map);
	} else {
		fflush(stdout);
		c = write_svg(map);
		json_decref(map);
		return c;
	}
	json_decref(map);
	return 0;
}
