/* SPDX-License-Identifier: MIT */
/* rand.h: splitmix64, the generator every seeded choice of the protocols, their simulator and their runner comes from. */
#ifndef RC_PROTOCOLS_RAND_H
#define RC_PROTOCOLS_RAND_H

#include <stdint.h>

/* The next number of the stream whose state is *s (one owner). */
static inline uint64_t _rc_rand(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* A double uniform in [0, 1). */
static inline double _rc_rand_unit(uint64_t *s)
{
	return (double)(_rc_rand(s) >> 11) * 0x1.0p-53;
}

#endif /* RC_PROTOCOLS_RAND_H */
