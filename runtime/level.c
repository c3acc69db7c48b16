/* SPDX-License-Identifier: MIT */
/* level.c: the levels' names, and which are objects' and which histories'. */
#include <string.h>

#include <replicore/err.h>
#include <replicore/level.h>

static const char *const level_names[RC_NLEVELS] = {
	"lin", "sc",  "tso", "causal", "cc",  "cm",
	"ccv", "ryw", "mr",  "mw",     "wfr", "eventual",
};

const char *rc_level_name(enum rc_level level)
{
	return (unsigned)level < RC_NLEVELS ? level_names[level] : "?";
}

int rc_level_parse(const char *name, enum rc_level *level)
{
	for (unsigned i = 0; i < RC_NLEVELS; i++)
		if (strcmp(name, level_names[i]) == 0) {
			*level = (enum rc_level)i;
			return 0;
		}
	return -RC_EINVAL;
}

bool rc_level_is_object(enum rc_level level)
{
	return (unsigned)level <= RC_CAUSAL || level == RC_EVENTUAL;
}

bool rc_level_is_history(enum rc_level level)
{
	return (unsigned)level < RC_NLEVELS && level != RC_TSO &&
	       level != RC_CAUSAL;
}

bool rc_level_is_session(enum rc_level level)
{
	return level >= RC_RYW && level <= RC_WFR;
}

enum rc_level rc_level_checked_at(enum rc_level level)
{
	return level == RC_TSO || level == RC_CAUSAL ? RC_CCV : level;
}
