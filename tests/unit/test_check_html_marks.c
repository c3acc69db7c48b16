/* SPDX-License-Identifier: MIT */
/* test_check_html_marks.c: rc_check_html_marks draws each mark as a labelled band in real-time order with the operations, lists them all, and without marks writes rc_check_html's page. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <replicore/check.h>

#include "tests/tap.h"

/* write 1, read 1, write 2, read 2: two processes taking turns. */
static rc_history_t *history(void)
{
	static const struct {
		int64_t call, ret;
		uint16_t kind;
		rc_hval_t arg, result;
		uint32_t proc;
	} ops[] = {
		{ 10, 20, RC_HOP_WRITE, 1, RC_HVAL_OK, 0 },
		{ 30, 40, RC_HOP_READ, RC_HVAL_NONE, 1, 1 },
		{ 50, 60, RC_HOP_WRITE, 2, RC_HVAL_OK, 0 },
		{ 70, 80, RC_HOP_READ, RC_HVAL_NONE, 2, 1 },
	};
	rc_history_t *h = rc_history_new();

	for (size_t i = 0; h && i < sizeof(ops) / sizeof(ops[0]); i++) {
		struct rc_hop o;

		memset(&o, 0, sizeof(o));
		o.call = ops[i].call;
		o.ret = ops[i].ret;
		o.key = RC_HVAL_NONE;
		o.arg[0] = ops[i].arg;
		o.arg[1] = RC_HVAL_NONE;
		o.result = ops[i].result;
		o.proc = ops[i].proc;
		o.kind = ops[i].kind;
		o.status = RC_HST_OK;
		if (rc_history_add(h, &o, NULL) < 0) {
			rc_history_free(h);
			return NULL;
		}
	}
	return h;
}

/* The page into a string (free it). */
static char *page(const rc_history_t *h, const rc_check_result_t *r,
		  const struct rc_check_mark *mk, size_t n, bool plain, int *rc)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	*rc = plain ? rc_check_html(h, r, "t", f, NULL)
		    : rc_check_html_marks(h, r, "t", mk, n, f, NULL);
	fclose(f);
	return buf;
}

/* x and width of operation i's box. */
static bool op_box(const char *p, unsigned i, double *x, double *w)
{
	char id[32];
	const char *s;

	snprintf(id, sizeof(id), "id=\"o%u\"", i);
	s = strstr(p, id);
	s = s ? strstr(s, "<rect x=\"") : NULL;
	return s && sscanf(s, "<rect x=\"%lf\" y=\"%*[^\"]\" width=\"%lf\"", x,
			   w) == 2;
}

/* x and width of the k-th band. */
static bool band(const char *p, unsigned k, double *x, double *w)
{
	const char *s = p;

	for (unsigned i = 0; s && i <= k; i++) {
		s = strstr(s, "<rect class=\"mk\" x=\"");
		if (s && i < k)
			s++;
	}
	return s &&
	       sscanf(s, "<rect class=\"mk\" x=\"%lf\" y=\"0\" width=\"%lf\"",
		      x, w) == 2;
}

static unsigned count(const char *p, const char *what)
{
	unsigned n = 0;

	for (const char *s = p; (s = strstr(s, what)) != NULL; s++)
		n++;
	return n;
}

/* The marks' labels (class m) do not overlap: boxes x..x+len, y-9..y+3. */
static bool labels_apart(const char *p)
{
	double x[8], y[8], l[8];
	unsigned n = 0;

	for (const char *s = p;
	     n < 8 && (s = strstr(s, "<text class=\"m\" x=\"")) != NULL; s++)
		if (sscanf(s,
			   "<text class=\"m\" x=\"%lf\" y=\"%lf\" "
			   "textLength=\"%lf\"",
			   &x[n], &y[n], &l[n]) == 3)
			n++;
	for (unsigned i = 0; i < n; i++)
		for (unsigned j = i + 1; j < n; j++)
			if (x[i] < x[j] + l[j] && x[j] < x[i] + l[i] &&
			    y[i] - 9 < y[j] + 3 && y[j] - 9 < y[i] + 3)
				return false;
	return n == 3;
}

int main(void)
{
	static const struct rc_check_mark mk[] = {
		{ "stall node 1", 22, 28 },
		{ "crash node 2", 65, RC_HTIME_INF },
		{ "instant", 45, 45 },
		{ "before", 0, 5 },
	};
	struct rc_check_mark bad[] = { { NULL, 1, 2 }, { "back", 5, 4 } };
	struct rc_check_opts co = RC_CHECK_OPTS_INITIALIZER;
	rc_check_result_t *r = NULL;
	rc_history_t *h = history();
	char *plain, *none, *p;
	double x[4], w[4], bx, bw;
	int rc1 = -1, rc2 = -1, rc3 = -1;

	co.spec = RC_SPEC_REGISTER;
	if (!h || rc_check(h, &co, &r, NULL) < 0) {
		skip_all("no history");
		return 0;
	}
	ok(r->verdict == RC_VERDICT_OK, "the history is linearizable");
	plain = page(h, r, NULL, 0, true, &rc1);
	none = page(h, r, NULL, 0, false, &rc2);
	ok(rc1 == 0 && rc2 == 0 && plain && none && strcmp(plain, none) == 0,
	   "without marks the page is rc_check_html's");
	ok(none && !strstr(none, "class=\"mk\"") && !strstr(none, "<h2>Marks"),
	   "and has no band and no table of marks");
	p = page(h, r, mk, 4, false, &rc3);
	ok(rc3 == 0 && p, "a page with four marks");
	if (!p)
		p = strdup("");
	ok(count(p, "<rect class=\"mk\"") == 3,
	   "three bands: the mark before every operation is not drawn");
	ok(strstr(p, ">stall node 1</text>") &&
		   strstr(p, ">crash node 2</text>") &&
		   strstr(p, ">instant</text>") && !strstr(p, ">before</text>"),
	   "the drawn marks are labelled");
	ok(labels_apart(p), "the three labels do not overlap");
	ok(strstr(p, "<g transform=\"translate(0,") != NULL,
	   "the rows move down under the labels");
	ok(strstr(p, "<td>before</td><td>0</td><td>5</td><td>no: outside") &&
		   strstr(p, "<td>crash node 2</td><td>65</td><td>never</td>"
			     "<td>yes</td>"),
	   "the table lists every mark, the one not drawn too");
	for (unsigned i = 0; i < 4; i++)
		if (!op_box(p, i, &x[i], &w[i]))
			x[i] = w[i] = -1;
	if (!band(p, 0, &bx, &bw))
		bx = bw = -1;
	ok(x[0] + w[0] <= bx && bx + bw <= x[1] && bw > 0,
	   "stall [22, 28] between the write returning at 20 and the read "
	   "called at 30 (%.1f+%.1f in %.1f..%.1f)",
	   bx, bw, x[0] + w[0], x[1]);
	if (!band(p, 1, &bx, &bw))
		bx = bw = -1;
	ok(x[2] + w[2] <= bx && bx <= x[3] && bx + bw >= x[3] + w[3],
	   "crash from 65 on: after the write returning at 60, before the "
	   "read called at 70, to the end");
	if (!band(p, 2, &bx, &bw))
		bx = bw = -1;
	ok(x[1] + w[1] <= bx && bx + bw <= x[2] && bw > 0,
	   "the instant 45: a line between 40 and 50 (%.1f+%.1f in "
	   "%.1f..%.1f)",
	   bx, bw, x[1] + w[1], x[2]);
	{
		FILE *f = fopen("/dev/null", "w");
		rc_err_t err = RC_ERR_INITIALIZER;

		ok(f && rc_check_html_marks(h, r, "t", bad, 1, f, &err) ==
				   -RC_EINVAL,
		   "a mark without a label is refused (%s)", err.msg);
		ok(f && rc_check_html_marks(h, r, "t", bad + 1, 1, f, &err) ==
				   -RC_EINVAL,
		   "a mark that ends before it begins is refused (%s)",
		   err.msg);
		if (f)
			fclose(f);
	}
	free(plain);
	free(none);
	free(p);
	rc_check_result_free(r);
	rc_history_free(h);
	done_testing();
	return exit_status();
}
