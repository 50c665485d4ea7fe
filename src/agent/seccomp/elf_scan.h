/*
 * elf_scan.h - which syscalls an x86-64 ELF file can make, from its code.
 *
 * Every `syscall` instruction is found by disassembly (Capstone); the
 * number is recovered from the instructions before it (mov eax, imm; xor
 * eax, eax; mov eax, reg and that register's own constant).  Sites whose
 * number is not a constant there are counted as unknown.  For a shared C
 * library, a wrapper map gives, for each exported function, the syscalls
 * reachable from it through direct calls and jumps.
 */
#ifndef VIGIL_ELF_SCAN_H
#define VIGIL_ELF_SCAN_H

#include <stddef.h>
#include <stdint.h>
#include "seccomp/syscall_set.h"

enum elf_kind {
	ELF_NOT = 0,		/* not an ELF file, or not x86-64 */
	ELF_STATIC_EXEC,	/* no interpreter, no DT_NEEDED */
	ELF_DYNAMIC,		/* executable or library using shared libraries */
};

struct elf_info {
	enum elf_kind kind;
	char soname[64];		/* DT_SONAME, if any */
	struct syscall_set sites;	/* numbers found at syscall instructions */
	unsigned int n_sites;		/* syscall instructions seen */
	unsigned int n_unknown;		/* ... whose number was not recovered */
	uint64_t first_unknown;		/* address of one, for the report */
	char **imports;			/* undefined function symbols; owned */
	size_t n_imports;
};

/* Scans one file.  0 (info->kind says what it was) or -errno. */
int elf_scan_file(const char *path, struct elf_info *info);
void elf_info_fini(struct elf_info *info);

/* name -> syscall set, for the functions a libc exports. */
struct wrapper_map;

/* Builds the map of a C library (glibc's libc.so.6, musl's libc.so). */
struct wrapper_map *wrapper_map_build(const char *libc_path);
/* Reads / writes the map as JSON {"function": ["syscall", ...], ...}. */
struct wrapper_map *wrapper_map_load(const char *json_path);
int wrapper_map_save(const struct wrapper_map *m, const char *json_path);
void wrapper_map_free(struct wrapper_map *m);
/* The syscalls of function name, or NULL if the map does not have it. */
const struct syscall_set *wrapper_map_get(const struct wrapper_map *m, const char *name);
size_t wrapper_map_size(const struct wrapper_map *m);

#endif
