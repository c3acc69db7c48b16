#!/bin/sh
# SPDX-License-Identifier: MIT
# test_format.sh: every C source and header follows .clang-format.
set -u
echo "1..1"
if ! command -v clang-format >/dev/null 2>&1; then
	echo "ok 1 # SKIP clang-format is not installed"
	exit 0
fi
if MAKEFLAGS= MFLAGS= ${MAKE:-make} -s -C "$RC_BUILDDIR" format-check >"${TMPDIR:-/tmp}/rc-fmt.$$" 2>&1; then
	echo "ok 1 - sources follow .clang-format"
else
	echo "not ok 1 - sources follow .clang-format"
	sed 's/^/# /' "${TMPDIR:-/tmp}/rc-fmt.$$"
fi
rm -f "${TMPDIR:-/tmp}/rc-fmt.$$"
