# SPDX-License-Identifier: MIT
# checker/local.mk: the checker module (sources, headers, tests, man pages).
