#!/bin/sh
# SPDX-License-Identifier: MIT
# models.sh: the litmus corpus under every memory model, timed; JSON to stdout (make bench-models).
# Usage: bench/models.sh [REPLICORE [CORPUS [REPEAT [EXTRA.litmus...]]]]
# EXTRA tests (bench/litmus: 6-thread tests) are timed after the corpus.
BIN=${1:-./replicore}
CORPUS=${2:-${RC_SHARED:-../shared}/corpus/litmus}
REPEAT=${3:-${RC_BENCH_REPEAT:-3}}
shift 3 2>/dev/null || shift $#
exec "$BIN" bench models --json --repeat "$REPEAT" --corpus "$CORPUS" "$@"
