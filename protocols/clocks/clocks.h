/* SPDX-License-Identifier: MIT */
/* clocks.h: physical clocks synchronised by Lamport's rules (1978, section 6), one step machine per node, and its seeded simulation against the paper's bound. */
#ifndef RC_PROTOCOLS_CLOCKS_CLOCKS_H
#define RC_PROTOCOLS_CLOCKS_CLOCKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <replicore/err.h>

#include "protocols/sim/sim.h"

/* A message: the sender's clock when it sent it (IR2' a). */
struct _rc_clk_msg {
	uint16_t from, to;
	double tm; /* simulated us on the sender's clock */
};

enum _rc_clk_variant {
	RC_CLK_LAMPORT,
	/* broken: a receiver sets its clock to Tm + mu even when that is
	 * behind it, so a clock can run backwards */
	RC_CLK_NO_MAX,
};

/* What a node calls: the transport. */
struct _rc_clk_io {
	void *ctx;
	void (*send)(void *ctx, unsigned from, unsigned to,
		     const struct _rc_clk_msg *m);
};

struct _rc_clk_node;

/*
 * Node id of nodes, its clock at `offset` at time 0 and running at rate
 * 1 + drift (|drift| < kappa), sending its clock every period us to its
 * neighbours (every node, or the nodes beside it in a line), a receiver
 * adding mu, the least delay. NULL without memory.
 */
struct _rc_clk_node *_rc_clk_node_create(unsigned nodes, unsigned id, bool line,
					 double offset, double drift,
					 double period, double mu,
					 enum _rc_clk_variant v,
					 const struct _rc_clk_io *io);
void _rc_clk_node_destroy(struct _rc_clk_node *n);
/* The node's clock at simulated time now (us). */
double _rc_clk_node_read(const struct _rc_clk_node *n, uint64_t now);
void _rc_clk_node_recv(struct _rc_clk_node *n, uint64_t now,
		       const struct _rc_clk_msg *m);
void _rc_clk_node_tick(struct _rc_clk_node *n, uint64_t now);
uint64_t _rc_clk_node_deadline(const struct _rc_clk_node *n);
/* Sets mu, what IR2' adds (the threaded run measures it first). */
void _rc_clk_node_set_mu(struct _rc_clk_node *n, double mu);
/* Whether the node's clock ever went back (IR1' and IR2' forbid it). */
bool _rc_clk_node_went_back(const struct _rc_clk_node *n);

/* The properties. */
enum _rc_clk_prop {
	RC_CLK_BOUND = 1,     /* skew within d(2 kappa tau + xi) */
	RC_CLK_MONOTONIC = 2, /* no clock runs backwards */
};

struct _rc_clk_sim_opts {
	enum _rc_clk_variant variant;
	unsigned nodes;
	uint64_t seed;
	unsigned commands; /* the run lasts as long as this many commands'
			    * submission span; commands do nothing else */
	double kappa;	   /* drift bound: rates within 1 +- kappa */
	double period;	   /* tau, us */
	bool line;	   /* a line of nodes (d = n - 1), else complete */
	struct _rc_sim_faults faults; /* delay and dup only */
	FILE *trace;
};

struct _rc_clk_sim_result {
	double bound;	 /* d (2 kappa tau + xi), us */
	double max_skew; /* after the warm-up, us */
	double start_skew;
	uint64_t samples; /* skews measured after the warm-up */
	struct _rc_sim_stats st;
	unsigned violations;
	char why[256];
};

int _rc_clk_sim_run(const struct _rc_clk_sim_opts *o,
		    struct _rc_clk_sim_result *res, rc_err_t *err);

/*
 * The threaded run (threads.c): one thread per node over rc_chan, the
 * step machine above driven by CLOCK_MONOTONIC in ns from the run's
 * start, each clock scaled by its drift; mu and xi measured.
 */
#define RC_CLK_THR_MAX 64

struct rc_topo;

struct _rc_clk_thr_opts {
	const struct rc_topo *topo; /* thread i pinned on PU i mod PUs;
				     * NULL: not pinned */
	unsigned nodes;		    /* threads, 2..RC_CLK_THR_MAX */
	uint64_t seed;		    /* the drifts and offsets */
	double kappa;		    /* rates within 1 +- kappa */
	uint64_t period_ns;	    /* tau */
	bool line;		    /* a line (d = n - 1), else complete */
	uint64_t duration_ns;	    /* the run, after a calibration of 20
				     * periods */
	enum _rc_clk_variant variant;
};

struct _rc_clk_thr_result {
	uint64_t mu_ns;		   /* the least delay of the calibration */
	uint64_t cal_spread_ns;	   /* its largest delay minus mu */
	uint64_t dmin_ns, dmax_ns; /* the run's delays */
	double xi_ns;		   /* dmax - min(dmin, mu) */
	unsigned diameter;
	double bound_ns; /* d (2 kappa tau + xi) */
	double warm_ns;	 /* samples before it are not counted */
	double max_skew_ns, mean_skew_ns, start_skew_ns;
	uint64_t samples, retried; /* retried: readings given up */
	uint64_t messages, dropped;
	bool went_back; /* a clock went back (never, by IR2') */
	double drift[RC_CLK_THR_MAX];
};

int _rc_clk_thr_run(const struct _rc_clk_thr_opts *o,
		    struct _rc_clk_thr_result *res, rc_err_t *err);

#endif /* RC_PROTOCOLS_CLOCKS_CLOCKS_H */
