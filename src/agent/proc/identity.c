/* identity.c - programs known by their bytes (see identity.h). */
#include <elf.h>
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "proc/identity.h"

/* Programs a rule cares to recognise when renamed (shells, interpreters, tools of attack). */
static const char *const programs[] = {
	"sh", "bash", "dash", "ash", "zsh", "ksh", "mksh", "tcsh", "csh", "fish", "busybox",
	"python", "python2", "python3", "perl", "ruby", "php", "node", "lua", "awk", "gawk", "mawk",
	"nc", "ncat", "netcat", "nc.openbsd", "nc.traditional", "socat", "telnet", "openssl",
	"curl", "wget", "nmap", "ssh", "scp", "sshd", "base64", "xxd", "dd", "shred", "chattr", "setcap",
	NULL,
};
static const char *const bindirs[] = { "/bin", "/usr/bin", "/sbin", "/usr/sbin", "/usr/local/bin", NULL };

struct program {
	char path[64];
	uint8_t hash[IDENTITY_HASH];
};

struct program_table {
	struct program *v;
	size_t n;
};

/*
 * Files hashed lately, by what the kernel says of them: the same inode
 * with the same size and change time has the same bytes (a write changes
 * ctime, and ctime cannot be set back), so a compiler run a thousand times
 * from a bind mount is read once.  Used by the worker thread only.
 */
#define HASH_CACHE 512
struct hashed {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec ctime;
	uint8_t hash[IDENTITY_HASH];
	int valid;
};
static __thread struct hashed hash_cache[HASH_CACHE];

static struct hashed *cache_slot(const struct stat *sb)
{
	return &hash_cache[(sb->st_ino ^ (sb->st_dev << 7)) % HASH_CACHE];
}

static bool cache_hit(const struct hashed *h, const struct stat *sb)
{
	return h->valid && h->dev == sb->st_dev && h->ino == sb->st_ino && h->size == sb->st_size &&
	       h->ctime.tv_sec == sb->st_ctim.tv_sec && h->ctime.tv_nsec == sb->st_ctim.tv_nsec;
}

static int hash_fd(int fd, uint8_t hash[IDENTITY_HASH])
{
	crypto_hash_sha256_state st;
	static __thread unsigned char buf[1 << 16];
	struct hashed *slot;
	struct stat sb;
	size_t total = 0;
	ssize_t r;

	if (fstat(fd, &sb) || !S_ISREG(sb.st_mode))
		return -EINVAL;
	if ((uint64_t)sb.st_size > IDENTITY_MAX_BYTES)
		return -EFBIG;
	slot = cache_slot(&sb);
	if (cache_hit(slot, &sb)) {
		memcpy(hash, slot->hash, IDENTITY_HASH);
		return 0;
	}
	crypto_hash_sha256_init(&st);
	while ((r = read(fd, buf, sizeof(buf))) > 0) {
		total += r;
		if (total > IDENTITY_MAX_BYTES)
			return -EFBIG;
		crypto_hash_sha256_update(&st, buf, r);
	}
	if (r < 0)
		return -errno;
	crypto_hash_sha256_final(&st, hash);
	/* still the same file after the read: a write during it changed ctime */
	{
		struct stat after;

		if (!fstat(fd, &after) && after.st_ctim.tv_sec == sb.st_ctim.tv_sec &&
		    after.st_ctim.tv_nsec == sb.st_ctim.tv_nsec && after.st_size == sb.st_size) {
			slot->dev = sb.st_dev;
			slot->ino = sb.st_ino;
			slot->size = sb.st_size;
			slot->ctime = sb.st_ctim;
			memcpy(slot->hash, hash, IDENTITY_HASH);
			slot->valid = 1;
		}
	}
	return 0;
}

int identity_hash_fd(int fd, uint8_t hash[IDENTITY_HASH])
{
	if (lseek(fd, 0, SEEK_SET) < 0)
		return -errno;
	return hash_fd(fd, hash);
}

int identity_hash_file(const char *path, uint8_t hash[IDENTITY_HASH])
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC), err;

	if (fd < 0)
		return -errno;
	err = hash_fd(fd, hash);
	close(fd);
	return err;
}

struct program_table *program_table_build(const char *root)
{
	struct open_how how = {
		.flags = O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	struct program_table *t = calloc(1, sizeof(*t));
	size_t cap = 0, i, k;
	char path[64];
	int rfd, fd;

	if (!t || sodium_init() < 0) {
		free(t);
		errno = ENOMEM;
		return NULL;
	}
	rfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rfd < 0) {
		free(t);
		return NULL;
	}
	for (i = 0; bindirs[i]; i++)
		for (k = 0; programs[k]; k++) {
			snprintf(path, sizeof(path), "%s/%s", bindirs[i], programs[k]);
			/* inside the container's root: its symlinks resolve there, not on the host */
			fd = syscall(SYS_openat2, rfd, path, &how, sizeof(how));
			if (fd < 0)
				continue;
			if (t->n == cap) {
				struct program *v = realloc(t->v, (cap = cap ? cap * 2 : 16) * sizeof(*v));

				if (!v) {
					close(fd);
					goto out;
				}
				t->v = v;
			}
			if (!hash_fd(fd, t->v[t->n].hash)) {
				snprintf(t->v[t->n].path, sizeof(t->v[t->n].path), "%s", path);
				t->n++;
			}
			close(fd);
		}
out:
	close(rfd);
	return t;
}

void program_table_free(struct program_table *t)
{
	if (!t)
		return;
	free(t->v);
	free(t);
}

size_t program_table_count(const struct program_table *t)
{
	return t ? t->n : 0;
}

const char *program_table_match(const struct program_table *t, const uint8_t hash[IDENTITY_HASH], const char *named)
{
	const char *best = NULL, *name;
	size_t i;

	if (!t)
		return NULL;
	/*
	 * /bin/sh and /bin/bash may be the same bytes (a link): the name the
	 * copy has when one of them has it, else the specific name over sh,
	 * and a multi-call binary's own name.
	 */
	for (i = 0; i < t->n; i++) {
		if (memcmp(t->v[i].hash, hash, IDENTITY_HASH))
			continue;
		name = strrchr(t->v[i].path, '/') + 1;
		if (identity_multicall(name) || (named && !strcmp(name, named)))
			return t->v[i].path;
		if (!best || !strcmp(strrchr(best, '/') + 1, "sh"))
			best = t->v[i].path;
	}
	return best;
}

/* Header tables read at most: more is no program anyone runs */
#define ELF_MAX_HEADERS 4096

/*
 * Only the headers are read (pread of the ELF header and its two tables),
 * a few KiB: libelf would map or read the whole file for the same answer.
 */
int identity_elf_padding(int fd, uint64_t *padding)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	Elf64_Shdr sh;
	struct stat sb;
	uint64_t end;
	unsigned int i;

	*padding = 0;
	if (fstat(fd, &sb) < 0)
		return -errno;
	if (pread(fd, &eh, sizeof(eh), 0) != sizeof(eh) || memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_phentsize != sizeof(ph) ||
	    (eh.e_shnum && eh.e_shentsize != sizeof(sh)) || eh.e_phnum > ELF_MAX_HEADERS ||
	    eh.e_shnum > ELF_MAX_HEADERS)
		return 0;
	end = sizeof(eh);
	if (eh.e_phnum && eh.e_phoff + (uint64_t)eh.e_phnum * sizeof(ph) > end)
		end = eh.e_phoff + (uint64_t)eh.e_phnum * sizeof(ph);
	if (eh.e_shnum && eh.e_shoff + (uint64_t)eh.e_shnum * sizeof(sh) > end)
		end = eh.e_shoff + (uint64_t)eh.e_shnum * sizeof(sh);
	for (i = 0; i < eh.e_phnum; i++) {
		if (pread(fd, &ph, sizeof(ph), eh.e_phoff + (off_t)i * sizeof(ph)) != sizeof(ph))
			return 0;
		if (ph.p_offset + ph.p_filesz > end)
			end = ph.p_offset + ph.p_filesz;
	}
	for (i = 0; i < eh.e_shnum; i++) {
		if (pread(fd, &sh, sizeof(sh), eh.e_shoff + (off_t)i * sizeof(sh)) != sizeof(sh))
			return 0;
		if (sh.sh_type != SHT_NOBITS && sh.sh_offset + sh.sh_size > end)
			end = sh.sh_offset + sh.sh_size;
	}
	if ((uint64_t)sb.st_size > end)
		*padding = (uint64_t)sb.st_size - end;
	return 0;
}

bool identity_multicall(const char *name)
{
	return name && (!strcmp(name, "busybox") || !strcmp(name, "toybox"));
}

static const char *base(const char *p)
{
	const char *s = p ? strrchr(p, '/') : NULL;

	return s ? s + 1 : p;
}

const char *identity_name(const char *exepath, const char *origin, const char *argv0, char *buf, size_t len)
{
	const char *name = base(origin ? origin : exepath);

	if (identity_multicall(name) && argv0 && *argv0)
		name = base(argv0);
	snprintf(buf, len, "%s", name ? name : "");
	return buf;
}

bool identity_renamed(const char *exepath, const char *origin)
{
	const char *a, *b;

	if (!exepath || !origin || !*origin)
		return false;
	a = base(exepath);
	b = base(origin);
	if (!a || !b || identity_multicall(b))
		return false;
	return strncmp(a, b, strlen(a)) && strncmp(a, b, strlen(b));
}
