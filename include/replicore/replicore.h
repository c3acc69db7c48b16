/* SPDX-License-Identifier: MIT */
/* replicore/replicore.h: every public header of replicore. */
#ifndef REPLICORE_REPLICORE_H
#define REPLICORE_REPLICORE_H

#include <replicore/config.h>
#include <replicore/err.h>
#include <replicore/topo.h>
#include <replicore/wait.h>
#include <replicore/level.h>
#include <replicore/history.h>
#include <replicore/check.h>
#include <replicore/chan.h>
#include <replicore/clock.h>
#include <replicore/crdt.h>
#include <replicore/mem.h>
#include <replicore/recorder.h>
#include <replicore/log.h>
#include <replicore/rsm.h>
#include <replicore/tob.h>
#include <replicore/paxos.h>
#include <replicore/raft.h>
#include <replicore/lmutex.h>
#include <replicore/lease.h>
#include <replicore/snapshot.h>
#include <replicore/fd.h>
#include <replicore/litmus.h>
#include <replicore/model.h>
#include <replicore/objrun.h>

#endif /* REPLICORE_REPLICORE_H */
