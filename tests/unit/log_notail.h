/* SPDX-License-Identifier: MIT */
/* log_notail.h: a log backend for tests that wraps the shared-memory log but offers no tail, as a consensus log may not. */
#ifndef RC_TESTS_LOG_NOTAIL_H
#define RC_TESTS_LOG_NOTAIL_H

#include <stdlib.h>

#include <replicore/log.h>

/*
 * Every call goes to the inner shm log except the tail, which this
 * backend does not offer (no RC_LOG_CAP_TAIL): rc_rsm must then send
 * linearizable reads through the log. A timed-out append is declared
 * possibly partial (no RC_LOG_CAP_NOPARTIAL) as a consensus log would,
 * and an append waits (calling help) after its entries are ordered.
 */
struct notail_log {
	struct rc_log base;
	rc_log_t *inner;
};

/*
 * Like a consensus log, returns only some time after the entries are
 * ordered, calling help meanwhile: help then consumes the appender's own
 * entries before their indexes are returned.
 */
static int notail_append(rc_log_t *log, unsigned node,
			 const struct rc_log_entry *e, unsigned n,
			 uint64_t *idx, uint64_t timeout_ns,
			 rc_log_help_fn help, void *help_arg, rc_err_t *err)
{
	int rc = rc_log_append(((struct notail_log *)log)->inner, node, e, n,
			       idx, timeout_ns, help, help_arg, err);

	for (unsigned i = 0; rc == 0 && help && i < 2; i++)
		help(help_arg);
	return rc;
}

static int notail_tail(rc_log_t *log, uint64_t *tail)
{
	(void)log;
	(void)tail;
	return -RC_ENOTSUP;
}

static unsigned notail_read(rc_log_t *log, unsigned node, uint64_t *first,
			    struct rc_log_entry *out, unsigned max)
{
	return rc_log_read(((struct notail_log *)log)->inner, node, first, out,
			   max);
}

static uint64_t notail_cursor(rc_log_t *log, unsigned node)
{
	return rc_log_cursor(((struct notail_log *)log)->inner, node);
}

static void notail_destroy(rc_log_t *log)
{
	rc_log_destroy(((struct notail_log *)log)->inner);
	free(log);
}

static const struct rc_log_ops notail_ops = {
	notail_append, notail_tail, notail_read, notail_cursor, notail_destroy,
	NULL,	       NULL,	    NULL,	 NULL
};

static rc_log_t *notail_create(unsigned nnodes, size_t capacity)
{
	struct notail_log *l = calloc(1, sizeof(*l));

	if (!l || rc_log_shm_create(&l->inner, nnodes, capacity, NULL) < 0) {
		free(l);
		return NULL;
	}
	l->base = *l->inner;
	l->base.ops = &notail_ops;
	l->base.name = "notail";
	l->base.caps = 0;
	return &l->base;
}

#endif /* RC_TESTS_LOG_NOTAIL_H */
