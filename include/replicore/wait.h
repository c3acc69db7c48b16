/* SPDX-License-Identifier: MIT */
/* replicore/wait.h: how a blocking call of the library waits: spin, spin then park, or park. */
#ifndef REPLICORE_WAIT_H
#define REPLICORE_WAIT_H

#ifdef __cplusplus
extern "C" {
#endif

/*
 * A blocking call waits for a condition that another thread makes true:
 * a commit, a message, room in a log. How it waits is a policy, chosen
 * per object where the object's options have a `wait` field:
 *
 *   RC_WAIT_SPIN_PARK  (the default, 0) spin with pause instructions for
 *                      about as long as a park and a wake cost, then
 *                      park in the kernel until the thread that makes
 *                      the condition true wakes it (or a bound passes).
 *   RC_WAIT_SPIN       spin with pause instructions only; never enter
 *                      the kernel. Lowest latency when every waiter has
 *                      a CPU of its own; on a machine with more runnable
 *                      threads than CPUs a spinner holds the CPU its
 *                      partner needs until the scheduler's tick.
 *   RC_WAIT_PARK       park at once. Costs a kernel round trip and a
 *                      wake on every wait, frees the CPU at once.
 *
 * The measured costs behind the default are in runtime/wait.c.
 */
enum rc_wait_policy {
	RC_WAIT_SPIN_PARK = 0,
	RC_WAIT_SPIN = 1,
	RC_WAIT_PARK = 2,
};

/* "spin-park", "spin", "park"; NULL for a value out of range. */
const char *rc_wait_policy_name(enum rc_wait_policy p);

/*
 * Parses a policy name as printed by rc_wait_policy_name into *p: 0, or
 * -1 for an unknown name. Wait-free, any thread.
 */
int rc_wait_policy_parse(const char *name, enum rc_wait_policy *p);

#ifdef __cplusplus
}
#endif

#endif /* REPLICORE_WAIT_H */
