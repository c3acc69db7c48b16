/* SPDX-License-Identifier: MIT */
/* cmd_cap.c: `replicore sim cap`, a replicated register under a partition in a consistent and an available mode, one table of availability and linearizability. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "protocols/cap/cap.h"
#include "tools/commands.h"
#include "tools/sim_args.h"

/*
 * Each seed runs twice over one schedule (protocols/cap/sim.c): once in
 * consistent mode, once in available mode; both histories are checked
 * for linearizability and the summary is one table. The command exits 1
 * only when a mode breaks what it promises: the consistent mode's history
 * not linearizable, or the available mode leaving an operation
 * unanswered. That the consistent mode loses availability and the
 * available mode loses linearizability under a partition is what the
 * table shows, not a failure. The faults default to part=1 (one
 * partition per run) so that the bare command shows the theorem.
 */

static const char help[] =
	"NAME\n"
	"    replicore sim cap - a replicated register under a partition, "
	"consistent\n"
	"    or available: the CAP theorem measured\n"
	"\n"
	"SYNOPSIS\n"
	"    replicore sim cap [--nodes N] [--seed S] [--faults SPEC] "
	"[--commands C]\n"
	"                      [--runs R] [--timeout US] [--history "
	"PREFIX] [--trace]\n"
	"                      [--json]\n"
	"\n"
	"DESCRIPTION\n"
	"    Every node holds a replica of one register. C writes (of the "
	"values\n"
	"    1..C) and C reads arrive at random nodes, each from a client "
	"of its own,\n"
	"    and each seed runs the same schedule twice. Consistent mode: "
	"reads and\n"
	"    writes go through a majority (the multi-writer register of "
	"Attiya,\n"
	"    Bar-Noy and Dolev); an operation that has no majority within "
	"US us gives\n"
	"    up (a read or an unsent write failed, a sent write "
	"indeterminate).\n"
	"    Available mode: the same, but an operation without a majority "
	"in time\n"
	"    answers from the node's replica (a write stores its value "
	"there and\n"
	"    sends it on; every node sends its replica to all every 1000 "
	"us, last\n"
	"    writer wins). Both histories are checked for "
	"linearizability against a\n"
	"    register. The table gives per mode the operations invoked "
	"(less those a\n"
	"    crash left open), those answered, the availability, the stale "
	"reads (a\n"
	"    read that returned a value overwritten before it began) and "
	"those among\n"
	"    them across the split (the overwriting write ran on the other "
	"side of\n"
	"    the partition the read ran in), and the verdict, with the "
	"checker's\n"
	"    witness for a violation. Gilbert and Lynch (2002): under a "
	"partition no\n"
	"    register is both linearizable and available; a run shows it "
	"when an\n"
	"    operation is cut off from a majority. The messages and nodes "
	"lines are\n"
	"    the consistent mode's. Faults: drop, dup, delay, crash, "
	"stall, part,\n"
	"    partition (default part=1).\n"
	"\n"
	"OPTIONS\n"
	"    --nodes N        nodes, 1..64 (default 5)\n"
	"    --seed S         the seed (default 1); with --runs, the first "
	"seed\n"
	"    --faults SPEC    drop=P,dup=P,delay=P,crash=K,stall=K,part=K,"
	"partition=P\n"
	"                     (default \"part=1\")\n"
	"    --commands C     writes, and as many reads, 1..100000 "
	"(default 100)\n"
	"    --runs R         run seeds S..S+R-1 (default 1)\n"
	"    --timeout US     how long an operation waits for a majority "
	"before it\n"
	"                     gives up or answers alone, 10..10000000 us "
	"(default 200)\n"
	"    --history PREFIX write the first seed's histories to "
	"PREFIX.consistent\n"
	"                     and PREFIX.available, for replicore check\n"
	"    --trace          print the traces (consistent, then "
	"available) first\n"
	"    --json           print the summary as one JSON object\n"
	"    -h, --help       print this help\n"
	"\n"
	"EXIT STATUS\n"
	"    0 when each mode keeps its promise (consistent: linearizable; "
	"available:\n"
	"    every operation answered), 1 when one does not (the seed is "
	"printed),\n"
	"    2 on a bad option or SPEC.\n"
	"\n"
	"EXAMPLE\n"
	"    replicore sim cap --nodes 5 --seed 1\n";

enum {
	C_OPS,
	C_ANSWERED,
	C_LIN,
	C_STALE,
	A_OPS,
	A_ANSWERED,
	A_LIN,
	A_STALE,
};

static const char *const counts[] = {
	"consistent_ops",
	"consistent_answered",
	"consistent_linearizable",
	"consistent_stale_reads",
	"available_ops",
	"available_answered",
	"available_linearizable",
	"available_stale_reads",
	NULL,
};
static const char *const props[] = { "consistent_linearizable",
				     "available_always", NULL };
static const char *const extras[] = { "timeout", NULL };
static const uint64_t extra_defaults[] = { 200 };

/* What the summary shows beyond the counters, kept across a command's
 * runs (one command per process): per mode, the runs whose check ran
 * out of time and the first witness. */
static struct {
	const char *history; /* --history PREFIX, or NULL */
	uint64_t unknown[2];
	uint64_t split[2]; /* stale reads across the split, summed */
	char witness[2][320];
	uint64_t witness_seed[2];
	bool ran;
} st;

static const char *const mode_name[] = { "consistent", "available" };

static int write_history(const rc_history_t *h, unsigned mode, rc_err_t *err)
{
	char path[4096];
	FILE *f;
	int rc;

	snprintf(path, sizeof path, "%s.%s", st.history, mode_name[mode]);
	f = fopen(path, "w");
	if (f == NULL)
		return rc_err_set(err, RC_EINVAL, "history", 0, 0,
				  "cannot write %s: %s", path, strerror(errno));
	rc = rc_history_write(h, f, err);
	if (fclose(f) != 0 && rc == 0)
		rc = rc_err_set(err, RC_EINVAL, "history", 0, 0,
				"cannot write %s: %s", path, strerror(errno));
	return rc;
}

static int run(const struct sim_args *a, const struct _rc_sim_faults *f,
	       uint64_t seed, unsigned variant, FILE *trace, struct sim_run *r,
	       rc_err_t *err)
{
	struct _rc_cap_sim_opts o;
	struct _rc_cap_sim_result res;
	bool first = !st.ran;

	(void)variant;
	st.ran = true;
	memset(&o, 0, sizeof o);
	o.nodes = (unsigned)a->nodes;
	o.seed = seed;
	o.commands = (unsigned)a->commands;
	o.timeout = a->x[0];
	o.check_timeout =
		0; /* the states budget bounds it, the same everywhere */
	o.faults = *f;
	o.trace = trace;
	for (unsigned m = 0; m < 2; m++) {
		const unsigned base = m ? A_OPS : C_OPS;
		int rc;

		o.mode = m ? RC_CAP_AVAILABLE : RC_CAP_CONSISTENT;
		if (trace != NULL)
			fprintf(trace, "# %s mode\n", mode_name[m]);
		rc = _rc_cap_sim_run(&o, &res, err);
		if (rc < 0)
			return rc;
		if (first && st.history != NULL &&
		    (rc = write_history(res.history, m, err)) < 0) {
			rc_history_free(res.history);
			return rc;
		}
		rc_history_free(res.history);
		r->count[base + 0] = res.ops;
		r->count[base + 1] = res.answered;
		r->count[base + 2] = res.verdict == RC_VERDICT_OK;
		r->count[base + 3] = res.stale;
		st.split[m] += res.stale_split;
		if (res.verdict == RC_VERDICT_UNKNOWN)
			st.unknown[m]++;
		if (res.verdict == RC_VERDICT_VIOLATION && !st.witness[m][0]) {
			snprintf(st.witness[m], sizeof st.witness[m], "%s",
				 res.witness);
			st.witness_seed[m] = seed;
		}
		if (m == 0)
			r->st = res.st;
		if (m == 0 && res.verdict == RC_VERDICT_VIOLATION) {
			r->violations |= 1;
			snprintf(r->why, sizeof r->why,
				 "consistent mode not linearizable: %.200s",
				 res.witness);
		} else if (m == 0 && !res.ordered) {
			r->violations |= 1;
			snprintf(r->why, sizeof r->why,
				 "consistent mode: the pairs do not order the "
				 "operations as real time does");
		}
		if (m == 1 && res.answered < res.ops) {
			r->violations |= 2;
			snprintf(r->why, sizeof r->why,
				 "available mode answered %llu of %llu",
				 (unsigned long long)res.answered,
				 (unsigned long long)res.ops);
		}
	}
	return 0;
}

static const char *check_opts(const struct sim_args *a,
			      const struct _rc_sim_faults *f, char *buf,
			      size_t len)
{
	if (f->crash >= a->nodes)
		snprintf(buf, len,
			 "--faults: crash=%u leaves no node of %u up (at most "
			 "%u)",
			 f->crash, (unsigned)a->nodes, (unsigned)a->nodes - 1);
	else if (f->restart)
		snprintf(buf, len,
			 "--faults: restart: not a fault of cap (its "
			 "replicas keep no record)");
	else if (a->x[0] < 10 || a->x[0] > 10000000)
		snprintf(buf, len, "--timeout: must be 10..10000000 us");
	else
		return NULL;
	return buf;
}

static const char *title(const struct sim_args *a)
{
	static char buf[64];

	snprintf(buf, sizeof buf, ", timeout %llu us",
		 (unsigned long long)a->x[0]);
	return buf;
}

static void row(const struct sim_args *a, const struct sim_run *sum, unsigned m)
{
	const unsigned base = m ? A_OPS : C_OPS;
	uint64_t ops = sum->count[base], ans = sum->count[base + 1];
	uint64_t lin = sum->count[base + 2];
	uint64_t unk = st.unknown[m], bad = a->runs - lin - unk;

	printf("  %-10s %7llu %8llu %8.1f%% %6llu %7llu  ", mode_name[m],
	       (unsigned long long)ops, (unsigned long long)ans,
	       ops ? 100.0 * (double)ans / (double)ops : 100.0,
	       (unsigned long long)sum->count[base + 3],
	       (unsigned long long)st.split[m]);
	if (lin == a->runs)
		printf("linearizable\n");
	else if (a->runs == 1)
		printf("%s\n", unk ? "unknown (the check ran out of its budget)"
				   : "NOT linearizable");
	else if (bad == 0)
		printf("linearizable in %llu of %llu runs, unknown in %llu\n",
		       (unsigned long long)lin, (unsigned long long)a->runs,
		       (unsigned long long)unk);
	else {
		printf("NOT linearizable in %llu of %llu runs",
		       (unsigned long long)bad, (unsigned long long)a->runs);
		if (unk)
			printf(", unknown in %llu", (unsigned long long)unk);
		putchar('\n');
	}
}

static void head(const struct sim_args *a, const struct sim_run *sum)
{
	bool c_full = sum->count[C_ANSWERED] == sum->count[C_OPS];
	bool a_viol = a->runs - sum->count[A_LIN] - st.unknown[1] > 0;
	const char *cap;

	printf("  %-10s %7s %8s %9s %14s\n", "", "", "", "", "stale reads");
	printf("  %-10s %7s %8s %9s %6s %7s  %s\n", "mode", "ops", "answered",
	       "available", "all", "split", "verdict");
	row(a, sum, 0);
	row(a, sum, 1);
	for (unsigned m = 0; m < 2; m++)
		if (st.witness[m][0])
			printf("  %s witness (seed %llu): %s\n", mode_name[m],
			       (unsigned long long)st.witness_seed[m],
			       st.witness[m]);
	if (sum->violations)
		cap = "a mode broke its promise (see below)";
	else if (!c_full && a_viol)
		cap = "shown: consistent gave up availability, available gave "
		      "up linearizability";
	else if (c_full && !a_viol && !st.unknown[1])
		cap = "not shown: no operation was cut off from a majority";
	else
		cap = "not shown in full (see the rows)";
	printf("  CAP                 %s\n", cap);
}

/*
 * Takes --history out of argv (sim_args knows numbers only) and puts
 * --faults part=1 in front when no --faults is given. NULL without memory.
 */
static char **rewrite(int argc, char **argv, int *outc, const char **bad)
{
	char **v = calloc((size_t)argc + 3, sizeof *v);
	bool faults = false;
	int n = 0;

	if (v == NULL)
		return NULL;
	v[n++] = argv[0];
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];

		if (strcmp(s, "--") == 0)
			break;
		if (strncmp(s, "--f", 3) == 0 &&
		    strncmp("--faults", s,
			    strchr(s, '=') ? (size_t)(strchr(s, '=') - s)
					   : strlen(s)) == 0)
			faults = true;
	}
	if (!faults) {
		v[n++] = "--faults";
		v[n++] = "part=1";
	}
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--history") == 0) {
			if (i + 1 >= argc || argv[i + 1][0] == '\0') {
				*bad = "--history needs a PREFIX";
				break;
			}
			st.history = argv[++i];
			continue;
		}
		if (strncmp(argv[i], "--history=", 10) == 0) {
			if (argv[i][10] == '\0') {
				*bad = "--history needs a PREFIX";
				break;
			}
			st.history = argv[i] + 10;
			continue;
		}
		v[n++] = argv[i];
	}
	*outc = n;
	return v;
}

int cap_sim(int argc, char **argv)
{
	static const struct sim_driver d = {
		.name = "cap",
		.cmd = "sim cap",
		.help = help,
		.nodes = 5,
		.commands = 100,
		.min_nodes = 1,
		.counts = counts,
		.props = props,
		.extras = extras,
		.extra_defaults = extra_defaults,
		.run = run,
		.check = check_opts,
		.title = title,
		.head = head,
	};
	const char *bad = NULL;
	char **v;
	int n = 0, rc;

	v = rewrite(argc, argv, &n, &bad);
	if (v == NULL) {
		fprintf(stderr, "replicore sim cap: out of memory\n");
		return CLI_EXIT_USAGE;
	}
	if (bad != NULL) {
		free(v);
		return cli_usage("sim cap", "%s", bad);
	}
	rc = sim_drive(&d, n, v);
	free(v);
	return rc;
}
