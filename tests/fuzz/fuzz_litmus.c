/* SPDX-License-Identifier: MIT */
/* fuzz_litmus.c: libFuzzer target: parse, print, reparse and reprint a litmus test. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <replicore/litmus.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Prints t into a malloc'd string. */
static char *print_str(const rc_litmus_t *t, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	if (!f)
		abort();
	rc_litmus_print(t, f);
	fclose(f);
	return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	rc_err_t err = RC_ERR_INITIALIZER;
	rc_litmus_t *t, *t2;
	char *p1, *p2;
	size_t l1, l2;

	if (rc_litmus_parse((const char *)data, size, "fuzz", &t, &err) < 0) {
		/* every error names a place in the input */
		if (err.line == 0 || err.msg[0] == '\0')
			abort();
		return 0;
	}
	/* what the printer writes parses, and prints the same again */
	p1 = print_str(t, &l1);
	if (rc_litmus_parse(p1, l1, "fuzz-printed", &t2, &err) < 0) {
		fprintf(stderr, "printed test does not parse: %u:%u: %s\n%s",
			err.line, err.col, err.msg, p1);
		abort();
	}
	p2 = print_str(t2, &l2);
	if (l1 != l2 || memcmp(p1, p2, l1) != 0) {
		fprintf(stderr, "round trip differs:\n%s---\n%s", p1, p2);
		abort();
	}
	free(p1);
	free(p2);
	rc_litmus_free(t2);
	rc_litmus_free(t);
	return 0;
}
