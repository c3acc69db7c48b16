/* SPDX-License-Identifier: MIT */
/* test_mring.c: the message ring delivers exactly what was published, in order, even when a record's bytes look like a later lap's stamp. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/mring.h"
#include "tests/tap.h"

/* Publishes len bytes of src; false when there is no room. */
static bool send(struct _rc_mring *r, const void *src, size_t len)
{
	void *d = _rc_mring_reserve(r, len, 7, 0);

	if (!d)
		return false;
	_rc_mring_write(r, d, src, len);
	_rc_mring_publish(r);
	return true;
}

/*
 * A two-line record whose bytes at the second line's start equal the
 * stamp that line expects one lap later; after a lap of one-line
 * records the consumer's head stands on that line with nothing
 * published there: the ring must look empty.
 */
static void stale_stamp(void)
{
	struct _rc_mring r;
	unsigned char big[100], small[8] = { 1 };
	uint32_t lap_stamp = 1 + 8 + 1; /* position 9 + 1: line 1, lap 2 */
	unsigned kind;
	const void *m;
	int got = 0;

	ok(_rc_mring_init(&r, 8) == 0, "a ring of 8 lines");
	memset(big, 0xab, sizeof big);
	/* the record's bytes start 8 bytes into line 0: line 1 is at 56 */
	memcpy(big + 56, &lap_stamp, sizeof lap_stamp);
	ok(send(&r, big, sizeof big), "a two-line record is published");
	m = _rc_mring_peek(&r, &kind);
	ok(m && memcmp(m, big, sizeof big) == 0 && kind == 7,
	   "and read back whole");
	_rc_mring_pop(&r);
	/* positions 2 .. 8: one-line records, each read at once */
	for (int i = 0; i < 7; i++) {
		small[1] = (unsigned char)i;
		if (send(&r, small, sizeof small) &&
		    (m = _rc_mring_peek(&r, &kind)) != NULL &&
		    memcmp(m, small, sizeof small) == 0) {
			got++;
			_rc_mring_pop(&r);
		}
	}
	is(got, 7, "seven one-line records go round to the record's line");
	ok(_rc_mring_peek(&r, &kind) == NULL,
	   "nothing is read where only an old record's bytes lie");
	ok(!_rc_mring_ready(&r), "and the hint says so too");
	_rc_mring_fini(&r);
}

/*
 * Records of random lengths whose bytes are all words equal to stamps
 * the ring will expect: every one comes out once, in order, whole.
 */
static void random_records(void)
{
	struct _rc_mring r;
	uint64_t x = 88172645463325252ull, sent = 0, recv = 0, bad = 0;
	uint32_t buf[256], want[256];
	size_t want_len = 0;
	unsigned kind;

	_rc_mring_init(&r, 64); /* records up to 1016 bytes */
	while (recv < 100000) {
		size_t len;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		len = 4 * (1 + x % (_rc_mring_max(&r) / 4));
		for (size_t i = 0; i < len / 4; i++)
			buf[i] = (uint32_t)(sent + 1 + i * 3 + (x >> 40) % 64);
		buf[0] = (uint32_t)sent;
		if (!send(&r, buf, len))
			bad++;
		memcpy(want, buf, len);
		want_len = len;
		sent++;
		/* read at once: the consumer follows the producer closely */
		{
			const uint32_t *m = _rc_mring_peek(&r, &kind);

			if (!m || memcmp(m, want, want_len) != 0)
				bad++;
			else
				recv++;
			if (m)
				_rc_mring_pop(&r);
			if (_rc_mring_peek(&r, &kind) != NULL)
				bad++; /* a record nobody published */
		}
	}
	is(bad, 0,
	   "100,000 records of 4..%zu bytes, each read once, whole, "
	   "and nothing else",
	   _rc_mring_max(&r));
	_rc_mring_fini(&r);
}

int main(void)
{
	stale_stamp();
	random_records();
	done_testing();
	return exit_status();
}
