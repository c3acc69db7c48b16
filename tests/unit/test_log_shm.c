/* SPDX-License-Identifier: MIT */
/* test_log_shm.c: the shared-memory log: order, cursors, reclamation, a full log's bounded wait, and threaded appends. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <replicore/log.h>

#include "tests/tap.h"

static void test_create(void)
{
	rc_err_t err = RC_ERR_INITIALIZER;
	rc_log_t *log;

	ok(rc_log_shm_create(&log, 0, 8, &err) == -RC_EINVAL && log == NULL,
	   "no nodes is refused");
	ok(rc_log_shm_create(&log, 2, 12, &err) == -RC_EINVAL &&
		   strstr(err.msg, "power of two") != NULL,
	   "a capacity that is not a power of two is refused: %s", err.msg);
	ok(rc_log_shm_create(&log, 2, 1, &err) == -RC_EINVAL,
	   "capacity 1 is refused");
	ok(rc_log_shm_create(&log, 3, 8, &err) == 0, "creates 3 nodes x 8");
	is(rc_log_nnodes(log), 3u, "nnodes");
	is(rc_log_caps(log), RC_LOG_CAP_TAIL | RC_LOG_CAP_NOPARTIAL,
	   "exact tail, failed appends leave nothing");
	is_str(rc_log_name(log), "shm", "name");
	is(log->max_batch, 4u, "max_batch is capacity / 2");
	rc_log_destroy(log);
	rc_log_destroy(NULL);
}

static struct rc_log_entry ent(uint64_t op, uint64_t arg, uint32_t tag)
{
	struct rc_log_entry e = { op, arg, 99, tag };

	return e;
}

static void test_order(void)
{
	rc_err_t err = RC_ERR_INITIALIZER;
	struct rc_log_entry e[3] = { ent(1, 10, 7), ent(2, 20, 8),
				     ent(3, 30, 9) },
			    out[8];
	uint64_t idx[3], t, first;
	rc_log_t *log;
	unsigned n;

	rc_log_shm_create(&log, 2, 8, &err);
	ok(rc_log_tail(log, &t) == 0 && t == 0, "an empty log's tail is 0");
	ok(rc_log_append(log, 1, e, 2, idx, RC_LOG_FOREVER, NULL, NULL, &err) ==
			   0 &&
		   idx[0] == 0 && idx[1] == 1,
	   "a batch gets consecutive indexes 0, 1");
	ok(rc_log_append(log, 0, e + 2, 1, idx, 0, NULL, NULL, &err) == 0 &&
		   idx[0] == 2,
	   "the next append gets 2 (timeout 0 succeeds with room)");
	rc_log_tail(log, &t);
	is(t, 3u, "the tail covers the returned appends");
	ok(rc_log_append(log, 0, e, 0, idx, 0, NULL, NULL, &err) == -RC_EINVAL,
	   "an empty batch is refused");
	ok(rc_log_append(log, 0, e, 5, idx, 0, NULL, NULL, &err) == -RC_EINVAL,
	   "a batch above max_batch is refused: %s", err.msg);
	ok(rc_log_append(log, 2, e, 1, idx, 0, NULL, NULL, &err) == -RC_EINVAL,
	   "a node out of range is refused");
	n = rc_log_read(log, 0, &first, out, 2);
	ok(n == 2 && first == 0 && out[0].op == 1 && out[0].arg == 10 &&
		   out[0].origin == 1 && out[0].tag == 7 && out[1].op == 2,
	   "node 0 reads entries 0 and 1 with origin set by the log");
	n = rc_log_read(log, 0, &first, out, 8);
	ok(n == 1 && first == 2 && out[0].op == 3 && out[0].origin == 0,
	   "then entry 2, from node 0");
	is(rc_log_read(log, 0, &first, out, 8), 0u, "then nothing");
	is(rc_log_cursor(log, 0), 3u, "node 0's cursor is 3");
	is(rc_log_cursor(log, 1), 0u, "node 1's cursor did not move");
	n = rc_log_read(log, 1, &first, out, 8);
	ok(n == 3 && first == 0 && out[2].arg == 30,
	   "node 1 reads the same three entries");
	rc_log_destroy(log);
}

struct helper {
	rc_log_t *log;
	unsigned node; /* the node the help consumes; nnodes: none */
	unsigned calls;
};

static void help_fn(void *arg)
{
	struct helper *h = arg;
	struct rc_log_entry out[4];
	uint64_t first;

	h->calls++;
	if (h->node < rc_log_nnodes(h->log))
		rc_log_read(h->log, h->node, &first, out, 1);
}

/*
 * Node 1 stops consuming: after capacity entries every append waits and,
 * with a bounded wait, fails with -RC_ETIMEDOUT leaving the log as it was;
 * node 0 keeps reading; once node 1 reads, the append goes through; a help
 * that consumes node 1 unblocks a waiting append by itself.
 */
static void test_full(void)
{
	rc_err_t err = RC_ERR_INITIALIZER;
	struct rc_log_entry e[4] = { ent(1, 0, 0), ent(2, 0, 1), ent(3, 0, 2),
				     ent(4, 0, 3) },
			    out[8];
	struct helper h = { NULL, 2, 0 };
	uint64_t idx[4], t, first;
	rc_log_t *log;
	unsigned n;
	int rc;

	rc_log_shm_create(&log, 2, 8, &err);
	h.log = log;
	ok(rc_log_append(log, 0, e, 4, idx, 0, NULL, NULL, &err) == 0 &&
		   rc_log_append(log, 0, e, 4, idx, 0, NULL, NULL, &err) == 0,
	   "8 entries fill a log of 8");
	rc = rc_log_append(log, 0, e, 1, idx, 0, NULL, NULL, &err);
	ok(rc == -RC_ETIMEDOUT, "a ninth with no wait times out: %d %s", rc,
	   err.msg);
	n = rc_log_read(log, 0, &first, out, 8);
	is(n, 8u, "node 0 still reads all 8");
	rc = rc_log_append(log, 0, e, 1, idx, 20000000, help_fn, &h, &err);
	ok(rc == -RC_ETIMEDOUT && h.calls > 0,
	   "with node 1 stalled a 20 ms append times out (help called %u "
	   "times), not hangs",
	   h.calls);
	rc_log_tail(log, &t);
	is(t, 8u, "the timed-out appends left nothing (tail 8)");
	is(rc_log_read(log, 0, &first, out, 8), 0u,
	   "and node 0 finds nothing new");
	n = rc_log_read(log, 1, &first, out, 1);
	ok(n == 1 && first == 0, "node 1 consumes one entry");
	ok(rc_log_append(log, 0, e, 1, idx, 0, NULL, NULL, &err) == 0 &&
		   idx[0] == 8,
	   "room for one: the append gets index 8, reusing slot 0");
	ok(rc_log_append(log, 0, e, 2, idx, 0, NULL, NULL, &err) ==
		   -RC_ETIMEDOUT,
	   "a batch of 2 does not fit in the room of 0");
	h.node = 1;
	h.calls = 0;
	rc = rc_log_append(log, 0, e, 2, idx, RC_LOG_FOREVER, help_fn, &h,
			   &err);
	ok(rc == 0 && idx[0] == 9 && idx[1] == 10 && h.calls >= 2,
	   "a help that consumes node 1 lets a blocking append finish "
	   "(%u calls)",
	   h.calls);
	n = rc_log_read(log, 1, &first, out, 8);
	ok(n == 8 && first == 3 && out[5].op == 1 && out[6].op == 1 &&
		   out[7].op == 2,
	   "node 1 reads 3..10: the reused slots hold the new entries");
	rc_log_destroy(log);
}

/* Many laps of a small log: every entry comes out once, in order. */
static void test_laps(void)
{
	rc_err_t err = RC_ERR_INITIALIZER;
	struct rc_log_entry e[2], out[4];
	uint64_t idx[2], first, next[2] = { 0, 0 }, i;
	bool good = true;
	rc_log_t *log;

	rc_log_shm_create(&log, 2, 4, &err);
	for (i = 0; i < 1000 && good; i++) {
		e[0] = ent(i, 2 * i, (uint32_t)i);
		e[1] = ent(i, 2 * i + 1, (uint32_t)i);
		good = rc_log_append(log, (unsigned)(i & 1), e, 2, idx, 0, NULL,
				     NULL, &err) == 0 &&
		       idx[0] == 2 * i;
		for (unsigned nd = 0; nd < 2 && good; nd++) {
			unsigned n = rc_log_read(log, nd, &first, out, 4);

			good = n == 2 && first == next[nd] &&
			       out[0].arg == first && out[1].arg == first + 1 &&
			       out[0].origin == (i & 1);
			next[nd] += n;
		}
	}
	ok(good, "1000 laps of a log of 4 keep order (stopped at %llu)",
	   (unsigned long long)i);
	rc_log_destroy(log);
}

/*
 * An appender expects the tail where its previous append and the others'
 * entries before it suggest; whatever the others did since, it gets the
 * true next index, and a log it would overfill stays as it was.
 */
static void test_guess(void)
{
	/* node, entries, the index the append must get, and why */
	static const struct {
		unsigned node, n;
		uint64_t at;
		const char *what;
	} step[] = {
		{ 0, 1, 0, "node 0 appends at 0" },
		{ 1, 3, 1, "node 1, expecting the tail at 0, appends 3 at 1" },
		{ 0, 1, 4, "node 0, expecting the tail at 1, appends at 4" },
		{ 1, 1, 5, "node 1, expecting the tail at 5, appends at 5" },
		{ 2, 100, 6, "node 2 appends 100 at 6" },
		{ 0, 1, 106,
		  "node 0, expecting the tail at 8, appends at 106" },
		{ 0, 1, 107, "and at 107 next, with nobody in between" },
		{ 1, 1, 108, "node 1 appends at 108" },
		{ 0, 1, 109, "node 0 at 109, one entry of node 1 before it" },
		{ 0, 1, 110,
		  "node 0, expecting the tail at 111 (one too far), appends at "
		  "110" },
	};
	rc_err_t err = RC_ERR_INITIALIZER;
	struct rc_log_entry e[100], out[128];
	uint64_t idx[100], t, first;
	rc_log_t *log;
	bool good = true;

	for (unsigned i = 0; i < 100; i++)
		e[i] = ent(i, i, i);
	rc_log_shm_create(&log, 3, 256, &err);
	for (size_t i = 0; i < sizeof step / sizeof step[0]; i++)
		ok(rc_log_append(log, step[i].node, e, step[i].n, idx, 0, NULL,
				 NULL, &err) == 0 &&
			   idx[0] == step[i].at,
		   "%s", step[i].what);
	for (unsigned nd = 0; nd < 3 && good; nd++) {
		uint64_t next = 0;
		unsigned n;

		while (good &&
		       (n = rc_log_read(log, nd, &first, out, 128)) > 0) {
			good = first == next;
			next += n;
		}
		good = good && next == 111;
	}
	ok(good, "every node reads the 111 entries in order");
	for (unsigned i = 0; i < 2 && good; i++)
		good = rc_log_append(log, 1, e, 74, idx, 0, NULL, NULL, &err) ==
		       0;
	ok(good &&
		   rc_log_append(log, 1, e, 100, idx, 0, NULL, NULL, &err) ==
			   0 &&
		   idx[0] == 259,
	   "node 1 fills the log up to 8 entries of room (tail 359)");
	ok(rc_log_append(log, 0, e, 9, idx, 0, NULL, NULL, &err) ==
		   -RC_ETIMEDOUT,
	   "node 0, expecting the tail at 111, finds no room for 9");
	rc_log_tail(log, &t);
	is(t, 359u, "and the tail did not move");
	ok(rc_log_append(log, 0, e, 8, idx, 0, NULL, NULL, &err) == 0 &&
		   idx[0] == 359,
	   "8 entries fit, at 359");
	rc_log_destroy(log);
}

/*
 * Threads append batches for their nodes and consume their own node (in
 * the help and between appends) while one more node is read by a reader
 * thread: every node must see the same sequence, each entry once, each
 * origin's entries in its append order.
 */
#define TNODES 3

static atomic_bool t_abort; /* a thread failed: the others stop */

struct tctx {
	rc_log_t *log;
	unsigned node;
	uint64_t batches;
	uint64_t total; /* entries in the log at the end */
	uint64_t *seen; /* (origin << 32 | tag) per index */
	uint64_t nseen;
	bool bad;
};

static void consume(struct tctx *c)
{
	struct rc_log_entry out[16];
	uint64_t first;
	unsigned n;

	while ((n = rc_log_read(c->log, c->node, &first, out, 16)) > 0) {
		if (first != c->nseen)
			c->bad = true;
		for (unsigned i = 0; i < n && c->nseen < c->total; i++)
			c->seen[c->nseen++] =
				((uint64_t)out[i].origin << 32) | out[i].tag;
	}
}

static void consume_help(void *arg)
{
	consume(arg);
}

static void *appender(void *arg)
{
	struct tctx *c = arg;
	rc_err_t err = RC_ERR_INITIALIZER;
	struct rc_log_entry e[3];
	uint64_t idx[3];
	uint32_t tag = 0;

	for (uint64_t b = 0; b < c->batches && !atomic_load(&t_abort); b++) {
		unsigned n = 1 + (unsigned)(b % 3);

		for (unsigned i = 0; i < n; i++)
			e[i] = ent(b, 0, tag++);
		/* a generous bound: a failure here is a lost wake-up */
		if (rc_log_append(c->log, c->node, e, n, idx, 30000000000ull,
				  consume_help, c, &err) < 0 ||
		    (n > 1 && idx[n - 1] <= idx[0])) {
			c->bad = true;
			atomic_store(&t_abort, true);
		}
		consume(c);
	}
	/* keep consuming: the other appenders need this node's room */
	while (c->nseen < c->total && !atomic_load(&t_abort))
		consume(c);
	return NULL;
}

static void *reader(void *arg)
{
	struct tctx *c = arg;

	while (c->nseen < c->total && !atomic_load(&t_abort))
		consume(c);
	return NULL;
}

static void test_threads(void)
{
	rc_err_t err = RC_ERR_INITIALIZER;
	uint64_t batches = tap_env_u64("RC_STRESS_OPS", 2000), total = 0;
	struct tctx c[TNODES];
	pthread_t th[TNODES];
	rc_log_t *log;
	bool same = true, bad = false, fifo = true;

	rc_log_shm_create(&log, TNODES, 16, &err);
	for (uint64_t b = 0; b < batches; b++)
		total += 1 + b % 3;
	total *= TNODES - 1;
	for (unsigned i = 0; i < TNODES; i++) {
		c[i] = (struct tctx){ log,
				      i,
				      i < TNODES - 1 ? batches : 0,
				      total,
				      calloc(total, sizeof(uint64_t)),
				      0,
				      false };
		pthread_create(&th[i], NULL, i < TNODES - 1 ? appender : reader,
			       &c[i]);
	}
	for (unsigned i = 0; i < TNODES; i++)
		pthread_join(th[i], NULL);
	for (unsigned i = 0; i < TNODES; i++) {
		consume(&c[i]);
		bad |= c[i].bad || c[i].nseen != total;
		if (memcmp(c[i].seen, c[0].seen, total * sizeof(uint64_t)))
			same = false;
	}
	for (unsigned o = 0; o < TNODES - 1 && !bad; o++) {
		uint64_t want = 0;

		for (uint64_t i = 0; i < total; i++)
			if (c[0].seen[i] >> 32 == o &&
			    (c[0].seen[i] & 0xffffffffu) != want++)
				fifo = false;
		fifo &= want == total / (TNODES - 1);
	}
	ok(!bad,
	   "%u appenders x %llu batches through a log of 16: no "
	   "failure, every node read all %llu entries",
	   TNODES - 1, (unsigned long long)batches, (unsigned long long)total);
	ok(same, "every node saw the same sequence");
	ok(fifo, "each origin's entries come once, in append order");
	for (unsigned i = 0; i < TNODES; i++)
		free(c[i].seen);
	rc_log_destroy(log);
}

int main(void)
{
	test_create();
	test_order();
	test_full();
	test_laps();
	test_guess();
	test_threads();
	done_testing();
	return exit_status();
}
