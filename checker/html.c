/* SPDX-License-Identifier: MIT */
/* html.c: a self-contained HTML page drawing a history per process with its witness. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "checker/internal.h"

/* At most this many operations are drawn: a window around what matters. */
#define HTML_MAX_OPS 1500

static void esc(FILE *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '&':
			fputs("&amp;", out);
			break;
		case '"':
			fputs("&quot;", out);
			break;
		default:
			fputc(*s, out);
		}
	}
}

static void op_text(const rc_history_t *h, const struct rc_hop *o, char *buf,
		    size_t n)
{
	char a[3][64];
	size_t k = 0;

	k += (size_t)snprintf(buf + k, n - k, "%s", rc_hop_kind_name(o->kind));
	if (o->key != RC_HVAL_NONE && k < n)
		k += (size_t)snprintf(buf + k, n - k, " %s",
				      rc_history_fmtval(h, o->key, a[0], 64));
	for (int i = 0; i < 2 && k < n; i++)
		if (o->arg[i] != RC_HVAL_NONE)
			k += (size_t)snprintf(
				buf + k, n - k, " %s",
				rc_history_fmtval(h, o->arg[i], a[1], 64));
	if (k < n)
		snprintf(buf + k, n - k, " → %s",
			 o->status == RC_HST_INDET ? "?"
			 : o->status == RC_HST_FAIL
				 ? "error"
				 : rc_history_fmtval(h, o->result, a[2], 64));
}

int rc_check_html(const rc_history_t *h, const rc_check_result_t *r,
		  const char *title, FILE *out, rc_err_t *err)
{
	size_t n = h->n;
	int32_t *pos = malloc((n + 1) * sizeof(*pos)); /* witness position */
	uint8_t *mark = calloc(n + 1, 1);	       /* 1 order, 2 blocked */
	uint32_t *procs = NULL, np = 0;
	int64_t tmin = INT64_MAX, tmax = INT64_MIN, focus = INT64_MIN;
	size_t lo = 0, hi = n, drawn = 0;
	double W = 1200, lane = 34;
	char buf[512];

	if (pos == NULL || mark == NULL) {
		free(pos);
		free(mark);
		return rc_err_set(err, RC_ENOMEM, NULL, 0, 0, "out of memory");
	}
	for (size_t i = 0; i < n; i++)
		pos[i] = -1;
	for (size_t p = 0; p < r->nparts; p++) {
		const struct rc_check_part *pt = &r->parts[p];

		for (size_t i = 0; i < pt->norder; i++) {
			pos[pt->order[i]] = (int32_t)i;
			mark[pt->order[i]] = 1;
		}
		for (size_t i = 0; i < pt->nblocked; i++) {
			mark[pt->blocked[i]] = 2;
			if (focus == INT64_MIN)
				focus = h->ops[pt->blocked[i]].call;
		}
	}
	/* the window: all ops, or those around the failure (or the start) */
	if (n > HTML_MAX_OPS) {
		size_t c = 0;

		if (focus != INT64_MIN)
			while (c < n && h->ops[c].call < focus)
				c++;
		lo = c > HTML_MAX_OPS / 2 ? c - HTML_MAX_OPS / 2 : 0;
		hi = lo + HTML_MAX_OPS < n ? lo + HTML_MAX_OPS : n;
	}
	procs = malloc((n + 1) * sizeof(*procs));
	if (procs == NULL) {
		free(pos);
		free(mark);
		return rc_err_set(err, RC_ENOMEM, NULL, 0, 0, "out of memory");
	}
	for (size_t i = lo; i < hi; i++) {
		const struct rc_hop *o = &h->ops[i];
		uint32_t j;

		if (o->call < tmin)
			tmin = o->call;
		if (o->call > tmax)
			tmax = o->call;
		if (o->status != RC_HST_INDET && o->ret > tmax)
			tmax = o->ret;
		for (j = 0; j < np && procs[j] != o->proc; j++)
			;
		if (j == np)
			procs[np++] = o->proc;
	}
	if (tmax <= tmin)
		tmax = tmin + 1;
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	      "<meta charset=\"utf-8\">\n<title>replicore check: ",
	      out);
	esc(out, title);
	fputs("</title>\n<style>\n"
	      "body{font:14px sans-serif;margin:1em;color:#222}\n"
	      "h1{font-size:18px}\n.ok{color:#1a7f37}.bad{color:#c62828}\n"
	      ".unk{color:#b26a00}\n"
	      "svg text{font:11px monospace}\n"
	      "rect.op{fill:#d0d7de;stroke:#57606a}\n"
	      "rect.w{fill:#a5d6a7;stroke:#1a7f37}\n"
	      "rect.b{fill:#ef9a9a;stroke:#c62828;stroke-width:2}\n"
	      "rect.i{fill-opacity:.4;stroke-dasharray:4 2}\n"
	      "table{border-collapse:collapse}"
	      "td,th{border:1px solid #ccc;padding:2px 6px;"
	      "font:12px monospace}\n"
	      "</style>\n</head>\n<body>\n<h1>",
	      out);
	esc(out, title);
	fprintf(out,
		"</h1>\n<p>spec <b>%s</b>, level <b>%s</b>, %zu "
		"operations: <b class=\"%s\">%s</b></p>\n",
		rc_spec_name(r->spec), rc_level_name(r->level), n,
		r->verdict == RC_VERDICT_OK	     ? "ok"
		: r->verdict == RC_VERDICT_VIOLATION ? "bad"
						     : "unk",
		rc_verdict_name(r->verdict));
	for (size_t p = 0; p < r->nparts; p++) {
		const struct rc_check_part *pt = &r->parts[p];

		if (pt->note[0] == '\0' && pt->pattern[0] == '\0')
			continue;
		fputs("<p>", out);
		if (pt->key != RC_HVAL_NONE) {
			fputs("key ", out);
			esc(out, rc_history_fmtval(h, pt->key, buf, 96));
			fputs(": ", out);
		}
		if (pt->pattern[0]) {
			fputs("bad pattern <b>", out);
			esc(out, pt->pattern);
			fputs("</b>: ", out);
		}
		esc(out, pt->note);
		fputs("</p>\n", out);
	}
	if (lo > 0 || hi < n)
		fprintf(out, "<p>Showing operations %zu to %zu of %zu.</p>\n",
			lo, hi - 1, n);
	fputs("<p>Green: in the witness order (the number is its place); "
	      "red: operations that cannot come next or form the bad "
	      "pattern; dashed: indeterminate.</p>\n",
	      out);
	fprintf(out,
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" "
		"height=\"%.0f\">\n",
		W + 120, lane * np + 20);
	for (uint32_t j = 0; j < np; j++)
		fprintf(out,
			"<text x=\"2\" y=\"%.0f\">process %" PRIu32
			"</text>\n<line x1=\"110\" x2=\"%.0f\" y1=\"%.0f\" "
			"y2=\"%.0f\" stroke=\"#eee\"/>\n",
			lane * j + 22, procs[j], W + 115, lane * j + 18,
			lane * j + 18);
	for (size_t i = lo; i < hi; i++) {
		const struct rc_hop *o = &h->ops[i];
		uint32_t j;
		double x0, x1;
		int64_t t1 = o->status == RC_HST_INDET ? tmax : o->ret;

		for (j = 0; procs[j] != o->proc; j++)
			;
		x0 = 110 + W * (double)(o->call - tmin) / (double)(tmax - tmin);
		x1 = 110 + W * (double)(t1 - tmin) / (double)(tmax - tmin);
		if (x1 < x0 + 3)
			x1 = x0 + 3;
		op_text(h, o, buf, sizeof(buf));
		fprintf(out,
			"<g><title>#%zu line %" PRIu32 " process %" PRIu32 ": ",
			i, o->line, o->proc);
		esc(out, buf);
		if (pos[i] >= 0)
			fprintf(out, " (witness place %d)", pos[i] + 1);
		fprintf(out,
			"</title><rect class=\"op%s%s\" x=\"%.1f\" y=\"%.0f\" "
			"width=\"%.1f\" height=\"22\" rx=\"3\"/>",
			mark[i] == 1   ? " w"
			: mark[i] == 2 ? " b"
				       : "",
			o->status == RC_HST_INDET ? " i" : "", x0, lane * j + 8,
			x1 - x0);
		fprintf(out, "<text x=\"%.1f\" y=\"%.0f\">", x0 + 2,
			lane * j + 23);
		if (pos[i] >= 0)
			fprintf(out, "%d: ", pos[i] + 1);
		esc(out, x1 - x0 > 40 ? buf : "");
		fputs("</text></g>\n", out);
		drawn++;
	}
	fputs("</svg>\n", out);
	for (size_t p = 0; p < r->nparts; p++) {
		const struct rc_check_part *pt = &r->parts[p];
		const uint32_t *list[2] = { pt->order, pt->blocked };
		size_t cnt[2] = { pt->norder, pt->nblocked };
		const char *what[2] = { pt->verdict == RC_VERDICT_OK
						? "Witness order"
					: r->level == RC_SC
						? "Longest sequential prefix"
						: "Longest linearizable prefix",
					pt->pattern[0] ? "Operations of the "
							 "bad pattern"
						       : "Cannot come next" };

		for (int l = 0; l < 2; l++) {
			size_t from = 0;

			if (cnt[l] == 0)
				continue;
			if (l == 0 && cnt[l] > 50)
				from = cnt[l] - 50;
			fprintf(out, "<h2>%s", what[l]);
			if (pt->key != RC_HVAL_NONE) {
				fputs(" (key ", out);
				esc(out,
				    rc_history_fmtval(h, pt->key, buf, 96));
				fputs(")", out);
			}
			fprintf(out,
				"%s</h2>\n<table>\n<tr><th>place</th>"
				"<th>op</th><th>line</th><th>process"
				"</th><th>call</th><th>return</th>"
				"<th>operation</th></tr>\n",
				from ? ", the last 50" : "");
			for (size_t i = from; i < cnt[l]; i++) {
				const struct rc_hop *o = &h->ops[list[l][i]];

				op_text(h, o, buf, sizeof(buf));
				fprintf(out,
					"<tr><td>%zu</td><td>#%" PRIu32
					"</td><td>%" PRIu32 "</td><td>%" PRIu32
					"</td><td>%" PRId64 "</td><td>",
					i + 1, list[l][i], o->line, o->proc,
					o->call);
				if (o->status == RC_HST_INDET)
					fputs("never", out);
				else
					fprintf(out, "%" PRId64, o->ret);
				fputs("</td><td>", out);
				esc(out, buf);
				fputs("</td></tr>\n", out);
			}
			fputs("</table>\n", out);
		}
	}
	fputs("</body>\n</html>\n", out);
	free(pos);
	free(mark);
	free(procs);
	(void)drawn;
	if (fflush(out) != 0 || ferror(out))
		return rc_err_set(err, RC_ESYS, NULL, 0, 0,
				  "writing the page: %s", strerror(errno));
	return 0;
}
