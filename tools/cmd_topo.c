/* SPDX-License-Identifier: MIT */
/* cmd_topo.c: `replicore topo`, the layout and where its memory goes, as a table or as JSON. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <replicore/topo.h>

#include "cli/cli.h"
#include "tools/commands.h"

static const char topo_help[] =
	"NAME\n"
	"    replicore topo - show the machine's or a synthetic layout's "
	"topology\n"
	"\n"
	"SYNOPSIS\n"
	"    replicore topo [--synthetic SPEC | --xml FILE] [--placement] "
	"[--json]\n"
	"\n"
	"DESCRIPTION\n"
	"    Prints the NUMA nodes with their cores and processing units "
	"(PUs), the\n"
	"    caches and, where hwloc knows them, the distances between "
	"nodes.\n"
	"    A synthetic or XML layout is mapped onto the machine's PUs: "
	"layout PU i\n"
	"    runs on real PU (i mod real PUs); the table says so when PUs "
	"share one.\n"
	"    With --placement it also says where each layout node's memory "
	"is: the\n"
	"    real NUMA node the node maps to (the one holding the real PU "
	"its first\n"
	"    PU runs on), and where a page allocated on the node, touched "
	"and looked\n"
	"    up, actually is.\n"
	"\n"
	"OPTIONS\n"
	"    --synthetic SPEC  an hwloc synthetic layout, tokens TYPE:COUNT "
	"from the\n"
	"                      outermost level in, e.g. \"package:2 numa:2 "
	"core:4 pu:2\"\n"
	"    --xml FILE        a layout exported by hwloc (lstopo "
	"--of xml)\n"
	"    --placement       allocate a page on each layout node and say "
	"which real\n"
	"                      NUMA node it is on\n"
	"    --json            print one JSON object instead of the table\n"
	"    -h, --help        print this help\n"
	"\n"
	"EXIT STATUS\n"
	"    0 on success, 2 on a bad option or a bad SPEC or FILE (the "
	"message names\n"
	"    the offending token and its column).\n"
	"\n"
	"EXAMPLE\n"
	"    replicore topo --synthetic \"numa:2 core:2 pu:1\" --json\n"
	"    replicore topo --synthetic \"numa:2 core:2 pu:1\" --placement\n";

/* Where a page allocated on one layout node went. */
struct probe {
	int real;    /* the real node the layout node maps to */
	int real_os; /* its operating-system number */
	int n;	     /* real nodes holding the page, or -RC_E* */
	unsigned nodes[8];
	char msg[512]; /* why n < 0 */
};

/* Allocates a page on node with rc_topo_alloc, touches it, looks it up. */
static void probe_node(const rc_topo_t *t, unsigned node, struct probe *pr)
{
	rc_err_t err = RC_ERR_INITIALIZER;
	long page = sysconf(_SC_PAGESIZE);
	size_t len = page > 0 ? (size_t)page : 4096;
	char *p;

	pr->real = rc_topo_real_node(t, node);
	pr->real_os = rc_topo_real_node_os(t, (unsigned)pr->real);
	pr->msg[0] = '\0';
	p = rc_topo_alloc(t, node, len, &err);
	if (p == NULL) {
		pr->n = -err.code;
		snprintf(pr->msg, sizeof pr->msg, "%s", err.msg);
		return;
	}
	/* A page has no node until it is touched. */
	memset(p, 0x5a, len);
	pr->n = rc_topo_memnode(t, p, len, pr->nodes, 8, &err);
	if (pr->n < 0)
		snprintf(pr->msg, sizeof pr->msg, "%s", err.msg);
	rc_topo_free(t, p, len);
}

static void print_placement(const rc_topo_t *t)
{
	printf("\nplacement (a page allocated on each node, touched and "
	       "looked up)\n"
	       "  node  real node  page found on\n");
	for (unsigned n = 0; n < rc_topo_nnodes(t); n++) {
		struct probe pr;
		char real[32];

		probe_node(t, n, &pr);
		snprintf(real, sizeof real, "%d (OS %d)", pr.real, pr.real_os);
		printf("  %-5u %-10s ", n, real);
		if (pr.n < 0) {
			printf("unknown: %s\n", pr.msg);
			continue;
		}
		if (pr.n == 0) {
			printf("no node yet\n");
			continue;
		}
		printf("real node%s", pr.n == 1 ? "" : "s");
		for (int k = 0; k < pr.n && k < 8; k++)
			printf("%s%u", k ? "," : " ", pr.nodes[k]);
		if (pr.n != 1 || (int)pr.nodes[0] != pr.real)
			printf(" (not its real node)");
		printf("\n");
	}
}

static void json_placement(struct cli_json *j, const rc_topo_t *t)
{
	cli_json_key(j, "placement");
	cli_json_arr(j);
	for (unsigned n = 0; n < rc_topo_nnodes(t); n++) {
		struct probe pr;

		probe_node(t, n, &pr);
		cli_json_obj(j);
		cli_json_kv_uint(j, "node", n);
		cli_json_kv_int(j, "real_node", pr.real);
		cli_json_kv_int(j, "real_node_os", pr.real_os);
		cli_json_key(j, "page_nodes");
		if (pr.n < 0) {
			cli_json_null(j);
			cli_json_kv_str(j, "error", pr.msg);
		} else {
			cli_json_arr(j);
			for (int k = 0; k < pr.n && k < 8; k++)
				cli_json_uint(j, pr.nodes[k]);
			cli_json_arr_end(j);
		}
		cli_json_obj_end(j);
	}
	cli_json_arr_end(j);
}

static const char *human_size(uint64_t b, char *buf, size_t n)
{
	const char *unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = (double)b;
	unsigned u = 0;

	while (v >= 1024 && u + 1 < sizeof(unit) / sizeof(unit[0])) {
		v /= 1024;
		u++;
	}
	snprintf(buf, n, v == (double)(uint64_t)v ? "%.0f %s" : "%.1f %s", v,
		 unit[u]);
	return buf;
}

static void print_table(const rc_topo_t *t)
{
	unsigned nn = rc_topo_nnodes(t);
	char buf[32];

	if (rc_topo_kind(t) == RC_TOPO_REAL)
		printf("layout: this machine\n");
	else
		printf("layout: %s \"%s\", mapped onto %u real PU%s%s\n",
		       cli_topo_kind_name(rc_topo_kind(t)), rc_topo_source(t),
		       rc_topo_real_npus(t),
		       rc_topo_real_npus(t) == 1 ? "" : "s",
		       rc_topo_wraps(t) ? " (wraps: several layout PUs share "
					  "a real PU)"
					: "");
	printf("packages %u, NUMA nodes %u, cores %u, PUs %u\n\n",
	       rc_topo_npackages(t), nn, rc_topo_ncores(t), rc_topo_npus(t));
	for (unsigned n = 0; n < nn; n++) {
		uint64_t mem = rc_topo_node_memory(t, n);
		unsigned np = rc_topo_node_npus(t, n);
		int last_core = -1;

		printf("NUMA node %u", n);
		if (mem > 0)
			printf("  (memory %s)",
			       human_size(mem, buf, sizeof buf));
		printf("\n  core  PUs (layout PU -> real CPU)\n");
		for (unsigned k = 0; k < np; k++) {
			struct rc_topo_pu pu;

			rc_topo_pu(t, rc_topo_node_pu(t, n, k), &pu);
			if ((int)pu.core != last_core) {
				if (last_core >= 0)
					putchar('\n');
				printf("  %-4u ", pu.core);
				last_core = (int)pu.core;
			}
			printf(" %u->%u", pu.index, pu.real_os_index);
		}
		printf("\n");
	}
	if (rc_topo_ncaches(t) > 0) {
		printf("\ncaches\n  level  type         size        line  "
		       "shared by\n");
		for (unsigned i = 0; i < rc_topo_ncaches(t); i++) {
			struct rc_topo_cache c;

			rc_topo_cache(t, i, &c);
			printf("  L%-5u %-12s %-11s %-5u %u PU%s from PU %u\n",
			       c.level, cli_cache_type_name(c.type),
			       c.size ? human_size(c.size, buf, sizeof buf)
				      : "?",
			       c.linesize, c.npus, c.npus == 1 ? "" : "s",
			       c.first_pu);
		}
	}
	if (rc_topo_distance(t, 0, 0) >= 0) {
		printf("\nnode distances\n     ");
		for (unsigned b = 0; b < nn; b++)
			printf(" %5u", b);
		printf("\n");
		for (unsigned a = 0; a < nn; a++) {
			printf("  %-3u", a);
			for (unsigned b = 0; b < nn; b++)
				printf(" %5d", rc_topo_distance(t, a, b));
			printf("\n");
		}
	}
}

static void print_json(const rc_topo_t *t, bool placement)
{
	struct cli_json j;

	cli_json_init(&j, stdout);
	cli_json_obj(&j);
	cli_json_topo_keys(&j, t);
	if (placement)
		json_placement(&j, t);
	cli_json_obj_end(&j);
	cli_json_end(&j);
}

int cmd_topo(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "synthetic", required_argument, NULL, 's' },
		{ "xml", required_argument, NULL, 'x' },
		{ "json", no_argument, NULL, 'j' },
		{ "placement", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *synthetic = NULL, *xml = NULL;
	rc_err_t err = RC_ERR_INITIALIZER;
	rc_topo_t *t;
	bool json = false, placement = false;
	int c;

	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			synthetic = optarg;
			break;
		case 'x':
			xml = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'p':
			placement = true;
			break;
		case 'h':
			fputs(topo_help, stdout);
			return CLI_EXIT_OK;
		default:
			return cli_bad_option("topo", argv, optopt);
		}
	}
	if (optind < argc)
		return cli_usage("topo", "unexpected argument '%s'",
				 argv[optind]);
	if (synthetic != NULL && xml != NULL)
		return cli_usage("topo", "--synthetic and --xml exclude each "
					 "other");
	if (rc_topo_open(&t, synthetic, xml, &err) < 0) {
		fputs("replicore topo: ", stderr);
		rc_err_print(&err, stderr);
		if (synthetic != NULL && err.col > 0)
			fprintf(stderr, "    %s\n    %*s^\n", synthetic,
				(int)err.col - 1, "");
		return CLI_EXIT_USAGE;
	}
	if (json) {
		print_json(t, placement);
	} else {
		print_table(t);
		if (placement)
			print_placement(t);
	}
	rc_topo_close(t);
	return CLI_EXIT_OK;
}
