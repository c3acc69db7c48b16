/* SPDX-License-Identifier: MIT */
/* sim_args.c: the options every simulated protocol's command takes, parsed once for all of them. */
#include <getopt.h>
#include <stdio.h>

#include "cli/cli.h"
#include "tools/sim_args.h"

enum { OPT_EXTRA = 1000 };

int sim_args_parse(const char *cmd, const char *help, int argc, char **argv,
		   struct sim_args *a, const struct sim_extra *extra,
		   size_t nextra)
{
	static const struct option base[] = {
		{ "nodes", required_argument, NULL, 'n' },
		{ "seed", required_argument, NULL, 's' },
		{ "faults", required_argument, NULL, 'f' },
		{ "commands", required_argument, NULL, 'c' },
		{ "runs", required_argument, NULL, 'r' },
	};
	static const struct option tail[] = {
		{ "trace", no_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct option opts[sizeof base / sizeof base[0] + SIM_EXTRA_MAX +
			   sizeof tail / sizeof tail[0]];
	size_t n = 0;
	int c;

	if (nextra > SIM_EXTRA_MAX)
		nextra = SIM_EXTRA_MAX;
	/* the order of today's paxos sim: the base, the extras, the flags */
	for (size_t i = 0; i < sizeof base / sizeof base[0]; i++)
		opts[n++] = base[i];
	for (size_t i = 0; i < nextra; i++)
		opts[n++] = (struct option){ extra[i].name, required_argument,
					     NULL, OPT_EXTRA + (int)i };
	for (size_t i = 0; i < sizeof tail / sizeof tail[0]; i++)
		opts[n++] = tail[i];
	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		uint64_t *dst = NULL;
		char name[64];

		switch (c) {
		case 'n':
			dst = &a->nodes;
			break;
		case 's':
			dst = &a->seed;
			break;
		case 'c':
			dst = &a->commands;
			break;
		case 'r':
			dst = &a->runs;
			break;
		case 'f':
			a->faults = optarg;
			break;
		case 't':
			a->trace = true;
			break;
		case 'j':
			a->json = true;
			break;
		case 'h':
			fputs(help, stdout);
			return CLI_EXIT_OK;
		default:
			if (c >= OPT_EXTRA && c < OPT_EXTRA + (int)nextra) {
				dst = extra[c - OPT_EXTRA].dst;
				break;
			}
			return cli_bad_option(cmd, argv, optopt);
		}
		if (dst == NULL)
			continue;
		/* the option's long name, as given to the parser */
		for (size_t i = 0; i < n; i++)
			if (opts[i].val == c)
				snprintf(name, sizeof name, "--%s",
					 opts[i].name);
		if (!cli_parse_u64(cmd, name, optarg, dst))
			return CLI_EXIT_USAGE;
	}
	if (optind < argc)
		return cli_usage(cmd, "unexpected argument '%s'", argv[optind]);
	return -1;
}
