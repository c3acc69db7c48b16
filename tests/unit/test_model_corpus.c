/* SPDX-License-Identifier: MIT */
/* test_model_corpus.c: every row of the corpus's VERDICTS.tsv (sc, x86tso, rc11, c11_partialSC), verdict and states. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <replicore/litmus.h>
#include <replicore/model.h>

#include "tests/tap.h"

/* Our states of o, as VERDICTS.tsv writes them: "a=1; b=2 | ...". */
static char *states_str(const rc_outcomes_t *o)
{
	char *buf = NULL, one[4096];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	for (size_t i = 0; i < o->nstates; i++) {
		rc_state_str(o, &o->states[i], one, sizeof one);
		fprintf(f, "%s%s", i ? " | " : "", one);
	}
	fclose(f);
	return buf;
}

int main(void)
{
	const char *shared = getenv("RC_SHARED");
	char path[4096], *line = NULL;
	size_t lcap = 0;
	FILE *f;
	unsigned rows = 0, partial = 0;

	if (!shared || !*shared)
		shared = "../shared";
	snprintf(path, sizeof path, "%s/corpus/litmus/VERDICTS.tsv", shared);
	f = fopen(path, "r");
	if (!f) {
		/* the corpus is part of the project: its absence is a failure */
		ok(0, "open %s", path);
		done_testing();
		return exit_status();
	}
	if (getline(&line, &lcap, f) < 0) {
		ok(0, "read the header of %s", path);
		fclose(f);
		done_testing();
		return exit_status();
	}
	while (getline(&line, &lcap, f) >= 0) {
		char *file, *model, *verdict, *nstates, *states, *save = NULL;
		char want_model[32], tpath[8192];
		rc_err_t err = RC_ERR_INITIALIZER;
		rc_litmus_t *t;
		const rc_model_t *m;
		rc_outcomes_t *o;
		char got_verdict[64], *got_states;

		line[strcspn(line, "\n")] = '\0';
		file = strtok_r(line, "\t", &save);
		model = strtok_r(NULL, "\t", &save);
		verdict = strtok_r(NULL, "\t", &save);
		nstates = strtok_r(NULL, "\t", &save);
		states = strtok_r(NULL, "\t", &save);
		if (!file || !model || !verdict || !nstates) {
			ok(0, "malformed row in VERDICTS.tsv");
			continue;
		}
		if (!states)
			states = "";
		if (strcmp(model, "c11_partialSC") == 0)
			partial++;
		snprintf(want_model, sizeof want_model, "%s", model);
		/* herd7's verdicts: its axioms as its cat files state them */
		m = rc_model_find(want_model);
		if (m)
			m = rc_model_herd_compat(m);
		rows++;
		if (!m) {
			ok(0, "%s %s: no such model", file, model);
			continue;
		}
		snprintf(tpath, sizeof tpath, "%s/corpus/litmus/%s", shared,
			 file);
		if (rc_litmus_parse_file(tpath, &t, &err) < 0) {
			ok(0, "%s %s: parse: %s:%u:%u: %s", file, model,
			   err.where, err.line, err.col, err.msg);
			continue;
		}
		if (rc_model_run(t, &m, 1, NULL, &o, &err) < 0) {
			ok(0, "%s %s: run: %s", file, model, err.msg);
			rc_litmus_free(t);
			continue;
		}
		snprintf(got_verdict, sizeof got_verdict, "%s:%s",
			 rc_outcomes_check(o),
			 rc_observation_name(o->observation));
		got_states = states_str(o);
		if (!ok(strcmp(got_verdict, verdict) == 0 &&
				strtoul(nstates, NULL, 10) == o->nstates &&
				got_states && strcmp(got_states, states) == 0,
			"%s %s: %s, %zu states", file, model, verdict,
			o->nstates)) {
			diag("want %s %s: %s", verdict, nstates, states);
			diag("got  %s %zu: %s", got_verdict, o->nstates,
			     got_states ? got_states : "(null)");
		}
		free(got_states);
		rc_outcomes_free(o);
		rc_litmus_free(t);
	}
	fclose(f);
	free(line);
	diag("%u rows checked: %u of sc, x86tso and rc11, %u of c11_partialSC "
	     "(our c11)",
	     rows, rows - partial, partial);
	ok(rows > 0, "the corpus has rows to check");
	done_testing();
	return exit_status();
}
