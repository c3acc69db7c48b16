/* SPDX-License-Identifier: MIT */
/* html.c: a self-contained HTML page drawing a history per process with its witness. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "checker/spec.h"

/*
 * The drawing. Time runs left to right, but not to scale: each distinct
 * time of the window (an invocation or a response) is a column, and a
 * column stands at least HTML_COLGAP to the right of the one before and far
 * enough from the invocation of every operation that returns there for the
 * operation's label to fit in its box. So every box holds its whole label
 * (labels longer than HTML_LBL_MAX characters are elided, the full text is
 * in the tooltip), and the real-time order is kept: an operation that
 * returned before another was invoked ends left of where the other begins.
 *
 * Rows: the operations of one process keep to one row (more when they
 * overlap, which a process's do not when it runs one at a time), and
 * processes whose spans do not overlap share a row, first fit. Jepsen's
 * histories start a new process after each indeterminate operation, so a
 * crashed process and its successor usually share one.
 *
 * Every text carries its width (textLength, HTML_CW per character at the
 * 11px monospace font), so the layout does not depend on the fonts the
 * reader has, and a test can check from the page alone that no two texts
 * overlap.
 *
 * Linearization points: for the witness order (or the longest linearizable
 * prefix), a point per operation inside its box, in the order's order; an
 * indeterminate operation's may lie right of its box (it took effect at
 * some time after its invocation), drawn at the end of a dashed tail that
 * runs in the gutter between rows, where it takes no room from the row.
 *
 * Marks (rc_check_html_marks): a band per mark across the rows; the
 * times of its edges within the window's are columns like the
 * operations', so the real-time order with the operations is kept; the labels sit in lanes
 * above the rows (first fit, like the rows), and the rows move down by
 * the lanes' height (one translated group).
 */

/* At most this many operations are drawn: a window around what matters. */
#define HTML_MAX_OPS 1500
#define HTML_LBL_MAX 40 /* characters of a label before it is elided */
#define HTML_CW 6.6	/* px per character: 0.6 em of an 11px monospace */
#define HTML_PAD 4.0	/* label inset in its box */
#define HTML_GAP 6.0	/* between packed spans in a row */
#define HTML_COLGAP 2.0 /* between distinct columns */
#define HTML_ROW 52.0	/* row pitch: box, then a band for notes */
#define HTML_BOXY 4.0	/* box top in its row */
#define HTML_BOXH 30.0	/* box height: two lines */
#define HTML_HEADMAX 16 /* characters of a row's process list */
#define HTML_INF 1e300	/* no response: no right limit */
#define HTML_STATE 128	/* bytes of a state's text */
#define HTML_LANE 16.0	/* a lane of marks' labels */
#define HTML_TAG "cannot come next"
#define HTML_TAGP "bad pattern"

struct dop {
	double x0, x1; /* box */
	double ext;    /* right end of everything drawn for it */
	double lp;     /* linearization point, < 0 when none */
	uint32_t row;
	int32_t part;  /* part of the order or blocked list it is in */
	int32_t place; /* in the order, -1 when not in it */
	int32_t pt;    /* index among the part's drawn points */
	uint8_t mark;  /* 1 order, 2 blocked */
	double tagw;   /* width of the tag under a blocked op */
	size_t nch[2]; /* characters of each line of the label */
	char lbl[2][HTML_LBL_MAX * 4 + 8]; /* "cas 1 2", "-> true" */
};

struct pspan {
	uint32_t proc;
	double x0;
	uint32_t i; /* window index */
};

struct unit {
	uint32_t proc, base, k; /* process, first row, rows */
	double x0, x1;
};

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
		case '\n':
			fputs("&#10;", out);
			break;
		default:
			fputc(*s, out);
		}
	}
}

/* Characters (code points) of a UTF-8 string. */
static size_t u8len(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/*
 * An operation in two parts, "cas 1 2" (kind, key, arguments) and
 * "-> true" (result). An operation that failed without effect (Jepsen's
 * :fail) reads "-> fail", one that never answered "-> ?".
 */
static void op_parts(const rc_history_t *h, const struct rc_hop *o, char *buf,
		     size_t n, char *res, size_t rn)
{
	char a[96];
	size_t k = 0;

	k += (size_t)snprintf(buf + k, n - k, "%s", rc_hop_kind_name(o->kind));
	if (o->key != RC_HVAL_NONE && k < n)
		k += (size_t)snprintf(
			buf + k, n - k, " %s",
			rc_history_fmtval(h, o->key, a, sizeof(a)));
	for (int i = 0; i < 2 && k < n; i++)
		if (o->arg[i] != RC_HVAL_NONE)
			k += (size_t)snprintf(
				buf + k, n - k, " %s",
				rc_history_fmtval(h, o->arg[i], a, sizeof(a)));
	snprintf(res, rn, "-> %s",
		 o->status == RC_HST_INDET ? "?"
		 : o->status == RC_HST_FAIL
			 ? "fail"
			 : rc_history_fmtval(h, o->result, a, sizeof(a)));
}

/* "cas 1 2 -> true" */
static void op_text(const rc_history_t *h, const struct rc_hop *o, char *buf,
		    size_t n)
{
	char res[112];
	size_t k;

	op_parts(h, o, buf, n, res, sizeof(res));
	k = strlen(buf);
	snprintf(buf + k, n - k, " %s", res);
}

/* A line of the label: the text, elided to HTML_LBL_MAX characters. */
static size_t label(char *dst, size_t dn, const char *full)
{
	size_t n = u8len(full), b = 0, c = 0;

	if (n <= HTML_LBL_MAX && strlen(full) < dn) {
		memcpy(dst, full, strlen(full) + 1);
		return n;
	}
	while (full[b] && b + 4 < dn - 4) {
		if (((unsigned char)full[b] & 0xc0) != 0x80 &&
		    c++ == HTML_LBL_MAX - 1)
			break;
		dst[b] = full[b];
		b++;
	}
	memcpy(dst + b, "\xe2\x80\xa6", 4); /* U+2026 */
	return u8len(dst);
}

/*
 * The width of an operation's box: its label's longer line and the inset,
 * and room for the tag under it, if any.
 */
static double box_w(const struct dop *o)
{
	size_t c = o->nch[0] > o->nch[1] ? o->nch[0] : o->nch[1];
	double w = (double)c * HTML_CW + 2 * HTML_PAD;

	return o->tagw > w ? o->tagw : w;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static int cmp_pspan(const void *a, const void *b)
{
	const struct pspan *x = a, *y = b;

	if (x->proc != y->proc)
		return x->proc < y->proc ? -1 : 1;
	if (x->x0 != y->x0)
		return x->x0 < y->x0 ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

static int cmp_unit(const void *a, const void *b)
{
	const struct unit *x = a, *y = b;

	if (x->x0 != y->x0)
		return x->x0 < y->x0 ? -1 : 1;
	return x->proc < y->proc ? -1 : x->proc > y->proc;
}

/* The column of time t among the sorted distinct times tv[0..nt). */
static size_t col_of(const int64_t *tv, size_t nt, int64_t t)
{
	size_t a = 0, b = nt;

	while (a < b) {
		size_t m = a + (b - a) / 2;

		if (tv[m] < t)
			a = m + 1;
		else
			b = m;
	}
	return a;
}

/* A time and a window index, to sort by time. */
struct tk {
	int64_t t;
	uint32_t i;
};

static int cmp_tk(const void *a, const void *b)
{
	const struct tk *x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/*
 * Columns: xs[c] = max(xs[c-1] + HTML_COLGAP, invocation column of each op
 * returning at c plus its label's box). byret lists the window's complete
 * operations by response time.
 */
static void columns(const rc_history_t *h, size_t lo, const struct dop *d,
		    const int64_t *tv, size_t nt, double *xs,
		    const struct tk *byret, size_t nret)
{
	size_t j = 0;

	for (size_t c = 0; c < nt; c++) {
		xs[c] = c > 0 ? xs[c - 1] + HTML_COLGAP : 0;
		for (; j < nret && byret[j].t == tv[c]; j++) {
			const struct dop *o = &d[byret[j].i];
			size_t cc =
				col_of(tv, nt, h->ops[lo + byret[j].i].call);
			double w = box_w(o);

			if (xs[cc] + w > xs[c])
				xs[c] = xs[cc] + w;
		}
	}
}

/* What a part's order is called. */
static const char *order_name(const rc_check_result_t *r,
			      const struct rc_check_part *pt)
{
	if (pt->verdict == RC_VERDICT_OK)
		return "witness order";
	return r->level == RC_SC ? "longest sequential prefix"
				 : "longest linearizable prefix";
}

/*
 * The state after each operation of each order, replayed through the
 * spec; a blocked operation gets the state after its part's prefix.
 */
static int replay(const rc_history_t *h, const rc_check_result_t *r,
		  char (*sv)[HTML_STATE])
{
	if (r->level != RC_LIN && r->level != RC_SC)
		return 0; /* no order to replay */
	for (size_t p = 0; p < r->nparts; p++) {
		const struct rc_check_part *pt = &r->parts[p];
		struct _rc_states st;
		uint32_t sid = RC_STATE_INIT;
		bool known = true;
		char last[HTML_STATE] = "?";

		if (pt->norder == 0 && pt->nblocked == 0)
			continue;
		if (_rc_states_init(&st, r->spec, h) < 0) {
			_rc_states_free(&st);
			return -1;
		}
		_rc_state_fmt(&st, sid, last, sizeof(last));
		for (size_t k = 0; k < pt->norder; k++) {
			uint32_t id = pt->order[k];
			int64_t ns =
				known ? _rc_step(&st, sid, &h->ops[id]) : -1;

			if (ns == -2) {
				_rc_states_free(&st);
				return -1;
			}
			if (ns < 0)
				known = false;
			else
				sid = (uint32_t)ns;
			if (known) {
				_rc_state_fmt(&st, sid, last, sizeof(last));
				if (strlen(last) == sizeof(last) - 1)
					memcpy(last + sizeof(last) - 4, "...",
					       4); /* cut short */
			} else
				snprintf(last, sizeof(last), "?");
			snprintf(sv[id], sizeof(*sv), "%s", last);
		}
		for (size_t k = 0; k < pt->nblocked; k++)
			snprintf(sv[pt->blocked[k]], sizeof(*sv), "%s", last);
		_rc_states_free(&st);
	}
	return 0;
}

/*
 * Linearization points of one order: inside each box, in the order's
 * order, a little apart where there is room. lpmin[k] is the earliest the
 * k-th can be, lpmax[k] the latest that leaves room for the rest; an order
 * that real time does not allow (sequential consistency) gets none.
 * Returns the number of points placed.
 */
static size_t lin_points(const struct rc_check_part *pt, size_t lo, size_t hi,
			 struct dop *d, const rc_history_t *h, double *lpmin,
			 double *lpmax, uint32_t *idx)
{
	size_t m = 0;
	double prev = 0;

	for (size_t k = 0; k < pt->norder; k++)
		if (pt->order[k] >= lo && pt->order[k] < hi)
			idx[m++] = pt->order[k] - (uint32_t)lo;
	for (size_t k = 0; k < m; k++) {
		const struct dop *o = &d[idx[k]];
		double xr = h->ops[lo + idx[k]].status == RC_HST_INDET
				    ? HTML_INF
				    : o->x1;

		lpmin[k] = k > 0 && lpmin[k - 1] > o->x0 ? lpmin[k - 1] : o->x0;
		if (lpmin[k] > xr)
			return 0;
	}
	for (size_t k = m; k-- > 0;) {
		const struct dop *o = &d[idx[k]];
		double xr = h->ops[lo + idx[k]].status == RC_HST_INDET
				    ? HTML_INF
				    : o->x1;

		lpmax[k] = k + 1 < m && lpmax[k + 1] < xr ? lpmax[k + 1] : xr;
	}
	for (size_t k = 0; k < m; k++) {
		struct dop *o = &d[idx[k]];
		double x = o->x0 + 4;

		if (k > 0 && prev + 4 > x)
			x = prev + 4;
		if (x > lpmax[k])
			x = lpmax[k];
		if (x < lpmin[k])
			x = lpmin[k];
		o->lp = prev = x;
		o->pt = (int32_t)k;
	}
	return m;
}

/*
 * A row's processes, "p2 7 12", elided to HTML_HEADMAX characters unless
 * full (then "2 7 12"); returns its characters.
 */
static size_t row_head(const struct unit *u, size_t nu, uint32_t row, char *buf,
		       size_t n, bool full)
{
	size_t k = 0, c;

	buf[0] = '\0';
	for (size_t i = 0; i < nu && k + 12 < n; i++)
		if (row >= u[i].base && row < u[i].base + u[i].k)
			k += (size_t)snprintf(buf + k, n - k, "%s%" PRIu32,
					      k == 0 ? (full ? "" : "p") : " ",
					      u[i].proc);
	c = u8len(buf);
	if (!full && c > HTML_HEADMAX) {
		memcpy(buf + HTML_HEADMAX - 1, "\xe2\x80\xa6", 4);
		c = HTML_HEADMAX;
	}
	return c;
}

static void put_text(FILE *out, const char *cls, double x, double y, size_t nch,
		     const char *s)
{
	fprintf(out,
		"<text class=\"%s\" x=\"%.1f\" y=\"%.1f\" "
		"textLength=\"%.1f\" lengthAdjust=\"spacingAndGlyphs\">",
		cls, x, y, (double)nch * HTML_CW);
	esc(out, s);
	fputs("</text>", out);
}

static const char page_css[] =
	"body{font:14px sans-serif;margin:1em;color:#222}\n"
	"h1{font-size:18px}\n.ok{color:#1a7f37}.bad{color:#c62828}\n"
	".unk{color:#b26a00}\n"
	".wrap{overflow-x:auto;border:1px solid #ddd}\n"
	"#info{font:12px monospace;white-space:pre-line;min-height:3.6em;"
	"background:#f6f8fa;padding:4px 6px;margin:.5em 0}\n"
	"svg text{font:11px monospace;fill:#222}\n"
	"svg text.h{fill:#57606a}svg text.n{fill:#1a7f37}\n"
	"svg text.t{fill:#c62828;font-weight:bold}\n"
	"rect.row{fill:#fafbfc}\n"
	"g.op rect{fill:#e6e9ed;stroke:#8c959f}\n"
	"g.w rect{fill:#c8e6c9;stroke:#1a7f37}\n"
	"g.b rect{fill:#ffcdd2;stroke:#c62828;stroke-width:2}\n"
	"g.f rect{fill:#fff;stroke:#8c959f}g.f text.l{fill:#57606a}\n"
	"g.i rect{fill-opacity:.45;stroke-dasharray:4 2}\n"
	"g.op:hover rect{stroke-width:2}\n"
	"polyline.tail{stroke:#1a7f37;stroke-dasharray:3 2;fill:none}\n"
	"circle.lp{fill:#1a7f37;stroke:#fff}\n"
	"polyline{fill:none;stroke:#0969da;stroke-width:1.5;"
	"pointer-events:none}\n"
	"polyline.ord{display:none;stroke-opacity:.5}\n"
	"#sw:checked~.wrap polyline.ord{display:inline}\n"
	"#fit:checked~.wrap svg{width:100%;height:auto}\n"
	"label{margin:0 1em 0 .2em}\n"
	"@keyframes fl{from{stroke-width:7}to{stroke-width:2}}\n"
	"g.flash rect{animation:fl .6s 3}\n"
	"rect.mk{fill:#ff9800;fill-opacity:.15;stroke:#e65100;"
	"stroke-opacity:.6;stroke-dasharray:3 2}\n"
	"svg text.m{fill:#e65100}\n"
	"table{border-collapse:collapse}"
	"td,th{border:1px solid #ccc;padding:2px 6px;"
	"font:12px monospace}\n";

/* Hovering shows an operation's tooltip below the controls and the order
 * up to it; the button scrolls to the first error. */
static const char page_js[] =
	"(function(){\n"
	"var info=document.getElementById('info'),"
	"pre=document.getElementById('pre'),"
	"gs=document.querySelectorAll('g.op');\n"
	"function show(g){info.textContent="
	"g.querySelector('title').textContent;"
	"var k=g.getAttribute('data-k');"
	"if(k){var a=k.split(',');"
	"pre.setAttribute('points',P[+a[0]].slice(0,2*(+a[1]+1)).join(' '));}"
	"else pre.setAttribute('points','');}\n"
	"for(var i=0;gs.length>i;i++)gs[i].addEventListener('mouseenter',"
	"function(){show(this);});\n"
	"var b=document.getElementById('jump');\n"
	"if(b)b.addEventListener('click',function(){"
	"var e=document.getElementById('err');"
	"e.scrollIntoView({block:'center',inline:'center'});"
	"e.classList.remove('flash');void e.getBBox();"
	"e.classList.add('flash');show(e);});\n"
	"})();\n";

/*
 * The height of an operation's linearization point: its box's bottom edge,
 * or for a point right of the box (an indeterminate operation's), the
 * gutter under the row's band, which no box or text takes, so that the
 * dashed tail to it may run under other processes' operations.
 */
static double lp_y(const struct dop *o)
{
	double y = HTML_ROW * o->row + 2;

	return o->lp > o->x1 ? y + HTML_ROW - 1.5 : y + HTML_BOXY + HTML_BOXH;
}

/* The linearization points of an order, "x,y" pairs joined by sep. */
static void put_points(FILE *out, const struct rc_check_part *pt, size_t lo,
		       size_t hi, const struct dop *d, double M,
		       const char *sep)
{
	bool first = true;

	for (size_t k = 0; k < pt->norder; k++) {
		uint32_t id = pt->order[k];

		if (id < lo || id >= hi || d[id - lo].lp < 0)
			continue;
		fprintf(out, "%s%.1f,%.1f", first ? "" : sep, M + d[id - lo].lp,
			lp_y(&d[id - lo]));
		first = false;
	}
}

/* The tooltip: where and what the operation is, and its part in the check. */
static void op_title(FILE *out, const rc_history_t *h,
		     const rc_check_result_t *r, const struct dop *o, size_t i,
		     char (*sv)[HTML_STATE])
{
	const struct rc_hop *op = &h->ops[i];
	char buf[512], kb[96];

	fprintf(out,
		"#%zu line %" PRIu32 " process %" PRIu32 ", called at %" PRId64,
		i, op->line, op->proc, op->call);
	if (op->status == RC_HST_INDET)
		fputs(", never returned", out);
	else
		fprintf(out, ", returned at %" PRId64, op->ret);
	op_text(h, op, buf, sizeof(buf));
	fputs("&#10;", out);
	esc(out, buf);
	fputs("&#10;", out);
	if (o->part >= 0 && r->parts[o->part].key != RC_HVAL_NONE) {
		fputs("key ", out);
		esc(out, rc_history_fmtval(h, r->parts[o->part].key, kb,
					   sizeof(kb)));
		fputs(": ", out);
	}
	if (o->mark == 1) {
		const struct rc_check_part *pt = &r->parts[o->part];

		fprintf(out, "place %d of %zu in the %s; state after it: ",
			o->place + 1, pt->norder, order_name(r, pt));
		esc(out, sv[i]);
	} else if (o->mark == 2 && r->parts[o->part].pattern[0]) {
		fputs("in the bad pattern ", out);
		esc(out, r->parts[o->part].pattern);
	} else if (o->mark == 2) {
		const struct rc_check_part *pt = &r->parts[o->part];

		fprintf(out,
			"cannot come next: not possible in state %s after the "
			"%s (%zu ops)",
			sv[i], order_name(r, pt), pt->norder);
	} else if (op->status == RC_HST_FAIL) {
		fputs("failed without effect: left out of the order", out);
	} else if (op->status == RC_HST_INDET) {
		fputs("indeterminate: it may take effect at any time after "
		      "its invocation, or never",
		      out);
		if (r->verdict == RC_VERDICT_OK)
			fputs("; the witness has it take no effect", out);
	} else if (r->verdict == RC_VERDICT_VIOLATION &&
		   (r->level == RC_LIN || r->level == RC_SC)) {
		fputs("not in the prefix", out);
	}
}

/*
 * The x (before the margin) of time t: the column of t, or between the
 * columns around it in proportion; right after the last column.
 */
static double x_of(const int64_t *tv, size_t nt, const double *xs, double right,
		   int64_t t)
{
	size_t c;

	if (nt == 0 || t > tv[nt - 1])
		return right;
	c = col_of(tv, nt, t);
	if (c == 0 || tv[c] == t)
		return xs[c];
	return xs[c - 1] + (xs[c] - xs[c - 1]) * (double)(t - tv[c - 1]) /
				   (double)(tv[c] - tv[c - 1]);
}

/* A mark as drawn: its band and the lane of its label. */
struct dmark {
	bool drawn;
	double x0, x1; /* band */
	uint32_t lane;
	size_t nch;
	char lbl[HTML_LBL_MAX * 4 + 8];
};

static void mark_title(FILE *out, const struct rc_check_mark *mk)
{
	fputs("<title>", out);
	esc(out, mk->label);
	fprintf(out, ": from %" PRId64 " to ", mk->t_begin);
	if (mk->t_end == RC_HTIME_INF)
		fputs("the end", out);
	else
		fprintf(out, "%" PRId64, mk->t_end);
	fputs("</title>", out);
}

int rc_check_html(const rc_history_t *h, const rc_check_result_t *r,
		  const char *title, FILE *out, rc_err_t *err)
{
	return rc_check_html_marks(h, r, title, NULL, 0, out, err);
}

int rc_check_html_marks(const rc_history_t *h, const rc_check_result_t *r,
			const char *title, const struct rc_check_mark *marks,
			size_t nmarks, FILE *out, rc_err_t *err)
{
	size_t n = h->n, lo = 0, hi = n, m, nt = 0, nret = 0, nu = 0;
	size_t nrows = 0, g;
	int64_t focus = INT64_MIN;
	int64_t ferr = -1; /* window index of the first error */
	struct dop *d = NULL;
	int64_t *tv = NULL;
	double *xs = NULL, *lpmin = NULL, *lpmax = NULL, *rowend = NULL;
	double M, right = 0;
	struct tk *byret = NULL;
	struct pspan *ps = NULL;
	struct unit *u = NULL;
	uint32_t *idx = NULL;
	int32_t *pidx = NULL;
	char(*sv)[HTML_STATE] = NULL;
	char buf[512], hb[512];
	size_t maxc = 1, npts = 0;
	struct dmark *dm = NULL;
	double *laneend = NULL, H = 0;
	uint32_t nlanes = 0;
	int rc = 0;

	for (size_t i = 0; i < nmarks; i++)
		if (marks[i].label == NULL || marks[i].t_end < marks[i].t_begin)
			return rc_err_set(err, RC_EINVAL, NULL, 0, 0,
					  "mark %zu: %s", i,
					  marks[i].label == NULL
						  ? "no label"
						  : "it ends before it begins");

	for (size_t p = 0; p < r->nparts && focus == INT64_MIN; p++)
		if (r->parts[p].nblocked > 0)
			focus = h->ops[r->parts[p].blocked[0]].call;
	/* the window: all ops, or those around the failure (or the start) */
	if (n > HTML_MAX_OPS) {
		size_t c = 0;

		if (focus != INT64_MIN)
			while (c < n && h->ops[c].call < focus)
				c++;
		lo = c > HTML_MAX_OPS / 2 ? c - HTML_MAX_OPS / 2 : 0;
		hi = lo + HTML_MAX_OPS < n ? lo + HTML_MAX_OPS : n;
	}
	m = hi - lo;
	d = calloc(m + 1, sizeof(*d));
	tv = malloc((2 * m + 2 * nmarks + 1) * sizeof(*tv));
	xs = malloc((2 * m + 2 * nmarks + 1) * sizeof(*xs));
	lpmin = malloc((m + 1) * sizeof(*lpmin));
	lpmax = malloc((m + 1) * sizeof(*lpmax));
	rowend = malloc((m + 1) * sizeof(*rowend));
	byret = malloc((m + 1) * sizeof(*byret));
	ps = malloc((m + 1) * sizeof(*ps));
	u = malloc((m + 1) * sizeof(*u));
	idx = malloc((m + 1) * sizeof(*idx));
	pidx = malloc((r->nparts + 1) * sizeof(*pidx));
	sv = calloc(n + 1, sizeof(*sv));
	dm = calloc(nmarks + 1, sizeof(*dm));
	laneend = calloc(nmarks + 1, sizeof(*laneend));
	if (d == NULL || tv == NULL || xs == NULL || lpmin == NULL ||
	    lpmax == NULL || rowend == NULL || byret == NULL || ps == NULL ||
	    u == NULL || idx == NULL || pidx == NULL || sv == NULL ||
	    dm == NULL || laneend == NULL || replay(h, r, sv) < 0) {
		rc = rc_err_set(err, RC_ENOMEM, NULL, 0, 0, "out of memory");
		goto out;
	}

	/* labels and marks */
	for (size_t i = 0; i < m; i++) {
		char res[112];

		op_parts(h, &h->ops[lo + i], buf, sizeof(buf), res,
			 sizeof(res));
		d[i].nch[0] = label(d[i].lbl[0], sizeof(d[i].lbl[0]), buf);
		d[i].nch[1] = label(d[i].lbl[1], sizeof(d[i].lbl[1]), res);
		d[i].lp = -1;
		d[i].part = d[i].place = d[i].pt = -1;
	}
	for (size_t p = 0; p < r->nparts; p++) {
		const struct rc_check_part *pt = &r->parts[p];

		for (size_t k = 0; k < pt->norder; k++)
			if (pt->order[k] >= lo && pt->order[k] < hi) {
				struct dop *o = &d[pt->order[k] - lo];

				o->mark = 1;
				o->part = (int32_t)p;
				o->place = (int32_t)k;
			}
		for (size_t k = 0; k < pt->nblocked; k++) {
			uint32_t b = pt->blocked[k];

			if (b < lo || b >= hi)
				continue;
			d[b - lo].mark = 2;
			d[b - lo].part = (int32_t)p;
			d[b - lo].tagw =
				(double)(pt->pattern[0]
						 ? sizeof(HTML_TAGP) - 1
						 : sizeof(HTML_TAG) - 1) *
				HTML_CW;
			if (pt->verdict == RC_VERDICT_VIOLATION &&
			    (ferr < 0 ||
			     h->ops[b].call < h->ops[lo + (size_t)ferr].call))
				ferr = (int64_t)(b - lo);
		}
	}

	/* columns, then boxes */
	for (size_t i = 0; i < m; i++) {
		const struct rc_hop *o = &h->ops[lo + i];

		tv[nt++] = o->call;
		if (o->status != RC_HST_INDET) {
			tv[nt++] = o->ret;
			byret[nret].t = o->ret;
			byret[nret++].i = (uint32_t)i;
		}
	}
	if (nt > 0) {
		/* a mark's times within the window's are columns too, so
		 * that a band between two columns is as wide as a gap */
		int64_t t0 = tv[0], t1 = tv[0];
		size_t n0 = nt;

		for (size_t i = 1; i < n0; i++) {
			t0 = tv[i] < t0 ? tv[i] : t0;
			t1 = tv[i] > t1 ? tv[i] : t1;
		}
		for (size_t i = 0; i < nmarks; i++) {
			if (marks[i].t_begin > t0 && marks[i].t_begin < t1)
				tv[nt++] = marks[i].t_begin;
			if (marks[i].t_end > t0 && marks[i].t_end < t1)
				tv[nt++] = marks[i].t_end;
		}
	}
	qsort(tv, nt, sizeof(*tv), cmp_i64);
	qsort(byret, nret, sizeof(*byret), cmp_tk);
	g = 0;
	for (size_t i = 0; i < nt; i++)
		if (g == 0 || tv[i] != tv[g - 1])
			tv[g++] = tv[i];
	nt = g;
	columns(h, lo, d, tv, nt, xs, byret, nret);
	for (size_t i = 0; i < m; i++) {
		const struct rc_hop *o = &h->ops[lo + i];

		d[i].x0 = xs[col_of(tv, nt, o->call)];
		d[i].x1 = o->status == RC_HST_INDET
				  ? d[i].x0 + box_w(&d[i])
				  : xs[col_of(tv, nt, o->ret)];
	}

	/* linearization points, then each op's extent */
	for (size_t p = 0; p < r->nparts; p++) {
		size_t k = lin_points(&r->parts[p], lo, hi, d, h, lpmin, lpmax,
				      idx);

		pidx[p] = k > 0 ? (int32_t)npts++ : -1;
	}
	for (size_t i = 0; i < m; i++) {
		struct dop *o = &d[i];
		double w;

		o->ext = o->x1;
		if (o->lp + 4 > right) /* an indeterminate op's tail */
			right = o->lp + 4;
		if (o->place >= 0) {
			snprintf(buf, sizeof(buf), "%d", o->place + 1);
			w = (double)strlen(buf) * HTML_CW;
			if (o->x0 + w > o->ext)
				o->ext = o->x0 + w;
		}
		if (o->ext > right)
			right = o->ext;
	}

	/*
	 * rows: a process's ops on its own rows (its next op may start a column
	 * after the last ended), processes packed first fit, HTML_GAP apart
	 */
	for (size_t i = 0; i < m; i++) {
		ps[i].proc = h->ops[lo + i].proc;
		ps[i].x0 = d[i].x0;
		ps[i].i = (uint32_t)i;
	}
	qsort(ps, m, sizeof(*ps), cmp_pspan);
	for (size_t a = 0, b; a < m; a = b) {
		size_t ns = 0;

		u[nu].proc = ps[a].proc;
		u[nu].x0 = ps[a].x0;
		u[nu].x1 = 0;
		for (b = a; b < m && ps[b].proc == ps[a].proc; b++) {
			struct dop *o = &d[ps[b].i];
			size_t s = 0;

			while (s < ns && rowend[s] + HTML_COLGAP > o->x0)
				s++;
			if (s == ns)
				ns++;
			rowend[s] = o->ext;
			o->row = (uint32_t)s;
			if (o->ext > u[nu].x1)
				u[nu].x1 = o->ext;
		}
		u[nu].k = (uint32_t)ns;
		nu++;
	}
	{
		/* place the units in order of their start */
		struct unit *su = malloc((nu + 1) * sizeof(*su));

		if (su == NULL) {
			rc = rc_err_set(err, RC_ENOMEM, NULL, 0, 0,
					"out of memory");
			goto out;
		}
		for (size_t j = 0; j < nu; j++) {
			su[j] = u[j];
			su[j].base = (uint32_t)j; /* its index in u */
		}
		qsort(su, nu, sizeof(*su), cmp_unit);
		for (size_t j = 0; j < nu; j++) {
			size_t row = 0;

			for (;; row++) {
				uint32_t q = 0;

				while (q < su[j].k &&
				       (row + q >= nrows ||
					rowend[row + q] + HTML_GAP <= su[j].x0))
					q++;
				if (q == su[j].k)
					break;
			}
			for (uint32_t q = 0; q < su[j].k; q++)
				rowend[row + q] = su[j].x1;
			if (row + su[j].k > nrows)
				nrows = row + su[j].k;
			u[su[j].base].base = (uint32_t)row;
			su[j].base = (uint32_t)row;
		}
		g = 0;
		for (size_t a = 0; a < m; a++) {
			if (a > 0 && ps[a].proc != ps[a - 1].proc)
				g++;
			d[ps[a].i].row += u[g].base;
		}
		memcpy(u, su, nu * sizeof(*u));
		free(su);
	}
	for (uint32_t row = 0; row < nrows; row++) {
		size_t c = row_head(u, nu, row, buf, sizeof(buf), false);

		if (c > maxc)
			maxc = c;
	}
	M = (double)maxc * HTML_CW + 12;

	/* marks: bands within the window's times, labels in lanes */
	for (size_t i = 0; i < nmarks; i++) {
		struct dmark *k = &dm[i];
		uint32_t l = 0;

		if (nt == 0 || marks[i].t_end < tv[0] ||
		    marks[i].t_begin > tv[nt - 1])
			continue;
		k->drawn = true;
		k->x0 = x_of(tv, nt, xs, right, marks[i].t_begin);
		k->x1 = x_of(tv, nt, xs, right, marks[i].t_end);
		if (k->x1 < k->x0 + 2)
			k->x1 = k->x0 + 2; /* an instant: a line */
		k->nch = label(k->lbl, sizeof(k->lbl), marks[i].label);
		while (l < nlanes && laneend[l] + HTML_GAP > k->x0)
			l++;
		if (l == nlanes)
			nlanes++;
		k->lane = l;
		laneend[l] = k->x0 + (double)k->nch * HTML_CW;
		if (laneend[l] > right)
			right = laneend[l];
	}
	H = nlanes ? HTML_LANE * nlanes + 4 : 0;

	/* the page */
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	      "<meta charset=\"utf-8\">\n<title>replicore check: ",
	      out);
	esc(out, title);
	fprintf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<h1>",
		page_css);
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
	fputs("<p>Each process keeps to one row (processes that never overlap "
	      "share one); time runs right, not to scale. Green: in the "
	      "witness "
	      "order or the longest prefix, with its linearization point "
	      "and its place; red: cannot come next (or in the bad "
	      "pattern); white: failed without effect; dashed: "
	      "indeterminate. Hover over an operation for the state after "
	      "it.</p>\n",
	      out);
	if (nmarks > 0)
		fputs("<p>Orange bands: the marks given with the history (what "
		      "happened meanwhile), labelled above the rows and listed "
		      "at the end.</p>\n",
		      out);
	/* the controls are siblings of .wrap, which their CSS selects */
	if (ferr >= 0)
		fputs("<button type=\"button\" id=\"jump\">Jump to the first "
		      "error</button>\n",
		      out);
	if (npts > 0)
		fputs("<input type=\"checkbox\" id=\"sw\"><label for=\"sw\">"
		      "draw the whole order</label>\n",
		      out);
	fputs("<input type=\"checkbox\" id=\"fit\"><label for=\"fit\">"
	      "fit the window's width</label>\n<div id=\"info\">",
	      out);
	if (ferr >= 0)
		op_title(out, h, r, &d[ferr], lo + (size_t)ferr, sv);
	else
		fputs("Hover over an operation for its details and the state "
		      "after it.",
		      out);
	fputs("</div>\n", out);
	fprintf(out,
		"<div class=\"wrap\">\n<svg "
		"xmlns=\"http://www.w3.org/2000/svg\" "
		"width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\">\n",
		M + right + 12, HTML_ROW * (double)nrows + 8 + H,
		M + right + 12, HTML_ROW * (double)nrows + 8 + H);
	for (size_t i = 0; i < nmarks; i++) {
		if (!dm[i].drawn)
			continue;
		fputs("<g>", out);
		mark_title(out, &marks[i]);
		put_text(out, "m", M + dm[i].x0, HTML_LANE * dm[i].lane + 13,
			 dm[i].nch, dm[i].lbl);
		fputs("</g>\n", out);
	}
	if (H > 0)
		fprintf(out, "<g transform=\"translate(0,%.1f)\">\n", H);
	for (uint32_t row = 0; row < nrows; row++) {
		size_t c = row_head(u, nu, row, buf, sizeof(buf), false);
		double y = HTML_ROW * row + 2;

		if (row % 2 == 0)
			fprintf(out,
				"<rect class=\"row\" x=\"0\" y=\"%.1f\" "
				"width=\"%.0f\" height=\"%.0f\"/>\n",
				y, M + right + 12, HTML_ROW);
		fputs("<g><title>processes ", out);
		row_head(u, nu, row, hb, sizeof(hb), true);
		esc(out, hb);
		fputs("</title>", out);
		put_text(out, "h", 4, y + HTML_BOXY + 19, c, buf);
		fputs("</g>\n", out);
	}
	for (size_t i = 0; i < nmarks; i++) {
		if (!dm[i].drawn)
			continue;
		fprintf(out,
			"<rect class=\"mk\" x=\"%.1f\" y=\"0\" width=\"%.1f\" "
			"height=\"%.0f\">",
			M + dm[i].x0, dm[i].x1 - dm[i].x0,
			HTML_ROW * (double)nrows + 4);
		mark_title(out, &marks[i]);
		fputs("</rect>\n", out);
	}
	for (size_t i = 0; i < m; i++) {
		const struct dop *o = &d[i];
		const struct rc_hop *op = &h->ops[lo + i];
		double top = HTML_ROW * o->row + 2 + HTML_BOXY;
		bool indet = op->status == RC_HST_INDET;

		fprintf(out, "<g class=\"op%s%s\" id=\"",
			o->mark == 1		    ? " w"
			: o->mark == 2		    ? " b"
			: op->status == RC_HST_FAIL ? " f"
						    : "",
			indet ? " i" : "");
		if ((int64_t)i == ferr)
			fputs("err\"", out);
		else
			fprintf(out, "o%zu\"", lo + i);
		if (o->lp >= 0 && pidx[o->part] >= 0)
			fprintf(out, " data-k=\"%d,%d\"", pidx[o->part], o->pt);
		fputs("><title>", out);
		op_title(out, h, r, o, lo + i, sv);
		fprintf(out,
			"</title><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
			"height=\"%.0f\" rx=\"3\"/>",
			M + o->x0, top, o->x1 - o->x0, HTML_BOXH);
		put_text(out, "l", M + o->x0 + HTML_PAD, top + 13, o->nch[0],
			 o->lbl[0]);
		put_text(out, "r", M + o->x0 + HTML_PAD, top + 26, o->nch[1],
			 o->lbl[1]);
		if (o->lp > o->x1)
			fprintf(out,
				"<polyline class=\"tail\" points=\"%.1f,%.1f "
				"%.1f,%.1f %.1f,%.1f\"/>",
				M + o->x1, top + HTML_BOXH, M + o->x1, lp_y(o),
				M + o->lp, lp_y(o));
		if (o->lp >= 0)
			fprintf(out,
				"<circle class=\"lp\" cx=\"%.1f\" cy=\"%.1f\" "
				"r=\"%s\"/>",
				M + o->lp, lp_y(o),
				o->lp > o->x1 ? "2.5" : "3");
		if (o->place >= 0) {
			double w, x;

			snprintf(buf, sizeof(buf), "%d", o->place + 1);
			w = (double)strlen(buf) * HTML_CW;
			x = o->lp >= 0 ? o->lp - w / 2 : o->x0;
			if (x + w > o->ext - (o->lp > o->x1 ? 3 : 0))
				x = o->ext - w - (o->lp > o->x1 ? 3 : 0);
			if (x < o->x0)
				x = o->x0;
			put_text(out, "n", M + x, top + HTML_BOXH + 13,
				 strlen(buf), buf);
		}
		if (o->mark == 2) {
			const char *t = r->parts[o->part].pattern[0] ? HTML_TAGP
								     : HTML_TAG;

			put_text(out, "t", M + o->x0, top + HTML_BOXH + 13,
				 strlen(t), t);
		}
		fputs("</g>\n", out);
	}
	/* the order's path: all of it on demand, its prefix on hover */
	for (size_t p = 0; p < r->nparts; p++) {
		const struct rc_check_part *pt = &r->parts[p];

		if (pidx[p] < 0)
			continue;
		fputs("<polyline class=\"ord\" points=\"", out);
		put_points(out, pt, lo, hi, d, M, " ");
		fputs("\"/>\n", out);
	}
	fputs("<polyline id=\"pre\" points=\"\"/>\n", out);
	if (H > 0)
		fputs("</g>\n", out);
	fputs("</svg>\n</div>\n", out);
	fputs("<script>\nvar P=[", out);
	for (size_t p = 0; p < r->nparts; p++) {
		const struct rc_check_part *pt = &r->parts[p];

		if (pidx[p] < 0)
			continue;
		fprintf(out, "%s[", pidx[p] > 0 ? "," : "");
		put_points(out, pt, lo, hi, d, M, ",");
		fputs("]", out);
	}
	fprintf(out, "];\n%s</script>\n", page_js);

	/* the tables */
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
				"<th>operation</th><th>%s</th></tr>\n",
				from ? ", the last 50" : "",
				l == 0 ? "state after" : "state before");
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
				fputs("</td><td>", out);
				esc(out, sv[list[l][i]]);
				fputs("</td></tr>\n", out);
			}
			fputs("</table>\n", out);
		}
	}
	if (nmarks > 0) {
		fputs("<h2>Marks</h2>\n<table>\n<tr><th>mark</th><th>from</th>"
		      "<th>to</th><th>drawn</th></tr>\n",
		      out);
		for (size_t i = 0; i < nmarks; i++) {
			fputs("<tr><td>", out);
			esc(out, marks[i].label);
			fprintf(out, "</td><td>%" PRId64 "</td><td>",
				marks[i].t_begin);
			if (marks[i].t_end == RC_HTIME_INF)
				fputs("never", out);
			else
				fprintf(out, "%" PRId64, marks[i].t_end);
			fprintf(out, "</td><td>%s</td></tr>\n",
				dm[i].drawn ? "yes"
					    : "no: outside the operations "
					      "drawn");
		}
		fputs("</table>\n", out);
	}
	fputs("</body>\n</html>\n", out);
	if (fflush(out) != 0 || ferror(out))
		rc = rc_err_set(err, RC_ESYS, NULL, 0, 0,
				"writing the page: %s", strerror(errno));
out:
	free(d);
	free(tv);
	free(xs);
	free(lpmin);
	free(lpmax);
	free(rowend);
	free(byret);
	free(ps);
	free(u);
	free(idx);
	free(pidx);
	free(sv);
	free(dm);
	free(laneend);
	return rc;
}
