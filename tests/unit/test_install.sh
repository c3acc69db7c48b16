#!/bin/sh
# SPDX-License-Identifier: MIT
# test_install.sh: install into a temporary root, then build and run
# examples/hello.c through pkg-config, as a user of the library would.
set -u
echo "1..4"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/rc-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
if MAKEFLAGS= MFLAGS= ${MAKE:-make} -C "$RC_BUILDDIR" install DESTDIR="$tmp" >"$tmp/install.log" 2>&1; then
	echo "ok 1 - make install into a DESTDIR"
else
	echo "not ok 1 - make install into a DESTDIR"
	sed 's/^/# /' "$tmp/install.log" | tail -20
	exit 1
fi
pc=$(find "$tmp" -name replicore.pc | head -n 1)
if [ -n "$pc" ]; then
	echo "ok 2 - replicore.pc is installed"
else
	echo "not ok 2 - replicore.pc is installed"
	exit 1
fi
prefix=$(sed -n 's/^prefix=//p' "$pc")
pcdir=$(dirname "$pc")
flags=$(PKG_CONFIG_PATH="$pcdir" pkg-config --define-variable=prefix="$tmp$prefix" \
	--cflags --libs replicore) || flags=""
libdir=$(PKG_CONFIG_PATH="$pcdir" pkg-config --define-variable=prefix="$tmp$prefix" \
	--variable=libdir replicore)
# shellcheck disable=SC2086
if ${CC:-cc} ${RC_EXAMPLE_CFLAGS:-} "$RC_SRCDIR/examples/hello.c" $flags \
	-Wl,-rpath,"$libdir" -o "$tmp/hello" >"$tmp/cc.log" 2>&1; then
	echo "ok 3 - examples/hello.c builds with pkg-config --cflags --libs replicore"
else
	echo "not ok 3 - examples/hello.c builds with pkg-config --cflags --libs replicore"
	sed 's/^/# /' "$tmp/cc.log"
	exit 1
fi
out=$("$tmp/hello" 2>&1)
case $out in
*"send happened before receive"*)
	echo "ok 4 - the installed example runs"
	;;
*)
	echo "not ok 4 - the installed example runs"
	echo "$out" | sed 's/^/# /'
	;;
esac
