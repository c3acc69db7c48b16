/* SPDX-License-Identifier: MIT */
/* test_bench_output.c: bench c2c, fence, atomic, mem, rsm (and its memory run), paxos, lmutex and consensus with tiny durations or counts: JSON against bench/schema.json, well-formed SVG, options. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <replicore/paxos.h>
#include <replicore/topo.h>

#include "tests/tap.h"
#include "tests/unit/bench_json.h"

static char dir[256], bin[1024], srcdir[1024];
static struct bj *schema;

/* Runs "$RC_BIN bench ARGS" with stdout and stderr to files; exit status. */
static int run(const char *args)
{
	char cmd[4096];
	int st;

	snprintf(cmd, sizeof cmd, "'%s' bench %s >'%s/out' 2>'%s/err'", bin,
		 args, dir, dir);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static char *slurp(const char *name)
{
	char path[512];

	snprintf(path, sizeof path, "%s/%s", dir, name);
	return bj_read_file(path);
}

static void show_err(void)
{
	char *e = slurp("err");

	if (e != NULL && e[0] != '\0')
		diag("stderr: %.400s", e);
	free(e);
}

/* Validates out as a result of kind; returns the parsed value or NULL. */
static struct bj *check_json(const char *kind, const char *what)
{
	char err[600];
	char *text = slurp("out");
	struct bj *v = text ? bj_parse(text, err, sizeof err) : NULL;
	const struct bj *b;
	bool valid;

	ok(v != NULL, "%s: stdout is JSON", what);
	if (v == NULL) {
		diag("%s", text ? err : "no output");
		free(text);
		skip(2, "no JSON");
		return NULL;
	}
	free(text);
	valid = bj_validate(schema, schema, v, "", err, sizeof err);
	ok(valid, "%s: valid against bench/schema.json", what);
	if (!valid)
		diag("%s", err);
	b = bj_get(v, "benchmark");
	ok(b != NULL && b->t == BJ_STR && strcmp(b->s, kind) == 0,
	   "%s: benchmark is \"%s\"", what, kind);
	return v;
}

static void check_svg(const char *name, const char *const *labels,
		      const char *what)
{
	char err[256];
	char *s = slurp(name);
	bool wf = s != NULL && svg_wellformed(s, err, sizeof err);
	bool all = s != NULL;

	ok(wf, "%s: the SVG is well-formed", what);
	if (!wf)
		diag("%s", s ? err : "no file");
	for (size_t i = 0; s != NULL && labels[i] != NULL; i++)
		if (strstr(s, labels[i]) == NULL) {
			diag("no '%s' in the SVG", labels[i]);
			all = false;
		}
	ok(all, "%s: axis labels and units present", what);
	free(s);
}

static size_t nresults(const struct bj *v)
{
	const struct bj *r = bj_get(v, "results");

	return r != NULL && r->t == BJ_ARR ? r->n : 0;
}

/* c2c: the chunk members agree with each other (bj_c2c_chunks_ok()). */
static void check_chunks(const struct bj *v, const char *what)
{
	char err[600] = "no result";
	bool good = v != NULL && bj_c2c_chunks_ok(v, err, sizeof err);

	ok(good,
	   "%s: chunk minimum <= median, both > 0 or both null, ratio "
	   "of the medians",
	   what);
	if (!good)
		diag("%s", err);
}

/* A c2c result with one method's chunk members, as JSON text. */
#define C2C_CHUNKS(MIN, MED, N, RATIO)                                       \
	"{\"chunks\":{\"round_trips\":1024},\"results\":[{"                  \
	"\"chunk_min_ns\":" MIN ",\"chunk_median_ns\":" MED ",\"chunks\":" N \
	",\"floor_chunk_min_ns\":20,"                                        \
	"\"floor_chunk_median_ns\":25,\"floor_chunks\":9,"                   \
	"\"chunk_ratio_to_floor\":" RATIO "}]}"

/* The chunk check must reject figures that disagree with each other. */
static void self_test_chunks(void)
{
	static const char *const bad[] = {
		C2C_CHUNKS("30", "28", "9", "1.12"),	 /* min > median */
		C2C_CHUNKS("0", "28", "9", "1.12"),	 /* min 0 */
		C2C_CHUNKS("20", "28", "0", "1.12"),	 /* figures, no chunk */
		C2C_CHUNKS("null", "null", "9", "null"), /* chunks, no figure */
		C2C_CHUNKS("20", "28", "9", "1.3"),	 /* not 28 / 25 */
		C2C_CHUNKS("null", "null", "0", "1.12"), /* ratio of nothing */
	};
	char err[600];
	bool all = true;
	struct bj *v;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		v = bj_parse(bad[i], err, sizeof err);
		if (v == NULL || bj_c2c_chunks_ok(v, err, sizeof err)) {
			diag("not rejected: %s", bad[i]);
			all = false;
		}
		bj_free(v);
	}
	ok(all, "chunk check: rejects min > median, min 0, figures without "
		"chunks and chunks without, a ratio off the medians' or of "
		"nothing");
	v = bj_parse(C2C_CHUNKS("20", "28", "9", "1.12"), err, sizeof err);
	ok(v != NULL && bj_c2c_chunks_ok(v, err, sizeof err),
	   "chunk check: accepts figures that agree");
	bj_free(v);
	v = bj_parse(C2C_CHUNKS("null", "null", "0", "null"), err, sizeof err);
	ok(v != NULL && bj_c2c_chunks_ok(v, err, sizeof err),
	   "chunk check: accepts a method with no chunk");
	bj_free(v);
}

/* A number member's value, NAN when it is null or absent. */
static double num_or_nan(const struct bj *o, const char *key)
{
	const struct bj *x = bj_get(o, key);

	return x != NULL && x->t == BJ_NUM ? x->num : NAN;
}

/* A stats member's median, NAN when it is null or absent. */
static double median_of(const struct bj *o, const char *key)
{
	return num_or_nan(bj_get(o, key), "median");
}

/* a and b agree to 0.1% (or are both not finite). */
static bool close_to(double a, double b)
{
	if (!isfinite(a) || !isfinite(b))
		return !isfinite(a) && !isfinite(b);
	return fabs(a - b) <= 1e-3 * fabs(b) + 1e-9;
}

/*
 * bench paxos's own members agree with each other, whatever the timings:
 * a Paxos row has a runner, a layout and a count of lost messages, a shm
 * row none; p50 <= p99 <= p99.9 in every row; the floor is twice its
 * chunk median and the ratio is p50 over it (all null, with a reason,
 * when the floor did not run); the map ratio is paxos over shm.
 */
/*
 * bench consensus's rows: paxos and raft for 3 then 5 nodes, the
 * messages per command of Paxos equal to what rc_paxos_sim_run gives for
 * seed 1 (the run used --repeat 1), p50 <= p99, and a failover figure
 * exactly when no failover failed.
 */
static bool consensus_ok(const struct bj *v, char *err, size_t errn)
{
	static const char *const proto[] = { "paxos", "raft" };
	const struct bj *r = bj_get(v, "results");

	if (r == NULL || r->t != BJ_ARR || r->n != 4 ||
	    bj_get(v, "load_start") == NULL || bj_get(v, "load_end") == NULL) {
		snprintf(err, errn, "a member is missing");
		return false;
	}
	for (size_t i = 0; i < r->n; i++) {
		const struct bj *x = r->v[i], *p = bj_get(x, "protocol");
		unsigned nodes = i < 2 ? 3 : 5;
		double p50 = median_of(x, "latency_p50_ns"),
		       p99 = median_of(x, "latency_p99_ns"),
		       m = median_of(x, "messages_per_command"),
		       failed = num_or_nan(x, "failovers_failed");

		if (p == NULL || p->t != BJ_STR ||
		    strcmp(p->s, proto[i % 2]) != 0 ||
		    num_or_nan(x, "nodes") != nodes) {
			snprintf(err, errn, "result %zu: not %s with %u nodes",
				 i, proto[i % 2], nodes);
			return false;
		}
		if (!(m > 0)) {
			snprintf(err, errn,
				 "result %zu: no messages per command", i);
			return false;
		}
		if (i % 2 == 0) {
			struct rc_paxos_sim_opts o;
			struct rc_paxos_sim_result res;
			const struct rc_paxos_config cfg =
				RC_PAXOS_CONFIG_INITIALIZER;
			rc_err_t e = RC_ERR_INITIALIZER;

			memset(&o, 0, sizeof o);
			o.cfg = cfg;
			o.cfg.nodes = nodes;
			o.cfg.seed = 1;
			o.commands = (unsigned)num_or_nan(x, "sim_commands");
			if (rc_paxos_sim_run(&o, &res, &e) < 0 ||
			    res.committed == 0 ||
			    !close_to(m, (double)res.messages /
						 (double)res.committed)) {
				snprintf(err, errn,
					 "result %zu: %g messages per command, "
					 "not the simulation's",
					 i, m);
				return false;
			}
		}
		if (isfinite(p50) && isfinite(p99) && !(p50 <= p99)) {
			snprintf(err, errn, "result %zu: p50 %g above p99 %g",
				 i, p50, p99);
			return false;
		}
		if (isfinite(median_of(x, "failover_ns")) != (failed == 0)) {
			snprintf(err, errn,
				 "result %zu: a failover figure beside %g "
				 "failed failovers",
				 i, failed);
			return false;
		}
	}
	return true;
}

static bool paxos_ok(const struct bj *v, char *err, size_t errn)
{
	const struct bj *r = bj_get(v, "results"),
			*f = bj_get(v, "paxos_floor");
	const struct bj *m = bj_get(v, "map_ratio"), *nm;
	double fl, ratio;

	if (r == NULL || r->t != BJ_ARR || f == NULL || m == NULL ||
	    bj_get(v, "load_start") == NULL || bj_get(v, "load_end") == NULL) {
		snprintf(err, errn, "a member is missing");
		return false;
	}
	for (size_t i = 0; i < r->n; i++) {
		const struct bj *x = r->v[i], *log = bj_get(x, "log");
		bool shm = log != NULL && log->t == BJ_STR &&
			   strcmp(log->s, "shm") == 0;
		double p50 = median_of(x, "latency_p50_ns"),
		       p99 = median_of(x, "latency_p99_ns"),
		       p999 = median_of(x, "latency_p999_ns");

		if ((bj_get(x, "runner")->t == BJ_NULL) != shm ||
		    (bj_get(x, "layout")->t == BJ_NULL) != shm ||
		    (bj_get(x, "lost")->t == BJ_NULL) != shm) {
			snprintf(err, errn,
				 "result %zu: runner, layout and lost are "
				 "null exactly for shm",
				 i);
			return false;
		}
		if (isfinite(p50) && isfinite(p99) && isfinite(p999) &&
		    !(p50 <= p99 && p99 <= p999)) {
			snprintf(err, errn,
				 "result %zu: p50 %g, p99 %g, p99.9 %g out of "
				 "order",
				 i, p50, p99, p999);
			return false;
		}
	}
	nm = bj_get(f, "not_measured");
	fl = num_or_nan(f, "floor_ns");
	ratio = num_or_nan(f, "ratio");
	if (nm == NULL || (nm->t == BJ_NULL) != isfinite(fl) ||
	    (isfinite(fl) &&
	     !close_to(fl, 2 * num_or_nan(f, "chunk_median_ns"))) ||
	    (isfinite(fl) && !(num_or_nan(f, "chunk_min_ns") <=
			       num_or_nan(f, "chunk_median_ns"))) ||
	    !close_to(ratio,
		      isfinite(fl) ? num_or_nan(f, "p50_ns") / fl : NAN)) {
		snprintf(err, errn,
			 "floor: %g ns, ratio %g: not twice the chunk median, "
			 "not p50 over it, or a figure beside a reason",
			 fl, ratio);
		return false;
	}
	if (!close_to(num_or_nan(m, "paxos_vs_shm"),
		      num_or_nan(m, "paxos_ops_per_s") /
			      num_or_nan(m, "shm_ops_per_s"))) {
		snprintf(err, errn, "map_ratio: not paxos over shm");
		return false;
	}
	return true;
}

/*
 * bench paxos's reads: eight rows, callers then threads, each without
 * then with a writer, each by the tail then by the read index; p50 <=
 * p99 in every row; the writer's puts per second exactly in the rows
 * with a writer; node 1 reading, node 0 leading.
 */
static bool reads_ok(const struct bj *v, char *err, size_t errn)
{
	static const char *const runner[] = { "callers", "threads" };
	static const char *const mode[] = { "tail", "index" };
	const struct bj *rd = bj_get(v, "reads"), *r;

	r = bj_get(rd, "rows");
	if (rd == NULL || r == NULL || r->t != BJ_ARR || r->n != 8 ||
	    num_or_nan(rd, "reader_node") != 1 ||
	    num_or_nan(rd, "leader_node") != 0 ||
	    bj_get(rd, "load_start") == NULL ||
	    bj_get(rd, "load_end") == NULL) {
		snprintf(err, errn, "reads: a member is missing");
		return false;
	}
	for (size_t i = 0; i < r->n; i++) {
		const struct bj *x = r->v[i], *ru = bj_get(x, "runner"),
				*m = bj_get(x, "read_mode"),
				*w = bj_get(x, "writer"),
				*p = bj_get(x, "writer_puts_per_s");
		double p50 = median_of(x, "latency_p50_ns"),
		       p99 = median_of(x, "latency_p99_ns");
		bool writer = i / 2 % 2;

		if (ru == NULL || ru->t != BJ_STR ||
		    strcmp(ru->s, runner[i / 4]) != 0 || m == NULL ||
		    m->t != BJ_STR || strcmp(m->s, mode[i % 2]) != 0 ||
		    w == NULL || w->t != BJ_BOOL || w->b != writer) {
			snprintf(err, errn,
				 "reads row %zu: not %s, %s, %s a writer", i,
				 runner[i / 4], mode[i % 2],
				 writer ? "with" : "without");
			return false;
		}
		if (p == NULL || (p->t == BJ_NULL) == writer) {
			snprintf(err, errn,
				 "reads row %zu: puts per second %s a writer",
				 i, writer ? "missing with" : "without");
			return false;
		}
		if (isfinite(p50) != isfinite(p99) ||
		    (isfinite(p50) && !(p50 <= p99))) {
			snprintf(err, errn,
				 "reads row %zu: p50 %g, p99 %g out of order",
				 i, p50, p99);
			return false;
		}
	}
	return true;
}

/* bench paxos's reads with the third row (callers, tail, a writer) given,
 * as JSON text. */
#define READ_ROW(RUNNER, MODE, W, P50, PUTS)                                  \
	"{\"runner\":\"" RUNNER "\",\"read_mode\":\"" MODE "\",\"writer\":" W \
	",\"latency_p50_ns\":{\"median\":" P50                                \
	"},\"latency_p99_ns\":{\"median\":900},\"writer_puts_per_s\":" PUTS   \
	"}"
#define W_PUTS "{\"median\":1}"
#define R_CT READ_ROW("callers", "tail", "false", "30", "null")
#define R_CI READ_ROW("callers", "index", "false", "600", "null")
#define R_CIW READ_ROW("callers", "index", "true", "600", W_PUTS)
#define R_TT READ_ROW("threads", "tail", "false", "30", "null")
#define R_TI READ_ROW("threads", "index", "false", "600", "null")
#define R_TTW READ_ROW("threads", "tail", "true", "30", W_PUTS)
#define R_TIW READ_ROW("threads", "index", "true", "600", W_PUTS)
#define READS(ROW2)                                                            \
	"{\"reads\":{\"reader_node\":1,\"leader_node\":0,"                     \
	"\"load_start\":null,\"load_end\":1,\"rows\":[" R_CT "," R_CI "," ROW2 \
	"," R_CIW "," R_TT "," R_TI "," R_TTW "," R_TIW "]}}"

/* The reads check must reject rows that disagree with the run. */
static void self_test_reads(void)
{
	static const char *const bad[] = {
		/* p50 above p99 */
		READS(READ_ROW("callers", "tail", "true", "1000", W_PUTS)),
		/* no puts per second beside a writer */
		READS(READ_ROW("callers", "tail", "true", "30", "null")),
		/* a writer where none belongs */
		READS(READ_ROW("callers", "tail", "false", "30", "null")),
		/* the read index where the tail belongs */
		READS(READ_ROW("callers", "index", "true", "30", W_PUTS)),
	};
	char err[600];
	bool all = true;
	struct bj *v;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		v = bj_parse(bad[i], err, sizeof err);
		if (v == NULL || reads_ok(v, err, sizeof err)) {
			diag("not rejected: %s", bad[i]);
			all = false;
		}
		bj_free(v);
	}
	ok(all, "reads check: rejects p50 above p99, a writer without puts "
		"per second or out of place, a row out of order");
	v = bj_parse(READS(READ_ROW("callers", "tail", "true", "30", W_PUTS)),
		     err, sizeof err);
	ok(v != NULL && reads_ok(v, err, sizeof err),
	   "reads check: accepts rows that agree");
	bj_free(v);
}

/* A paxos result's own members, as JSON text. */
#define PAXOS_RES(LOST, FLOOR, RATIO, WHY)                               \
	"{\"load_start\":0.5,\"load_end\":null,\"results\":[{\"log\":"   \
	"\"paxos\",\"runner\":\"callers\",\"layout\":\"numa:3\","        \
	"\"lost\":" LOST                                                 \
	",\"latency_p50_ns\":{\"median\":900},\"latency_p99_ns\":"       \
	"{\"median\":5000},\"latency_p999_ns\":{\"median\":9000}}],"     \
	"\"paxos_floor\":{\"chunk_min_ns\":100,\"chunk_median_ns\":150," \
	"\"floor_ns\":" FLOOR ",\"p50_ns\":900,\"ratio\":" RATIO         \
	",\"not_measured\":" WHY "},\"map_ratio\":{\"shm_ops_per_s\":4," \
	"\"paxos_ops_per_s\":1,\"paxos_vs_shm\":0.25}}"

/* The paxos check must reject figures that disagree with each other. */
static void self_test_paxos(void)
{
	static const char *const bad[] = {
		PAXOS_RES("null", "300", "3", "null"),	/* no lost count */
		PAXOS_RES("0", "150", "6", "null"),	/* not 2 x median */
		PAXOS_RES("0", "300", "2", "null"),	/* not p50 / floor */
		PAXOS_RES("0", "300", "3", "\"why\""),	/* figure, reason */
		PAXOS_RES("0", "null", "null", "null"), /* no figure, why? */
	};
	char err[600];
	bool all = true;
	struct bj *v;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		v = bj_parse(bad[i], err, sizeof err);
		if (v == NULL || paxos_ok(v, err, sizeof err)) {
			diag("not rejected: %s", bad[i]);
			all = false;
		}
		bj_free(v);
	}
	ok(all, "paxos check: rejects a Paxos row without lost messages, a "
		"floor off twice its median, a ratio off p50 over it, and a "
		"floor beside a reason or neither");
	v = bj_parse(PAXOS_RES("0", "300", "3", "null"), err, sizeof err);
	ok(v != NULL && paxos_ok(v, err, sizeof err),
	   "paxos check: accepts figures that agree");
	bj_free(v);
	v = bj_parse(PAXOS_RES("0", "null", "null", "\"one CPU\""), err,
		     sizeof err);
	ok(v != NULL && paxos_ok(v, err, sizeof err),
	   "paxos check: accepts a floor that did not run, with its reason");
	bj_free(v);
}

/*
 * bench rsm --memory's rows agree with each other and with the run, what
 * ever the sizes: shm then paxos, busy then with node 1 idle, every one
 * of n commands completed, the
 * first size taken after n / 10 of them (n below 10,000,000), the sizes
 * known, the ratio end over first, and the verdict that of the ratio
 * against the tolerance. The verdict itself is not checked: memory
 * targets are the benchmark's.
 */
static bool memory_ok(const struct bj *v, double n, char *err, size_t errn)
{
	static const char *const logs[] = { "shm", "paxos", "shm", "paxos" };
	const struct bj *r = bj_get(v, "results");

	if (r == NULL || r->t != BJ_ARR || r->n != 4 ||
	    bj_get(v, "load_start") == NULL || bj_get(v, "load_end") == NULL) {
		snprintf(err, errn, "not four results and the load figures");
		return false;
	}
	for (size_t i = 0; i < 4; i++) {
		const struct bj *x = r->v[i], *log = bj_get(x, "log"),
				*t = bj_get(x, "rss_tenths_kib"),
				*w = bj_get(x, "within_tolerance"),
				*idle = bj_get(x, "node1_idle");
		double first = num_or_nan(x, "rss_first_kib"),
		       end = num_or_nan(x, "rss_end_kib"),
		       ratio = num_or_nan(x, "end_vs_first"),
		       tol = num_or_nan(x, "tolerance");

		if (log == NULL || log->t != BJ_STR ||
		    strcmp(log->s, logs[i]) != 0 || idle == NULL ||
		    idle->t != BJ_BOOL || idle->b != (i >= 2) ||
		    num_or_nan(x, "commands") != n ||
		    num_or_nan(x, "completed") != n ||
		    num_or_nan(x, "first_commands") != floor(n / 10)) {
			snprintf(err, errn,
				 "result %zu: not %s, or not all %g commands "
				 "completed with the first size at a tenth",
				 i, logs[i], n);
			return false;
		}
		if (!(first > 0) || !(end > 0) ||
		    !close_to(ratio, end / first) || w == NULL ||
		    w->t != BJ_BOOL || w->b != (fabs(ratio - 1) <= tol)) {
			snprintf(err, errn,
				 "result %zu: sizes %g and %g KiB, ratio %g, "
				 "verdict not that of the ratio",
				 i, first, end, ratio);
			return false;
		}
		for (size_t k = 0; t != NULL && k < t->n; k++)
			if (t->v[k]->t != BJ_NUM || !(t->v[k]->num > 0))
				t = NULL;
		if (t == NULL || t->n != 10) {
			snprintf(err, errn,
				 "result %zu: a tenth's size missing", i);
			return false;
		}
	}
	return true;
}

/* A memory result with the paxos row's completed commands, end size,
 * ratio and verdict, as JSON text (the shm row agrees). */
#define MEM_ROW(LOG, IDLE, DONE, END, RATIO, WITHIN)                 \
	"{\"log\":\"" LOG "\",\"node1_idle\":" IDLE                     \
	",\"commands\":1000,\"completed\":" DONE                         \
	",\"first_commands\":100,\"rss_first_kib\":1000,"            \
	"\"rss_end_kib\":" END ",\"end_vs_first\":" RATIO            \
	",\"tolerance\":0.1,\"within_tolerance\":" WITHIN            \
	",\"rss_tenths_kib\":[1,2,3,4,5,6,7,8,9,10]}"
#define MEM_RES(DONE, END, RATIO, WITHIN)                            \
	"{\"load_start\":1,\"load_end\":null,\"results\":[" MEM_ROW( \
		"shm", "false", "1000", "1000", "1",                 \
		"true") "," MEM_ROW("paxos", "false", "1000", "1000", \
				     "1", "true") "," MEM_ROW(         \
		"shm", "true", "1000", "1000", "1",                  \
		"true") "," MEM_ROW("paxos", "true", DONE, END, RATIO, \
				     WITHIN) "]}"

/* The memory check must reject rows that disagree. */
static void self_test_memory(void)
{
	static const char *const bad[] = {
		MEM_RES("999", "1200", "1.2", "false"),	  /* one failed */
		MEM_RES("1000", "1200", "1.1", "false"),  /* not end/first */
		MEM_RES("1000", "1200", "1.2", "true"),	  /* wrong verdict */
		MEM_RES("1000", "1050", "1.05", "false"), /* wrong verdict */
	};
	char err[600];
	bool all = true;
	struct bj *v;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		v = bj_parse(bad[i], err, sizeof err);
		if (v == NULL || memory_ok(v, 1000, err, sizeof err)) {
			diag("not rejected: %s", bad[i]);
			all = false;
		}
		bj_free(v);
	}
	ok(all, "memory check: rejects a failed command, a ratio that is "
		"not end over first, and verdicts that are not the ratio's");
	v = bj_parse(MEM_RES("1000", "1200", "1.2", "false"), err, sizeof err);
	ok(v != NULL && memory_ok(v, 1000, err, sizeof err),
	   "memory check: accepts rows that agree, either verdict");
	bj_free(v);
}

/* The validator itself must reject what is wrong. */
static void self_test(void)
{
	static const char *const bad_json[] = {
		"{\"schema\":\"replicore-bench/1\"}",
		"{\"a\":}",
		"[1,2",
	};
	char err[600];
	struct bj *v;

	v = bj_parse(bad_json[0], err, sizeof err);
	ok(v != NULL && !bj_validate(schema, schema, v, "", err, sizeof err),
	   "validator: rejects a result missing members (%s)", err);
	bj_free(v);
	ok(bj_parse(bad_json[1], err, sizeof err) == NULL &&
		   bj_parse(bad_json[2], err, sizeof err) == NULL,
	   "validator: rejects malformed JSON (%s)", err);
	ok(!svg_wellformed("<svg xmlns=\"http://www.w3.org/2000/svg\"><g>"
			   "</svg>",
			   err, sizeof err) &&
		   !svg_wellformed("<html></html>", err, sizeof err) &&
		   !svg_wellformed("<svg xmlns=\"http://www.w3.org/2000/svg\">"
				   "<text>a < b</text></svg>",
				   err, sizeof err),
	   "svg check: rejects unbalanced tags, a foreign root, a stray <");
	ok(svg_wellformed("<?xml version=\"1.0\"?>\n<svg xmlns=\"http://"
			  "www.w3.org/2000/svg\"><g a='1'><text>x &amp; "
			  "y</text><line/></g></svg>\n",
			  err, sizeof err),
	   "svg check: accepts a small document");
	self_test_chunks();
	self_test_paxos();
	self_test_reads();
	self_test_memory();
}

int main(void)
{
	static const char *const c2c_labels[] = { "PU (thick lines: NUMA node",
						  "ns", "Core-to-core", NULL };
	static const char *const fence_labels[] = { "ns per loop iteration",
						    "x86 MFENCE",
						    "C11 fence seq_cst", NULL };
	static const char *const atomic_labels[] = {
		"threads", "ns per operation", "million operations per second",
		NULL
	};
	static const char *const mem_labels[] = {
		"million operations per second",
		"plain",
		"causal",
		"eventual",
		"eventual+session",
		NULL
	};
	static const char *const rsm_labels[] = {
		"threads", "million operations per second", "100% puts", "lfht",
		NULL
	};
	static const char *const paxos_labels[] = {
		"commits per second",	 "p99 append latency in ns",
		"batch (entries)",	 "paxos/threads 5 stalled",
		"operations per second", NULL
	};
	const char *b = getenv("RC_BIN"), *s = getenv("RC_SRCDIR");
	const char *dur = getenv("RC_BENCH_TEST_DURATION");
	char args[2048], path[1200], *text, err[600];
	bool good;
	rc_topo_t *topo;
	unsigned npus;
	struct bj *v;
	int st;

	snprintf(bin, sizeof bin, "%s", b && *b ? b : "./replicore");
	snprintf(srcdir, sizeof srcdir, "%s", s && *s ? s : ".");
	if (dur == NULL || *dur == '\0')
		dur = "0.005";
	snprintf(dir, sizeof dir, "%s/rc-bench-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(dir) == NULL)
		skip_all("cannot make a temporary directory");
	if (rc_topo_open(&topo, NULL, NULL, NULL) < 0)
		skip_all("cannot read the machine's topology");
	npus = rc_topo_npus(topo);
	rc_topo_close(topo);

	snprintf(path, sizeof path, "%s/bench/schema.json", srcdir);
	schema = bj_parse_file(path, err, sizeof err);
	if (schema == NULL) {
		printf("Bail out! %s: %s\n", path, err);
		return 1;
	}
	self_test();

	/* c2c on the machine */
	if (npus >= 2) {
		snprintf(args, sizeof args,
			 "c2c --json --duration %s --repeat 3 --plot "
			 "'%s/c2c.svg'",
			 dur, dir);
		st = run(args);
		is(st, 0, "c2c --json exits 0");
		if (st != 0)
			show_err();
		v = check_json("c2c", "c2c");
		text = slurp("err");
		ok(text != NULL && text[0] == '\0',
		   "c2c: nothing on stderr when it is not a terminal");
		free(text);
		is(nresults(v), npus * (npus - 1), "c2c: two methods per pair");
		ok(bj_get(v, "matrix") != NULL && bj_get(v, "floor") != NULL,
		   "c2c: the matrix and the floor are there");
		check_chunks(v, "c2c");
		bj_free(v);
		check_svg("c2c.svg", c2c_labels, "c2c");
	} else {
		skip(9, "c2c needs two PUs");
	}

	/* c2c on a synthetic layout mapped onto the machine */
	snprintf(args, sizeof args,
		 "c2c --json --duration %s --repeat 2 --synthetic "
		 "'numa:2 core:2 pu:1' --plot '%s/c2c-syn.svg'",
		 dur, dir);
	st = run(args);
	is(st, 0, "c2c --synthetic exits 0");
	if (st != 0)
		show_err();
	v = check_json("c2c", "c2c synthetic");
	{
		const struct bj *t = bj_get(v, "topology");
		const struct bj *m = bj_get(t, "mapping");
		const struct bj *note = bj_get(t, "mapping_note");

		ok(m != NULL && m->n == 4 && bj_get(t, "nodes") != NULL &&
			   bj_get(t, "nodes")->num == 2,
		   "c2c synthetic: 4 PUs on 2 nodes, mapping stated");
		ok(note != NULL && note->t == BJ_STR &&
			   strstr(note->s, "not real NUMA nodes") != NULL,
		   "c2c synthetic: says the nodes are not real");
		is(nresults(v), 12, "c2c synthetic: 6 pairs, 2 methods");
		check_chunks(v, "c2c synthetic");
	}
	bj_free(v);
	check_svg("c2c-syn.svg", c2c_labels, "c2c synthetic");
	text = slurp("c2c-syn.svg");
	ok(text != NULL && strstr(text, "stroke-width=\"2.5\"") != NULL,
	   "c2c synthetic: the node boundary is drawn");
	free(text);

	/* fence */
	snprintf(args, sizeof args,
		 "fence --json --duration %s --repeat 2 --plot '%s/fence.svg'",
		 dur, dir);
	st = run(args);
	is(st, 0, "fence --json exits 0");
	if (st != 0)
		show_err();
	v = check_json("fence", "fence");
	ok(nresults(v) >= 2 * 20, "fence: two loops for each fence (%zu)",
	   nresults(v));
	bj_free(v);
	check_svg("fence.svg", fence_labels, "fence");

	/* atomic */
	snprintf(
		args, sizeof args,
		"atomic --json --duration %s --repeat 2 --plot '%s/atomic.svg'",
		dur, dir);
	st = run(args);
	is(st, 0, "atomic --json exits 0");
	if (st != 0)
		show_err();
	v = check_json("atomic", "atomic");
	is(nresults(v), 15 * npus, "atomic: 5 ops x 3 layouts x 1..%u threads",
	   npus);
	bj_free(v);
	check_svg("atomic.svg", atomic_labels, "atomic");

	snprintf(args, sizeof args,
		 "atomic --json --duration %s --repeat 1 --threads 3 "
		 "--synthetic 'numa:2 core:2 pu:1'",
		 dur);
	st = run(args);
	is(st, 0, "atomic --threads 3 --synthetic exits 0");
	v = check_json("atomic", "atomic synthetic");
	is(nresults(v), 15 * 3, "atomic: threads capped by --threads");
	bj_free(v);

	/* mem: 8 levels x (2 mixes x 1..2 threads + read_only + contended) */
	snprintf(args, sizeof args,
		 "mem --json --duration %s --repeat 2 --plot '%s/mem.svg'", dur,
		 dir);
	st = run(args);
	is(st, 0, "mem --json exits 0");
	if (st != 0)
		show_err();
	v = check_json("mem", "mem");
	is(nresults(v), npus >= 2 ? 8u * 6 : 8u * 3,
	   "mem: 8 levels x read_mostly, write_heavy at 1..2 threads, "
	   "read_only, contended_read");
	ok(v != NULL && bj_get(v, "targets") != NULL, "mem: the targets");
	bj_free(v);
	check_svg("mem.svg", mem_labels, "mem");

	/* rsm: 5 implementations x 5 shares of puts x 1..2 threads on 2
	 * synthetic nodes */
	snprintf(args, sizeof args,
		 "rsm --json --duration %s --repeat 1 --synthetic 'numa:2 "
		 "core:1 pu:1' --plot '%s/rsm.svg'",
		 dur, dir);
	st = run(args);
	is(st, 0, "rsm --json exits 0");
	if (st != 0)
		show_err();
	v = check_json("rsm", "rsm");
	is(nresults(v), 5u * 5 * 2,
	   "rsm: rsm, spinlock, rwlock, lfht, fc x 0..100%% puts x 1..2 "
	   "threads");
	ok(v != NULL && bj_get(v, "rsm_targets") != NULL, "rsm: the targets");
	bj_free(v);
	check_svg("rsm.svg", rsm_labels, "rsm");
	ok(run("rsm --threads 0") == 2, "rsm --threads 0 is refused");

	/* rsm --memory: a short run over each log, its output's shape */
	st = run("rsm --memory --commands 200000 --json");
	is(st, 0, "rsm --memory --json exits 0");
	if (st != 0)
		show_err();
	v = check_json("rsm", "rsm --memory");
	snprintf(err, sizeof err, "no result");
	good = v != NULL && memory_ok(v, 200000, err, sizeof err);
	ok(good, "rsm --memory: shm and paxos, 200000 commands each, the "
		 "sizes after 20000 and at the end, their ratio and its "
		 "verdict");
	if (!good)
		diag("%s", err);
	bj_free(v);
	text = NULL;
	st = run("rsm --memory --commands 200000");
	good = st == 0 && (text = slurp("out")) != NULL;
	{
		static const char *const want[] = {
			"after the first 20000 of 200000 commands",
			"RSS first KiB",
			"RSS end KiB",
			"within 10%",
			"shm, node 2 idle",
			"paxos, snapshots, node 2 crashed",
			"shm, nodes 1 (at 1/10) and 2 idle",
			"paxos, node 1 idle at 1/10, 2 crashed",
			"shm RSS KiB at each tenth:",
			"paxos RSS KiB at each tenth:",
			"paxos (node 1 idle) RSS KiB at each tenth:",
		};

		for (size_t i = 0; good && i < sizeof want / sizeof want[0];
		     i++)
			if (strstr(text, want[i]) == NULL) {
				diag("no '%s' in the table", want[i]);
				good = false;
			}
	}
	ok(good, "rsm --memory without --json prints the table, a row and "
		 "the tenths per log");
	free(text);

	/* paxos: shm and paxos under two runners x with/without a stalled
	 * minority x 3, 5 nodes x batches 1, 32 */
	snprintf(args, sizeof args,
		 "paxos --json --duration %s --repeat 1 --plot '%s/paxos.svg'",
		 dur, dir);
	st = run(args);
	is(st, 0, "paxos --json exits 0");
	if (st != 0)
		show_err();
	v = check_json("paxos", "paxos");
	is(nresults(v), 24,
	   "paxos: shm, paxos callers and paxos threads x 3, 5 nodes x "
	   "batch 1, 32 x with and without a stalled minority");
	snprintf(err, sizeof err, "no result");
	good = v != NULL && paxos_ok(v, err, sizeof err);
	ok(good,
	   "paxos: runner, layout and lost where they apply, p50 <= p99 <= "
	   "p99.9, the floor, its ratio and the map ratio agree");
	if (!good)
		diag("%s", err);
	ok(v != NULL && bj_get(v, "baseline") != NULL,
	   "paxos: the published figures beside");
	ok(v != NULL && bj_get(v, "map") != NULL &&
		   bj_get(v, "map")->t == BJ_ARR && bj_get(v, "map")->n == 4,
	   "paxos: the hash map over each log, node 1 up and stalled");
	snprintf(err, sizeof err, "no result");
	good = v != NULL && reads_ok(v, err, sizeof err);
	ok(good, "paxos: reads at node 1 by the tail and the read index, "
		 "each runner, with and without a writer at node 0");
	if (!good)
		diag("%s", err);
	bj_free(v);
	check_svg("paxos.svg", paxos_labels, "paxos");
	text = NULL;
	snprintf(args, sizeof args, "paxos --duration %s --repeat 1", dur);
	st = run(args);
	good = st == 0 && (text = slurp("out")) != NULL;
	{
		static const char *const want[] = {
			"linearizable reads of the hash map at node 1",
			"(1-minute average at the start and the end of the "
			"reads)",
			"runner   read  writer reads/sample    p50 us    p99 us"
			"  failed     puts/s takeovers     lost\n",
			"\ncallers  tail      no ",
			"\ncallers  index     no ",
			"\ncallers  tail     yes ",
			"\ncallers  index    yes ",
			"\nthreads  tail      no ",
			"\nthreads  index     no ",
			"\nthreads  tail     yes ",
			"\nthreads  index    yes ",
		};

		for (size_t i = 0; good && i < sizeof want / sizeof want[0];
		     i++)
			if (strstr(text, want[i]) == NULL) {
				diag("no '%s' in the table", want[i]);
				good = false;
			}
	}
	ok(good, "paxos without --json prints the reads' header and a row "
		 "per runner, writer and read mode");
	if (st != 0)
		show_err();
	free(text);

	/* lmutex: rc_lmutex and ck's fas, mcs, ticket x 1..2 threads */
	snprintf(args, sizeof args,
		 "lmutex --json --duration %s --repeat 1 --threads 2", dur);
	st = run(args);
	is(st, 0, "lmutex --json exits 0");
	if (st != 0)
		show_err();
	v = check_json("lmutex", "lmutex");
	is(nresults(v), npus >= 2 ? 4u * 2 : 4u,
	   "lmutex: lmutex, fas, mcs, ticket x 1..2 threads");
	ok(v != NULL && bj_get(v, "load_start") != NULL &&
		   bj_get(v, "load_end") != NULL,
	   "lmutex: the load average at the start and at the end");
	bj_free(v);

	/* consensus: paxos and raft x 3, 5 nodes */
	snprintf(args, sizeof args, "consensus --json --duration %s --repeat 1",
		 dur);
	st = run(args);
	is(st, 0, "consensus --json exits 0");
	if (st != 0)
		show_err();
	v = check_json("consensus", "consensus");
	snprintf(err, sizeof err, "no result");
	good = v != NULL && consensus_ok(v, err, sizeof err);
	ok(good, "consensus: paxos and raft x 3, 5 nodes, Paxos's messages per "
		 "command as its simulation's, p50 <= p99, failovers");
	if (!good)
		diag("%s", err);
	bj_free(v);
	st = run("consensus --plot x.svg");
	text = slurp("err");
	ok(st == 2 && text != NULL && strstr(text, "no plot") != NULL,
	   "consensus --plot is refused");
	free(text);

	/* human-readable output */
	text = NULL;
	snprintf(args, sizeof args, "c2c --duration %s --repeat 1", dur);
	ok(run(args) == 0 && (text = slurp("out")) != NULL &&
		   strstr(text, "core-to-core latency") != NULL &&
		   strstr(text, "chunks of 1024 round trips, one way") != NULL,
	   "c2c without --json prints a table, and one of the chunks");
	free(text);

	/* help and bad options */
	text = NULL;
	ok(run("--help") == 0 && (text = slurp("out")) != NULL &&
		   strstr(text, "c2c") && strstr(text, "fence") &&
		   strstr(text, "atomic"),
	   "bench --help lists c2c, fence and atomic");
	free(text);
	{
		static const char *const kinds[] = { "c2c", "fence", "atomic",
						     "consensus" };

		for (size_t i = 0; i < 4; i++) {
			snprintf(args, sizeof args, "%s --help", kinds[i]);
			text = NULL;
			ok(run(args) == 0 && (text = slurp("out")) != NULL &&
				   strstr(text, "SYNOPSIS") &&
				   strstr(text, "EXIT STATUS") &&
				   strstr(text, "--duration"),
			   "bench %s --help", kinds[i]);
			free(text);
		}
	}
	{
		static const struct {
			const char *args, *msg;
		} bad[] = {
			{ "c2c --duration 0", "--duration needs seconds" },
			{ "c2c --duration abc", "--duration needs seconds" },
			{ "fence --repeat 0", "--repeat must be" },
			{ "atomic --repeat x", "--repeat needs" },
			{ "c2c --frob", "unrecognized option" },
			{ "c2c --threads 2", "--threads applies to" },
			{ "fence extra", "unexpected argument 'extra'" },
			{ "atomic --synthetic 'numa:x'", "synthetic" },
			{ "c2c --plot", "missing argument" },
			{ "c2c --memory", "--memory applies to bench rsm" },
			{ "rsm --commands 5000",
			  "--commands applies to --memory" },
			{ "rsm --memory --commands 999", "--commands must be" },
			{ "rsm --memory --duration 1",
			  "--duration does not apply to --memory" },
			{ "rsm --memory --synthetic 'numa:2'",
			  "--synthetic does not apply to --memory" },
		};

		for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
			st = run(bad[i].args);
			text = slurp("err");
			ok(st == 2 && text != NULL &&
				   strstr(text, bad[i].msg) != NULL,
			   "bench %s: exit 2, says '%s'", bad[i].args,
			   bad[i].msg);
			if (st != 2 || text == NULL ||
			    strstr(text, bad[i].msg) == NULL)
				diag("status %d, stderr: %s", st,
				     text ? text : "");
			free(text);
		}
	}

	bj_free(schema);
	snprintf(args, sizeof args, "rm -rf '%s'", dir);
	if (system(args) != 0)
		diag("could not remove %s", dir);
	done_testing();
	return exit_status();
}
