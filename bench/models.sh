#!/bin/sh
# SPDX-License-Identifier: MIT
# models.sh: the litmus corpus under every memory model, timed; JSON to stdout (make bench-models).
# Usage: bench/models.sh [REPLICORE [CORPUS [REPEAT]]]
BIN=${1:-./replicore}
CORPUS=${2:-${RC_SHARED:-../shared}/corpus/litmus}
REPEAT=${3:-${RC_BENCH_REPEAT:-3}}
exec "$BIN" bench models --json --repeat "$REPEAT" --corpus "$CORPUS"
