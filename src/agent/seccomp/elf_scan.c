/* elf_scan.c - syscall sites of x86-64 ELF code (see elf_scan.h). */
#include <capstone/capstone.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <jansson.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uthash.h>

#include "seccomp/elf_scan.h"
#include "util/log.h"
#include "bpf/syscalls.h"

/* how far back from a syscall instruction its number is looked for */
#define LOOKBACK 24

struct code {
	const uint8_t *bytes;	/* a copy of the executable sections */
	size_t size;
	uint64_t addr;		/* virtual address of bytes[0] */
};

/* Executable PROGBITS sections, as one image of the address range they span. */
static int load_code(Elf *elf, struct code *out)
{
	uint64_t lo = UINT64_MAX, hi = 0;
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	uint8_t *buf;

	while ((scn = elf_nextscn(elf, scn))) {
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_PROGBITS || !(sh.sh_flags & SHF_EXECINSTR))
			continue;
		/* a crafted header may make the end wrap around: such a section is not code */
		if (sh.sh_size > UINT64_MAX - sh.sh_addr)
			continue;
		if (sh.sh_addr < lo)
			lo = sh.sh_addr;
		if (sh.sh_addr + sh.sh_size > hi)
			hi = sh.sh_addr + sh.sh_size;
	}
	if (lo >= hi || hi - lo > (256u << 20))
		return -ENOEXEC;
	buf = calloc(1, hi - lo);
	if (!buf)
		return -ENOMEM;
	while ((scn = elf_nextscn(elf, scn))) {
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_PROGBITS || !(sh.sh_flags & SHF_EXECINSTR))
			continue;
		if (sh.sh_size > UINT64_MAX - sh.sh_addr || sh.sh_addr < lo || sh.sh_addr + sh.sh_size > hi)
			continue;
		d = elf_getdata(scn, NULL);
		/* only what lies inside the image: d_size is the data's, sh_size the header's claim */
		if (d && d->d_buf && d->d_size <= sh.sh_size && d->d_size <= hi - sh.sh_addr)
			memcpy(buf + (sh.sh_addr - lo), d->d_buf, d->d_size);
	}
	out->bytes = buf;
	out->size = hi - lo;
	out->addr = lo;
	return 0;
}

/* A recent instruction, as much as the look-back needs. */
struct recent {
	unsigned int id;
	x86_reg dst;		/* register written, or 0 */
	x86_reg src;		/* register read as the value, or 0 */
	int64_t imm;
	int has_imm;
};

static x86_reg reg32(x86_reg r)
{
	switch (r) {
	case X86_REG_RAX: case X86_REG_EAX: case X86_REG_AX: case X86_REG_AL: return X86_REG_EAX;
	case X86_REG_RDI: case X86_REG_EDI: return X86_REG_EDI;
	case X86_REG_RSI: case X86_REG_ESI: return X86_REG_ESI;
	case X86_REG_RDX: case X86_REG_EDX: return X86_REG_EDX;
	case X86_REG_RCX: case X86_REG_ECX: return X86_REG_ECX;
	case X86_REG_RBX: case X86_REG_EBX: return X86_REG_EBX;
	case X86_REG_R8: case X86_REG_R8D: return X86_REG_R8D;
	case X86_REG_R9: case X86_REG_R9D: return X86_REG_R9D;
	case X86_REG_R10: case X86_REG_R10D: return X86_REG_R10D;
	case X86_REG_R11: case X86_REG_R11D: return X86_REG_R11D;
	case X86_REG_R12: case X86_REG_R12D: return X86_REG_R12D;
	case X86_REG_R13: case X86_REG_R13D: return X86_REG_R13D;
	case X86_REG_R14: case X86_REG_R14D: return X86_REG_R14D;
	case X86_REG_R15: case X86_REG_R15D: return X86_REG_R15D;
	default: return X86_REG_INVALID;
	}
}

static void remember(const cs_insn *insn, struct recent *r)
{
	const cs_x86 *x = &insn->detail->x86;

	memset(r, 0, sizeof(*r));
	r->id = insn->id;
	if (x->op_count < 1 || x->operands[0].type != X86_OP_REG)
		return;
	r->dst = reg32(x->operands[0].reg);
	if (insn->id == X86_INS_XOR && x->op_count == 2 && x->operands[1].type == X86_OP_REG &&
	    reg32(x->operands[1].reg) == r->dst) {
		r->imm = 0;
		r->has_imm = 1;
	} else if (insn->id == X86_INS_MOV && x->op_count == 2) {
		if (x->operands[1].type == X86_OP_IMM) {
			r->imm = x->operands[1].imm;
			r->has_imm = 1;
		} else if (x->operands[1].type == X86_OP_REG) {
			r->src = reg32(x->operands[1].reg);
		}
	}
}

static int is_barrier(unsigned int id)
{
	return id == X86_INS_RET || id == X86_INS_JMP || id == X86_INS_CALL;
}

/*
 * The value of eax at the instruction after hist[n-1], if a constant:
 * follows one register-to-register move.  -1 if unknown.
 */
static long recover_nr(const struct recent *hist, int n)
{
	x86_reg want = X86_REG_EAX;
	int i, hops = 0;

	for (i = n - 1; i >= 0; i--) {
		if (is_barrier(hist[i].id))
			return -1;
		if (hist[i].dst != want)
			continue;
		if (hist[i].has_imm)
			return hist[i].imm >= 0 && hist[i].imm < VIGIL_NR_SYSCALLS ? hist[i].imm : -1;
		if (hist[i].src && hops++ < 2) {
			want = hist[i].src;
			continue;
		}
		return -1;
	}
	return -1;
}

/*
 * Linear sweep of [start, end): syscall sites into *set; direct call/jump
 * targets to *targets (when not NULL).  Stops at the first ret or
 * unconditional jmp when stop_at_ret (a function body).
 */
struct sweep_out {
	struct syscall_set *set;
	unsigned int sites, unknown;
	uint64_t first_unknown;
	int collect_targets;	/* record direct call/jump targets in targets */
	uint64_t *targets;
	size_t n_targets, cap_targets;
};

static void sweep(csh cs, const struct code *c, uint64_t start, uint64_t end, int stop_at_ret,
		  struct sweep_out *o)
{
	struct recent hist[LOOKBACK];
	cs_insn *insn = cs_malloc(cs);
	const uint8_t *p;
	uint64_t addr;
	size_t left;
	int n = 0;

	if (start < c->addr || end > c->addr + c->size || start >= end || !insn) {
		cs_free(insn, 1);
		return;
	}
	p = c->bytes + (start - c->addr);
	left = end - start;
	addr = start;
	while (left > 0) {
		if (!cs_disasm_iter(cs, &p, &left, &addr, insn)) {
			/* data or padding: step one byte */
			p++;
			left--;
			addr++;
			n = 0;
			continue;
		}
		if (insn->id == X86_INS_SYSCALL) {
			long nr = recover_nr(hist, n);

			o->sites++;
			if (nr >= 0) {
				sset_add(o->set, nr);
			} else {
				if (!o->unknown)
					o->first_unknown = insn->address;
				o->unknown++;
			}
		}
		if (o->collect_targets && (cs_insn_group(cs, insn, CS_GRP_CALL) || cs_insn_group(cs, insn, CS_GRP_JUMP)) &&
		    insn->detail->x86.op_count == 1 && insn->detail->x86.operands[0].type == X86_OP_IMM) {
			if (o->n_targets == o->cap_targets) {
				size_t cap = o->cap_targets ? o->cap_targets * 2 : 16;
				uint64_t *t = realloc(o->targets, cap * sizeof(*t));

				if (t) {
					o->targets = t;
					o->cap_targets = cap;
				}
			}
			if (o->n_targets < o->cap_targets)
				o->targets[o->n_targets++] = insn->detail->x86.operands[0].imm;
		}
		if (stop_at_ret && (insn->id == X86_INS_RET ||
				    (insn->id == X86_INS_JMP && insn->detail->x86.operands[0].type != X86_OP_IMM)))
			break;
		if (n == LOOKBACK) {
			memmove(hist, hist + 1, sizeof(hist[0]) * (LOOKBACK - 1));
			n--;
		}
		remember(insn, &hist[n++]);
	}
	cs_free(insn, 1);
}

static int cs_init(csh *cs)
{
	if (cs_open(CS_ARCH_X86, CS_MODE_64, cs) != CS_ERR_OK)
		return -EINVAL;
	cs_option(*cs, CS_OPT_DETAIL, CS_OPT_ON);
	return 0;
}

static Elf *elf_open_x86_64(const char *path, int *fd)
{
	GElf_Ehdr eh;
	Elf *elf;

	elf_version(EV_CURRENT);
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0)
		return NULL;
	elf = elf_begin(*fd, ELF_C_READ, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &eh) ||
	    eh.e_machine != EM_X86_64 || (eh.e_type != ET_EXEC && eh.e_type != ET_DYN)) {
		if (elf)
			elf_end(elf);
		close(*fd);
		*fd = -1;
		return NULL;
	}
	return elf;
}

/* Dynamic section: DT_NEEDED present?  DT_SONAME. */
static void read_dynamic(Elf *elf, struct elf_info *info, int *needed)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	GElf_Dyn dyn;
	size_t i;

	*needed = 0;
	while ((scn = elf_nextscn(elf, scn))) {
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_DYNAMIC || !sh.sh_entsize)
			continue;
		d = elf_getdata(scn, NULL);
		for (i = 0; d && i < sh.sh_size / sh.sh_entsize; i++) {
			if (!gelf_getdyn(d, i, &dyn))
				break;
			if (dyn.d_tag == DT_NEEDED)
				*needed = 1;
			if (dyn.d_tag == DT_SONAME) {
				const char *n = elf_strptr(elf, sh.sh_link, dyn.d_un.d_val);

				if (n)
					snprintf(info->soname, sizeof(info->soname), "%s", n);
			}
		}
	}
}

/* Called for each .dynsym function symbol (defined or not) with its name. */
typedef void (*dynsym_fn)(void *arg, const GElf_Sym *sym, const char *name);

/* Walks the functions of .dynsym (fn may be NULL); returns how many there are. */
static size_t dynsym_foreach(Elf *elf, dynsym_fn fn, void *arg)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	GElf_Sym sym;
	size_t i, n, count = 0;

	while ((scn = elf_nextscn(elf, scn))) {
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_DYNSYM || !sh.sh_entsize)
			continue;
		d = elf_getdata(scn, NULL);
		n = sh.sh_size / sh.sh_entsize;
		for (i = 0; d && i < n; i++) {
			const char *name;
			int type;

			if (!gelf_getsym(d, i, &sym))
				continue;
			type = GELF_ST_TYPE(sym.st_info);
			name = elf_strptr(elf, sh.sh_link, sym.st_name);
			if ((type != STT_FUNC && type != STT_GNU_IFUNC) || !name || !*name)
				continue;
			count++;
			if (fn)
				fn(arg, &sym, name);
		}
	}
	return count;
}

static void add_import(void *arg, const GElf_Sym *sym, const char *name)
{
	struct elf_info *info = arg;

	if (sym->st_shndx == SHN_UNDEF && info->imports)
		info->imports[info->n_imports++] = strdup(name);
}

/* Undefined function symbols of .dynsym: what the file imports. */
static void read_imports(Elf *elf, struct elf_info *info)
{
	size_t n = dynsym_foreach(elf, NULL, NULL);

	info->imports = calloc(n ? n : 1, sizeof(char *));
	dynsym_foreach(elf, add_import, info);
}

int elf_scan_file(const char *path, struct elf_info *info)
{
	struct sweep_out o = { 0 };
	struct code c = { 0 };
	int fd, needed, err;
	Elf *elf;
	csh cs;

	memset(info, 0, sizeof(*info));
	elf = elf_open_x86_64(path, &fd);
	if (!elf)
		return 0;	/* not ours to scan */
	read_dynamic(elf, info, &needed);
	info->kind = needed ? ELF_DYNAMIC : ELF_STATIC_EXEC;
	read_imports(elf, info);
	err = load_code(elf, &c);
	if (!err && !(err = cs_init(&cs))) {
		o.set = &info->sites;
		sweep(cs, &c, c.addr, c.addr + c.size, 0, &o);
		cs_close(&cs);
		info->n_sites = o.sites;
		info->n_unknown = o.unknown;
		info->first_unknown = o.first_unknown;
	}
	free((void *)c.bytes);
	elf_end(elf);
	close(fd);
	return err == -ENOEXEC ? 0 : err;
}

void elf_info_fini(struct elf_info *info)
{
	size_t i;

	for (i = 0; i < info->n_imports; i++)
		free(info->imports[i]);
	free(info->imports);
	memset(info, 0, sizeof(*info));
}

/* ---- wrapper map ---- */

struct wrapper {
	char *name;
	struct syscall_set set;
	UT_hash_handle hh;
};

struct wrapper_map {
	struct wrapper *by_name;
	size_t n;
};

/*
 * The code from one address up to its first ret (or the next exported
 * function): its syscall sites and the direct call/jump targets it leaves
 * by.  Swept once, shared by every function that reaches it.
 */
struct block {
	uint64_t addr;
	struct syscall_set sites;
	struct syscall_set reach;	/* sites of everything reachable from here */
	uint64_t *targets;
	struct block **succ;		/* targets, resolved */
	size_t n_targets;
	UT_hash_handle hh;
};

struct reach_ctx {
	csh cs;
	const struct code *code;
	struct block *blocks;
	uint64_t *starts;	/* exported function addresses, sorted */
	size_t n_starts;
	struct block **all;	/* every block, in discovery order */
	size_t n_all, cap_all;
};

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Where the body at addr must end: the next function start, at most 64 KiB on. */
static uint64_t body_end(const struct reach_ctx *rc, uint64_t addr)
{
	uint64_t end = rc->code->addr + rc->code->size;
	size_t lo = 0, hi = rc->n_starts;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (rc->starts[mid] <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < rc->n_starts && rc->starts[lo] < end)
		end = rc->starts[lo];
	return addr + 65536 < end ? addr + 65536 : end;
}

static struct block *block_get(struct reach_ctx *rc, uint64_t addr)
{
	struct sweep_out o = { 0 };
	struct block *b;

	HASH_FIND(hh, rc->blocks, &addr, sizeof(addr), b);
	if (b)
		return b;
	b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	b->addr = addr;
	o.set = &b->sites;
	o.collect_targets = 1;
	sweep(rc->cs, rc->code, addr, body_end(rc, addr), 1, &o);
	b->targets = o.targets;
	b->n_targets = o.n_targets;
	HASH_ADD(hh, rc->blocks, addr, sizeof(uint64_t), b);
	return b;
}

static int all_push(struct reach_ctx *rc, struct block *b)
{
	if (rc->n_all == rc->cap_all) {
		size_t cap = rc->cap_all ? rc->cap_all * 2 : 1024;
		struct block **all = realloc(rc->all, cap * sizeof(*all));

		if (!all)
			return -ENOMEM;
		rc->all = all;
		rc->cap_all = cap;
	}
	rc->all[rc->n_all++] = b;
	return 0;
}

/* Creates the blocks reachable from addr, each once; rc->all is the queue. */
static void discover(struct reach_ctx *rc, uint64_t addr)
{
	struct block *b, *t;
	size_t i, j;

	HASH_FIND(hh, rc->blocks, &addr, sizeof(addr), b);
	if (b || !(b = block_get(rc, addr)) || all_push(rc, b))
		return;
	for (i = rc->n_all - 1; i < rc->n_all; i++) {
		b = rc->all[i];
		b->succ = calloc(b->n_targets ? b->n_targets : 1, sizeof(*b->succ));
		for (j = 0; b->succ && j < b->n_targets; j++) {
			HASH_FIND(hh, rc->blocks, &b->targets[j], sizeof(uint64_t), t);
			if (!t && (t = block_get(rc, b->targets[j])) && all_push(rc, t))
				return;
			b->succ[j] = t;
		}
	}
}

/*
 * reach = sites of the block and of everything reachable from it: iterate
 * to a fixed point (the call graph has cycles), latest-found first, which
 * are mostly callees, so it settles in few passes.
 */
static void propagate(struct reach_ctx *rc)
{
	size_t i, j, k;
	int changed = 1;

	for (i = 0; i < rc->n_all; i++)
		rc->all[i]->reach = rc->all[i]->sites;
	while (changed) {
		changed = 0;
		for (i = rc->n_all; i-- > 0;) {
			struct block *b = rc->all[i];

			for (j = 0; j < b->n_targets; j++) {
				struct block *t = b->succ ? b->succ[j] : NULL;

				if (!t || t == b)
					continue;
				for (k = 0; k < sizeof(b->reach.bits) / sizeof(b->reach.bits[0]); k++) {
					uint64_t v = b->reach.bits[k] | t->reach.bits[k];

					if (v != b->reach.bits[k]) {
						b->reach.bits[k] = v;
						changed = 1;
					}
				}
			}
		}
	}
}

static void add_start(void *arg, const GElf_Sym *sym, const char *name)
{
	struct reach_ctx *rc = arg;

	if (sym->st_shndx != SHN_UNDEF && sym->st_value && rc->starts)
		rc->starts[rc->n_starts++] = sym->st_value;
}

/* The exported function addresses of a .dynsym, sorted, for body_end(). */
static void collect_starts(Elf *elf, struct reach_ctx *rc)
{
	size_t n = dynsym_foreach(elf, NULL, NULL);

	rc->starts = calloc(n ? n : 1, sizeof(uint64_t));
	dynsym_foreach(elf, add_start, rc);
	if (rc->starts)
		qsort(rc->starts, rc->n_starts, sizeof(uint64_t), u64_cmp);
}

struct map_build {
	struct wrapper_map *m;
	struct reach_ctx *rc;
};

/* A defined function: its name -> what its code reaches. */
static void add_wrapper(void *arg, const GElf_Sym *sym, const char *name)
{
	struct map_build *mb = arg;
	struct syscall_set set = { 0 };
	struct block *start;
	struct wrapper *w;

	if (sym->st_shndx == SHN_UNDEF)
		return;
	HASH_FIND(hh, mb->rc->blocks, &sym->st_value, sizeof(uint64_t), start);
	if (start)
		set = start->reach;
	HASH_FIND_STR(mb->m->by_name, name, w);
	if (w) {	/* versioned aliases: unite */
		sset_union(&w->set, &set);
		return;
	}
	w = calloc(1, sizeof(*w));
	if (!w)
		return;
	w->name = strdup(name);
	w->set = set;
	HASH_ADD_KEYPTR(hh, mb->m->by_name, w->name, strlen(w->name), w);
	mb->m->n++;
}

struct wrapper_map *wrapper_map_build(const char *libc_path)
{
	struct wrapper_map *m = calloc(1, sizeof(*m));
	struct reach_ctx rc = { 0 };
	struct code c = { 0 };
	struct block *blk, *tmp;
	size_t i;
	int fd;
	Elf *elf = elf_open_x86_64(libc_path, &fd);

	if (!m || !elf || load_code(elf, &c) || cs_init(&rc.cs)) {
		if (elf) {
			elf_end(elf);
			close(fd);
		}
		free((void *)c.bytes);
		free(m);
		return NULL;
	}
	rc.code = &c;
	collect_starts(elf, &rc);
	/* every exported function's code, then what each reaches */
	for (i = 0; i < rc.n_starts; i++)
		discover(&rc, rc.starts[i]);
	propagate(&rc);
	{
		struct map_build mb = { m, &rc };

		dynsym_foreach(elf, add_wrapper, &mb);
	}
	HASH_ITER(hh, rc.blocks, blk, tmp) {
		HASH_DEL(rc.blocks, blk);
		free(blk->targets);
		free(blk->succ);
		free(blk);
	}
	free(rc.starts);
	free(rc.all);
	cs_close(&rc.cs);
	free((void *)c.bytes);
	elf_end(elf);
	close(fd);
	return m;
}

void wrapper_map_free(struct wrapper_map *m)
{
	struct wrapper *w, *tmp;

	if (!m)
		return;
	HASH_ITER(hh, m->by_name, w, tmp) {
		HASH_DEL(m->by_name, w);
		free(w->name);
		free(w);
	}
	free(m);
}

const struct syscall_set *wrapper_map_get(const struct wrapper_map *m, const char *name)
{
	struct wrapper *w;

	HASH_FIND_STR(m->by_name, name, w);
	return w ? &w->set : NULL;
}

size_t wrapper_map_size(const struct wrapper_map *m)
{
	return m->n;
}

int wrapper_map_save(const struct wrapper_map *m, const char *json_path)
{
	json_t *root = json_object();
	struct wrapper *w, *tmp;
	int i, err;

	HASH_ITER(hh, m->by_name, w, tmp) {
		json_t *list = json_array();

		for (i = 0; i < VIGIL_NR_SYSCALLS; i++)
			if (sset_has(&w->set, i))
				json_array_append_new(list, json_string(sys_name(i)));
		json_object_set_new(root, w->name, list);
	}
	err = json_dump_file(root, json_path, JSON_SORT_KEYS | JSON_COMPACT) ? -EIO : 0;
	json_decref(root);
	return err;
}

struct wrapper_map *wrapper_map_load(const char *json_path)
{
	json_t *root = json_load_file(json_path, 0, NULL), *list, *v;
	struct wrapper_map *m;
	const char *name;
	size_t i;

	if (!json_is_object(root) || !(m = calloc(1, sizeof(*m)))) {
		json_decref(root);
		return NULL;
	}
	json_object_foreach(root, name, list) {
		struct wrapper *w = calloc(1, sizeof(*w));

		if (!w)
			break;
		w->name = strdup(name);
		json_array_foreach(list, i, v)
			if (json_is_string(v))
				sset_add(&w->set, sys_nr(json_string_value(v)));
		HASH_ADD_KEYPTR(hh, m->by_name, w->name, strlen(w->name), w);
		m->n++;
	}
	json_decref(root);
	return m;
}
