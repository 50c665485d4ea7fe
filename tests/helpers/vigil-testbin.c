/*
 * vigil-testbin - one static binary for the e2e test image: each command
 * performs one action Vigil must report, and prints its result so the test
 * can compare it with what Vigil saw.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <linux/bpf.h>
#include <linux/capability.h>
#include <linux/if_ether.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <poll.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

static int report(const char *what, long rc)
{
	if (rc < 0)
		printf("%s: -1 %s\n", what, strerror(errno));
	else
		printf("%s: %ld\n", what, rc);
	fflush(stdout);
	return rc < 0;
}

static struct sockaddr_in inet_addr_of(const char *ip, const char *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(atoi(port)) };

	inet_pton(AF_INET, ip, &sa.sin_addr);
	return sa;
}

/* openat relative to a directory fd */
static int cmd_openat(char **a)
{
	int dfd = open(a[0], O_RDONLY | O_DIRECTORY);

	report("dirfd", dfd);
	return report("openat", openat(dfd, a[1], O_RDONLY));
}

static int cmd_uring_open(char **a)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	int rc = io_uring_queue_init(4, &ring, 0);

	if (rc < 0) {
		errno = -rc;
		return report("io_uring_queue_init", -1);
	}
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_openat(sqe, AT_FDCWD, a[0], O_RDONLY, 0);
	io_uring_submit(&ring);
	io_uring_wait_cqe(&ring, &cqe);
	printf("uring_openat: %d\n", cqe->res);
	io_uring_cqe_seen(&ring, cqe);
	io_uring_queue_exit(&ring);
	return 0;
}

static int cmd_uring_connect(char **a)
{
	struct sockaddr_in sa = inet_addr_of(a[0], a[1]);
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (io_uring_queue_init(4, &ring, 0) < 0)
		return report("io_uring_queue_init", -1);
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_connect(sqe, fd, (struct sockaddr *)&sa, sizeof(sa));
	io_uring_submit(&ring);
	io_uring_wait_cqe(&ring, &cqe);
	printf("uring_connect: %d\n", cqe->res);
	io_uring_cqe_seen(&ring, cqe);
	io_uring_queue_exit(&ring);
	return 0;
}

static int cmd_connect(char **a)
{
	struct sockaddr_in sa = inet_addr_of(a[0], a[1]);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	return report("connect", connect(fd, (struct sockaddr *)&sa, sizeof(sa)));
}

/* scan IP FIRST LAST: one non-blocking connect per port */
static int cmd_scan(char **a)
{
	int p, first = atoi(a[1]), last = atoi(a[2]);

	for (p = first; p <= last; p++) {
		struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(p) };
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

		inet_pton(AF_INET, a[0], &sa.sin_addr);
		connect(fd, (struct sockaddr *)&sa, sizeof(sa));
		close(fd);
	}
	return report("scanned", last - first + 1);
}

/* spawn-as NAME PROG ARGS...: named NAME (comm), run PROG as a child */
static int cmd_spawn_as(char **a)
{
	pid_t child;

	prctl(PR_SET_NAME, a[0], 0, 0, 0);
	child = fork();
	if (child == 0) {
		execv(a[1], a + 1);
		_exit(127);
	}
	waitpid(child, NULL, 0);
	return 0;
}

static int cmd_connect_unix(char **a)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", a[0]);
	return report("connect_unix", connect(fd, (struct sockaddr *)&sa, sizeof(sa)));
}

/* listen on 127.0.0.1:PORT, connect to it from a child, accept once */
static int cmd_accept(char **a)
{
	struct sockaddr_in sa = inet_addr_of("127.0.0.1", a[0]);
	int one = 1, lfd = socket(AF_INET, SOCK_STREAM, 0), cfd;

	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (report("bind", bind(lfd, (struct sockaddr *)&sa, sizeof(sa))) ||
	    report("listen", listen(lfd, 4)))
		return 1;
	if (fork() == 0) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);

		report("connect", connect(fd, (struct sockaddr *)&sa, sizeof(sa)));
		_exit(0);
	}
	cfd = accept(lfd, NULL, NULL);
	report("accept", cfd);
	wait(NULL);
	return 0;
}

static int cmd_mutate(char **a)
{
	int fd;

	if (chdir(a[0]))
		return report("chdir", -1);
	fd = open("victim", O_CREAT | O_WRONLY, 0644);
	report("create", fd);
	report("write", write(fd, "data", 4));
	close(fd);
	report("chmod", chmod("victim", 04755));
	report("truncate", truncate("victim", 0));
	report("link", link("victim", "hardlink"));
	report("symlink", symlink("/etc/shadow", "shadowlink"));
	report("rename", rename("victim", "renamed"));
	report("mkdir", mkdir("newdir", 0755));
	report("unlink", unlink("renamed"));
	return 0;
}

static int cmd_priv(char **a)
{
	pid_t child = fork();

	if (child == 0) {
		pause();
		_exit(0);
	}
	report("ptrace", ptrace(PTRACE_ATTACH, child, 0, 0));
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	report("unshare", unshare(CLONE_NEWNS | CLONE_NEWNET));
	report("mount", mount("none", "/mnt", "tmpfs", 0, NULL));
	report("bpf", syscall(SYS_bpf, BPF_MAP_CREATE, NULL, 0));
	report("setuid", setuid(1000));
	return 0;
}

/* the reverse-shell pattern: a socket made stdin/stdout/stderr */
static int cmd_dupsock(char **a)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return report("socketpair", -1);
	report("dup2", dup2(sv[0], 0));
	return report("dup3", dup3(sv[0], 2, 0));
}

/* mount-tmpfs DIR: mount(2) itself (needs CAP_SYS_ADMIN) */
static int cmd_mount_tmpfs(char **a)
{
	return report("mount", mount("none", a[0], "tmpfs", 0, NULL));
}

/* syn-burst IP PORT COUNT: COUNT non-blocking connects (one SYN each), as fast as they go */
static int cmd_syn_burst(char **a)
{
	struct sockaddr_in sa = inet_addr_of(a[0], a[1]);
	int i, n = atoi(a[2]), sent = 0;

	for (i = 0; i < n; i++) {
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

		if (fd < 0)
			continue;
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 || errno == EINPROGRESS)
			sent++;
		close(fd);
	}
	return report("syn_burst", sent);
}

/* listen-count PORT SECONDS: accepts for SECONDS, says how many connections came */
static int cmd_listen_count(char **a)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(atoi(a[0])) };
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1, n = 0;
	time_t end = time(NULL) + atoi(a[1]);

	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 64))
		return report("listen", -1);
	printf("listening\n");
	fflush(stdout);
	while (time(NULL) < end) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (poll(&p, 1, 200) > 0) {
			int c = accept(fd, NULL, NULL);

			if (c >= 0) {
				n++;
				close(c);
			}
		}
	}
	return report("accepted", n);
}

/* udp-send IP PORT: one datagram to an address (sendto: the sendmsg hook) */
static int cmd_udp_send(char **a)
{
	struct sockaddr_in sa = inet_addr_of(a[0], a[1]);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	return report("sendto", sendto(fd, "x", 1, 0, (struct sockaddr *)&sa, sizeof(sa)));
}

/* bpf-prog-load: bpf(BPF_PROG_LOAD) with no program (refused: what is asked is what is seen) */
static int cmd_bpf_prog_load(char **a)
{
	return report("bpf", syscall(SYS_bpf, BPF_PROG_LOAD, NULL, 0));
}

/* userfaultfd: a userfaultfd for user-mode faults only, as an unprivileged process may make one */
static int cmd_userfaultfd(char **a)
{
	return report("userfaultfd", syscall(SYS_userfaultfd, O_CLOEXEC | 1 /* UFFD_USER_MODE_ONLY */));
}

/* open-after SECONDS PATH: a process that has run a while opens PATH (a server reading a secret late) */
static int cmd_open_after(char **a)
{
	sleep(atoi(a[0]));
	return report("open", open(a[1], O_RDONLY));
}

/* udp-connect IP PORT: a connected UDP socket, then one datagram */
static int cmd_udp_connect(char **a)
{
	struct sockaddr_in sa = inet_addr_of(a[0], a[1]);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (report("connect", connect(fd, (struct sockaddr *)&sa, sizeof(sa))))
		return 1;
	return report("send", send(fd, "x", 1, 0));
}

/* a reverse shell's shape with an inet socket: socket made stdin */
static int cmd_dupinet(char **a)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);

	return report("dup2_inet", dup2(s, 0));
}

static int cmd_packet_socket(char **a)
{
	return report("packet_socket", socket(AF_PACKET, SOCK_RAW, 0));
}

static int cmd_traceme(char **a)
{
	return report("traceme", ptrace(PTRACE_TRACEME, 0, 0, 0));
}

static int cmd_memfd_exec(char **a)
{
	int src = open(a[0], O_RDONLY), mfd = memfd_create("payload", MFD_CLOEXEC);
	struct stat st;
	char *argv[] = { "true", NULL }, *envp[] = { NULL };

	if (src < 0 || mfd < 0 || fstat(src, &st))
		return report("memfd", -1);
	if (sendfile(mfd, src, NULL, st.st_size) != st.st_size)
		return report("sendfile", -1);
	fexecve(mfd, argv, envp);
	return report("fexecve", -1);
}

/* exec argv[0] with one argument of N bytes */
static int cmd_exec_huge(char **a)
{
	size_t n = strtoul(a[1], NULL, 10);
	char *big = malloc(n + 1);
	char *argv[] = { a[0], "first", big, NULL }, *envp[] = { NULL };

	memset(big, 'A', n);
	big[n] = '\0';
	execve(a[0], argv, envp);
	return report("execve", -1);
}

/* open a file whose name holds quotes, a newline, a tab and invalid UTF-8 */
static int cmd_odd_name(char **a)
{
	static const char name[] = "/tmp/odd\"name\n\t\xff\xfe\\end";
	int fd = open(name, O_CREAT | O_WRONLY, 0600);

	return report("open_odd", fd);
}

static int cmd_exec_missing(char **a)
{
	char *argv[] = { "nope", NULL }, *envp[] = { NULL };

	execve("/no/such/binary", argv, envp);
	return report("execve", -1);
}

/* ---- timed loops for the benchmarks: print ns per operation ---- */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void *thread_fn(void *arg)
{
	return arg;
}

static volatile long sink;

static int one_op(const char *kind, long i)
{
	char name[64];
	int fd;

	if (!strcmp(kind, "syscall")) {
		sink += syscall(SYS_getppid);
	} else if (!strcmp(kind, "openclose")) {
		fd = open("/etc/passwd", O_RDONLY);
		close(fd);
	} else if (!strcmp(kind, "fork")) {
		pid_t p = fork();

		if (p == 0)
			_exit(0);
		waitpid(p, NULL, 0);
	} else if (!strcmp(kind, "exec")) {
		pid_t p = fork();

		if (p == 0) {
			char *argv[] = { "true", NULL }, *envp[] = { NULL };

			execve("/bin/true", argv, envp);
			_exit(127);
		}
		waitpid(p, NULL, 0);
	} else if (!strcmp(kind, "thread")) {
		pthread_t t;

		pthread_create(&t, NULL, thread_fn, NULL);
		pthread_join(t, NULL);
	} else if (!strcmp(kind, "file")) {
		snprintf(name, sizeof(name), "/tmp/vb.%ld", i);
		fd = open(name, O_CREAT | O_WRONLY | O_TRUNC, 0644);
		if (write(fd, name, 32) < 0)
			return 1;
		close(fd);
		unlink(name);
	} else if (!strcmp(kind, "malloc")) {
		size_t sz = 16 << (i % 16);	/* 16 B .. 512 KiB */
		char *p = malloc(sz);

		p[0] = p[sz - 1] = 1;
		sink += p[0];
		free(p);
	} else {
		return 1;
	}
	return 0;
}


/* masquerade PARENT CHILD PATH: named PARENT, a child named CHILD opens PATH (runc's names, say) */
static int cmd_masquerade(char **a)
{
	pid_t child;

	prctl(PR_SET_NAME, a[0], 0, 0, 0);
	child = fork();
	if (child == 0) {
		prctl(PR_SET_NAME, a[1], 0, 0, 0);
		_exit(report("open", open(a[2], O_RDONLY)));
	}
	waitpid(child, NULL, 0);
	return 0;
}

static volatile struct sockaddr_in race_sa;
static volatile int race_go;

static void *race_rewrite(void *arg)
{
	struct sockaddr_in decoy = inet_addr_of(arg, "80");

	while (!race_go)
		;
	usleep(100000);	/* the connect is blocking by now */
	memcpy((void *)&race_sa, &decoy, sizeof(decoy));
	return NULL;
}

/*
 * connect-race IP PORT DECOY: a blocking connect to IP:PORT while a second
 * thread rewrites the caller's sockaddr to DECOY:80 - what a process does
 * to show a monitor that reads it at exit a harmless address.
 */
static int cmd_connect_race(char **a)
{
	struct sockaddr_in sa = inet_addr_of(a[0], a[1]);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	pthread_t t;
	int rc;

	memcpy((void *)&race_sa, &sa, sizeof(sa));
	pthread_create(&t, NULL, race_rewrite, a[2]);
	race_go = 1;
	rc = connect(fd, (struct sockaddr *)&race_sa, sizeof(race_sa));
	pthread_join(t, NULL);
	return report("connect", rc);
}

/* socket-stdin PROG ARGS...: stdin becomes a socket by fcntl(F_DUPFD), no dup2; then PROG */
static int cmd_socket_stdin(char **a)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return report("socketpair", -1);
	close(0);
	report("fcntl", fcntl(sv[0], F_DUPFD, 0));
	execv(a[0], a);
	return report("exec", -1);
}

/* open-twice PATH: a write-open, then within the aggregation window an O_TRUNC one */
static int cmd_open_twice(char **a)
{
	int fd = open(a[0], O_WRONLY | O_CREAT, 0644);

	report("open", fd);
	close(fd);
	fd = open(a[0], O_WRONLY | O_TRUNC);
	report("open_trunc", fd);
	close(fd);
	return 0;
}

/* uring-unlink-skip PATH: an unlinkat through io_uring whose success posts no completion */
static int cmd_uring_unlink_skip(char **a)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	int rc = io_uring_queue_init(4, &ring, 0);

	if (rc < 0) {
		errno = -rc;
		return report("io_uring_queue_init", -1);
	}
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_unlinkat(sqe, AT_FDCWD, a[0], 0);
	sqe->flags |= IOSQE_CQE_SKIP_SUCCESS;
	io_uring_submit(&ring);
	/* a nop to wait on: the unlink's success has no CQE */
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_nop(sqe);
	io_uring_submit(&ring);
	io_uring_wait_cqe(&ring, &cqe);
	io_uring_cqe_seen(&ring, cqe);
	/* the unlink may still run in a worker: exiting now would cancel it */
	for (rc = 0; rc < 100 && !access(a[0], F_OK); rc++)
		usleep(10000);
	io_uring_queue_exit(&ring);
	return report("unlinked", access(a[0], F_OK) ? 0 : -1);
}

/* uring-open-fixed PATH: an openat through io_uring into fixed-file slot 0 */
static int cmd_uring_open_fixed(char **a)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	int rc = io_uring_queue_init(4, &ring, 0);

	if (rc < 0) {
		errno = -rc;
		return report("io_uring_queue_init", -1);
	}
	rc = io_uring_register_files_sparse(&ring, 4);
	if (rc < 0) {
		errno = -rc;
		return report("register_files_sparse", -1);
	}
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_openat_direct(sqe, AT_FDCWD, a[0], O_RDONLY, 0, 0);
	io_uring_submit(&ring);
	io_uring_wait_cqe(&ring, &cqe);
	printf("uring_open_fixed: %d\n", cqe->res);
	io_uring_cqe_seen(&ring, cqe);
	io_uring_queue_exit(&ring);
	return 0;
}

/* uring-rename FROM TO: a rename through io_uring */
static int cmd_uring_rename(char **a)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	int rc = io_uring_queue_init(4, &ring, 0);

	if (rc < 0) {
		errno = -rc;
		return report("io_uring_queue_init", -1);
	}
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_renameat(sqe, AT_FDCWD, a[0], AT_FDCWD, a[1], 0);
	io_uring_submit(&ring);
	io_uring_wait_cqe(&ring, &cqe);
	printf("uring_rename: %d\n", cqe->res);
	io_uring_cqe_seen(&ring, cqe);
	io_uring_queue_exit(&ring);
	return 0;
}

/* listen-unix PATH: accept connections on a unix socket until killed (a stand-in daemon) */
static int cmd_listen_unix(char **a)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0), c;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", a[0]);
	unlink(a[0]);
	if (report("bind", bind(fd, (struct sockaddr *)&sa, sizeof(sa))) || report("listen", listen(fd, 16)))
		return 1;
	for (;;) {
		c = accept(fd, NULL, NULL);
		if (c >= 0)
			close(c);
	}
}

/* comm-escape: a process whose name is a terminal escape and a newline, opening /etc/shadow */
static int cmd_comm_escape(char **a)
{
	prctl(PR_SET_NAME, "\x1b[2J\nFAKE", 0, 0, 0);
	return report("open", open("/etc/shadow", O_RDONLY));
}

/* write-mem PID: open another process's /proc/PID/mem for writing */
static int cmd_write_mem(char **a)
{
	char path[64];
	pid_t child = fork();

	if (child == 0) {
		pause();
		_exit(0);
	}
	snprintf(path, sizeof(path), "/proc/%d/mem", child);
	report("open_mem", open(path, O_RDWR));
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	return 0;
}

/* sleep-then PROG ARGS: wait a second (the agent learns), then run PROG */
static int cmd_sleep_then(char **a)
{
	sleep(1);
	execv(a[0], a);
	return report("exec", -1);
}


/* fastopen IP PORT: TCP fast open - data and SYN from sendto, no connect() */
static int cmd_fastopen(char **a)
{
	struct sockaddr_in sa = inet_addr_of(a[0], a[1]);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	return report("sendto_fastopen", sendto(fd, "x", 1, MSG_FASTOPEN, (struct sockaddr *)&sa, sizeof(sa)));
}

/* clone-userns: a child cloned straight into a new user namespace */
static int cmd_clone_userns(char **a)
{
	long pid = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);

	if (pid == 0)
		_exit(0);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	return report("clone_newuser", pid);
}

/* fsopen FSTYPE: the new mount API's first step */
static int cmd_fsopen(char **a)
{
	return report("fsopen", syscall(SYS_fsopen, a[0], 0));
}

/* a child that only waits to be read or written, and its end */
static pid_t paused_child(void)
{
	pid_t child = fork();

	if (child == 0) {
		pause();
		_exit(0);
	}
	usleep(100000);
	return child;
}

static void end_child(pid_t child)
{
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
}

/* one process_vm_writev or process_vm_readv of a child's memory */
static int vm_copy(long nr, const char *name)
{
	static char target[16] = "original";
	char data[16] = "changed";
	struct iovec local = { data, 8 }, remote = { target, 8 };
	pid_t child = paused_child();
	long rc = syscall(nr, child, &local, 1, &remote, 1, 0);

	end_child(child);
	return report(name, rc);
}

/* vm-write: write a child's memory with process_vm_writev */
static int cmd_vm_write(char **a)
{
	return vm_copy(SYS_process_vm_writev, "process_vm_writev");
}

/* vm-read: read a child's memory with process_vm_readv */
static int cmd_vm_read(char **a)
{
	return vm_copy(SYS_process_vm_readv, "process_vm_readv");
}

/* read-mem: read a child's memory through /proc/PID/mem (credential dumping) */
static int cmd_read_mem(char **a)
{
	char path[64], buf[16];
	pid_t child = paused_child();
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/mem", child);
	fd = open(path, O_RDONLY);
	report("open_mem", fd);
	if (fd >= 0) {
		report("pread_mem", pread(fd, buf, sizeof(buf), (off_t)(uintptr_t)path));
		close(fd);
	}
	end_child(child);
	return 0;
}

/* read-own-mem: its own memory through /proc/self/mem, as some runtimes do */
static int cmd_read_own_mem(char **a)
{
	return report("open_self_mem", open("/proc/self/mem", O_RDONLY));
}

/* volatile: each write must reach memory, where the kernel and Vigil read it */
static volatile char race_path[64] = "/tmp/vigil-race-a";
static volatile int race_stop;

static void race_set(const char *v)
{
	int i;

	for (i = 0; v[i]; i++)
		race_path[i] = v[i];
}

static void *race_flip(void *arg)
{
	volatile int i;

	/* each value holds for a while, so reads at either end see either */
	while (!race_stop) {
		race_set("/etc/vigil-race-b");
		for (i = 0; i < 2000; i++)
			;
		race_set("/tmp/vigil-race-a");
		for (i = 0; i < 2000; i++)
			;
	}
	return NULL;
}

/* path-race COUNT: mkdir/rmdir of a path a second thread keeps rewriting */
static int cmd_path_race(char **a)
{
	int i, n = atoi(a[0]);
	pthread_t t;

	pthread_create(&t, NULL, race_flip, NULL);
	for (i = 0; i < n; i++) {
		mkdir((const char *)race_path, 0755);
		rmdir((const char *)race_path);
	}
	race_stop = 1;
	pthread_join(t, NULL);
	return report("raced", n);
}

/*
 * setxattr PATH NAME [at]: sets an extended attribute with setxattr(2), as
 * setcap does for security.capability (then cap_net_raw+ep, revision 2);
 * with "at", with setxattrat(2) (Linux 6.13; 463 on x86_64).
 */
static int cmd_setxattr(char **a)
{
	struct vfs_cap_data caps = {
		.magic_etc = VFS_CAP_REVISION_2 | VFS_CAP_FLAGS_EFFECTIVE,
		.data = { { .permitted = 1u << CAP_NET_RAW } },
	};
	const void *value = "vigil";
	size_t size = 5;

	if (!strcmp(a[1], "security.capability")) {
		value = &caps;
		size = sizeof(caps);
	}
	if (a[2] && !strcmp(a[2], "at")) {
		struct { uint64_t value; uint32_t size, flags; } args = { (uintptr_t)value, size, 0 };

		return report("setxattrat", syscall(463, AT_FDCWD, a[0], 0, a[1], &args, sizeof(args)));
	}
	return report("setxattr", setxattr(a[0], a[1], value, size, 0));
}

/* rename-self NAME: prctl(PR_SET_NAME) to NAME, then open /etc/hostname as that name */
static int cmd_rename_self(char **a)
{
	if (report("rename", prctl(PR_SET_NAME, a[0], 0, 0, 0)))
		return 1;
	sleep(1);
	return report("open", open("/etc/hostname", O_RDONLY));
}

/* burn SECONDS: keep one CPU busy for that long */
static int cmd_burn(char **a)
{
	uint64_t until = now_ns() + strtoull(a[0], NULL, 10) * 1000000000ULL;
	volatile uint64_t x = 0;

	while (now_ns() < until)
		for (int i = 0; i < 1000000; i++)
			x += i;
	return report("burned", (long)(x & 1));
}

/* loop KIND COUNT: KIND = syscall|openclose|fork|exec|thread|file|malloc */
static int cmd_loop(char **a)
{
	long n = strtol(a[1], NULL, 10), i;
	uint64_t t0 = now_ns();

	for (i = 0; i < n; i++)
		if (one_op(a[0], i)) {
			fprintf(stderr, "loop: unknown kind %s\n", a[0]);
			return 2;
		}
	printf("%s %ld ops %.1f ns/op\n", a[0], n, (double)(now_ns() - t0) / n);
	return 0;
}

static const struct {
	const char *name;
	int nargs;
	int (*fn)(char **);
	const char *usage;
} cmds[] = {
	{ "openat", 2, cmd_openat, "DIR FILE" },
	{ "uring-open", 1, cmd_uring_open, "PATH" },
	{ "uring-connect", 2, cmd_uring_connect, "IP PORT" },
	{ "connect", 2, cmd_connect, "IP PORT" },
	{ "connect-unix", 1, cmd_connect_unix, "PATH" },
	{ "scan", 3, cmd_scan, "IP FIRST_PORT LAST_PORT" },
	{ "spawn-as", 2, cmd_spawn_as, "NAME PROGRAM [ARGS...]" },
	{ "accept", 1, cmd_accept, "PORT" },
	{ "mutate", 1, cmd_mutate, "DIR" },
	{ "priv", 0, cmd_priv, "" },
	{ "dupsock", 0, cmd_dupsock, "" },
	{ "dupinet", 0, cmd_dupinet, "" },
	{ "packet-socket", 0, cmd_packet_socket, "" },
	{ "traceme", 0, cmd_traceme, "" },
	{ "memfd-exec", 1, cmd_memfd_exec, "BINARY" },
	{ "exec-huge", 2, cmd_exec_huge, "BINARY BYTES" },
	{ "odd-name", 0, cmd_odd_name, "" },
	{ "exec-missing", 0, cmd_exec_missing, "" },
	{ "loop", 2, cmd_loop, "syscall|openclose|fork|exec|thread|file|malloc COUNT" },
	{ "masquerade", 3, cmd_masquerade, "PARENT_NAME CHILD_NAME PATH" },
	{ "connect-race", 3, cmd_connect_race, "IP PORT DECOY_IP" },
	{ "socket-stdin", 1, cmd_socket_stdin, "PROGRAM [ARGS...]" },
	{ "open-twice", 1, cmd_open_twice, "PATH" },
	{ "uring-unlink-skip", 1, cmd_uring_unlink_skip, "PATH" },
	{ "uring-open-fixed", 1, cmd_uring_open_fixed, "PATH" },
	{ "uring-rename", 2, cmd_uring_rename, "FROM TO" },
	{ "listen-unix", 1, cmd_listen_unix, "PATH" },
	{ "comm-escape", 0, cmd_comm_escape, "" },
	{ "write-mem", 0, cmd_write_mem, "" },
	{ "sleep-then", 1, cmd_sleep_then, "PROGRAM [ARGS...]" },
	{ "fastopen", 2, cmd_fastopen, "IP PORT" },
	{ "clone-userns", 0, cmd_clone_userns, "" },
	{ "fsopen", 1, cmd_fsopen, "FSTYPE" },
	{ "vm-write", 0, cmd_vm_write, "" },
	{ "vm-read", 0, cmd_vm_read, "" },
	{ "read-mem", 0, cmd_read_mem, "" },
	{ "read-own-mem", 0, cmd_read_own_mem, "" },
	{ "path-race", 1, cmd_path_race, "COUNT" },
	{ "mount-tmpfs", 1, cmd_mount_tmpfs, "DIR" },
	{ "syn-burst", 3, cmd_syn_burst, "IP PORT COUNT" },
	{ "listen-count", 2, cmd_listen_count, "PORT SECONDS" },
	{ "udp-send", 2, cmd_udp_send, "IP PORT" },
	{ "udp-connect", 2, cmd_udp_connect, "IP PORT" },
	{ "bpf-prog-load", 0, cmd_bpf_prog_load, "" },
	{ "userfaultfd", 0, cmd_userfaultfd, "" },
	{ "open-after", 2, cmd_open_after, "SECONDS PATH" },
	{ "setxattr", 2, cmd_setxattr, "PATH NAME [at]" },
	{ "rename-self", 1, cmd_rename_self, "NAME" },
	{ "burn", 1, cmd_burn, "SECONDS" },
};

int main(int argc, char **argv)
{
	size_t i;

	for (i = 0; argc > 1 && i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name) && argc - 2 >= cmds[i].nargs)
			return cmds[i].fn(argv + 2);
	fprintf(stderr, "usage: vigil-testbin COMMAND ARGS\n");
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(stderr, "  %s %s\n", cmds[i].name, cmds[i].usage);
	return 2;
}
