/* SPDX-License-Identifier: MIT */
/* bench_check.c: `replicore bench check`, checker time and peak memory on the corpus and generated histories. */
#include <dirent.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <replicore/check.h>
#include <replicore/history.h>

#include "cli/cli.h"
#include "tools/commands.h"

static const char bench_check_help[] =
	"NAME\n"
	"    replicore bench check - time and memory of the history "
	"checker\n"
	"\n"
	"SYNOPSIS\n"
	"    replicore bench check [--corpus DIR] [--sizes N,N,...] "
	"[--procs P]\n"
	"                          [--seed S] [--timeout S] [--write N "
	"FILE]\n"
	"\n"
	"DESCRIPTION\n"
	"    Checks every history of DIR (default: the histories of the "
	"reference\n"
	"    corpus, $RC_SHARED/corpus/histories) for linearizability, "
	"best of 3,\n"
	"    parsing excluded; then generated single-key cas-register "
	"histories of\n"
	"    each size (default 2000,10000,50000) from P processes "
	"(default 8):\n"
	"    linearizable, with one read made wrong (it returns the next "
	"value), and 5000 operations "
	"with 50\n"
	"    writes that never complete. Each run is measured in a child "
	"process:\n"
	"    wall time of the check and the child's peak resident memory. "
	"Prints one\n"
	"    JSON object.\n"
	"\n"
	"    --write N FILE writes the generated history of N operations "
	"to FILE in\n"
	"    replicore's format and exits.\n"
	"\n"
	"EXIT STATUS\n"
	"    0 when every verdict is the expected one, 1 otherwise, 2 on "
	"bad arguments.\n";

struct meas {
	double seconds;
	long maxrss_kb;
	int verdict; /* enum rc_verdict, or -1 on error */
	size_t ops;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/*
 * Makes the read at or after *from (the first one that returned a value)
 * return the next value, one that other operations do write; returns its
 * index, or -1. A changed read can happen to stay linearizable (a write of
 * that value may be concurrent); the caller then tries the next one.
 */
static long mutate_read(rc_history_t *h, size_t from)
{
	size_t n = rc_history_len(h);

	for (size_t i = from; i < n; i++) {
		struct rc_hop *o = (struct rc_hop *)rc_history_op(h, i);

		if (o->kind == RC_HOP_READ && rc_hval_is_int(o->result)) {
			o->result = (o->result + 1) % 5;
			return (long)i;
		}
	}
	return -1;
}

/* Runs one generated check in a child; the parent reads the result. */
static struct meas run_child(size_t nops, unsigned procs, uint64_t seed,
			     size_t nindet, bool mutate, double timeout)
{
	struct meas m = { 0, 0, -1, nops };
	int fd[2];
	pid_t pid;

	if (pipe(fd) < 0)
		return m;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(fd[0]);
		close(fd[1]);
		return m;
	}
	if (pid == 0) {
		struct rc_check_opts o = RC_CHECK_OPTS_INITIALIZER;
		rc_history_t *h = rc_history_gen_cas(nops, procs, seed, nindet);
		rc_check_result_t *r = NULL;
		size_t from = h != NULL ? rc_history_len(h) / 2 : 0;
		struct rusage ru;
		double t0;

		close(fd[0]);

		for (int attempt = 0; h != NULL && attempt < 50; attempt++) {
			long i = mutate ? mutate_read(h, from) : -1;

			o.spec = RC_SPEC_CAS_REGISTER;
			o.timeout = timeout;
			t0 = now();
			if (rc_check(h, &o, &r, NULL) == 0) {
				m.seconds = now() - t0;
				m.verdict = (int)r->verdict;
				rc_check_result_free(r);
			}
			if (!mutate || i < 0 || m.verdict != RC_VERDICT_OK)
				break;
			/* still linearizable: undo, change the next read */
			((struct rc_hop *)rc_history_op(h, (size_t)i))->result =
				(rc_history_op(h, (size_t)i)->result + 4) % 5;
			from = (size_t)i + 1;
		}
		rc_history_free(h);
		getrusage(RUSAGE_SELF, &ru);
		m.maxrss_kb = ru.ru_maxrss;
		if (write(fd[1], &m, sizeof(m)) != (ssize_t)sizeof(m))
			_exit(1);
		_exit(0);
	}
	close(fd[1]);
	if (read(fd[0], &m, sizeof(m)) != (ssize_t)sizeof(m))
		m.verdict = -1;
	close(fd[0]);
	waitpid(pid, NULL, 0);
	return m;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The corpus: every .log and .edn under dir (one level of subfolders). */
static size_t list_corpus(const char *dir, char ***out)
{
	char **v = NULL;
	size_t n = 0, cap = 0;
	const char *sub[] = { "", "/jepsen-etcd" };

	for (int s = 0; s < 2; s++) {
		char path[4096];
		DIR *d;
		struct dirent *e;

		snprintf(path, sizeof(path), "%s%s", dir, sub[s]);
		if ((d = opendir(path)) == NULL)
			continue;
		while ((e = readdir(d)) != NULL) {
			size_t l = strlen(e->d_name);
			char full[4096 + 256];

			if (l < 5 || (strcmp(e->d_name + l - 4, ".log") != 0 &&
				      strcmp(e->d_name + l - 4, ".edn") != 0))
				continue;
			if (n == cap) {
				cap = cap ? cap * 2 : 64;
				char **nv = realloc(v, cap * sizeof(*v));
				if (nv == NULL)
					break;
				v = nv;
			}
			snprintf(full, sizeof(full), "%s/%s", path, e->d_name);
			v[n++] = strdup(full);
		}
		closedir(d);
	}
	if (n > 0)
		qsort(v, n, sizeof(*v), cmp_str);
	*out = v;
	return n;
}

static void json_meas(struct cli_json *j, const char *name,
		      const struct meas *m, const char *expect)
{
	cli_json_obj(j);
	cli_json_key(j, "history");
	cli_json_str(j, name);
	cli_json_key(j, "ops");
	cli_json_uint(j, m->ops);
	cli_json_key(j, "verdict");
	cli_json_str(j, m->verdict < 0
				? "error"
				: rc_verdict_name((enum rc_verdict)m->verdict));
	cli_json_key(j, "expected");
	cli_json_str(j, expect);
	cli_json_key(j, "seconds");
	cli_json_double(j, m->seconds);
	cli_json_key(j, "peak_rss_kib");
	cli_json_int(j, m->maxrss_kb);
	cli_json_obj_end(j);
}

int bench_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "corpus", required_argument, NULL, 'c' },
		{ "sizes", required_argument, NULL, 'n' },
		{ "procs", required_argument, NULL, 'p' },
		{ "seed", required_argument, NULL, 's' },
		{ "timeout", required_argument, NULL, 't' },
		{ "write", required_argument, NULL, 'w' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char defdir[4096];
	const char *dir = NULL, *sizes = "2000,10000,50000";
	uint64_t procs = 8, seed = 1, wn = 0;
	double timeout = 60;
	struct cli_json j;
	char **files = NULL;
	size_t nfiles;
	bool all_ok = true;
	int c;

	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			dir = optarg;
			break;
		case 'n':
			sizes = optarg;
			break;
		case 'p':
			if (!cli_parse_u64("bench check", "--procs", optarg,
					   &procs) ||
			    procs == 0 || procs > 1024)
				return CLI_EXIT_USAGE;
			break;
		case 's':
			if (!cli_parse_u64("bench check", "--seed", optarg,
					   &seed))
				return CLI_EXIT_USAGE;
			break;
		case 't':
			timeout = atof(optarg);
			break;
		case 'w':
			if (!cli_parse_u64("bench check", "--write", optarg,
					   &wn))
				return CLI_EXIT_USAGE;
			if (optind >= argc)
				return cli_usage("bench check",
						 "--write N needs a FILE");
			{
				rc_history_t *h = rc_history_gen_cas(
					wn, (unsigned)procs, seed, 0);
				FILE *f = fopen(argv[optind], "w");
				int rc = -1;

				if (h != NULL && f != NULL)
					rc = rc_history_write(h, f, NULL);
				if (f != NULL && fclose(f) != 0)
					rc = -1;
				rc_history_free(h);
				if (rc < 0) {
					fprintf(stderr,
						"replicore bench check: cannot "
						"write %s\n",
						argv[optind]);
					return CLI_EXIT_USAGE;
				}
				return CLI_EXIT_OK;
			}
		case 'j':
			break;
		case 'h':
			fputs(bench_check_help, stdout);
			return CLI_EXIT_OK;
		default:
			return cli_bad_option("bench check", argv, optopt);
		}
	}
	if (dir == NULL) {
		const char *sh = getenv("RC_SHARED");

		snprintf(defdir, sizeof(defdir), "%s/corpus/histories",
			 sh != NULL ? sh : "../shared");
		dir = defdir;
	}
	nfiles = list_corpus(dir, &files);
	cli_json_init(&j, stdout);
	cli_json_obj(&j);
	cli_json_key(&j, "bench");
	cli_json_str(&j, "check");
	cli_json_key(&j, "corpus");
	cli_json_obj(&j);
	cli_json_key(&j, "dir");
	cli_json_str(&j, dir);
	cli_json_key(&j, "files");
	cli_json_uint(&j, nfiles);
	{
		rc_history_t **hs = calloc(nfiles + 1, sizeof(*hs));
		double best = -1, parse = 0;
		size_t ops = 0, nviol = 0, bad = 0;

		for (size_t i = 0; hs != NULL && i < nfiles; i++) {
			double t0 = now();

			if (rc_history_load(files[i], &hs[i], NULL) < 0)
				bad++;
			else
				ops += rc_history_len(hs[i]);
			parse += now() - t0;
		}
		for (int rep = 0; hs != NULL && rep < 3; rep++) {
			double t = 0;

			nviol = 0;
			for (size_t i = 0; i < nfiles; i++) {
				struct rc_check_opts o =
					RC_CHECK_OPTS_INITIALIZER;
				rc_check_result_t *r;
				double t0 = now();

				if (hs[i] == NULL)
					continue;
				o.timeout = timeout;
				if (rc_check(hs[i], &o, &r, NULL) < 0)
					continue;
				t += now() - t0;
				nviol += r->verdict == RC_VERDICT_VIOLATION;
				rc_check_result_free(r);
			}
			if (best < 0 || t < best)
				best = t;
		}
		cli_json_key(&j, "ops");
		cli_json_uint(&j, ops);
		cli_json_key(&j, "unreadable");
		cli_json_uint(&j, bad);
		cli_json_key(&j, "violations");
		cli_json_uint(&j, nviol);
		cli_json_key(&j, "check_seconds_best_of_3");
		cli_json_double(&j, best < 0 ? 0 : best);
		cli_json_key(&j, "parse_seconds");
		cli_json_double(&j, parse);
		cli_json_key(&j, "porcupine_seconds");
		cli_json_double(&j, 0.2566);
		for (size_t i = 0; i < nfiles; i++) {
			if (hs != NULL)
				rc_history_free(hs[i]);
			free(files[i]);
		}
		free(hs);
		free(files);
	}
	cli_json_obj_end(&j);
	cli_json_key(&j, "generated");
	cli_json_arr(&j);
	for (const char *s = sizes; *s;) {
		char *end, name[64];
		unsigned long long n = strtoull(s, &end, 10);
		struct meas m;

		if (end == s || n == 0)
			break;
		m = run_child(n, (unsigned)procs, seed, 0, false, timeout);
		snprintf(name, sizeof(name), "cas-register %llu ops", n);
		json_meas(&j, name, &m, "ok");
		all_ok &= m.verdict == RC_VERDICT_OK;
		if (n >= 50000) {
			m = run_child(n, (unsigned)procs, seed, 0, true,
				      timeout);
			snprintf(name, sizeof(name),
				 "cas-register %llu ops, one read wrong", n);
			json_meas(&j, name, &m, "violation");
			all_ok &= m.verdict == RC_VERDICT_VIOLATION;
		}
		s = *end == ',' ? end + 1 : end;
	}
	{
		struct meas m = run_child(5000, (unsigned)procs, seed, 50,
					  false, timeout);

		json_meas(&j, "cas-register 5000 ops, 50 writes never complete",
			  &m, "ok");
		all_ok &= m.verdict == RC_VERDICT_OK;
	}
	cli_json_arr_end(&j);
	cli_json_obj_end(&j);
	cli_json_end(&j);
	return all_ok ? CLI_EXIT_OK : CLI_EXIT_FOUND;
}
