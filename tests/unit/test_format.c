/* Unit tests: rendering records as JSON and text. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <fcntl.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "bpf/decode.h"
#include "output/format.h"
#include "bpf/syscalls.h"
#include "records.h"

static struct rec_builder b;
static struct fmt_ctx fmt = { .host = "h1", .boot_to_real_ns = 1795420000000000000LL };

/* The output reads the event through the field table, as the rules do. */
static struct field_ctx *fc_of(const struct event_view *ev)
{
	static struct field_ctx fc;

	field_ctx_reset(&fc, ev, 1);
	return &fc;
}

static json_t *render(const struct event_view *ev)
{
	struct jw w;
	json_error_t err;
	json_t *doc;

	jw_init(&w);
	event_json(&w, &fmt, fc_of(ev));
	assert_int_equal(w.err, 0);
	doc = json_loads(w.buf, 0, &err);
	if (!doc)
		fail_msg("invalid JSON (%s): %s", err.text, w.buf);
	jw_free(&w);
	return doc;
}

static const char *str_at(json_t *doc, const char *path)
{
	json_t *v = doc;
	char key[64];
	const char *p = path, *dot;

	while (v && *p) {
		dot = strchr(p, '.');
		snprintf(key, sizeof(key), "%.*s", (int)(dot ? dot - p : (long)strlen(p)), p);
		v = json_object_get(v, key);
		p = dot ? dot + 1 : p + strlen(p);
	}
	return json_string_value(v);
}

static void test_exec_with_context(void **state)
{
	struct vigil_exec_event *e = rb_start(&b, VIGIL_EV_EXEC, sizeof(*e));
	struct ctr_info ctr = { .id = "7c963ca76858a6ac8e1b3c1f0e29a1b7c9f2f1d4e5a6b7c8d9e0f1a2b3c4d5e6",
				.runtime = RT_DOCKER, .name = "web1", .image = "app:1" };
	struct proc_info pi = { .pid = 4242, .exe = "/bin/busybox", .argv = "sh\0-c\0id\0",
				.argv_len = 9, .cwd = "/" };
	struct event_view ev = { .rec = b.buf, .proc = &pi, .ctr = &ctr };
	json_t *doc, *args;

	e->exe.flags = VIGIL_FILE_PRESENT | VIGIL_FILE_ROOT_MNT | VIGIL_FILE_OVL_UPPER;
	memcpy(e->exe.fstype, "overlay", 8);
	rb_put(&b, &e->exe.path, "/tmp/x", 6);
	rb_put(&b, &e->filename, "/tmp/x", 6);
	assert_int_equal(record_check(b.buf, rb_finish(&b)), 0);

	doc = render(&ev);
	assert_string_equal(str_at(doc, "type"), "exec");
	assert_string_equal(str_at(doc, "host"), "h1");
	assert_string_equal(str_at(doc, "container.id"), "7c963ca76858");
	assert_string_equal(str_at(doc, "container.name"), "web1");
	assert_string_equal(str_at(doc, "container.image"), "app:1");
	assert_string_equal(str_at(doc, "exec.exe"), "/tmp/x");
	assert_true(json_is_true(json_object_get(json_object_get(doc, "exec"), "upper_layer")));
	assert_true(json_is_true(json_object_get(json_object_get(doc, "exec"), "from_tmp")));
	assert_string_equal(str_at(doc, "process.cmdline"), "sh -c id");
	args = json_object_get(json_object_get(doc, "process"), "args");
	assert_int_equal(json_array_size(args), 3);
	assert_string_equal(json_string_value(json_array_get(args, 2)), "id");
	assert_string_equal(json_string_value(json_array_get(
		json_object_get(json_object_get(doc, "process"), "caps"), 1)), "CAP_SYS_ADMIN");
	assert_string_equal(str_at(doc, "time"), "2026-11-23T07:46:41.000000000Z");
	json_decref(doc);
}

static void test_failed_relative_open(void **state)
{
	struct vigil_syscall_event *e = rb_start(&b, VIGIL_EV_SYSCALL, sizeof(*e));
	struct event_view ev = { .rec = b.buf };
	char text[1024];
	json_t *doc;

	e->nr = sys_nr("openat");
	e->ret = -2;
	e->args[0] = (uint64_t)-100;
	e->args[2] = O_WRONLY | O_CREAT;
	e->open_flags = e->args[2];	/* as the kernel side records what was asked */
	e->args[3] = 0644;
	rb_put(&b, &e->path, "../shadow", 9);
	rb_put(&b, &e->dir, "/etc/ssl", 8);
	assert_int_equal(record_check(b.buf, rb_finish(&b)), 0);

	doc = render(&ev);
	assert_string_equal(str_at(doc, "type"), "open");
	assert_string_equal(str_at(doc, "syscall"), "openat");
	assert_string_equal(str_at(doc, "errno"), "ENOENT");
	assert_string_equal(str_at(doc, "file.path"), "/etc/shadow");
	assert_string_equal(str_at(doc, "file.nameraw"), "../shadow");
	assert_string_equal(str_at(doc, "container.id"), "host");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(doc, "args"), "dirfd")), -100);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(doc, "file"), "create_mode")), 0644);
	assert_string_equal(json_string_value(json_array_get(
		json_object_get(json_object_get(doc, "file"), "flags"), 0)), "O_WRONLY");
	json_decref(doc);

	event_text(text, sizeof(text), &fmt, fc_of(&ev), "[INSECURE] Unsafe:[opening shadow]");
	assert_non_null(strstr(text, "2026/11/23 07:46:41 [INSECURE] Unsafe:[opening shadow], Event:{host:h1, type: open, syscall: openat, args: flags=O_WRONLY|O_CREAT path=/etc/shadow, result: -2 (ENOENT)}"));
	assert_non_null(strstr(text, "Container:{id: host}, Process:{proc: cat, pid: 4242, vpid: 7, parent: sh, args: , uid: 0, caps: CAP_CHOWN CAP_SYS_ADMIN}"));
}

/* A process of container `ctr` with parent ppid, as exec and fork report it. */
static void place(struct proc_cache *pc, uint32_t pid, uint32_t ppid, uint32_t vpid, uint64_t ctr,
		  const char *exe, const char *argv, size_t argv_len)
{
	assert_int_equal(proc_cache_exec(pc, pid, ppid, "x", exe, strlen(exe), argv, argv_len, 0, "/", 1), 0);
	proc_cache_set_place(pc, pid, ctr, vpid);
}

static json_t *render_alert(struct field_ctx *fc)
{
	struct jw w;
	json_t *doc;

	jw_init(&w);
	event_json_open(&w, &fmt, fc, true);
	jw_obj_close(&w);
	assert_int_equal(w.err, 0);
	doc = json_loads(w.buf, 0, NULL);
	assert_non_null(doc);
	jw_free(&w);
	return doc;
}

/*
 * An alert carries the ancestry the kernel reported, parent first, up to the
 * container's entrypoint; the shim outside the container is not part of it.
 * Text shows the chain in one line, root first.
 */
static void test_alert_ancestry(void **state)
{
	struct vigil_syscall_event *e = rb_start(&b, VIGIL_EV_SYSCALL, sizeof(*e));
	struct proc_cache *pc = proc_cache_new();
	struct event_view ev = { .rec = b.buf };
	struct field_ctx *fc;
	char text[2048];
	json_t *doc, *anc;
	uint32_t pid;

	place(pc, 50, 1, 50, 0, "/usr/bin/containerd-shim-runc-v2", "shim", 5);
	place(pc, 100, 50, 1, 7, "/usr/sbin/nginx", "nginx\0-g\0daemon off;", 21);
	place(pc, 101, 100, 7, 7, "/bin/bash", "bash\0-i", 8);
	place(pc, 4242, 101, 9, 7, "/usr/bin/shred", "shred\0/etc/passwd", 18);
	e->hdr.proc.pid = 4242;
	e->hdr.proc.ppid = 101;
	e->hdr.proc.vpid = 9;
	e->hdr.proc.ctr_cgroup_id = 7;
	e->nr = sys_nr("openat");
	assert_int_equal(record_check(b.buf, rb_finish(&b)), 0);
	ev.proc = proc_cache_get(pc, 4242);
	fc = fc_of(&ev);
	fc->procs = pc;

	doc = render_alert(fc);
	anc = json_object_get(doc, "ancestry");
	assert_int_equal(json_array_size(anc), 2);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(anc, 0), "pid")), 101);
	assert_string_equal(json_string_value(json_object_get(json_array_get(anc, 0), "exe")), "/bin/bash");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(anc, 1), "vpid")), 1);
	assert_string_equal(json_string_value(json_array_get(json_object_get(json_array_get(anc, 1), "args"), 2)),
			    "daemon off;");
	assert_string_equal(str_at(doc, "ancestry_root"), "entrypoint");
	json_decref(doc);
	/* a NORMAL event carries none */
	doc = render(&ev);
	assert_null(json_object_get(doc, "ancestry"));
	json_decref(doc);

	event_text(text, sizeof(text), &fmt, fc, "[INSECURE] Unsafe:[wiping]");
	assert_non_null(strstr(text, ", Ancestry:{entrypoint: /usr/sbin/nginx[100] > /bin/bash[101] > /usr/bin/shred[4242]}"));
	event_text(text, sizeof(text), &fmt, fc, "[NORMAL]");
	assert_null(strstr(text, "Ancestry"));

	/* a docker exec: the chain's root entered from outside (its parent is the shim) */
	e->hdr.proc.ppid = 200;
	place(pc, 200, 50, 12, 7, "/bin/sh", "sh", 3);
	doc = render_alert(fc);
	assert_int_equal(json_array_size(json_object_get(doc, "ancestry")), 1);
	assert_string_equal(str_at(doc, "ancestry_root"), "entered");
	json_decref(doc);

	/* twelve generations deep: eight shown, the entrypoint kept last, three counted between */
	place(pc, 300, 50, 1, 7, "/init", "init", 5);
	for (pid = 301; pid <= 312; pid++)
		place(pc, pid, pid - 1, pid - 299, 7, "/bin/sh", "sh", 3);
	e->hdr.proc.ppid = 312;
	doc = render_alert(fc);
	anc = json_object_get(doc, "ancestry");
	assert_int_equal(json_array_size(anc), ANCESTRY_MAX + 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(anc, 0), "pid")), 312);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(anc, 7), "pid")), 305);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(anc, 8), "pid")), 300);
	assert_int_equal(json_integer_value(json_object_get(doc, "ancestry_skipped")), 4);
	assert_string_equal(str_at(doc, "ancestry_root"), "entrypoint");
	json_decref(doc);
	event_text(text, sizeof(text), &fmt, fc, "[INSECURE] Unsafe:[wiping]");
	assert_non_null(strstr(text, "Ancestry:{entrypoint: /init[300] > (4 more) > /bin/sh[305] > "));

	/* a parent never reported (a host process: docker exec's runc): the process itself entered */
	e->hdr.proc.ppid = 999;
	doc = render_alert(fc);
	assert_int_equal(json_array_size(json_object_get(doc, "ancestry")), 0);
	assert_string_equal(str_at(doc, "ancestry_root"), "entered");
	json_decref(doc);
	/* a host process: up to pid 1, as the start-up scan and the events give it */
	e->hdr.proc.ctr_cgroup_id = 0;
	e->hdr.proc.ppid = 50;
	doc = render_alert(fc);
	assert_int_equal(json_array_size(json_object_get(doc, "ancestry")), 1);
	assert_string_equal(str_at(doc, "ancestry_root"), "host");
	json_decref(doc);
	fc->procs = NULL;
	proc_cache_free(pc);
}

/* argv the kernel cut: the last argument is partial, the flag says so. */
static void test_truncated_argv_and_hostile_bytes(void **state)
{
	struct vigil_exec_event *e = rb_start(&b, VIGIL_EV_EXEC, sizeof(*e));
	struct proc_info pi = { .pid = 4242, .argv = "x\0a\"b\n\xff", .argv_len = 8, .argv_truncated = 1 };
	struct event_view ev = { .rec = b.buf, .proc = &pi };
	char text[256];
	json_t *doc, *args;

	e->flags = VIGIL_EXEC_ARGV_TRUNC;
	assert_int_equal(record_check(b.buf, rb_finish(&b)), 0);
	doc = render(&ev);
	args = json_object_get(json_object_get(doc, "process"), "args");
	assert_int_equal(json_array_size(args), 2);
	assert_string_equal(json_string_value(json_array_get(args, 1)), "a\"b\n\xef\xbf\xbd");
	/* and the exact bytes of every element, when one is not UTF-8 */
	args = json_object_get(json_object_get(doc, "process"), "args_b64");
	assert_int_equal(json_array_size(args), 2);
	assert_string_equal(json_string_value(json_array_get(args, 0)), "eA==");
	assert_string_equal(json_string_value(json_array_get(args, 1)), "YSJiCv8=");
	/* the raw bytes of the command line survive */
	assert_string_equal(str_at(doc, "process.cmdline_b64"), "eCBhImIK/w==");
	assert_true(json_is_true(json_object_get(json_object_get(doc, "process"), "args_truncated")));
	assert_true(json_is_true(json_object_get(json_object_get(doc, "exec"), "args_truncated")));
	json_decref(doc);

	/* text mode escapes what a terminal would interpret */
	event_text(text, sizeof(text), &fmt, fc_of(&ev), NULL);
	assert_non_null(strstr(text, "args: x a\"b\\x0a\\xff, uid"));
	/* a tiny buffer is never overrun */
	assert_true(event_text(text, 16, &fmt, fc_of(&ev), "[NORMAL]") < 16);
}

/*
 * Capabilities and the almost-always-false flags cost bytes on every event:
 * caps are written at exec, in alerts and when they changed since exec;
 * a false flag or a zero count is left out.
 */
static void test_open_left_out_when_default(void **state)
{
	struct vigil_syscall_event *e = rb_start(&b, VIGIL_EV_SYSCALL, sizeof(*e));
	struct proc_info pi = { .pid = 4242, .exec_caps = 1ULL << 0 | 1ULL << 21, .exec_caps_known = true };
	struct ctr_info ctr = { .id = "7c963ca76858a6ac8e1b3c1f0e29a1b7c9f2f1d4e5a6b7c8d9e0f1a2b3c4d5e6",
				.runtime = RT_DOCKER, .name = "web1", .image = "app:1", .image_id = "sha256:ab" };
	struct event_view ev = { .rec = b.buf, .proc = &pi, .ctr = &ctr };
	struct jw w;
	json_t *doc, *file, *proc;

	e->nr = sys_nr("openat");
	e->ret = 3;
	rb_put(&b, &e->path, "/etc/hostname", 13);
	assert_int_equal(record_check(b.buf, rb_finish(&b)), 0);

	doc = render(&ev);
	file = json_object_get(doc, "file");
	proc = json_object_get(doc, "process");
	assert_null(json_object_get(proc, "caps"));	/* as at its exec */
	assert_null(json_object_get(proc, "tty"));
	assert_null(json_object_get(proc, "args_truncated"));
	assert_null(json_object_get(file, "repeats"));
	assert_null(json_object_get(file, "path_truncated"));
	assert_null(json_object_get(file, "nameraw"));	/* the same as path */
	assert_string_equal(str_at(doc, "file.path"), "/etc/hostname");
	assert_string_equal(str_at(doc, "container.id"), "7c963ca76858");
	assert_string_equal(str_at(doc, "container.name"), "web1");
	assert_null(str_at(doc, "container.full_id"));
	assert_null(str_at(doc, "container.image_id"));
	json_decref(doc);

	/* an alert says what the process may do, changed or not */
	jw_init(&w);
	event_json_open(&w, &fmt, fc_of(&ev), true);
	jw_obj_close(&w);
	doc = json_loads(w.buf, 0, NULL);
	assert_non_null(doc);
	assert_int_equal(json_array_size(json_object_get(json_object_get(doc, "process"), "caps")), 2);
	assert_int_equal(strlen(str_at(doc, "container.full_id")), 64);
	assert_string_equal(str_at(doc, "container.image_id"), "sha256:ab");
	json_decref(doc);
	jw_free(&w);

	/* dropped since exec (a web server's workers): written */
	pi.exec_caps = ~0ULL >> 23;
	doc = render(&ev);
	assert_int_equal(json_array_size(json_object_get(json_object_get(doc, "process"), "caps")), 2);
	json_decref(doc);

	/* a process seeded from procfs: its exec's caps are not known, so they are written */
	pi.exec_caps_known = false;
	pi.exec_caps = 1ULL << 0 | 1ULL << 21;
	doc = render(&ev);
	assert_non_null(json_object_get(json_object_get(doc, "process"), "caps"));
	json_decref(doc);
}

static void test_socket_event(void **state)
{
	struct vigil_syscall_event *e = rb_start(&b, VIGIL_EV_SYSCALL, sizeof(*e));
	struct event_view ev = { .rec = b.buf };
	static const uint8_t mapped[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1 };
	json_t *doc;

	e->nr = sys_nr("connect");
	e->ret = -101;
	e->sock.family = 10;	/* AF_INET6 */
	e->sock.type = 1;	/* SOCK_STREAM */
	e->sock.rport = 443;
	memcpy(e->sock.raddr, mapped, 16);
	assert_int_equal(record_check(b.buf, rb_finish(&b)), 0);
	doc = render(&ev);
	assert_string_equal(str_at(doc, "type"), "connect");
	assert_string_equal(str_at(doc, "errno"), "ENETUNREACH");
	assert_string_equal(str_at(doc, "net.remote.ip"), "192.0.2.1");
	assert_string_equal(str_at(doc, "net.proto"), "tcp");
	json_decref(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exec_with_context),
		cmocka_unit_test(test_failed_relative_open),
		cmocka_unit_test(test_truncated_argv_and_hostile_bytes),
		cmocka_unit_test(test_alert_ancestry),
		cmocka_unit_test(test_socket_event),
		cmocka_unit_test(test_open_left_out_when_default),
	};

	return cmocka_run_group_tests_name("format", tests, NULL, NULL);
}
