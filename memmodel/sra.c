/* SPDX-License-Identifier: MIT */
/*
 * sra.c: strong release/acquire (SRA), the causal level, after Lahav,
 * Giannarakis and Vafeiadis, "Taming release-acquire consistency" (POPL
 * 2016).
 *
 * SRA is RA (see ra.c: hb-acyclic, coherence, sc-fence, atomicity, with
 * every access release/acquire, C seq_cst fences as in RC11) strengthened so that coherence order agrees
 * with causality across locations: "sra": po | rf | co acyclic. Where RA
 * allows 2+2W (each thread's second write co-before the other's first),
 * SRA forbids it; on message passing, load buffering and IRIW the two
 * agree.
 */
#include "memmodel/exec.h"

bool _rc_ra_check(const struct rc_exec *x, struct rc_why *why, uint64_t *hb);

static bool sra_check(const struct rc_exec *x, struct rc_why *why)
{
	REL_LOCAL(x, hb);
	REL_LOCAL(x, u);

	if (!_rc_ra_check(x, why, hb))
		return false;
	_rc_rel_copy(x, u, x->po);
	_rc_rel_union(x, u, x->rmw);
	_rc_rel_union(x, u, x->rf);
	_rc_rel_union(x, u, x->co);
	if (!_rc_rel_acyclic(x, u)) {
		const uint64_t *const parts[] = { x->po, x->rmw, x->rf, x->co };
		static const char *const names[] = { "po", "rmw", "rf", "co" };

		if (why)
			_rc_rel_find_cycle(x, u, "sra", parts, names, 4, why);
		return false;
	}
	return true;
}

const struct rc_model _rc_model_sra = {
	.name = "sra",
	.herd_name = NULL,
	.summary = "strong release/acquire, causal (Lahav et al. POPL 2016)",
	.archs = (1u << RC_LITMUS_X86) | (1u << RC_LITMUS_C),
	.prefilter = true,
	.check = sra_check,
	.racy = NULL,
};
