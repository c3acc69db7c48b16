/* SPDX-License-Identifier: MIT */
/* cli.h: what the command and the benchmarks share: usage errors, JSON output, progress. */
#ifndef RC_CLI_CLI_H
#define RC_CLI_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Exit statuses of every subcommand. */
enum {
	CLI_EXIT_OK = 0,
	CLI_EXIT_FOUND = 1, /* a violation or disagreement was found */
	CLI_EXIT_USAGE = 2, /* bad arguments or bad input */
	CLI_EXIT_UNKNOWN = 3,
};

/* A subcommand: name, one-line summary, entry point (returns the exit status). */
struct cli_cmd {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);
};

/*
 * Prints "replicore CMD: MESSAGE" and a hint to --help on stderr; returns
 * CLI_EXIT_USAGE so a subcommand can `return cli_usage(...)`.
 */
int cli_usage(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Reports an unknown option or a missing argument found by getopt_long
 * (called with opterr = 0, on '?' or ':'); returns CLI_EXIT_USAGE.
 */
int cli_bad_option(const char *cmd, char **argv, int optopt_char);

/* Parses a non-negative integer option value; false (and a message) if bad. */
bool cli_parse_u64(const char *cmd, const char *opt, const char *s,
		   uint64_t *out);

/* True when progress lines may be written: stderr is a terminal. */
bool cli_progress_enabled(void);

/*
 * A streaming JSON writer: values are written as they come, commas and
 * nesting handled here. Strings are escaped per RFC 8259.
 */
struct cli_json {
	FILE *out;
	int depth;
	bool need_comma[64];
	bool after_key;
};

void cli_json_init(struct cli_json *j, FILE *out);
void cli_json_obj(struct cli_json *j);	   /* { */
void cli_json_obj_end(struct cli_json *j); /* } */
void cli_json_arr(struct cli_json *j);	   /* [ */
void cli_json_arr_end(struct cli_json *j); /* ] */
void cli_json_key(struct cli_json *j, const char *key);
void cli_json_str(struct cli_json *j, const char *s);
void cli_json_int(struct cli_json *j, long long v);
void cli_json_uint(struct cli_json *j, unsigned long long v);
void cli_json_double(struct cli_json *j, double v);
void cli_json_bool(struct cli_json *j, bool v);
void cli_json_null(struct cli_json *j);
/* Ends the document with a newline; the depth must be back at 0. */
void cli_json_end(struct cli_json *j);

/* A key and its value in one call, inside an object. */
void cli_json_kv_str(struct cli_json *j, const char *key, const char *s);
void cli_json_kv_int(struct cli_json *j, const char *key, long long v);
void cli_json_kv_uint(struct cli_json *j, const char *key,
		      unsigned long long v);
void cli_json_kv_double(struct cli_json *j, const char *key, double v);
void cli_json_kv_bool(struct cli_json *j, const char *key, bool v);

struct rc_topo;
enum rc_topo_kind;
enum rc_cache_type;
/* "machine", "synthetic" or "xml". */
const char *cli_topo_kind_name(enum rc_topo_kind k);
/* "unified", "data" or "instruction". */
const char *cli_cache_type_name(enum rc_cache_type t);
/*
 * Writes a layout as one JSON object (the schema `replicore topo --json`
 * documents in replicore(1)): kind, source, counts, NUMA nodes with their
 * PUs, caches and distances. Every command that reports a topology uses it.
 */
void cli_json_topo(struct cli_json *j, const struct rc_topo *topo);
/* cli_json_topo's keys without the braces, for an object that adds more. */
void cli_json_topo_keys(struct cli_json *j, const struct rc_topo *topo);

#endif /* RC_CLI_CLI_H */
