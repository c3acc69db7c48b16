/* SPDX-License-Identifier: MIT */
/* svg.c: the benches' plots as standalone SVG: line plots, heat maps and bar charts. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench.h"

struct rc_svg {
	FILE *f;
	unsigned width, height;
};

/* Ten colours that stay apart for the colour-blind (Tableau 10). */
static const char *const palette[] = {
	"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
	"#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
};
#define NPALETTE (sizeof(palette) / sizeof(palette[0]))

static const char *const dashes[] = { "", "6 4", "2 3" };

void _rc_xml_esc(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&apos;", f);
			break;
		default:
			fputc(*s, f);
		}
	}
}

void _rc_svg_text(struct rc_svg *s, double x, double y, unsigned size,
		  const char *anchor, const char *text)
{
	fprintf(s->f,
		"<text x=\"%.1f\" y=\"%.1f\" font-size=\"%u\" "
		"text-anchor=\"%s\">",
		x, y, size, anchor);
	_rc_xml_esc(s->f, text);
	fputs("</text>\n", s->f);
}

/* Text turned 90 degrees counter-clockwise around (x, y). */
static void vtext(struct rc_svg *s, double x, double y, unsigned size,
		  const char *text)
{
	fprintf(s->f,
		"<text x=\"%.1f\" y=\"%.1f\" font-size=\"%u\" "
		"text-anchor=\"middle\" transform=\"rotate(-90 %.1f %.1f)\">",
		x, y, size, x, y);
	_rc_xml_esc(s->f, text);
	fputs("</text>\n", s->f);
}

static void line(struct rc_svg *s, double x1, double y1, double x2, double y2,
		 const char *stroke, double width)
{
	fprintf(s->f,
		"<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
		"stroke=\"%s\" stroke-width=\"%.1f\"/>\n",
		x1, y1, x2, y2, stroke, width);
}

static void rect(struct rc_svg *s, double x, double y, double w, double h,
		 const char *fill)
{
	fprintf(s->f,
		"<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
		"fill=\"%s\"/>\n",
		x, y, w, h, fill);
}

struct rc_svg *_rc_svg_open(const char *path, unsigned width, unsigned height,
			    const char *title, const char *subtitle)
{
	struct rc_svg *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->f = fopen(path, "w");
	if (s->f == NULL) {
		free(s);
		return NULL;
	}
	s->width = width;
	s->height = height;
	fprintf(s->f,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%u\" "
		"height=\"%u\" viewBox=\"0 0 %u %u\" "
		"font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n"
		"<title>",
		width, height, width, height);
	_rc_xml_esc(s->f, title);
	fputs("</title>\n", s->f);
	rect(s, 0, 0, width, height, "#ffffff");
	_rc_svg_text(s, width / 2.0, 24, 16, "middle", title);
	if (subtitle != NULL)
		_rc_svg_text(s, width / 2.0, 42, 11, "middle", subtitle);
	return s;
}

int _rc_svg_close(struct rc_svg *s)
{
	int bad;

	fputs("</svg>\n", s->f);
	bad = ferror(s->f);
	if (fclose(s->f) != 0)
		bad = 1;
	free(s);
	return bad ? -1 : 0;
}

/* A tick step of 1, 2 or 5 times a power of ten giving about n ticks. */
static double nice_step(double range, unsigned n)
{
	double raw = range / n, p, f;

	if (!(raw > 0))
		return 1;
	p = pow(10, floor(log10(raw)));
	f = raw / p;
	return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * p;
}

static void fmt_num(char *buf, size_t n, double v)
{
	double a = fabs(v);

	if (a >= 1e6 || (a > 0 && a < 1e-2))
		snprintf(buf, n, "%.2g", v);
	else if (a >= 100 || v == floor(v))
		snprintf(buf, n, "%.0f", v);
	else if (a >= 10)
		snprintf(buf, n, "%.1f", v);
	else
		snprintf(buf, n, "%.2f", v);
}

void _rc_svg_lines(struct rc_svg *s, double x, double y, double w, double h,
		   const char *xlabel, const char *ylabel,
		   const struct rc_svg_series *series, unsigned nseries)
{
	double xmin = INFINITY, xmax = -INFINITY, ymax = 0, step;
	double legw = nseries > 0 ? 190 : 0;
	double px = x + 70, py = y + 10, pw = w - 70 - legw - 10, ph = h - 60;
	char buf[64];

	/* the scale fits the medians; longer error bars stop at the top */
	for (unsigned k = 0; k < nseries; k++)
		for (unsigned i = 0; i < series[k].n; i++) {
			xmin = fmin(xmin, series[k].x[i]);
			xmax = fmax(xmax, series[k].x[i]);
			if (isfinite(series[k].y[i]))
				ymax = fmax(ymax, series[k].y[i]);
		}
	if (!isfinite(xmin)) {
		xmin = 0;
		xmax = 1;
	}
	if (xmax - xmin < 1) {
		xmin -= 0.5;
		xmax += 0.5;
	}
	if (!(ymax > 0))
		ymax = 1;
	step = nice_step(ymax, 5);
	ymax = ceil(ymax * 1.05 / step) * step;
#define SX(v) (px + ((v)-xmin) / (xmax - xmin) * pw)
#define SY(v) (py + ph - (v) / ymax * ph)
	/* grid and y ticks */
	for (double t = 0; t <= ymax + step / 2; t += step) {
		line(s, px, SY(t), px + pw, SY(t), "#e0e0e0", 1);
		fmt_num(buf, sizeof buf, t);
		_rc_svg_text(s, px - 6, SY(t) + 4, 11, "end", buf);
	}
	/* x ticks: integers when the axis counts things */
	{
		double xs = nice_step(xmax - xmin, 8);

		if (xs < 1)
			xs = 1;
		for (double t = ceil(xmin / xs) * xs; t <= xmax + 1e-9;
		     t += xs) {
			line(s, SX(t), py + ph, SX(t), py + ph + 5, "#000000",
			     1);
			fmt_num(buf, sizeof buf, t);
			_rc_svg_text(s, SX(t), py + ph + 18, 11, "middle", buf);
		}
	}
	line(s, px, py + ph, px + pw, py + ph, "#000000", 1);
	line(s, px, py, px, py + ph, "#000000", 1);
	_rc_svg_text(s, px + pw / 2, py + ph + 38, 12, "middle", xlabel);
	vtext(s, x + 16, py + ph / 2, 12, ylabel);
	for (unsigned k = 0; k < nseries; k++) {
		const struct rc_svg_series *r = &series[k];
		const char *col = palette[r->color % NPALETTE];
		const char *da = dashes[r->dash % 3];
		double ly = py + 8 + 16 * k;

		fprintf(s->f,
			"<polyline fill=\"none\" stroke=\"%s\" "
			"stroke-width=\"2\"",
			col);
		if (*da)
			fprintf(s->f, " stroke-dasharray=\"%s\"", da);
		fputs(" points=\"", s->f);
		for (unsigned i = 0; i < r->n; i++)
			if (isfinite(r->y[i]))
				fprintf(s->f, "%s%.1f,%.1f", i ? " " : "",
					SX(r->x[i]), SY(r->y[i]));
		fputs("\"/>\n", s->f);
		for (unsigned i = 0; i < r->n; i++) {
			if (!isfinite(r->y[i]))
				continue;
			if (r->lo && r->hi && isfinite(r->lo[i]) &&
			    isfinite(r->hi[i]))
				line(s, SX(r->x[i]), SY(fmin(r->lo[i], ymax)),
				     SX(r->x[i]), SY(fmin(r->hi[i], ymax)), col,
				     1);
			fprintf(s->f,
				"<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" "
				"fill=\"%s\"/>\n",
				SX(r->x[i]), SY(r->y[i]), col);
		}
		/* legend */
		fprintf(s->f,
			"<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
			"stroke=\"%s\" stroke-width=\"2\"%s%s%s/>\n",
			px + pw + 14, ly, px + pw + 40, ly, col,
			*da ? " stroke-dasharray=\"" : "", da, *da ? "\"" : "");
		_rc_svg_text(s, px + pw + 46, ly + 4, 11, "start", r->name);
	}
#undef SX
#undef SY
}

/* A colour on a dark-blue to yellow ramp for t in 0..1 (viridis-like). */
static void ramp(double t, char *buf, size_t n)
{
	static const double stops[][3] = {
		{ 68, 1, 84 },	 { 59, 82, 139 },  { 33, 145, 140 },
		{ 94, 201, 98 }, { 253, 231, 37 },
	};
	double f;
	unsigned i;

	if (!(t >= 0))
		t = 0;
	if (t > 1)
		t = 1;
	f = t * 4;
	i = f >= 4 ? 3 : (unsigned)f;
	f -= i;
	snprintf(buf, n, "#%02x%02x%02x",
		 (unsigned)(stops[i][0] + f * (stops[i + 1][0] - stops[i][0])),
		 (unsigned)(stops[i][1] + f * (stops[i + 1][1] - stops[i][1])),
		 (unsigned)(stops[i][2] + f * (stops[i + 1][2] - stops[i][2])));
}

void _rc_svg_heatmap(struct rc_svg *s, double x, double y, double w, double h,
		     const char *title, const char *axis, const char *unit,
		     unsigned n, const double *m, const char *const *labels,
		     const bool *bounds)
{
	double vmin = INFINITY, vmax = -INFINITY, cell, ox, oy;
	bool logscale;
	char buf[64], col[16];

	for (unsigned i = 0; i < n * n; i++)
		if (isfinite(m[i])) {
			vmin = fmin(vmin, m[i]);
			vmax = fmax(vmax, m[i]);
		}
	if (!isfinite(vmin)) {
		vmin = 0;
		vmax = 1;
	}
	logscale = vmin > 0 && vmax / vmin > 20;
	cell = fmin((w - 150) / (n ? n : 1), (h - 90) / (n ? n : 1));
	if (cell > 90)
		cell = 90;
	ox = x + 70;
	oy = y + 40;
	_rc_svg_text(s, ox + cell * n / 2, y + 16, 13, "middle", title);
#define T(v)                                                                  \
	(vmax > vmin                                                          \
		 ? (logscale ? (log(v) - log(vmin)) / (log(vmax) - log(vmin)) \
			     : ((v)-vmin) / (vmax - vmin))                    \
		 : 0.5)
	for (unsigned r = 0; r < n; r++) {
		for (unsigned c = 0; c < n; c++) {
			double v = m[r * n + c];

			if (isfinite(v))
				ramp(T(v), col, sizeof col);
			else
				snprintf(col, sizeof col, "#eeeeee");
			fprintf(s->f,
				"<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
				"height=\"%.1f\" fill=\"%s\" "
				"stroke=\"#ffffff\" stroke-width=\"0.5\">",
				ox + c * cell, oy + r * cell, cell, cell, col);
			fprintf(s->f, "<title>%s - %s: ", labels[r], labels[c]);
			if (isfinite(v))
				fprintf(s->f, "%.1f ", v);
			else
				fputs("no value ", s->f);
			_rc_xml_esc(s->f, unit);
			fputs("</title></rect>\n", s->f);
			if (isfinite(v) && cell >= 22) {
				fmt_num(buf, sizeof buf, v);
				fprintf(s->f,
					"<text x=\"%.1f\" y=\"%.1f\" "
					"font-size=\"%u\" "
					"text-anchor=\"middle\" "
					"fill=\"%s\">%s</text>\n",
					ox + (c + 0.5) * cell,
					oy + (r + 0.5) * cell + 4,
					cell >= 40 ? 11u : 8u,
					T(v) > 0.6 ? "#000000" : "#ffffff",
					buf);
			}
		}
		fprintf(s->f,
			"<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" "
			"text-anchor=\"end\">",
			ox - 4, oy + (r + 0.5) * cell + 4);
		_rc_xml_esc(s->f, labels[r]);
		fputs("</text>\n", s->f);
		fprintf(s->f,
			"<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" "
			"text-anchor=\"middle\">",
			ox + (r + 0.5) * cell, oy - 4);
		_rc_xml_esc(s->f, labels[r]);
		fputs("</text>\n", s->f);
	}
	/* node boundaries */
	for (unsigned i = 1; i < n; i++)
		if (bounds[i]) {
			line(s, ox + i * cell, oy - 2, ox + i * cell,
			     oy + n * cell + 2, "#000000", 2.5);
			line(s, ox - 2, oy + i * cell, ox + n * cell + 2,
			     oy + i * cell, "#000000", 2.5);
		}
	fprintf(s->f,
		"<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
		"fill=\"none\" stroke=\"#000000\" stroke-width=\"1\"/>\n",
		ox, oy, cell * n, cell * n);
	_rc_svg_text(s, ox + cell * n / 2, oy + n * cell + 20, 11, "middle",
		     axis);
	vtext(s, x + 18, oy + n * cell / 2, 11, axis);
	/* the colour bar */
	{
		double bx = ox + n * cell + 20, bh = n * cell, seg = bh / 32;

		for (unsigned i = 0; i < 32; i++) {
			ramp(1 - (i + 0.5) / 32, col, sizeof col);
			rect(s, bx, oy + i * seg, 14, seg + 0.5, col);
		}
		fmt_num(buf, sizeof buf, vmax);
		_rc_svg_text(s, bx + 18, oy + 10, 10, "start", buf);
		fmt_num(buf, sizeof buf, vmin);
		_rc_svg_text(s, bx + 18, oy + bh, 10, "start", buf);
		snprintf(buf, sizeof buf, "%s%s", unit,
			 logscale ? " (log)" : "");
		vtext(s, bx + 48, oy + bh / 2, 10, buf);
	}
#undef T
}

void _rc_svg_bars(struct rc_svg *s, double x, double y, double w, double h,
		  const char *xlabel, const struct rc_svg_bar *bars,
		  unsigned nbars, const char *const *legend, unsigned nlegend)
{
	double vmax = 0, step, px = x + 230, pw = w - 240, py = y + 24;
	double bh = (h - 70) / (nbars ? nbars : 1);
	char buf[64];

	for (unsigned i = 0; i < nbars; i++) {
		if (isfinite(bars[i].hi))
			vmax = fmax(vmax, bars[i].hi);
		if (isfinite(bars[i].v))
			vmax = fmax(vmax, bars[i].v);
	}
	if (!(vmax > 0))
		vmax = 1;
	step = nice_step(vmax, 6);
	vmax = ceil(vmax * 1.02 / step) * step;
	for (unsigned k = 0; k < nlegend; k++) {
		rect(s, px + 140 * k, y + 2, 12, 12, palette[k % NPALETTE]);
		_rc_svg_text(s, px + 140 * k + 16, y + 12, 11, "start",
			     legend[k]);
	}
	for (double t = 0; t <= vmax + step / 2; t += step) {
		double gx = px + t / vmax * pw;

		line(s, gx, py, gx, py + nbars * bh, "#e0e0e0", 1);
		fmt_num(buf, sizeof buf, t);
		_rc_svg_text(s, gx, py + nbars * bh + 16, 11, "middle", buf);
	}
	for (unsigned i = 0; i < nbars; i++) {
		const struct rc_svg_bar *b = &bars[i];
		double by = py + i * bh,
		       v = isfinite(b->v) && b->v > 0 ? b->v : 0;

		rect(s, px, by + bh * 0.15, v / vmax * pw, bh * 0.7,
		     palette[b->color % NPALETTE]);
		if (isfinite(b->lo) && isfinite(b->hi))
			line(s, px + fmax(b->lo, 0) / vmax * pw, by + bh / 2,
			     px + b->hi / vmax * pw, by + bh / 2, "#000000", 1);
		_rc_svg_text(s, px - 6, by + bh / 2 + 4, 11, "end", b->label);
	}
	line(s, px, py, px, py + nbars * bh, "#000000", 1);
	line(s, px, py + nbars * bh, px + pw, py + nbars * bh, "#000000", 1);
	_rc_svg_text(s, px + pw / 2, py + nbars * bh + 34, 12, "middle",
		     xlabel);
}
