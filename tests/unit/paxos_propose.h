/* SPDX-License-Identifier: MIT */
/* paxos_propose.h: n commands proposed one by one at a node of a threaded Paxos group, for the group's tests. */
#ifndef RC_TESTS_PAXOS_PROPOSE_H
#define RC_TESTS_PAXOS_PROPOSE_H

#include <replicore/paxos.h>

/* Commands op 1, arg tag..tag+n-1, tag node, each proposed and waited
 * for in turn; the first failure's code, or 0. */
static inline int propose_n(rc_paxos_t *p, unsigned node, unsigned n,
			    uint64_t tag)
{
	int rc = 0;

	for (unsigned i = 0; i < n && rc == 0; i++) {
		struct rc_paxos_cmd c = { 0, 1, tag + i, (uint32_t)node, 0 };

		rc = rc_paxos_propose(p, node, &c, NULL);
	}
	return rc;
}

#endif /* RC_TESTS_PAXOS_PROPOSE_H */
