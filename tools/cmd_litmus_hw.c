/* SPDX-License-Identifier: MIT */
/* cmd_litmus_hw.c: `replicore litmus run --target hw`, litmus tests on this machine's cores, litmus7-style. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <replicore/litmus.h>
#include <replicore/model.h>

#include "litmus/hw.h"
#include "cli/cli.h"
#include "tools/commands.h"

static const char hw_help[] =
	"NAME\n"
	"    replicore litmus run --target hw - litmus tests on this "
	"machine\n"
	"\n"
	"SYNOPSIS\n"
	"    replicore litmus run FILE... --target hw [-n ITERATIONS] "
	"[--size S]\n"
	"                  [--affinity auto|none|LIST] [--model M] "
	"[--json]\n"
	"                  [--oversubscribe] [--keep DIR] [--seed N] "
	"[--herd-compat]\n"
	"\n"
	"DESCRIPTION\n"
	"    Generates C from each test (X86 tests as inline assembly of "
	"their own\n"
	"    instructions, C tests as C11 atomics), compiles it with $CC "
	"(default\n"
	"    cc) into a shared object cached under "
	"$XDG_CACHE_HOME/replicore,\n"
	"    runs one pinned thread per test thread on S instances side by "
	"side per\n"
	"    round (spin barriers, random start offsets) and prints the "
	"histogram\n"
	"    of final states as litmus7 does: count, '*' when the "
	"condition holds,\n"
	"    the state, and whether the model allows it.\n"
	"\n"
	"OPTIONS\n"
	"    -n, --iterations N  instances run in all (default 1000000)\n"
	"    --size S            instances per round (default 1000, at most "
	"100000)\n"
	"    --affinity auto|none|LIST\n"
	"                        auto: threads spread over the machine "
	"(default);\n"
	"                        none: not pinned; LIST: logical PUs, "
	"comma-separated\n"
	"    -m, --model M       the model to compare with (default tso "
	"for X86\n"
	"                        tests, rc11 for C tests)\n"
	"    --herd-compat       sc and tso as herd7's sc.cat and "
	"x86tso.cat state\n"
	"                        them (see `litmus model --help')\n"
	"    --json              one JSON object per test: test, file, "
	"arch, target,\n"
	"                        model, iterations, size, threads, pus, "
	"oversubscribed,\n"
	"                        time_s, compile_s, cached, "
	"iterations_per_s,\n"
	"                        positive, negative, witnesses_per_s, "
	"condition,\n"
	"                        observation, forbidden_observed, states: "
	"[{state,\n"
	"                        count, condition, allowed}]\n"
	"    --oversubscribe     run a test with more threads than PUs "
	"(else skipped)\n"
	"    --keep DIR          keep the generated source and the "
	"compiler's messages\n"
	"    --seed N            seed of the start offsets (default 1)\n"
	"    -h, --help          print this help\n"
	"\n"
	"EXIT STATUS\n"
	"    0 when every observed state is allowed by the model, 1 when "
	"the machine\n"
	"    showed a state the model forbids, 2 on bad options, a test "
	"that does\n"
	"    not parse, a compiler failure, or an X86 test on a non-x86 "
	"host.\n";

struct hw_cli {
	struct rc_hw_opts o;
	const char *model;
	int json, herd_compat;
	unsigned pus[256];
};

static const char *observation(const struct rc_hw_result *r)
{
	return r->positive == 0	  ? "Never"
	       : r->negative == 0 ? "Always"
				  : "Sometimes";
}

static void print_human(const rc_litmus_t *t, const rc_outcomes_t *o,
			const struct rc_hw_result *r)
{
	const char *mn = rc_model_name(o->model);
	char buf[4096];
	double rt = r->run_s > 0 ? r->run_s : 1e-9;

	printf("Test %s %s\n", t->name,
	       t->quant == RC_LQ_FORALL	      ? "Required"
	       : t->quant == RC_LQ_NOT_EXISTS ? "Forbidden"
					      : "Allowed");
	printf("Histogram (%zu states)\n", r->nstates);
	for (size_t i = 0; i < r->nstates; i++) {
		const struct rc_hw_state *s = &r->states[i];
		struct rc_state st = { s->vals, 0, 0, NULL };

		rc_state_str(o, &st, buf, sizeof buf);
		printf("%-6llu%c>%s;", (unsigned long long)s->count,
		       s->sat ? '*' : ':', buf);
		if (!s->allowed)
			printf("   <- FORBIDDEN by %s", mn);
		putchar('\n');
	}
	printf("%s\n\nWitnesses\nPositive: %llu, Negative: %llu\n",
	       r->ok ? "Ok" : "No", (unsigned long long)r->positive,
	       (unsigned long long)r->negative);
	printf("Condition ");
	rc_litmus_print_prop(t, stdout);
	printf(" is %svalidated\n", r->ok ? "" : "NOT ");
	printf("Observation %s %s %llu %llu\n", t->name, observation(r),
	       (unsigned long long)r->positive,
	       (unsigned long long)r->negative);
	if (r->forbidden_seen)
		printf("Model %s: %zu observed state%s FORBIDDEN: the machine "
		       "and the model disagree\n",
		       mn, r->forbidden_seen,
		       r->forbidden_seen == 1 ? "" : "s");
	else
		printf("Model %s: every observed state allowed (%zu of %zu "
		       "allowed states seen)\n",
		       mn, r->nstates, o->nstates);
	printf("Time %s %.3f\n", t->name, r->run_s);
	printf("Rate %s %.1f witnesses/s, %.0f iterations/s\n", t->name,
	       (double)r->positive / rt, (double)r->iterations / rt);
	printf("Threads %u on PUs", r->nthreads);
	if (r->pus)
		for (unsigned i = 0; i < r->nthreads; i++)
			printf(" %u", r->pus[i]);
	else
		printf(" (not pinned)");
	printf("%s; object %s (%.2f s)\n\n",
	       r->oversubscribed ? ", oversubscribed" : "",
	       r->cached ? "cached" : "compiled", r->compile_s);
}

static void print_json(const char *file, const rc_litmus_t *t,
		       const rc_outcomes_t *o, const struct hw_cli *c,
		       const struct rc_hw_result *r)
{
	struct cli_json j;
	double rt = r->run_s > 0 ? r->run_s : 1e-9;

	cli_json_init(&j, stdout);
	cli_json_obj(&j);
	cli_json_kv_str(&j, "test", t->name);
	cli_json_kv_str(&j, "file", file);
	cli_json_kv_str(&j, "arch", t->arch == RC_LITMUS_X86 ? "X86" : "C");
	cli_json_kv_str(&j, "target", "hw");
	cli_json_kv_str(&j, "model", rc_model_name(o->model));
	cli_json_kv_uint(&j, "iterations", r->iterations);
	cli_json_kv_uint(&j, "size", c->o.size);
	cli_json_kv_uint(&j, "threads", r->nthreads);
	cli_json_key(&j, "pus");
	if (r->pus) {
		cli_json_arr(&j);
		for (unsigned i = 0; i < r->nthreads; i++)
			cli_json_uint(&j, r->pus[i]);
		cli_json_arr_end(&j);
	} else {
		cli_json_null(&j);
	}
	cli_json_kv_bool(&j, "oversubscribed", r->oversubscribed);
	cli_json_kv_double(&j, "time_s", r->run_s);
	cli_json_kv_double(&j, "compile_s", r->compile_s);
	cli_json_kv_bool(&j, "cached", r->cached);
	cli_json_kv_double(&j, "iterations_per_s", (double)r->iterations / rt);
	cli_json_kv_uint(&j, "positive", r->positive);
	cli_json_kv_uint(&j, "negative", r->negative);
	cli_json_kv_double(&j, "witnesses_per_s", (double)r->positive / rt);
	cli_json_kv_str(&j, "condition", r->ok ? "Ok" : "No");
	cli_json_kv_str(&j, "observation", observation(r));
	cli_json_kv_uint(&j, "forbidden_observed", r->forbidden_seen);
	cli_json_key(&j, "states");
	cli_json_arr(&j);
	for (size_t i = 0; i < r->nstates; i++) {
		cli_json_obj(&j);
		cli_json_key(&j, "state");
		cli_json_obj(&j);
		for (size_t k = 0; k < o->nobs; k++)
			cli_json_kv_int(&j, o->obs_names[k],
					r->states[i].vals[k]);
		cli_json_obj_end(&j);
		cli_json_kv_uint(&j, "count", r->states[i].count);
		cli_json_kv_bool(&j, "condition", r->states[i].sat);
		cli_json_kv_bool(&j, "allowed", r->states[i].allowed);
		cli_json_obj_end(&j);
	}
	cli_json_arr_end(&j);
	cli_json_obj_end(&j);
	cli_json_end(&j);
}

static int run_file(const char *file, struct hw_cli *c)
{
	rc_err_t err = RC_ERR_INITIALIZER;
	rc_litmus_t *t;
	const rc_model_t *m;
	rc_outcomes_t *o = NULL;
	struct rc_hw_result r;
	int rc, status;

	if (rc_litmus_parse_file(file, &t, &err) < 0) {
		rc_err_print(&err, stderr);
		return CLI_EXIT_USAGE;
	}
	m = rc_model_find(c->model		     ? c->model
			  : t->arch == RC_LITMUS_X86 ? "tso"
						     : "rc11");
	if (!m || !rc_model_applies(m, t)) {
		char names[128];

		rc_model_names_for(t, names, sizeof names);
		fprintf(stderr,
			"replicore litmus run: %s: model %s does not apply to "
			"%s tests (the models for them: %s)\n",
			file, c->model ? c->model : "(default)",
			t->arch == RC_LITMUS_X86 ? "X86" : "C", names);
		rc_litmus_free(t);
		return CLI_EXIT_USAGE;
	}
	if (c->herd_compat)
		m = rc_model_herd_compat(m);
	rc = rc_model_run(t, &m, 1, NULL, &o, &err);
	if (rc < 0) {
		rc_err_print(&err, stderr);
		rc_litmus_free(t);
		return rc == -RC_ETIMEDOUT ? CLI_EXIT_UNKNOWN : CLI_EXIT_USAGE;
	}
	rc = _rc_hw_run(t, o, &c->o, &r, &err);
	if (rc == -RC_ENOTSUP && t->nthreads > 0 &&
	    strstr(err.msg, "--oversubscribe")) {
		/* too few PUs: a clear skip, not a failure */
		fprintf(stderr, "replicore litmus run: %s: %s\n", file,
			err.msg);
		if (!c->json)
			printf("Test %s skipped: %s\n\n", t->name, err.msg);
		status = CLI_EXIT_OK;
	} else if (rc < 0) {
		fprintf(stderr, "replicore litmus run: %s: ", file);
		rc_err_print(&err, stderr);
		status = CLI_EXIT_USAGE;
	} else {
		if (c->json)
			print_json(file, t, o, c, &r);
		else
			print_human(t, o, &r);
		status = r.forbidden_seen ? CLI_EXIT_FOUND : CLI_EXIT_OK;
		_rc_hw_result_free(&r);
	}
	fflush(stdout);
	rc_outcomes_free(o);
	rc_litmus_free(t);
	return status;
}

static int parse_affinity(struct hw_cli *c, const char *s)
{
	char buf[1024], *save = NULL, *tok;

	if (strcmp(s, "auto") == 0) {
		c->o.affinity = RC_HW_AFF_AUTO;
		return 0;
	}
	if (strcmp(s, "none") == 0) {
		c->o.affinity = RC_HW_AFF_NONE;
		return 0;
	}
	if (strlen(s) >= sizeof buf)
		return cli_usage("litmus run", "--affinity list too long");
	strcpy(buf, s);
	c->o.npus = 0;
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		char *end;
		unsigned long v = strtoul(tok, &end, 10);

		if (*end || end == tok || v > 4096 ||
		    c->o.npus == sizeof c->pus / sizeof c->pus[0])
			return cli_usage("litmus run",
					 "--affinity: expected auto, none or "
					 "PU numbers separated by commas, got "
					 "'%s'",
					 s);
		c->pus[c->o.npus++] = (unsigned)v;
	}
	if (c->o.npus == 0)
		return cli_usage("litmus run", "--affinity: empty list");
	c->o.affinity = RC_HW_AFF_LIST;
	c->o.pus = c->pus;
	return 0;
}

int litmus_run_hw(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "target", required_argument, NULL, 't' },
		{ "iterations", required_argument, NULL, 'n' },
		{ "size", required_argument, NULL, 's' },
		{ "affinity", required_argument, NULL, 'a' },
		{ "model", required_argument, NULL, 'm' },
		{ "json", no_argument, NULL, 'j' },
		{ "oversubscribe", no_argument, NULL, 'o' },
		{ "keep", required_argument, NULL, 'k' },
		{ "seed", required_argument, NULL, 'S' },
		{ "herd-compat", no_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct hw_cli c;
	uint64_t v;
	int ch, status = CLI_EXIT_OK;
	const char *cc = getenv("CC");

	memset(&c, 0, sizeof c);
	c.o.iterations = 1000000;
	c.o.size = 1000;
	c.o.seed = 1;
	c.o.cc = cc && *cc ? cc : "cc";
	opterr = 0;
	optind = 0;
	while ((ch = getopt_long(argc, argv, ":t:n:s:a:m:h", opts, NULL)) !=
	       -1) {
		switch (ch) {
		case 't':
			if (strcmp(optarg, "hw") != 0)
				return cli_usage("litmus run",
						 "this entry runs --target hw "
						 "only, got '%s'",
						 optarg);
			break;
		case 'n':
			if (!cli_parse_u64("litmus run", "-n", optarg,
					   &c.o.iterations))
				return CLI_EXIT_USAGE;
			if (c.o.iterations == 0)
				return cli_usage("litmus run",
						 "-n must be at least 1");
			break;
		case 's':
			if (!cli_parse_u64("litmus run", "--size", optarg, &v))
				return CLI_EXIT_USAGE;
			if (v == 0 || v > 100000)
				return cli_usage("litmus run",
						 "--size must be 1 to 100000");
			c.o.size = (unsigned)v;
			break;
		case 'a':
			if (parse_affinity(&c, optarg))
				return CLI_EXIT_USAGE;
			break;
		case 'm':
			if (!rc_model_find(optarg))
				return cli_usage("litmus run",
						 "unknown model '%s' (expected "
						 "sc, tso, rc11, c11, ra or "
						 "sra)",
						 optarg);
			c.model = optarg;
			break;
		case 'j':
			c.json = 1;
			break;
		case 'H':
			c.herd_compat = 1;
			break;
		case 'o':
			c.o.oversubscribe = 1;
			break;
		case 'k':
			c.o.keep = optarg;
			break;
		case 'S':
			if (!cli_parse_u64("litmus run", "--seed", optarg,
					   &c.o.seed))
				return CLI_EXIT_USAGE;
			break;
		case 'h':
			fputs(hw_help, stdout);
			return CLI_EXIT_OK;
		default:
			return cli_bad_option("litmus run", argv, optopt);
		}
	}
	if (optind >= argc)
		return cli_usage("litmus run", "no litmus FILE given");
	for (int i = optind; i < argc; i++) {
		int rc = run_file(argv[i], &c);

		if (rc == CLI_EXIT_USAGE || status == CLI_EXIT_USAGE)
			status = CLI_EXIT_USAGE;
		else if (rc > status)
			status = rc;
	}
	return status;
}
