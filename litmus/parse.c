/* SPDX-License-Identifier: MIT */
/* parse.c: the lexer and recursive-descent parser of herd's X86 and C litmus formats. */
#include <ctype.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <replicore/litmus.h>

#include "litmus/arena.h"

enum tk {
	TK_EOF,
	TK_ID,
	TK_INT,
	TK_P, /* punctuation, one or two characters */
};

struct tok {
	enum tk k;
	const char *s;
	size_t len;
	int64_t ival;
	unsigned line, col;
};

struct lexpos {
	size_t pos;
	unsigned line, col;
};

struct ps {
	const char *text;
	size_t len;
	const char *fname;
	struct lexpos lp;
	struct tok t;
	bool ocaml; /* (* ... *) is a comment (false inside C bodies) */
	jmp_buf jb;
	rc_err_t *err;
	rc_litmus_t *lt;
	struct _rc_arena *a;
	int cur; /* the thread being parsed */
	int depth;
};

/* Where an error message names the file. */
static void fail_at(struct ps *ps, unsigned line, unsigned col, const char *fmt,
		    ...) __attribute__((noreturn))
__attribute__((format(printf, 4, 5)));

static void fail_at(struct ps *ps, unsigned line, unsigned col, const char *fmt,
		    ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	rc_err_set(ps->err, RC_EINVAL, ps->fname, line, col, "%s", msg);
	longjmp(ps->jb, 1);
}

static void tok_text(const struct tok *t, char *buf, size_t n)
{
	size_t l;

	if (t->k == TK_EOF) {
		snprintf(buf, n, "end of input");
		return;
	}
	l = t->len < 40 ? t->len : 40;
	snprintf(buf, n, "'%.*s%s'", (int)l, t->s, t->len > 40 ? "..." : "");
	for (char *p = buf; *p; p++)
		if ((unsigned char)*p < 32 || (unsigned char)*p >= 127)
			*p = '?';
}

static void expected(struct ps *ps, const char *what) __attribute__((noreturn));

static void expected(struct ps *ps, const char *what)
{
	char got[64];

	tok_text(&ps->t, got, sizeof got);
	fail_at(ps, ps->t.line, ps->t.col, "expected %s, got %s", what, got);
}

static void *alloc(struct ps *ps, size_t n)
{
	void *p = _rc_arena_alloc(ps->a, n);

	if (!p) {
		rc_err_set(ps->err, RC_ENOMEM, ps->fname, 0, 0,
			   "out of memory");
		longjmp(ps->jb, 2);
	}
	return p;
}

static char *sdup(struct ps *ps, const char *s, size_t n)
{
	char *p = alloc(ps, n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* Grows an arena array holding n elements so it can take one more. */
static void *grow(struct ps *ps, void *arr, size_t n, size_t sz)
{
	void *p;

	if (n != 0 && !(n >= 4 && (n & (n - 1)) == 0))
		return arr;
	if (n > ((size_t)1 << 24))
		fail_at(ps, ps->t.line, ps->t.col, "input too large");
	p = alloc(ps, (n == 0 ? 4 : 2 * n) * sz);
	if (n)
		memcpy(p, arr, n * sz);
	return p;
}

#define PUSH(ps, arr, n, val)                                   \
	do {                                                    \
		(arr) = grow((ps), (arr), (n), sizeof(*(arr))); \
		(arr)[(n)++] = (val);                           \
	} while (0)

/* ---- lexer ---- */

static int peekc(struct ps *ps, size_t off)
{
	size_t p = ps->lp.pos + off;

	return p < ps->len ? (unsigned char)ps->text[p] : -1;
}

static void adv(struct ps *ps)
{
	if (ps->lp.pos >= ps->len)
		return;
	if (ps->text[ps->lp.pos] == '\n') {
		ps->lp.line++;
		ps->lp.col = 1;
	} else {
		ps->lp.col++;
	}
	ps->lp.pos++;
}

static void skip_ocaml_comment(struct ps *ps)
{
	unsigned line = ps->lp.line, col = ps->lp.col;
	int depth = 0;

	do {
		if (peekc(ps, 0) < 0)
			fail_at(ps, line, col,
				"expected '*)' closing this comment, got end "
				"of input");
		if (peekc(ps, 0) == '(' && peekc(ps, 1) == '*') {
			depth++;
			adv(ps);
			adv(ps);
		} else if (peekc(ps, 0) == '*' && peekc(ps, 1) == ')') {
			depth--;
			adv(ps);
			adv(ps);
		} else {
			adv(ps);
		}
	} while (depth > 0);
}

static void skip_space(struct ps *ps)
{
	for (;;) {
		int c = peekc(ps, 0);

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
		    c == '\f' || c == '\v') {
			adv(ps);
		} else if (c == '/' && peekc(ps, 1) == '/') {
			while (peekc(ps, 0) >= 0 && peekc(ps, 0) != '\n')
				adv(ps);
		} else if (c == '/' && peekc(ps, 1) == '*') {
			unsigned line = ps->lp.line, col = ps->lp.col;

			adv(ps);
			adv(ps);
			while (!(peekc(ps, 0) == '*' && peekc(ps, 1) == '/')) {
				if (peekc(ps, 0) < 0)
					fail_at(ps, line, col,
						"expected '*/' closing this "
						"comment, got end of input");
				adv(ps);
			}
			adv(ps);
			adv(ps);
		} else if (ps->ocaml && c == '(' && peekc(ps, 1) == '*') {
			skip_ocaml_comment(ps);
		} else {
			return;
		}
	}
}

static const char *const puncts2[] = { "/\\", "\\/", "==", "!=", "<=",
				       ">=",  "&&",  "||", "=>", "->" };

static void next(struct ps *ps)
{
	struct tok *t = &ps->t;
	int c;

	skip_space(ps);
	t->s = ps->text + ps->lp.pos;
	t->line = ps->lp.line;
	t->col = ps->lp.col;
	t->ival = 0;
	c = peekc(ps, 0);
	if (c < 0) {
		t->k = TK_EOF;
		t->len = 0;
		return;
	}
	if (isalpha(c) || c == '_') {
		size_t n = 0;

		while (peekc(ps, 0) >= 0 &&
		       (isalnum(peekc(ps, 0)) || peekc(ps, 0) == '_')) {
			adv(ps);
			n++;
		}
		t->k = TK_ID;
		t->len = n;
		return;
	}
	if (isdigit(c)) {
		size_t n = 0;
		uint64_t v = 0;
		int base = 10;

		if (c == '0' && (peekc(ps, 1) == 'x' || peekc(ps, 1) == 'X') &&
		    isxdigit(peekc(ps, 2))) {
			base = 16;
			adv(ps);
			adv(ps);
			n = 2;
		}
		while (peekc(ps, 0) >= 0 &&
		       (base == 16 ? isxdigit(peekc(ps, 0))
				   : isdigit(peekc(ps, 0)))) {
			int d = peekc(ps, 0);

			d = isdigit(d) ? d - '0' : tolower(d) - 'a' + 10;
			if (v > (UINT64_C(1) << 62) / (unsigned)base) {
				t->k = TK_INT;
				t->len = n + 1;
				fail_at(ps, t->line, t->col,
					"expected an integer that fits in 62 "
					"bits, got '%.*s...'",
					(int)(n + 1 < 30 ? n + 1 : 30), t->s);
			}
			v = v * (unsigned)base + (unsigned)d;
			adv(ps);
			n++;
		}
		t->k = TK_INT;
		t->len = n;
		t->ival = (int64_t)v;
		return;
	}
	for (size_t i = 0; i < sizeof puncts2 / sizeof puncts2[0]; i++)
		if (c == puncts2[i][0] && peekc(ps, 1) == puncts2[i][1]) {
			adv(ps);
			adv(ps);
			t->k = TK_P;
			t->len = 2;
			return;
		}
	adv(ps);
	t->k = TK_P;
	t->len = 1;
}

static bool is_p(const struct tok *t, const char *p)
{
	return t->k == TK_P && t->len == strlen(p) &&
	       memcmp(t->s, p, t->len) == 0;
}

static bool is_id(const struct tok *t, const char *s)
{
	return t->k == TK_ID && t->len == strlen(s) &&
	       memcmp(t->s, s, t->len) == 0;
}

static bool is_idi(const struct tok *t, const char *s)
{
	return t->k == TK_ID && t->len == strlen(s) &&
	       strncasecmp(t->s, s, t->len) == 0;
}

static void expect_p(struct ps *ps, const char *p)
{
	char what[16];

	if (!is_p(&ps->t, p)) {
		snprintf(what, sizeof what, "'%s'", p);
		expected(ps, what);
	}
	next(ps);
}

/* The token after the current one, without consuming anything. */
static struct tok peek2(struct ps *ps)
{
	struct lexpos save = ps->lp;
	struct tok cur = ps->t, r;

	next(ps);
	r = ps->t;
	ps->t = cur;
	ps->lp = save;
	return r;
}

/* ---- interning ---- */

static int intern_loc(struct ps *ps, const char *s, size_t n)
{
	rc_litmus_t *lt = ps->lt;

	for (size_t i = 0; i < lt->nlocs; i++)
		if (strlen(lt->locs[i]) == n && memcmp(lt->locs[i], s, n) == 0)
			return (int)i;
	if (lt->nlocs >= 4096)
		fail_at(ps, ps->t.line, ps->t.col, "too many locations");
	lt->loc_init = grow(ps, lt->loc_init, lt->nlocs, sizeof(int64_t));
	lt->loc_in_init = grow(ps, lt->loc_in_init, lt->nlocs, sizeof(int));
	lt->loc_init[lt->nlocs] = 0;
	lt->loc_in_init[lt->nlocs] = 0;
	PUSH(ps, lt->locs, lt->nlocs, sdup(ps, s, n));
	return (int)lt->nlocs - 1;
}

static struct rc_lthread *get_thread(struct ps *ps, int64_t i)
{
	rc_litmus_t *lt = ps->lt;

	if (i < 0 || i >= 64)
		fail_at(ps, ps->t.line, ps->t.col,
			"expected a thread number below 64, got %lld",
			(long long)i);
	while (lt->nthreads <= (size_t)i) {
		struct rc_lthread th;

		memset(&th, 0, sizeof th);
		PUSH(ps, lt->threads, lt->nthreads, th);
	}
	return &lt->threads[i];
}

static int find_reg(struct rc_lthread *th, const char *s, size_t n)
{
	for (size_t i = 0; i < th->nregs; i++)
		if (strlen(th->regs[i]) == n && memcmp(th->regs[i], s, n) == 0)
			return (int)i;
	return -1;
}

static int intern_reg(struct ps *ps, struct rc_lthread *th, const char *s,
		      size_t n)
{
	int r = find_reg(th, s, n);

	if (r >= 0)
		return r;
	if (th->nregs >= 1024)
		fail_at(ps, ps->t.line, ps->t.col, "too many registers");
	th->reg_init = grow(ps, th->reg_init, th->nregs, sizeof(int64_t));
	th->reg_in_init = grow(ps, th->reg_in_init, th->nregs, sizeof(int));
	th->reg_init[th->nregs] = 0;
	th->reg_in_init[th->nregs] = 0;
	PUSH(ps, th->regs, th->nregs, sdup(ps, s, n));
	return (int)th->nregs - 1;
}

/* "P12" -> 12, or -1 */
static int64_t proc_num(const struct tok *t)
{
	int64_t v = 0;

	if (t->k != TK_ID || t->len < 2 || t->len > 4 || t->s[0] != 'P')
		return -1;
	for (size_t i = 1; i < t->len; i++) {
		if (!isdigit((unsigned char)t->s[i]))
			return -1;
		v = v * 10 + (t->s[i] - '0');
	}
	return v;
}

static int64_t parse_int(struct ps *ps)
{
	bool neg = false;
	int64_t v;

	if (is_p(&ps->t, "-")) {
		neg = true;
		next(ps);
	}
	if (ps->t.k != TK_INT)
		expected(ps, "an integer");
	v = ps->t.ival;
	next(ps);
	return neg ? -v : v;
}

/*
 * A variable of the init block, the condition or the locations line:
 * [x], x, 0:EAX, P0:EAX. Returns the thread (-1 for a location).
 */
static struct rc_lvar parse_var(struct ps *ps, bool create_thread)
{
	struct rc_lvar v = { -1, -1 };
	int64_t th = -1;

	if (is_p(&ps->t, "[")) {
		next(ps);
		if (ps->t.k != TK_ID)
			expected(ps, "a location name");
		v.idx = intern_loc(ps, ps->t.s, ps->t.len);
		next(ps);
		expect_p(ps, "]");
		return v;
	}
	if (ps->t.k == TK_INT) {
		th = ps->t.ival;
	} else if (ps->t.k == TK_ID) {
		struct tok t2 = peek2(ps);

		if (!is_p(&t2, ":")) {
			v.idx = intern_loc(ps, ps->t.s, ps->t.len);
			next(ps);
			return v;
		}
		th = proc_num(&ps->t);
		if (th < 0)
			expected(ps, "a thread such as P0 or 0");
	} else {
		expected(ps, "a location or a register");
	}
	if (!create_thread && (size_t)th >= ps->lt->nthreads)
		fail_at(ps, ps->t.line, ps->t.col,
			"expected a thread number below %zu, got %lld",
			ps->lt->nthreads, (long long)th);
	next(ps);
	expect_p(ps, ":");
	if (ps->t.k != TK_ID)
		expected(ps, "a register name");
	v.thread = (int)th;
	v.idx = intern_reg(ps, get_thread(ps, th), ps->t.s, ps->t.len);
	next(ps);
	return v;
}

/* ---- header and init ---- */

static void parse_header(struct ps *ps)
{
	rc_litmus_t *lt = ps->lt;
	size_t s;

	/* The header is line-based, read raw before tokenizing. */
	ps->ocaml = true;
	for (;;) {
		int c = peekc(ps, 0);

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
			adv(ps);
		else
			break;
	}
	next(ps);
	if (is_id(&ps->t, "X86") || is_id(&ps->t, "x86"))
		lt->arch = RC_LITMUS_X86;
	else if (is_id(&ps->t, "C"))
		lt->arch = RC_LITMUS_C;
	else
		expected(ps, "'X86' or 'C' starting the test");
	while (peekc(ps, 0) == ' ' || peekc(ps, 0) == '\t')
		adv(ps);
	s = ps->lp.pos;
	while (peekc(ps, 0) >= 0 && peekc(ps, 0) != '\n' &&
	       peekc(ps, 0) != '\r')
		adv(ps);
	{
		size_t e = ps->lp.pos;

		while (e > s && isspace((unsigned char)ps->text[e - 1]))
			e--;
		if (e == s) {
			next(ps);
			expected(ps, "a test name after the architecture");
		}
		for (size_t i = s; i < e; i++)
			if ((unsigned char)ps->text[i] < 32 &&
			    ps->text[i] != '\t')
				fail_at(ps, ps->lp.line, 1,
					"expected a printable test name, got "
					"a control character");
		lt->name = sdup(ps, ps->text + s, e - s);
	}
	for (;;) {
		int c = peekc(ps, 0);

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			adv(ps);
		} else if (c == '"') {
			unsigned line = ps->lp.line, col = ps->lp.col;

			adv(ps);
			s = ps->lp.pos;
			while (peekc(ps, 0) >= 0 && peekc(ps, 0) != '"')
				adv(ps);
			if (peekc(ps, 0) < 0)
				fail_at(ps, line, col,
					"expected '\"' closing this string, "
					"got end of input");
			if (!lt->comment)
				lt->comment =
					sdup(ps, ps->text + s, ps->lp.pos - s);
			adv(ps);
		} else if (c == '(' && peekc(ps, 1) == '*') {
			skip_ocaml_comment(ps);
		} else if (c == '{' || c < 0) {
			break;
		} else {
			size_t e;
			bool eq = false;

			s = ps->lp.pos;
			while (peekc(ps, 0) >= 0 && peekc(ps, 0) != '\n') {
				if (peekc(ps, 0) == '=')
					eq = true;
				adv(ps);
			}
			e = ps->lp.pos;
			while (e > s && isspace((unsigned char)ps->text[e - 1]))
				e--;
			if (!eq || !(isalpha((unsigned char)ps->text[s]))) {
				struct lexpos save = ps->lp;

				ps->lp.pos = s;
				ps->lp.line = save.line;
				ps->lp.col = 1;
				next(ps);
				expected(ps, "'{' starting the initial state");
			}
			PUSH(ps, lt->keyvals, lt->nkeyvals,
			     sdup(ps, ps->text + s, e - s));
		}
	}
	next(ps);
}

static bool is_type_word(const struct tok *t)
{
	static const char *const w[] = {
		"int",	      "long",	  "short",    "char",
		"unsigned",   "signed",	  "volatile", "const",
		"atomic_int", "intptr_t", "int32_t",  "int64_t",
		"uint32_t",   "uint64_t", "_Atomic",  "atomic_long",
	};

	for (size_t i = 0; i < sizeof w / sizeof w[0]; i++)
		if (is_id(t, w[i]))
			return true;
	return false;
}

static void parse_init(struct ps *ps)
{
	rc_litmus_t *lt = ps->lt;

	expect_p(ps, "{");
	while (!is_p(&ps->t, "}")) {
		struct rc_lvar v;
		int64_t val;

		if (is_p(&ps->t, ";")) {
			next(ps);
			continue;
		}
		while (ps->t.k == TK_ID && is_type_word(&ps->t)) {
			struct tok t2 = peek2(ps);

			if (t2.k != TK_ID && !is_p(&t2, "*"))
				break;
			next(ps);
			while (is_p(&ps->t, "*"))
				next(ps);
		}
		v = parse_var(ps, true);
		if (!is_p(&ps->t, "=") && !is_p(&ps->t, "=="))
			expected(ps, "'='");
		next(ps);
		val = parse_int(ps);
		if (v.thread < 0) {
			lt->loc_init[v.idx] = val;
			lt->loc_in_init[v.idx] = 1;
		} else {
			lt->threads[v.thread].reg_init[v.idx] = val;
			lt->threads[v.thread].reg_in_init[v.idx] = 1;
		}
		if (is_p(&ps->t, ";"))
			next(ps);
		else if (!is_p(&ps->t, "}"))
			expected(ps, "';' or '}'");
	}
	next(ps);
}

/* ---- X86 ---- */

static bool is_x86_mnemonic(const struct tok *t)
{
	static const char *const m[] = { "MOV", "MFENCE", "XCHG", "LOCK",
					 "ADD", "SUB",	  "OR",	  "AND",
					 "XOR", "INC",	  "DEC",  "XADD" };

	for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
		if (is_idi(t, m[i]))
			return true;
	return false;
}

/* An operand: [loc] (returns 1), a register (2) or an immediate (3). */
static int x86_operand(struct ps *ps, struct rc_lthread *th, int *loc, int *reg,
		       int64_t *imm, int *dollar)
{
	*dollar = 0;
	if (is_p(&ps->t, "[")) {
		next(ps);
		if (ps->t.k != TK_ID)
			expected(ps, "a location name");
		*loc = intern_loc(ps, ps->t.s, ps->t.len);
		next(ps);
		expect_p(ps, "]");
		return 1;
	}
	if (is_p(&ps->t, "$")) {
		*dollar = 1;
		next(ps);
		*imm = parse_int(ps);
		return 3;
	}
	if (ps->t.k == TK_INT || is_p(&ps->t, "-")) {
		*imm = parse_int(ps);
		return 3;
	}
	if (ps->t.k == TK_ID && !is_x86_mnemonic(&ps->t)) {
		*reg = intern_reg(ps, th, ps->t.s, ps->t.len);
		next(ps);
		return 2;
	}
	expected(ps, "an operand ([loc], a register or $imm)");
}

static void x86_instr(struct ps *ps, int tid)
{
	struct rc_lthread *th = &ps->lt->threads[tid];
	struct rc_lstmt st;
	struct tok mn = ps->t;
	int loc = -1, reg = -1, dollar;
	int64_t imm = 0;

	memset(&st, 0, sizeof st);
	st.line = ps->t.line;
	st.loc = st.reg = st.src_reg = -1;
	if (ps->t.k != TK_ID)
		expected(ps, "an instruction");
	next(ps);
	if (is_idi(&mn, "MFENCE")) {
		st.kind = RC_LS_X86_MFENCE;
	} else if (is_idi(&mn, "MOV")) {
		int k1 = x86_operand(ps, th, &loc, &reg, &imm, &dollar);

		if (k1 == 3)
			fail_at(ps, mn.line, mn.col,
				"expected a register or [loc] as MOV's "
				"destination, got an immediate");
		expect_p(ps, ",");
		if (k1 == 1) {
			int k2;

			st.kind = RC_LS_X86_STORE;
			st.loc = loc;
			k2 = x86_operand(ps, th, &loc, &st.src_reg, &imm,
					 &dollar);
			if (k2 == 1)
				fail_at(ps, mn.line, mn.col,
					"expected a register or an immediate "
					"as the source of a store, got [loc]");
			st.src_is_reg = k2 == 2;
			st.src_imm = imm;
			st.src_dollar = dollar;
		} else {
			int k2;

			st.reg = reg;
			k2 = x86_operand(ps, th, &loc, &st.src_reg, &imm,
					 &dollar);
			if (k2 == 1) {
				st.kind = RC_LS_X86_LOAD;
				st.loc = loc;
			} else {
				st.kind = RC_LS_X86_MOVREG;
				st.src_is_reg = k2 == 2;
				st.src_imm = imm;
				st.src_dollar = dollar;
			}
		}
	} else if (is_idi(&mn, "XCHG") ||
		   (is_idi(&mn, "LOCK") && is_idi(&ps->t, "XCHG"))) {
		int k1, k2, reg2 = -1;

		if (is_idi(&mn, "LOCK"))
			next(ps);
		st.kind = RC_LS_X86_XCHG;
		k1 = x86_operand(ps, th, &loc, &reg, &imm, &dollar);
		expect_p(ps, ",");
		k2 = x86_operand(ps, th, &loc, &reg2, &imm, &dollar);
		if (k1 == 1 && k2 == 2) {
			st.mem_first = 1;
			st.reg = reg2;
		} else if (k1 == 2 && k2 == 1) {
			st.reg = reg;
		} else {
			fail_at(ps, mn.line, mn.col,
				"expected XCHG between [loc] and a register");
		}
		st.loc = loc;
	} else if (is_idi(&mn, "LOCK")) {
		static const struct {
			const char *n;
			enum rc_x86op op;
		} ops[] = {
			{ "ADD", RC_X86_ADD }, { "SUB", RC_X86_SUB },
			{ "OR", RC_X86_OR },   { "AND", RC_X86_AND },
			{ "XOR", RC_X86_XOR }, { "INC", RC_X86_INC },
			{ "DEC", RC_X86_DEC }, { "XADD", RC_X86_XADD },
		};
		size_t i;
		int k2;

		for (i = 0; i < sizeof ops / sizeof ops[0]; i++)
			if (is_idi(&ps->t, ops[i].n))
				break;
		if (i == sizeof ops / sizeof ops[0])
			expected(ps, "ADD, SUB, OR, AND, XOR, INC, DEC, XADD "
				     "or XCHG after LOCK");
		st.kind = RC_LS_X86_LOCKOP;
		st.x86op = ops[i].op;
		next(ps);
		if (x86_operand(ps, th, &loc, &reg, &imm, &dollar) != 1)
			fail_at(ps, mn.line, mn.col,
				"expected [loc] as the destination of a "
				"LOCK-prefixed instruction");
		st.loc = loc;
		if (st.x86op != RC_X86_INC && st.x86op != RC_X86_DEC) {
			expect_p(ps, ",");
			k2 = x86_operand(ps, th, &loc, &st.src_reg, &imm,
					 &dollar);
			if (k2 == 1 || (st.x86op == RC_X86_XADD && k2 != 2))
				fail_at(ps, mn.line, mn.col,
					"expected a register%s as the "
					"source",
					st.x86op == RC_X86_XADD
						? ""
						: " or an immediate");
			st.src_is_reg = k2 == 2;
			st.src_imm = imm;
			st.src_dollar = dollar;
		}
	} else {
		char got[64];

		tok_text(&mn, got, sizeof got);
		fail_at(ps, mn.line, mn.col,
			"expected an instruction (MOV, MFENCE, XCHG or LOCK "
			"op), got %s",
			got);
	}
	PUSH(ps, th->code, th->ncode, st);
}

static bool at_condition(struct ps *ps)
{
	return ps->t.k == TK_EOF || is_id(&ps->t, "exists") ||
	       is_id(&ps->t, "forall") || is_id(&ps->t, "locations") ||
	       is_p(&ps->t, "~");
}

static void parse_x86_threads(struct ps *ps)
{
	size_t n = 0;

	for (;;) {
		int64_t p = proc_num(&ps->t);

		if (p != (int64_t)n)
			expected(ps, n == 0 ? "'P0' heading the first column"
					    : "the next thread name");
		get_thread(ps, p);
		n++;
		next(ps);
		if (is_p(&ps->t, ";"))
			break;
		expect_p(ps, "|");
	}
	next(ps);
	while (!at_condition(ps)) {
		size_t col = 0;

		for (;;) {
			if (!is_p(&ps->t, "|") && !is_p(&ps->t, ";"))
				x86_instr(ps, (int)col);
			if (is_p(&ps->t, ";"))
				break;
			if (!is_p(&ps->t, "|"))
				expected(ps, "'|' or ';'");
			if (++col >= n)
				expected(ps, "';' ending the row");
			next(ps);
		}
		next(ps);
	}
}

/* ---- C ---- */

static struct rc_lexpr *new_expr(struct ps *ps, enum rc_lexpr_kind k)
{
	struct rc_lexpr *e = alloc(ps, sizeof(*e));

	e->kind = k;
	e->loc = e->exp_loc = e->reg = -1;
	return e;
}

static struct rc_lexpr *parse_expr(struct ps *ps);

static enum rc_mo parse_mo(struct ps *ps)
{
	static const struct {
		const char *n;
		enum rc_mo mo;
	} m[] = {
		{ "memory_order_relaxed", RC_MO_RLX },
		{ "memory_order_consume", RC_MO_CON },
		{ "memory_order_acquire", RC_MO_ACQ },
		{ "memory_order_release", RC_MO_REL },
		{ "memory_order_acq_rel", RC_MO_ACQ_REL },
		{ "memory_order_seq_cst", RC_MO_SC },
	};

	for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
		if (is_id(&ps->t, m[i].n)) {
			next(ps);
			return m[i].mo;
		}
	expected(ps, "a memory order (memory_order_relaxed, ...)");
}

static int parse_locarg(struct ps *ps)
{
	int l;

	if (is_p(&ps->t, "&"))
		next(ps);
	if (ps->t.k != TK_ID)
		expected(ps, "a location");
	if (find_reg(&ps->lt->threads[ps->cur], ps->t.s, ps->t.len) >= 0)
		expected(ps, "a location, not a register,");
	l = intern_loc(ps, ps->t.s, ps->t.len);
	next(ps);
	return l;
}

static struct rc_lexpr *parse_call(struct ps *ps, struct tok fn)
{
	static const struct {
		const char *n;
		enum rc_lexpr_kind k;
		enum rc_lop op;
	} f[] = {
		{ "atomic_load", RC_LE_LOAD, 0 },
		{ "atomic_store", RC_LE_STORE, 0 },
		{ "atomic_fetch_add", RC_LE_FETCH, RC_OP_ADD },
		{ "atomic_fetch_sub", RC_LE_FETCH, RC_OP_SUB },
		{ "atomic_fetch_or", RC_LE_FETCH, RC_OP_OR },
		{ "atomic_fetch_and", RC_LE_FETCH, RC_OP_AND },
		{ "atomic_fetch_xor", RC_LE_FETCH, RC_OP_XOR },
		{ "atomic_exchange", RC_LE_XCHG, 0 },
		{ "atomic_compare_exchange_strong", RC_LE_CAS, 1 },
		{ "atomic_compare_exchange_weak", RC_LE_CAS, 0 },
		{ "atomic_thread_fence", RC_LE_FENCE, 0 },
	};
	struct rc_lexpr *e = NULL;
	bool explicit_mo = false;
	size_t i;

	for (i = 0; i < sizeof f / sizeof f[0]; i++) {
		size_t l = strlen(f[i].n);

		if (fn.len == l && memcmp(fn.s, f[i].n, l) == 0)
			break;
		if (fn.len == l + 9 && memcmp(fn.s, f[i].n, l) == 0 &&
		    memcmp(fn.s + l, "_explicit", 9) == 0 &&
		    f[i].k != RC_LE_FENCE) {
			explicit_mo = true;
			break;
		}
	}
	if (i == sizeof f / sizeof f[0]) {
		char got[64];

		tok_text(&fn, got, sizeof got);
		fail_at(ps, fn.line, fn.col,
			"expected an atomic operation (atomic_load_explicit, "
			"...), got %s",
			got);
	}
	e = new_expr(ps, f[i].k);
	e->op = f[i].op;
	e->strong = f[i].k == RC_LE_CAS ? (int)f[i].op : 0;
	e->op = f[i].k == RC_LE_FETCH ? f[i].op : RC_OP_ADD;
	e->explicit_mo = explicit_mo || f[i].k == RC_LE_FENCE;
	e->mo = e->mo2 = RC_MO_SC;
	expect_p(ps, "(");
	if (f[i].k == RC_LE_FENCE) {
		e->mo = parse_mo(ps);
		expect_p(ps, ")");
		return e;
	}
	e->loc = parse_locarg(ps);
	if (f[i].k == RC_LE_CAS) {
		expect_p(ps, ",");
		e->exp_loc = parse_locarg(ps);
	}
	if (f[i].k != RC_LE_LOAD) {
		expect_p(ps, ",");
		e->a = parse_expr(ps);
	}
	if (explicit_mo) {
		expect_p(ps, ",");
		e->mo = parse_mo(ps);
		if (f[i].k == RC_LE_CAS) {
			expect_p(ps, ",");
			e->mo2 = parse_mo(ps);
		}
	}
	expect_p(ps, ")");
	return e;
}

static struct rc_lexpr *parse_unary(struct ps *ps)
{
	struct rc_lexpr *e;

	if (++ps->depth > 200)
		fail_at(ps, ps->t.line, ps->t.col,
			"expression nested too deeply");
	if (is_p(&ps->t, "-") || is_p(&ps->t, "!") || is_p(&ps->t, "~")) {
		e = new_expr(ps, RC_LE_UNOP);
		e->op = is_p(&ps->t, "-")   ? RC_OP_NEG
			: is_p(&ps->t, "!") ? RC_OP_NOT
					    : RC_OP_BNOT;
		next(ps);
		e->a = parse_unary(ps);
	} else if (ps->t.k == TK_INT) {
		e = new_expr(ps, RC_LE_CONST);
		e->ival = ps->t.ival;
		next(ps);
	} else if (is_p(&ps->t, "(")) {
		next(ps);
		e = parse_expr(ps);
		expect_p(ps, ")");
	} else if (is_p(&ps->t, "*")) {
		next(ps);
		e = new_expr(ps, RC_LE_DEREF);
		e->loc = parse_locarg(ps);
	} else if (ps->t.k == TK_ID) {
		struct tok fn = ps->t;

		next(ps);
		if (is_p(&ps->t, "(")) {
			e = parse_call(ps, fn);
		} else {
			int r = find_reg(&ps->lt->threads[ps->cur], fn.s,
					 fn.len);

			if (r < 0) {
				char got[64];

				tok_text(&fn, got, sizeof got);
				fail_at(ps, fn.line, fn.col,
					"expected a declared register, got %s",
					got);
			}
			e = new_expr(ps, RC_LE_REG);
			e->reg = r;
		}
	} else {
		expected(ps, "an expression");
	}
	ps->depth--;
	return e;
}

static int binop_prec(const struct tok *t, enum rc_lop *op)
{
	static const struct {
		const char *p;
		enum rc_lop op;
		int prec;
	} b[] = {
		{ "||", RC_OP_LOR, 1 }, { "&&", RC_OP_LAND, 2 },
		{ "|", RC_OP_OR, 3 },	{ "^", RC_OP_XOR, 4 },
		{ "&", RC_OP_AND, 5 },	{ "==", RC_OP_EQ, 6 },
		{ "!=", RC_OP_NE, 6 },	{ "<", RC_OP_LT, 7 },
		{ "<=", RC_OP_LE, 7 },	{ ">", RC_OP_GT, 7 },
		{ ">=", RC_OP_GE, 7 },	{ "+", RC_OP_ADD, 8 },
		{ "-", RC_OP_SUB, 8 },	{ "*", RC_OP_MUL, 9 },
	};

	for (size_t i = 0; i < sizeof b / sizeof b[0]; i++)
		if (is_p(t, b[i].p)) {
			*op = b[i].op;
			return b[i].prec;
		}
	return 0;
}

static struct rc_lexpr *parse_binary(struct ps *ps, int minprec)
{
	struct rc_lexpr *l = parse_unary(ps);
	enum rc_lop op;
	int prec;

	while ((prec = binop_prec(&ps->t, &op)) >= minprec && prec > 0) {
		struct rc_lexpr *e = new_expr(ps, RC_LE_BINOP);

		next(ps);
		e->op = op;
		e->a = l;
		if (++ps->depth > 200)
			fail_at(ps, ps->t.line, ps->t.col,
				"expression nested too deeply");
		e->b = parse_binary(ps, prec + 1);
		ps->depth--;
		l = e;
	}
	return l;
}

static struct rc_lexpr *parse_expr(struct ps *ps)
{
	return parse_binary(ps, 1);
}

static void parse_stmt(struct ps *ps, struct rc_lstmt **arr, size_t *n);

static void parse_block_into(struct ps *ps, struct rc_lstmt **arr, size_t *n)
{
	expect_p(ps, "{");
	while (!is_p(&ps->t, "}")) {
		if (ps->t.k == TK_EOF)
			expected(ps, "'}'");
		parse_stmt(ps, arr, n);
	}
	next(ps);
}

static void parse_stmt(struct ps *ps, struct rc_lstmt **arr, size_t *n)
{
	struct rc_lthread *th = &ps->lt->threads[ps->cur];
	struct rc_lstmt st;

	memset(&st, 0, sizeof st);
	st.line = ps->t.line;
	st.loc = st.reg = st.src_reg = -1;
	if (++ps->depth > 100)
		fail_at(ps, ps->t.line, ps->t.col,
			"statements nested too deeply");
	if (is_p(&ps->t, ";")) {
		next(ps);
		ps->depth--;
		return;
	}
	if (is_p(&ps->t, "{")) {
		st.kind = RC_LS_C_BLOCK;
		parse_block_into(ps, &st.body, &st.nbody);
	} else if (is_id(&ps->t, "if")) {
		next(ps);
		st.kind = RC_LS_C_IF;
		expect_p(ps, "(");
		st.e = parse_expr(ps);
		expect_p(ps, ")");
		if (is_p(&ps->t, "{"))
			parse_block_into(ps, &st.body, &st.nbody);
		else
			parse_stmt(ps, &st.body, &st.nbody);
		if (is_id(&ps->t, "else")) {
			next(ps);
			st.has_else = 1;
			if (is_p(&ps->t, "{"))
				parse_block_into(ps, &st.els, &st.nels);
			else
				parse_stmt(ps, &st.els, &st.nels);
		}
	} else if (is_type_word(&ps->t)) {
		while (is_type_word(&ps->t))
			next(ps);
		if (ps->t.k != TK_ID)
			expected(ps, "a register name");
		st.reg = intern_reg(ps, th, ps->t.s, ps->t.len);
		st.decl = 1;
		next(ps);
		if (is_p(&ps->t, "=")) {
			next(ps);
			st.kind = RC_LS_C_ASSIGN;
			st.e = parse_expr(ps);
		} else {
			st.kind = RC_LS_C_DECL;
		}
		expect_p(ps, ";");
	} else if (is_p(&ps->t, "*")) {
		next(ps);
		st.kind = RC_LS_C_STORE;
		st.loc = parse_locarg(ps);
		expect_p(ps, "=");
		st.e = parse_expr(ps);
		expect_p(ps, ";");
	} else if (ps->t.k == TK_ID && is_p((struct tok[]){ peek2(ps) }, "=")) {
		st.kind = RC_LS_C_ASSIGN;
		st.reg = intern_reg(ps, th, ps->t.s, ps->t.len);
		next(ps);
		next(ps);
		st.e = parse_expr(ps);
		expect_p(ps, ";");
	} else {
		st.kind = RC_LS_C_EXPR;
		st.e = parse_expr(ps);
		expect_p(ps, ";");
	}
	ps->depth--;
	PUSH(ps, *arr, *n, st);
}

static void parse_c_threads(struct ps *ps)
{
	size_t n = 0;

	while (!at_condition(ps)) {
		int64_t p = proc_num(&ps->t);
		struct rc_lthread *th;

		if (p != (int64_t)n)
			expected(ps, n == 0 ? "'P0' starting the first thread"
					    : "the next thread (or the "
					      "condition)");
		th = get_thread(ps, p);
		ps->cur = (int)p;
		n++;
		next(ps);
		expect_p(ps, "(");
		while (!is_p(&ps->t, ")")) {
			char type[128] = "";
			size_t tl = 0;
			struct tok name;
			int stars = 0;

			if (ps->t.k != TK_ID)
				expected(ps, "a parameter type");
			while (ps->t.k == TK_ID) {
				struct tok t2 = peek2(ps);

				if (stars > 0 ||
				    (!is_type_word(&ps->t) &&
				     (is_p(&t2, ",") || is_p(&t2, ")"))))
					break;
				if (tl + ps->t.len + 2 >= sizeof type)
					expected(ps,
						 "a shorter parameter type");
				if (tl)
					type[tl++] = ' ';
				memcpy(type + tl, ps->t.s, ps->t.len);
				tl += ps->t.len;
				type[tl] = '\0';
				next(ps);
				while (is_p(&ps->t, "*")) {
					stars++;
					next(ps);
				}
			}
			if (ps->t.k != TK_ID)
				expected(ps, "a parameter name");
			if (stars != 1)
				expected(ps, "a pointer parameter such as "
					     "'atomic_int* x'");
			name = ps->t;
			PUSH(ps, th->param_types, th->nparams,
			     sdup(ps, type, tl));
			th->nparams--;
			PUSH(ps, th->params, th->nparams,
			     intern_loc(ps, name.s, name.len));
			next(ps);
			if (is_p(&ps->t, ","))
				next(ps);
			else if (!is_p(&ps->t, ")"))
				expected(ps, "',' or ')'");
		}
		ps->ocaml = false;
		next(ps);
		parse_block_into(ps, &th->code, &th->ncode);
		ps->ocaml = true;
		/* the token after '}' was read in code mode: re-read it */
		if (ps->t.k == TK_P && ps->t.s[0] == '(' && ps->t.len == 1 &&
		    ps->t.s + 1 < ps->text + ps->len && ps->t.s[1] == '*') {
			ps->lp.pos = (size_t)(ps->t.s - ps->text);
			ps->lp.line = ps->t.line;
			ps->lp.col = ps->t.col;
			next(ps);
		}
	}
	if (n == 0)
		expected(ps, "a thread 'P0 (...) { ... }'");
}

/* ---- condition ---- */

static struct rc_lprop *new_prop(struct ps *ps, enum rc_lprop_kind k)
{
	struct rc_lprop *p = alloc(ps, sizeof(*p));

	p->kind = k;
	return p;
}

static struct rc_lprop *parse_prop(struct ps *ps);

static struct rc_lprop *parse_patom(struct ps *ps)
{
	struct rc_lprop *p;

	if (++ps->depth > 200)
		fail_at(ps, ps->t.line, ps->t.col,
			"condition nested too deeply");
	if (is_p(&ps->t, "~") || is_id(&ps->t, "not")) {
		next(ps);
		p = new_prop(ps, RC_LP_NOT);
		p->a = parse_patom(ps);
	} else if (is_p(&ps->t, "(")) {
		next(ps);
		p = parse_prop(ps);
		expect_p(ps, ")");
	} else if (is_id(&ps->t, "true")) {
		next(ps);
		p = new_prop(ps, RC_LP_TRUE);
	} else if (is_id(&ps->t, "false")) {
		next(ps);
		p = new_prop(ps, RC_LP_FALSE);
	} else {
		p = new_prop(ps, RC_LP_EQ);
		p->var = parse_var(ps, false);
		if (!is_p(&ps->t, "=") && !is_p(&ps->t, "=="))
			expected(ps, "'='");
		next(ps);
		p->val = parse_int(ps);
	}
	ps->depth--;
	return p;
}

static struct rc_lprop *parse_conj(struct ps *ps)
{
	struct rc_lprop *l = parse_patom(ps);

	while (is_p(&ps->t, "/\\")) {
		struct rc_lprop *p = new_prop(ps, RC_LP_AND);

		next(ps);
		p->a = l;
		p->b = parse_patom(ps);
		l = p;
	}
	return l;
}

static struct rc_lprop *parse_disj(struct ps *ps)
{
	struct rc_lprop *l = parse_conj(ps);

	while (is_p(&ps->t, "\\/")) {
		struct rc_lprop *p = new_prop(ps, RC_LP_OR);

		next(ps);
		p->a = l;
		p->b = parse_conj(ps);
		l = p;
	}
	return l;
}

static struct rc_lprop *parse_prop(struct ps *ps)
{
	struct rc_lprop *l = parse_disj(ps);

	if (is_p(&ps->t, "=>")) {
		struct rc_lprop *p = new_prop(ps, RC_LP_IMPLIES);

		next(ps);
		p->a = l;
		if (++ps->depth > 200)
			fail_at(ps, ps->t.line, ps->t.col,
				"condition nested too deeply");
		p->b = parse_prop(ps);
		ps->depth--;
		l = p;
	}
	return l;
}

static void parse_condition(struct ps *ps)
{
	rc_litmus_t *lt = ps->lt;

	if (is_id(&ps->t, "locations")) {
		next(ps);
		expect_p(ps, "[");
		lt->has_locations = 1;
		while (!is_p(&ps->t, "]")) {
			struct rc_lvar v = parse_var(ps, false);

			PUSH(ps, lt->locations, lt->nlocations, v);
			if (is_p(&ps->t, ";"))
				next(ps);
			else if (!is_p(&ps->t, "]"))
				expected(ps, "';' or ']'");
		}
		next(ps);
	}
	if (is_p(&ps->t, "~")) {
		next(ps);
		if (!is_id(&ps->t, "exists"))
			expected(ps, "'exists' after '~'");
		lt->quant = RC_LQ_NOT_EXISTS;
	} else if (is_id(&ps->t, "exists")) {
		lt->quant = RC_LQ_EXISTS;
	} else if (is_id(&ps->t, "forall")) {
		lt->quant = RC_LQ_FORALL;
	} else {
		expected(ps, "a condition ('exists', '~exists' or 'forall')");
	}
	next(ps);
	lt->prop = parse_prop(ps);
	if (is_p(&ps->t, ";"))
		next(ps);
	if (ps->t.k != TK_EOF)
		expected(ps, "end of input after the condition");
}

int rc_litmus_parse(const char *text, size_t len, const char *fname,
		    rc_litmus_t **out, rc_err_t *err)
{
	struct ps *ps;
	struct _rc_arena *a;
	int rc;

	*out = NULL;
	a = _rc_arena_new();
	ps = calloc(1, sizeof(*ps));
	if (!a || !ps) {
		free(ps);
		_rc_arena_free(a);
		return rc_err_set(err, RC_ENOMEM, fname, 0, 0, "out of memory");
	}
	ps->text = text;
	ps->len = len;
	ps->fname = fname ? fname : "<input>";
	ps->lp.line = ps->lp.col = 1;
	ps->err = err;
	ps->a = a;
	ps->ocaml = true;
	if ((rc = setjmp(ps->jb)) != 0) {
		rc = rc == 2 ? -RC_ENOMEM : -RC_EINVAL;
		_rc_arena_free(a);
		free(ps);
		return rc;
	}
	ps->lt = alloc(ps, sizeof(rc_litmus_t));
	ps->lt->_arena = a;
	for (size_t i = 0; i < len; i++)
		if (text[i] == '\0') {
			unsigned line = 1, col = 1;

			for (size_t j = 0; j < i; j++) {
				if (text[j] == '\n') {
					line++;
					col = 1;
				} else {
					col++;
				}
			}
			fail_at(ps, line, col, "expected text, got a NUL byte");
		}
	parse_header(ps);
	parse_init(ps);
	if (ps->lt->arch == RC_LITMUS_X86)
		parse_x86_threads(ps);
	else
		parse_c_threads(ps);
	parse_condition(ps);
	*out = ps->lt;
	free(ps);
	return 0;
}

int rc_litmus_parse_file(const char *path, rc_litmus_t **out, rc_err_t *err)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int rc;

	*out = NULL;
	if (!f)
		return rc_err_set(err, RC_ENOENT, path, 0, 0, "cannot open: %s",
				  strerror(errno));
	for (;;) {
		size_t r;

		if (cap - len < 4096) {
			char *nb;

			cap = cap ? 2 * cap : 8192;
			nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				fclose(f);
				return rc_err_set(err, RC_ENOMEM, path, 0, 0,
						  "out of memory");
			}
			buf = nb;
		}
		r = fread(buf + len, 1, cap - len, f);
		len += r;
		if (r == 0)
			break;
	}
	if (ferror(f)) {
		free(buf);
		fclose(f);
		return rc_err_set(err, RC_ENOENT, path, 0, 0, "cannot read");
	}
	fclose(f);
	rc = rc_litmus_parse(buf, len, path, out, err);
	free(buf);
	return rc;
}

void rc_litmus_free(rc_litmus_t *t)
{
	if (t)
		_rc_arena_free(t->_arena);
}
