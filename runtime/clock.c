/* SPDX-License-Identifier: MIT */
/* clock.c: Lamport and vector clocks, and monotonic time. */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <replicore/clock.h>

uint64_t rc_lamport_tick(rc_lamport_t *c)
{
	return ++c->time;
}

uint64_t rc_lamport_recv(rc_lamport_t *c, uint64_t remote)
{
	if (remote > c->time)
		c->time = remote;
	return ++c->time;
}

int rc_lamport_order(uint64_t ta, unsigned ida, uint64_t tb, unsigned idb)
{
	if (ta != tb)
		return ta < tb ? -1 : 1;
	if (ida != idb)
		return ida < idb ? -1 : 1;
	return 0;
}

rc_vclock_t *rc_vclock_create(unsigned n)
{
	rc_vclock_t *v;

	assert(n >= 1);
	v = calloc(1, sizeof(*v) + (size_t)n * sizeof(v->c[0]));
	if (v != NULL)
		v->n = n;
	return v;
}

void rc_vclock_destroy(rc_vclock_t *v)
{
	free(v);
}

rc_vclock_t *rc_vclock_dup(const rc_vclock_t *v)
{
	rc_vclock_t *d = rc_vclock_create(v->n);

	if (d != NULL)
		rc_vclock_copy(d, v);
	return d;
}

void rc_vclock_copy(rc_vclock_t *dst, const rc_vclock_t *src)
{
	assert(dst->n == src->n);
	memcpy(dst->c, src->c, (size_t)src->n * sizeof(src->c[0]));
}

void rc_vclock_tick(rc_vclock_t *v, unsigned self)
{
	assert(self < v->n);
	v->c[self]++;
}

void rc_vclock_merge(rc_vclock_t *v, const rc_vclock_t *other)
{
	assert(v->n == other->n);
	for (unsigned i = 0; i < v->n; i++)
		if (other->c[i] > v->c[i])
			v->c[i] = other->c[i];
}

void rc_vclock_recv(rc_vclock_t *v, unsigned self, const rc_vclock_t *other)
{
	rc_vclock_merge(v, other);
	rc_vclock_tick(v, self);
}

enum rc_vc_order rc_vclock_compare(const rc_vclock_t *a, const rc_vclock_t *b)
{
	bool less = false, more = false;

	assert(a->n == b->n);
	for (unsigned i = 0; i < a->n; i++) {
		less |= a->c[i] < b->c[i];
		more |= a->c[i] > b->c[i];
	}
	if (less && more)
		return RC_VC_CONCURRENT;
	if (less)
		return RC_VC_BEFORE;
	if (more)
		return RC_VC_AFTER;
	return RC_VC_EQUAL;
}

bool rc_vclock_before(const rc_vclock_t *a, const rc_vclock_t *b)
{
	return rc_vclock_compare(a, b) == RC_VC_BEFORE;
}

size_t rc_vclock_format(const rc_vclock_t *v, char *buf, size_t size)
{
	size_t len = 0;
	int w;

	w = snprintf(buf, size, "[");
	len += (size_t)w;
	for (unsigned i = 0; i < v->n; i++) {
		w = snprintf(len < size ? buf + len : NULL,
			     len < size ? size - len : 0, "%s%llu",
			     i > 0 ? "," : "", (unsigned long long)v->c[i]);
		len += (size_t)w;
	}
	w = snprintf(len < size ? buf + len : NULL, len < size ? size - len : 0,
		     "]");
	len += (size_t)w;
	return len;
}

uint64_t rc_clock_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
