/* SPDX-License-Identifier: MIT */
/* causal.c: causal consistency (CC, CM, CCv) of read/write histories by bad patterns. */
#include <stdlib.h>
#include <string.h>

#include "checker/internal.h"

int _rc_check_causal(const rc_history_t *h, enum rc_spec spec,
		     enum rc_level level, const uint32_t *ids, size_t n,
		     double deadline, size_t max_states,
		     struct rc_check_part *part, bool *differentiated)
{
	part->verdict = RC_VERDICT_UNKNOWN;
	snprintf(part->note, sizeof(part->note), "not implemented");
	return 0;
}
