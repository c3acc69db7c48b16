# SPDX-License-Identifier: MIT
# memmodel/local.mk: the memmodel module (sources, headers, tests, man pages).
