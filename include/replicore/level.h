/* SPDX-License-Identifier: MIT */
/* replicore/level.h: the consistency levels, one list for the memory objects and the history checkers. */
#ifndef REPLICORE_LEVEL_H
#define REPLICORE_LEVEL_H

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * A level says what the reads of a shared object may return. The objects
 * (rc_mem_create, replicore/mem.h) implement some levels, the checkers
 * (rc_check, replicore/check.h) decide some levels of a recorded history;
 * lin, sc and eventual are both:
 *
 *   level      name    object  history  what
 *   RC_LIN     lin     yes     yes      linearizable (Herlihy and Wing)
 *   RC_SC      sc      yes     yes      sequentially consistent (Lamport)
 *   RC_TSO     tso     yes     no       x86-TSO (Sewell et al.)
 *   RC_CAUSAL  causal  yes     no       strong release/acquire (SRA)
 *   RC_CC      cc      no      yes      causally consistent (Bouajjani,
 *                                       Enea, Guerraoui, Hamza 2017)
 *   RC_CM      cm      no      yes      causal memory
 *   RC_CCV     ccv     no      yes      causal convergence
 *   RC_RYW     ryw     no      yes      read your writes  \  session
 *   RC_MR      mr      no      yes      monotonic reads    | guarantees
 *   RC_MW      mw      no      yes      monotonic writes   | (Terry et
 *   RC_WFR     wfr     no      yes      writes follow reads/  al. 1994)
 *   RC_EVENTUAL eventual yes   yes      eventual consistency: replicas
 *                                       converge once every write has
 *                                       reached every replica; nothing
 *                                       more (Terry et al. 1994,
 *                                       Vogels 2009)
 *
 * No checker decides TSO or SRA. rc_level_checked_at() gives the level
 * at which the histories of an object are checked: the strongest level
 * the checkers decide that every read/write history of an object of that
 * level has.
 *
 *   object   its histories checked at
 *   lin      lin
 *   sc       sc
 *   tso      ccv   (the stores reach memory in one order that extends
 *                  each replica's order and what its loads read; a load
 *                  returns the last store of that order it can see)
 *   causal   ccv   (the writes to a location are ordered by Lamport time
 *                  and replica id, an order that extends causality, and
 *                  the copies converge)
 *   eventual eventual (reads return some write, and the final reads
 *                  of a key agree: see rc_check. A replica's copy only
 *                  moves up the stamp order, so the loads of a thread
 *                  bound to one replica read monotonically; such a
 *                  thread's histories keep mr, ryw, mw and wfr too,
 *                  checked at once with rc_check_opts.also; no causal
 *                  level holds: a replica may see a write before the
 *                  writes it depends on)
 *
 * On a single location every object level is at least sc, RMWs included
 * (coherence: the writes to a location are totally ordered and an RMW
 * reads the write just before its own), except that eventual RMWs are
 * local to their replica and not atomic (two may read the same write);
 * the history of one location of a tso or causal object may be checked
 * at sc with a cas-register spec, and of an eventual object without
 * RMWs at sc with a register spec.
 *
 * Values are stable: the object levels are 0..3 and 11, the history-only
 * levels are 4..10. Every function here is pure: any thread, at any
 * time, wait-free.
 */
enum rc_level {
	RC_LIN = 0,
	RC_SC = 1,
	RC_TSO = 2,
	RC_CAUSAL = 3,
	RC_CC = 4,
	RC_CM = 5,
	RC_CCV = 6,
	RC_RYW = 7,
	RC_MR = 8,
	RC_MW = 9,
	RC_WFR = 10,
	RC_EVENTUAL = 11,
};

/* The number of levels: every level is below it. */
#define RC_NLEVELS 12u

/* "lin", "sc", "tso", "causal", "cc", "cm", "ccv", "ryw", "mr", "mw",
 * "wfr", "eventual"; "?" for no level. */
const char *rc_level_name(enum rc_level level);

/*
 * Parses a name as rc_level_name() spells it: returns 0 and stores the
 * level in *level, or -RC_EINVAL (name is no level's; *level untouched).
 */
int rc_level_parse(const char *name, enum rc_level *level);

/* Whether an object can be made at level: RC_LIN, RC_SC, RC_TSO,
 * RC_CAUSAL, RC_EVENTUAL. */
bool rc_level_is_object(enum rc_level level);

/* Whether a history can be checked at level: every level but RC_TSO
 * and RC_CAUSAL. */
bool rc_level_is_history(enum rc_level level);
/* Whether level is a session guarantee: RC_RYW, RC_MR, RC_MW, RC_WFR
 * (several can be checked at once, see rc_check_opts.also). */
bool rc_level_is_session(enum rc_level level);

/*
 * The level to give rc_check for the histories of an object of level
 * (the table above): RC_TSO and RC_CAUSAL give RC_CCV, a level a
 * history can be checked at gives itself, and a value that is no level is
 * returned as it is (rc_check refuses it with -RC_EINVAL).
 */
enum rc_level rc_level_checked_at(enum rc_level level);

#ifdef __cplusplus
}
#endif

#endif /* REPLICORE_LEVEL_H */
