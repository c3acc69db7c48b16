/* SPDX-License-Identifier: MIT */
/* sim_args.c: the options every simulated protocol's command takes, parsed once for all of them. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

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
		{ "broken", required_argument, NULL, 'b' },
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
		case 'b':
			if (a->broken == NULL)
				return cli_bad_option(cmd, argv, optopt);
			a->broken = optarg;
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

static void stats_add(struct _rc_sim_stats *to,
		      const struct _rc_sim_stats *from)
{
	to->messages += from->messages;
	to->dropped += from->dropped;
	to->duplicated += from->duplicated;
	to->delayed += from->delayed;
	to->crashed += from->crashed;
	to->stalls += from->stalls;
	to->restarts += from->restarts;
	to->partitions += from->partitions;
	to->cut += from->cut;
	to->time += from->time;
	to->at_live += from->at_live;
}

/*
 * The names of the properties in v, comma-separated, then end; lines
 * break before a name that would pass column 78, continuing at column
 * 23 (the summary's value column), the first line starting at column 23.
 */
static void print_props(const struct sim_driver *d, unsigned v, const char *end)
{
	size_t col = 22;
	bool first = true;

	for (unsigned i = 0; d->props[i] != NULL; i++) {
		const char *sep =
			d->props[i + 1] == NULL || !(v >> (i + 1)) ? end : ",";
		size_t w = strlen(d->props[i]) + strlen(sep);

		if (!(v & (1u << i)))
			continue;
		if (!first && col + 1 + w > 78) {
			printf("\n%22s", "");
			col = 22;
		} else if (!first) {
			putchar(' ');
			col++;
		}
		printf("%s%s", d->props[i], sep);
		col += w;
		first = false;
	}
	putchar('\n');
}

static void json(const struct sim_driver *d, const struct sim_args *a,
		 const struct sim_run *sum, uint64_t failed, uint64_t first,
		 const char *first_why)
{
	struct cli_json j;

	cli_json_init(&j, stdout);
	cli_json_obj(&j);
	cli_json_kv_str(&j, "protocol", d->name);
	cli_json_kv_uint(&j, "nodes", a->nodes);
	cli_json_kv_uint(&j, "seed", a->seed);
	cli_json_kv_uint(&j, "runs", a->runs);
	cli_json_kv_str(&j, "faults", a->faults);
	if (a->broken != NULL)
		cli_json_kv_str(&j, "broken",
				a->broken[0] ? a->broken : "none");
	cli_json_kv_uint(&j, "commands", a->commands);
	for (size_t i = 0; d->extras != NULL && d->extras[i] != NULL; i++)
		cli_json_kv_uint(&j, d->extras[i], a->x[i]);
	for (size_t i = 0; d->counts[i] != NULL; i++)
		cli_json_kv_uint(&j, d->counts[i], sum->count[i]);
	cli_json_kv_uint(&j, "messages", sum->st.messages);
	cli_json_kv_uint(&j, "dropped", sum->st.dropped);
	cli_json_kv_uint(&j, "duplicated", sum->st.duplicated);
	cli_json_kv_uint(&j, "delayed", sum->st.delayed);
	cli_json_kv_uint(&j, "cut", sum->st.cut);
	cli_json_kv_uint(&j, "crashed", sum->st.crashed);
	cli_json_kv_uint(&j, "restarts", sum->st.restarts);
	cli_json_kv_uint(&j, "stalls", sum->st.stalls);
	cli_json_kv_uint(&j, "partitions", sum->st.partitions);
	cli_json_kv_uint(&j, "simulated_us", sum->st.time);
	cli_json_kv_uint(&j, "failed_runs", failed);
	cli_json_key(&j, "violations");
	cli_json_arr(&j);
	for (unsigned i = 0; d->props[i] != NULL; i++)
		if (sum->violations & (1u << i))
			cli_json_str(&j, d->props[i]);
	cli_json_arr_end(&j);
	if (failed) {
		cli_json_kv_uint(&j, "first_failing_seed", first);
		cli_json_kv_str(&j, "why", first_why);
	}
	cli_json_obj_end(&j);
	cli_json_end(&j);
}

static void text(const struct sim_driver *d, const struct sim_args *a,
		 const struct sim_run *sum, uint64_t failed, uint64_t first,
		 const char *first_why)
{
	const struct _rc_sim_stats *st = &sum->st;

	printf("%s sim: %llu run%s of %llu nodes from seed %llu, faults %s%s%s"
	       "%s\n",
	       d->name, (unsigned long long)a->runs, a->runs == 1 ? "" : "s",
	       (unsigned long long)a->nodes, (unsigned long long)a->seed,
	       a->faults, a->broken && a->broken[0] ? ", broken: " : "",
	       a->broken && a->broken[0] ? a->broken : "",
	       d->title != NULL ? d->title(a) : "");
	for (size_t i = 0; d->head == NULL && d->counts[i] != NULL; i++)
		printf("  %-19s %llu\n", d->counts[i],
		       (unsigned long long)sum->count[i]);
	if (d->head != NULL)
		d->head(a, sum);
	printf("  messages            %llu sent, %llu dropped, %llu "
	       "duplicated, %llu delayed, %llu cut\n",
	       (unsigned long long)st->messages,
	       (unsigned long long)st->dropped,
	       (unsigned long long)st->duplicated,
	       (unsigned long long)st->delayed, (unsigned long long)st->cut);
	printf("  nodes               %llu crashed, %llu restarts, %llu "
	       "stalls, %llu partitions\n",
	       (unsigned long long)st->crashed,
	       (unsigned long long)st->restarts, (unsigned long long)st->stalls,
	       (unsigned long long)st->partitions);
	printf("  simulated time      %llu us\n", (unsigned long long)st->time);
	if (d->tail != NULL)
		d->tail(sum);
	if (failed) {
		unsigned v = sum->violations;
		const char *sep = "";

		/* one line: the seed and the reason follow the names */
		printf("  VIOLATED            ");
		for (unsigned i = 0; d->props[i] != NULL; i++)
			if (v & (1u << i)) {
				printf("%s%s", sep, d->props[i]);
				sep = ", ";
			}
		printf(" in %llu run%s; first at seed %llu: %s\n",
		       (unsigned long long)failed, failed == 1 ? "" : "s",
		       (unsigned long long)first, first_why);
	} else {
		printf("  properties          ");
		print_props(d, ~0u, ": hold");
	}
}

int sim_drive(const struct sim_driver *d, int argc, char **argv)
{
	struct sim_args a = { .nodes = d->nodes,
			      .seed = 1,
			      .commands = d->commands,
			      .runs = 1,
			      .faults = "none",
			      .broken = d->broken != NULL ? "" : NULL };
	struct _rc_sim_faults f;
	struct sim_run sum, r;
	rc_err_t err = RC_ERR_INITIALIZER;
	uint64_t failed = 0, first = 0;
	char first_why[256] = "", msg[256];
	unsigned variant = 0;
	struct sim_extra extra[SIM_EXTRA_MAX];
	size_t nextra = 0;
	const char *bad;
	int rc;

	for (; d->extras != NULL && d->extras[nextra] != NULL &&
	       nextra < SIM_EXTRA_MAX;
	     nextra++) {
		a.x[nextra] = d->extra_defaults[nextra];
		extra[nextra] =
			(struct sim_extra){ d->extras[nextra], &a.x[nextra] };
	}
	rc = sim_args_parse(d->cmd, d->help, argc, argv, &a, extra, nextra);

	if (rc >= 0)
		return rc;
	if (a.broken != NULL && a.broken[0] != '\0') {
		char names[256] = "";

		for (size_t i = 0; d->broken[i] != NULL; i++) {
			if (strcmp(a.broken, d->broken[i]) == 0)
				variant = (unsigned)i + 1;
			snprintf(names + strlen(names),
				 sizeof(names) - strlen(names), "%s%s",
				 i ? ", " : "", d->broken[i]);
		}
		if (variant == 0)
			return cli_usage(d->cmd,
					 "--broken: '%s' is not a broken "
					 "variant of %s (%s)",
					 a.broken, d->name, names);
	}
	if (a.nodes < d->min_nodes || a.nodes > RC_SIM_MAX_NODES)
		return cli_usage(d->cmd, "--nodes must be %llu..%d",
				 (unsigned long long)d->min_nodes,
				 RC_SIM_MAX_NODES);
	if (a.runs < 1 || a.commands < 1 || a.commands > 100000)
		return cli_usage(d->cmd, "--runs must be at least 1, "
					 "--commands 1..100000");
	if (_rc_sim_faults_parse(a.faults, &f, &err) < 0) {
		fprintf(stderr, "replicore %s: --faults:%u:%u: %s\n", d->cmd,
			err.line, err.col, err.msg);
		fprintf(stderr,
			"Try 'replicore %s --help' for more information.\n",
			d->cmd);
		return CLI_EXIT_USAGE;
	}
	if (f.member)
		return cli_usage(d->cmd,
				 "--faults: member: not a fault of %s (paxos "
				 "only)",
				 d->name);
	if (d->check != NULL &&
	    (bad = d->check(&a, &f, msg, sizeof(msg))) != NULL)
		return cli_usage(d->cmd, "%s", bad);
	if (d->check == NULL && f.crash >= a.nodes)
		return cli_usage(d->cmd,
				 "--faults: crash=%u leaves no node of %u up "
				 "(at most %u)",
				 f.crash, (unsigned)a.nodes,
				 (unsigned)a.nodes - 1);
	memset(&sum, 0, sizeof(sum));
	for (uint64_t k = 0; k < a.runs; k++) {
		memset(&r, 0, sizeof(r));
		if (d->run(&a, &f, a.seed + k, variant, a.trace ? stdout : NULL,
			   &r, &err) < 0) {
			if (err.code == RC_EINVAL)
				return cli_usage(d->cmd, "--%s: %s", err.where,
						 err.msg);
			rc_err_print(&err, stderr);
			return CLI_EXIT_USAGE;
		}
		for (size_t i = 0; i < SIM_COUNTS_MAX; i++)
			if (!(d->max_counts & (1u << i)))
				sum.count[i] += r.count[i];
			else if (r.count[i] > sum.count[i])
				sum.count[i] = r.count[i];
		stats_add(&sum.st, &r.st);
		sum.violations |= r.violations;
		if (r.violations) {
			if (failed++ == 0) {
				first = a.seed + k;
				snprintf(first_why, sizeof(first_why), "%s",
					 r.why);
			}
			fprintf(stderr, "replicore %s: seed %llu violates %s\n",
				d->cmd, (unsigned long long)(a.seed + k),
				r.why);
		}
	}
	if (a.json)
		json(d, &a, &sum, failed, first, first_why);
	else
		text(d, &a, &sum, failed, first, first_why);
	return failed ? CLI_EXIT_FOUND : CLI_EXIT_OK;
}
