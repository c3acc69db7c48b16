/* SPDX-License-Identifier: MIT */
/* bench_json.c: JSON reading, schema validation, SVG well-formedness and bench c2c's chunk check for the bench tests. */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/bench_json.h"

struct parser {
	const char *p, *start;
	char *err;
	size_t errn;
	int depth;
};

static void *fail(struct parser *ps, const char *msg)
{
	if (ps->err[0] == '\0')
		snprintf(ps->err, ps->errn, "offset %zu: %s",
			 (size_t)(ps->p - ps->start), msg);
	return NULL;
}

static void ws(struct parser *ps)
{
	while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' ||
	       *ps->p == '\r')
		ps->p++;
}

static struct bj *value(struct parser *ps);

static char *string(struct parser *ps)
{
	size_t cap = 16, n = 0;
	char *s = malloc(cap);

	if (s == NULL)
		return fail(ps, "out of memory");
	ps->p++; /* the opening quote */
	while (*ps->p != '"') {
		char c = *ps->p;

		if (c == '\0' || (unsigned char)c < 0x20) {
			free(s);
			return fail(ps, "bad character in string");
		}
		if (c == '\\') {
			ps->p++;
			switch (*ps->p) {
			case '"':
			case '\\':
			case '/':
				c = *ps->p;
				break;
			case 'b':
				c = '\b';
				break;
			case 'f':
				c = '\f';
				break;
			case 'n':
				c = '\n';
				break;
			case 'r':
				c = '\r';
				break;
			case 't':
				c = '\t';
				break;
			case 'u':
				for (int i = 1; i <= 4; i++)
					if (!isxdigit(
						    (unsigned char)ps->p[i])) {
						free(s);
						return fail(ps,
							    "bad \\u escape");
					}
				ps->p += 4;
				c = '?';
				break;
			default:
				free(s);
				return fail(ps, "bad escape");
			}
		}
		if (n + 2 > cap) {
			char *ns = realloc(s, cap *= 2);

			if (ns == NULL) {
				free(s);
				return fail(ps, "out of memory");
			}
			s = ns;
		}
		s[n++] = c;
		ps->p++;
	}
	ps->p++;
	s[n] = '\0';
	return s;
}

static bool push(struct bj *v, char *key, struct bj *x)
{
	struct bj **nv = realloc(v->v, (v->n + 1) * sizeof(*nv));

	if (nv == NULL)
		return false;
	v->v = nv;
	if (v->t == BJ_OBJ) {
		char **nk = realloc(v->k, (v->n + 1) * sizeof(*nk));

		if (nk == NULL)
			return false;
		v->k = nk;
		v->k[v->n] = key;
	}
	v->v[v->n++] = x;
	return true;
}

static struct bj *number(struct parser *ps, struct bj *v)
{
	const char *q = ps->p;
	char *end;

	if (*q == '-')
		q++;
	if (!isdigit((unsigned char)*q))
		return fail(ps, "bad value");
	if (*q == '0' && isdigit((unsigned char)q[1]))
		return fail(ps, "leading zero");
	v->t = BJ_NUM;
	v->num = strtod(ps->p, &end);
	v->is_int = true;
	for (const char *c = ps->p; c < end; c++)
		if (*c == '.' || *c == 'e' || *c == 'E')
			v->is_int = false;
	ps->p = end;
	return v;
}

static struct bj *value(struct parser *ps)
{
	struct bj *v;

	ws(ps);
	if (++ps->depth > 100)
		return fail(ps, "nested too deeply");
	v = calloc(1, sizeof(*v));
	if (v == NULL)
		return fail(ps, "out of memory");
	if (*ps->p == '{' || *ps->p == '[') {
		bool obj = *ps->p == '{';
		char close = obj ? '}' : ']';

		v->t = obj ? BJ_OBJ : BJ_ARR;
		ps->p++;
		ws(ps);
		if (*ps->p == close) {
			ps->p++;
			ps->depth--;
			return v;
		}
		for (;;) {
			char *key = NULL;
			struct bj *x;

			ws(ps);
			if (obj) {
				if (*ps->p != '"')
					goto bad_key;
				key = string(ps);
				if (key == NULL)
					goto bad;
				ws(ps);
				if (*ps->p != ':') {
					free(key);
					fail(ps, "expected ':'");
					goto bad;
				}
				ps->p++;
			}
			x = value(ps);
			if (x == NULL || !push(v, key, x)) {
				free(key);
				bj_free(x);
				goto bad;
			}
			ws(ps);
			if (*ps->p == ',') {
				ps->p++;
				continue;
			}
			if (*ps->p == close) {
				ps->p++;
				break;
			}
			fail(ps, obj ? "expected ',' or '}'"
				     : "expected ',' or ']'");
			goto bad;
		}
		ps->depth--;
		return v;
bad_key:
		fail(ps, "expected a key");
bad:
		bj_free(v);
		return NULL;
	}
	ps->depth--;
	if (*ps->p == '"') {
		v->t = BJ_STR;
		v->s = string(ps);
		if (v->s == NULL) {
			free(v);
			return NULL;
		}
		return v;
	}
	if (strncmp(ps->p, "true", 4) == 0 || strncmp(ps->p, "false", 5) == 0) {
		v->t = BJ_BOOL;
		v->b = *ps->p == 't';
		ps->p += v->b ? 4 : 5;
		return v;
	}
	if (strncmp(ps->p, "null", 4) == 0) {
		v->t = BJ_NULL;
		ps->p += 4;
		return v;
	}
	if (number(ps, v) == NULL) {
		free(v);
		return NULL;
	}
	return v;
}

struct bj *bj_parse(const char *text, char *err, size_t errn)
{
	struct parser ps = { text, text, err, errn, 0 };
	struct bj *v;

	err[0] = '\0';
	v = value(&ps);
	if (v == NULL)
		return NULL;
	ws(&ps);
	if (*ps.p != '\0') {
		fail(&ps, "text after the value");
		bj_free(v);
		return NULL;
	}
	return v;
}

void bj_free(struct bj *v)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < v->n; i++) {
		if (v->k)
			free(v->k[i]);
		bj_free(v->v[i]);
	}
	free(v->k);
	free(v->v);
	free(v->s);
	free(v);
}

const struct bj *bj_get(const struct bj *o, const char *key)
{
	if (o == NULL || o->t != BJ_OBJ)
		return NULL;
	for (size_t i = 0; i < o->n; i++)
		if (strcmp(o->k[i], key) == 0)
			return o->v[i];
	return NULL;
}

char *bj_read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	size_t n = 0, cap = 4096, got;
	char *s;

	if (f == NULL)
		return NULL;
	s = malloc(cap);
	while (s != NULL && (got = fread(s + n, 1, cap - n - 1, f)) > 0) {
		n += got;
		if (cap - n - 1 == 0) {
			char *ns = realloc(s, cap *= 2);

			if (ns == NULL) {
				free(s);
				s = NULL;
			}
			s = ns;
		}
	}
	fclose(f);
	if (s != NULL)
		s[n] = '\0';
	return s;
}

struct bj *bj_parse_file(const char *path, char *err, size_t errn)
{
	char *text = bj_read_file(path);
	struct bj *v;

	if (text == NULL) {
		snprintf(err, errn, "cannot read %s", path);
		return NULL;
	}
	v = bj_parse(text, err, errn);
	free(text);
	return v;
}

static bool verr(char *err, size_t errn, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static bool verr(char *err, size_t errn, const char *path, const char *fmt, ...)
{
	va_list ap;
	int l = snprintf(err, errn, "%s: ", path[0] ? path : "(root)");

	va_start(ap, fmt);
	if (l >= 0 && (size_t)l < errn)
		vsnprintf(err + l, errn - (size_t)l, fmt, ap);
	va_end(ap);
	return false;
}

static bool equal(const struct bj *a, const struct bj *b)
{
	if (a->t != b->t)
		return false;
	switch (a->t) {
	case BJ_NULL:
		return true;
	case BJ_BOOL:
		return a->b == b->b;
	case BJ_NUM:
		return a->num == b->num;
	case BJ_STR:
		return strcmp(a->s, b->s) == 0;
	default:
		if (a->n != b->n)
			return false;
		for (size_t i = 0; i < a->n; i++)
			if ((a->t == BJ_OBJ && strcmp(a->k[i], b->k[i]) != 0) ||
			    !equal(a->v[i], b->v[i]))
				return false;
		return true;
	}
}

static bool has_type(const struct bj *v, const char *t)
{
	return (strcmp(t, "null") == 0 && v->t == BJ_NULL) ||
	       (strcmp(t, "boolean") == 0 && v->t == BJ_BOOL) ||
	       (strcmp(t, "number") == 0 && v->t == BJ_NUM) ||
	       (strcmp(t, "integer") == 0 && v->t == BJ_NUM && v->is_int) ||
	       (strcmp(t, "string") == 0 && v->t == BJ_STR) ||
	       (strcmp(t, "array") == 0 && v->t == BJ_ARR) ||
	       (strcmp(t, "object") == 0 && v->t == BJ_OBJ);
}

static const char *const known[] = {
	"$schema",    "$id",
	"title",      "description",
	"type",	      "const",
	"enum",	      "required",
	"properties", "additionalProperties",
	"items",      "minItems",
	"minimum",    "anyOf",
	"$ref",	      "definitions",
};

bool bj_validate(const struct bj *root, const struct bj *schema,
		 const struct bj *v, const char *path, char *err, size_t errn)
{
	const struct bj *x;
	char sub[512];

	if (schema == NULL || schema->t != BJ_OBJ)
		return verr(err, errn, path, "schema is not an object");
	for (size_t i = 0; i < schema->n; i++) {
		bool ok = false;

		for (size_t k = 0; k < sizeof known / sizeof known[0]; k++)
			ok |= strcmp(schema->k[i], known[k]) == 0;
		if (!ok)
			return verr(err, errn, path,
				    "schema keyword '%s' is not supported",
				    schema->k[i]);
	}
	if ((x = bj_get(schema, "$ref")) != NULL) {
		const char *pre = "#/definitions/";
		const struct bj *d;

		if (x->t != BJ_STR || strncmp(x->s, pre, strlen(pre)) != 0)
			return verr(err, errn, path, "bad $ref");
		d = bj_get(bj_get(root, "definitions"), x->s + strlen(pre));
		if (d == NULL)
			return verr(err, errn, path, "unknown $ref %s", x->s);
		if (!bj_validate(root, d, v, path, err, errn))
			return false;
	}
	if ((x = bj_get(schema, "type")) != NULL) {
		bool ok = false;

		if (x->t == BJ_STR)
			ok = has_type(v, x->s);
		for (size_t i = 0; x->t == BJ_ARR && i < x->n; i++)
			ok |= x->v[i]->t == BJ_STR && has_type(v, x->v[i]->s);
		if (!ok)
			return verr(err, errn, path, "wrong type");
	}
	if ((x = bj_get(schema, "const")) != NULL && !equal(x, v))
		return verr(err, errn, path, "not the constant value");
	if ((x = bj_get(schema, "enum")) != NULL) {
		bool ok = false;

		for (size_t i = 0; x->t == BJ_ARR && i < x->n; i++)
			ok |= equal(x->v[i], v);
		if (!ok)
			return verr(err, errn, path, "not one of the enum");
	}
	if ((x = bj_get(schema, "minimum")) != NULL && v->t == BJ_NUM &&
	    !(v->num >= x->num))
		return verr(err, errn, path, "%g is below the minimum %g",
			    v->num, x->num);
	if (v->t == BJ_OBJ) {
		const struct bj *props = bj_get(schema, "properties");

		if ((x = bj_get(schema, "required")) != NULL)
			for (size_t i = 0; i < x->n; i++)
				if (bj_get(v, x->v[i]->s) == NULL)
					return verr(err, errn, path,
						    "missing member '%s'",
						    x->v[i]->s);
		for (size_t i = 0; i < v->n; i++) {
			const struct bj *ps = bj_get(props, v->k[i]);

			snprintf(sub, sizeof sub, "%s.%s", path, v->k[i]);
			if (ps == NULL) {
				x = bj_get(schema, "additionalProperties");
				if (x != NULL && x->t == BJ_BOOL && !x->b)
					return verr(err, errn, sub,
						    "member not allowed");
				continue;
			}
			if (!bj_validate(root, ps, v->v[i], sub, err, errn))
				return false;
		}
	}
	if (v->t == BJ_ARR) {
		if ((x = bj_get(schema, "minItems")) != NULL &&
		    (double)v->n < x->num)
			return verr(err, errn, path, "fewer than %g items",
				    x->num);
		if ((x = bj_get(schema, "items")) != NULL)
			for (size_t i = 0; i < v->n; i++) {
				snprintf(sub, sizeof sub, "%s[%zu]", path, i);
				if (!bj_validate(root, x, v->v[i], sub, err,
						 errn))
					return false;
			}
	}
	if ((x = bj_get(schema, "anyOf")) != NULL) {
		char first[512] = "";

		for (size_t i = 0; i < x->n; i++) {
			char e[512];

			if (bj_validate(root, x->v[i], v, path, e, sizeof e))
				return true;
			if (i == 0)
				snprintf(first, sizeof first, "%s", e);
		}
		return verr(err, errn, path,
			    "matches none of anyOf (first: %s)", first);
	}
	return true;
}

/* An XML name: letters, digits and - _ : . */
static size_t name_len(const char *p)
{
	size_t n = 0;

	if (!(isalpha((unsigned char)*p) || *p == '_' || *p == ':'))
		return 0;
	while (isalnum((unsigned char)p[n]) || p[n] == '-' || p[n] == '_' ||
	       p[n] == ':' || p[n] == '.')
		n++;
	return n;
}

static bool entity_ok(const char *p)
{
	static const char *const ents[] = { "&amp;", "&lt;", "&gt;", "&quot;",
					    "&apos;" };

	for (size_t i = 0; i < 5; i++)
		if (strncmp(p, ents[i], strlen(ents[i])) == 0)
			return true;
	if (p[1] == '#') {
		size_t i = 2;

		while (isalnum((unsigned char)p[i]))
			i++;
		return i > 2 && p[i] == ';';
	}
	return false;
}

bool svg_wellformed(const char *text, char *err, size_t errn)
{
	const char *stack[64];
	size_t lens[64], depth = 0, roots = 0;
	const char *p = text;

	if (strncmp(p, "<?xml", 5) == 0) {
		p = strstr(p, "?>");
		if (p == NULL) {
			snprintf(err, errn, "unterminated XML declaration");
			return false;
		}
		p += 2;
	}
	while (*p) {
		if (*p == '&') {
			if (!entity_ok(p)) {
				snprintf(err, errn, "offset %zu: bad entity",
					 (size_t)(p - text));
				return false;
			}
			p++;
			continue;
		}
		if (*p != '<') {
			if (depth == 0 && !isspace((unsigned char)*p)) {
				snprintf(err, errn,
					 "offset %zu: text outside the root",
					 (size_t)(p - text));
				return false;
			}
			p++;
			continue;
		}
		if (strncmp(p, "<!--", 4) == 0) {
			p = strstr(p, "-->");
			if (p == NULL) {
				snprintf(err, errn, "unterminated comment");
				return false;
			}
			p += 3;
			continue;
		}
		if (p[1] == '/') {
			size_t n = name_len(p + 2);

			if (depth == 0 || n != lens[depth - 1] ||
			    strncmp(p + 2, stack[depth - 1], n) != 0 ||
			    p[2 + n] != '>') {
				snprintf(err, errn,
					 "offset %zu: closing tag does not "
					 "match",
					 (size_t)(p - text));
				return false;
			}
			depth--;
			p += 3 + n;
			continue;
		}
		{
			size_t n = name_len(p + 1);
			const char *q = p + 1 + n;

			if (n == 0) {
				snprintf(err, errn, "offset %zu: stray '<'",
					 (size_t)(p - text));
				return false;
			}
			if (depth == 0) {
				if (roots++ > 0 || n != 3 ||
				    strncmp(p + 1, "svg", 3) != 0) {
					snprintf(err, errn,
						 "the root must be one <svg>");
					return false;
				}
			}
			/* attributes: name="value" */
			for (;;) {
				size_t an;
				char quote;

				while (isspace((unsigned char)*q))
					q++;
				if (*q == '>' || (q[0] == '/' && q[1] == '>'))
					break;
				an = name_len(q);
				if (an == 0 || q[an] != '=' ||
				    (q[an + 1] != '"' && q[an + 1] != '\'')) {
					snprintf(err, errn,
						 "offset %zu: bad attribute",
						 (size_t)(q - text));
					return false;
				}
				quote = q[an + 1];
				q += an + 2;
				while (*q && *q != quote) {
					if (*q == '<' ||
					    (*q == '&' && !entity_ok(q))) {
						snprintf(err, errn,
							 "offset %zu: bad "
							 "attribute value",
							 (size_t)(q - text));
						return false;
					}
					q++;
				}
				if (*q != quote) {
					snprintf(err, errn,
						 "unterminated attribute");
					return false;
				}
				q++;
			}
			if (depth == 0 && strstr(p, "xmlns=\"http://www.w3.org/"
						    "2000/svg\"") == NULL) {
				snprintf(err, errn, "no SVG namespace");
				return false;
			}
			if (*q == '/') {
				p = q + 2;
				continue;
			}
			if (depth == 64) {
				snprintf(err, errn, "nested too deeply");
				return false;
			}
			stack[depth] = p + 1;
			lens[depth++] = n;
			p = q + 1;
		}
	}
	if (depth != 0 || roots != 1) {
		snprintf(err, errn, "%s",
			 roots == 0 ? "no <svg> root" : "unclosed element");
		return false;
	}
	return true;
}

/* Checks one method's or floor's chunk minimum and median in result i, e. */
static bool chunk_pair_ok(const struct bj *e, size_t i, const char *min_key,
			  const char *median_key, const char *count_key,
			  char *err, size_t errn)
{
	const struct bj *lo = bj_get(e, min_key), *mid = bj_get(e, median_key);
	const struct bj *n = bj_get(e, count_key);
	char path[96];

	snprintf(path, sizeof path, "results[%zu].%s", i, min_key);
	if (lo == NULL || mid == NULL || n == NULL || n->t != BJ_NUM)
		return verr(err, errn, path, "%s, %s or %s missing", min_key,
			    median_key, count_key);
	if (n->num == 0) {
		if (lo->t != BJ_NULL || mid->t != BJ_NULL)
			return verr(err, errn, path,
				    "no chunk, yet a minimum or median");
		return true;
	}
	if (lo->t != BJ_NUM || mid->t != BJ_NUM)
		return verr(err, errn, path,
			    "%.0f chunks, yet no minimum or median", n->num);
	if (!(lo->num > 0 && lo->num <= mid->num))
		return verr(err, errn, path,
			    "minimum %g, median %g: not 0 < minimum <= median",
			    lo->num, mid->num);
	return true;
}

bool bj_c2c_chunks_ok(const struct bj *v, char *err, size_t errn)
{
	const struct bj *c = bj_get(v, "chunks"), *r = bj_get(v, "results");
	const struct bj *rt = bj_get(c, "round_trips");

	if (rt == NULL || rt->t != BJ_NUM || !(rt->num >= 1))
		return verr(err, errn, "chunks", "no round_trips");
	if (r == NULL || r->t != BJ_ARR || r->n == 0)
		return verr(err, errn, "results", "none");
	for (size_t i = 0; i < r->n; i++) {
		const struct bj *e = r->v[i];
		const struct bj *m = bj_get(e, "chunk_median_ns");
		const struct bj *f = bj_get(e, "floor_chunk_median_ns");
		const struct bj *q = bj_get(e, "chunk_ratio_to_floor");
		char path[96];

		if (!chunk_pair_ok(e, i, "chunk_min_ns", "chunk_median_ns",
				   "chunks", err, errn) ||
		    !chunk_pair_ok(e, i, "floor_chunk_min_ns",
				   "floor_chunk_median_ns", "floor_chunks", err,
				   errn))
			return false;
		snprintf(path, sizeof path, "results[%zu].chunk_ratio_to_floor",
			 i);
		if (q == NULL)
			return verr(err, errn, path, "missing");
		if (m->t != BJ_NUM || f->t != BJ_NUM) {
			if (q->t != BJ_NULL)
				return verr(err, errn, path,
					    "a ratio of a missing median");
			continue;
		}
		/* the JSON carries 9 significant digits */
		if (q->t != BJ_NUM ||
		    fabs(q->num - m->num / f->num) > 1e-6 * (m->num / f->num))
			return verr(err, errn, path,
				    "not the chunk median %g over the floor's "
				    "%g",
				    m->num, f->num);
	}
	return true;
}
