# SPDX-License-Identifier: MIT
# bench/local.mk: the bench module (sources, headers, tests, man pages).

# The memory models on the litmus corpus: per-test and total times as JSON,
# with herd7's figures beside them (reported, never asserted).
EXTRA_DIST += bench/models.sh
bench-models: replicore$(EXEEXT)
	@$(SHELL) $(srcdir)/bench/models.sh ./replicore$(EXEEXT) \
		'$(RC_SHARED)/corpus/litmus' $${RC_BENCH_REPEAT:-3}
bench: bench-models
.PHONY: bench bench-models
