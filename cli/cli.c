/* SPDX-License-Identifier: MIT */
/* cli.c: usage errors, integer options, progress and JSON for the subcommands. */
#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <replicore/topo.h>

#include "cli/cli.h"

int cli_usage(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "replicore%s%s: ", cmd != NULL ? " " : "",
		cmd != NULL ? cmd : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'replicore%s%s --help' for more information.\n",
		cmd != NULL ? " " : "", cmd != NULL ? cmd : "");
	return CLI_EXIT_USAGE;
}

int cli_bad_option(const char *cmd, char **argv, int optopt_char)
{
	extern int optind;
	const char *arg = argv[optind - 1];

	if (optopt_char != 0 && optopt_char != '?' &&
	    (arg == NULL || strncmp(arg, "--", 2) != 0))
		return cli_usage(cmd,
				 "invalid option or missing argument "
				 "-- '%c'",
				 optopt_char);
	return cli_usage(cmd, "unrecognized option or missing argument '%s'",
			 arg != NULL ? arg : "");
}

bool cli_parse_u64(const char *cmd, const char *opt, const char *s,
		   uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	if (s == NULL || *s == '\0' || *s == '-') {
		cli_usage(cmd, "%s needs a non-negative integer, got '%s'", opt,
			  s != NULL ? s : "");
		return false;
	}
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0') {
		cli_usage(cmd, "%s needs a non-negative integer, got '%s'", opt,
			  s);
		return false;
	}
	*out = v;
	return true;
}

bool cli_progress_enabled(void)
{
	return isatty(STDERR_FILENO) == 1;
}

void cli_json_init(struct cli_json *j, FILE *out)
{
	memset(j, 0, sizeof(*j));
	j->out = out;
}

static void before_value(struct cli_json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (j->need_comma[j->depth])
		fputc(',', j->out);
	j->need_comma[j->depth] = true;
}

static void open_(struct cli_json *j, char c)
{
	before_value(j);
	fputc(c, j->out);
	assert(j->depth + 1 <
	       (int)(sizeof(j->need_comma) / sizeof(j->need_comma[0])));
	j->depth++;
	j->need_comma[j->depth] = false;
}

static void close_(struct cli_json *j, char c)
{
	assert(j->depth > 0 && !j->after_key);
	j->depth--;
	fputc(c, j->out);
}

void cli_json_obj(struct cli_json *j)
{
	open_(j, '{');
}

void cli_json_obj_end(struct cli_json *j)
{
	close_(j, '}');
}

void cli_json_arr(struct cli_json *j)
{
	open_(j, '[');
}

void cli_json_arr_end(struct cli_json *j)
{
	close_(j, ']');
}

static void write_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", out);
			break;
		case '\\':
			fputs("\\\\", out);
			break;
		case '\n':
			fputs("\\n", out);
			break;
		case '\t':
			fputs("\\t", out);
			break;
		case '\r':
			fputs("\\r", out);
			break;
		default:
			if (*p < 0x20)
				fprintf(out, "\\u%04x", *p);
			else
				fputc(*p, out);
		}
	}
	fputc('"', out);
}

void cli_json_key(struct cli_json *j, const char *key)
{
	before_value(j);
	write_string(j->out, key);
	fputc(':', j->out);
	j->after_key = true;
}

void cli_json_str(struct cli_json *j, const char *s)
{
	before_value(j);
	write_string(j->out, s);
}

void cli_json_int(struct cli_json *j, long long v)
{
	before_value(j);
	fprintf(j->out, "%lld", v);
}

void cli_json_uint(struct cli_json *j, unsigned long long v)
{
	before_value(j);
	fprintf(j->out, "%llu", v);
}

void cli_json_double(struct cli_json *j, double v)
{
	before_value(j);
	if (isfinite(v))
		fprintf(j->out, "%.9g", v);
	else
		fputs("null", j->out);
}

void cli_json_bool(struct cli_json *j, bool v)
{
	before_value(j);
	fputs(v ? "true" : "false", j->out);
}

void cli_json_null(struct cli_json *j)
{
	before_value(j);
	fputs("null", j->out);
}

void cli_json_end(struct cli_json *j)
{
	assert(j->depth == 0);
	fputc('\n', j->out);
}

void cli_json_kv_str(struct cli_json *j, const char *key, const char *s)
{
	cli_json_key(j, key);
	cli_json_str(j, s);
}

void cli_json_kv_int(struct cli_json *j, const char *key, long long v)
{
	cli_json_key(j, key);
	cli_json_int(j, v);
}

void cli_json_kv_uint(struct cli_json *j, const char *key, unsigned long long v)
{
	cli_json_key(j, key);
	cli_json_uint(j, v);
}

void cli_json_kv_double(struct cli_json *j, const char *key, double v)
{
	cli_json_key(j, key);
	cli_json_double(j, v);
}

void cli_json_kv_bool(struct cli_json *j, const char *key, bool v)
{
	cli_json_key(j, key);
	cli_json_bool(j, v);
}

const char *cli_cache_type_name(enum rc_cache_type t)
{
	return t == RC_CACHE_DATA	   ? "data"
	       : t == RC_CACHE_INSTRUCTION ? "instruction"
					   : "unified";
}

const char *cli_topo_kind_name(enum rc_topo_kind k)
{
	return k == RC_TOPO_SYNTHETIC ? "synthetic"
	       : k == RC_TOPO_XML     ? "xml"
				      : "machine";
}

void cli_json_topo_keys(struct cli_json *j, const struct rc_topo *t)
{
	unsigned nn = rc_topo_nnodes(t);

	cli_json_kv_str(j, "kind", cli_topo_kind_name(rc_topo_kind(t)));
	cli_json_kv_str(j, "source", rc_topo_source(t));
	cli_json_kv_uint(j, "packages", rc_topo_npackages(t));
	cli_json_kv_uint(j, "nodes", nn);
	cli_json_kv_uint(j, "cores", rc_topo_ncores(t));
	cli_json_kv_uint(j, "pus", rc_topo_npus(t));
	cli_json_kv_uint(j, "real_pus", rc_topo_real_npus(t));
	cli_json_kv_bool(j, "wraps", rc_topo_wraps(t));
	cli_json_key(j, "numa");
	cli_json_arr(j);
	for (unsigned n = 0; n < nn; n++) {
		cli_json_obj(j);
		cli_json_kv_uint(j, "node", n);
		cli_json_kv_uint(j, "memory", rc_topo_node_memory(t, n));
		cli_json_key(j, "pus");
		cli_json_arr(j);
		for (unsigned k = 0; k < rc_topo_node_npus(t, n); k++) {
			struct rc_topo_pu pu;

			rc_topo_pu(t, rc_topo_node_pu(t, n, k), &pu);
			cli_json_obj(j);
			cli_json_kv_uint(j, "pu", pu.index);
			cli_json_kv_uint(j, "core", pu.core);
			cli_json_kv_uint(j, "package", pu.package);
			cli_json_kv_uint(j, "real_cpu", pu.real_os_index);
			cli_json_obj_end(j);
		}
		cli_json_arr_end(j);
		cli_json_obj_end(j);
	}
	cli_json_arr_end(j);
	cli_json_key(j, "caches");
	cli_json_arr(j);
	for (unsigned i = 0; i < rc_topo_ncaches(t); i++) {
		struct rc_topo_cache c;

		rc_topo_cache(t, i, &c);
		cli_json_obj(j);
		cli_json_kv_uint(j, "level", c.level);
		cli_json_kv_str(j, "type", cli_cache_type_name(c.type));
		cli_json_kv_uint(j, "size", c.size);
		cli_json_kv_uint(j, "linesize", c.linesize);
		cli_json_kv_uint(j, "pus", c.npus);
		cli_json_kv_uint(j, "first_pu", c.first_pu);
		cli_json_obj_end(j);
	}
	cli_json_arr_end(j);
	cli_json_key(j, "distances");
	if (rc_topo_distance(t, 0, 0) < 0) {
		cli_json_null(j);
	} else {
		cli_json_arr(j);
		for (unsigned a = 0; a < nn; a++) {
			cli_json_arr(j);
			for (unsigned b = 0; b < nn; b++)
				cli_json_int(j, rc_topo_distance(t, a, b));
			cli_json_arr_end(j);
		}
		cli_json_arr_end(j);
	}
}

void cli_json_topo(struct cli_json *j, const struct rc_topo *t)
{
	cli_json_obj(j);
	cli_json_topo_keys(j, t);
	cli_json_obj_end(j);
}
