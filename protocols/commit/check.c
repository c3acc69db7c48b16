/* SPDX-License-Identifier: MIT */
/* check.c: the properties of atomic commitment, judged per transaction from every node's record and end state. */
#include <stdio.h>

#include "protocols/commit/commit.h"

/*
 * Atomicity: no node records commit while another records abort.
 * Validity: commit only if every participant recorded a yes vote; in a
 * run without any fault, abort only if some participant voted no.
 * Termination: where it is promised (the caller says), no node that is
 * up at the end is uncertain or committable; where it is not, such a node
 * makes the transaction blocked, which is no violation.
 */

const char *_rc_commit_prop_name(unsigned prop)
{
	switch (prop) {
	case RC_COMMIT_ATOMICITY:
		return "atomicity";
	case RC_COMMIT_VALIDITY:
		return "validity";
	case RC_COMMIT_TERMINATION:
		return "termination";
	}
	return "?";
}

unsigned _rc_commit_check(const struct _rc_commit_view *v, bool *blocked,
			  char *why, size_t len)
{
	int committer = -1, aborter = -1, undecided = -1;
	unsigned bad = 0;

	*blocked = false;
	if (v->coord == UINT32_MAX)
		return 0;
	for (unsigned i = 0; i < v->nodes; i++) {
		if (v->commit[i] && committer < 0)
			committer = (int)i;
		if (v->abort[i] && aborter < 0)
			aborter = (int)i;
		if (v->live[i] && undecided < 0 &&
		    (v->state[i] == RC_CS_UNCERTAIN ||
		     v->state[i] == RC_CS_COMMITTABLE))
			undecided = (int)i;
	}
	if (committer >= 0 && aborter >= 0) {
		bad |= RC_COMMIT_ATOMICITY;
		snprintf(why, len,
			 "atomicity: txn %u committed at node %d, aborted at "
			 "node %d",
			 v->txn, committer, aborter);
	}
	for (unsigned i = 0; i < v->nodes && !bad; i++) {
		if (committer >= 0 && i != v->coord && !v->yes[i]) {
			bad |= RC_COMMIT_VALIDITY;
			snprintf(why, len,
				 "validity: txn %u committed at node %d "
				 "without a yes vote of node %u",
				 v->txn, committer, i);
		} else if (v->fault_free && aborter >= 0 && i == v->nodes - 1) {
			bool any_no = false;

			for (unsigned j = 0; j < v->nodes; j++)
				if (j != v->coord &&
				    !_rc_commit_vote(v->seed, v->txn, j))
					any_no = true;
			if (!any_no) {
				bad |= RC_COMMIT_VALIDITY;
				snprintf(why, len,
					 "validity: txn %u aborted at node %d "
					 "in a run without faults, every vote "
					 "yes",
					 v->txn, aborter);
			}
		}
	}
	if (undecided >= 0) {
		if (v->promised) {
			if (!bad)
				snprintf(why, len,
					 "termination: txn %u undecided at "
					 "live node %d at the end",
					 v->txn, undecided);
			bad |= RC_COMMIT_TERMINATION;
		} else {
			*blocked = true;
		}
	}
	return bad;
}
