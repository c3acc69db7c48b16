#!/bin/sh
# SPDX-License-Identifier: MIT
# build.sh: set up, build and run replicore from a fresh Debian 12 machine.
#
#   ./build.sh demo    install what is missing, build, run `replicore demo`
#   ./build.sh check   install what is missing, build, run `make check`
#
# Environment: RC_BUILD_DIR (default build), RC_CONFIGURE_FLAGS (extra
# configure options, e.g. --enable-sanitizers=thread), MAKEFLAGS as usual.
set -eu

usage() {
	cat <<'USAGE'
Usage: ./build.sh demo | check | build

  demo    build, then run the demonstration (replicore demo)
  check   build, then run the test suite (make check) and print
          one line "N passed, N failed[, N skipped]"
  build   install missing packages, configure and build only

As root, missing Debian packages are installed first (apt-get update runs
only when one is missing). As another user, the apt-get command to run is
printed and the script exits with status 2.

Environment:
  RC_BUILD_DIR        build folder (default: build)
  RC_CONFIGURE_FLAGS  extra configure options, e.g. --enable-sanitizers=thread
USAGE
}

case "${1:-}" in
demo|check|build) what=$1 ;;
-h|--help) usage; exit 0 ;;
*) usage >&2; exit 2 ;;
esac

top=$(cd "$(dirname "$0")" && pwd)
cd "$top"

# Debian packages the build, the tests and the demo need.
packages="build-essential autoconf automake libtool pkg-config \
liburcu-dev libhwloc-dev libck-dev clang-format"

missing=""
for p in $packages; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done
if [ -n "$missing" ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "build.sh: missing Debian packages:$missing" >&2
		echo "build.sh: run as root:  apt-get update && apt-get install -y$missing" >&2
		exit 2
	fi
	echo "build.sh: installing$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >&2
fi

jobs=$(nproc 2>/dev/null || echo 2)
bdir=${RC_BUILD_DIR:-build}
flags="--enable-developer ${RC_CONFIGURE_FLAGS:-}"

# autoreconf only when configure is missing or older than its inputs.
need_reconf=no
[ -x configure ] || need_reconf=yes
if [ $need_reconf = no ]; then
	for f in configure.ac Makefile.am $(ls ./*/local.mk 2>/dev/null); do
		[ "$f" -nt configure ] && need_reconf=yes
	done
fi
if [ $need_reconf = yes ]; then
	echo "build.sh: autoreconf" >&2
	autoreconf -fi >&2
fi

mkdir -p "$bdir"
# configure again only when it never ran or its options changed.
if [ ! -f "$bdir/config.status" ] ||
	[ "$(cat "$bdir/.rc-flags" 2>/dev/null)" != "$flags" ]; then
	echo "build.sh: configure $flags" >&2
	# shellcheck disable=SC2086
	(cd "$bdir" && "$top/configure" $flags >&2)
	printf '%s' "$flags" >"$bdir/.rc-flags"
fi

make -C "$bdir" -j"$jobs" >&2

case $what in
build)
	exit 0
	;;
demo)
	exec "$bdir/replicore" demo
	;;
check)
	stamp="$bdir/.rc-check-stamp"
	: >"$stamp"
	status=0
	make -C "$bdir" -j"$jobs" check || status=$?
	find "$bdir" -name '*.trs' -newer "$stamp" -exec cat {} + 2>/dev/null |
		awk '
		/^:test-result: (PASS|XFAIL)/ { p++ }
		/^:test-result: (FAIL|XPASS|ERROR)/ { f++ }
		/^:test-result: SKIP/ { s++ }
		/^:test-result: XFAIL/ { x++ }
		END {
			if (x > 0)
				printf("build.sh: %d of the passed are expected failures " \
				    "(XFAIL: known differences, named in the test logs)\n", x)
			line = sprintf("%d passed, %d failed", p, f)
			if (s > 0) line = line sprintf(", %d skipped", s)
			print line
			exit (f > 0)
		}' || status=1
	exit $status
	;;
esac
