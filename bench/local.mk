# SPDX-License-Identifier: MIT
# bench/local.mk: the bench module (sources, headers, tests, man pages).

# The memory models on the litmus corpus: per-test and total times as JSON,
# with herd7's figures beside them (reported, never asserted).
EXTRA_DIST += bench/models.sh bench/litmus/IRIW6+rel+acq.litmus \
	bench/litmus/6FAA+rlx.litmus bench/litmus/SB6.litmus
bench-models: replicore$(EXEEXT)
	@$(SHELL) $(srcdir)/bench/models.sh ./replicore$(EXEEXT) \
		'$(RC_SHARED)/corpus/litmus' $${RC_BENCH_REPEAT:-3} \
		$(srcdir)/bench/litmus/*.litmus
bench: bench-models
.PHONY: bench bench-models
