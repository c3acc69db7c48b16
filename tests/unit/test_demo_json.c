/* SPDX-License-Identifier: MIT */
/* test_demo_json.c: replicore demo --json with small counts, checked against litmus model and litmus run --explore on the same tests. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/tap.h"
#include "tests/unit/bench_json.h"

/*
 * The demo computes every cell itself; this test recomputes them with
 * the commands a user would run and requires the same answers:
 *
 *   models   `litmus model FILE --model all --json`: a model the demo
 *            marks null is one the command does not run on the test;
 *            otherwise allowed = some state satisfies the condition
 *            (positive > 0), and the numbers of states are equal;
 *   objects  `litmus run FILE --target L --explore --json`, with
 *            `--compare M` where the demo names M as the level's model:
 *            allowed, number of states, the model, and how many states
 *            only the object or only the model has;
 *   hw       C tests n/a; X86 tests ran (on x86) with the iterations
 *            asked for, at most that many observed;
 *   disagreements  one line per difference counted above, plus the
 *            machine's forbidden states.
 * The page of --html (same run) is checked for its shape. The history,
 * consensus and cost parts are checked for their internal consistency
 * (a stale read makes the sc history non-linearizable yet sequentially
 * consistent; the lin history passes; costs are positive with p10 <=
 * median <= p90); whether a stale read happens depends on scheduling, so
 * when none did the implication is skipped, never asserted.
 *
 * Environment: RC_DEMO_HW_ITERATIONS (default 2000, times RC_SCALE).
 */

static char bin[1024];

/* Runs a shell command; its stdout (NULL on failure) and exit status. */
static char *run(const char *cmd, int *status)
{
	FILE *p = popen(cmd, "r");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;
	int st;

	if (p == NULL)
		return NULL;
	for (;;) {
		if (cap - len < 4096) {
			char *nb = realloc(buf, cap ? 2 * cap : 65536);

			if (nb == NULL)
				break;
			buf = nb;
			cap = cap ? 2 * cap : 65536;
		}
		n = fread(buf + len, 1, cap - len - 1, p);
		if (n == 0)
			break;
		len += n;
	}
	st = pclose(p);
	*status = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
	if (buf != NULL)
		buf[len] = '\0';
	return buf;
}

static const struct bj *get(const struct bj *o, const char *k)
{
	return o != NULL && o->t == BJ_OBJ ? bj_get(o, k) : NULL;
}

static const char *str(const struct bj *o, const char *k)
{
	const struct bj *v = get(o, k);

	return v != NULL && v->t == BJ_STR ? v->s : "";
}

static double num(const struct bj *o, const char *k)
{
	const struct bj *v = get(o, k);

	return v != NULL && v->t == BJ_NUM ? v->num : -1;
}

static bool boolean(const struct bj *o, const char *k)
{
	const struct bj *v = get(o, k);

	return v != NULL && v->t == BJ_BOOL && v->b;
}

static size_t len(const struct bj *o, const char *k)
{
	const struct bj *v = get(o, k);

	return v != NULL && v->t == BJ_ARR ? v->n : (size_t)-1;
}

/* One line of output per JSON object: the line whose key equals val. */
static struct bj *line_with(const char *out, const char *key, const char *val)
{
	const char *p = out;

	while (p != NULL && *p != '\0') {
		const char *e = strchr(p, '\n');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		char *line = strndup(p, l), err[200];
		struct bj *v = line ? bj_parse(line, err, sizeof err) : NULL;

		free(line);
		if (v != NULL && strcmp(str(v, key), val) == 0)
			return v;
		bj_free(v);
		p = e ? e + 1 : NULL;
	}
	return NULL;
}

static int mismatches;

static void mismatch(const char *test, const char *what, double demo,
		     double cmd)
{
	mismatches++;
	diag("  %s %s: demo says %g, the command %g", test, what, demo, cmd);
}

static void check_models(const char *file, const char *test,
			 const struct bj *models)
{
	char cmd[2048];
	int st;
	char *out;

	snprintf(cmd, sizeof cmd, "'%s' litmus model '%s' --model all --json",
		 bin, file);
	out = run(cmd, &st);
	for (size_t i = 0; models != NULL && i < models->n; i++) {
		const char *m = models->k[i];
		const struct bj *d = models->v[i];
		struct bj *c = out ? line_with(out, "model", m) : NULL;

		if (d->t == BJ_NULL || c == NULL) {
			if ((d->t == BJ_NULL) != (c == NULL))
				mismatch(test, m, d->t == BJ_NULL ? 0 : 1,
					 c == NULL ? 0 : 1);
			bj_free(c);
			continue;
		}
		if (boolean(d, "allowed") != (num(c, "positive") > 0))
			mismatch(test, m, boolean(d, "allowed"),
				 num(c, "positive") > 0);
		if (num(d, "states") != (double)len(c, "states"))
			mismatch(test, m, num(d, "states"),
				 (double)len(c, "states"));
		bj_free(c);
	}
	free(out);
}

static void check_objects(const char *file, const char *test,
			  const struct bj *objs)
{
	for (size_t i = 0; objs != NULL && i < objs->n; i++) {
		const char *lv = objs->k[i], *m;
		const struct bj *d = objs->v[i], *cmp;
		char cmd[2048], what[64];
		struct bj *c;
		char *out;
		int st;

		if (!boolean(d, "explored")) {
			mismatch(test, lv, 0, 1);
			continue;
		}
		m = get(d, "model") && get(d, "model")->t == BJ_STR
			    ? str(d, "model")
			    : NULL;
		snprintf(cmd, sizeof cmd,
			 "'%s' litmus run '%s' --target %s --explore --json "
			 "%s%s",
			 bin, file, lv, m ? "--compare " : "", m ? m : "");
		out = run(cmd, &st);
		c = out ? line_with(out, "test", test) : NULL;
		free(out);
		if (c == NULL) {
			mismatch(test, lv, 1, 0);
			continue;
		}
		snprintf(what, sizeof what, "%s allowed", lv);
		if (boolean(d, "allowed") != (num(c, "positive") > 0))
			mismatch(test, what, boolean(d, "allowed"),
				 num(c, "positive") > 0);
		snprintf(what, sizeof what, "%s states", lv);
		if (num(d, "states") != (double)len(c, "states"))
			mismatch(test, what, num(d, "states"),
				 (double)len(c, "states"));
		snprintf(what, sizeof what, "%s model", lv);
		if (get(c, "model") == NULL ||
		    (m == NULL) != (get(c, "model")->t == BJ_NULL) ||
		    (m != NULL && strcmp(m, str(c, "model")) != 0))
			mismatch(test, what, m != NULL, 0);
		cmp = get(c, "compare");
		if (m != NULL) {
			snprintf(what, sizeof what, "%s only_object", lv);
			if (num(d, "only_object") !=
			    (double)len(cmp, "only_object"))
				mismatch(test, what, num(d, "only_object"),
					 (double)len(cmp, "only_object"));
			snprintf(what, sizeof what, "%s only_model", lv);
			if (num(d, "only_model") !=
			    (double)len(cmp, "only_model"))
				mismatch(test, what, num(d, "only_model"),
					 (double)len(cmp, "only_model"));
		}
		bj_free(c);
	}
}

/* The differences the cells count, as the disagreement lines should. */
static size_t differences(const struct bj *t)
{
	const struct bj *objs = get(t, "objects"), *hw = get(t, "hw");
	size_t n = num(hw, "forbidden_observed") > 0;

	for (size_t i = 0; objs != NULL && i < objs->n; i++)
		n += (num(objs->v[i], "only_object") > 0) +
		     (num(objs->v[i], "only_model") > 0);
	return n;
}

static void check_litmus(const struct bj *lit, uint64_t iters)
{
	const struct bj *tests = get(lit, "tests");
	size_t ndiff = 0;

	ok(tests != NULL && tests->t == BJ_ARR && tests->n >= 16,
	   "litmus: the suite's tests are in the table (%zu)",
	   tests ? tests->n : 0);
	for (size_t i = 0; tests != NULL && i < tests->n; i++) {
		const struct bj *t = tests->v[i], *hw = get(t, "hw");
		const char *name = str(t, "test"), *file = str(t, "file");
		bool x86 = strcmp(str(t, "arch"), "X86") == 0;
		int before = mismatches;

		check_models(file, name, get(t, "models"));
		check_objects(file, name, get(t, "objects"));
		if (!x86 && strcmp(str(hw, "status"), "n/a") != 0)
			mismatch(name, "hw n/a", 0, 1);
#if defined(__x86_64__) || defined(__i386__)
		if (x86 && (strcmp(str(hw, "status"), "ran") != 0 ||
			    num(hw, "iterations") != (double)iters ||
			    num(hw, "observed") > num(hw, "iterations")))
			mismatch(name, "hw ran", 0, 1);
#endif
		ndiff += differences(t);
		ok(mismatches == before,
		   "%s: every cell agrees with litmus model and litmus run "
		   "--explore",
		   name);
	}
	is(len(lit, "disagreements"), ndiff,
	   "litmus: one disagreement line per difference in the cells");
}

static void check_history(const struct bj *h)
{
	const struct bj *sc = get(h, "sc"), *lin = get(h, "lin"),
			*w = get(sc, "witness");

	is_str(str(lin, "lin"), "ok",
	       "history: the lin object's history is "
	       "linearizable");
	is_str(str(sc, "sc"), "ok",
	       "history: the sc object's history is sequentially "
	       "consistent");
	if (num(sc, "stale_reads") <= 0) {
		diag("no stale read in %g runs (scheduling): the witness is "
		     "not checked",
		     num(sc, "runs"));
		skip(2, "no stale read this time");
		return;
	}
	is_str(str(sc, "lin"), "violation",
	       "history: with a stale read, the sc history is not "
	       "linearizable");
	ok(w != NULL && w->t == BJ_OBJ &&
		   num(w, "write_return_ns") < num(w, "read_call_ns") &&
		   num(w, "write_value") > num(w, "read_value"),
	   "history: the witness is a read invoked after a newer write "
	   "returned");
}

/*
 * The page of --html: one self-contained document (nothing fetched: no
 * src, href or script), the litmus table, and each inline SVG plot
 * well-formed.
 */
static void check_html(const char *path, size_t ntests)
{
	char *page = bj_read_file(path), err[300];
	const char *p;
	size_t rows = 0, svgs = 0;
	bool svg_ok = true;

	ok(page != NULL && strncmp(page, "<!DOCTYPE html>", 15) == 0 &&
		   strstr(page, "</html>") != NULL,
	   "html: --html writes a whole page");
	if (page == NULL) {
		skip(3, "no page");
		return;
	}
	ok(strstr(page, "src=") == NULL && strstr(page, "href=") == NULL &&
		   strstr(page, "<script") == NULL,
	   "html: the page is self-contained");
	for (p = page; (p = strstr(p, "<tr><th class=\"t\"")) != NULL; p++)
		rows++;
	is(rows, ntests, "html: one table row per litmus test");
	for (p = page; (p = strstr(p, "<svg")) != NULL; p++) {
		const char *e = strstr(p, "</svg>");
		char *svg = e ? strndup(p, (size_t)(e - p) + 6) : NULL;

		svgs++;
		if (svg == NULL || !svg_wellformed(svg, err, sizeof err)) {
			svg_ok = false;
			diag("svg %zu: %s", svgs, svg ? err : "not closed");
		}
		free(svg);
	}
	ok(svgs >= 2 && svg_ok, "html: %zu inline SVG plots, well-formed",
	   svgs);
	free(page);
}

/*
 * The rsm rows of the cost part: rc_rsm first, then the locks it is
 * compared with, each measured (p10 <= median <= p90).
 */
static void check_rows(const struct bj *rs, const char *what)
{
	static const char *const names[] = { "rsm", "ck_spinlock",
					     "ck_rwlock" };
	bool good = rs != NULL && rs->t == BJ_ARR && rs->n >= 3;

	for (size_t i = 0; good && i < rs->n; i++) {
		const struct bj *r = rs->v[i];

		good = num(r, "ns") > 0 && num(r, "p10") <= num(r, "ns") &&
		       num(r, "ns") <= num(r, "p90") &&
		       (i >= 3 || (str(r, "what") != NULL &&
				   strcmp(str(r, "what"), names[i]) == 0));
	}
	ok(good,
	   "%s: rsm, ck_spinlock and ck_rwlock measured, p10 <= "
	   "median <= p90",
	   what);
}

static void check_cost(const struct bj *c)
{
	const struct bj *lv = get(c, "levels");
	bool good = lv != NULL && lv->t == BJ_ARR && lv->n == 6;

	for (size_t i = 0; good && i < lv->n; i++) {
		const struct bj *r = lv->v[i];

		good = num(r, "ns") > 0 && num(r, "p10") <= num(r, "ns") &&
		       num(r, "ns") <= num(r, "p90");
	}
	ok(good, "cost: plain, lin, sc, tso, causal and eventual measured, "
		 "p10 <= "
		 "median <= p90");
	check_rows(get(c, "rsm"), "cost: rsm");
}

/*
 * The consensus part: four runs (shm and paxos, node 1 running and
 * stalled), each with all its samples; with node 1 stalled the Paxos log
 * keeps committing (ops/s > 0) and the part says so, while the
 * shared-memory log blocks: its updates run out of their bound. That
 * the shm log's 1024 entries fill within a 0.2 s sample holds on any
 * machine that runs the suite at all; the Paxos log's timeouts are
 * reported, not asserted (a leader change under load may cost one).
 * The crash and restart: node 1 went down and came back, the counts add
 * up to the operations recorded, and what the clients saw is
 * linearizable.
 */
static void check_restart(const struct bj *r)
{
	ok(r != NULL && boolean(r, "done") && num(r, "node") == 1 &&
		   num(r, "restarted_ms") >= num(r, "crashed_ms") &&
		   num(r, "crashed_ms") > 0,
	   "consensus: node 1 crashed at %.0f ms and restarted at %.0f ms "
	   "(from entry %.0f)",
	   num(r, "crashed_ms"), num(r, "restarted_ms"), num(r, "restored_at"));
	ok(r != NULL && num(r, "operations") > 0 &&
		   num(r, "reads") + num(r, "writes") +
				   num(r, "indeterminate") ==
			   num(r, "operations") &&
		   num(r, "failed_on_node") <= num(r, "clients_out") &&
		   num(r, "failed_on_node") <= num(r, "indeterminate"),
	   "consensus: the restart's %.0f operations add up (%.0f "
	   "indeterminate, %.0f failed on the down node)",
	   num(r, "operations"), num(r, "indeterminate"),
	   num(r, "failed_on_node"));
	ok(r != NULL && str(r, "verdict") &&
		   strcmp(str(r, "verdict"), "ok") == 0 && str(r, "spec") &&
		   strcmp(str(r, "spec"), "kv") == 0,
	   "consensus: what the clients saw across the restart is "
	   "linearizable");
}

static void check_consensus(const struct bj *c)
{
	const struct bj *runs = get(c, "runs");
	const struct bj *r[4] = { NULL, NULL, NULL, NULL };
	bool all = runs != NULL && runs->t == BJ_ARR && runs->n == 4;

	for (size_t i = 0; all && i < 4; i++) {
		r[i] = runs->v[i];
		all = str(r[i], "log") != NULL &&
		      strcmp(str(r[i], "log"), i < 2 ? "shm" : "paxos") == 0 &&
		      boolean(r[i], "stalled") == (i % 2 == 1) &&
		      num(r[i], "samples") == num(c, "samples") &&
		      num(r[i], "ops_per_s") > 0 &&
		      num(r[i], "p10") <= num(r[i], "ops_per_s") &&
		      num(r[i], "ops_per_s") <= num(r[i], "p90") &&
		      num(r[i], "timeouts") >= 0;
	}
	ok(all && num(c, "samples") > 0 && num(c, "duration_s") > 0 &&
		   num(c, "bound_ns") > 0,
	   "consensus: shm and paxos, node 1 running and stalled, all "
	   "measured");
	if (!all) {
		skip(2, "the runs are not all there");
		check_restart(get(c, "restart"));
		return;
	}
	ok(num(r[3], "ops_per_s") > 0 && boolean(c, "paxos_keeps_serving"),
	   "consensus: paxos with node 1 stalled commits %.0f ops/s "
	   "(%.0f timeouts)",
	   num(r[3], "ops_per_s"), num(r[3], "timeouts"));
	ok(num(r[1], "timeouts") > 0 && boolean(c, "shm_blocks"),
	   "consensus: shm with node 1 stalled blocks: %.0f timeouts",
	   num(r[1], "timeouts"));
	check_restart(get(c, "restart"));
}

/*
 * The coordination part: each protocol's runs counted, properties held,
 * the clocks within the bound at each drift, and every broken copy
 * caught (a seed at which, or a flag).
 */
static void check_coord(const struct bj *c)
{
	const struct bj *lm = get(c, "lmutex"), *clk = get(c, "clocks"),
			*sn = get(c, "snapshot"), *ls = get(c, "lease"),
			*fd = get(c, "fd"), *rows = fd ? get(fd, "rows") : NULL;
	bool fds = rows != NULL && rows->t == BJ_ARR && rows->n == 2;
	bool clocks = clk != NULL && clk->t == BJ_ARR && clk->n == 3;

	ok(lm != NULL && num(lm, "runs") > 0 &&
		   num(lm, "granted") == num(lm, "requested") &&
		   boolean(lm, "properties_hold") &&
		   num(lm, "crash_runs_blocked") > 0 &&
		   num(lm, "broken_caught_at_seed") >= 1,
	   "coordination: lmutex grants every request, blocks on a crash, "
	   "and its broken copy is caught at seed %.0f",
	   lm ? num(lm, "broken_caught_at_seed") : -1);
	for (size_t i = 0; clocks && i < 3; i++)
		clocks = num(clk->v[i], "samples") > 0 &&
			 num(clk->v[i], "max_skew_us") > 0 &&
			 num(clk->v[i], "max_skew_us") <=
				 num(clk->v[i], "bound_us") &&
			 boolean(clk->v[i], "within");
	ok(clocks, "coordination: clocks within Lamport's bound at three "
		   "drifts");
	for (size_t i = 0; fds && i < 2; i++)
		fds = num(rows->v[i], "crashes") > 0 &&
		      num(rows->v[i], "detect_heartbeat_ns_mean") > 0 &&
		      num(rows->v[i], "detect_phi_ns_mean") > 0 &&
		      boolean(rows->v[i], "properties_hold");
	ok(fds &&
		   num(rows->v[0], "false_heartbeat") <=
			   num(rows->v[1], "false_heartbeat") &&
		   num(fd, "broken_caught_at_seed") >= 1,
	   "coordination: failure detectors detect every crash, complete "
	   "and eventually accurate, and the sticky one is caught");
	ok(sn != NULL && num(sn, "snapshots") > 0 && num(sn, "complete") > 0 &&
		   boolean(sn, "properties_hold") &&
		   num(sn, "broken_caught_at_seed") >= 1,
	   "coordination: %.0f snapshots, %.0f complete, late markers caught",
	   sn ? num(sn, "snapshots") : -1, sn ? num(sn, "complete") : -1);
	ok(ls != NULL && num(ls, "rejected_stale") >= 1 &&
		   boolean(ls, "properties_hold") &&
		   boolean(ls, "broken_caught"),
	   "coordination: the paused holder's stale write rejected, and "
	   "a store that ignores tokens caught");
}

/*
 * The limits part: FLP's adversary fair and undecided, bivalent at every
 * step, then deciding once partial synchrony begins; every generals
 * protocol with a run in which exactly one general attacks.
 */
static void check_limits(const struct bj *c)
{
	const struct bj *flp = get(c, "flp"), *gen = get(c, "generals");
	bool gens = gen != NULL && gen->t == BJ_ARR && gen->n == 8;

	ok(flp != NULL && num(flp, "steps") == 100000 && boolean(flp, "fair") &&
		   boolean(flp, "bivalent") && !boolean(flp, "decided") &&
		   num(flp, "delivered") > 0 &&
		   num(flp, "max_delay_steps") <= num(flp, "bound_steps") &&
		   boolean(flp, "sync_decided") && boolean(flp, "sync_agree") &&
		   num(flp, "sync_decided_at") >= num(flp, "gst"),
	   "limits: FLP's adversary keeps Paxos undecided for 100000 fair "
	   "steps, and partial synchrony decides");
	for (size_t i = 0; gens && i < 8; i++)
		gens = num(gen->v[i], "messages") == (double)(i + 1) &&
		       num(gen->v[i], "disagree") >= 1 &&
		       boolean(gen->v[i], "attack_a") !=
			       boolean(gen->v[i], "attack_b");
	ok(gens, "limits: the two generals disagree in a run of every "
		 "protocol of 1 to 8 messages");
	{
		const struct bj *pb = get(c, "pbft");
		bool two = pb != NULL && pb->t == BJ_ARR && pb->n == 2;

		for (size_t i = 0; two && i < 2; i++)
			two = num(pb->v[i], "runs") > 0 &&
			      boolean(pb->v[i], "properties_hold") &&
			      num(pb->v[i], "byzantine") ==
				      (num(pb->v[i], "nodes") - 1) / 3;
		ok(two && boolean(c, "pbft_tight_broken"),
		   "limits: PBFT holds with f Byzantine of 3f + 1 (f = 1, 2) "
		   "and breaks with one more");
	}
	{
		const struct bj *cap = get(c, "cap");
		bool two = cap != NULL && cap->t == BJ_ARR && cap->n == 2;
		const struct bj *cm = two ? cap->v[0] : NULL,
				*am = two ? cap->v[1] : NULL;

		ok(two && str(cm, "verdict") &&
			   strcmp(str(cm, "verdict"), "ok") == 0 &&
			   num(cm, "answered") < num(cm, "ops") &&
			   num(am, "answered") == num(am, "ops") &&
			   str(am, "verdict") &&
			   strcmp(str(am, "verdict"), "violation") == 0,
		   "limits: CAP, consistent linearizable below 100%% "
		   "available, available at 100%% and not linearizable");
	}
}

int main(void)
{
	const char *b = getenv("RC_BIN"), *tmp = getenv("TMPDIR");
	uint64_t iters = tap_env_u64("RC_DEMO_HW_ITERATIONS", 2000);
	char cmd[4096], err[300], html[512];
	struct bj *v;
	char *out;
	int st;

	snprintf(bin, sizeof bin, "%s", b != NULL ? b : "./replicore");
	snprintf(html, sizeof html, "%s/rc-demo-%d.html",
		 tmp != NULL ? tmp : "/tmp", (int)getpid());
	snprintf(cmd, sizeof cmd,
		 "'%s' demo --json --html '%s' -n %llu --history-rounds 100 "
		 "--history-runs 3 --cost-ops 5000 --cost-samples 3",
		 bin, html, (unsigned long long)iters);
	out = run(cmd, &st);
	ok(out != NULL && (st == 0 || st == 1),
	   "demo --json runs every part (exit status %d)", st);
	v = out != NULL ? bj_parse(out, err, sizeof err) : NULL;
	if (!ok(v != NULL, "demo --json prints one JSON object"))
		diag("%s", out != NULL ? err : "no output");
	free(out);
	if (v == NULL) {
		done_testing();
		return exit_status();
	}
	is_str(str(v, "schema"), "replicore-demo/1", "schema is named");
	is(boolean(v, "failed"), st == 1, "failed matches the exit status");
	check_litmus(get(v, "litmus"), iters);
	check_html(html, len(get(v, "litmus"), "tests"));
	unlink(html);
	check_history(get(v, "history"));
	check_consensus(get(v, "consensus"));
	check_coord(get(v, "coordination"));
	check_limits(get(v, "limits"));
	check_cost(get(v, "cost"));
	bj_free(v);
	done_testing();
	return exit_status();
}
