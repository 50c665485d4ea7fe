/* docker_filter.c - Docker's default seccomp filter, read and evaluated. */
#include <errno.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include "seccomp/docker_filter.h"
#include "util/log.h"

#ifndef PTRACE_SECCOMP_GET_FILTER
#define PTRACE_SECCOMP_GET_FILTER 0x420c
#endif

extern char **environ;

unsigned int seccomp_filter_eval(const struct sock_filter *prog, size_t len, int nr)
{
	struct seccomp_data data = { .nr = nr, .arch = AUDIT_ARCH_X86_64 };
	uint32_t A = 0, X = 0, M[BPF_MEMWORDS] = { 0 };
	size_t pc = 0, steps = 0;

	while (pc < len && steps++ < 100000) {
		const struct sock_filter *f = &prog[pc++];
		uint32_t src = BPF_SRC(f->code) == BPF_X ? X : f->k;

		switch (BPF_CLASS(f->code)) {
		case BPF_LD:
			if (BPF_MODE(f->code) == BPF_ABS && f->k + 4 <= sizeof(data))
				memcpy(&A, (const uint8_t *)&data + f->k, 4);
			else if (BPF_MODE(f->code) == BPF_IMM)
				A = f->k;
			else if (BPF_MODE(f->code) == BPF_MEM && f->k < BPF_MEMWORDS)
				A = M[f->k];
			else if (BPF_MODE(f->code) == BPF_LEN)
				A = sizeof(data);
			else
				return SECCOMP_RET_KILL_PROCESS;
			break;
		case BPF_LDX:
			if (BPF_MODE(f->code) == BPF_IMM)
				X = f->k;
			else if (BPF_MODE(f->code) == BPF_MEM && f->k < BPF_MEMWORDS)
				X = M[f->k];
			else
				X = sizeof(data);
			break;
		case BPF_ST:
			if (f->k < BPF_MEMWORDS)
				M[f->k] = A;
			break;
		case BPF_STX:
			if (f->k < BPF_MEMWORDS)
				M[f->k] = X;
			break;
		case BPF_ALU:
			switch (BPF_OP(f->code)) {
			case BPF_ADD: A += src; break;
			case BPF_SUB: A -= src; break;
			case BPF_MUL: A *= src; break;
			case BPF_DIV: A = src ? A / src : 0; break;
			case BPF_AND: A &= src; break;
			case BPF_OR: A |= src; break;
			case BPF_LSH: A <<= src & 31; break;
			case BPF_RSH: A >>= src & 31; break;
			case BPF_NEG: A = -A; break;
			}
			break;
		case BPF_JMP: {
			int taken;

			if (BPF_OP(f->code) == BPF_JA) {
				pc += f->k;
				break;
			}
			switch (BPF_OP(f->code)) {
			case BPF_JEQ: taken = A == src; break;
			case BPF_JGT: taken = A > src; break;
			case BPF_JGE: taken = A >= src; break;
			case BPF_JSET: taken = (A & src) != 0; break;
			default: return SECCOMP_RET_KILL_PROCESS;
			}
			pc += taken ? f->jt : f->jf;
			break;
		}
		case BPF_RET:
			return BPF_RVAL(f->code) == BPF_A ? A : f->k;
		case BPF_MISC:
			if (BPF_MISCOP(f->code) == BPF_TAX)
				X = A;
			else
				A = X;
			break;
		}
	}
	return SECCOMP_RET_KILL_PROCESS;	/* ran off the end: the kernel refuses such filters */
}

void seccomp_filter_allowed(const struct sock_filter *prog, size_t len, struct syscall_set *out)
{
	int nr;

	for (nr = 0; nr < VIGIL_NR_SYSCALLS; nr++) {
		unsigned int act = seccomp_filter_eval(prog, len, nr) & SECCOMP_RET_ACTION_FULL;

		if (act == SECCOMP_RET_ALLOW || act == SECCOMP_RET_LOG || act == SECCOMP_RET_TRACE)
			sset_add(out, nr);
	}
}

/* Runs docker with argv; returns its first output line (caller frees) or NULL. */
static char *docker_out(char *const argv[])
{
	posix_spawn_file_actions_t fa;
	char line[256] = "";
	int pipefd[2], status;
	pid_t pid;
	FILE *f;

	if (pipe(pipefd))
		return NULL;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDOUT_FILENO);
	posix_spawn_file_actions_addclose(&fa, pipefd[0]);
	if (posix_spawnp(&pid, "docker", &fa, NULL, argv, environ)) {
		posix_spawn_file_actions_destroy(&fa);
		close(pipefd[0]);
		close(pipefd[1]);
		return NULL;
	}
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[1]);
	f = fdopen(pipefd[0], "r");
	if (f) {
		if (!fgets(line, sizeof(line), f))
			line[0] = '\0';
		while (fgetc(f) != EOF)
			;
		fclose(f);
	}
	waitpid(pid, &status, 0);
	line[strcspn(line, "\n")] = '\0';
	return WIFEXITED(status) && !WEXITSTATUS(status) && line[0] ? strdup(line) : NULL;
}

int docker_default_allowed(const char *image, struct syscall_set *out)
{
	char *run[] = { "docker", "run", "-d", "--rm", "--network", "none", "--entrypoint", "sleep",
			(char *)image, "60", NULL };
	char *id = docker_out(run), *pid_s = NULL;
	struct sock_filter *prog = NULL;
	long n = -1;
	pid_t pid;
	int err = -EIO;

	if (!id) {
		log_warnx("analyze: could not start %s with `sleep` to read Docker's default filter", image);
		return -EIO;
	}
	{
		char *inspect[] = { "docker", "inspect", "-f", "{{.State.Pid}}", id, NULL };

		pid_s = docker_out(inspect);
	}
	pid = pid_s ? atoi(pid_s) : 0;
	if (pid > 0 && !ptrace(PTRACE_SEIZE, pid, 0, 0)) {
		ptrace(PTRACE_INTERRUPT, pid, 0, 0);
		waitpid(pid, NULL, __WALL);
		n = ptrace(PTRACE_SECCOMP_GET_FILTER, pid, 0, NULL);
		if (n > 0 && (prog = calloc(n, sizeof(*prog))) &&
		    ptrace(PTRACE_SECCOMP_GET_FILTER, pid, 0, prog) == n) {
			seccomp_filter_allowed(prog, n, out);
			err = 0;
		}
		ptrace(PTRACE_DETACH, pid, 0, 0);
	}
	if (err)
		log_warnx("analyze: could not read the seccomp filter of %s (pid %d, %ld insns)", image, pid, n);
	{
		char *rm[] = { "docker", "rm", "-f", id, NULL };
		char *o = docker_out(rm);

		free(o);
	}
	free(prog);
	free(pid_s);
	free(id);
	return err;
}
