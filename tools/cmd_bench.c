/* SPDX-License-Identifier: MIT */
/* cmd_bench.c: `replicore bench KIND`, and KIND models: the litmus corpus under every model, timed. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/wait.h>

#include <replicore/litmus.h>
#include <replicore/model.h>

#include "bench/bench.h"
#include "cli/cli.h"
#include "tools/commands.h"

static const char bench_help[] =
	"NAME\n"
	"    replicore bench - benchmarks\n"
	"\n"
	"SYNOPSIS\n"
	"    replicore bench c2c|fence|atomic|mem|rsm|paxos [--json] [--plot "
	"FILE.svg]\n"
	"                    [--duration S]"
	"                    [--repeat N] [--synthetic SPEC]\n"
	"    replicore bench models [--json] [--repeat N] [--corpus DIR] "
	"[FILE...]\n"
	"    replicore bench check [OPTION]...\n"
	"    replicore bench litmus [OPTION]...\n"
	"    replicore bench lmutex [OPTION]...\n"
	"    replicore bench consensus [OPTION]...\n"
	"\n"
	"DESCRIPTION\n"
	"    c2c     core-to-core latency of every pair of PUs (cache-line "
	"ping-pong by\n"
	"            compare-and-swap and by store/load), heat maps with "
	"node boundaries\n"
	"    fence   the cost of each fence (x86, C11, ck_pr_fence_*, "
	"liburcu) alone and\n"
	"            between dependent operations\n"
	"    atomic  load, store, CAS, fetch-add, exchange from 1..P "
	"threads on one shared\n"
	"            line, falsely shared lines and private lines\n"
	"    mem     rc_mem loads and stores at each level against a plain "
	"atomic\n"
	"    rsm     a hash map made concurrent by rc_rsm against a "
	"spinlock, a rwlock,\n"
	"            liburcu's cds_lfht and flat combining, 1..P threads, "
	"0-100% puts\n"
	"            (--memory: its resident size over 10,000,000 commands "
	"per log)\n"
	"            These five report median and spread of repeated "
	"samples; see\n"
	"            'replicore bench KIND --help' and replicore-bench(1) "
	"(JSON schema).\n"
	"    models  runs every litmus test of the corpus (DIR/x86 and "
	"DIR/c11) under\n"
	"            every model that applies to it, one model per run as "
	"herd7 runs\n"
	"            one cat file, and prints each run's time (the best of N) "
	"and the\n"
	"            totals, with herd7's figures from the baselines beside "
	"them:\n"
	"            sc and x86tso on the X86 tests and rc11 on the C tests "
	"without\n"
	"            fig6-explicit (herd7: 0.40 s for those 213 runs), and\n"
	"            fig6-explicit under rc11 (herd7: 93 s) and sc (herd7: "
	"22 s).\n"
	"            Each FILE (e.g. bench/litmus/*.litmus, 6-thread tests) is "
	"timed\n"
	"            too, after the corpus. Then that batch runs end to end "
	"as three\n"
	"            processes (one per folder and model), beside the same "
	"three herd7\n"
	"            runs when herd7 is on the PATH. Times are measured, "
	"never asserted.\n"
	"    check   the history checkers' benchmark; see 'replicore bench "
	"check --help'.\n"
	"    lmutex  ns per critical section of rc_lmutex (Lamport's mutual "
	"exclusion)\n"
	"            beside ck's fas, MCS and ticket spinlocks, 1..P threads; "
	"see\n"
	"            'replicore bench lmutex --help'.\n"
	"    consensus  the Paxos log beside the Raft log, 3 and 5 nodes: "
	"messages per\n"
	"            command (simulated), commits/s and p50/p99 append "
	"latency on\n"
	"            threads, failover time after the leader crashes; see\n"
	"            'replicore bench consensus --help'.\n"
	"    litmus  the hardware litmus harness on SB: iterations and "
	"store-buffering\n"
	"            outcomes per second, beside litmus7's; see 'replicore "
	"bench litmus --help'.\n"
	"\n"
	"OPTIONS (models)\n"
	"    --json        one JSON object: runs[] with test, model, "
	"seconds, states;\n"
	"                  total_seconds; herd7 comparisons\n"
	"    --repeat N    time each run N times and keep the best (default "
	"1)\n"
	"    --corpus DIR  the litmus corpus (default "
	"$RC_SHARED/corpus/litmus, "
	"else\n"
	"                  ../shared/corpus/litmus)\n"
	"    -h, --help    print this help\n"
	"\n"
	"EXIT STATUS\n"
	"    0 on success, 2 on a bad option, an unknown KIND or a corpus "
	"file that\n"
	"    does not parse.\n"
	"\n"
	"EXAMPLE\n"
	"    replicore bench models --repeat 3 --json\n";

/* herd7 7.57 on this kind of machine, from the project's baselines. */
#define HERD_BATCH_S 0.40
#define HERD_FIG6_RC11_S 93.0
#define HERD_FIG6_SC_S 22.0

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The .litmus files of dir/sub, sorted; appended to *files. */
static int list_dir(const char *dir, const char *sub, char ***files, size_t *n,
		    size_t *cap)
{
	char path[4096];
	DIR *d;
	struct dirent *e;
	size_t first = *n;

	snprintf(path, sizeof path, "%s/%s", dir, sub);
	d = opendir(path);
	if (!d)
		return 0;
	while ((e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);
		char *f;

		if (l < 8 || strcmp(e->d_name + l - 7, ".litmus") != 0)
			continue;
		if (*n == *cap) {
			size_t nc = *cap ? 2 * *cap : 64;
			char **nf = realloc(*files, nc * sizeof(char *));

			if (!nf) {
				closedir(d);
				return -1;
			}
			*files = nf;
			*cap = nc;
		}
		f = malloc(strlen(sub) + l + 2);
		if (!f) {
			closedir(d);
			return -1;
		}
		sprintf(f, "%s/%s", sub, e->d_name);
		(*files)[(*n)++] = f;
	}
	closedir(d);
	qsort(*files + first, *n - first, sizeof(char *), cmp_str);
	return 0;
}

/*
 * End to end: herd7's batch as processes, one per folder and model, as
 * herd7's users run it (the stored herd7 figure, 0.40 s, is such a run):
 * `replicore litmus model --model M FILE...` for sc and tso on the X86
 * tests and rc11 on the C tests without fig6-explicit, and the same three
 * herd7 runs (-model sc.cat, x86tso.cat, rc11.cat) when herd7 is on the
 * PATH. Standard output and error go to /dev/null; a run's time is the
 * wall time from spawn to exit, the best of `repeat`.
 */
static const struct {
	const char *model, *cat, *sub; /* replicore model, herd7 cat, folder */
} e2e_runs[] = {
	{ "sc", "sc.cat", "x86/" },
	{ "tso", "x86tso.cat", "x86/" },
	{ "rc11", "rc11.cat", "c11/" },
};

/* Runs argv (argv[0] a path, or a name looked up in PATH) with its
 * output thrown away; returns the wall seconds, or -1 if it could not
 * run or exited with a status above 1 or on a signal. */
static double time_process(char *const argv[])
{
	posix_spawn_file_actions_t fa;
	double s = now();
	pid_t pid;
	int st, rc;

	if (posix_spawn_file_actions_init(&fa) != 0)
		return -1;
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0)
		return -1;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (!WIFEXITED(st) || WEXITSTATUS(st) > 1)
		return -1;
	return now() - s;
}

/* Whether name is an executable file in a folder of PATH. */
static bool on_path(const char *name)
{
	const char *p = getenv("PATH");
	char buf[4096];

	while (p && *p) {
		const char *e = strchr(p, ':');
		size_t l = e ? (size_t)(e - p) : strlen(p);

		if (l > 0 && l + strlen(name) + 2 < sizeof buf) {
			memcpy(buf, p, l);
			buf[l] = '/';
			strcpy(buf + l + 1, name);
			if (access(buf, X_OK) == 0)
				return true;
		}
		p = e ? e + 1 : NULL;
	}
	return false;
}

/*
 * Times the batch's three runs with this program and, when it is on the
 * PATH, with herd7: *ours and *herd are the sums of the best times of
 * each run (-1: not measured, or a run failed).
 */
static void e2e_batch(const char *dir, char *const *files, size_t ncorpus,
		      uint64_t repeat, double *ours, double *herd)
{
	char **av = calloc(ncorpus + 6, sizeof *av);
	char **paths = calloc(ncorpus + 1, sizeof *paths);
	char self[4096];
	ssize_t sl = readlink("/proc/self/exe", self, sizeof self - 1);

	*ours = sl > 0 ? 0 : -1;
	*herd = on_path("herd7") ? 0 : -1;
	if (sl > 0)
		self[sl] = '\0';
	for (size_t i = 0; av && paths && i < ncorpus; i++) {
		size_t l = strlen(dir) + strlen(files[i]) + 2;

		paths[i] = malloc(l);
		if (!paths[i])
			break;
		snprintf(paths[i], l, "%s/%s", dir, files[i]);
	}
	for (size_t r = 0; r < sizeof e2e_runs / sizeof e2e_runs[0]; r++) {
		size_t n = 0, sub = strlen(e2e_runs[r].sub);
		char **tests;

		if (!av || !paths || (ncorpus > 0 && !paths[ncorpus - 1])) {
			*ours = *herd = -1;
			break;
		}
		/* room for the longest head (5 words) before the tests */
		tests = av + 5;
		for (size_t i = 0; i < ncorpus; i++)
			if (strncmp(files[i], e2e_runs[r].sub, sub) == 0 &&
			    !strstr(files[i], "fig6-explicit"))
				tests[n++] = paths[i];
		tests[n] = NULL;
		for (int who = 0; who < 2; who++) {
			double *sum = who == 0 ? ours : herd, best = -1;
			char **argv;

			if (*sum < 0)
				continue;
			if (who == 0) {
				argv = av;
				argv[0] = self;
				argv[1] = (char *)"litmus";
				argv[2] = (char *)"model";
				argv[3] = (char *)"--model";
				argv[4] = (char *)e2e_runs[r].model;
			} else {
				argv = av + 2;
				argv[0] = (char *)"herd7";
				argv[1] = (char *)"-model";
				argv[2] = (char *)e2e_runs[r].cat;
			}
			for (uint64_t k = 0; k < repeat; k++) {
				double d = time_process(argv);

				if (d < 0) {
					best = -1;
					break;
				}
				if (best < 0 || d < best)
					best = d;
			}
			*sum = best < 0 ? -1 : *sum + best;
		}
	}
	for (size_t i = 0; paths && i < ncorpus; i++)
		free(paths[i]);
	free(paths);
	free(av);
}

static int bench_models(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "repeat", required_argument, NULL, 'r' },
		{ "corpus", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char dflt[4096], **files = NULL;
	const char *dir = NULL;
	uint64_t repeat = 1;
	size_t nfiles = 0, cap = 0, nruns = 0, herd_runs = 0, ncorpus = 0;
	double total = 0, herd_cmp = 0, fig6_rc11 = -1, fig6_sc = -1, t0;
	double e2e_ours = -1, e2e_herd = -1;
	int c, json = 0, status = CLI_EXIT_OK;
	struct cli_json j;

	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = 1;
			break;
		case 'r':
			if (!cli_parse_u64("bench models", "--repeat", optarg,
					   &repeat))
				return CLI_EXIT_USAGE;
			if (repeat == 0)
				return cli_usage("bench models",
						 "--repeat must be at least 1");
			break;
		case 'c':
			dir = optarg;
			break;
		case 'h':
			fputs(bench_help, stdout);
			return CLI_EXIT_OK;
		default:
			return cli_bad_option("bench models", argv, optopt);
		}
	}
	if (!dir) {
		const char *sh = getenv("RC_SHARED");

		snprintf(dflt, sizeof dflt, "%s/corpus/litmus",
			 sh && *sh ? sh : "../shared");
		dir = dflt;
	}
	if (list_dir(dir, "x86", &files, &nfiles, &cap) < 0 ||
	    list_dir(dir, "c11", &files, &nfiles, &cap) < 0) {
		fprintf(stderr, "replicore bench models: out of memory\n");
		return CLI_EXIT_USAGE;
	}
	ncorpus = nfiles;
	for (int a = optind; a < argc; a++) {
		char *f;

		if (nfiles == cap) {
			size_t nc = cap ? 2 * cap : 64;
			char **nf = realloc(files, nc * sizeof(char *));

			if (!nf)
				break;
			files = nf;
			cap = nc;
		}
		f = strdup(argv[a]);
		if (f)
			files[nfiles++] = f;
	}
	if (nfiles == 0) {
		free(files);
		return cli_usage("bench models",
				 "no .litmus files under %s/x86 or %s/c11", dir,
				 dir);
	}
	if (json) {
		cli_json_init(&j, stdout);
		cli_json_obj(&j);
		cli_json_key(&j, "corpus");
		cli_json_str(&j, dir);
		cli_json_key(&j, "repeat");
		cli_json_uint(&j, repeat);
		cli_json_key(&j, "runs");
		cli_json_arr(&j);
	} else {
		printf("%-44s %-5s %10s %7s\n", "test", "model", "seconds",
		       "states");
	}
	t0 = now();
	for (size_t i = 0; i < nfiles; i++) {
		char path[8192];
		rc_err_t err = RC_ERR_INITIALIZER;
		rc_litmus_t *t;
		bool fig6 = i < ncorpus &&
			    strstr(files[i], "fig6-explicit") != NULL;

		/* corpus files are relative to dir, the others as given */
		if (i < ncorpus)
			snprintf(path, sizeof path, "%s/%s", dir, files[i]);
		else
			snprintf(path, sizeof path, "%s", files[i]);
		if (rc_litmus_parse_file(path, &t, &err) < 0) {
			rc_err_print(&err, stderr);
			status = CLI_EXIT_USAGE;
			continue;
		}
		for (size_t k = 0; k < rc_model_count(); k++) {
			const rc_model_t *m = rc_model_at(k);
			double best = -1;
			size_t nstates = 0;
			bool herd;

			if (!rc_model_applies(m, t))
				continue;
			for (uint64_t r = 0; r < repeat; r++) {
				rc_outcomes_t *o;
				double s = now(), d;

				if (rc_model_run(t, &m, 1, NULL, &o, &err) <
				    0) {
					rc_err_print(&err, stderr);
					status = CLI_EXIT_USAGE;
					break;
				}
				d = now() - s;
				nstates = o->nstates;
				rc_outcomes_free(o);
				if (best < 0 || d < best)
					best = d;
			}
			if (best < 0)
				continue;
			nruns++;
			total += best;
			/* herd7's batch: sc and x86tso on X86, rc11 on C */
			herd = t->arch == RC_LITMUS_X86
				       ? rc_model_herd_name(m) != NULL
				       : strcmp(rc_model_name(m), "rc11") == 0;
			if (herd && !fig6 && i < ncorpus) {
				herd_cmp += best;
				herd_runs++;
			}
			if (fig6 && strcmp(rc_model_name(m), "rc11") == 0)
				fig6_rc11 = best;
			if (fig6 && strcmp(rc_model_name(m), "sc") == 0)
				fig6_sc = best;
			if (json) {
				cli_json_obj(&j);
				cli_json_key(&j, "test");
				cli_json_str(&j, files[i]);
				cli_json_key(&j, "model");
				cli_json_str(&j, rc_model_name(m));
				cli_json_key(&j, "seconds");
				cli_json_double(&j, best);
				cli_json_key(&j, "states");
				cli_json_uint(&j, nstates);
				cli_json_obj_end(&j);
			} else {
				printf("%-44s %-5s %10.6f %7zu\n", files[i],
				       rc_model_name(m), best, nstates);
			}
		}
		rc_litmus_free(t);
	}
	if (ncorpus > 0)
		e2e_batch(dir, files, ncorpus, repeat, &e2e_ours, &e2e_herd);
	if (json) {
		cli_json_arr_end(&j);
		cli_json_key(&j, "runs_count");
		cli_json_uint(&j, nruns);
		cli_json_key(&j, "total_seconds");
		cli_json_double(&j, total);
		cli_json_key(&j, "wall_seconds");
		cli_json_double(&j, now() - t0);
		cli_json_key(&j, "herd7_batch");
		cli_json_obj(&j);
		cli_json_key(&j, "what");
		cli_json_str(&j, "sc and x86tso on X86, rc11 on C, "
				 "without fig6-explicit");
		cli_json_key(&j, "runs");
		cli_json_uint(&j, herd_runs);
		cli_json_key(&j, "seconds");
		cli_json_double(&j, herd_cmp);
		cli_json_key(&j, "herd7_seconds");
		cli_json_double(&j, HERD_BATCH_S);
		cli_json_key(&j, "ratio");
		cli_json_double(&j, herd_cmp / HERD_BATCH_S);
		cli_json_obj_end(&j);
		cli_json_key(&j, "end_to_end");
		cli_json_obj(&j);
		cli_json_key(&j, "what");
		cli_json_str(&j, "herd7's batch as 3 processes, one per folder "
				 "and model, wall time");
		cli_json_key(&j, "seconds");
		if (e2e_ours >= 0)
			cli_json_double(&j, e2e_ours);
		else
			cli_json_null(&j);
		cli_json_key(&j, "herd7_seconds");
		if (e2e_herd >= 0)
			cli_json_double(&j, e2e_herd);
		else
			cli_json_null(&j);
		cli_json_key(&j, "herd7_stored_seconds");
		cli_json_double(&j, HERD_BATCH_S);
		cli_json_obj_end(&j);
		cli_json_key(&j, "fig6_explicit");
		cli_json_obj(&j);
		cli_json_key(&j, "rc11_seconds");
		if (fig6_rc11 >= 0)
			cli_json_double(&j, fig6_rc11);
		else
			cli_json_null(&j);
		cli_json_key(&j, "herd7_rc11_seconds");
		cli_json_double(&j, HERD_FIG6_RC11_S);
		cli_json_key(&j, "sc_seconds");
		if (fig6_sc >= 0)
			cli_json_double(&j, fig6_sc);
		else
			cli_json_null(&j);
		cli_json_key(&j, "herd7_sc_seconds");
		cli_json_double(&j, HERD_FIG6_SC_S);
		cli_json_obj_end(&j);
		cli_json_obj_end(&j);
		cli_json_end(&j);
	} else {
		printf("\n%zu runs, total %.4f s\n", nruns, total);
		printf("herd7's batch (sc, x86tso on X86; rc11 on C; no "
		       "fig6-explicit): %zu runs, %.4f s "
		       "(herd7: %.2f s, ratio %.3f)\n",
		       herd_runs, herd_cmp, HERD_BATCH_S,
		       herd_cmp / HERD_BATCH_S);
		if (e2e_ours >= 0 && e2e_herd >= 0)
			printf("the same batch end to end, 3 processes: %.4f s "
			       "(herd7 run now: %.4f s, ratio %.3f)\n",
			       e2e_ours, e2e_herd, e2e_ours / e2e_herd);
		else if (e2e_ours >= 0)
			printf("the same batch end to end, 3 processes: %.4f s "
			       "(herd7 not on the PATH; stored figure %.2f s, "
			       "ratio %.3f)\n",
			       e2e_ours, HERD_BATCH_S, e2e_ours / HERD_BATCH_S);
		if (fig6_rc11 >= 0)
			printf("fig6-explicit rc11: %.4f s (herd7: %.0f s)\n",
			       fig6_rc11, HERD_FIG6_RC11_S);
		if (fig6_sc >= 0)
			printf("fig6-explicit sc: %.4f s (herd7: %.0f s)\n",
			       fig6_sc, HERD_FIG6_SC_S);
	}
	for (size_t i = 0; i < nfiles; i++)
		free(files[i]);
	free(files);
	return status;
}

/* The kinds of benchmark; a new kind is one more row. */
static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
} kinds[] = {
	{ "c2c", bench_c2c },
	{ "fence", bench_fence },
	{ "atomic", bench_atomic },
	{ "models", bench_models },
	{ "check", bench_check },
	{ "mem", bench_mem },
	{ "litmus", bench_litmus },
	{ "rsm", bench_rsm },
	{ "paxos", bench_paxos },
	{ "lmutex", bench_lmutex },
	{ "consensus", bench_consensus },
};

int cmd_bench(int argc, char **argv)
{
	if (argc < 2) {
		fputs(bench_help, stderr);
		return CLI_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		fputs(bench_help, stdout);
		return CLI_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (strcmp(kinds[i].name, argv[1]) == 0)
			return kinds[i].run(argc - 1, argv + 1);
	return cli_usage("bench",
			 "unknown benchmark '%s' (expected c2c, fence, "
			 "atomic, mem, rsm, paxos, models, check, litmus, "
			 "lmutex or consensus)",
			 argv[1]);
}
