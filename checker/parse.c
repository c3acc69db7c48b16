/* SPDX-License-Identifier: MIT */
/* parse.c: reading histories: replicore's format, Jepsen's etcd logs and Jepsen's EDN maps. */
#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "checker/internal.h"

/* One input being read: where we are, for error messages. */
struct rd {
	const char *name;
	const char *p, *end; /* the current line: [p, end) */
	const char *line0;   /* start of the current line */
	unsigned line;
	rc_history_t *h;
	rc_err_t *err;
	/* pending invocations per process (Jepsen formats) */
	struct pend {
		uint32_t proc;
		struct rc_hop op;
	} * pend;
	size_t npend, cpend;
	/*
	 * Strings of replicore's format, interned after the last line
	 * (rc_history_parse's resolve): until then a string value is
	 * RC_HVAL_STR(i) for the i-th string read, its bytes in arena.
	 */
	bool defer;
	char **chunks; /* bytes of strings that had escapes */
	size_t nchunks, cchunks;
	char *afree;
	size_t aleft, acharged;
	struct _rc_strref *refs;
	size_t nrefs, crefs;
	bool tail; /* reads a later part of the text: no 'initial' line */
};

/* parse_initial in a later part of the text: read it all in order */
#define RC_PARSE_AGAIN 1

static unsigned col_of(const struct rd *r, const char *at)
{
	return (unsigned)(at - r->line0) + 1;
}

/* The token at `at`, quoted for "got '...'": up to the next blank. */
static int bad(struct rd *r, const char *at, const char *expected)
{
	char got[48];
	size_t n = 0;

	while (at + n < r->end && n < sizeof(got) - 4 && at[n] != ' ' &&
	       at[n] != '\t' && at[n] != '\r' && at[n] != ',') {
		unsigned char c = (unsigned char)at[n];

		got[n] = (c < 0x20 || c >= 0x7f) ? '?' : (char)c;
		n++;
	}
	got[n] = '\0';
	if (n == 0)
		return rc_err_set(r->err, RC_EINVAL, r->name, r->line,
				  col_of(r, at), "expected %s, got %s",
				  expected,
				  at >= r->end ? "end of line" : "a separator");
	return rc_err_set(r->err, RC_EINVAL, r->name, r->line, col_of(r, at),
			  "expected %s, got '%s'", expected, got);
}

static void skip_blank(struct rd *r)
{
	while (r->p < r->end &&
	       (*r->p == ' ' || *r->p == '\t' || *r->p == '\r' || *r->p == ','))
		r->p++;
}

static bool at_end(struct rd *r)
{
	skip_blank(r);
	return r->p >= r->end;
}

/* Matches a word exactly (followed by a separator or the end). */
static bool word(struct rd *r, const char *w)
{
	size_t n;

	skip_blank(r);
	if (r->p >= r->end || *r->p != *w) /* most calls end here */
		return false;
	n = strlen(w);
	if ((size_t)(r->end - r->p) < n || memcmp(r->p, w, n) != 0)
		return false;
	if (r->p + n < r->end && r->p[n] != ' ' && r->p[n] != '\t' &&
	    r->p[n] != '\r' && r->p[n] != ',' && r->p[n] != '}' &&
	    r->p[n] != ']')
		return false;
	r->p += n;
	return true;
}

static int parse_int(struct rd *r, int64_t *out, const char *what)
{
	const char *s = r->p;
	bool neg = false;
	uint64_t v = 0;

	skip_blank(r);
	s = r->p;
	if (s < r->end && (*s == '-' || *s == '+'))
		neg = *s++ == '-';
	if (s >= r->end || *s < '0' || *s > '9')
		return bad(r, r->p, what);
	while (s < r->end && *s >= '0' && *s <= '9') {
		if (v > (UINT64_C(1) << 62) / 10)
			return bad(r, r->p, "a smaller integer");
		v = v * 10 + (uint64_t)(*s++ - '0');
	}
	if (v > (uint64_t)RC_HVAL_INT_MAX)
		return bad(r, r->p, "a smaller integer");
	if (s < r->end && *s != ' ' && *s != '\t' && *s != '\r' && *s != ',' &&
	    *s != ']' && *s != '}')
		return bad(r, r->p, what);
	*out = neg ? -(int64_t)v : (int64_t)v;
	r->p = s;
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A copy of n bytes that lives until release, or NULL. */
static const char *arena_put(struct rd *r, const char *s, size_t n)
{
	if (n > r->aleft) {
		size_t sz = n > 65536 ? n : 65536;
		char *c;

		if (r->nchunks == r->cchunks) {
			size_t nc = r->cchunks ? r->cchunks * 2 : 16;
			char **x = realloc(r->chunks, nc * sizeof(*x));

			if (x == NULL)
				return NULL;
			r->chunks = x;
			r->cchunks = nc;
		}
		if (!_rc_charge((ptrdiff_t)sz) || (c = malloc(sz)) == NULL)
			return NULL;
		r->acharged += sz;
		r->chunks[r->nchunks++] = c;
		r->afree = c;
		r->aleft = sz;
	}
	memcpy(r->afree, s, n);
	r->afree += n;
	r->aleft -= n;
	return r->afree - n;
}

/*
 * Keeps a string for resolve: RC_HVAL_STR(its number), or RC_HVAL_NONE
 * when out of memory. s must live until resolve: the text being read, or
 * arena_put's copy.
 */
static rc_hval_t defer_str(struct rd *r, const char *s, size_t n)
{
	if (n > UINT32_MAX)
		return RC_HVAL_NONE;
	if (r->nrefs == r->crefs) {
		size_t nc = r->crefs ? r->crefs * 2 : 4096;
		struct _rc_strref *x;

		if (!_rc_charge((ptrdiff_t)((nc - r->crefs) * sizeof(*x))))
			return RC_HVAL_NONE;
		if ((x = _rc_big_realloc(r->refs, r->crefs * sizeof(*x),
					 nc * sizeof(*x))) == NULL)
			return RC_HVAL_NONE;
		r->refs = x;
		r->crefs = nc;
	}
	r->refs[r->nrefs] =
		(struct _rc_strref){ s, (uint32_t)n,
				     (uint32_t)(_rc_hash_bytes(s, n) >> 32) };
	return RC_HVAL_STR(r->nrefs++);
}

/*
 * Interns the deferred strings and gives every string value its id. One
 * pass over the strings in reading order keeps the ids reading would
 * have given; interning them together lets their table lookups overlap
 * (_rc_strpool_intern_many), which is most of the time reading a large
 * history took.
 */
static int resolve(struct rd *r)
{
	uint32_t *ids;
	int rc = 0;

	if (r->nrefs == 0)
		return 0;
	if (!_rc_charge((ptrdiff_t)(r->nrefs * sizeof(*ids))) ||
	    (ids = malloc(r->nrefs * sizeof(*ids))) == NULL)
		return rc_err_set(r->err, RC_ENOMEM, r->name, 0, 0,
				  "out of memory");
	if (_rc_strpool_intern_many(&r->h->strs, r->refs, r->nrefs, ids) < 0) {
		rc = rc_err_set(r->err, RC_ENOMEM, r->name, 0, 0,
				"out of memory");
	} else {
		for (size_t i = 0; i < r->h->n; i++) {
			struct rc_hop *o = &r->h->ops[i];
			rc_hval_t *v[4] = { &o->key, &o->arg[0], &o->arg[1],
					    &o->result };

			for (int j = 0; j < 4; j++)
				if (rc_hval_is_str(*v[j]))
					*v[j] = RC_HVAL_STR(
						ids[*v[j] - RC_HVAL_STR0]);
		}
	}
	free(ids);
	_rc_charge(-(ptrdiff_t)(r->nrefs * sizeof(*ids)));
	return rc;
}

/* A double-quoted string with \" \\ \n \t \xHH escapes. */
static int parse_str(struct rd *r, rc_hval_t *out)
{
	const char *s = r->p + 1;
	char small[256], *buf = small;
	size_t n = 0, cap = sizeof(small);
	int rc = 0;

	assert(*r->p == '"');
	if (r->defer) {
		/* no escape before the closing quote: the text's own bytes */
		const char *q = memchr(s, '"', (size_t)(r->end - s));

		if (q != NULL && memchr(s, '\\', (size_t)(q - s)) == NULL) {
			if ((*out = defer_str(r, s, (size_t)(q - s))) ==
			    RC_HVAL_NONE)
				return rc_err_set(r->err, RC_ENOMEM, r->name,
						  r->line, 0, "out of memory");
			r->p = q + 1;
			return 0;
		}
	}
	for (;;) {
		char c;

		if (s >= r->end) {
			rc = rc_err_set(r->err, RC_EINVAL, r->name, r->line,
					col_of(r, r->p),
					"expected a closing '\"', got end of "
					"line");
			goto out;
		}
		c = *s++;
		if (c == '"')
			break;
		if (c == '\\') {
			if (s >= r->end) {
				rc = bad(r, s, "an escape");
				goto out;
			}
			c = *s++;
			if (c == 'n') {
				c = '\n';
			} else if (c == 't') {
				c = '\t';
			} else if (c == 'x') {
				int a = s < r->end ? hexval(s[0]) : -1;
				int b = s + 1 < r->end ? hexval(s[1]) : -1;

				if (a < 0 || b < 0) {
					rc = bad(r, s, "two hex digits");
					goto out;
				}
				c = (char)(a * 16 + b);
				s += 2;
			} else if (c != '"' && c != '\\') {
				rc = bad(r, s - 1,
					 "an escape \\\" \\\\ \\n "
					 "\\t or \\xHH");
				goto out;
			}
		}
		if (n + 1 >= cap) {
			char *nb = malloc(cap * 2);

			if (nb == NULL) {
				rc = rc_err_set(r->err, RC_ENOMEM, r->name,
						r->line, 0, "out of memory");
				goto out;
			}
			memcpy(nb, buf, n);
			if (buf != small)
				free(buf);
			buf = nb;
			cap *= 2;
		}
		buf[n++] = c;
	}
	if (r->defer) {
		const char *c = arena_put(r, buf, n);

		*out = c != NULL ? defer_str(r, c, n) : RC_HVAL_NONE;
	} else {
		*out = rc_history_str(r->h, buf, n);
	}
	if (*out == RC_HVAL_NONE)
		rc = rc_err_set(r->err, RC_ENOMEM, r->name, r->line, 0,
				"out of memory");
	r->p = s;
out:
	if (buf != small)
		free(buf);
	return rc;
}

/* replicore's values: integer, nil, ?, ok, true, false, "string". */
static int parse_val(struct rd *r, rc_hval_t *out, const char *what)
{
	skip_blank(r);
	if (r->p < r->end && *r->p == '"')
		return parse_str(r, out);
	if (word(r, "nil"))
		return *out = RC_HVAL_NIL, 0;
	if (word(r, "?"))
		return *out = RC_HVAL_UNKNOWN, 0;
	if (word(r, "ok"))
		return *out = RC_HVAL_OK, 0;
	if (word(r, "true"))
		return *out = RC_HVAL_TRUE, 0;
	if (word(r, "false"))
		return *out = RC_HVAL_FALSE, 0;
	return parse_int(r, out, what);
}

/* How many arguments (with the key) each kind takes in replicore's format. */
static const unsigned char kind_nargs[RC_HOP_NKINDS] = {
	[RC_HOP_READ] = 0,     [RC_HOP_WRITE] = 1, [RC_HOP_CAS] = 2,
	[RC_HOP_GET] = 1,      [RC_HOP_PUT] = 2,   [RC_HOP_APPEND] = 2,
	[RC_HOP_ENQ] = 1,      [RC_HOP_DEQ] = 0,   [RC_HOP_PUSH] = 1,
	[RC_HOP_POP] = 0,      [RC_HOP_ADD] = 1,   [RC_HOP_REMOVE] = 1,
	[RC_HOP_CONTAINS] = 1, [RC_HOP_INC] = 1,
};

static bool kind_has_key(unsigned k)
{
	return k == RC_HOP_GET || k == RC_HOP_PUT || k == RC_HOP_APPEND;
}

/* "initial V": the history's initial value, once, before the operations. */
static int parse_initial(struct rd *r)
{
	const char *at = r->line0;
	rc_hval_t v;
	int rc;

	if (r->tail)
		return RC_PARSE_AGAIN;
	if (r->h->n > 0 || r->h->initial != RC_HVAL_NIL)
		return bad(r, at, "one 'initial' line, before the operations");
	skip_blank(r);
	at = r->p;
	if (at_end(r))
		return bad(r, r->p, "an initial value");
	r->defer = false; /* checked against the pool at once */
	rc = parse_val(r, &v, "an initial value");
	r->defer = r->h->format == RC_HFMT_REPLICORE;
	if (rc < 0)
		return rc;
	if (v == RC_HVAL_UNKNOWN)
		return bad(r, at, "an initial value, not '?'");
	if (!at_end(r))
		return bad(r, r->p, "the end of the line");
	return rc_history_set_initial(r->h, v, r->err);
}

/* PROC CALL RET OP [KEY] ARG... -> RESULT, or the initial value */
static int parse_replicore_line(struct rd *r)
{
	struct rc_hop op;
	int64_t v;
	const char *tok;
	int rc, k;
	unsigned na, a = 0;

	memset(&op, 0, sizeof(op));
	op.key = op.arg[0] = op.arg[1] = RC_HVAL_NONE;
	op.line = op.line_ret = r->line;
	if (word(r, "initial"))
		return parse_initial(r);
	if ((rc = parse_int(r, &v, "a process number")) < 0)
		return rc;
	if (v < 0 || v > UINT32_MAX)
		return bad(r, r->line0, "a process number 0..4294967295");
	op.proc = (uint32_t)v;
	if ((rc = parse_int(r, &op.call, "an invocation time")) < 0)
		return rc;
	skip_blank(r);
	if (word(r, "?")) {
		op.status = RC_HST_INDET;
		op.ret = RC_HTIME_INF;
	} else {
		tok = r->p;
		if ((rc = parse_int(r, &op.ret, "a response time or '?'")) < 0)
			return rc;
		if (op.ret < op.call)
			return bad(r, tok,
				   "a response time not before the "
				   "invocation");
	}
	skip_blank(r);
	tok = r->p;
	while (r->p < r->end && *r->p != ' ' && *r->p != '\t' && *r->p != '\r')
		r->p++;
	k = rc_hop_kind_parse(tok, (size_t)(r->p - tok));
	if (k < 0)
		return bad(r, tok,
			   "an operation (read write cas get put "
			   "append enq deq push pop add remove "
			   "contains inc)");
	op.kind = (uint16_t)k;
	na = kind_nargs[k];
	if (kind_has_key(op.kind)) {
		if (at_end(r) ||
		    (r->p[0] == '-' && r->p + 1 < r->end && r->p[1] == '>'))
			return bad(r, r->p, "a key");
		if ((rc = parse_val(r, &op.key, "a key")) < 0)
			return rc;
		na--;
	}
	for (a = 0; a < na; a++) {
		skip_blank(r);
		if (r->p + 1 < r->end && r->p[0] == '-' && r->p[1] == '>')
			return bad(r, r->p, "an argument");
		if ((rc = parse_val(r, &op.arg[a], "an argument")) < 0)
			return rc;
	}
	skip_blank(r);
	if (!(r->p + 1 < r->end && r->p[0] == '-' && r->p[1] == '>'))
		return bad(r, r->p, "'->' and a result");
	r->p += 2;
	skip_blank(r);
	if (word(r, "error")) {
		if (op.status == RC_HST_INDET)
			return bad(r, r->p - 5,
				   "'?' for an operation that "
				   "never returned");
		op.status = RC_HST_FAIL;
		op.result = RC_HVAL_UNKNOWN;
	} else {
		tok = r->p;
		if (r->p >= r->end)
			return bad(r, r->p, "a result");
		if ((rc = parse_val(r, &op.result, "a result")) < 0)
			return rc;
		if (op.status == RC_HST_INDET && op.result != RC_HVAL_UNKNOWN)
			return bad(r, tok,
				   "'?' for an operation that never "
				   "returned");
	}
	if (!at_end(r))
		return bad(r, r->p, "the end of the line");
	return rc_history_add(r->h, &op, r->err);
}

/* Pending invocations of the Jepsen formats, by process. */
static struct pend *pend_find(struct rd *r, uint32_t proc)
{
	for (size_t i = 0; i < r->npend; i++)
		if (r->pend[i].proc == proc)
			return &r->pend[i];
	return NULL;
}

static int pend_add(struct rd *r, const struct rc_hop *op)
{
	if (r->npend == r->cpend) {
		size_t nc = r->cpend ? r->cpend * 2 : 16;
		struct pend *p = realloc(r->pend, nc * sizeof(*p));

		if (p == NULL)
			return rc_err_set(r->err, RC_ENOMEM, r->name, 0, 0,
					  "out of memory");
		r->pend = p;
		r->cpend = nc;
	}
	r->pend[r->npend].proc = op->proc;
	r->pend[r->npend].op = *op;
	r->npend++;
	return 0;
}

static void pend_del(struct rd *r, struct pend *p)
{
	*p = r->pend[--r->npend];
}

/*
 * One Jepsen event (either format): an invocation is kept pending; a
 * completion (:ok, :fail, :info) is matched with its process's pending
 * invocation and the operation is added.
 */
enum jtype { J_INVOKE, J_OK, J_FAIL, J_INFO };

static int jepsen_event(struct rd *r, const char *at, enum jtype type,
			struct rc_hop *ev)
{
	struct pend *p = pend_find(r, ev->proc);
	struct rc_hop op;

	if (type == J_INVOKE) {
		if (p != NULL)
			return rc_err_set(r->err, RC_EINVAL, r->name, r->line,
					  col_of(r, at),
					  "expected a response of process "
					  "%" PRIu32
					  " (invoked at line %u) before its "
					  "next invocation",
					  ev->proc, p->op.line);
		ev->line = r->line;
		return pend_add(r, ev);
	}
	if (p == NULL)
		return rc_err_set(r->err, RC_EINVAL, r->name, r->line,
				  col_of(r, at),
				  "a response with no invocation: process "
				  "%" PRIu32 " has no pending operation",
				  ev->proc);
	op = p->op;
	if (op.kind != ev->kind)
		return rc_err_set(r->err, RC_EINVAL, r->name, r->line,
				  col_of(r, at),
				  "expected a response to :%s (invoked at "
				  "line %u), got :%s",
				  rc_hop_kind_name(op.kind), op.line,
				  rc_hop_kind_name(ev->kind));
	pend_del(r, p);
	op.ret = ev->call;
	op.line_ret = r->line;
	switch (type) {
	case J_OK:
		op.status = RC_HST_OK;
		if (op.kind == RC_HOP_READ || op.kind == RC_HOP_GET ||
		    op.kind == RC_HOP_DEQ || op.kind == RC_HOP_POP)
			op.result = ev->arg[0] == RC_HVAL_NONE ? RC_HVAL_NIL
							       : ev->arg[0];
		else if (op.kind == RC_HOP_CAS)
			op.result = RC_HVAL_TRUE;
		else
			op.result = RC_HVAL_OK;
		break;
	case J_FAIL:
		/* Reads that fail (timed out) returned nothing usable. */
		if (op.kind == RC_HOP_READ || op.kind == RC_HOP_GET) {
			op.status = RC_HST_OK;
			op.result = RC_HVAL_UNKNOWN;
		} else {
			op.status = RC_HST_FAIL;
			op.result = RC_HVAL_UNKNOWN;
		}
		break;
	default:
		op.status = RC_HST_INDET;
		op.ret = RC_HTIME_INF;
		op.result = RC_HVAL_UNKNOWN;
		break;
	}
	return rc_history_add(r->h, &op, r->err);
}

/* Operation names of the Jepsen formats (":read", ":cas", ...). */
static int jepsen_kind(const char *s, size_t n)
{
	if (n > 0 && s[0] == ':')
		return rc_hop_kind_parse(s + 1, n - 1);
	return -1;
}

/* A Jepsen value: nil, integer, "string", [A B], :keyword (unknown). */
static int jepsen_value(struct rd *r, rc_hval_t out[2])
{
	out[0] = out[1] = RC_HVAL_NONE;
	skip_blank(r);
	if (r->p >= r->end)
		return bad(r, r->p, "a value");
	if (*r->p == '[') {
		r->p++;
		for (int i = 0; i < 2; i++) {
			rc_hval_t t[2];
			int rc = jepsen_value(r, t);

			if (rc < 0)
				return rc;
			out[i] = t[0];
		}
		skip_blank(r);
		if (r->p >= r->end || *r->p != ']')
			return bad(r, r->p, "']' after two values");
		r->p++;
		return 0;
	}
	if (*r->p == '"')
		return parse_str(r, &out[0]);
	if (*r->p == ':') {
		/* :timed-out and friends: not a value of the object */
		while (r->p < r->end && *r->p != ' ' && *r->p != '\t' &&
		       *r->p != ',' && *r->p != '}' && *r->p != ']')
			r->p++;
		out[0] = RC_HVAL_UNKNOWN;
		return 0;
	}
	if (word(r, "nil"))
		return out[0] = RC_HVAL_NIL, 0;
	return parse_int(r, &out[0],
			 "a value (nil, an integer, a string or "
			 "[A B])");
}

static int jepsen_type(struct rd *r, enum jtype *t)
{
	skip_blank(r);
	if (word(r, ":invoke"))
		*t = J_INVOKE;
	else if (word(r, ":ok"))
		*t = J_OK;
	else if (word(r, ":fail"))
		*t = J_FAIL;
	else if (word(r, ":info"))
		*t = J_INFO;
	else
		return bad(r, r->p, "a type (:invoke :ok :fail :info)");
	return 0;
}

static int jepsen_f(struct rd *r, struct rc_hop *ev)
{
	const char *tok;
	int k;

	skip_blank(r);
	tok = r->p;
	while (r->p < r->end && *r->p != ' ' && *r->p != '\t' && *r->p != ',' &&
	       *r->p != '}')
		r->p++;
	k = jepsen_kind(tok, (size_t)(r->p - tok));
	if (k < 0)
		return bad(r, tok,
			   "an operation (:read :write :cas :get :put "
			   ":append ...)");
	ev->kind = (uint16_t)k;
	return 0;
}

/* INFO  jepsen.util - PROC<TAB>:TYPE<TAB>:F<TAB>VALUE */
static int parse_log_line(struct rd *r)
{
	static const char mark[] = "jepsen.util - ";
	const char *m = NULL, *at;
	struct rc_hop ev;
	enum jtype t;
	rc_hval_t v[2];
	int64_t proc;
	int rc;

	for (const char *s = r->p; s + sizeof(mark) - 1 <= r->end; s++)
		if (memcmp(s, mark, sizeof(mark) - 1) == 0) {
			m = s;
			break;
		}
	/* Other lines (setup, nemesis, stack traces) are not events. */
	if (m == NULL)
		return 0;
	r->p = m + sizeof(mark) - 1;
	if (r->p >= r->end || *r->p < '0' || *r->p > '9')
		return 0; /* :nemesis and other non-client processes */
	at = r->p;
	if ((rc = parse_int(r, &proc, "a process number")) < 0)
		return rc;
	if (proc > UINT32_MAX)
		return bad(r, at, "a process number 0..4294967295");
	memset(&ev, 0, sizeof(ev));
	ev.proc = (uint32_t)proc;
	ev.key = ev.arg[0] = ev.arg[1] = RC_HVAL_NONE;
	ev.call = r->line;
	if ((rc = jepsen_type(r, &t)) < 0)
		return rc;
	if ((rc = jepsen_f(r, &ev)) < 0)
		return rc;
	if (ev.kind != RC_HOP_READ && ev.kind != RC_HOP_WRITE &&
	    ev.kind != RC_HOP_CAS)
		return bad(r, r->p - 1, "an operation (:read :write :cas)");
	if ((rc = jepsen_value(r, v)) < 0)
		return rc;
	if (!at_end(r))
		return bad(r, r->p, "the end of the line");
	if (t == J_INVOKE) {
		if (ev.kind == RC_HOP_WRITE && !rc_hval_is_int(v[0]))
			return bad(r, at, "an integer to write");
		if (ev.kind == RC_HOP_CAS &&
		    (v[1] == RC_HVAL_NONE || v[0] == RC_HVAL_UNKNOWN))
			return bad(r, at, "[OLD NEW] for :cas");
		if (ev.kind == RC_HOP_WRITE && v[1] != RC_HVAL_NONE)
			return bad(r, at, "one value to write");
		if (ev.kind != RC_HOP_READ) {
			ev.arg[0] = v[0];
			ev.arg[1] = v[1];
		}
	} else {
		ev.arg[0] = v[0];
	}
	return jepsen_event(r, at, t, &ev);
}

/* {:process P, :type T, :f F, :key K, :value V} */
static int parse_edn_line(struct rd *r)
{
	struct rc_hop ev;
	enum jtype t = J_INVOKE;
	bool have_proc = false, have_type = false, have_f = false;
	bool nemesis = false;
	rc_hval_t v[2] = { RC_HVAL_NONE, RC_HVAL_NONE };
	const char *start;
	int rc;

	memset(&ev, 0, sizeof(ev));
	ev.key = ev.arg[0] = ev.arg[1] = RC_HVAL_NONE;
	ev.call = r->line;
	skip_blank(r);
	start = r->p;
	if (r->p >= r->end || *r->p != '{')
		return bad(r, r->p, "'{' opening an operation map");
	r->p++;
	for (;;) {
		const char *k;

		skip_blank(r);
		if (r->p < r->end && *r->p == '}') {
			r->p++;
			break;
		}
		if (r->p >= r->end)
			return bad(r, r->p, "a key or '}'");
		k = r->p;
		if (word(r, ":process")) {
			int64_t p;

			skip_blank(r);
			if (r->p < r->end && *r->p == ':') {
				nemesis = true;
				while (r->p < r->end && *r->p != ' ' &&
				       *r->p != ',' && *r->p != '}')
					r->p++;
				have_proc = true;
				continue;
			}
			if ((rc = parse_int(r, &p, "a process number")) < 0)
				return rc;
			if (p < 0 || p > UINT32_MAX)
				return bad(r, k, "a process number");
			ev.proc = (uint32_t)p;
			have_proc = true;
		} else if (word(r, ":type")) {
			if ((rc = jepsen_type(r, &t)) < 0)
				return rc;
			have_type = true;
		} else if (word(r, ":f")) {
			if (nemesis) {
				while (r->p < r->end && *r->p != ' ' &&
				       *r->p != ',' && *r->p != '}')
					r->p++;
			} else if ((rc = jepsen_f(r, &ev)) < 0) {
				return rc;
			}
			have_f = true;
		} else if (word(r, ":key")) {
			rc_hval_t kv[2];

			if ((rc = jepsen_value(r, kv)) < 0)
				return rc;
			ev.key = kv[0];
		} else if (word(r, ":value")) {
			if ((rc = jepsen_value(r, v)) < 0)
				return rc;
		} else if (*r->p == ':') {
			rc_hval_t skipv[2];

			/* other keys (:time, :index, :error): skipped */
			while (r->p < r->end && *r->p != ' ' && *r->p != ',')
				r->p++;
			if ((rc = jepsen_value(r, skipv)) < 0)
				return rc;
		} else {
			return bad(r, k,
				   "a keyword key (:process :type :f "
				   ":key :value)");
		}
	}
	if (!at_end(r))
		return bad(r, r->p, "the end of the line after '}'");
	if (nemesis)
		return 0;
	if (!have_proc)
		return bad(r, start, "a map with :process");
	if (!have_type)
		return bad(r, start, "a map with :type");
	if (!have_f)
		return bad(r, start, "a map with :f");
	if (kind_has_key(ev.kind) && ev.key == RC_HVAL_NONE)
		return bad(r, start, "a map with :key");
	if (t == J_INVOKE) {
		if (ev.kind != RC_HOP_READ && ev.kind != RC_HOP_GET &&
		    ev.kind != RC_HOP_DEQ && ev.kind != RC_HOP_POP) {
			if (v[0] == RC_HVAL_NONE || v[0] == RC_HVAL_UNKNOWN)
				return bad(r, start,
					   "a map with a :value to "
					   "write");
			if ((kind_nargs[ev.kind] -
				     (kind_has_key(ev.kind) ? 1u : 0u) ==
			     2) != (v[1] != RC_HVAL_NONE))
				return bad(r, start,
					   "a :value of as many values as "
					   "the operation takes");
			ev.arg[0] = v[0];
			ev.arg[1] = v[1];
		}
	} else {
		ev.arg[0] = v[0];
	}
	return jepsen_event(r, start, t, &ev);
}

static void release(struct rd *r)
{
	for (size_t i = 0; i < r->nchunks; i++)
		free(r->chunks[i]);
	free(r->chunks);
	_rc_big_free(r->refs, r->crefs * sizeof(*r->refs));
	_rc_charge(-(ptrdiff_t)(r->acharged + r->crefs * sizeof(*r->refs)));
}

/* Reads the lines of [s, end) into r->h: 0, an error, or RC_PARSE_AGAIN. */
static int parse_lines(struct rd *r, const char *s, const char *end)
{
	enum rc_hformat fmt = r->h->format;
	int rc;

	while (s < end) {
		const char *e = memchr(s, '\n', (size_t)(end - s));

		if (e == NULL)
			e = end;
		r->line++;
		if ((r->line & 4095) == 0 && _rc_poll() != RC_GO)
			return rc_err_set(r->err, RC_ETIMEDOUT, r->name,
					  r->line, 0, "%s reading the history",
					  _rc_stop_name(_rc_poll()));
		r->line0 = r->p = s;
		r->end = e;
		skip_blank(r);
		if (r->p < r->end && *r->p != '#' &&
		    !(fmt == RC_HFMT_JEPSEN_EDN && *r->p == ';')) {
			if (fmt == RC_HFMT_REPLICORE)
				rc = parse_replicore_line(r);
			else if (fmt == RC_HFMT_JEPSEN_LOG)
				rc = parse_log_line(r);
			else
				rc = parse_edn_line(r);
			if (rc == RC_PARSE_AGAIN)
				return rc;
			if (rc < 0) {
				rc_err_t *err = r->err;

				if (err != NULL && err->where[0] == '\0')
					snprintf(err->where, sizeof(err->where),
						 "%s", r->name);
				if (err != NULL && err->line == 0)
					err->line = r->line;
				return rc;
			}
		}
		s = e + 1;
	}
	return 0;
}

/* The second half of a large text, read by a thread of its own. */
struct half {
	struct rd r;
	const char *s, *end;
	rc_err_t err;
	struct _rc_task task; /* the caller's budget, its own count */
	bool budgeted;
	int rc;
};

static void *parse_half(void *arg)
{
	struct half *x = arg;

	/* the same limits as the caller's, charged through a task of this
	 * thread's own (a task's count is its thread's) */
	_rc_task = x->budgeted ? &x->task : NULL;
	x->rc = parse_lines(&x->r, x->s, x->end);
	return NULL;
}

/*
 * Appends the second half's operations to r's history: their lines
 * follow r's, their strings r's deferred ones. Returns 0 or -1 (memory).
 */
static int join_half(struct rd *r, struct half *x)
{
	rc_history_t *h = r->h, *h2 = x->r.h;
	size_t nrefs = r->nrefs;

	if (nrefs + x->r.nrefs > r->crefs) {
		size_t nc = nrefs + x->r.nrefs;
		struct _rc_strref *y;

		if (!_rc_charge((ptrdiff_t)((nc - r->crefs) * sizeof(*y))))
			return -1;
		if ((y = _rc_big_realloc(r->refs, r->crefs * sizeof(*y),
					 nc * sizeof(*y))) == NULL)
			return -1;
		r->refs = y;
		r->crefs = nc;
	}
	if (x->r.nrefs > 0)
		memcpy(r->refs + nrefs, x->r.refs,
		       x->r.nrefs * sizeof(*r->refs));
	r->nrefs += x->r.nrefs;
	/* the half's copies of escaped strings live until resolve: r owns
	 * them from now on */
	for (size_t i = 0; i < x->r.nchunks; i++) {
		if (r->nchunks == r->cchunks) {
			size_t nc = r->cchunks ? r->cchunks * 2 : 16;
			char **c = realloc(r->chunks, nc * sizeof(*c));

			if (c == NULL)
				return -1;
			r->chunks = c;
			r->cchunks = nc;
		}
		r->chunks[r->nchunks++] = x->r.chunks[i];
		x->r.chunks[i] = NULL;
	}
	r->acharged += x->r.acharged;
	x->r.acharged = 0;
	if (h->n + h2->n > h->cap) {
		size_t nc = h->n + h2->n;
		struct rc_hop *o;

		if (!_rc_charge((ptrdiff_t)((nc - h->cap) * sizeof(*o))))
			return -1;
		if ((o = _rc_big_realloc(h->ops, h->cap * sizeof(*o),
					 nc * sizeof(*o))) == NULL)
			return -1;
		h->ops = o;
		h->cap = nc;
	}
	for (size_t i = 0; i < h2->n; i++) {
		struct rc_hop *op = &h->ops[h->n + i];
		rc_hval_t *v[4] = { &op->key, &op->arg[0], &op->arg[1],
				    &op->result };

		*op = h2->ops[i]; /* checked by rc_history_add already */
		for (int j = 0; j < 4; j++)
			if (rc_hval_is_str(*v[j]))
				*v[j] += (int64_t)nrefs;
		op->line += r->line;
		op->line_ret += r->line;
	}
	h->n += h2->n;
	r->line += x->r.line;
	return 0;
}

/*
 * A large text in replicore's format is read in two halves at once, the
 * second by a thread of its own; the halves' strings are interned
 * together afterwards, in reading order, so the history is the one a
 * single pass makes. Returns 0 or an error; sets *done to false when the
 * text was not split (read it in one pass then).
 */
static int parse_split(struct rd *r, const char *text, const char *end,
		       bool *done)
{
	const char *mid = text + (end - text) / 2;
	struct half x;
	pthread_t t;
	int rc, rc2;

	*done = false;
	if (r->h->format != RC_HFMT_REPLICORE || end - text < (1 << 20) ||
	    (mid = memchr(mid, '\n', (size_t)(end - mid))) == NULL)
		return 0;
	mid++;
	memset(&x, 0, sizeof(x));
	x.r.name = r->name;
	x.r.err = &x.err;
	x.r.defer = true;
	x.r.tail = true;
	x.s = mid;
	x.end = end;
	if (_rc_task != NULL) {
		x.task = (struct _rc_task){ _rc_task->b, _rc_task->part, 0 };
		x.budgeted = true;
	}
	if ((x.r.h = rc_history_new()) == NULL)
		return 0;
	x.r.h->format = RC_HFMT_REPLICORE;
	if (pthread_create(&t, NULL, parse_half, &x) != 0) {
		rc_history_free(x.r.h);
		return 0;
	}
	rc = parse_lines(r, text, mid);
	pthread_join(t, NULL);
	/* what the thread charged is given back by this one */
	if (x.budgeted)
		_rc_task->charged += x.task.charged;
	*done = true;
	rc2 = x.rc;
	if (rc == 0 && rc2 == RC_PARSE_AGAIN) {
		/* an 'initial' line past the middle: read on in order */
		rc = parse_lines(r, mid, end);
	} else if (rc == 0 && rc2 < 0) {
		if (r->err != NULL) {
			*r->err = x.err;
			r->err->line += r->line;
		}
		rc = rc2;
	} else if (rc == 0 && join_half(r, &x) < 0) {
		rc = rc_err_set(r->err, RC_ENOMEM, r->name, 0, 0,
				"out of memory");
	}
	release(&x.r);
	rc_history_free(x.r.h);
	return rc;
}

int rc_history_parse(const char *text, size_t len, const char *name,
		     rc_history_t **out, rc_err_t *err)
{
	struct rd r;
	const char *end = text + len;
	enum rc_hformat fmt = RC_HFMT_REPLICORE;
	bool split;
	int rc = 0;

	memset(&r, 0, sizeof(r));
	r.name = name != NULL ? name : "<history>";
	r.err = err;
	*out = NULL;
	/*
	 * The format: replicore's when the text starts with its header line;
	 * otherwise from the first line that is not blank or a comment: a map
	 * is EDN, a line of jepsen.util's logger (or an INFO line) is a log.
	 */
	for (const char *l = text; l < end;) {
		const char *e = memchr(l, '\n', (size_t)(end - l));
		static const char hdr[] = "# replicore-history";

		if (e == NULL)
			e = end;
		if (l == text && (size_t)(e - l) >= sizeof(hdr) - 1 &&
		    memcmp(l, hdr, sizeof(hdr) - 1) == 0)
			break;
		while (l < e && (*l == ' ' || *l == '\t'))
			l++;
		if (l < e && *l != '#' && *l != ';' && *l != '\r') {
			if (*l == '{')
				fmt = RC_HFMT_JEPSEN_EDN;
			else if ((e - l >= 4 && memcmp(l, "INFO", 4) == 0) ||
				 memmem(l, (size_t)(e - l), "jepsen.util",
					11) != NULL)
				fmt = RC_HFMT_JEPSEN_LOG;
			break;
		}
		l = e + 1;
	}
	if (memchr(text, '\0', len) != NULL) {
		const char *z = memchr(text, '\0', len);
		unsigned line = 1;

		for (const char *q = text; q < z; q++)
			line += *q == '\n';
		return rc_err_set(err, RC_EINVAL, r.name, line, 0,
				  "expected text, got a NUL byte");
	}
	r.h = rc_history_new();
	if (r.h == NULL)
		return rc_err_set(err, RC_ENOMEM, r.name, 0, 0,
				  "out of memory");
	r.h->format = fmt;
	r.defer = fmt == RC_HFMT_REPLICORE;
	rc = parse_split(&r, text, end, &split);
	if (!split)
		rc = parse_lines(&r, text, end);
	if (rc < 0)
		goto fail;
	/* Invocations never answered: indeterminate, as Jepsen has them. */
	for (size_t i = 0; i < r.npend; i++) {
		struct rc_hop op = r.pend[i].op;

		op.status = RC_HST_INDET;
		op.ret = RC_HTIME_INF;
		op.result = RC_HVAL_UNKNOWN;
		if ((rc = rc_history_add(r.h, &op, err)) < 0)
			goto fail;
	}
	if ((rc = resolve(&r)) < 0)
		goto fail;
	free(r.pend);
	release(&r);
	*out = r.h;
	return 0;
fail:
	free(r.pend);
	release(&r);
	rc_history_free(r.h);
	return rc;
}

/*
 * Reads a regular file through a read-only mapping: no copy of the text,
 * and its pages are the page cache's. Returns 1 when it did (rc set), 0
 * when the file is not one to map (read it as a stream then).
 */
static int load_mapped(int fd, const char *path, rc_history_t **out,
		       rc_err_t *err, int *rc)
{
	struct stat st;
	void *m;

	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    (uintmax_t)st.st_size > SIZE_MAX)
		return 0;
	if (!_rc_charge((ptrdiff_t)st.st_size)) {
		*rc = rc_err_set(err, RC_ETIMEDOUT, path, 0, 0,
				 "%s reading the history",
				 _rc_stop_name(_rc_poll()));
		return 1;
	}
	m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (m == MAP_FAILED) {
		_rc_charge(-(ptrdiff_t)st.st_size);
		return 0;
	}
	(void)madvise(m, (size_t)st.st_size, MADV_SEQUENTIAL);
	*rc = rc_history_parse(m, (size_t)st.st_size, path, out, err);
	munmap(m, (size_t)st.st_size);
	_rc_charge(-(ptrdiff_t)st.st_size);
	return 1;
}

int rc_history_load(const char *path, rc_history_t **out, rc_err_t *err)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0;
	int rc;

	*out = NULL;
	if (f == NULL)
		return rc_err_set(err, errno == ENOENT ? RC_ENOENT : RC_ESYS,
				  path, 0, 0, "cannot open: %s",
				  strerror(errno));
	if (load_mapped(fileno(f), path, out, err, &rc)) {
		fclose(f);
		return rc;
	}
	for (;;) {
		size_t got;

		/* the limits, between reads of at most 1 MiB */
		if (_rc_poll() != RC_GO ||
		    (n == cap && !_rc_charge((ptrdiff_t)(cap ? cap : 65536)))) {
			free(buf);
			fclose(f);
			return rc_err_set(err, RC_ETIMEDOUT, path, 0, 0,
					  "%s reading the history",
					  _rc_stop_name(_rc_poll()));
		}
		if (n == cap) {
			char *nb;

			cap = cap ? cap * 2 : 65536;
			nb = realloc(buf, cap);
			if (nb == NULL) {
				free(buf);
				fclose(f);
				return rc_err_set(err, RC_ENOMEM, path, 0, 0,
						  "out of memory");
			}
			buf = nb;
		}
		got = fread(buf + n, 1,
			    cap - n < (1u << 20) ? cap - n : (1u << 20), f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		rc = rc_err_set(err, RC_ESYS, path, 0, 0, "cannot read: %s",
				strerror(errno));
		fclose(f);
		free(buf);
		return rc;
	}
	fclose(f);
	rc = rc_history_parse(buf, n, path, out, err);
	free(buf);
	_rc_charge(-(ptrdiff_t)cap);
	return rc;
}

int rc_history_load_limited(const char *path, double timeout, size_t max_bytes,
			    rc_history_t **out, rc_err_t *err)
{
	struct _rc_budget b;
	struct _rc_task t = { &b, 0, 0 }, *outer = _rc_task;
	int rc, over;

	_rc_budget_init(&b, timeout > 0 ? _rc_now() + timeout : 0,
			max_bytes == SIZE_MAX ? 0 : max_bytes, false);
	_rc_task = &t;
	rc = rc_history_load(path, out, err);
	_rc_task = outer;
	over = atomic_load(&b.over);
	if (rc < 0 && over != RC_GO) {
		unsigned line = err != NULL ? err->line : 0;

		if (err != NULL)
			err->msg[0] = '\0';
		rc = rc_err_set(err, RC_ETIMEDOUT, path, line, 0,
				over == RC_STOP_TIME
					? "timed out after %.3g s reading the "
					  "history"
					: "memory limit of %.0f MiB reached "
					  "reading the history",
				over == RC_STOP_TIME
					? timeout
					: (double)max_bytes / (1 << 20));
	}
	return rc;
}
