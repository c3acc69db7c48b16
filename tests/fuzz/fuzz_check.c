/* SPDX-License-Identifier: MIT */
/* fuzz_check.c: libFuzzer target for the history parsers and checkers (make fuzz-check). */
#include "tests/fuzz/fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_check_one(data, size);
	return 0;
}
