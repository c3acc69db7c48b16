# SPDX-License-Identifier: MIT
# bench/local.mk: the bench module (sources, headers, tests, man pages).
