/* SPDX-License-Identifier: MIT */
/* text.c: the text and Graphviz of executions and of broken axioms. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memmodel/enum.h"

/* ---- text of events and executions ---- */

static void ev_label(const struct rc_exec *x, int i, char *buf, size_t n)
{
	int k;

	if (x->ev[i].flags & EVF_INIT) {
		snprintf(buf, n, "i:%s", x->t->locs[x->ev[i].loc]);
		return;
	}
	k = i - (int)x->t->nlocs;
	if (k < 26)
		snprintf(buf, n, "%c", 'a' + k);
	else
		snprintf(buf, n, "e%d", k);
}

static const char *mo_short(int mo)
{
	static const char *const s[] = { "na",	"rlx",	  "con", "acq",
					 "rel", "acqrel", "sc" };

	return mo >= 0 && mo < 7 ? s[mo] : "?";
}

static void ev_desc(const struct rc_exec *x, int i, char *buf, size_t n)
{
	const struct ev *e = &x->ev[i];
	char lab[32];
	const char *mo = "";

	ev_label(x, i, lab, sizeof lab);
	if (x->t->arch == RC_LITMUS_C && !(e->flags & EVF_INIT))
		mo = mo_short(e->mo);
	if (e->type == EV_F)
		snprintf(buf, n, "%s: F%s", lab,
			 (e->flags & EVF_MFENCE) ? " mfence" : mo);
	else
		snprintf(buf, n, "%s: %c%s%s %s=%lld", lab,
			 e->type == EV_R ? 'R' : 'W', mo,
			 (e->flags & EVF_LOCKED) ? "*" : "", x->t->locs[e->loc],
			 (long long)e->val);
}

char *_rc_why_str(const struct rc_exec *x, const struct rc_why *why)
{
	char *buf = NULL, d[160];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	if (!why->axiom || why->ncycle == 0) {
		fprintf(f, "forbidden");
	} else {
		fprintf(f, "%s: ", why->axiom);
		for (int k = 0; k < why->ncycle; k++) {
			ev_desc(x, why->cycle[k], d, sizeof d);
			fprintf(f, "%s -%s-> ", d, why->label[k]);
		}
		ev_label(x, why->cycle[why->ncycle], d, sizeof d);
		fputs(d, f);
	}
	fclose(f);
	return buf;
}

char *_rc_witness_str(const struct rc_exec *x)
{
	char *buf = NULL, d[160];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int th = -2, first = 1;
	const int nw = RC_NW(x);

	if (!f)
		return NULL;
	fputs("witness:", f);
	for (int i = 0; i < x->n; i++) {
		if (x->ev[i].flags & EVF_INIT)
			continue;
		ev_desc(x, i, d, sizeof d);
		fprintf(f, "%s%s",
			x->ev[i].thread != th ? (th == -2 ? " " : " | ") : ", ",
			d);
		th = x->ev[i].thread;
	}
	fputs("; rf:", f);
	for (int r = 0; r < x->n; r++)
		if (x->rf_of[r] >= 0) {
			char a[32], b[32];

			ev_label(x, x->rf_of[r], a, sizeof a);
			ev_label(x, r, b, sizeof b);
			fprintf(f, "%s %s->%s", first ? "" : ",", a, b);
			first = 0;
		}
	fputs("; co:", f);
	first = 1;
	for (size_t l = 0; l < x->t->nlocs; l++) {
		int order[RC_EXEC_MAX], nwr = 0;

		for (int i = 0; i < x->n; i++)
			if (x->ev[i].type == EV_W && x->ev[i].loc == (int)l)
				order[nwr++] = i;
		if (nwr < 2)
			continue;
		/* sort by number of co-predecessors */
		for (int a = 0; a < nwr; a++)
			for (int b = a + 1; b < nwr; b++)
				if (bs_has(ROW(x->co, order[b], nw),
					   order[a])) {
					int t = order[a];

					order[a] = order[b];
					order[b] = t;
				}
		fprintf(f, "%s %s:", first ? "" : ",", x->t->locs[l]);
		first = 0;
		for (int k = 0; k < nwr; k++) {
			ev_label(x, order[k], d, sizeof d);
			fprintf(f, "%s%s", k ? "<" : " ", d);
		}
	}
	fclose(f);
	return buf;
}

static void dot_edges(FILE *f, const struct rc_exec *x, const uint64_t *r,
		      bool immediate, const char *name, const char *color)
{
	const int nw = RC_NW(x);
	int j, q;

	for (int i = 0; i < x->n; i++)
		BS_EACH(j, nw, ROW(r, i, nw))
		{
			/* skip edges implied by two others of the same kind */
			if (immediate) {
				bool skip = false;

				BS_EACH(q, nw, ROW(r, i, nw))
				{
					if (q != j && bs_has(ROW(r, q, nw), j))
						skip = true;
				}
				if (skip)
					continue;
			}
			fprintf(f,
				"  e%d -> e%d [label=\"%s\", color=%s, "
				"fontcolor=%s];\n",
				i, j, name, color, color);
		}
}

char *_rc_dot_str(const struct rc_exec *x, const char *model)
{
	char *buf = NULL, d[160];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int th = -2;

	if (!f)
		return NULL;
	fprintf(f,
		"digraph \"%s\" {\n  label=\"%s under %s\";\n"
		"  node [shape=box, fontname=monospace];\n",
		x->t->name, x->t->name, model);
	for (int i = 0; i < x->n; i++) {
		if (x->ev[i].thread != th) {
			if (th >= -1)
				fputs("  }\n", f);
			th = x->ev[i].thread;
			if (th < 0)
				fputs("  subgraph cluster_init {\n"
				      "    label=\"init\";\n",
				      f);
			else
				fprintf(f,
					"  subgraph cluster_P%d {\n"
					"    label=\"P%d\";\n",
					th, th);
		}
		ev_desc(x, i, d, sizeof d);
		fprintf(f, "    e%d [label=\"%s\"];\n", i, d);
	}
	if (th >= -1)
		fputs("  }\n", f);
	dot_edges(f, x, x->po, true, "po", "black");
	dot_edges(f, x, x->rf, false, "rf", "red");
	dot_edges(f, x, x->co, true, "co", "blue");
	dot_edges(f, x, x->fr, false, "fr", "orange");
	dot_edges(f, x, x->rmw, false, "rmw", "purple");
	fputs("}\n", f);
	fclose(f);
	return buf;
}
