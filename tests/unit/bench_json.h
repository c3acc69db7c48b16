/* SPDX-License-Identifier: MIT */
/* bench_json.h: a small JSON reader, a JSON Schema subset validator, an SVG well-formedness check and bench c2c's chunk check for the bench tests. */
#ifndef RC_TESTS_BENCH_JSON_H
#define RC_TESTS_BENCH_JSON_H

#include <stdbool.h>
#include <stddef.h>

enum bj_type { BJ_NULL, BJ_BOOL, BJ_NUM, BJ_STR, BJ_ARR, BJ_OBJ };

/* A parsed JSON value; objects keep their members in order. */
struct bj {
	enum bj_type t;
	bool b;
	double num;
	bool is_int; /* a number written without fraction or exponent */
	char *s;
	size_t n;      /* members or elements */
	char **k;      /* object keys */
	struct bj **v; /* object values or array elements */
};

/* Parses text; NULL with a message "offset N: ..." in err when bad. */
struct bj *bj_parse(const char *text, char *err, size_t errn);
void bj_free(struct bj *v);
/* The member key of object o, or NULL. */
const struct bj *bj_get(const struct bj *o, const char *key);
/* The file's contents, NUL-terminated, or NULL. */
char *bj_read_file(const char *path);
/* The file's contents parsed; NULL with a message in err when unreadable
 * or bad. */
struct bj *bj_parse_file(const char *path, char *err, size_t errn);

/*
 * Validates v against schema (root holds "definitions" for $ref), with the
 * draft-07 keywords type, const, enum, required, properties,
 * additionalProperties (false), items, minItems, minimum, anyOf and
 * $ref "#/definitions/NAME"; $schema, $id, title and description are
 * annotations; any other keyword is an error, so the schema cannot use
 * what is not checked. Returns true, or false with the failing path in err.
 */
bool bj_validate(const struct bj *root, const struct bj *schema,
		 const struct bj *v, const char *path, char *err, size_t errn);

/*
 * Checks that text is a well-formed SVG document: an optional XML
 * declaration, one <svg> root element in the SVG namespace, every tag
 * closed in order, attributes quoted, entities known, no stray '<' or '&'.
 */
bool svg_wellformed(const char *text, char *err, size_t errn);

/*
 * Checks the chunk members of a bench c2c result v (already valid against
 * the schema) for consistency, whatever the timings: "chunks" says how
 * many round trips a chunk holds; in each result, a method or floor with
 * chunks has 0 < chunk minimum <= chunk median, one without has both
 * null, and chunk_ratio_to_floor is the method's chunk median over its
 * floor's, null when either is. Returns true, or false with why in err.
 */
bool bj_c2c_chunks_ok(const struct bj *v, char *err, size_t errn);

#endif /* RC_TESTS_BENCH_JSON_H */
