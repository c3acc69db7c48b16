/* SPDX-License-Identifier: MIT */
/* test_snapshot_sim.c: Chandy-Lamport snapshots of a bank in the seeded simulator: runs without faults, determinism, seeded runs with random faults holding every property, and the two broken variants caught. */
#include <stdlib.h>
#include <string.h>

#include "protocols/snapshot/snapshot.h"
#include "tests/tap.h"

#ifndef SN_DEFAULT_SIMS
#define SN_DEFAULT_SIMS 1000
#endif
/* The regression build runs other seeds than the unit tier's. */
#ifndef SN_FIRST_SEED
#define SN_FIRST_SEED 1
#endif

/*
 * Seed s picks the run: 2 to 6 nodes, 8 to 80 commands, drop < 0.3,
 * dup < 0.2, delay < 0.3, up to 3 stalls and up to 2 partitions.
 */
static void fuzz_opts(uint64_t s, enum _rc_snap_variant v,
		      struct _rc_snap_sim_opts *o)
{
	uint64_t x = s * 0x9e3779b97f4a7c15ull + 0x2545f4914f6cdd1dull;

#define SN_NEXT() (x ^= x << 13, x ^= x >> 7, x ^= x << 17, x)
	memset(o, 0, sizeof(*o));
	o->variant = v;
	o->seed = s;
	o->nodes = 2 + (unsigned)(SN_NEXT() % 5);
	o->commands = 8 + (unsigned)(SN_NEXT() % 73);
	o->faults.drop = (double)(SN_NEXT() % 300) / 1000;
	o->faults.dup = (double)(SN_NEXT() % 200) / 1000;
	o->faults.delay = (double)(SN_NEXT() % 300) / 1000;
	o->faults.stall = (unsigned)(SN_NEXT() % 4);
	o->faults.part = (unsigned)(SN_NEXT() % 3);
#undef SN_NEXT
}

static int run(unsigned nodes, uint64_t seed, unsigned commands,
	       const char *faults, enum _rc_snap_variant v,
	       struct _rc_snap_sim_result *r, FILE *trace, rc_err_t *err)
{
	struct _rc_snap_sim_opts o;

	memset(&o, 0, sizeof(o));
	o.variant = v;
	o.nodes = nodes;
	o.seed = seed;
	o.commands = commands;
	o.trace = trace;
	if (_rc_sim_faults_parse(faults, &o.faults, err) < 0)
		return -1;
	return _rc_snap_sim_run(&o, r, err);
}

static void test_clean(void)
{
	struct _rc_snap_sim_result r;
	rc_err_t err = RC_ERR_INITIALIZER;

	ok(run(5, 3, 100, "none", RC_SNAP_CHANDY_LAMPORT, &r, NULL, &err) ==
			   0 &&
		   r.violations == 0,
	   "5 nodes, 100 commands, no faults (%s)", r.why);
	ok(r.snapshots == 25 && r.complete == 25 && r.transfers > 50,
	   "25 snapshots, all complete, %llu transfers",
	   (unsigned long long)r.transfers);
	ok(run(4, 3, 300, "none", RC_SNAP_CHANDY_LAMPORT, &r, NULL, &err) ==
			   0 &&
		   r.snapshots == 64 && r.violations == 0,
	   "at most 64 snapshots a run");
	is(run(4, 3, 40, "crash=1", RC_SNAP_CHANDY_LAMPORT, &r, NULL, &err),
	   -RC_EINVAL, "crash faults refused: %s", err.msg);
	is(run(4, 3, 40, "restart=1", RC_SNAP_CHANDY_LAMPORT, &r, NULL, &err),
	   -RC_EINVAL, "and restarts");
}

static void test_determinism(void)
{
	const char *f = "drop=0.2,dup=0.1,delay=0.2,stall=2,part=1";
	struct _rc_snap_sim_result r1, r2;
	rc_err_t err = RC_ERR_INITIALIZER;
	char *b1 = NULL, *b2 = NULL;
	size_t l1 = 0, l2 = 0;
	FILE *t1 = open_memstream(&b1, &l1);
	FILE *t2 = open_memstream(&b2, &l2);

	run(4, 77, 60, f, RC_SNAP_CHANDY_LAMPORT, &r1, t1, &err);
	run(4, 77, 60, f, RC_SNAP_CHANDY_LAMPORT, &r2, t2, &err);
	fclose(t1);
	fclose(t2);
	ok(l1 > 1000 && l1 == l2 && memcmp(b1, b2, l1) == 0,
	   "one seed, one trace (%zu bytes)", l1);
	ok(strstr(b1, "marker ") && strstr(b1, "snapshot 0 starts") &&
		   strstr(b1, " drop ") != NULL,
	   "the trace shows markers, snapshots and drops");
	ok(r1.violations == 0 && r1.st.dropped > 0 && r1.st.partitions == 1,
	   "the channels make up for %llu drops and a partition (%s)",
	   (unsigned long long)r1.st.dropped, r1.why);
	free(b1);
	free(b2);
}

/* Seeds [first, first + n) of variant v: the failing runs, the props. */
static uint64_t fuzz(enum _rc_snap_variant v, uint64_t first, uint64_t n,
		     unsigned *props, uint64_t *snaps, char *why, size_t len)
{
	uint64_t failed = 0;

	*props = 0;
	*snaps = 0;
	for (uint64_t s = first; s < first + n; s++) {
		struct _rc_snap_sim_opts o;
		struct _rc_snap_sim_result r;
		rc_err_t err = RC_ERR_INITIALIZER;

		fuzz_opts(s, v, &o);
		if (_rc_snap_sim_run(&o, &r, &err) < 0) {
			diag("seed %llu: %s", (unsigned long long)s, err.msg);
			return UINT64_MAX;
		}
		*snaps += r.complete;
		if (r.violations && failed++ == 0)
			snprintf(why, len, "seed %llu: %s",
				 (unsigned long long)s, r.why);
		*props |= r.violations;
	}
	return failed;
}

static void test_fuzz(void)
{
	uint64_t n = tap_env_u64("RC_SNAPSHOT_SIMS", SN_DEFAULT_SIMS), snaps;
	unsigned props;
	char why[300] = "";

	is(fuzz(RC_SNAP_CHANDY_LAMPORT, SN_FIRST_SEED, n, &props, &snaps, why,
		sizeof(why)),
	   (uint64_t)0,
	   "%llu seeded simulations from seed %llu with faults: every "
	   "snapshot conserves the total, is a consistent cut and completes "
	   "(%s)",
	   (unsigned long long)n, (unsigned long long)SN_FIRST_SEED, why);
	diag("%llu snapshots completed", (unsigned long long)snaps);
	ok(snaps > n, "they took %llu snapshots", (unsigned long long)snaps);
}

static void test_broken(void)
{
	uint64_t snaps, failed;
	unsigned props;
	char why[300] = "";

	failed = fuzz(RC_SNAP_NO_CHANNELS, SN_FIRST_SEED, 20, &props, &snaps,
		      why, sizeof(why));
	ok(failed > 0 && failed != UINT64_MAX && (props & RC_SNAP_CONSERVATION),
	   "no channel state: conservation fails in %llu of 20 seeds (%s)",
	   (unsigned long long)failed, why);
	failed = fuzz(RC_SNAP_LATE_MARKERS, SN_FIRST_SEED, 20, &props, &snaps,
		      why, sizeof(why));
	ok(failed > 0 && failed != UINT64_MAX && (props & RC_SNAP_CONSISTENT),
	   "late markers: the cut is inconsistent in %llu of 20 seeds (%s)",
	   (unsigned long long)failed, why);
}

int main(void)
{
#ifdef SN_FUZZ_ONLY
	const bool fuzz_only = true;
#else
	const bool fuzz_only = false;
#endif

	if (!fuzz_only) {
		test_clean();
		test_determinism();
		test_broken();
	}
	test_fuzz();
	done_testing();
	return exit_status();
}
