/* SPDX-License-Identifier: MIT */
/* demo_litmus.c: the demo's litmus table: each test of the suite under the models, on this machine and on the five objects. */
#include <dirent.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <replicore/litmus.h>
#include <replicore/mem.h>
#include <replicore/model.h>
#include <replicore/objrun.h>

#include "bench/bench.h"
#include "litmus/hw.h"
#include "tools/demo.h"

/*
 * For every test of the suite, in one run:
 *   models   each of sc, tso, ra, sra, rc11 that applies to the test's
 *            architecture says whether it allows the relaxed outcome
 *            (the test's exists clause);
 *   hw       X86 tests run on this machine (the harness of `litmus run
 *            --target hw`): how many of N instances ended in the relaxed
 *            outcome, and which observed states tso forbids;
 *   objects  each rc_mem level explored exhaustively (`litmus run
 *            --explore`): whether it can end in the relaxed outcome, and
 *            how its whole outcome set compares with the set of the model
 *            rc_objrun_model() names for that level.
 * The disagreements are what these computations found, nothing else.
 */

#define NMODELS 5
static const char *const model_names[NMODELS] = { "sc", "tso", "ra", "sra",
						  "rc11" };
#define NLEVELS 5
static const enum rc_level levels[NLEVELS] = { RC_LIN, RC_SC, RC_TSO, RC_CAUSAL,
					       RC_EVENTUAL };

/* Up to this many states are named in a disagreement; the rest counted. */
#define SHOW_STATES 2

enum hw_status { HW_RAN, HW_NA, HW_FAILED };

struct cell_model {
	bool applies, allowed;
	size_t nstates;
};

struct cell_hw {
	enum hw_status status;
	uint64_t iterations, positive;
	size_t nstates, forbidden_seen;
	bool oversubscribed;
	double run_s;
	char forbidden[256]; /* the forbidden states seen */
	char why[160];	     /* HW_NA, HW_FAILED: the reason */
};

struct cell_obj {
	bool ran, allowed;
	size_t nstates;
	uint64_t explored;
	const char *model; /* rc_objrun_model(), or NULL */
	size_t only_obj, only_model;
	char only_obj_s[256], only_model_s[256];
	char why[160]; /* !ran: the error */
};

struct row {
	char *name, *file;
	enum rc_litmus_arch arch;
	char cond[256];
	struct cell_model m[NMODELS];
	struct cell_hw hw;
	struct cell_obj obj[NLEVELS];
};

struct litmus_result {
	char suite[1024];
	uint64_t hw_iterations;
	size_t n;
	struct row *rows;
	size_t ndis; /* disagreements found */
};

/* Copies s into buf (n bytes), cut short if need be. */
static void set_text(char *buf, size_t n, const char *s)
{
	size_t l = strlen(s);

	if (l >= n)
		l = n - 1;
	memcpy(buf, s, l);
	buf[l] = '\0';
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The suite's test files, sorted by test name; NULL on error. */
static char **list_suite(const char *dir, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **v = NULL;
	size_t cap = 0;

	*n = 0;
	if (d == NULL)
		return NULL;
	while ((e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);

		if (l < 8 || strcmp(e->d_name + l - 7, ".litmus") != 0)
			continue;
		if (*n == cap) {
			char **nv;

			cap = cap ? 2 * cap : 32;
			nv = realloc(v, cap * sizeof(*v));
			if (nv == NULL)
				break;
			v = nv;
		}
		/* sort by name: cut the extension, put it back after */
		v[*n] = strndup(e->d_name, l - 7);
		if (v[*n] != NULL)
			++*n;
	}
	closedir(d);
	if (v != NULL)
		qsort(v, *n, sizeof(*v), by_name);
	return v;
}

static bool has_state(const rc_outcomes_t *o, const int64_t *vals)
{
	for (size_t i = 0; i < o->nstates; i++)
		if (memcmp(o->states[i].vals, vals,
			   o->nobs * sizeof(int64_t)) == 0)
			return true;
	return false;
}

/* Appends "a=1; b=0" of state s to buf ("; " separated, " | " between). */
static void add_state(char *buf, size_t n, size_t k, const rc_outcomes_t *o,
		      const struct rc_state *s)
{
	char st[256];
	size_t l = strlen(buf);

	if (k >= SHOW_STATES || l + 8 >= n)
		return;
	rc_state_str(o, s, st, sizeof st);
	if (k)
		set_text(buf + l, n - l, " | ");
	l = strlen(buf);
	set_text(buf + l, n - l, st);
}

/* How many states of a are not in b, listed in buf. */
static size_t only_in(const rc_outcomes_t *a, const rc_outcomes_t *b, char *buf,
		      size_t n)
{
	size_t k = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < a->nstates; i++)
		if (!has_state(b, a->states[i].vals))
			add_state(buf, n, k++, a, &a->states[i]);
	return k;
}

static void run_models(const rc_litmus_t *t, struct row *r)
{
	const rc_model_t *ms[NMODELS];
	size_t idx[NMODELS], n = 0;
	rc_outcomes_t *out[NMODELS];
	rc_err_t err = RC_ERR_INITIALIZER;

	for (size_t i = 0; i < NMODELS; i++) {
		const rc_model_t *m = rc_model_find(model_names[i]);

		r->m[i].applies = m != NULL && rc_model_applies(m, t);
		if (r->m[i].applies) {
			idx[n] = i;
			ms[n++] = m;
		}
	}
	if (rc_model_run(t, ms, n, NULL, out, &err) < 0) {
		fprintf(stderr, "replicore demo: %s: ", r->file);
		rc_err_print(&err, stderr);
		for (size_t i = 0; i < NMODELS; i++)
			r->m[i].applies = false;
		return;
	}
	for (size_t k = 0; k < n; k++) {
		r->m[idx[k]].allowed = out[k]->positive > 0;
		r->m[idx[k]].nstates = out[k]->nstates;
		rc_outcomes_free(out[k]);
	}
}

static void run_hw(const struct demo_ctx *c, const rc_litmus_t *t,
		   struct row *r)
{
	const rc_model_t *tso = rc_model_find("tso");
	const char *cc = getenv("CC");
	struct rc_hw_opts ho;
	struct rc_hw_result res;
	rc_outcomes_t *o = NULL;
	rc_err_t err = RC_ERR_INITIALIZER;

	r->hw.status = HW_NA;
	if (t->arch != RC_LITMUS_X86) {
		snprintf(r->hw.why, sizeof r->hw.why,
			 "C tests are not run on the machine here");
		return;
	}
	if (!c->o->hw) {
		snprintf(r->hw.why, sizeof r->hw.why, "--no-hw");
		return;
	}
	if (rc_model_run(t, &tso, 1, NULL, &o, &err) < 0) {
		r->hw.status = HW_FAILED;
		set_text(r->hw.why, sizeof r->hw.why, err.msg);
		return;
	}
	memset(&ho, 0, sizeof ho);
	ho.iterations = c->o->hw_iterations;
	ho.size = ho.iterations < 1000 ? (unsigned)ho.iterations : 1000;
	ho.affinity = RC_HW_AFF_AUTO;
	/* a test of more threads than PUs still runs: threads take turns */
	ho.oversubscribe = 1;
	ho.cc = cc != NULL && *cc != '\0' ? cc : "cc";
	ho.seed = 1;
	if (_rc_hw_run(t, o, &ho, &res, &err) < 0) {
		/* not an x86 host, or no compiler: the cell says why */
		r->hw.status = HW_FAILED;
		set_text(r->hw.why, sizeof r->hw.why, err.msg);
		rc_outcomes_free(o);
		return;
	}
	r->hw.status = HW_RAN;
	r->hw.iterations = res.iterations;
	r->hw.positive = res.positive;
	r->hw.nstates = res.nstates;
	r->hw.forbidden_seen = res.forbidden_seen;
	r->hw.oversubscribed = res.oversubscribed;
	r->hw.run_s = res.run_s;
	for (size_t i = 0, k = 0; i < res.nstates; i++)
		if (!res.states[i].allowed) {
			struct rc_state st = { res.states[i].vals, 0, 0, NULL };

			add_state(r->hw.forbidden, sizeof r->hw.forbidden, k++,
				  o, &st);
		}
	_rc_hw_result_free(&res);
	rc_outcomes_free(o);
}

static void run_objects(const rc_litmus_t *t, struct row *r)
{
	for (size_t l = 0; l < NLEVELS; l++) {
		struct cell_obj *co = &r->obj[l];
		struct rc_objrun_opts oo = { 0, 0 };
		rc_outcomes_t *o = NULL, *m = NULL;
		rc_err_t err = RC_ERR_INITIALIZER;
		const rc_model_t *mm;

		if (rc_objrun_explore(t, levels[l], &oo, &o, &err) < 0) {
			set_text(co->why, sizeof co->why, err.msg);
			continue;
		}
		co->ran = true;
		co->allowed = o->positive > 0;
		co->nstates = o->nstates;
		co->explored = o->candidates;
		/* the level-to-model map lives in objrun: ask it */
		co->model = rc_objrun_model(levels[l], t->arch);
		mm = co->model != NULL ? rc_model_find(co->model) : NULL;
		if (mm != NULL && rc_model_applies(mm, t) &&
		    rc_model_run(t, &mm, 1, NULL, &m, &err) == 0) {
			co->only_obj = only_in(o, m, co->only_obj_s,
					       sizeof co->only_obj_s);
			co->only_model = only_in(m, o, co->only_model_s,
						 sizeof co->only_model_s);
			rc_outcomes_free(m);
		} else {
			co->model = NULL;
		}
		rc_outcomes_free(o);
	}
}

/* The condition as the test states it: "exists (0:EAX=0 /\ 1:EAX=0)". */
static void cond_text(const rc_litmus_t *t, char *buf, size_t n)
{
	FILE *f = fmemopen(buf, n, "w");

	buf[0] = '\0';
	if (f == NULL)
		return;
	rc_litmus_print_prop(t, f);
	fclose(f);
	buf[n - 1] = '\0';
}

static size_t count_disagreements(const struct row *r)
{
	size_t n = r->hw.status == HW_RAN && r->hw.forbidden_seen > 0;

	for (size_t l = 0; l < NLEVELS; l++)
		n += r->obj[l].ran && r->obj[l].model != NULL &&
		     (r->obj[l].only_obj || r->obj[l].only_model);
	return n;
}

static void litmus_free(void *p)
{
	struct litmus_result *res = p;

	if (res == NULL)
		return;
	for (size_t i = 0; i < res->n; i++) {
		free(res->rows[i].name);
		free(res->rows[i].file);
	}
	free(res->rows);
	free(res);
}

/* The suite's folder as shown: relative to the working folder if in it. */
static void suite_name(const char *suite, char *buf, size_t n)
{
	char cwd[1024];
	size_t l;

	if (getcwd(cwd, sizeof cwd) != NULL && (l = strlen(cwd)) > 1 &&
	    strncmp(suite, cwd, l) == 0 && suite[l] == '/')
		suite += l + 1;
	set_text(buf, n, suite);
}

static void *litmus_run(const struct demo_ctx *c, bool *failed)
{
	struct litmus_result *res = calloc(1, sizeof(*res));
	char **names;
	size_t n;

	if (res == NULL)
		return NULL;
	suite_name(c->o->suite, res->suite, sizeof res->suite);
	res->hw_iterations = c->o->hw_iterations;
	names = list_suite(c->o->suite, &n);
	if (names == NULL || n == 0) {
		fprintf(stderr, "replicore demo: no litmus tests in %s\n",
			c->o->suite);
		free(names);
		free(res);
		return NULL;
	}
	res->rows = calloc(n, sizeof(*res->rows));
	for (size_t i = 0; res->rows != NULL && i < n; i++) {
		struct row *r = &res->rows[res->n];
		rc_err_t err = RC_ERR_INITIALIZER;
		rc_litmus_t *t;
		char path[2048];

		snprintf(path, sizeof path, "%s/%s.litmus", c->o->suite,
			 names[i]);
		demo_progress(c, "litmus %zu/%zu %s", i + 1, n, names[i]);
		if (rc_litmus_parse_file(path, &t, &err) < 0) {
			fputs("replicore demo: ", stderr);
			rc_err_print(&err, stderr);
			*failed = true;
			continue;
		}
		r->name = strdup(t->name);
		r->file = strdup(path);
		r->arch = t->arch;
		cond_text(t, r->cond, sizeof r->cond);
		run_models(t, r);
		run_hw(c, t, r);
		run_objects(t, r);
		res->ndis += count_disagreements(r);
		/* the machine showing what tso forbids is a failed check */
		if (r->hw.status == HW_RAN && r->hw.forbidden_seen > 0)
			*failed = true;
		rc_litmus_free(t);
		res->n++;
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	demo_progress(c, NULL);
	if (res->rows == NULL) {
		free(res);
		return NULL;
	}
	return res;
}

static const char *allow_word(bool applies, bool allowed)
{
	return !applies ? "n/a" : allowed ? "yes" : "no";
}

/* The hardware cell: the count, '*' when threads shared PUs, '!' when a
 * state tso forbids was seen. */
static void hw_cell(const struct cell_hw *h, char *buf, size_t n)
{
	if (h->status != HW_RAN)
		snprintf(buf, n, "n/a");
	else
		snprintf(buf, n, "%llu%s%s", (unsigned long long)h->positive,
			 h->oversubscribed ? "*" : "",
			 h->forbidden_seen ? "!" : "");
}

static void obj_cell(const struct cell_obj *o, char *buf, size_t n)
{
	if (!o->ran)
		snprintf(buf, n, "err");
	else
		snprintf(buf, n, "%s%s", o->allowed ? "yes" : "no",
			 o->model != NULL && (o->only_obj || o->only_model)
				 ? "!"
				 : "");
}

/* "lin, sc: sc; tso: tso; causal: sra" for one architecture. */
static void map_text(enum rc_litmus_arch arch, char *buf, size_t n)
{
	size_t l = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < NLEVELS && l + 1 < n; i++) {
		const char *m = rc_objrun_model(levels[i], arch);

		l += (size_t)snprintf(buf + l, n - l, "%s%s->%s", i ? ", " : "",
				      rc_level_name(levels[i]),
				      m != NULL ? m : "(none)");
	}
}

/* "R: the causal object forbids 1 state sra allows (1:EAX=0; y=2)" */
static void diff_line(void (*emit)(void *ctx, const char *line), void *ctx,
		      const char *test, const char *level, const char *verb,
		      size_t n, const char *mverb, const char *model,
		      const char *states)
{
	char line[1024];

	if (n == 0)
		return;
	snprintf(line, sizeof line,
		 "%s: the %s object %s %zu state%s %s %s "
		 "(%s%s)",
		 test, level, verb, n, n == 1 ? "" : "s", model, mverb, states,
		 n > SHOW_STATES ? " | ..." : "");
	emit(ctx, line);
}

/* Each disagreement as one sentence, through emit. */
static void each_disagreement(const struct litmus_result *res,
			      void (*emit)(void *ctx, const char *line),
			      void *ctx)
{
	char line[1024];

	for (size_t i = 0; i < res->n; i++) {
		const struct row *r = &res->rows[i];

		if (r->hw.status == HW_RAN && r->hw.forbidden_seen > 0) {
			snprintf(line, sizeof line,
				 "%s: this machine showed %zu state%s tso "
				 "forbids (%s)",
				 r->name, r->hw.forbidden_seen,
				 r->hw.forbidden_seen == 1 ? "" : "s",
				 r->hw.forbidden);
			emit(ctx, line);
		}
		for (size_t l = 0; l < NLEVELS; l++) {
			const struct cell_obj *o = &r->obj[l];
			const char *ln = rc_level_name(levels[l]);

			if (!o->ran || o->model == NULL)
				continue;
			diff_line(emit, ctx, r->name, ln, "allows", o->only_obj,
				  "forbids", o->model, o->only_obj_s);
			diff_line(emit, ctx, r->name, ln, "forbids",
				  o->only_model, "allows", o->model,
				  o->only_model_s);
		}
	}
}

static void emit_text(void *ctx, const char *line)
{
	fprintf(ctx, "  %s\n", line);
}

static bool any_oversubscribed(const struct litmus_result *res)
{
	for (size_t i = 0; i < res->n; i++)
		if (res->rows[i].hw.status == HW_RAN &&
		    res->rows[i].hw.oversubscribed)
			return true;
	return false;
}

/* The first reason a hardware cell says n/a for an X86 test, or NULL. */
static const char *hw_missing(const struct litmus_result *res)
{
	for (size_t i = 0; i < res->n; i++)
		if (res->rows[i].arch == RC_LITMUS_X86 &&
		    res->rows[i].hw.status != HW_RAN)
			return res->rows[i].hw.why;
	return NULL;
}

static void litmus_text(const void *p, FILE *out)
{
	const struct litmus_result *res = p;
	char hw[32], ob[NLEVELS][16], map[160];
	const char *missing = hw_missing(res);

	fprintf(out,
		"%zu tests from %s\n"
		"Each cell: is the relaxed outcome (the test's exists clause) "
		"allowed?\n"
		"Models: computed by replicore's models. hw: how many of "
		"%llu runs on\n"
		"this machine ended in it (X86 tests). Objects: explored "
		"exhaustively on\n"
		"rc_mem at each level.\n\n",
		res->n, res->suite, (unsigned long long)res->hw_iterations);
	fprintf(out,
		"%-14s %-4s %-4s %-4s %-4s %-4s | %-9s | %-4s %-4s %-4s "
		"%-6s %s\n",
		"test", "sc", "tso", "ra", "sra", "rc11", "hw", "lin", "sc",
		"tso", "causal", "eventual");
	for (size_t i = 0; i < res->n; i++) {
		const struct row *r = &res->rows[i];

		hw_cell(&r->hw, hw, sizeof hw);
		for (size_t l = 0; l < NLEVELS; l++)
			obj_cell(&r->obj[l], ob[l], sizeof ob[l]);
		fprintf(out,
			"%-14s %-4s %-4s %-4s %-4s %-4s | %-9s | %-4s %-4s "
			"%-4s %-6s %s\n",
			r->name, allow_word(r->m[0].applies, r->m[0].allowed),
			allow_word(r->m[1].applies, r->m[1].allowed),
			allow_word(r->m[2].applies, r->m[2].allowed),
			allow_word(r->m[3].applies, r->m[3].allowed),
			allow_word(r->m[4].applies, r->m[4].allowed), hw, ob[0],
			ob[1], ob[2], ob[3], ob[4]);
	}
	if (any_oversubscribed(res))
		fprintf(out, "* more threads than PUs: the threads took turns "
			     "on the PUs\n");
	if (missing != NULL)
		fprintf(out, "hw n/a: %s\n", missing);
	map_text(RC_LITMUS_X86, map, sizeof map);
	fprintf(out, "Each object is compared with its level's model: %s", map);
	map_text(RC_LITMUS_C, map, sizeof map);
	fprintf(out, "\n(C tests: %s).\n", map);
	if (res->ndis == 0) {
		fprintf(out,
			"Disagreements: none. Every state this machine "
			"showed is allowed by tso, and\n"
			"every object's outcome set equals its model's (where "
			"its level has one).\n");
		return;
	}
	fprintf(out,
		"Disagreements (%zu, marked !; replicore-litmus(1) explains "
		"the known ones):\n",
		res->ndis);
	each_disagreement(res, emit_text, out);
}

static void json_cells(struct cli_json *j, const struct row *r)
{
	cli_json_key(j, "models");
	cli_json_obj(j);
	for (size_t i = 0; i < NMODELS; i++) {
		cli_json_key(j, model_names[i]);
		if (!r->m[i].applies) {
			cli_json_null(j);
			continue;
		}
		cli_json_obj(j);
		cli_json_kv_bool(j, "allowed", r->m[i].allowed);
		cli_json_kv_uint(j, "states", r->m[i].nstates);
		cli_json_obj_end(j);
	}
	cli_json_obj_end(j);
	cli_json_key(j, "hw");
	cli_json_obj(j);
	cli_json_kv_str(j, "status",
			r->hw.status == HW_RAN	? "ran"
			: r->hw.status == HW_NA ? "n/a"
						: "failed");
	if (r->hw.status == HW_RAN) {
		cli_json_kv_uint(j, "iterations", r->hw.iterations);
		cli_json_kv_uint(j, "observed", r->hw.positive);
		cli_json_kv_uint(j, "states", r->hw.nstates);
		cli_json_kv_uint(j, "forbidden_observed", r->hw.forbidden_seen);
		cli_json_kv_bool(j, "oversubscribed", r->hw.oversubscribed);
		cli_json_kv_double(j, "time_s", r->hw.run_s);
	} else {
		cli_json_kv_str(j, "why", r->hw.why);
	}
	cli_json_obj_end(j);
	cli_json_key(j, "objects");
	cli_json_obj(j);
	for (size_t l = 0; l < NLEVELS; l++) {
		const struct cell_obj *o = &r->obj[l];

		cli_json_key(j, rc_level_name(levels[l]));
		cli_json_obj(j);
		cli_json_kv_bool(j, "explored", o->ran);
		if (!o->ran) {
			cli_json_kv_str(j, "why", o->why);
			cli_json_obj_end(j);
			continue;
		}
		cli_json_kv_bool(j, "allowed", o->allowed);
		cli_json_kv_uint(j, "states", o->nstates);
		cli_json_kv_uint(j, "explored_states", o->explored);
		cli_json_key(j, "model");
		if (o->model != NULL) {
			cli_json_str(j, o->model);
			cli_json_kv_uint(j, "only_object", o->only_obj);
			cli_json_kv_uint(j, "only_model", o->only_model);
		} else {
			cli_json_null(j);
		}
		cli_json_obj_end(j);
	}
	cli_json_obj_end(j);
}

static void emit_json(void *ctx, const char *line)
{
	cli_json_str(ctx, line);
}

static void litmus_json(const void *p, struct cli_json *j)
{
	const struct litmus_result *res = p;

	cli_json_obj(j);
	cli_json_kv_str(j, "suite", res->suite);
	cli_json_kv_uint(j, "hw_iterations", res->hw_iterations);
	cli_json_key(j, "tests");
	cli_json_arr(j);
	for (size_t i = 0; i < res->n; i++) {
		const struct row *r = &res->rows[i];

		cli_json_obj(j);
		cli_json_kv_str(j, "test", r->name);
		cli_json_kv_str(j, "file", r->file);
		cli_json_kv_str(j, "arch",
				r->arch == RC_LITMUS_X86 ? "X86" : "C");
		cli_json_kv_str(j, "condition", r->cond);
		json_cells(j, r);
		cli_json_obj_end(j);
	}
	cli_json_arr_end(j);
	cli_json_key(j, "disagreements");
	cli_json_arr(j);
	each_disagreement(res, emit_json, j);
	cli_json_arr_end(j);
	cli_json_obj_end(j);
}

static void html_cell(FILE *out, const char *text)
{
	const char *cls = strncmp(text, "yes", 3) == 0	? "y"
			  : strncmp(text, "no", 2) == 0 ? "n"
							: "na";

	fprintf(out, "<td class=\"%s%s\">", cls,
		strchr(text, '!') != NULL ? " dis" : "");
	_rc_xml_esc(out, text);
	fputs("</td>", out);
}

static void emit_html(void *ctx, const char *line)
{
	fputs("<li>", ctx);
	_rc_xml_esc(ctx, line);
	fputs("</li>\n", ctx);
}

static void litmus_html(const void *p, FILE *out)
{
	const struct litmus_result *res = p;
	struct rc_svg_bar *bars = calloc(res->n ? res->n : 1, sizeof(*bars));
	static const char *const legend[] = { "tso allows it",
					      "tso forbids it" };
	unsigned nb = 0;
	char buf[64], sub[160];

	fprintf(out, "<p>%zu tests from <code>", res->n);
	_rc_xml_esc(out, res->suite);
	fprintf(out,
		"</code>. A cell says whether the relaxed outcome (the "
		"test's <code>exists</code> clause) is allowed: by the "
		"models, by each object explored exhaustively; <b>hw</b> "
		"counts the runs of %llu on this machine that ended in "
		"it.</p>\n"
		"<table>\n<tr><th rowspan=\"2\">test</th><th colspan=\"5\">"
		"models</th><th rowspan=\"2\">hw</th><th colspan=\"4\">"
		"objects</th></tr>\n<tr>",
		(unsigned long long)res->hw_iterations);
	for (size_t i = 0; i < NMODELS; i++)
		fprintf(out, "<th>%s</th>", model_names[i]);
	for (size_t l = 0; l < NLEVELS; l++)
		fprintf(out, "<th>%s</th>", rc_level_name(levels[l]));
	fputs("</tr>\n", out);
	for (size_t i = 0; i < res->n; i++) {
		const struct row *r = &res->rows[i];

		fputs("<tr><th class=\"t\" title=\"", out);
		_rc_xml_esc(out, r->cond);
		fputs("\">", out);
		_rc_xml_esc(out, r->name);
		fputs("</th>", out);
		for (size_t k = 0; k < NMODELS; k++)
			html_cell(out,
				  allow_word(r->m[k].applies, r->m[k].allowed));
		hw_cell(&r->hw, buf, sizeof buf);
		fprintf(out, "<td class=\"%s\">",
			r->hw.status == HW_RAN && r->hw.forbidden_seen
				? "num dis"
				: "num");
		_rc_xml_esc(out, buf);
		fputs("</td>", out);
		for (size_t l = 0; l < NLEVELS; l++) {
			obj_cell(&r->obj[l], buf, sizeof buf);
			html_cell(out, buf);
		}
		fputs("</tr>\n", out);
		if (r->hw.status == HW_RAN && bars != NULL) {
			bars[nb].label = r->name;
			bars[nb].v = r->hw.iterations
					     ? 1e6 * (double)r->hw.positive /
						       (double)r->hw.iterations
					     : 0;
			bars[nb].lo = bars[nb].hi = bars[nb].v;
			nb++;
		}
	}
	fputs("</table>\n", out);
	if (any_oversubscribed(res))
		fputs("<p>* more threads than PUs: the threads took turns on "
		      "the PUs.</p>\n",
		      out);
	if (res->ndis == 0)
		fputs("<p><b>Disagreements: none.</b> Every state this machine "
		      "showed is allowed by tso, and every object's outcome "
		      "set equals its model's (where its level has "
		      "one).</p>\n",
		      out);
	else {
		fprintf(out,
			"<p><b>Disagreements (%zu, marked !):</b></p>\n<ul>\n",
			res->ndis);
		each_disagreement(res, emit_html, out);
		fputs("</ul>\n", out);
	}
	if (nb > 0) {
		for (size_t i = 0, k = 0; i < res->n; i++)
			if (res->rows[i].hw.status == HW_RAN) {
				const struct row *r = &res->rows[i];
				bool tso = r->m[1].applies && r->m[1].allowed;

				bars[k++].color = tso ? 0 : 1;
			}
		snprintf(sub, sizeof sub,
			 "%llu runs per X86 test on this machine",
			 (unsigned long long)res->hw_iterations);
		demo_html_bars(out, "Relaxed outcomes observed", sub,
			       "runs ending in the relaxed outcome, per "
			       "million",
			       bars, nb, legend, 2);
	}
	free(bars);
}

const struct demo_part demo_part_litmus = {
	"litmus",    "Litmus tests: the models, this machine, the objects",
	litmus_run,  litmus_text,
	litmus_json, litmus_html,
	litmus_free,
};
