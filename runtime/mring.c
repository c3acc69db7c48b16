/* SPDX-License-Identifier: MIT */
/* mring.c: the single-producer single-consumer message ring of mring.h. */
#include <stdlib.h>
#include <string.h>

#include "runtime/mring.h"

#define SKIP 255u

int _rc_mring_init(struct _rc_mring *r, unsigned lines)
{
	struct _rc_mring_line *b;

	memset(r, 0, sizeof *r);
	if (lines < 8 || (lines & (lines - 1)) != 0)
		return -1;
	b = aligned_alloc(_RC_MRING_LINE, (size_t)lines * sizeof *b);
	if (!b)
		return -1;
	/* Stamps start at a value no first-lap position + 1 has. */
	for (unsigned i = 0; i < lines; i++) {
		atomic_init(&b[i].stamp, UINT32_MAX);
		b[i].kind = 0;
		b[i].lines = 0;
	}
	r->pbuf = r->cbuf = b;
	r->pmask = r->cmask = lines - 1;
	atomic_init(&r->head, 0);
	atomic_init(&r->chead, 0);
	return 0;
}

void _rc_mring_fini(struct _rc_mring *r)
{
	free(r->pbuf);
	r->pbuf = r->cbuf = NULL;
}

size_t _rc_mring_max(const struct _rc_mring *r)
{
	/* A quarter of the ring, so a skip never starves a message. */
	return (r->pmask + 1) / 4 * _RC_MRING_LINE - 8;
}

static uint32_t stamp_of(uint64_t pos)
{
	return (uint32_t)(pos + 1);
}

void *_rc_mring_reserve(struct _rc_mring *r, size_t len, unsigned kind,
			unsigned keep)
{
	uint64_t cap = r->pmask + 1, at = r->tail & r->pmask;
	uint64_t need = (len + 8 + _RC_MRING_LINE - 1) / _RC_MRING_LINE;
	uint64_t skip = at + need > cap ? cap - at : 0;
	struct _rc_mring_line *l;

	if (len > _rc_mring_max(r))
		return NULL;
	if (r->tail + skip + need - r->head_seen > cap) {
		/* acquire: pairs with the consumer's release of head, so its
		 * reads of the lines we are about to reuse are done */
		r->head_seen =
			atomic_load_explicit(&r->head, memory_order_acquire);
		if (r->tail + skip + need - r->head_seen > cap)
			return NULL;
	}
	if (skip) {
		l = &r->pbuf[at];
		l->kind = SKIP;
		l->lines = (uint16_t)skip;
		/* release: the skip's header before its stamp; pairs with
		 * the acquire in _rc_mring_peek */
		atomic_store_explicit(&l->stamp, stamp_of(r->tail),
				      memory_order_release);
		r->tail += skip;
	}
	l = &r->pbuf[r->tail & r->pmask];
	l->kind = (uint8_t)kind;
	l->lines = (uint16_t)need;
	r->res_pos = r->tail;
	r->tail += need;
	return l->data;
}

void _rc_mring_write(struct _rc_mring *r, void *dst, const void *src,
		     size_t len)
{
	char *d = dst;
	const char *s = src;

	(void)r;
	while (len > 0) {
		uintptr_t off = (uintptr_t)d % _RC_MRING_LINE;
		size_t k;

		if (off == 0) {
			/* a line's stamp field: four bytes, stored whole */
			uint32_t w = 0;

			k = len < 4 ? len : 4;
			memcpy(&w, s, k);
			/* relaxed: only a hint reads it here, and the record
			 * is published by the first line's release */
			atomic_store_explicit(
				&((struct _rc_mring_line *)(void *)d)->stamp, w,
				memory_order_relaxed);
		} else {
			k = _RC_MRING_LINE - off;
			if (k > len)
				k = len;
			memcpy(d, s, k);
		}
		d += k;
		s += k;
		len -= k;
	}
}

void _rc_mring_publish(struct _rc_mring *r)
{
	/* release: the message's bytes before its stamp; pairs with the
	 * acquire load of the stamp in _rc_mring_peek */
	atomic_store_explicit(&r->pbuf[r->res_pos & r->pmask].stamp,
			      stamp_of(r->res_pos), memory_order_release);
}

/* The consumer's head: only the consumer writes it (relaxed). */
static uint64_t chead(struct _rc_mring *r)
{
	return atomic_load_explicit(&r->chead, memory_order_relaxed);
}

static void ack(struct _rc_mring *r, uint64_t h)
{
	/* release: our reads of the consumed lines happen before the
	 * producer reuses them; pairs with its acquire in reserve */
	atomic_store_explicit(&r->head, h, memory_order_release);
	r->unacked = 0;
}

/* Moves the consumer's head by n lines, acknowledging in batches. */
static void advance(struct _rc_mring *r, uint64_t h, unsigned n)
{
	/*
	 * The lines after a record's first hold its bytes where a record
	 * starting there would keep its stamp; bytes that happened to equal
	 * the stamp expected there a lap later would publish a record that
	 * was never written (seen here: a message of type 129 read from the
	 * middle of an old one). So each consumed line gets the stamp of its
	 * own position now, which no later lap expects.
	 */
	for (unsigned i = 1; i < n; i++)
		/* relaxed: ordered before the producer's reuse by the
		 * release of head in ack, like the reads of the record */
		atomic_store_explicit(&r->cbuf[(h + i) & r->cmask].stamp,
				      stamp_of(h + i), memory_order_relaxed);
	/* relaxed: a hint for _rc_mring_ready; ack publishes */
	atomic_store_explicit(&r->chead, h + n, memory_order_relaxed);
	r->unacked += n;
	if (r->unacked >= (r->cmask + 1) / 8)
		ack(r, h + n);
}

const void *_rc_mring_peek(struct _rc_mring *r, unsigned *kind)
{
	for (;;) {
		uint64_t h = chead(r);
		struct _rc_mring_line *l = &r->cbuf[h & r->cmask];

		/* acquire: pairs with the release of the stamp in publish
		 * (and reserve, for a skip): the bytes are written */
		if (atomic_load_explicit(&l->stamp, memory_order_acquire) !=
		    stamp_of(h)) {
			if (r->unacked)
				ack(r, h);
			return NULL;
		}
		if (l->kind != SKIP) {
			*kind = l->kind;
			return l->data;
		}
		advance(r, h, l->lines);
	}
}

void _rc_mring_pop(struct _rc_mring *r)
{
	uint64_t h = chead(r);

	advance(r, h, r->cbuf[h & r->cmask].lines);
}

bool _rc_mring_ready(struct _rc_mring *r)
{
	uint64_t h = chead(r);

	if (!r->cbuf)
		return false;
	/* relaxed: a hint; a consumer that acts on it peeks (acquire) */
	return atomic_load_explicit(&r->cbuf[h & r->cmask].stamp,
				    memory_order_relaxed) == stamp_of(h);
}
