/* SPDX-License-Identifier: MIT */
/* mring.h: a single-producer single-consumer ring of variable-length messages laid out in cache lines, published by a stamp in each message's first line. */
#ifndef RC_RUNTIME_MRING_H
#define RC_RUNTIME_MRING_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A message occupies whole 64-byte lines, contiguous in memory: an 8-byte
 * header (stamp, kind, line count) and then the caller's bytes, 56 in the
 * first line and 64 in each further one. A message of up to 56 bytes
 * moves one line from producer to consumer, and nothing else: the
 * producer publishes it by storing the stamp (the ring position + 1) with
 * release in its first line, and the consumer polls that line, not a
 * shared index. The consumer hands room back by storing its head on a
 * line of its own, once per RING/8 lines consumed or when it finds the
 * ring empty; the producer reads that line only when its cached head says
 * the ring is full. So a message costs one line transfer, plus one per
 * eighth of the ring for the acknowledgement.
 *
 * A message never wraps: one that would is preceded by a skip record to
 * the ring's end. A message longer than _rc_mring_max() cannot be sent
 * (the caller carries it by reference).
 *
 * One producer and one consumer at a time, each possibly a different
 * thread over time as long as a lock or another release/acquire pair
 * orders one holder of a side before the next.
 */
#define _RC_MRING_LINE 64u

struct _rc_mring_line {
	_Atomic uint32_t stamp; /* (position + 1) mod 2^32 once published */
	uint8_t kind;		/* the caller's; 255: skip */
	uint8_t pad;
	uint16_t lines; /* lines the record occupies */
	uint8_t data[_RC_MRING_LINE - 8];
};

struct _rc_mring {
	/* the producer's */
	_Alignas(64) struct _rc_mring_line *pbuf;
	uint64_t pmask, tail, head_seen;
	uint64_t res_pos; /* the reserved record's position */
	/* the consumer's (chead also read by others, as a hint) */
	_Alignas(64) struct _rc_mring_line *cbuf;
	uint64_t cmask, unacked;
	_Atomic uint64_t chead;
	/* written by the consumer, read by the producer when full */
	_Alignas(64) _Atomic uint64_t head;
};

/* lines: a power of two >= 8. Returns 0 or -1 without memory. */
int _rc_mring_init(struct _rc_mring *r, unsigned lines);
void _rc_mring_fini(struct _rc_mring *r);

/* The longest message in bytes. */
size_t _rc_mring_max(const struct _rc_mring *r);

/*
 * Producer: room for a message of len bytes with the given kind (0..254),
 * leaving at least keep lines free after it (0: may fill the ring; a
 * sender keeps room so that messages that matter more still fit).
 * Returns where to write its bytes, or NULL when there is no such room
 * or len is over _rc_mring_max(). Then _rc_mring_publish makes it
 * visible. Wait-free.
 */
void *_rc_mring_reserve(struct _rc_mring *r, size_t len, unsigned kind,
			unsigned keep);
void _rc_mring_publish(struct _rc_mring *r);

/*
 * Copies len bytes from src to dst, a place inside the record reserved
 * last: as memcpy, except that the first four bytes of every line it
 * reaches past the first are stored atomically (relaxed). Those bytes are
 * where a record starting on that line keeps its stamp, which a reader
 * looking for work without the consumer's side (_rc_mring_ready, a hint
 * from a head it read a moment ago) may load while the producer reuses
 * the line: with plain stores that would be a data race. The producer
 * alone calls it.
 */
void _rc_mring_write(struct _rc_mring *r, void *dst, const void *src,
		     size_t len);

/*
 * Consumer: the oldest message (its bytes, with *kind set), or NULL when
 * there is none. The bytes stay valid until _rc_mring_pop. Wait-free.
 */
const void *_rc_mring_peek(struct _rc_mring *r, unsigned *kind);
void _rc_mring_pop(struct _rc_mring *r);

/*
 * Whether a message waits at the consumer's head: a hint for any thread,
 * which reads the head and the stamp there without ordering. It may miss
 * a message published during the call or, if the consumer moved on and
 * the producer came round a whole ring meanwhile, one behind it; the
 * consumer's own _rc_mring_peek is exact. Wait-free, any thread.
 */
bool _rc_mring_ready(struct _rc_mring *r);

#endif /* RC_RUNTIME_MRING_H */
