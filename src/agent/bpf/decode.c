/* decode.c - validation of ring-buffer records (see decode.h). */
#include <errno.h>
#include <linux/capability.h>
#include <linux/io_uring.h>
#include <stdint.h>
#include <sys/socket.h>

#include "bpf/decode.h"

/* The ABI's copies of UAPI numbers (abi.h) are the kernel's own. */
_Static_assert(VIGIL_AF_UNIX == AF_UNIX && VIGIL_AF_INET == AF_INET && VIGIL_AF_INET6 == AF_INET6,
	       "address families");
_Static_assert(VIGIL_IORING_OP_CONNECT == IORING_OP_CONNECT && VIGIL_IORING_OP_OPENAT == IORING_OP_OPENAT &&
	       VIGIL_IORING_OP_OPENAT2 == IORING_OP_OPENAT2 && VIGIL_IORING_OP_ACCEPT == IORING_OP_ACCEPT &&
	       VIGIL_IORING_OP_RENAMEAT == IORING_OP_RENAMEAT && VIGIL_IORING_OP_UNLINKAT == IORING_OP_UNLINKAT &&
	       VIGIL_IORING_OP_MKDIRAT == IORING_OP_MKDIRAT && VIGIL_IORING_OP_SYMLINKAT == IORING_OP_SYMLINKAT &&
	       VIGIL_IORING_OP_LINKAT == IORING_OP_LINKAT && VIGIL_IORING_OP_SOCKET == IORING_OP_SOCKET,
	       "io_uring opcodes");
_Static_assert(VIGIL_CAP_SYS_ADMIN == CAP_SYS_ADMIN && VIGIL_CAP_SYS_MODULE == CAP_SYS_MODULE &&
	       CAP_LAST_CAP <= VIGIL_CAP_LAST, "capability numbers");

size_t record_body_size(unsigned int type)
{
	switch (type) {
	case VIGIL_EV_EXEC: return sizeof(struct vigil_exec_event);
	case VIGIL_EV_FORK: return sizeof(struct vigil_fork_event);
	case VIGIL_EV_EXIT: return sizeof(struct vigil_exit_event);
	case VIGIL_EV_SYSCALL: return sizeof(struct vigil_syscall_event);
	case VIGIL_EV_URING: return sizeof(struct vigil_uring_event);
	case VIGIL_EV_CGROUP: return sizeof(struct vigil_cgroup_event);
	case VIGIL_EV_PROFILE: return sizeof(struct vigil_profile_event);
	case VIGIL_EV_CAPABLE: return sizeof(struct vigil_capable_event);
	case VIGIL_EV_MIGRATE: return sizeof(struct vigil_migrate_event);
	case VIGIL_EV_SOCK: return sizeof(struct vigil_sock_event);
	case VIGIL_EV_NOTICE: return sizeof(struct vigil_notice_event);
	case VIGIL_EV_ENFORCE: return sizeof(struct vigil_enforce_event);
	case VIGIL_EV_SYNFLOOD: return sizeof(struct vigil_synflood_event);
	case VIGIL_EV_RENAME: return sizeof(struct vigil_rename_event);
	}
	return 0;
}

/* A string must lie in the data area, after the body, inside the record. */
static int str_ok(struct vigil_str s, size_t body, size_t size)
{
	if (!s.off)
		return s.len == 0;
	return s.off >= body && (size_t)s.off + s.len <= size;
}

static int file_ok(const struct vigil_file *f, size_t body, size_t size)
{
	return str_ok(f->path, body, size) && str_ok(f->mnt_source, body, size) &&
	       str_ok(f->mnt_root, body, size);
}

int record_check(const void *data, size_t size)
{
	const struct vigil_hdr *h = data;
	size_t body;
	int ok;

	if (!data || size < sizeof(*h))
		return -EBADMSG;
	if (h->version != VIGIL_ABI_VERSION)
		return -EPROTO;
	body = record_body_size(h->type);
	if (!body || h->size != size || size < body)
		return -EBADMSG;

	switch (h->type) {
	case VIGIL_EV_EXEC: {
		const struct vigil_exec_event *e = data;

		ok = file_ok(&e->exe, body, size) && str_ok(e->filename, body, size) &&
		     str_ok(e->argv, body, size) && str_ok(e->cwd, body, size) &&
		     str_ok(e->env, body, size) &&
		     str_ok(e->stdio_sock.unix_path, body, size);
		break;
	}
	case VIGIL_EV_SYSCALL: {
		const struct vigil_syscall_event *e = data;

		ok = str_ok(e->path, body, size) && str_ok(e->dir, body, size) &&
		     str_ok(e->path2, body, size) && str_ok(e->dir2, body, size) &&
		     file_ok(&e->file, body, size) &&
		     str_ok(e->sock.unix_path, body, size);
		break;
	}
	case VIGIL_EV_URING: {
		const struct vigil_uring_event *e = data;

		ok = str_ok(e->path, body, size) && str_ok(e->path2, body, size) && str_ok(e->dir, body, size) &&
		     str_ok(e->dir2, body, size) && file_ok(&e->file, body, size) &&
		     str_ok(e->sock.unix_path, body, size);
		break;
	}
	case VIGIL_EV_CGROUP: {
		const struct vigil_cgroup_event *e = data;

		ok = str_ok(e->path, body, size);
		break;
	}
	case VIGIL_EV_SOCK: {
		const struct vigil_sock_event *e = data;

		ok = str_ok(e->addr.unix_path, body, size);
		break;
	}
	case VIGIL_EV_NOTICE: {
		const struct vigil_notice_event *e = data;

		ok = str_ok(e->path, body, size);
		break;
	}
	default:
		ok = 1;
	}
	return ok ? 0 : -EBADMSG;
}
