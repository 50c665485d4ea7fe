/*
 * analyze_cmd.c - `vigil analyze IMAGE|ROOTFS-DIR|TARBALL`: every syscall
 * the image's code can make, found statically (elf_scan.c), as a seccomp
 * profile and a report.
 *
 * Statically linked programs are scanned whole.  A dynamically linked file
 * contributes its own syscall sites plus, for each function it imports from
 * the C library, what that function can reach (the wrapper map, built from
 * the image's own libc).  The C library's other code is not counted: it is
 * only reachable through what is imported.  The dynamic loader's sites are
 * counted (it runs in every dynamic program).
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "seccomp/image.h"
#include "seccomp/docker_filter.h"
#include "seccomp/elf_scan.h"
#include "util/log.h"
#include "seccomp/syscall_set.h"
#include "bpf/syscalls.h"

struct scanned {
	char *path;			/* inside the image */
	struct elf_info info;
	struct syscall_set total;	/* sites + wrappers of its imports */
};

struct analysis {
	const char *root;
	size_t root_len;
	struct scanned *files;
	size_t n, cap;
	size_t files_seen;
	const char *libc;		/* path inside the image, if found */
};

/* ---- scanning ---- */

static struct analysis *walk_ctx;	/* nftw has no user argument */

static int visit(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	struct analysis *a = walk_ctx;
	struct elf_info info;
	char magic[4];
	int fd;

	if (type != FTW_F || !S_ISREG(st->st_mode) || st->st_size < 64)
		return 0;
	a->files_seen++;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (read(fd, magic, 4) != 4 || memcmp(magic, "\x7f" "ELF", 4)) {
		close(fd);
		return 0;
	}
	close(fd);
	if (elf_scan_file(path, &info) || info.kind == ELF_NOT) {
		elf_info_fini(&info);
		return 0;
	}
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 64;
		struct scanned *f = realloc(a->files, cap * sizeof(*f));

		if (!f) {
			elf_info_fini(&info);
			return 0;
		}
		a->files = f;
		a->cap = cap;
	}
	memset(&a->files[a->n], 0, sizeof(a->files[0]));
	a->files[a->n].path = strdup(path + a->root_len);
	a->files[a->n].info = info;
	if (!a->libc && (!strcmp(info.soname, "libc.so.6") || !strcmp(info.soname, "libc.so")))
		a->libc = a->files[a->n].path;
	a->n++;
	return 0;
}

static bool is_libc(const struct scanned *f)
{
	return !strcmp(f->info.soname, "libc.so.6") || !strcmp(f->info.soname, "libc.so");
}

static void names_json(json_t *obj, const char *key, const struct syscall_set *s)
{
	json_t *list = json_array();
	int i;

	for (i = 0; i < VIGIL_NR_SYSCALLS; i++)
		if (sset_has(s, i))
			json_array_append_new(list, json_string(sys_name(i)));
	json_object_set_new(obj, key, list);
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: vigil analyze IMAGE|ROOTFS-DIR|TARBALL [-o PROFILE.json] [--report REPORT.json]\n"
"                     [--wrapper-map MAP.json] [--save-wrapper-map MAP.json]\n"
"                     [--no-docker-default] [--no-baseline]\n"
"\n"
"Finds the ELF programs and libraries of an image (a name Docker knows, the\n"
"output of docker export / docker save, or a directory), disassembles them,\n"
"and writes the seccomp profile of every syscall their code can make.\n"
"  -o FILE              the profile (default: none; the summary goes to stdout)\n"
"  --report FILE        the full report as JSON: per binary, unknown sites\n"
"  --wrapper-map FILE   libc function -> syscalls, for images without a libc\n"
"  --save-wrapper-map F write the map built from the image's libc\n"
"  --no-docker-default  do not compare with Docker's default profile (which is\n"
"                       read from a container of IMAGE running `sleep`)\n"
"  --no-baseline        leave out what the runtime needs (docs/seccomp.md)\n");
}

int analyze_cmd(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "report", required_argument, NULL, 'r' },
		{ "wrapper-map", required_argument, NULL, 'w' },
		{ "save-wrapper-map", required_argument, NULL, 's' },
		{ "no-docker-default", no_argument, NULL, 'D' },
		{ "no-baseline", no_argument, NULL, 'B' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *out_path = NULL, *report_path = NULL, *map_path = NULL, *save_map = NULL, *input;
	struct syscall_set all = { 0 }, docker = { 0 };
	struct analysis a = { 0 };
	struct wrapper_map *map = NULL;
	unsigned int sites = 0, unknown = 0;
	int c, i, docker_ok = 0, baseline = 1, compare = 1, status = 1, n_static = 0;
	char root[PATH_MAX], libc_path[PATH_MAX], *tmp = NULL;
	json_t *report = NULL, *per = NULL, *unk = NULL;
	size_t k, j;
	FILE *out;

	while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': out_path = optarg; break;
		case 'r': report_path = optarg; break;
		case 'w': map_path = optarg; break;
		case 's': save_map = optarg; break;
		case 'D': compare = 0; break;
		case 'B': baseline = 0; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return 2;
	}
	input = argv[optind];
	if (image_root(input, root, sizeof(root), &tmp))
		goto out;
	a.root = root;
	a.root_len = strlen(root);
	walk_ctx = &a;
	if (nftw(root, visit, 32, FTW_PHYS) < 0) {
		log_warn("analyze: walking %s", root);
		goto out;
	}
	if (a.libc) {
		snprintf(libc_path, sizeof(libc_path), "%s%s", root, a.libc);
		map = wrapper_map_build(libc_path);
		if (!map)
			log_warnx("analyze: %s: not usable as a C library", a.libc);
	}
	if (!map && map_path && !(map = wrapper_map_load(map_path)))
		log_warnx("analyze: %s: not a wrapper map", map_path);
	if (save_map && map && wrapper_map_save(map, save_map))
		log_warn("analyze: %s", save_map);

	report = json_object();
	per = json_object();
	unk = json_array();
	for (k = 0; k < a.n; k++) {
		struct scanned *f = &a.files[k];
		int unresolved = 0;

		if (is_libc(f))
			continue;	/* reached through the wrapper map only */
		f->total = f->info.sites;
		if (f->info.kind == ELF_DYNAMIC) {
			for (j = 0; j < f->info.n_imports; j++) {
				const struct syscall_set *w = map ? wrapper_map_get(map, f->info.imports[j]) : NULL;

				if (w)
					sset_union(&f->total, w);
				else
					unresolved++;
			}
		} else {
			n_static++;
		}
		sset_union(&all, &f->total);
		sites += f->info.n_sites;
		unknown += f->info.n_unknown;
		if (f->info.n_unknown) {
			json_t *u = json_object();
			char addr[32];

			snprintf(addr, sizeof(addr), "0x%llx", (unsigned long long)f->info.first_unknown);
			json_object_set_new(u, "file", json_string(f->path));
			json_object_set_new(u, "sites", json_integer(f->info.n_unknown));
			json_object_set_new(u, "first_address", json_string(addr));
			json_array_append_new(unk, u);
		}
		{
			json_t *o = json_object();

			json_object_set_new(o, "kind", json_string(f->info.kind == ELF_STATIC_EXEC ? "static" : "dynamic"));
			json_object_set_new(o, "count", json_integer(sset_count(&f->total)));
			json_object_set_new(o, "imports_without_syscalls", json_integer(unresolved));
			names_json(o, "syscalls", &f->total);
			json_object_set_new(per, f->path, o);
		}
	}
	if (baseline)
		sset_add_runtime_baseline(&all);
	if (compare && !tmp)
		compare = 0;	/* a directory: no image to start for Docker's filter */
	if (compare)
		docker_ok = !docker_default_allowed(input, &docker);

	json_object_set_new(report, "input", json_string(input));
	json_object_set_new(report, "files_scanned", json_integer(a.files_seen));
	json_object_set_new(report, "elf_files", json_integer(a.n));
	json_object_set_new(report, "static_executables", json_integer(n_static));
	json_object_set_new(report, "libc", a.libc ? json_string(a.libc) : json_null());
	json_object_set_new(report, "wrapper_map_functions", json_integer(map ? wrapper_map_size(map) : 0));
	json_object_set_new(report, "syscall_sites", json_integer(sites));
	json_object_set_new(report, "unknown_sites", json_integer(unknown));
	json_object_set_new(report, "runtime_baseline_included", json_boolean(baseline));
	json_object_set_new(report, "count", json_integer(sset_count(&all)));
	names_json(report, "syscalls", &all);
	if (docker_ok) {
		json_object_set_new(report, "docker_default_count", json_integer(sset_count(&docker)));
		/* the profile is static; only this comparison runs the image */
		json_object_set_new(report, "docker_default_from",
				    json_string("a container of the image running `sleep` under Docker's default profile"));
		json_object_set_new(report, "reduction_vs_docker_default",
				    json_real(1.0 - (double)sset_count(&all) / sset_count(&docker)));
	}
	json_object_set_new(report, "unknown", unk);
	json_object_set_new(report, "per_binary", per);

	printf("vigil analyze %s: %zu files, %zu ELF (%d static), libc %s (%zu functions mapped)\n",
	       input, a.files_seen, a.n, n_static, a.libc ? a.libc : "none", map ? wrapper_map_size(map) : 0);
	printf("  syscall sites %u, number not recovered at %u\n", sites, unknown);
	printf("  syscalls allowed: vigil static %d%s", sset_count(&all), baseline ? " (with runtime baseline)" : "");
	if (docker_ok)
		printf(", docker default %d: %.1f%% fewer\n", sset_count(&docker),
		       100.0 * (1.0 - (double)sset_count(&all) / sset_count(&docker)));
	else
		printf("\n");
	for (i = 0; i < VIGIL_NR_SYSCALLS; i++)
		if (sset_has(&all, i))
			printf("%s%s", i && sset_count(&all) ? " " : "  ", sys_name(i));
	printf("\n");

	if (report_path && json_dump_file(report, report_path, JSON_INDENT(2) | JSON_SORT_KEYS)) {
		log_warn("analyze: %s", report_path);
		goto out;
	}
	if (out_path) {
		if (!(out = fopen(out_path, "w")) || profile_write(&all, out) || fclose(out)) {
			log_warn("analyze: %s", out_path);
			goto out;
		}
	}
	status = 0;
out:
	json_decref(report);
	for (k = 0; k < a.n; k++) {
		free(a.files[k].path);
		elf_info_fini(&a.files[k].info);
	}
	free(a.files);
	wrapper_map_free(map);
	if (tmp) {
		char *rmrf[] = { "rm", "-rf", tmp, NULL };
		pid_t pid = fork();

		if (pid == 0) {
			execvp("rm", rmrf);
			_exit(127);
		}
		if (pid > 0)
			waitpid(pid, NULL, 0);
		free(tmp);
	}
	return status;
}
