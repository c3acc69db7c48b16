/* SPDX-License-Identifier: MIT */
/* cmd_check.c: `replicore check`, history checking from the command line. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <replicore/check.h>
#include <replicore/clock.h>
#include <replicore/history.h>

#include "cli/cli.h"
#include "tools/commands.h"

static const char check_help[] =
	"NAME\n"
	"    replicore check - was a concurrent history linearizable, "
	"sequentially\n"
	"    consistent, causally consistent?\n"
	"\n"
	"SYNOPSIS\n"
	"    replicore check FILE... [--spec SPEC] [--level LEVEL] "
	"[--timeout S]\n"
	"                    [--max-memory MIB] [--all-keys] [--json] "
	"[--html OUT]\n"
	"\n"
	"DESCRIPTION\n"
	"    Reads each FILE, a history in replicore's format, a Jepsen etcd "
	"log or\n"
	"    Jepsen EDN operation maps (recognised by content), and checks "
	"it at LEVEL\n"
	"    against the sequential object SPEC. Operations that never "
	"complete or end\n"
	"    :info are indeterminate: they may have taken effect at any "
	"time after\n"
	"    their invocation, or never. A kv history is checked key by "
	"key, on as\n"
	"    many threads as there are usable CPUs, and the check stops at "
	"the first\n"
	"    violating key in file order. A history with no operations is "
	"trivially\n"
	"    consistent.\n"
	"\n"
	"    A passing history is shown with its witness, an order of its "
	"operations\n"
	"    (lin, sc: one the spec allows; cc, cm: one that extends the "
	"causal\n"
	"    order; ccv: one that extends the conflict order too), the "
	"first and the\n"
	"    last 6 of it; a failing one with the longest linearizable "
	"prefix and the\n"
	"    operations that cannot come next (lin, sc), or with the bad "
	"pattern\n"
	"    found (cc, cm, ccv).\n"
	"\n"
	"OPTIONS\n"
	"    --spec SPEC    register, cas-register, kv, queue, stack, set "
	"or counter\n"
	"                   (default: guessed from the operations; etcd "
	"logs are\n"
	"                   cas-register)\n"
	"    --level LEVEL  lin (linearizable, default), sc (sequentially "
	"consistent),\n"
	"                   cc (causal consistency), cm (causal memory), "
	"ccv (causal\n"
	"                   convergence); the causal levels take "
	"register and kv\n"
	"                   histories of reads and writes; the "
	"histories of tso and\n"
	"                   causal objects are checked at ccv; eventual "
	"(reads return\n"
	"                   some write, final reads agree), alone or with "
	"session\n"
	"                   guarantees ryw, mr, mw, wfr: --level "
	"eventual,mr\n"
	"    --timeout S    give up after S seconds, reading included "
	"(verdict unknown,\n"
	"                   exit 3)\n"
	"    --max-memory MIB\n"
	"                   give up when reading and checking would use "
	"more than MIB\n"
	"                   MiB (verdict unknown, exit 3; default 1024)\n"
	"    --all-keys     check every key of a kv history and give "
	"each key's verdict\n"
	"    --json         one JSON object per FILE on its own line\n"
	"    --html OUT     write a self-contained HTML timeline of the "
	"(one) FILE\n"
	"    -h, --help     print this help\n"
	"\n"
	"EXIT STATUS\n"
	"    0 every FILE consistent, 1 a violation found, 2 bad arguments "
	"or bad input\n"
	"    (FILE:LINE:COL: error: ...), 3 no verdict (timeout or budget "
	"spent).\n"
	"\n"
	"EXAMPLE\n"
	"    replicore check --spec cas-register etcd_002.log --json\n"
	"\n"
	"SEE ALSO\n"
	"    replicore-check(1) describes the history format and the JSON "
	"output.\n";

/* "ryw+mr", "eventual+mr": the guarantees checked. */
static void session_names(unsigned g, char *buf, size_t n)
{
	size_t len = 0;

	buf[0] = '\0';
	if ((g >> RC_EVENTUAL) & 1)
		len = (size_t)snprintf(buf, n, "%s",
				       rc_level_name(RC_EVENTUAL));
	for (unsigned l = RC_RYW; l <= RC_WFR; l++)
		if ((g >> l) & 1)
			len += (size_t)snprintf(
				buf + len, len < n ? n - len : 0, "%s%s",
				len ? "+" : "",
				rc_level_name((enum rc_level)l));
}

static void json_val(struct cli_json *j, const rc_history_t *h, rc_hval_t v)
{
	char buf[256];
	const char *s;
	size_t len;

	if (rc_hval_is_int(v)) {
		cli_json_int(j, v);
	} else if (v == RC_HVAL_NIL) {
		cli_json_null(j);
	} else if ((s = rc_history_strval(h, v, &len)) != NULL &&
		   memchr(s, '\0', len) == NULL) {
		cli_json_str(j, s);
	} else {
		cli_json_str(j, rc_history_fmtval(h, v, buf, sizeof(buf)));
	}
}

static void json_op(struct cli_json *j, const rc_history_t *h, uint32_t i)
{
	const struct rc_hop *o = rc_history_op(h, i);

	cli_json_obj(j);
	cli_json_key(j, "index");
	cli_json_uint(j, i);
	cli_json_key(j, "line");
	cli_json_uint(j, o->line);
	cli_json_key(j, "process");
	cli_json_uint(j, o->proc);
	cli_json_key(j, "call");
	cli_json_int(j, o->call);
	cli_json_key(j, "return");
	if (o->status == RC_HST_INDET)
		cli_json_null(j);
	else
		cli_json_int(j, o->ret);
	cli_json_key(j, "f");
	cli_json_str(j, rc_hop_kind_name(o->kind));
	if (o->key != RC_HVAL_NONE) {
		cli_json_key(j, "key");
		json_val(j, h, o->key);
	}
	cli_json_key(j, "args");
	cli_json_arr(j);
	for (int a = 0; a < 2; a++)
		if (o->arg[a] != RC_HVAL_NONE)
			json_val(j, h, o->arg[a]);
	cli_json_arr_end(j);
	cli_json_key(j, "result");
	if (o->status == RC_HST_INDET)
		cli_json_str(j, "indeterminate");
	else
		json_val(j, h, o->result);
	cli_json_obj_end(j);
}

static void json_part(struct cli_json *j, const rc_history_t *h,
		      const rc_check_result_t *r, const struct rc_check_part *p,
		      double seconds)
{
	cli_json_key(j, "verdict");
	cli_json_str(j, rc_verdict_name(p->verdict));
	cli_json_key(j, "ops");
	cli_json_uint(j, p->nops);
	cli_json_key(j, "seconds");
	cli_json_double(j, seconds);
	cli_json_key(j, "states");
	cli_json_uint(j, p->states);
	cli_json_key(j, "witness");
	cli_json_obj(j);
	cli_json_key(j, "kind");
	if (p->verdict == RC_VERDICT_OK)
		cli_json_str(j, r->level < RC_CC     ? "order"
				: p->norder == 0     ? "none"
				: r->guarantees != 0 ? "write_order"
				: r->level == RC_CCV ? "arbitration"
						     : "causal_order");
	else if (p->verdict == RC_VERDICT_UNKNOWN)
		cli_json_str(j, "none");
	else
		cli_json_str(j, p->pattern[0] ? "pattern" : "prefix");
	if (p->pattern[0]) {
		cli_json_key(j, "pattern");
		cli_json_str(j, p->pattern);
	}
	cli_json_key(j, "note");
	cli_json_str(j, p->note);
	cli_json_key(j, "order");
	cli_json_arr(j);
	for (size_t i = 0; i < p->norder; i++)
		json_op(j, h, p->order[i]);
	cli_json_arr_end(j);
	cli_json_key(j, "blocked");
	cli_json_arr(j);
	for (size_t i = 0; i < p->nblocked; i++)
		json_op(j, h, p->blocked[i]);
	cli_json_arr_end(j);
	cli_json_obj_end(j);
}

static void print_json(const char *file, const rc_history_t *h,
		       const rc_check_result_t *r)
{
	struct cli_json j;

	cli_json_init(&j, stdout);
	cli_json_obj(&j);
	cli_json_key(&j, "file");
	cli_json_str(&j, file);
	cli_json_key(&j, "spec");
	cli_json_str(&j, rc_spec_name(r->spec));
	cli_json_key(&j, "level");
	if (r->guarantees != 0) {
		char g[64];

		session_names(r->guarantees, g, sizeof(g));
		cli_json_str(&j, g);
	} else {
		cli_json_str(&j, rc_level_name(r->level));
	}
	if (r->level >= RC_CC && r->guarantees == 0) {
		cli_json_key(&j, "differentiated");
		cli_json_bool(&j, r->differentiated);
	}
	if (r->note[0]) {
		cli_json_key(&j, "note");
		cli_json_str(&j, r->note);
	}
	if (r->nparts == 1 && r->parts[0].key == RC_HVAL_NONE) {
		json_part(&j, h, r, &r->parts[0], r->seconds);
	} else {
		cli_json_key(&j, "verdict");
		cli_json_str(&j, rc_verdict_name(r->verdict));
		cli_json_key(&j, "ops");
		cli_json_uint(&j, r->nops);
		cli_json_key(&j, "seconds");
		cli_json_double(&j, r->seconds);
		cli_json_key(&j, "keys_total");
		cli_json_uint(&j, r->nkeys);
		cli_json_key(&j, "keys");
		cli_json_arr(&j);
		for (size_t p = 0; p < r->nparts; p++) {
			cli_json_obj(&j);
			cli_json_key(&j, "key");
			json_val(&j, h, r->parts[p].key);
			json_part(&j, h, r, &r->parts[p], r->parts[p].seconds);
			cli_json_obj_end(&j);
		}
		cli_json_arr_end(&j);
	}
	cli_json_obj_end(&j);
	cli_json_end(&j);
}

static void print_op(const rc_history_t *h, uint32_t i)
{
	const struct rc_hop *o = rc_history_op(h, i);
	char b[3][96];

	printf("    #%-5" PRIu32 " line %-5" PRIu32 " process %-3" PRIu32
	       " [%" PRId64 ", ",
	       i, o->line, o->proc, o->call);
	if (o->status == RC_HST_INDET)
		printf("never]");
	else
		printf("%" PRId64 "]", o->ret);
	printf(" %s", rc_hop_kind_name(o->kind));
	if (o->key != RC_HVAL_NONE)
		printf(" %s", rc_history_fmtval(h, o->key, b[0], sizeof(b[0])));
	for (int a = 0; a < 2; a++)
		if (o->arg[a] != RC_HVAL_NONE)
			printf(" %s", rc_history_fmtval(h, o->arg[a], b[1],
							sizeof(b[1])));
	if (o->status == RC_HST_INDET)
		printf(" -> ? (indeterminate)\n");
	else
		printf(" -> %s\n",
		       rc_history_fmtval(h, o->result, b[2], sizeof(b[2])));
}

static const char *level_word(enum rc_level l)
{
	switch (l) {
	case RC_LIN:
		return "linearizable";
	case RC_SC:
		return "sequentially consistent";
	case RC_CC:
		return "causally consistent (CC)";
	case RC_CM:
		return "causal memory (CM)";
	default:
		return "causally convergent (CCv)";
	}
}

/* A passing history's witness, in words, and how much of it is shown. */
#define WITNESS_ENDS 6
#define STR_(x) #x
#define STR(x) STR_(x)

static const char *witness_word(enum rc_level l)
{
	switch (l) {
	case RC_LIN:
		return "an order of the operations that keeps real time and "
		       "the spec";
	case RC_SC:
		return "an order of the operations that keeps each process's "
		       "order and the spec";
	case RC_CCV:
		return "an arbitration order that extends the causal order "
		       "and the conflict order";
	case RC_RYW:
	case RC_MR:
	case RC_MW:
	case RC_WFR:
	case RC_EVENTUAL:
		return "an order of each key's writes that the sessions' "
		       "guarantees and the final reads hold against";
	default:
		return "an order that extends the causal order (program "
		       "order and reads-from)";
	}
}

static void print_text(const char *file, const rc_history_t *h,
		       const rc_check_result_t *r)
{
	char what[96];

	if (r->guarantees == 1u << RC_EVENTUAL) {
		strcpy(what, "eventually consistent");
	} else if (r->guarantees != 0) {
		strcpy(what, "keeping ");
		session_names(r->guarantees, what + 8, sizeof(what) - 8);
	} else {
		snprintf(what, sizeof(what), "%s", level_word(r->level));
	}
	printf("%s: %s%s (%s, %zu ops, %.3f s)\n", file,
	       r->verdict == RC_VERDICT_OK	    ? ""
	       : r->verdict == RC_VERDICT_VIOLATION ? "NOT "
						    : "unknown whether ",
	       what, rc_spec_name(r->spec), r->nops, r->seconds);
	if (r->note[0])
		printf("  note: %s%s\n", r->note,
		       r->nparts < r->nkeys ? " (--all-keys checks them all)"
					    : "");
	for (size_t p = 0; p < r->nparts; p++) {
		const struct rc_check_part *pt = &r->parts[p];
		char kb[96];
		size_t from = 0;

		if (pt->key != RC_HVAL_NONE) {
			if (pt->verdict == RC_VERDICT_OK && r->nparts > 8)
				continue;
			printf("  key %s: %s (%zu ops)\n",
			       rc_history_fmtval(h, pt->key, kb, sizeof(kb)),
			       rc_verdict_name(pt->verdict), pt->nops);
		}
		if (pt->verdict == RC_VERDICT_OK) {
			if (pt->note[0])
				printf("  note: %s\n", pt->note);
			if (pt->norder == 0)
				continue;
			printf("  witness: %s (%zu ops)%s\n",
			       witness_word(r->level), pt->norder,
			       pt->norder > 2 * WITNESS_ENDS
				       ? ", the first and the last " STR(
						 WITNESS_ENDS) ":"
				       : ":");
			for (size_t i = 0; i < pt->norder; i++) {
				if (pt->norder > 2 * WITNESS_ENDS &&
				    i == WITNESS_ENDS)
					printf("    ... %zu more\n",
					       pt->norder - 2 * WITNESS_ENDS);
				if (pt->norder <= 2 * WITNESS_ENDS ||
				    i < WITNESS_ENDS ||
				    i >= pt->norder - WITNESS_ENDS)
					print_op(h, pt->order[i]);
			}
			continue;
		}
		if (pt->note[0])
			printf("  %s\n", pt->note);
		if (pt->verdict == RC_VERDICT_UNKNOWN)
			continue;
		if (pt->pattern[0]) {
			printf("  bad pattern %s, operations:\n", pt->pattern);
			for (size_t i = 0; i < pt->nblocked; i++)
				print_op(h, pt->blocked[i]);
			continue;
		}
		if (pt->norder > 5)
			from = pt->norder - 5;
		printf("  longest %s prefix: %zu ops%s\n",
		       r->level == RC_SC ? "sequential" : "linearizable",
		       pt->norder, from ? ", the last 5:" : ":");
		for (size_t i = from; i < pt->norder; i++)
			print_op(h, pt->order[i]);
		printf("  cannot come next:\n");
		for (size_t i = 0; i < pt->nblocked; i++)
			print_op(h, pt->blocked[i]);
	}
}

/* A file whose reading ran out of time or memory: no verdict. */
static void print_unknown(const char *file, const struct rc_check_opts *co,
			  const rc_err_t *err, bool json)
{
	struct cli_json j;

	if (!json) {
		printf("%s: unknown whether %s (%s)\n", file,
		       level_word(co->level), err->msg);
		return;
	}
	cli_json_init(&j, stdout);
	cli_json_obj(&j);
	cli_json_kv_str(&j, "file", file);
	cli_json_kv_str(&j, "level", rc_level_name(co->level));
	cli_json_kv_str(&j, "verdict", "unknown");
	cli_json_kv_str(&j, "note", err->msg);
	cli_json_obj_end(&j);
	cli_json_end(&j);
}

/* The levels checked as an order of each key's writes, together. */
static bool orders_writes(enum rc_level l)
{
	return rc_level_is_session(l) || l == RC_EVENTUAL;
}

/*
 * --level: one level, or session guarantees and eventual separated by
 * commas (checked together). Prints the usage error and returns -1 on a bad list.
 */
static int parse_levels(const char *arg, struct rc_check_opts *co)
{
	char buf[64], *save = NULL, *tok;
	bool first = true;

	if (strlen(arg) >= sizeof(buf)) {
		cli_usage("check", "--level '%s' is too long", arg);
		return -1;
	}
	strcpy(buf, arg);
	co->also = 0;
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save), first = false) {
		enum rc_level l;

		if (rc_level_parse(tok, &l) < 0) {
			cli_usage("check",
				  "unknown level '%s' (lin, sc, cc, cm, ccv, "
				  "eventual, or session guarantees ryw, mr, "
				  "mw, wfr)",
				  tok);
			return -1;
		}
		if (!rc_level_is_history(l)) {
			cli_usage("check",
				  "level '%s' is an object's; its histories "
				  "are checked at %s",
				  tok, rc_level_name(rc_level_checked_at(l)));
			return -1;
		}
		if (!first &&
		    (!orders_writes(l) || !orders_writes(co->level) ||
		     (l == RC_EVENTUAL && co->level == RC_EVENTUAL))) {
			cli_usage("check",
				  "only session guarantees (and eventual) "
				  "are checked together, as in --level "
				  "eventual,ryw,mr (got '%s')",
				  arg);
			return -1;
		}
		if (first) {
			co->level = l;
		} else if (l == RC_EVENTUAL) {
			/* eventual leads; the guarantees come along */
			co->also |= 1u << co->level;
			co->level = l;
		} else {
			co->also |= 1u << l;
		}
	}
	if (first) {
		cli_usage("check", "--level needs a level");
		return -1;
	}
	return 0;
}

int cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "spec", required_argument, NULL, 's' },
		{ "level", required_argument, NULL, 'l' },
		{ "timeout", required_argument, NULL, 't' },
		{ "max-memory", required_argument, NULL, 'm' },
		{ "all-keys", no_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'j' },
		{ "html", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct rc_check_opts co = RC_CHECK_OPTS_INITIALIZER;
	const char *html = NULL;
	size_t max_bytes;
	bool json = false, bad = false, viol = false, unknown = false;
	int c, v;

	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			if ((v = rc_spec_parse(optarg)) < 0)
				return cli_usage("check",
						 "unknown spec '%s' (register, "
						 "cas-register, kv, queue, "
						 "stack, set, counter)",
						 optarg);
			co.spec = (enum rc_spec)v;
			break;
		case 'l':
			if (parse_levels(optarg, &co) < 0)
				return CLI_EXIT_USAGE;
			break;
		case 't': {
			char *end;

			co.timeout = strtod(optarg, &end);
			if (*optarg == '\0' || *end != '\0' ||
			    !(co.timeout >= 0))
				return cli_usage("check",
						 "--timeout needs seconds, got "
						 "'%s'",
						 optarg);
			break;
		}
		case 'm': {
			uint64_t mib;

			if (!cli_parse_u64("check", "--max-memory", optarg,
					   &mib))
				return CLI_EXIT_USAGE;
			if (mib == 0 || mib > ((uint64_t)SIZE_MAX >> 20))
				return cli_usage("check",
						 "--max-memory needs MiB, 1 or "
						 "more, got '%s'",
						 optarg);
			co.max_bytes = (size_t)mib << 20;
			break;
		}
		case 'a':
			co.all_keys = true;
			break;
		case 'j':
			json = true;
			break;
		case 'o':
			html = optarg;
			break;
		case 'h':
			fputs(check_help, stdout);
			return CLI_EXIT_OK;
		default:
			return cli_bad_option("check", argv, optopt);
		}
	}
	if (optind >= argc)
		return cli_usage("check", "no history FILE given");
	if (html != NULL && argc - optind > 1)
		return cli_usage("check", "--html draws one FILE, got %d",
				 argc - optind);
	max_bytes = co.max_bytes ? co.max_bytes : RC_CHECK_MAX_BYTES;
	for (int a = optind; a < argc; a++) {
		rc_err_t err = RC_ERR_INITIALIZER;
		rc_history_t *h;
		rc_check_result_t *r;
		struct rc_check_opts fo = co;
		uint64_t t0 = rc_clock_now_ns();
		int rc;

		/* the limits hold for the whole file, reading included */
		rc = rc_history_load_limited(argv[a], co.timeout, max_bytes, &h,
					     &err);
		if (rc == -RC_ETIMEDOUT) {
			print_unknown(argv[a], &co, &err, json);
			unknown = true;
			continue;
		}
		if (rc < 0) {
			fputs("replicore check: ", stderr);
			rc_err_print(&err, stderr);
			bad = true;
			continue;
		}
		if (co.timeout > 0) {
			fo.timeout -= (double)(rc_clock_now_ns() - t0) * 1e-9;
			if (fo.timeout < 1e-9)
				fo.timeout = 1e-9; /* spent: stops at once */
		}
		if (rc_check(h, &fo, &r, &err) < 0) {
			if (err.where[0] == '\0')
				snprintf(err.where, sizeof(err.where), "%s",
					 argv[a]);
			fputs("replicore check: ", stderr);
			rc_err_print(&err, stderr);
			rc_history_free(h);
			bad = true;
			continue;
		}
		if (json)
			print_json(argv[a], h, r);
		else
			print_text(argv[a], h, r);
		fflush(stdout);
		if (html != NULL) {
			FILE *f = fopen(html, "w");
			bool wrote = f != NULL;

			if (wrote) {
				wrote = rc_check_html(h, r, argv[a], f, &err) ==
					0;
				wrote = fclose(f) == 0 && wrote;
			}
			if (!wrote) {
				fprintf(stderr,
					"replicore check: cannot write %s\n",
					html);
				bad = true;
			}
		}
		viol |= r->verdict == RC_VERDICT_VIOLATION;
		unknown |= r->verdict == RC_VERDICT_UNKNOWN;
		rc_check_result_free(r);
		rc_history_free(h);
	}
	if (bad)
		return CLI_EXIT_USAGE;
	if (viol)
		return CLI_EXIT_FOUND;
	return unknown ? CLI_EXIT_UNKNOWN : CLI_EXIT_OK;
}
