/* SPDX-License-Identifier: MIT */
/* cmd_litmus_run.c: `replicore litmus run`, litmus tests on the rc_mem objects (explored or threaded) and, through --target hw, on the machine. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <replicore/litmus.h>
#include <replicore/model.h>
#include <replicore/objrun.h>

#include "cli/cli.h"
#include "tools/commands.h"

/* The hardware target lives in its own file; absent from a build, the
 * weak reference is NULL and --target hw says so. */
int litmus_run_hw(int argc, char **argv);
#pragma weak litmus_run_hw

int cmd_litmus_run(int argc, char **argv);

static const char run_help[] =
	"NAME\n"
	"    replicore litmus run - litmus tests on the memory objects or "
	"the machine\n"
	"\n"
	"SYNOPSIS\n"
	"    replicore litmus run FILE... --target "
	"lin|sc|tso|causal|eventual --explore\n"
	"                         [--compare MODEL] [--json] "
	"[--max-states N]\n"
	"                         [--herd-compat]\n"
	"    replicore litmus run FILE... --target "
	"lin|sc|tso|causal|eventual [-n ITERATIONS]\n"
	"                         [--model M] [--compare MODEL] [--json]\n"
	"    replicore litmus run FILE... --target hw ...   (see --target "
	"hw --help)\n"
	"\n"
	"DESCRIPTION\n"
	"    Runs each test on an rc_mem object of the level given: one "
	"location of\n"
	"    the object per location of the test, one replica per thread.\n"
	"    With --explore, every interleaving of the threads' accesses and "
	"the\n"
	"    object's propagation steps is explored (visited states "
	"memoised) and\n"
	"    the outcome set is printed as `litmus model' prints a model's. "
	"Without\n"
	"    it, the test runs ITERATIONS times on real threads and the "
	"histogram\n"
	"    of final states is printed, each marked with whether the model "
	"allows\n"
	"    it. The level matches a model: lin and sc match sc, tso matches "
	"tso\n"
	"    (X86 tests), causal matches sra; eventual matches no model.\n"
	"\n"
	"OPTIONS\n"
	"    -t, --target T    lin, sc, tso, causal, eventual (rc_mem "
	"objects) or hw\n"
	"    -e, --explore     exhaustive exploration instead of threads\n"
	"    -c, --compare M   print the object's states beside model M's, "
	"marking\n"
	"                      the states only one allows; exit status 1 "
	"when the\n"
	"                      sets differ (threads: when a state seen is not "
	"allowed)\n"
	"    -m, --model M     the model the histogram is marked against "
	"(default:\n"
	"                      the level's: sc, tso or sra)\n"
	"    -n, --iterations N  threaded runs (default 10000)\n"
	"    --herd-compat     compare with sc and tso as herd7's sc.cat and "
	"x86tso.cat\n"
	"                      state them (see `litmus model --help'); no "
	"object\n"
	"                      equals them on X86 RMW tests such as "
	"xchg-atomic\n"
	"    --max-states N    give up exploring (exit status 3) beyond N "
	"states\n"
	"    --json            one JSON object per test: the fields of "
	"`litmus model\n"
	"                      --json' (model: the compared or matched "
	"model), and\n"
	"                      target, mode, histogram (threads), compare\n"
	"    -h, --help        print this help\n"
	"\n"
	"EXIT STATUS\n"
	"    0 on success, 1 when --compare finds a difference, 2 on a bad "
	"option,\n"
	"    a test that does not parse or a target not in this build, 3 "
	"when the\n"
	"    exploration budget ran out.\n";

struct ropts {
	enum rc_level level;
	int explore, json, herd_compat;
	const char *compare, *model;
	uint64_t iterations, max_states;
};

static bool has(const rc_outcomes_t *o, const int64_t *vals)
{
	for (size_t i = 0; i < o->nstates; i++)
		if (memcmp(o->states[i].vals, vals,
			   o->nobs * sizeof(int64_t)) == 0)
			return true;
	return false;
}

static const char *quant_word(const rc_litmus_t *t)
{
	return t->quant == RC_LQ_FORALL	      ? "Required"
	       : t->quant == RC_LQ_NOT_EXISTS ? "Forbidden"
					      : "Allowed";
}

static void json_state(struct cli_json *j, const rc_outcomes_t *o,
		       const struct rc_state *s)
{
	cli_json_obj(j);
	for (size_t k = 0; k < o->nobs; k++) {
		cli_json_key(j, o->obs_names[k]);
		cli_json_int(j, s->vals[k]);
	}
	cli_json_obj_end(j);
}

static void print_json(const char *file, const struct ropts *ro,
		       const rc_outcomes_t *o, const rc_outcomes_t *m)
{
	const rc_litmus_t *t = o->test;
	struct cli_json j;

	cli_json_init(&j, stdout);
	cli_json_obj(&j);
	cli_json_kv_str(&j, "test", t->name);
	cli_json_kv_str(&j, "file", file);
	cli_json_kv_str(&j, "arch", t->arch == RC_LITMUS_X86 ? "X86" : "C");
	cli_json_kv_str(&j, "target", rc_level_name(ro->level));
	cli_json_kv_str(&j, "mode", ro->explore ? "explore" : "threads");
	cli_json_key(&j, "model");
	if (m)
		cli_json_str(&j, rc_model_name(m->model));
	else
		cli_json_null(&j);
	cli_json_kv_str(&j, "condition", rc_outcomes_check(o));
	cli_json_kv_str(&j, "observation", rc_observation_name(o->observation));
	cli_json_kv_uint(&j, "positive", o->positive);
	cli_json_kv_uint(&j, "negative", o->negative);
	cli_json_kv_bool(&j, "undef", false);
	cli_json_kv_uint(&j, "candidates", o->candidates);
	cli_json_key(&j, "states");
	cli_json_arr(&j);
	for (size_t i = 0; i < o->nstates; i++)
		json_state(&j, o, &o->states[i]);
	cli_json_arr_end(&j);
	if (!ro->explore) {
		cli_json_key(&j, "histogram");
		cli_json_arr(&j);
		for (size_t i = 0; i < o->nstates; i++) {
			cli_json_obj(&j);
			cli_json_kv_uint(&j, "count", o->states[i].count);
			cli_json_key(&j, "state");
			json_state(&j, o, &o->states[i]);
			if (m)
				cli_json_kv_bool(&j, "allowed",
						 has(m, o->states[i].vals));
			cli_json_obj_end(&j);
		}
		cli_json_arr_end(&j);
	}
	if (m && ro->compare) {
		bool eq = true;

		cli_json_key(&j, "compare");
		cli_json_obj(&j);
		cli_json_kv_str(&j, "model", rc_model_name(m->model));
		cli_json_key(&j, "only_object");
		cli_json_arr(&j);
		for (size_t i = 0; i < o->nstates; i++)
			if (!has(m, o->states[i].vals)) {
				json_state(&j, o, &o->states[i]);
				eq = false;
			}
		cli_json_arr_end(&j);
		cli_json_key(&j, "only_model");
		cli_json_arr(&j);
		for (size_t i = 0; i < m->nstates && ro->explore; i++)
			if (!has(o, m->states[i].vals)) {
				json_state(&j, m, &m->states[i]);
				eq = false;
			}
		cli_json_arr_end(&j);
		cli_json_kv_bool(&j, "equal", eq);
		cli_json_obj_end(&j);
	}
	cli_json_obj_end(&j);
	cli_json_end(&j);
}

static void print_text(const struct ropts *ro, const rc_outcomes_t *o,
		       const rc_outcomes_t *m)
{
	const rc_litmus_t *t = o->test;
	char buf[4096];

	printf("Test %s %s\n", t->name, quant_word(t));
	if (ro->explore) {
		printf("States %zu\n", o->nstates);
		for (size_t i = 0; i < o->nstates; i++) {
			rc_state_str(o, &o->states[i], buf, sizeof buf);
			printf("%s;\n", buf);
		}
	} else {
		printf("Histogram (%zu states)\n", o->nstates);
		for (size_t i = 0; i < o->nstates; i++) {
			rc_state_str(o, &o->states[i], buf, sizeof buf);
			printf("%-8llu%c> %s;%s\n",
			       (unsigned long long)o->states[i].count,
			       o->states[i].sat ? '*' : ':', buf,
			       m && !has(m, o->states[i].vals)
				       ? "   <- not allowed by the model"
				       : "");
		}
	}
	printf("%s\n", rc_outcomes_check(o));
	printf("Witnesses\nPositive: %llu Negative: %llu\n",
	       (unsigned long long)o->positive,
	       (unsigned long long)o->negative);
	printf("Condition ");
	rc_litmus_print_prop(t, stdout);
	printf("\nObservation %s %s %llu %llu\n", t->name,
	       rc_observation_name(o->observation),
	       (unsigned long long)o->positive,
	       (unsigned long long)o->negative);
	printf("Target %s (rc_mem, %s: %llu %s)%s%s\n",
	       rc_level_name(ro->level), ro->explore ? "explored" : "threads",
	       (unsigned long long)o->candidates,
	       ro->explore ? "states" : "runs", m ? "; model " : "",
	       m ? rc_model_name(m->model) : "");
	printf("\n");
}

/* Side by side: the union of the states, which side has each. */
static bool print_compare(const struct ropts *ro, const rc_outcomes_t *o,
			  const rc_outcomes_t *m)
{
	const rc_outcomes_t *src[2] = { o, m };
	char buf[4096], obj[32];
	bool eq = true;
	size_t w = 5;
	int cw; /* the object's column: its name, at least 6 wide */

	snprintf(obj, sizeof obj, "%s", rc_level_name(ro->level));
	cw = strlen(obj) > 6 ? (int)strlen(obj) : 6;
	for (int k = 0; k < 2; k++)
		for (size_t i = 0; i < src[k]->nstates; i++) {
			size_t l = (size_t)rc_state_str(
				src[k], &src[k]->states[i], buf, sizeof buf);

			if (l > w)
				w = l;
		}
	printf("Compare %s: object %s (%s) and model %s\n", o->test->name, obj,
	       ro->explore ? "explored" : "threads", rc_model_name(m->model));
	printf("%-*s  %-*s  %-6s\n", (int)w, "State", cw, obj,
	       rc_model_name(m->model));
	/* both lists are sorted by text: merge them */
	for (size_t i = 0, k = 0; i < o->nstates || k < m->nstates;) {
		char a[4096] = "", b[4096] = "";
		int c;

		if (i < o->nstates)
			rc_state_str(o, &o->states[i], a, sizeof a);
		if (k < m->nstates)
			rc_state_str(m, &m->states[k], b, sizeof b);
		c = i == o->nstates ? 1 : k == m->nstates ? -1 : strcmp(a, b);
		if (c == 0) {
			printf("%-*s  %-*s  %-6s\n", (int)w, a, cw, "yes",
			       "yes");
			i++;
			k++;
		} else if (c < 0) {
			printf("%-*s  %-*s  %-6s   <- object only\n", (int)w, a,
			       cw, "yes", "-");
			eq = false;
			i++;
		} else {
			/* threaded runs see a subset: not a difference */
			printf("%-*s  %-*s  %-6s%s\n", (int)w, b, cw, "-",
			       "yes", ro->explore ? "   <- model only" : "");
			if (ro->explore)
				eq = false;
			k++;
		}
	}
	printf("%s\n\n", eq ? "Equal" : "Different");
	return eq;
}

static int run_file(const char *file, const struct ropts *ro)
{
	rc_err_t err = RC_ERR_INITIALIZER;
	struct rc_objrun_opts oo = { ro->max_states, ro->iterations };
	const char *mname = ro->compare ? ro->compare : ro->model;
	const rc_model_t *mm = NULL;
	rc_outcomes_t *o = NULL, *m = NULL;
	rc_litmus_t *t;
	int rc, status = CLI_EXIT_OK;

	if (rc_litmus_parse_file(file, &t, &err) < 0) {
		rc_err_print(&err, stderr);
		return CLI_EXIT_USAGE;
	}
	if (!mname)
		mname = rc_objrun_model(ro->level, t->arch);
	if (mname) {
		mm = rc_model_find(mname);
		if (!rc_model_applies(mm, t)) {
			if (ro->compare) {
				char names[128];

				rc_model_names_for(t, names, sizeof names);
				fprintf(stderr,
					"replicore litmus run: %s: model %s "
					"does not apply to %s tests (the "
					"models for them: %s)\n",
					t->name, mname,
					t->arch == RC_LITMUS_X86 ? "X86" : "C",
					names);
				rc_litmus_free(t);
				return CLI_EXIT_USAGE;
			}
			mm = NULL;
		}
	}
	if (mm && ro->herd_compat)
		mm = rc_model_herd_compat(mm);
	if (mm && rc_model_run(t, &mm, 1, NULL, &m, &err) < 0) {
		rc_err_print(&err, stderr);
		rc_litmus_free(t);
		return CLI_EXIT_USAGE;
	}
	rc = ro->explore ? rc_objrun_explore(t, ro->level, &oo, &o, &err)
			 : rc_objrun_threads(t, ro->level, &oo, &o, &err);
	if (rc < 0) {
		rc_err_print(&err, stderr);
		rc_outcomes_free(m);
		rc_litmus_free(t);
		return rc == -RC_ETIMEDOUT ? CLI_EXIT_UNKNOWN : CLI_EXIT_USAGE;
	}
	if (ro->json) {
		print_json(file, ro, o, m);
		if (ro->compare) {
			bool eq = true;

			for (size_t i = 0; i < o->nstates; i++)
				eq &= has(m, o->states[i].vals);
			for (size_t i = 0; i < m->nstates && ro->explore; i++)
				eq &= has(o, m->states[i].vals);
			if (!eq)
				status = CLI_EXIT_FOUND;
		}
	} else {
		print_text(ro, o, m);
		if (ro->compare && !print_compare(ro, o, m))
			status = CLI_EXIT_FOUND;
	}
	rc_outcomes_free(o);
	rc_outcomes_free(m);
	rc_litmus_free(t);
	return status;
}

static bool is_hw(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if ((strcmp(argv[i], "--target") == 0 ||
		     strcmp(argv[i], "-t") == 0) &&
		    i + 1 < argc && strcmp(argv[i + 1], "hw") == 0)
			return true;
		if (strcmp(argv[i], "--target=hw") == 0 ||
		    strcmp(argv[i], "-thw") == 0)
			return true;
	}
	return false;
}

int cmd_litmus_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "target", required_argument, NULL, 't' },
		{ "explore", no_argument, NULL, 'e' },
		{ "compare", required_argument, NULL, 'c' },
		{ "model", required_argument, NULL, 'm' },
		{ "iterations", required_argument, NULL, 'n' },
		{ "max-states", required_argument, NULL, 'S' },
		{ "json", no_argument, NULL, 'j' },
		{ "herd-compat", no_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ropts ro;
	const char *target = NULL;
	int c, status = CLI_EXIT_OK;

	if (is_hw(argc, argv)) {
		if (!litmus_run_hw) {
			fprintf(stderr, "replicore litmus run: --target hw is "
					"not available in this build\n");
			return CLI_EXIT_USAGE;
		}
		return litmus_run_hw(argc, argv);
	}
	memset(&ro, 0, sizeof ro);
	ro.iterations = 10000;
	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, ":t:ec:m:n:h", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			target = optarg;
			break;
		case 'e':
			ro.explore = 1;
			break;
		case 'c':
		case 'm':
			if (!rc_model_find(optarg))
				return cli_usage("litmus run",
						 "unknown model '%s' (expected "
						 "sc, tso, rc11, c11, ra or "
						 "sra)",
						 optarg);
			if (c == 'c')
				ro.compare = optarg;
			else
				ro.model = optarg;
			break;
		case 'n':
			if (!cli_parse_u64("litmus run", "-n", optarg,
					   &ro.iterations))
				return CLI_EXIT_USAGE;
			if (ro.iterations == 0)
				return cli_usage("litmus run",
						 "-n must be at least 1");
			break;
		case 'S':
			if (!cli_parse_u64("litmus run", "--max-states", optarg,
					   &ro.max_states))
				return CLI_EXIT_USAGE;
			break;
		case 'j':
			ro.json = 1;
			break;
		case 'H':
			ro.herd_compat = 1;
			break;
		case 'h':
			fputs(run_help, stdout);
			return CLI_EXIT_OK;
		default:
			return cli_bad_option("litmus run", argv, optopt);
		}
	}
	if (!target)
		return cli_usage("litmus run", "--target is required (lin, sc, "
					       "tso, causal, eventual or hw)");
	if (rc_level_parse(target, &ro.level) < 0 ||
	    !rc_level_is_object(ro.level))
		return cli_usage("litmus run",
				 "unknown target '%s' (expected lin, sc, tso, "
				 "causal, eventual or hw)",
				 target);
	if (optind >= argc)
		return cli_usage("litmus run", "no litmus FILE given");
	for (int i = optind; i < argc; i++) {
		int rc = run_file(argv[i], &ro);

		if (rc == CLI_EXIT_USAGE || status == CLI_EXIT_USAGE)
			status = CLI_EXIT_USAGE;
		else if (rc > status)
			status = rc;
	}
	return status;
}
