# SPDX-License-Identifier: MIT
# examples/local.mk: small programs that link the installed library.
EXTRA_DIST += examples/hello.c
