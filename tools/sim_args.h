/* SPDX-License-Identifier: MIT */
/* sim_args.h: the options every simulated protocol's command takes. */
#ifndef RC_TOOLS_SIM_ARGS_H
#define RC_TOOLS_SIM_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <replicore/err.h>

#include "protocols/sim/sim.h"

/* The most options of its own a protocol's command takes. */
#define SIM_EXTRA_MAX 8

/* --nodes, --seed, --commands, --runs, --faults, --trace, --json, and
 * --broken NAME where broken is not NULL before parsing ("": none given);
 * the caller sets the defaults before parsing. */
struct sim_args {
	uint64_t nodes, seed, commands, runs;
	const char *faults;
	bool trace, json;
	const char *broken;
	uint64_t x[SIM_EXTRA_MAX]; /* sim_drive: the driver's extras */
};

/* A protocol's own --NAME N option. */
struct sim_extra {
	const char *name; /* without the dashes */
	uint64_t *dst;
};

/*
 * Parses argv (from the verb on, as getopt_long sees it) into a and the
 * extra options. Returns -1 when the caller goes on, or the exit status to
 * return at once: 0 after printing help (--help) to standard output, 2
 * after a usage error naming cmd ("replicore CMD: ...").
 */
int sim_args_parse(const char *cmd, const char *help, int argc, char **argv,
		   struct sim_args *a, const struct sim_extra *extra,
		   size_t nextra);

/* The most counters of its own a protocol reports per run. */
#define SIM_COUNTS_MAX 8

/* What one run reports to sim_drive. */
struct sim_run {
	uint64_t count[SIM_COUNTS_MAX]; /* the protocol's counters */
	struct _rc_sim_stats st;	/* the simulator's */
	unsigned violations;		/* a bit per property */
	char why[256];			/* the first violation */
};

/*
 * A simulated protocol's command, for sim_drive: its options are the
 * common ones (struct sim_args, defaults nodes and commands); after each
 * run its counters are summed, and a summary or a JSON object is printed.
 */
struct sim_driver {
	const char *name; /* "snapshot": the protocol, as printed */
	const char *cmd;  /* "sim snapshot": the command, in errors */
	const char *help;
	uint64_t nodes, commands; /* defaults */
	uint64_t min_nodes;
	/* the names --broken takes (NULL-ended; variant i + 1 is the
	 * i-th), or NULL: none */
	const char *const *broken;
	const char *const *counts; /* names of count[], NULL-terminated */
	unsigned max_counts;	   /* counts (a bit each) kept by maximum,
				    * not summed over runs */
	const char *const *props;  /* names of bits 0, 1, ...; NULL-ended */
	/* the protocol's own --NAME N options, NULL-ended, with their
	 * defaults; their values are in sim_args.x[] and in the JSON */
	const char *const *extras;
	const uint64_t *extra_defaults;
	/* one run at seed (variant: 0, or 1 + the index of the name
	 * --broken gave); -1 with err filled (exit 2), else 0 */
	int (*run)(const struct sim_args *a, const struct _rc_sim_faults *f,
		   uint64_t seed, unsigned variant, FILE *trace,
		   struct sim_run *r, rc_err_t *err);
	/* optional: checks the options beyond the common ones (NULL, or a
	 * usage message); without it, crash must leave a node up */
	const char *(*check)(const struct sim_args *a,
			     const struct _rc_sim_faults *f, char *buf,
			     size_t len);
	/* optional: words after the summary's title ("" for none) */
	const char *(*title)(const struct sim_args *a);
	/* optional: the summary's first lines in place of a line per
	 * counter, and lines after the simulated time */
	void (*head)(const struct sim_args *a, const struct sim_run *sum);
	void (*tail)(const struct sim_run *sum);
};

/* Parses argv, runs seeds seed..seed+runs-1, prints; the exit status. */
int sim_drive(const struct sim_driver *d, int argc, char **argv);

#endif /* RC_TOOLS_SIM_ARGS_H */
