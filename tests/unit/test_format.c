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
		cmocka_unit_test(test_socket_event),
		cmocka_unit_test(test_open_left_out_when_default),
	};

	return cmocka_run_group_tests_name("format", tests, NULL, NULL);
}
