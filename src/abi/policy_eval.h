/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * policy_eval.h - the meaning of one policy atom (abi/policy.h), shared by
 * the BPF hooks and the agent's own evaluator so both decide alike.
 *
 * The includer defines, before including:
 *   POL_LPM_HAS(key)  true when the vigil_pol_lpm_key is in the LPM set
 *   POL_VAL_HAS(key)  true when the vigil_pol_val_key is in the value sets
 *   POL_INLINE        the inline attribute to use
 *   POL_OWN_HAS(f)    true when f's remote address is on the caller's own networks
 *   POL_BOUND(x)      (optional) keeps the compiler from moving a bound away
 *
 * An atom is true, false, or unknown: a unix path the caller gave relative
 * to its directory is unknown to the connect hook; the clause is then
 * left to the check after the connect, which sees the peer's own path.
 */
#ifndef VIGIL_POLICY_EVAL_H
#define VIGIL_POLICY_EVAL_H

#include "abi/abi.h"
#include "abi/policy.h"

#ifndef POL_BOUND
#define POL_BOUND(x) ((void)0)
#endif

#define POL_FALSE 0
#define POL_TRUE 1
#define POL_UNKNOWN 2

/* facts.path_len when the path is there but cannot be compared */
#define VIGIL_POL_PATH_UNKNOWN 0xffff

static POL_INLINE int pol_is_inet(const struct vigil_pol_facts *f)
{
	return f->family == VIGIL_AF_INET || f->family == VIGIL_AF_INET6;
}

/* Argument a->arg of the syscall (0..5); false when out of range. */
static POL_INLINE int pol_arg(const struct vigil_pol_atom *a, const struct vigil_pol_facts *f, __u64 *out)
{
	__u64 k = a->arg;

	POL_BOUND(k);
	if (k >= 6 || !f->has_args)
		return 0;
	*out = f->args[k];
	return 1;
}

static POL_INLINE int pol_atom_eval(const struct vigil_pol_atom *a, struct vigil_pol_facts *f)
{
	int r = POL_FALSE;
	__u64 v;

	switch (a->kind) {
	case VIGIL_A_TRUE:
		r = POL_TRUE;
		break;
	case VIGIL_A_SETUP:
		r = (f->proc_flags & VIGIL_PROC_CTR_SETUP) != 0;
		break;
	case VIGIL_A_RUNTIME:
		r = (f->proc_flags & VIGIL_PROC_RUNTIME) != 0;
		break;
	case VIGIL_A_ARG_SET:
		if (!pol_arg(a, f, &v))
			break;
		f->val_key.set = a->set;
		f->val_key.val = v;
		r = POL_VAL_HAS(&f->val_key) ? POL_TRUE : POL_FALSE;
		break;
	case VIGIL_A_ARG_MASK:
		if (pol_arg(a, f, &v))
			r = (v & a->set) != 0;
		break;
	case VIGIL_A_EXE_FLAGS:
		r = (f->exe_flags & a->set) != 0;
		break;
	case VIGIL_A_PATH_SET:
		if (!f->path_len)
			break;
		if (f->path_len == VIGIL_POL_PATH_UNKNOWN) {
			r = POL_UNKNOWN;
			break;
		}
		f->path_key.prefixlen = VIGIL_POL_LPM_BITS(VIGIL_POL_PATH);
		f->path_key.set_lo = (__u32)a->set;
		f->path_key.set_hi = (__u32)(a->set >> 32);
		r = POL_LPM_HAS(&f->path_key) ? POL_TRUE : POL_FALSE;
		break;
	case VIGIL_A_FAMILY:
		r = f->family && f->family < 64 && ((a->set >> f->family) & 1);
		break;
	case VIGIL_A_L4:
		r = pol_is_inet(f) && (f->l4 & a->set) != 0;
		break;
	case VIGIL_A_KIND:
		r = (f->kind & a->set) != 0;
		break;
	case VIGIL_A_PORT_RANGE:
		v = f->rport;
		r = f->family && v >= (a->set & 0xffff) && v <= ((a->set >> 16) & 0xffff);
		break;
	case VIGIL_A_PORT_SET:
		if (!f->family)
			break;
		f->val_key.set = a->set;
		f->val_key.val = f->rport;
		r = POL_VAL_HAS(&f->val_key) ? POL_TRUE : POL_FALSE;
		break;
	case VIGIL_A_ADDR_SET:
		if (!pol_is_inet(f))
			break;
		f->addr_key.prefixlen = VIGIL_POL_LPM_BITS(16);
		f->addr_key.set_lo = (__u32)a->set;
		f->addr_key.set_hi = (__u32)(a->set >> 32);
		r = POL_LPM_HAS(&f->addr_key) ? POL_TRUE : POL_FALSE;
		break;
	case VIGIL_A_ADDR_OWN:
		if (!pol_is_inet(f))
			break;
		if (!f->own)
			f->own = POL_OWN_HAS(f) ? 2 : 1;
		r = f->own == 2;
		break;
	default:
		break;
	}
	if (r == POL_UNKNOWN)
		return r;
	return a->neg ? !r : r;
}

/*
 * Folds atom result r into a clause's running result: false wins, then
 * unknown.  Start from POL_TRUE.
 */
static POL_INLINE int pol_and(int acc, int r)
{
	if (acc == POL_FALSE || r == POL_FALSE)
		return POL_FALSE;
	return (acc == POL_UNKNOWN || r == POL_UNKNOWN) ? POL_UNKNOWN : POL_TRUE;
}

#endif /* VIGIL_POLICY_EVAL_H */
