#!/bin/sh
# SPDX-License-Identifier: MIT
# test_check_corpus_extra.sh: the rest of Porcupine's histories (corpus/histories-extra) get their verdicts too.
RC_CORPUS=histories-extra RC_CORPUS_FILES=54
export RC_CORPUS RC_CORPUS_FILES
exec sh "${RC_SRCDIR:-.}/tests/unit/test_check_corpus.sh"
