/* SPDX-License-Identifier: MIT */
/* demo.c: what the demo's parts share: the progress line and the HTML report's pieces. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tools/demo.h"

void demo_progress(const struct demo_ctx *c, const char *fmt, ...)
{
	va_list ap;

	if (!c->o->progress)
		return;
	fputs("\r\033[K", stderr);
	if (fmt != NULL) {
		fputs("demo: ", stderr);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
	}
	fflush(stderr);
}

void demo_html_pre(FILE *out, void (*text)(const void *r, FILE *f),
		   const void *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL)
		return;
	text(r, f);
	fclose(f);
	fputs("<pre>", out);
	_rc_xml_esc(out, buf);
	fputs("</pre>\n", out);
	free(buf);
}

int demo_html_bars(FILE *out, const char *title, const char *subtitle,
		   const char *xlabel, const struct rc_svg_bar *bars,
		   unsigned n, const char *const *legend, unsigned nlegend)
{
	char path[] = "/tmp/replicore-demo-XXXXXX";
	struct rc_svg *s;
	char line[4096];
	FILE *f;
	int fd = mkstemp(path), rc = -1;

	if (fd < 0)
		return -1;
	close(fd);
	s = _rc_svg_open(path, 760, 110 + 26 * n, title, subtitle);
	if (s == NULL)
		goto out;
	_rc_svg_bars(s, 10, 50, 740, 60 + 26 * n, xlabel, bars, n, legend,
		     nlegend);
	if (_rc_svg_close(s) < 0 || (f = fopen(path, "r")) == NULL)
		goto out;
	fputs("<figure>\n", out);
	while (fgets(line, sizeof line, f) != NULL)
		if (strncmp(line, "<?xml", 5) != 0)
			fputs(line, out);
	fputs("</figure>\n", out);
	fclose(f);
	rc = 0;
out:
	unlink(path);
	return rc;
}
