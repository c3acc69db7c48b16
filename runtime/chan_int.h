/* SPDX-License-Identifier: MIT */
/* chan_int.h: the two halves of a multi-sender send, apart, for tests that hold a sender between them. */
#ifndef RC_RUNTIME_CHAN_INT_H
#define RC_RUNTIME_CHAN_INT_H

#include <stdbool.h>

#include <replicore/chan.h>

/*
 * A send to an MPSC or MPMC channel is _rc_chan_reserve (take the next
 * ticket's slot and write msg into it, unpublished; false when the
 * channel is full) and then _rc_chan_commit (publish it in ticket order,
 * or hand it over to the earlier sender that has not published yet; see
 * chan.c). A thread that has reserved and not committed is a sender
 * stalled in the middle of a send: the messages reserved after its own
 * stay invisible until it commits. The same thread calls both, once
 * each, with nothing of the channel's in between that could wait for its
 * own commit (a blocking receive of the channel). Internal: for tests.
 */
bool _rc_chan_reserve(rc_chan_t *c, void *msg, unsigned *ticket);
void _rc_chan_commit(rc_chan_t *c, unsigned ticket);

#endif /* RC_RUNTIME_CHAN_INT_H */
