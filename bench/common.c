/* SPDX-License-Identifier: MIT */
/* common.c: options, layout, statistics, progress and the JSON result envelope of the benches. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <getopt.h>
#include <pthread.h>
#include <math.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <replicore/clock.h>

#include "bench/arch.h"
#include "bench/bench.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "unknown"
#endif

int _rc_bench_parse(struct rc_bench_opts *o, int argc, char **argv,
		    const char *help)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "plot", required_argument, NULL, 'p' },
		{ "duration", required_argument, NULL, 'd' },
		{ "repeat", required_argument, NULL, 'r' },
		{ "synthetic", required_argument, NULL, 's' },
		{ "xml", required_argument, NULL, 'x' },
		{ "threads", required_argument, NULL, 't' },
		{ "memory", no_argument, NULL, 'm' },
		{ "commands", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char cmd[32];
	uint64_t u;
	int c;
	/* the first option given that a memory run does not take */
	const char *timed = NULL;

	snprintf(cmd, sizeof cmd, "bench %s", o->kind);
	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			o->json = true;
			break;
		case 'p':
			if (*optarg == '\0')
				return cli_usage(cmd, "--plot needs a file");
			o->plot = optarg;
			timed = timed ? timed : "--plot";
			break;
		case 'd': {
			char *end;
			double d = strtod(optarg, &end);

			if (end == optarg || *end != '\0' || !isfinite(d) ||
			    d <= 0 || d > 3600)
				return cli_usage(cmd,
						 "--duration needs seconds "
						 "between 0 and 3600 "
						 "(e.g. 0.05), got '%s'",
						 optarg);
			o->duration = d;
			timed = "--duration";
			break;
		}
		case 'r':
			if (!cli_parse_u64(cmd, "--repeat", optarg, &u))
				return CLI_EXIT_USAGE;
			if (u < 1 || u > 1000)
				return cli_usage(cmd, "--repeat must be "
						      "between 1 and 1000");
			o->repeat = (unsigned)u;
			timed = timed ? timed : "--repeat";
			break;
		case 's':
			o->synthetic = optarg;
			timed = timed ? timed : "--synthetic";
			break;
		case 'x':
			o->xml = optarg;
			timed = timed ? timed : "--xml";
			break;
		case 't':
			if (strcmp(o->kind, "atomic") != 0 &&
			    strcmp(o->kind, "rsm") != 0 &&
			    strcmp(o->kind, "lmutex") != 0)
				return cli_usage(cmd, "--threads applies to "
						      "bench atomic, rsm and "
						      "lmutex only");
			if (!cli_parse_u64(cmd, "--threads", optarg, &u))
				return CLI_EXIT_USAGE;
			if (u < 1 || u > 4096)
				return cli_usage(cmd, "--threads must be "
						      "between 1 and 4096");
			o->threads = (unsigned)u;
			timed = timed ? timed : "--threads";
			break;
		case 'm':
		case 'n':
			if (strcmp(o->kind, "rsm") != 0)
				return cli_usage(cmd,
						 "--%s applies to bench "
						 "rsm only",
						 c == 'm' ? "memory"
							  : "commands");
			if (c == 'm') {
				o->memory = true;
				break;
			}
			if (!cli_parse_u64(cmd, "--commands", optarg, &u))
				return CLI_EXIT_USAGE;
			if (u < 1000 || u > 1000000000000ull)
				return cli_usage(cmd, "--commands must be "
						      "between 1000 and "
						      "10^12");
			o->commands = u;
			break;
		case 'h':
			fputs(help, stdout);
			return CLI_EXIT_OK;
		default:
			return cli_bad_option(cmd, argv, optopt);
		}
	}
	if (optind < argc)
		return cli_usage(cmd, "unexpected argument '%s'", argv[optind]);
	if (o->synthetic != NULL && o->xml != NULL)
		return cli_usage(cmd, "--synthetic and --xml exclude each "
				      "other");
	if (o->commands != 0 && !o->memory)
		return cli_usage(cmd, "--commands applies to --memory only");
	if (o->memory && timed != NULL)
		return cli_usage(cmd,
				 "%s does not apply to --memory (an untimed "
				 "run on its own layout)",
				 timed);
	o->progress = cli_progress_enabled();
	return -1;
}

int _rc_bench_start(struct rc_bench_opts *o, int argc, char **argv,
		    const char *help, rc_topo_t **topo)
{
	rc_err_t err = RC_ERR_INITIALIZER;
	int rc = _rc_bench_parse(o, argc, argv, help);

	if (rc >= 0)
		return rc;
	if (rc_topo_open(topo, o->synthetic, o->xml, &err) < 0) {
		fprintf(stderr, "replicore bench %s: ", o->kind);
		rc_err_print(&err, stderr);
		return CLI_EXIT_USAGE;
	}
	return -1;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The nearest-rank percentile p (0..1) of the sorted v[0..n). */
static double rank(const double *v, unsigned n, double p)
{
	unsigned k = (unsigned)ceil(p * n);

	return v[k == 0 ? 0 : (k > n ? n - 1 : k - 1)];
}

void _rc_bench_stats(double *v, unsigned n, struct rc_bench_stats *s)
{
	qsort(v, n, sizeof(double), cmp_double);
	s->n = n;
	s->min = v[0];
	s->max = v[n - 1];
	s->median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	s->p10 = rank(v, n, 0.10);
	s->p90 = rank(v, n, 0.90);
}

void _rc_bench_json_stats(struct cli_json *j, const struct rc_bench_stats *s,
			  const double *samples)
{
	cli_json_obj(j);
	cli_json_key(j, "median");
	cli_json_double(j, s->median);
	cli_json_key(j, "p10");
	cli_json_double(j, s->p10);
	cli_json_key(j, "p90");
	cli_json_double(j, s->p90);
	cli_json_key(j, "min");
	cli_json_double(j, s->min);
	cli_json_key(j, "max");
	cli_json_double(j, s->max);
	cli_json_key(j, "n");
	cli_json_uint(j, s->n);
	cli_json_key(j, "samples");
	cli_json_arr(j);
	for (unsigned i = 0; i < s->n; i++)
		cli_json_double(j, samples[i]);
	cli_json_arr_end(j);
	cli_json_obj_end(j);
}

void _rc_bench_json_num(struct cli_json *j, const char *key, double v)
{
	cli_json_key(j, key);
	if (isfinite(v))
		cli_json_double(j, v);
	else
		cli_json_null(j);
}

void _rc_bench_json_stats_or_null(struct cli_json *j, const char *key,
				  const struct rc_bench_stats *s,
				  const double *samples)
{
	cli_json_key(j, key);
	if (s->n)
		_rc_bench_json_stats(j, s, samples);
	else
		cli_json_null(j);
}

const char *_rc_bench_cpu_model(void)
{
	static char model[256];
	char line[512];
	FILE *f;

	if (model[0] != '\0')
		return model;
	if (_rc_arch_cpu_model(model, sizeof model)) {
		/* cpuid pads the brand string with blanks */
		size_t l = strlen(model), b = 0;

		while (l > 0 && model[l - 1] == ' ')
			model[--l] = '\0';
		while (model[b] == ' ')
			b++;
		memmove(model, model + b, l - b + 1);
		if (model[0] != '\0')
			return model;
	}
	snprintf(model, sizeof model, "unknown");
	f = fopen("/proc/cpuinfo", "r");
	if (f == NULL)
		return model;
	while (fgets(line, sizeof line, f) != NULL) {
		char *colon = strchr(line, ':');

		if (colon == NULL || (strncmp(line, "model name", 10) != 0 &&
				      strncmp(line, "Model", 5) != 0))
			continue;
		colon++;
		while (*colon == ' ' || *colon == '\t')
			colon++;
		colon[strcspn(colon, "\n")] = '\0';
		snprintf(model, sizeof model, "%s", colon);
		break;
	}
	fclose(f);
	return model;
}

double _rc_bench_load(void)
{
	double l[1];

	return getloadavg(l, 1) == 1 ? l[0] : -1;
}

uint64_t _rc_bench_rss(void)
{
	unsigned long size = 0, res = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f == NULL)
		return 0;
	/* statm: total and resident pages */
	if (fscanf(f, "%lu %lu", &size, &res) != 2)
		res = 0;
	fclose(f);
	return (uint64_t)res * (uint64_t)sysconf(_SC_PAGESIZE);
}

void _rc_bench_progress(const struct rc_bench_opts *o, const char *fmt, ...)
{
	va_list ap;

	if (!o->progress)
		return;
	fputs("\r\033[K", stderr);
	if (fmt != NULL) {
		fprintf(stderr, "bench %s: ", o->kind);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
	}
	fflush(stderr);
}

uint64_t _rc_bench_now(void)
{
	return rc_clock_now_ns();
}

void _rc_bench_gate_arrive(struct rc_bench_gate *g)
{
	/* acq_rel: publishes what this thread set up before the start and
	 * takes what the others did; pairs with the acquire loads in
	 * _rc_bench_gate_wait */
	atomic_fetch_add_explicit(&g->arrived, 1, memory_order_acq_rel);
	_rc_event_wake(&g->ev);
}

void _rc_bench_gate_wait(struct rc_bench_gate *g, unsigned n)
{
	struct _rc_wait w;

	_rc_bench_gate_arrive(g);
	_rc_wait_start(&w, UINT64_MAX, RC_WAIT_SPIN_PARK);
	for (;;) {
		uint32_t key = _rc_event_key(&g->ev);

		/* acquire: pairs with the other threads' acq_rel increments */
		if (atomic_load_explicit(&g->arrived, memory_order_acquire) >=
		    n)
			break;
		(void)_rc_wait_event(&w, &g->ev, key, UINT64_MAX);
	}
}

void _rc_bench_json_begin(struct cli_json *j, const struct rc_bench_opts *o,
			  const rc_topo_t *topo, const char *unit)
{
	char date[32], note[512];
	time_t now = time(NULL);
	struct tm tm;
	double load = _rc_bench_load();

	gmtime_r(&now, &tm);
	strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", &tm);
	cli_json_init(j, stdout);
	cli_json_obj(j);
	cli_json_key(j, "schema");
	cli_json_str(j, RC_BENCH_SCHEMA);
	cli_json_key(j, "benchmark");
	cli_json_str(j, o->kind);
	cli_json_key(j, "version");
	cli_json_str(j, PACKAGE_VERSION);
	cli_json_key(j, "date");
	cli_json_str(j, date);
	cli_json_key(j, "unit");
	cli_json_str(j, unit);

	cli_json_key(j, "host");
	cli_json_obj(j);
	cli_json_key(j, "arch");
	cli_json_str(j, RC_ARCH_NAME);
	cli_json_key(j, "cpu_model");
	cli_json_str(j, _rc_bench_cpu_model());
	cli_json_key(j, "online_cpus");
	cli_json_uint(j, (unsigned long long)sysconf(_SC_NPROCESSORS_ONLN));
	cli_json_key(j, "load_1min");
	if (load >= 0)
		cli_json_double(j, load);
	else
		cli_json_null(j);
	cli_json_obj_end(j);

	cli_json_key(j, "topology");
	cli_json_obj(j);
	cli_json_key(j, "kind");
	cli_json_str(j, cli_topo_kind_name(rc_topo_kind(topo)));
	cli_json_key(j, "source");
	cli_json_str(j, rc_topo_source(topo));
	cli_json_key(j, "nodes");
	cli_json_uint(j, rc_topo_nnodes(topo));
	cli_json_key(j, "cores");
	cli_json_uint(j, rc_topo_ncores(topo));
	cli_json_key(j, "pus");
	cli_json_uint(j, rc_topo_npus(topo));
	cli_json_key(j, "real_pus");
	cli_json_uint(j, rc_topo_real_npus(topo));
	cli_json_key(j, "wraps");
	cli_json_bool(j, rc_topo_wraps(topo));
	if (rc_topo_kind(topo) == RC_TOPO_REAL)
		snprintf(note, sizeof note,
			 "the machine's own layout: each PU is a real CPU");
	else
		snprintf(note, sizeof note,
			 "a %s layout mapped onto the machine: layout PU i "
			 "runs on real CPU (i mod %u); its nodes are not "
			 "real NUMA nodes, and PUs that share a real CPU "
			 "measure the scheduler, not a cache",
			 cli_topo_kind_name(rc_topo_kind(topo)),
			 rc_topo_real_npus(topo));
	cli_json_key(j, "mapping_note");
	cli_json_str(j, note);
	cli_json_key(j, "mapping");
	cli_json_arr(j);
	for (unsigned i = 0; i < rc_topo_npus(topo); i++) {
		struct rc_topo_pu pu;

		rc_topo_pu(topo, i, &pu);
		cli_json_obj(j);
		cli_json_key(j, "pu");
		cli_json_uint(j, pu.index);
		cli_json_key(j, "core");
		cli_json_uint(j, pu.core);
		cli_json_key(j, "node");
		cli_json_uint(j, pu.node);
		cli_json_key(j, "real_cpu");
		cli_json_uint(j, pu.real_os_index);
		cli_json_obj_end(j);
	}
	cli_json_arr_end(j);
	cli_json_obj_end(j);

	cli_json_key(j, "settings");
	cli_json_obj(j);
	cli_json_key(j, "duration_s");
	cli_json_double(j, o->duration);
	cli_json_key(j, "repeat");
	cli_json_uint(j, o->repeat);
	cli_json_key(j, "warmup");
	cli_json_str(j, o->warmup != NULL
				? o->warmup
				: "one discarded sample of the same duration "
				  "before each measurement");
	cli_json_key(j, "spread");
	cli_json_str(j, "p10 and p90 (nearest rank) and min and max of the "
			"repeated samples");
	cli_json_obj_end(j);
}

void _rc_bench_json_end(struct cli_json *j)
{
	cli_json_obj_end(j);
	cli_json_end(j);
}

bool _rc_bench_run_workers(unsigned t, void *(*fn)(void *), void *base,
			   size_t size, struct rc_bench_gate *gate,
			   _Atomic bool *stop, double duration)
{
	pthread_t *th = calloc(t, sizeof(*th));
	unsigned started = 0;
	struct timespec ts;

	if (th == NULL)
		return false;
	for (; started < t; started++)
		if (pthread_create(&th[started], NULL, fn,
				   (char *)base + (size_t)started * size) != 0)
			break;
	if (started < t) {
		/* relaxed: the flag carries no data */
		atomic_store_explicit(stop, true, memory_order_relaxed);
		for (unsigned i = started; i <= t; i++)
			/* opens the gate after the stop signal above */
			_rc_bench_gate_arrive(gate);
		for (unsigned i = 0; i < started; i++)
			pthread_join(th[i], NULL);
		free(th);
		return false;
	}
	_rc_bench_gate_wait(gate, t + 1);
	ts.tv_sec = (time_t)duration;
	ts.tv_nsec = (long)((duration - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) != 0)
		;
	/* relaxed: the flag carries no data; pthread_join orders results */
	atomic_store_explicit(stop, true, memory_order_relaxed);
	for (unsigned i = 0; i < t; i++)
		pthread_join(th[i], NULL);
	free(th);
	return true;
}

void _rc_bench_print_machine(const unsigned *pus, unsigned n)
{
	printf("cpu: %s; load %.2f; threads on PUs", _rc_bench_cpu_model(),
	       _rc_bench_load());
	for (unsigned i = 0; i < n; i++)
		printf(" %u", pus[i]);
	printf("\n");
}

/*
 * Moves the k-th smallest of v[0..n) (from 0) to v[k], values no
 * larger before it and no smaller after (Hoare's selection, linear time
 * expected: for a million latencies here, the three selections took
 * 14 ms where qsort took 170 ms).
 */
void _rc_bench_select_k(uint64_t *v, size_t n, size_t k)
{
	size_t lo = 0, hi = n - 1;

	while (lo < hi) {
		uint64_t pivot = v[lo + (hi - lo) / 2], t;
		size_t i = lo, j = hi;

		while (i <= j) {
			while (v[i] < pivot)
				i++;
			while (v[j] > pivot)
				j--;
			if (i <= j) {
				t = v[i];
				v[i] = v[j];
				v[j] = t;
				i++;
				if (j == 0)
					break;
				j--;
			}
		}
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			return;
	}
}
