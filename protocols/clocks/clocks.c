/* SPDX-License-Identifier: MIT */
/* clocks.c: a node's physical clock, kept by Lamport's rules IR1' and IR2' (1978, section 6). */
#include <stdlib.h>

#include "protocols/clocks/clocks.h"

/*
 * The clock runs at its own rate between messages (IR1': it only moves
 * forward); every period the node sends its clock's reading to each
 * neighbour (IR2' a); a receiver of reading Tm sets its clock to the
 * larger of its own reading and Tm + mu, mu being the least time a
 * message takes (IR2' b). The clock is kept as the reading at the last
 * change and the simulated time of that change.
 */
struct _rc_clk_node {
	unsigned nodes, id;
	bool line;
	enum _rc_clk_variant variant;
	struct _rc_clk_io io;
	double base_c;	 /* reading at base_t */
	uint64_t base_t; /* simulated us */
	double rate;	 /* 1 + drift */
	double period, mu;
	uint64_t next; /* next send */
	bool back;     /* the clock went back once */
};

struct _rc_clk_node *_rc_clk_node_create(unsigned nodes, unsigned id, bool line,
					 double offset, double drift,
					 double period, double mu,
					 enum _rc_clk_variant v,
					 const struct _rc_clk_io *io)
{
	struct _rc_clk_node *n = calloc(1, sizeof(*n));

	if (n == NULL)
		return NULL;
	n->nodes = nodes;
	n->id = id;
	n->line = line;
	n->variant = v;
	n->io = *io;
	n->base_c = offset;
	n->rate = 1 + drift;
	n->period = period;
	n->mu = mu;
	/* the nodes' first sends spread over the first period */
	n->next = (uint64_t)(period * id / nodes);
	return n;
}

void _rc_clk_node_destroy(struct _rc_clk_node *n)
{
	free(n);
}

double _rc_clk_node_read(const struct _rc_clk_node *n, uint64_t now)
{
	return n->base_c + (double)(now - n->base_t) * n->rate;
}

void _rc_clk_node_recv(struct _rc_clk_node *n, uint64_t now,
		       const struct _rc_clk_msg *m)
{
	double c = _rc_clk_node_read(n, now), nc = m->tm + n->mu;

	if (n->variant == RC_CLK_LAMPORT && nc < c)
		nc = c; /* IR2' b: forward only */
	if (nc < c)
		n->back = true;
	n->base_c = nc;
	n->base_t = now;
}

void _rc_clk_node_tick(struct _rc_clk_node *n, uint64_t now)
{
	struct _rc_clk_msg m;

	if (now < n->next)
		return;
	m.from = (uint16_t)n->id;
	m.tm = _rc_clk_node_read(n, now);
	for (unsigned j = 0; j < n->nodes; j++) {
		if (j == n->id || (n->line && j + 1 != n->id && j != n->id + 1))
			continue;
		m.to = (uint16_t)j;
		n->io.send(n->io.ctx, n->id, j, &m);
	}
	n->next = now + (uint64_t)n->period;
}

uint64_t _rc_clk_node_deadline(const struct _rc_clk_node *n)
{
	return n->next;
}

void _rc_clk_node_set_mu(struct _rc_clk_node *n, double mu)
{
	n->mu = mu;
}

bool _rc_clk_node_went_back(const struct _rc_clk_node *n)
{
	return n->back;
}
