# SPDX-License-Identifier: MIT
# litmus/local.mk: the litmus module (sources, headers, tests, man pages).
