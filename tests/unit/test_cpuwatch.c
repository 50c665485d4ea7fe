/* Unit tests: the CPU sampler's state per process, and /proc/PID/stat parsing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "abi/abi.h"
#include "core/cpuwatch.h"

#define S 1000000000ull

/* Samples every 5 s: cpu is the CPU time used in each interval, in ms. */
static int busy_run(struct cpuwatch *w, uint32_t pid, uint64_t start, const unsigned int *cpu_ms, size_t n,
		    struct cpu_hog *hog)
{
	uint64_t cpu = 0;
	size_t i;
	int fired_at = -1;

	for (i = 0; i < n; i++) {
		cpu += (uint64_t)cpu_ms[i] * 1000000ull;
		if (cpuwatch_sample(w, pid, start, cpu, (uint64_t)(i + 1) * 5 * S, hog)) {
			assert_int_equal(fired_at, -1);	/* once only */
			fired_at = (int)i;
		}
	}
	return fired_at;
}

static void test_sustained_busy_fires_once(void **state)
{
	struct cpuwatch *w = cpuwatch_new(20);
	/* first sample only starts the count; then four busy intervals make 20 s */
	const unsigned int cpu[] = { 0, 5000, 4900, 5000, 4800, 5000, 5000, 5000 };
	struct cpu_hog hog = { 0 };

	assert_non_null(w);
	assert_int_equal(busy_run(w, 10, 77, cpu, 8, &hog), 4);
	assert_int_equal(hog.pid, 10);
	assert_int_equal(hog.seconds, 20);
	assert_int_equal(hog.start_ticks, 77);
	assert_true(hog.percent >= 97 && hog.percent <= 100);
	assert_int_equal(hog.cpu_ns, (5000ull + 4900 + 5000 + 4800) * 1000000ull);
	cpuwatch_free(w);
}

static void test_idle_interval_restarts_the_stretch(void **state)
{
	struct cpuwatch *w = cpuwatch_new(20);
	/* busy 15 s, one interval at 50%, busy 15 s: never 20 s in a row */
	const unsigned int cpu[] = { 0, 5000, 5000, 5000, 2500, 5000, 5000, 5000 };
	struct cpu_hog hog;

	assert_int_equal(busy_run(w, 11, 1, cpu, 8, &hog), -1);
	cpuwatch_free(w);
}

static void test_busy_threshold(void **state)
{
	struct cpuwatch *w = cpuwatch_new(10);
	/* 89% of a CPU is not busy; 90% is */
	const unsigned int under[] = { 0, 4450, 4450, 4450, 4450 }, at[] = { 0, 4500, 4500, 4500, 4500 };
	struct cpu_hog hog;

	assert_int_equal(busy_run(w, 12, 1, under, 5, &hog), -1);
	assert_int_equal(busy_run(w, 13, 1, at, 5, &hog), 2);
	cpuwatch_free(w);
}

static void test_reused_pid_is_another_process(void **state)
{
	struct cpuwatch *w = cpuwatch_new(10);
	struct cpu_hog hog;

	assert_false(cpuwatch_sample(w, 20, 100, 0, 5 * S, &hog));
	assert_false(cpuwatch_sample(w, 20, 100, 5 * S, 10 * S, &hog));
	/* same pid, another start: its CPU time starts again, nothing carried over */
	assert_false(cpuwatch_sample(w, 20, 999, 1 * S, 15 * S, &hog));
	assert_false(cpuwatch_sample(w, 20, 999, 6 * S, 20 * S, &hog));
	assert_true(cpuwatch_sample(w, 20, 999, 11 * S, 25 * S, &hog));
	assert_int_equal(hog.start_ticks, 999);
	cpuwatch_free(w);
}

static void test_sweep_forgets_the_gone(void **state)
{
	struct cpuwatch *w = cpuwatch_new(10);
	struct cpu_hog hog;

	assert_false(cpuwatch_sample(w, 30, 1, 0, 5 * S, &hog));
	assert_false(cpuwatch_sample(w, 30, 1, 5 * S, 10 * S, &hog));
	cpuwatch_sweep(w);
	cpuwatch_sweep(w);	/* not sampled since: forgotten */
	/* seen again, it starts over: one busy interval is not enough */
	assert_false(cpuwatch_sample(w, 30, 1, 10 * S, 15 * S, &hog));
	assert_false(cpuwatch_sample(w, 30, 1, 15 * S, 20 * S, &hog));
	assert_true(cpuwatch_sample(w, 30, 1, 20 * S, 25 * S, &hog));
	cpuwatch_free(w);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* A process name holding ") " and spaces must not shift the fields. */
static void test_read_stat_and_status(void **state)
{
	char dir[] = "/tmp/vigil-cpuwatch.XXXXXX", path[128];
	long hz = sysconf(_SC_CLK_TCK);
	struct vigil_proc p = { 0 };
	uint64_t cpu = 0, start = 0;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/42", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/42/stat", dir);
	write_file(path, "42 (a) b (c d) R 1 42 42 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 1 0 123456 1000 10\n");
	snprintf(path, sizeof(path), "%s/42/status", dir);
	write_file(path, "Name:\tminer\nUmask:\t0022\nState:\tR (running)\nPPid:\t7\n"
			 "Uid:\t1000\t0\t0\t0\nGid:\t50\t50\t50\t50\nCapPrm:\t00000000a80425fb\n"
			 "CapEff:\t0000000000000400\n");
	assert_true(cpuwatch_read_stat(dir, 42, &cpu, &start));
	assert_int_equal(cpu, 300ull * (1000000000ull / (uint64_t)hz));
	assert_int_equal(start, 123456);
	assert_true(cpuwatch_read_status(dir, 42, &p));
	assert_string_equal(p.comm, "miner");
	assert_int_equal(p.uid, 1000);
	assert_int_equal(p.euid, 0);
	assert_int_equal(p.gid, 50);
	assert_int_equal(p.ppid, 7);
	assert_int_equal(p.cap_effective, 0x400);
	assert_int_equal(p.cap_permitted, 0xa80425fbull);
	/* gone, or cut short: false, nothing made up */
	assert_false(cpuwatch_read_stat(dir, 43, &cpu, &start));
	snprintf(path, sizeof(path), "%s/42/stat", dir);
	write_file(path, "42 (x) R 1 42 42 0\n");
	assert_false(cpuwatch_read_stat(dir, 42, &cpu, &start));
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	assert_int_equal(system(path), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sustained_busy_fires_once),
		cmocka_unit_test(test_idle_interval_restarts_the_stretch),
		cmocka_unit_test(test_busy_threshold),
		cmocka_unit_test(test_reused_pid_is_another_process),
		cmocka_unit_test(test_sweep_forgets_the_gone),
		cmocka_unit_test(test_read_stat_and_status),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
