/* SPDX-License-Identifier: MIT */
/* sim_args.h: the options every simulated protocol's command takes. */
#ifndef RC_TOOLS_SIM_ARGS_H
#define RC_TOOLS_SIM_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* --nodes, --seed, --commands, --runs, --faults, --trace, --json; the
 * caller sets the defaults before parsing. */
struct sim_args {
	uint64_t nodes, seed, commands, runs;
	const char *faults;
	bool trace, json;
};

/* A protocol's own --NAME N option (at most SIM_EXTRA_MAX of them). */
struct sim_extra {
	const char *name; /* without the dashes */
	uint64_t *dst;
};

#define SIM_EXTRA_MAX 8

/*
 * Parses argv (from the verb on, as getopt_long sees it) into a and the
 * extra options. Returns -1 when the caller goes on, or the exit status to
 * return at once: 0 after printing help (--help) to standard output, 2
 * after a usage error naming cmd ("replicore CMD: ...").
 */
int sim_args_parse(const char *cmd, const char *help, int argc, char **argv,
		   struct sim_args *a, const struct sim_extra *extra,
		   size_t nextra);

#endif /* RC_TOOLS_SIM_ARGS_H */
