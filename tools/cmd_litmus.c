/* SPDX-License-Identifier: MIT */
/* cmd_litmus.c: `replicore litmus`, litmus tests under the memory models (model) and reprinted (fmt). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <replicore/litmus.h>
#include <replicore/model.h>

#include "cli/cli.h"
#include "tools/commands.h"

static const char litmus_help[] =
	"NAME\n"
	"    replicore litmus - litmus tests: what each memory model allows\n"
	"\n"
	"SYNOPSIS\n"
	"    replicore litmus model FILE... [--model LIST] [--json] [--why]\n"
	"                                   [--dot OUT] [--max-candidates N]\n"
	"                                   [--herd-compat]\n"
	"    replicore litmus fmt FILE...\n"
	"    replicore litmus run FILE... --target "
	"lin|sc|tso|causal|eventual|hw "
	"[...]\n"
	"                                   (see replicore litmus run --help)\n"
	"\n"
	"DESCRIPTION\n"
	"    Reads litmus tests in herd7's X86 or C format.\n"
	"\n"
	"    model  enumerates each test's candidate executions and prints, "
	"for each\n"
	"           model, the final states it allows (over the variables "
	"the\n"
	"           condition and the `locations' line name), the verdict of "
	"the\n"
	"           condition (Ok, No, or Undef when a consistent execution "
	"has a\n"
	"           data race on a non-atomic location), the positive and "
	"negative\n"
	"           witness counts and the observation (Always, Sometimes, "
	"Never),\n"
	"           laid out as herd7 does.\n"
	"    fmt    prints each test back in herd's syntax; the output parses "
	"to the\n"
	"           same test.\n"
	"\n"
	"OPTIONS\n"
	"    -m, --model LIST  models, comma-separated: sc, tso (herd's "
	"x86tso),\n"
	"                      rc11, c11 (herd's c11_partialSC), ra, sra, or "
	"all\n"
	"                      (every model that applies to the test: sc, tso, "
	"ra,\n"
	"                      sra for X86; sc, rc11, c11, ra, sra for C). "
	"herd7's\n"
	"                      names work too. Default: tso for X86 tests, "
	"rc11 for C\n"
	"                      tests. With several models the output is one "
	"table\n"
	"                      per test: a row per model, then which model "
	"allows\n"
	"                      which state. A model named that does not "
	"apply to a\n"
	"                      test's architecture is skipped with a note; "
	"when none\n"
	"                      applies, the test is an error (exit status "
	"2).\n"
	"    --herd-compat     sc and tso as herd7 7.57's sc.cat and "
	"x86tso.cat state\n"
	"                      them: RMW atomicity one way only, so an "
	"X86 RMW's write\n"
	"                      may be coherence-before the write its read "
	"reads from\n"
	"                      (see replicore-litmus(1), xchg-atomic); "
	"other models\n"
	"                      are unchanged\n"
	"    --json            one JSON object per line for each (test, "
	"model):\n"
	"                      {\"test\", \"file\", \"model\", \"condition\": "
	"\"Ok\"|\"No\"|\"Undef\",\n"
	"                      \"observation\": "
	"\"Always\"|\"Sometimes\"|\"Never\", \"positive\",\n"
	"                      \"negative\", \"states\": [{\"x\": 1, "
	"\"0:EAX\": "
	"0}, ...]}\n"
	"    --why             for each allowed state one witness execution "
	"(its\n"
	"                      events, rf and co); for each reachable state "
	"the model\n"
	"                      forbids, the axiom broken and the cycle that "
	"breaks it\n"
	"                      (slower: no pruning)\n"
	"    --dot OUT         write Graphviz of one allowed execution per "
	"(test,\n"
	"                      model) to OUT, one satisfying the condition "
	"when there\n"
	"                      is one\n"
	"    --max-candidates N\n"
	"                      give up (exit status 3) after N candidate "
	"executions\n"
	"                      of one test (default: no limit)\n"
	"    -h, --help        print this help\n"
	"\n"
	"EXIT STATUS\n"
	"    0 on success, 2 on a bad option or a test that does not parse "
	"(the\n"
	"    message names file, line, column and what was expected) or has "
	"no model\n"
	"    asked for that applies to it, 3 (no verdict) when an "
	"enumeration budget\n"
	"    ran out or the test is beyond the enumerator's limits (see "
	"LIMITS in\n"
	"    replicore-litmus(1)).\n"
	"\n"
	"EXAMPLE\n"
	"    replicore litmus model SB.litmus --model all\n"
	"    replicore litmus model MP.litmus --model sc,tso --why\n"
	"\n"
	"SEE ALSO\n"
	"    replicore-litmus(1), herd7(1)\n";

struct lopts {
	const char *models;
	uint64_t max_candidates;
	int json, why, herd_compat;
	const char *dot;
	FILE *dotf;
};

static const char *arch_name(const rc_litmus_t *t)
{
	return t->arch == RC_LITMUS_X86 ? "X86" : "C";
}

static int pick_models(const char *cmd, const char *spec, const rc_litmus_t *t,
		       const rc_model_t **out, size_t *n)
{
	char buf[256], skipped[256] = "", *save = NULL, *tok;

	*n = 0;
	if (!spec) {
		out[(*n)++] = rc_model_find(t->arch == RC_LITMUS_X86 ? "tso"
								     : "rc11");
		return 0;
	}
	if (strlen(spec) >= sizeof buf)
		return cli_usage(cmd, "--model list too long");
	strcpy(buf, spec);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (strcmp(tok, "all") == 0) {
			for (size_t i = 0; i < rc_model_count(); i++) {
				const rc_model_t *m = rc_model_at(i);
				bool dup = false;

				for (size_t k = 0; k < *n; k++)
					dup |= out[k] == m;
				if (!dup && rc_model_applies(m, t))
					out[(*n)++] = m;
			}
			continue;
		}
		{
			const rc_model_t *m = rc_model_find(tok);
			bool dup = false;

			if (!m)
				return cli_usage(
					cmd,
					"unknown model '%s' (expected "
					"sc, tso, rc11, c11, ra, sra or all)",
					tok);
			for (size_t k = 0; k < *n; k++)
				dup |= out[k] == m;
			if (!dup && rc_model_applies(m, t))
				out[(*n)++] = m;
			else if (!dup && strlen(skipped) + strlen(tok) + 3 <
						 sizeof skipped)
				snprintf(skipped + strlen(skipped),
					 sizeof skipped - strlen(skipped),
					 "%s%s", skipped[0] ? ", " : "", tok);
		}
	}
	/* when none applies, the caller says so as an error */
	if (*n > 0 && skipped[0])
		fprintf(stderr,
			"replicore litmus: %s: skipped %s: not defined for %s "
			"tests\n",
			t->name, skipped, arch_name(t));
	return 0;
}

static const char *quant_word(const rc_litmus_t *t)
{
	return t->quant == RC_LQ_FORALL	      ? "Required"
	       : t->quant == RC_LQ_NOT_EXISTS ? "Forbidden"
					      : "Allowed";
}

static void print_herd(const char *file, const rc_outcomes_t *o,
		       const struct lopts *lo)
{
	const rc_litmus_t *t = o->test;
	char buf[4096];

	printf("Test %s %s\n", t->name, quant_word(t));
	printf("States %zu\n", o->nstates);
	for (size_t i = 0; i < o->nstates; i++) {
		rc_state_str(o, &o->states[i], buf, sizeof buf);
		printf("%s;\n", buf);
		if (lo->why && o->states[i].why)
			printf("  %s\n", o->states[i].why);
	}
	printf("%s\n", rc_outcomes_check(o));
	if (o->undef)
		printf("Flag *undef*\n");
	printf("Witnesses\nPositive: %llu Negative: %llu\n",
	       (unsigned long long)o->positive,
	       (unsigned long long)o->negative);
	printf("Condition ");
	rc_litmus_print_prop(t, stdout);
	printf("\nObservation %s %s %llu %llu\n", t->name,
	       rc_observation_name(o->observation),
	       (unsigned long long)o->positive,
	       (unsigned long long)o->negative);
	printf("Model %s%s%s%s\n", rc_model_name(o->model),
	       rc_model_herd_name(o->model) ? " (herd7 " : "",
	       rc_model_herd_name(o->model) ? rc_model_herd_name(o->model) : "",
	       rc_model_herd_name(o->model) ? ".cat)" : "");
	if (lo->why) {
		printf("Forbidden %zu\n", o->nforbidden);
		for (size_t i = 0; i < o->nforbidden; i++) {
			rc_state_str(o, &o->forbidden[i], buf, sizeof buf);
			printf("%s;\n  %s\n", buf,
			       o->forbidden[i].why ? o->forbidden[i].why
						   : "forbidden");
		}
	}
	(void)file;
	printf("\n");
}

static int find_state(const rc_outcomes_t *o, const int64_t *vals)
{
	for (size_t i = 0; i < o->nstates; i++)
		if (memcmp(o->states[i].vals, vals,
			   o->nobs * sizeof(int64_t)) == 0)
			return (int)i;
	return -1;
}

static void print_table(const rc_outcomes_t *const *o, size_t n,
			const struct lopts *lo)
{
	const rc_litmus_t *t = o[0]->test;
	char buf[4096];
	size_t w = 5;

	printf("Test %s %s\n", t->name, quant_word(t));
	printf("Condition ");
	rc_litmus_print_prop(t, stdout);
	printf("\n%-8s %-6s %-10s %9s %9s %7s\n", "Model", "Check", "Observe",
	       "Positive", "Negative", "States");
	for (size_t k = 0; k < n; k++)
		printf("%-8s %-6s %-10s %9llu %9llu %7zu\n",
		       rc_model_name(o[k]->model), rc_outcomes_check(o[k]),
		       rc_observation_name(o[k]->observation),
		       (unsigned long long)o[k]->positive,
		       (unsigned long long)o[k]->negative, o[k]->nstates);
	/* the union of the states, and which model allows each */
	for (size_t k = 0; k < n; k++)
		for (size_t i = 0; i < o[k]->nstates; i++) {
			size_t l = (size_t)rc_state_str(o[k], &o[k]->states[i],
							buf, sizeof buf);

			if (l > w)
				w = l;
		}
	printf("\n%-*s", (int)w, "State");
	for (size_t k = 0; k < n; k++)
		printf("  %-5s", rc_model_name(o[k]->model));
	printf("\n");
	{
		/* collect distinct states from all models, in order */
		size_t cap = 0, cnt = 0;
		const struct rc_state **all = NULL;
		const rc_outcomes_t **from = NULL;

		for (size_t k = 0; k < n; k++)
			cap += o[k]->nstates;
		all = calloc(cap + 1, sizeof(*all));
		from = calloc(cap + 1, sizeof(*from));
		if (!all || !from) {
			free(all);
			free(from);
			return;
		}
		for (size_t k = 0; k < n; k++)
			for (size_t i = 0; i < o[k]->nstates; i++) {
				bool seen = false;

				for (size_t q = 0; q < cnt && !seen; q++)
					seen = memcmp(all[q]->vals,
						      o[k]->states[i].vals,
						      o[k]->nobs *
							      sizeof(int64_t)) ==
					       0;
				if (!seen) {
					all[cnt] = &o[k]->states[i];
					from[cnt++] = o[k];
				}
			}
		/* sort by text, bytewise */
		for (size_t a = 0; a < cnt; a++)
			for (size_t b = a + 1; b < cnt; b++) {
				char x1[2048], x2[2048];

				rc_state_str(from[a], all[a], x1, sizeof x1);
				rc_state_str(from[b], all[b], x2, sizeof x2);
				if (strcmp(x1, x2) > 0) {
					const struct rc_state *ts = all[a];
					const rc_outcomes_t *to = from[a];

					all[a] = all[b];
					all[b] = ts;
					from[a] = from[b];
					from[b] = to;
				}
			}
		for (size_t q = 0; q < cnt; q++) {
			rc_state_str(from[q], all[q], buf, sizeof buf);
			printf("%-*s", (int)w, buf);
			for (size_t k = 0; k < n; k++)
				printf("  %-5s",
				       find_state(o[k], all[q]->vals) >= 0
					       ? "yes"
					       : "-");
			printf("%s\n", all[q]->sat ? "   <- condition" : "");
		}
		free(all);
		free(from);
	}
	if (lo->why)
		for (size_t k = 0; k < n; k++) {
			printf("\nWhy, model %s\n", rc_model_name(o[k]->model));
			for (size_t i = 0; i < o[k]->nstates; i++) {
				rc_state_str(o[k], &o[k]->states[i], buf,
					     sizeof buf);
				printf("allowed   %s\n  %s\n", buf,
				       o[k]->states[i].why ? o[k]->states[i].why
							   : "");
			}
			for (size_t i = 0; i < o[k]->nforbidden; i++) {
				rc_state_str(o[k], &o[k]->forbidden[i], buf,
					     sizeof buf);
				printf("forbidden %s\n  %s\n", buf,
				       o[k]->forbidden[i].why
					       ? o[k]->forbidden[i].why
					       : "");
			}
		}
	printf("\n");
}

/* One outcome set as one JSON object; the schema every command shares. */
void litmus_json_outcomes(struct cli_json *j, const char *file,
			  const rc_outcomes_t *o, bool why);

void litmus_json_outcomes(struct cli_json *j, const char *file,
			  const rc_outcomes_t *o, bool why)
{
	const rc_litmus_t *t = o->test;

	cli_json_obj(j);
	cli_json_key(j, "test");
	cli_json_str(j, t->name);
	if (file) {
		cli_json_key(j, "file");
		cli_json_str(j, file);
	}
	cli_json_key(j, "arch");
	cli_json_str(j, t->arch == RC_LITMUS_X86 ? "X86" : "C");
	cli_json_key(j, "model");
	cli_json_str(j, rc_model_name(o->model));
	if (rc_model_herd_name(o->model)) {
		cli_json_key(j, "herd_model");
		cli_json_str(j, rc_model_herd_name(o->model));
	}
	cli_json_key(j, "condition");
	cli_json_str(j, rc_outcomes_check(o));
	cli_json_key(j, "observation");
	cli_json_str(j, rc_observation_name(o->observation));
	cli_json_key(j, "positive");
	cli_json_uint(j, o->positive);
	cli_json_key(j, "negative");
	cli_json_uint(j, o->negative);
	cli_json_key(j, "undef");
	cli_json_bool(j, o->undef);
	cli_json_key(j, "candidates");
	cli_json_uint(j, o->candidates);
	cli_json_key(j, "states");
	cli_json_arr(j);
	for (size_t i = 0; i < o->nstates; i++) {
		cli_json_obj(j);
		for (size_t k = 0; k < o->nobs; k++) {
			cli_json_key(j, o->obs_names[k]);
			cli_json_int(j, o->states[i].vals[k]);
		}
		cli_json_obj_end(j);
	}
	cli_json_arr_end(j);
	if (why) {
		cli_json_key(j, "why");
		cli_json_arr(j);
		for (int pass = 0; pass < 2; pass++) {
			const struct rc_state *s =
				pass ? o->forbidden : o->states;
			size_t ns = pass ? o->nforbidden : o->nstates;

			for (size_t i = 0; i < ns; i++) {
				cli_json_obj(j);
				cli_json_key(j, "state");
				cli_json_obj(j);
				for (size_t k = 0; k < o->nobs; k++) {
					cli_json_key(j, o->obs_names[k]);
					cli_json_int(j, s[i].vals[k]);
				}
				cli_json_obj_end(j);
				cli_json_key(j, "allowed");
				cli_json_bool(j, !pass);
				cli_json_key(j, "why");
				cli_json_str(j, s[i].why ? s[i].why : "");
				cli_json_obj_end(j);
			}
		}
		cli_json_arr_end(j);
	}
	cli_json_obj_end(j);
}

static int run_model_file(const char *file, const struct lopts *lo)
{
	rc_err_t err = RC_ERR_INITIALIZER;
	rc_litmus_t *t;
	const rc_model_t *ms[8];
	rc_outcomes_t *out[8];
	struct rc_model_opts mo = { lo->why, lo->dotf != NULL,
				    lo->max_candidates };
	size_t n;
	int rc;

	if (rc_litmus_parse_file(file, &t, &err) < 0) {
		rc_err_print(&err, stderr);
		return CLI_EXIT_USAGE;
	}
	rc = pick_models("litmus", lo->models, t, ms, &n);
	if (rc) {
		rc_litmus_free(t);
		return rc;
	}
	if (n == 0) {
		char names[128];

		rc_model_names_for(t, names, sizeof names);
		fprintf(stderr,
			"replicore litmus: %s: no model asked for (%s) applies "
			"to %s tests; the models for %s tests are %s\n",
			file, lo->models, arch_name(t), arch_name(t), names);
		rc_litmus_free(t);
		return CLI_EXIT_USAGE;
	}
	if (lo->herd_compat)
		for (size_t k = 0; k < n; k++)
			ms[k] = rc_model_herd_compat(ms[k]);
	rc = rc_model_run(t, ms, n, &mo, out, &err);
	if (rc < 0) {
		rc_err_print(&err, stderr);
		rc_litmus_free(t);
		return rc == -RC_ETIMEDOUT ? CLI_EXIT_UNKNOWN : CLI_EXIT_USAGE;
	}
	for (size_t k = 0; k < n; k++) {
		if (lo->json) {
			struct cli_json j;

			cli_json_init(&j, stdout);
			litmus_json_outcomes(&j, file, out[k], lo->why);
			cli_json_end(&j);
		} else if (n == 1) {
			print_herd(file, out[k], lo);
		}
		if (lo->dotf && out[k]->dot)
			fputs(out[k]->dot, lo->dotf);
	}
	if (!lo->json && n > 1)
		print_table((const rc_outcomes_t *const *)out, n, lo);
	for (size_t k = 0; k < n; k++)
		rc_outcomes_free(out[k]);
	rc_litmus_free(t);
	return CLI_EXIT_OK;
}

static int verb_model(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "model", required_argument, NULL, 'm' },
		{ "json", no_argument, NULL, 'j' },
		{ "why", no_argument, NULL, 'w' },
		{ "dot", required_argument, NULL, 'd' },
		{ "max-candidates", required_argument, NULL, 'c' },
		{ "herd-compat", no_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct lopts lo;
	int c, status = CLI_EXIT_OK;

	memset(&lo, 0, sizeof lo);
	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, ":m:h", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			lo.models = optarg;
			break;
		case 'j':
			lo.json = 1;
			break;
		case 'w':
			lo.why = 1;
			break;
		case 'H':
			lo.herd_compat = 1;
			break;
		case 'd':
			lo.dot = optarg;
			break;
		case 'c':
			if (!cli_parse_u64("litmus model", "--max-candidates",
					   optarg, &lo.max_candidates))
				return CLI_EXIT_USAGE;
			break;
		case 'h':
			fputs(litmus_help, stdout);
			return CLI_EXIT_OK;
		default:
			return cli_bad_option("litmus model", argv, optopt);
		}
	}
	if (optind >= argc)
		return cli_usage("litmus model", "no litmus FILE given");
	if (lo.models) {
		/* validate names once, before any output */
		char buf[256], *save = NULL, *tok;

		if (strlen(lo.models) >= sizeof buf)
			return cli_usage("litmus model",
					 "--model list too long");
		strcpy(buf, lo.models);
		for (tok = strtok_r(buf, ",", &save); tok;
		     tok = strtok_r(NULL, ",", &save))
			if (strcmp(tok, "all") != 0 && !rc_model_find(tok))
				return cli_usage(
					"litmus model",
					"unknown model '%s' (expected "
					"sc, tso, rc11, c11, ra, sra or "
					"all)",
					tok);
	}
	if (lo.dot) {
		lo.dotf = fopen(lo.dot, "w");
		if (!lo.dotf) {
			fprintf(stderr, "replicore litmus: cannot write %s\n",
				lo.dot);
			return CLI_EXIT_USAGE;
		}
	}
	for (int i = optind; i < argc; i++) {
		int rc = run_model_file(argv[i], &lo);

		if (rc > status)
			status = rc;
	}
	if (lo.dotf)
		fclose(lo.dotf);
	return status;
}

static int verb_fmt(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, status = CLI_EXIT_OK;

	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c == 'h') {
			fputs(litmus_help, stdout);
			return CLI_EXIT_OK;
		}
		return cli_bad_option("litmus fmt", argv, optopt);
	}
	if (optind >= argc)
		return cli_usage("litmus fmt", "no litmus FILE given");
	for (int i = optind; i < argc; i++) {
		rc_err_t err = RC_ERR_INITIALIZER;
		rc_litmus_t *t;

		if (rc_litmus_parse_file(argv[i], &t, &err) < 0) {
			rc_err_print(&err, stderr);
			status = CLI_EXIT_USAGE;
			continue;
		}
		rc_litmus_print(t, stdout);
		rc_litmus_free(t);
	}
	return status;
}

/* The verbs of `replicore litmus`; a new verb is one more row. */
int cmd_litmus_run(int argc, char **argv); /* tools/cmd_litmus_run.c */

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
} verbs[] = {
	{ "model", verb_model },
	{ "fmt", verb_fmt },
	{ "run", cmd_litmus_run },
};

int cmd_litmus(int argc, char **argv)
{
	if (argc < 2) {
		fputs(litmus_help, stderr);
		return CLI_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		fputs(litmus_help, stdout);
		return CLI_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
		if (strcmp(verbs[i].name, argv[1]) == 0)
			return verbs[i].run(argc - 1, argv + 1);
	return cli_usage("litmus", "unknown verb '%s' (expected model or fmt)",
			 argv[1]);
}
