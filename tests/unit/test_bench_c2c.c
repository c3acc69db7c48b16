/* SPDX-License-Identifier: MIT */
/* test_bench_c2c.c: `replicore bench c2c` beside its floors, the plainest ping-pong loops: the result's shape is checked, the ratios are reported, not asserted. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <replicore/topo.h>

#include "tests/tap.h"
#include "tests/unit/bench_json.h"

/*
 * bench c2c measures every pair in rounds of one sample of "cas", "store"
 * and each one's floor (the plainest ping-pong of the same exchange, for
 * a fixed number of round trips with nothing else in the loop but a clock
 * read per chunk), and gives each method's ratio to its floor within each
 * round; it also times every sample in chunks of about 1,000 round trips
 * and gives the minimum and median chunk of each method and floor, and
 * the ratio of the two chunk medians. This test runs it on the machine
 * and prints those numbers as diagnostics; it asserts only that the run
 * succeeds, that its JSON matches bench/schema.json, that the chunk
 * figures agree with each other (0 < minimum <= median, the ratio is the
 * medians' quotient) and that its plot is well-formed SVG, since timings
 * depend on the machine and its load.
 */

/* "median [p10, p90]" of the stats object s with prec decimals. */
static const char *cell(const struct bj *s, int prec, char *buf, size_t n)
{
	const struct bj *m = bj_get(s, "median"), *lo = bj_get(s, "p10");
	const struct bj *hi = bj_get(s, "p90");

	if (m == NULL || lo == NULL || hi == NULL)
		snprintf(buf, n, "none (timed out)");
	else
		snprintf(buf, n, "%.*f [%.*f, %.*f]", prec, m->num, prec,
			 lo->num, prec, hi->num);
	return buf;
}

/* "minimum / median" of a result's chunks, keys min and median. */
static const char *chunk_cell(const struct bj *e, const char *min,
			      const char *median, char *buf, size_t n)
{
	const struct bj *lo = bj_get(e, min), *mid = bj_get(e, median);

	if (lo == NULL || mid == NULL || lo->t != BJ_NUM || mid->t != BJ_NUM)
		snprintf(buf, n, "none (no chunk completed)");
	else
		snprintf(buf, n, "%.1f / %.1f", lo->num, mid->num);
	return buf;
}

/* Prints each result's latency, floor and ratio to the floor. */
static void report(const struct bj *v)
{
	const struct bj *r = bj_get(v, "results");
	const struct bj *n = bj_get(bj_get(v, "settings"), "repeat");

	diag("per pair and method: median [p10, p90] over %.0f rounds; the "
	     "ratio is taken within each round",
	     n != NULL ? n->num : 0);
	for (size_t i = 0; r != NULL && i < r->n; i++) {
		const struct bj *e = r->v[i];
		const struct bj *ratio =
			bj_get(bj_get(e, "ratio_to_floor"), "median");
		char c[3][64];

		diag("(%.0f, %.0f) %-5s %s ns; floor %s ns; ratio %s%s",
		     bj_get(e, "a")->num, bj_get(e, "b")->num,
		     bj_get(e, "method")->s,
		     cell(bj_get(e, "latency_ns"), 1, c[0], sizeof c[0]),
		     cell(bj_get(e, "floor_ns"), 1, c[1], sizeof c[1]),
		     cell(bj_get(e, "ratio_to_floor"), 3, c[2], sizeof c[2]),
		     ratio == NULL			      ? ""
		     : ratio->num >= 0.9 && ratio->num <= 1.1 ? " (within 10%)"
							      : " (not within "
								"10%)");
	}
	diag("per pair and method: minimum / median one way over the chunks "
	     "of %.0f round trips of every round, and the method's chunk "
	     "median over its floor's",
	     bj_get(bj_get(v, "chunks"), "round_trips")->num);
	for (size_t i = 0; r != NULL && i < r->n; i++) {
		const struct bj *e = r->v[i];
		const struct bj *q = bj_get(e, "chunk_ratio_to_floor");
		char c[2][64];

		diag("(%.0f, %.0f) %-5s chunks %s ns; floor %s ns; chunk ratio "
		     "%.3f%s",
		     bj_get(e, "a")->num, bj_get(e, "b")->num,
		     bj_get(e, "method")->s,
		     chunk_cell(e, "chunk_min_ns", "chunk_median_ns", c[0],
				sizeof c[0]),
		     chunk_cell(e, "floor_chunk_min_ns",
				"floor_chunk_median_ns", c[1], sizeof c[1]),
		     q->t == BJ_NUM ? q->num : NAN,
		     q->t != BJ_NUM ? ""
		     : q->num <= 1.3 && q->num >= 1 / 1.3
			     ? " (within 1.3x)"
			     : " (not within 1.3x)");
	}
}

int main(void)
{
	const char *b = getenv("RC_BIN"), *sd = getenv("RC_SRCDIR");
	const char *tmp = getenv("TMPDIR");
	double seconds = (double)tap_env_u64("RC_BENCH_FLOOR_MS", 20) / 1e3;
	unsigned reps = (unsigned)tap_env_u64("RC_BENCH_FLOOR_REPEAT", 7);
	char dir[256], path[1200], cmd[4096], err[600], *text;
	double loads[3] = { -1, -1, -1 };
	struct bj *schema, *v;
	bool valid = false, wf = false;
	rc_topo_t *topo;
	int st;

	if (reps < 1)
		reps = 1;
	if (reps > 1000)
		reps = 1000;
	if (seconds <= 0)
		seconds = 0.001;
	if (rc_topo_open(&topo, NULL, NULL, NULL) < 0)
		skip_all("cannot read the machine's topology");
	if (rc_topo_npus(topo) < 2) {
		rc_topo_close(topo);
		skip_all("the machine has one PU: no pair to measure");
	}
	rc_topo_close(topo);
	snprintf(path, sizeof path, "%s/bench/schema.json",
		 sd && *sd ? sd : ".");
	schema = bj_parse_file(path, err, sizeof err);
	if (schema == NULL) {
		printf("Bail out! %s: %s\n", path, err);
		return 1;
	}
	snprintf(dir, sizeof dir, "%s/rc-bench-c2c-XXXXXX", tmp ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL)
		skip_all("cannot make a temporary directory");
	plan(5);
	getloadavg(loads, 3);
	diag("load average %.2f %.2f %.2f: other work on this machine "
	     "disturbs the numbers below",
	     loads[0], loads[1], loads[2]);

	snprintf(cmd, sizeof cmd,
		 "'%s' bench c2c --json --plot '%s/c2c.svg' --duration %g "
		 "--repeat %u >'%s/out' 2>'%s/err'",
		 b && *b ? b : "./replicore", dir, seconds, reps, dir, dir);
	st = system(cmd);
	st = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
	is(st, 0, "replicore bench c2c --json --plot exits 0");
	if (st != 0) {
		snprintf(path, sizeof path, "%s/err", dir);
		text = bj_read_file(path);
		if (text != NULL && *text != '\0')
			diag("stderr: %.400s", text);
		free(text);
	}

	snprintf(path, sizeof path, "%s/out", dir);
	v = bj_parse_file(path, err, sizeof err);
	ok(v != NULL, "stdout is JSON");
	if (v == NULL)
		diag("%s", err);
	else {
		valid = bj_validate(schema, schema, v, "", err, sizeof err);
		if (!valid)
			diag("%s", err);
	}
	ok(valid, "the result is valid against bench/schema.json");
	if (valid) {
		bool chunks_ok = bj_c2c_chunks_ok(v, err, sizeof err);

		ok(chunks_ok, "each chunk minimum is above 0 and at most its "
			      "median, and each chunk ratio is the quotient of "
			      "the medians");
		if (!chunks_ok)
			diag("%s", err);
		report(v);
	} else {
		skip(1, "no valid result");
	}

	snprintf(path, sizeof path, "%s/c2c.svg", dir);
	text = bj_read_file(path);
	wf = text != NULL && svg_wellformed(text, err, sizeof err);
	if (!wf)
		diag("%s", text ? err : "no SVG file");
	ok(wf, "the heat map is well-formed SVG");
	free(text);

	remove(path);
	snprintf(path, sizeof path, "%s/out", dir);
	remove(path);
	snprintf(path, sizeof path, "%s/err", dir);
	remove(path);
	rmdir(dir);
	bj_free(v);
	bj_free(schema);
	return exit_status();
}
