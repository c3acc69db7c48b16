/* SPDX-License-Identifier: MIT */
/* replay.c: a main() for the fuzz target, so make check replays the kept corpus without libFuzzer. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/tap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void replay_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0;

	if (!d) {
		ok(0, "open %s", dir);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			names = realloc(names, cap * sizeof(char *));
			if (!names)
				abort();
		}
		names[n++] = strdup(e->d_name);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(char *), cmp);
	for (size_t i = 0; i < n; i++) {
		char path[4096];
		FILE *f;
		char *buf = NULL;
		size_t len = 0, cap2 = 0, r;

		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		f = fopen(path, "rb");
		if (!f) {
			ok(0, "open %s", path);
			free(names[i]);
			continue;
		}
		do {
			if (cap2 - len < 4096) {
				cap2 = cap2 ? 2 * cap2 : 8192;
				buf = realloc(buf, cap2);
				if (!buf)
					abort();
			}
			r = fread(buf + len, 1, cap2 - len, f);
			len += r;
		} while (r > 0);
		fclose(f);
		/* the target aborts on any finding: reaching ok() is the test */
		LLVMFuzzerTestOneInput((const uint8_t *)buf, len);
		ok(1, "replays %s", names[i]);
		free(buf);
		free(names[i]);
	}
	free(names);
}

int main(int argc, char **argv)
{
	const char *src = getenv("RC_SRCDIR");
	char dir[4096];

	if (argc > 1) {
		for (int i = 1; i < argc; i++)
			replay_dir(argv[i]);
	} else {
		snprintf(dir, sizeof dir, "%s/tests/fuzz/corpus-litmus",
			 src && *src ? src : ".");
		replay_dir(dir);
	}
	done_testing();
	return exit_status();
}
