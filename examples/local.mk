# SPDX-License-Identifier: MIT
# examples/local.mk: small programs that link the installed library.
EXTRA_DIST += examples/hello.c

# rc_rsm: four sequential structures made concurrent (built and run by
# make check through tests/unit/test_examples_rsm.sh).
check_PROGRAMS += examples/rsm
examples_rsm_LDADD = libreplicore.la $(RC_DEP_LIBS)
EXTRA_DIST += examples/rsm_map.h examples/rsm_stack.h examples/rsm_pq.h \
	examples/rsm_counter.h examples/rsm_map_stall.h
