/*
 * learn.c - `vigil learn`: what the agent learned each image does
 * (STATE_DIR/behaviour.json, learn/novelty.h), and starting an image over.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "container/container.h"
#include "core/agent.h"
#include "learn/novelty.h"
#include "util/safefile.h"

static void usage(FILE *f)
{
	fprintf(f,
"usage: vigil learn [--state-dir DIR] --status [--json]\n"
"       vigil learn [--state-dir DIR] --reset IMAGE|CONTAINER...\n"
"\n"
"An image's first container is learned for --learn-seconds: the executables\n"
"it runs, the directories it writes in, the ports it listens on, the peers it\n"
"connects to.  Afterwards what its containers do outside that is an anomaly\n"
"(rule \"Behaviour not seen while the image was learned\").\n"
"\n"
"  --status        each learned image and what it holds (--json: the file)\n"
"  --reset X       forget image X (name, digest or digest prefix, or a running\n"
"                  container's name): its next container learns it again.  A\n"
"                  running agent forgets it on SIGHUP (systemctl reload vigil)\n"
"  --state-dir DIR the agent's state directory (default " AGENT_STATE_DIR ")\n");
}

static json_t *load(const char *dir)
{
	size_t len;
	char *text = safefile_read_at(dir, NOVELTY_STATE_FILE, SAFEFILE_BENEATH, 16u << 20, &len);
	json_error_t err;
	json_t *root;

	if (!text) {
		if (errno == ENOENT)
			return json_object();
		fprintf(stderr, "vigil: learn: %s/%s: %s\n", dir, NOVELTY_STATE_FILE, strerror(errno));
		return NULL;
	}
	root = json_loadb(text, len, 0, &err);
	free(text);
	if (!json_is_object(root)) {
		fprintf(stderr, "vigil: learn: %s/%s:%d: %s\n", dir, NOVELTY_STATE_FILE, err.line, err.text);
		json_decref(root);
		return NULL;
	}
	return root;
}

static int status(json_t *root, bool as_json)
{
	const char *key;
	json_t *o;
	int k;

	if (as_json) {
		json_dumpf(root, stdout, JSON_SORT_KEYS | JSON_INDENT(1));
		putchar('\n');
		return 0;
	}
	if (!json_object_size(root)) {
		printf("nothing learned yet\n");
		return 0;
	}
	json_object_foreach(root, key, o) {
		const char *image = json_string_value(json_object_get(o, "image"));

		printf("%s%s%s%s\n", image ? image : key, image ? " (" : "", image ? key : "", image ? ")" : "");
		for (k = 0; k < NOV_KINDS; k++) {
			json_t *a = json_object_get(o, novelty_kind_name(k)), *v;
			size_t i;

			printf("  %-8s %3zu", novelty_kind_name(k), json_array_size(a));
			json_array_foreach(a, i, v) {
				if (i == 4) {
					printf(" ...");
					break;
				}
				printf("%s%s", i ? ", " : "  ", json_string_value(v) ?: "?");
			}
			putchar('\n');
		}
	}
	return 0;
}

struct by_name {
	const char *name;
	char *key;	/* the container's image key, when found */
};

static int find_container(void *arg, struct ctr_info *c)
{
	struct by_name *b = arg;

	if (b->key || !c->name || strcmp(c->name, b->name))
		return 0;
	b->key = strdup(ctr_image_key(c));
	return 0;
}

/* Does key (with its image name) match what the user named? */
static bool matches(const char *key, json_t *o, const char *what)
{
	const char *image = json_string_value(json_object_get(o, "image"));
	size_t n = strlen(what);

	if (!strcmp(key, what) || (image && !strcmp(image, what)))
		return true;
	/* a digest prefix, with or without sha256: (at least 4 hex digits) */
	if (!strncmp(what, "sha256:", 7))
		what += 7, n -= 7;
	return n >= 4 && !strncmp(key, "sha256:", 7) && !strncmp(key + 7, what, n);
}

static int reset(const char *dir, json_t *root, char **what, int n)
{
	struct ctr_registry *reg = NULL;
	int i, forgot = 0, rc = 0;
	const char *key;
	json_t *o;
	void *tmp;
	char *text;

	for (i = 0; i < n; i++) {
		int hit = 0;

		json_object_foreach_safe(root, tmp, key, o) {
			if (!matches(key, o, what[i]))
				continue;
			printf("forgot %s\n", json_string_value(json_object_get(o, "image")) ?: key);
			json_object_del(root, key);
			hit++;
		}
		if (!hit) {
			/* a running container's name: its image */
			struct by_name b = { what[i], NULL };

			if (!reg && (reg = ctr_registry_new()))
				ctr_scan_named(reg, NULL);
			if (reg)
				ctr_each(reg, find_container, &b);
			if (b.key && json_object_get(root, b.key)) {
				printf("forgot %s (the image of container %s)\n", b.key, what[i]);
				json_object_del(root, b.key);
				hit++;
			}
			free(b.key);
		}
		if (!hit) {
			fprintf(stderr, "vigil: learn: %s: no learned image or running container of that name\n", what[i]);
			rc = 1;
		}
		forgot += hit;
	}
	ctr_registry_free(reg);
	if (!forgot)
		return rc;
	text = json_dumps(root, JSON_SORT_KEYS | JSON_INDENT(1));
	if (!text || safefile_replace(dir, NOVELTY_STATE_FILE, text, strlen(text))) {
		fprintf(stderr, "vigil: learn: %s/%s: not written\n", dir, NOVELTY_STATE_FILE);
		rc = 1;
	} else {
		printf("a running agent forgets it on SIGHUP (systemctl reload vigil)\n");
	}
	free(text);
	return rc;
}

int learn_cmd(int argc, char **argv)
{
	enum { O_STATUS = 1000, O_RESET, O_STATE, O_JSON };
	static const struct option opts[] = {
		{ "status", no_argument, NULL, O_STATUS },
		{ "reset", no_argument, NULL, O_RESET },
		{ "state-dir", required_argument, NULL, O_STATE },
		{ "json", no_argument, NULL, O_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *dir = AGENT_STATE_DIR;
	bool do_status = false, do_reset = false, as_json = false;
	json_t *root;
	int c, rc;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case O_STATUS: do_status = true; break;
		case O_RESET: do_reset = true; break;
		case O_STATE: dir = optarg; break;
		case O_JSON: as_json = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (do_status == do_reset || (do_reset && optind == argc) || (do_status && optind != argc)) {
		usage(stderr);
		return 2;
	}
	root = load(dir);
	if (!root)
		return 1;
	rc = do_status ? status(root, as_json) : reset(dir, root, argv + optind, argc - optind);
	json_decref(root);
	return rc;
}
