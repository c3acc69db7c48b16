/* SPDX-License-Identifier: MIT */
/* test_check_fuzz_replay.c: every input of the kept fuzz corpus through the parsers and checkers again. */
#include <dirent.h>

#include "tests/fuzz/fuzz_check.h"
#include "tests/tap.h"

int main(void)
{
	const char *src = getenv("RC_SRCDIR");
	char dir[4096];
	DIR *d;
	struct dirent *e;
	unsigned files = 0, histories = 0, unread = 0;

	snprintf(dir, sizeof(dir), "%s/tests/fuzz/corpus-check",
		 src != NULL ? src : ".");
	if ((d = opendir(dir)) == NULL)
		skip_all("no fuzz corpus at %s", dir);
	while ((e = readdir(d)) != NULL) {
		char path[4096 + 256];
		FILE *f;
		uint8_t *buf;
		long len;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if ((f = fopen(path, "rb")) == NULL) {
			unread++;
			continue;
		}
		fseek(f, 0, SEEK_END);
		len = ftell(f);
		fseek(f, 0, SEEK_SET);
		buf = malloc((size_t)len + 1);
		if (buf == NULL || fread(buf, 1, (size_t)len, f) != (size_t)len)
			unread++;
		else
			histories += (unsigned)fuzz_check_one(buf, (size_t)len);
		free(buf);
		fclose(f);
		files++;
	}
	closedir(d);
	ok(files > 0 && unread == 0,
	   "replayed %u kept fuzz inputs without a crash (%u were histories)",
	   files, histories);
	done_testing();
	return exit_status();
}
