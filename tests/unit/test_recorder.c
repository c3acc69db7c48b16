/* SPDX-License-Identifier: MIT */
/* test_recorder.c: rc_recorder: recording, full logs, pending operations, the text round trip, the initial value, exports during recording. */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include <replicore/check.h>
#include <replicore/history.h>
#include <replicore/recorder.h>

#include "tests/tap.h"

#define NTHREADS 4

static void test_errors(void)
{
	rc_err_t err = RC_ERR_INITIALIZER;
	rc_recorder_t *rec;

	is(rc_recorder_create(&rec, 0, 10, &err), -RC_EINVAL,
	   "0 threads: -RC_EINVAL (%s)", err.msg);
	is(rc_recorder_create(&rec, 1, 0, &err), -RC_EINVAL,
	   "capacity 0: -RC_EINVAL");
}

static void test_basic(void)
{
	rc_err_t err = RC_ERR_INITIALIZER;
	rc_recorder_t *rec;
	rc_history_t *h = rc_history_new(), *back = NULL;
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	const struct rc_hop *o;
	struct rc_check_opts opts = RC_CHECK_OPTS_INITIALIZER;
	rc_check_result_t *res = NULL;

	is(rc_recorder_create(&rec, 2, 8, &err), 0, "create 2 x 8");
	is(rc_recorder_nthreads(rec), 2, "2 slots");
	is(rc_recorder_begin(rec, 0, RC_HOP_WRITE, RC_HVAL_NONE, 7,
			     RC_HVAL_NONE),
	   0, "begin a write");
	rc_recorder_end(rec, 0, RC_HVAL_OK, RC_HST_OK);
	rc_recorder_begin(rec, 1, RC_HOP_READ, RC_HVAL_NONE, RC_HVAL_NONE,
			  RC_HVAL_NONE);
	rc_recorder_end(rec, 1, 7, RC_HST_OK);
	rc_recorder_begin(rec, 1, RC_HOP_CAS, RC_HVAL_NONE, 7, 8);
	rc_recorder_end(rec, 1, RC_HVAL_TRUE, RC_HST_OK);
	/* pending: no end */
	rc_recorder_begin(rec, 0, RC_HOP_WRITE, RC_HVAL_NONE, 9, RC_HVAL_NONE);
	is(rc_recorder_count(rec), 4, "4 operations begun");
	is(rc_recorder_export(rec, h, 0, &err), 0, "export");
	is(rc_history_len(h), 4, "4 operations exported");
	o = rc_history_op(h, 0);
	ok(o->proc == 0 && o->kind == RC_HOP_WRITE && o->arg[0] == 7 &&
		   o->call <= o->ret && o->status == RC_HST_OK,
	   "slot 0's write: process 0, argument, call <= ret");
	o = rc_history_op(h, 1);
	ok(o->proc == 0 && o->ret == RC_HTIME_INF &&
		   o->status == RC_HST_INDET && o->result == RC_HVAL_UNKNOWN,
	   "the pending write is indeterminate");
	o = rc_history_op(h, 3);
	ok(o->proc == 1 && o->kind == RC_HOP_CAS && o->arg[1] == 8 &&
		   o->result == RC_HVAL_TRUE &&
		   o->call >= rc_history_op(h, 2)->ret,
	   "slot 1 in program order");
	f = open_memstream(&text, &len);
	is(rc_recorder_write(rec, f, 0, &err), 0, "write");
	fclose(f);
	ok(text != NULL && strstr(text, "# replicore-history 1") == text,
	   "the text has the format's header");
	is(rc_history_parse(text, len, "rec", &back, &err), 0,
	   "the text parses back (%s)", err.msg);
	ok(back != NULL && rc_history_len(back) == 4, "4 operations read back");
	opts.spec = RC_SPEC_CAS_REGISTER;
	ok(back != NULL && rc_check(back, &opts, &res, &err) == 0 &&
		   res->verdict == RC_VERDICT_OK,
	   "and it is linearizable");
	rc_check_result_free(res);
	rc_history_free(back);
	free(text);
	rc_history_free(h);
	rc_recorder_destroy(rec);
}

static void test_full(void)
{
	rc_err_t err = RC_ERR_INITIALIZER;
	rc_recorder_t *rec;
	rc_history_t *h = rc_history_new();
	int rc = 0;

	rc_recorder_create(&rec, 1, 2, NULL);
	for (int i = 0; i < 3; i++) {
		rc = rc_recorder_begin(rec, 0, RC_HOP_WRITE, RC_HVAL_NONE, i,
				       RC_HVAL_NONE);
		rc_recorder_end(rec, 0, RC_HVAL_OK, RC_HST_OK);
	}
	is(rc, -RC_EAGAIN, "a full log: begin returns -RC_EAGAIN");
	is(rc_recorder_dropped(rec), 1, "one operation dropped");
	is(rc_recorder_export(rec, h, 0, &err), -RC_EINVAL,
	   "export refuses an incomplete history (%s)", err.msg);
	is(rc_recorder_export(rec, h, RC_RECORDER_PARTIAL, &err), 0,
	   "export with RC_RECORDER_PARTIAL");
	is(rc_history_len(h), 2, "the 2 recorded operations");
	rc_history_free(h);
	rc_recorder_destroy(rec);
}

struct conc {
	rc_recorder_t *rec;
	size_t ops;
	_Atomic unsigned done, exports;
};

struct slot_arg {
	struct conc *c;
	unsigned id;
};

static void *recorder_thread(void *arg)
{
	struct slot_arg *a = arg;

	for (size_t i = 0; i < a->c->ops; i++) {
		/* halfway, until the main thread has exported a few times,
		 * so exports and recording overlap; it exports until done */
		if (i == a->c->ops / 2)
			while (atomic_load(&a->c->exports) < 3)
				sched_yield();
		rc_recorder_begin(a->c->rec, a->id, RC_HOP_WRITE, RC_HVAL_NONE,
				  (rc_hval_t)i, RC_HVAL_NONE);
		rc_recorder_end(a->c->rec, a->id, RC_HVAL_OK, RC_HST_OK);
	}
	atomic_fetch_add(&a->c->done, 1);
	return NULL;
}

/* Per process: operations in program order, times increasing. */
static bool well_formed(const rc_history_t *h, size_t *n)
{
	int64_t last[NTHREADS];
	size_t cnt[NTHREADS] = { 0 };

	for (unsigned t = 0; t < NTHREADS; t++)
		last[t] = INT64_MIN;
	for (size_t i = 0; i < rc_history_len(h); i++) {
		const struct rc_hop *o = rc_history_op(h, i);

		if (o->proc >= NTHREADS || o->call < last[o->proc] ||
		    o->arg[0] != (rc_hval_t)cnt[o->proc])
			return false;
		if (o->status == RC_HST_INDET) {
			last[o->proc] = INT64_MAX;
		} else {
			if (o->ret < o->call)
				return false;
			last[o->proc] = o->ret;
		}
		cnt[o->proc]++;
	}
	*n = rc_history_len(h);
	return true;
}

static void test_concurrent(void)
{
	struct conc c;
	struct slot_arg a[NTHREADS];
	pthread_t th[NTHREADS];
	unsigned exports = 0, bad = 0;
	size_t n = 0, prev = 0, shrink = 0;
	rc_history_t *h;

	c.ops = (size_t)tap_env_u64("RC_RECORDER_OPS", 20000);
	atomic_init(&c.done, 0);
	atomic_init(&c.exports, 0);
	rc_recorder_create(&c.rec, NTHREADS, c.ops, NULL);
	for (unsigned i = 0; i < NTHREADS; i++) {
		a[i].c = &c;
		a[i].id = i;
		pthread_create(&th[i], NULL, recorder_thread, &a[i]);
	}
	/* exports while the threads record */
	while (atomic_load(&c.done) < NTHREADS) {
		h = rc_history_new();
		if (rc_recorder_export(c.rec, h, 0, NULL) < 0 ||
		    !well_formed(h, &n))
			bad++;
		if (n < prev)
			shrink++;
		prev = n;
		exports++;
		atomic_store(&c.exports, exports);
		rc_history_free(h);
	}
	for (unsigned i = 0; i < NTHREADS; i++)
		pthread_join(th[i], NULL);
	is(bad, 0, "%u exports during recording: each well formed", exports);
	is(shrink, 0, "each export holds at least what the one before held");
	h = rc_history_new();
	ok(rc_recorder_export(c.rec, h, 0, NULL) == 0 && well_formed(h, &n) &&
		   n == NTHREADS * c.ops,
	   "after the join: all %zu operations, in program order",
	   NTHREADS * c.ops);
	rc_history_free(h);
	rc_recorder_destroy(c.rec);
}

/*
 * An object that starts at 0, recorded as it is: the history says so and
 * the checker needs no mapping of 0 to nil.
 */
static void test_initial(void)
{
	rc_err_t err = RC_ERR_INITIALIZER;
	rc_recorder_t *rec;
	rc_history_t *h = rc_history_new(), *other = rc_history_new(),
		     *back = NULL;
	struct rc_check_opts opts = RC_CHECK_OPTS_INITIALIZER;
	rc_check_result_t *res = NULL;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	rc_recorder_create(&rec, 2, 8, NULL);
	is(rc_recorder_initial(rec), RC_HVAL_NIL,
	   "a recorder leaves the start to the spec");
	is(rc_recorder_set_initial(rec, RC_HVAL_UNKNOWN), -RC_EINVAL,
	   "? is no initial value");
	is(rc_recorder_set_initial(rec, RC_HVAL_STR(0)), -RC_EINVAL,
	   "nor a string, which a recorder cannot hold");
	is(rc_recorder_set_initial(rec, 0), 0, "it starts at 0");
	is(rc_recorder_initial(rec), 0, "read back");
	rc_recorder_begin(rec, 1, RC_HOP_READ, RC_HVAL_NONE, RC_HVAL_NONE,
			  RC_HVAL_NONE);
	rc_recorder_end(rec, 1, 0, RC_HST_OK);
	rc_recorder_begin(rec, 0, RC_HOP_WRITE, RC_HVAL_NONE, 3, RC_HVAL_NONE);
	rc_recorder_end(rec, 0, RC_HVAL_OK, RC_HST_OK);
	rc_recorder_begin(rec, 1, RC_HOP_READ, RC_HVAL_NONE, RC_HVAL_NONE,
			  RC_HVAL_NONE);
	rc_recorder_end(rec, 1, 3, RC_HST_OK);
	is(rc_recorder_export(rec, h, 0, &err), 0, "export");
	is(rc_history_initial(h), 0, "the history starts at 0");
	opts.spec = RC_SPEC_REGISTER;
	ok(rc_check(h, &opts, &res, &err) == 0 && res->verdict == RC_VERDICT_OK,
	   "the read of 0 before the write is linearizable");
	rc_check_result_free(res);
	res = NULL;
	f = open_memstream(&text, &len);
	is(rc_recorder_write(rec, f, 0, &err), 0, "write");
	fclose(f);
	ok(text != NULL && strstr(text, "\ninitial 0\n") != NULL,
	   "the text gives the initial value");
	ok(rc_history_parse(text, len, "rec", &back, &err) == 0 &&
		   rc_history_initial(back) == 0 &&
		   rc_check(back, &opts, &res, &err) == 0 &&
		   res->verdict == RC_VERDICT_OK,
	   "and reads back to the same verdict");
	rc_check_result_free(res);
	rc_history_set_initial(other, 7, NULL);
	is(rc_recorder_export(rec, other, 0, &err), -RC_EINVAL,
	   "a history of another start is refused (%s)", err.msg);
	is(rc_history_len(other), 0, "and left as it was");
	rc_history_free(back);
	free(text);
	rc_history_free(other);
	rc_history_free(h);
	rc_recorder_destroy(rec);
}

int main(void)
{
	test_errors();
	test_basic();
	test_full();
	test_initial();
	test_concurrent();
	done_testing();
	return exit_status();
}
