/* SPDX-License-Identifier: MIT */
/* generals.c: the two generals over a lossy channel, and the scheduler that finds, for each bounded acknowledgement protocol, the run in which they disagree. */
#include <stdio.h>

#include "protocols/flp/flp.h"

/*
 * The two generals (Akkoyunlu, Ekanadham and Huber 1975; Gray 1978): no
 * protocol over a channel that may lose any message makes two generals
 * always agree on attacking, and attack when nothing is lost. The proof:
 * take a protocol that ends after at most k messages, and its run without
 * loss (both attack). Losing the last message changes nothing its sender
 * sees, so the sender decides as before; repeat, each run looking the
 * same to one general as the previous one, down to the run in which
 * every message is lost and nobody may attack (the one who sent nothing
 * learned nothing). Somewhere along that chain one general attacks and
 * the other does not.
 *
 * The family played here: protocol k sends at most k messages, A sending
 * the odd ones (1: "attack at dawn") and B the even ones (each an
 * acknowledgement of the one before); a general sends the next message
 * when it received the previous one, and attacks when it received every
 * message addressed to it (A attacks at k = 1 on its own order). The
 * scheduler walks the proof's chain, dropping the last message delivered
 * each time, and stops at the first run where the generals disagree; it
 * also plays all 2^k loss patterns to count the distinct runs and those
 * that disagree.
 */

void _rc_generals_play(unsigned k, uint32_t lost, struct _rc_generals_run *r)
{
	unsigned got_a = 0, got_b = 0;

	r->sent = r->received = 0;
	for (unsigned i = 1; i <= k; i++) {
		r->sent++;
		if (lost >> (i - 1) & 1)
			break; /* nobody sends after a loss */
		r->received++;
		if (i & 1)
			got_b++;
		else
			got_a++;
	}
	/* A is sent the even messages (k / 2), B the odd ones */
	r->attack_a = got_a == k / 2;
	r->attack_b = got_b == (k + 1) / 2;
}

static void trace_run(FILE *t, unsigned k, uint32_t lost,
		      const struct _rc_generals_run *r)
{
	for (unsigned i = 1; i <= r->sent; i++)
		fprintf(t, "  message %u %s->%s %s: %s\n", i, i & 1 ? "A" : "B",
			i & 1 ? "B" : "A",
			i == 1 ? "\"attack at dawn\"" : "ack",
			lost >> (i - 1) & 1 ? "lost" : "delivered");
	fprintf(t, "  A %s, B %s%s\n", r->attack_a ? "attacks" : "stays",
		r->attack_b ? "attacks" : "stays",
		r->attack_a != r->attack_b ? ": they disagree" : "");
	(void)k;
}

unsigned _rc_generals_search(unsigned k, uint32_t *lost, unsigned *runs,
			     unsigned *disagree, FILE *trace)
{
	struct _rc_generals_run r;
	unsigned walked = 0, found = 0;
	uint32_t seen = 0;

	*runs = *disagree = 0;
	/* every loss pattern; runs differ only in their first loss */
	for (uint32_t m = 0; m < (1u << k); m++) {
		unsigned first = m ? (unsigned)__builtin_ctz(m) + 1 : 0;

		_rc_generals_play(k, m, &r);
		if (seen >> first & 1)
			continue;
		seen |= 1u << first;
		(*runs)++;
		if (r.attack_a != r.attack_b)
			(*disagree)++;
	}
	/* the proof's chain: no loss, then the last delivered one lost */
	for (unsigned d = k + 1; d-- > 0;) {
		uint32_t m = d == k ? 0 : 1u << d; /* message d + 1 lost */

		walked++;
		_rc_generals_play(k, m, &r);
		if (trace) {
			fprintf(trace, "k=%u run %u: ", k, walked);
			if (m)
				fprintf(trace, "message %u lost\n", d + 1);
			else
				fputs("nothing lost\n", trace);
			trace_run(trace, k, m, &r);
		}
		if (r.attack_a != r.attack_b) {
			*lost = m;
			found = walked;
			break;
		}
	}
	return found;
}
