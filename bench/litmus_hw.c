/* SPDX-License-Identifier: MIT */
/* litmus_hw.c: `replicore bench litmus`, the hardware litmus harness on SB: iterations and relaxed outcomes per second beside litmus7's. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <replicore/litmus.h>
#include <replicore/model.h>

#include "litmus/hw.h"
#include "litmus/hw_arch.h"
#include "bench/bench.h"
#include "cli/cli.h"

/*
 * litmus7 (herdtools7 7.58) on this kind of 2-vCPU machine, from
 * shared/baselines.md: SB, 1,000,000 iterations in 102.6 s, 225
 * store-buffering outcomes.
 */
#define LITMUS7_ITERS 1000000.0
#define LITMUS7_TIME_S 102.6
#define LITMUS7_RELAXED 225.0

/* SB as litmus7 runs it (x86), or its C11 relaxed twin elsewhere. */
static const char sb_x86[] = "X86 SB\n"
			     "{ }\n"
			     " P0          | P1          ;\n"
			     " MOV [x],$1  | MOV [y],$1  ;\n"
			     " MOV EAX,[y] | MOV EAX,[x] ;\n"
			     "exists (0:EAX=0 /\\ 1:EAX=0)\n";
static const char sb_c[] =
	"C SB\n"
	"{ [x] = 0; [y] = 0; }\n"
	"P0 (atomic_int* x, atomic_int* y) {\n"
	"  atomic_store_explicit(x, 1, memory_order_relaxed);\n"
	"  int r0 = atomic_load_explicit(y, memory_order_relaxed);\n"
	"}\n"
	"P1 (atomic_int* x, atomic_int* y) {\n"
	"  atomic_store_explicit(y, 1, memory_order_relaxed);\n"
	"  int r0 = atomic_load_explicit(x, memory_order_relaxed);\n"
	"}\n"
	"exists (0:r0=0 /\\ 1:r0=0)\n";

static const char bench_litmus_help[] =
	"NAME\n"
	"    replicore bench litmus - the hardware litmus harness on SB\n"
	"\n"
	"SYNOPSIS\n"
	"    replicore bench litmus [--json] [-n ITERATIONS] [--size S] "
	"[--repeat R]\n"
	"                           [--test FILE]\n"
	"\n"
	"DESCRIPTION\n"
	"    Runs SB (or FILE) on the machine as `replicore litmus run "
	"--target hw`\n"
	"    does, R times, and reports the median run's iterations per "
	"second and\n"
	"    relaxed outcomes (the states where the condition holds) per "
	"second,\n"
	"    beside litmus7's figures on this kind of machine (9,747 "
	"iterations/s\n"
	"    and 2.2 SB outcomes/s). Compilation is outside the timing "
	"(the object\n"
	"    is cached). Reports, never asserts.\n"
	"\n"
	"OPTIONS\n"
	"    -n N        iterations per run (default 1000000)\n"
	"    --size S    instances per round (default 1000)\n"
	"    --repeat R  runs (default 3)\n"
	"    --test FILE another litmus test instead of SB\n"
	"    --json      one JSON object: benchmark, test, arch, "
	"iterations, size,\n"
	"                repeat, load_1min, runs: [{time_s, positive}], "
	"time_s,\n"
	"                iterations_per_s, relaxed, relaxed_per_s, "
	"litmus7:\n"
	"                {iterations_per_s, relaxed_per_s}, "
	"speedup_iterations,\n"
	"                speedup_relaxed\n";

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int bench_litmus(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "iterations", required_argument, NULL, 'n' },
		{ "size", required_argument, NULL, 's' },
		{ "repeat", required_argument, NULL, 'r' },
		{ "test", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct rc_hw_opts o;
	rc_err_t err = RC_ERR_INITIALIZER;
	rc_litmus_t *t = NULL;
	rc_outcomes_t *oc = NULL;
	const rc_model_t *m;
	uint64_t repeat = 3, v, *pos = NULL;
	double *times = NULL, *sorted = NULL, med, l7_ips, l7_rps, ips, rps,
	       load[1];
	const char *file = NULL, *cc = getenv("CC");
	int c, json = 0, status = CLI_EXIT_OK, rc;
	size_t mid = 0;

	memset(&o, 0, sizeof o);
	o.iterations = 1000000;
	o.size = 1000;
	o.seed = 1;
	o.cc = cc && *cc ? cc : "cc";
	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, ":n:h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = 1;
			break;
		case 'n':
			if (!cli_parse_u64("bench litmus", "-n", optarg,
					   &o.iterations))
				return CLI_EXIT_USAGE;
			if (o.iterations == 0)
				return cli_usage("bench litmus",
						 "-n must be at least 1");
			break;
		case 's':
			if (!cli_parse_u64("bench litmus", "--size", optarg,
					   &v))
				return CLI_EXIT_USAGE;
			if (v == 0 || v > 100000)
				return cli_usage("bench litmus",
						 "--size must be 1 to 100000");
			o.size = (unsigned)v;
			break;
		case 'r':
			if (!cli_parse_u64("bench litmus", "--repeat", optarg,
					   &repeat))
				return CLI_EXIT_USAGE;
			if (repeat == 0 || repeat > 1000)
				return cli_usage("bench litmus",
						 "--repeat must be 1 to 1000");
			break;
		case 't':
			file = optarg;
			break;
		case 'h':
			fputs(bench_litmus_help, stdout);
			return CLI_EXIT_OK;
		default:
			return cli_bad_option("bench litmus", argv, optopt);
		}
	}
	if (optind < argc)
		return cli_usage("bench litmus", "unexpected argument '%s'",
				 argv[optind]);
	if (file)
		rc = rc_litmus_parse_file(file, &t, &err);
	else if (RC_HW_ARCH_X86)
		rc = rc_litmus_parse(sb_x86, sizeof sb_x86 - 1, "SB", &t, &err);
	else
		rc = rc_litmus_parse(sb_c, sizeof sb_c - 1, "SB", &t, &err);
	if (rc < 0) {
		rc_err_print(&err, stderr);
		return CLI_EXIT_USAGE;
	}
	m = rc_model_find(t->arch == RC_LITMUS_X86 ? "tso" : "rc11");
	times = calloc(repeat, sizeof(*times));
	sorted = calloc(repeat, sizeof(*sorted));
	pos = calloc(repeat, sizeof(*pos));
	if (!times || !sorted || !pos) {
		status = CLI_EXIT_USAGE;
		goto out;
	}
	if (rc_model_run(t, &m, 1, NULL, &oc, &err) < 0) {
		rc_err_print(&err, stderr);
		status = CLI_EXIT_USAGE;
		goto out;
	}
	for (uint64_t i = 0; i < repeat; i++) {
		struct rc_hw_result r;

		o.seed = i + 1;
		if (_rc_hw_run(t, oc, &o, &r, &err) < 0) {
			fprintf(stderr, "replicore bench litmus: ");
			rc_err_print(&err, stderr);
			status = CLI_EXIT_USAGE;
			goto out;
		}
		times[i] = sorted[i] = r.run_s > 0 ? r.run_s : 1e-9;
		pos[i] = r.positive;
		if (r.forbidden_seen)
			status = CLI_EXIT_FOUND;
		_rc_hw_result_free(&r);
	}
	qsort(sorted, repeat, sizeof(*sorted), cmp_double);
	med = sorted[repeat / 2];
	for (size_t i = 0; i < repeat; i++)
		if (times[i] == med)
			mid = i;
	ips = (double)o.iterations / med;
	rps = (double)pos[mid] / med;
	l7_ips = LITMUS7_ITERS / LITMUS7_TIME_S;
	l7_rps = LITMUS7_RELAXED / LITMUS7_TIME_S;
	if (getloadavg(load, 1) != 1)
		load[0] = -1;
	if (json) {
		struct cli_json j;

		cli_json_init(&j, stdout);
		cli_json_obj(&j);
		cli_json_kv_str(&j, "benchmark", "litmus");
		cli_json_kv_str(&j, "test", t->name);
		cli_json_kv_str(&j, "arch",
				t->arch == RC_LITMUS_X86 ? "X86" : "C");
		cli_json_kv_str(&j, "host_arch", RC_HW_ARCH_NAME);
		cli_json_kv_uint(&j, "iterations", o.iterations);
		cli_json_kv_uint(&j, "size", o.size);
		cli_json_kv_uint(&j, "repeat", repeat);
		cli_json_key(&j, "load_1min");
		if (load[0] >= 0)
			cli_json_double(&j, load[0]);
		else
			cli_json_null(&j);
		cli_json_key(&j, "runs");
		cli_json_arr(&j);
		for (size_t i = 0; i < repeat; i++) {
			cli_json_obj(&j);
			cli_json_kv_double(&j, "time_s", times[i]);
			cli_json_kv_uint(&j, "positive", pos[i]);
			cli_json_obj_end(&j);
		}
		cli_json_arr_end(&j);
		cli_json_kv_double(&j, "time_s", med);
		cli_json_kv_double(&j, "iterations_per_s", ips);
		cli_json_kv_uint(&j, "relaxed", pos[mid]);
		cli_json_kv_double(&j, "relaxed_per_s", rps);
		cli_json_key(&j, "litmus7");
		cli_json_obj(&j);
		cli_json_kv_double(&j, "iterations_per_s", l7_ips);
		cli_json_kv_double(&j, "relaxed_per_s", l7_rps);
		cli_json_obj_end(&j);
		cli_json_kv_double(&j, "speedup_iterations", ips / l7_ips);
		cli_json_kv_double(&j, "speedup_relaxed", rps / l7_rps);
		cli_json_obj_end(&j);
		cli_json_end(&j);
	} else {
		printf("bench litmus: %s, %llu iterations x %llu runs "
		       "(median), size %u, load %.2f\n",
		       t->name, (unsigned long long)o.iterations,
		       (unsigned long long)repeat, o.size, load[0]);
		printf("%-22s %14s %14s\n", "", "replicore", "litmus7");
		printf("%-22s %14.0f %14.0f\n", "iterations/s", ips, l7_ips);
		printf("%-22s %14.1f %14.1f\n", "relaxed outcomes/s", rps,
		       l7_rps);
		printf("speedup: %.0fx iterations, %.0fx relaxed outcomes\n",
		       ips / l7_ips, rps / l7_rps);
	}
out:
	free(times);
	free(sorted);
	free(pos);
	rc_outcomes_free(oc);
	rc_litmus_free(t);
	return status;
}
