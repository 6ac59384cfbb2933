/* test_spdx.c - SPDX license expressions: parse trees, every error message,
 * hostile input, and evaluation against real rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rules.h"
#include "spdx.h"
#include "util.h"

/* ---- helpers ---- */

/* Canonical, fully parenthesized form of a tree: "(A AND (B WITH E))". */
static void print_tree(lg_buf *b, const lg_spdx_node *n)
{
	if (n->kind == LG_SPDX_LICENSE) {
		if (n->exception)
			lg_buf_putc(b, '(');
		lg_buf_appendf(b, "%s%s", n->id, n->or_later ? "+" : "");
		if (n->exception)
			lg_buf_appendf(b, " WITH %s)", n->exception);
		return;
	}
	lg_buf_putc(b, '(');
	print_tree(b, n->left);
	lg_buf_appendf(b, " %s ", n->kind == LG_SPDX_AND ? "AND" : "OR");
	print_tree(b, n->right);
	lg_buf_putc(b, ')');
}

/* Parse expr (len bytes) and return its canonical form (caller frees), or
 * NULL with *msg set to a copy of the error. */
static char *parse_str(const char *expr, size_t len, char **msg)
{
	lg_error err = LG_ERROR_INIT;
	lg_spdx_node *tree = (lg_spdx_node *)0x1;
	*msg = NULL;
	if (lg_spdx_parse(expr, len, &tree, &err) < 0) {
		assert_ptr_equal(tree, (lg_spdx_node *)0x1); /* untouched */
		assert_non_null(err.msg);
		*msg = lg_xstrdup(err.msg);
		lg_error_clear(&err);
		return NULL;
	}
	assert_null(err.msg);
	assert_non_null(tree);
	lg_buf b = LG_BUF_INIT;
	print_tree(&b, tree);
	lg_spdx_free(tree);
	return lg_buf_steal(&b);
}

/* A string of n copies of unit, NUL-terminated (caller frees). */
static char *repeat(const char *unit, size_t n)
{
	size_t ul = strlen(unit);
	char *s = lg_xmalloc(ul * n + 1);
	for (size_t i = 0; i < n; i++)
		memcpy(s + i * ul, unit, ul);
	s[ul * n] = '\0';
	return s;
}

/* ---- valid expressions ---- */

static const struct {
	const char *expr;
	const char *tree;
} valid_cases[] = {
	{ "MIT", "MIT" },
	{ "  MIT\t", "MIT" },
	{ "GPL-2.0+", "GPL-2.0+" },
	{ "GPL-2.0-or-later", "GPL-2.0-or-later" },
	{ "((MIT))", "MIT" },
	/* precedence: + > WITH > AND > OR; AND and OR left-associative */
	{ "A OR B AND C", "(A OR (B AND C))" },
	{ "A OR (B AND C)", "(A OR (B AND C))" },
	{ "A AND B OR C", "((A AND B) OR C)" },
	{ "(A OR B) AND C", "((A OR B) AND C)" },
	{ "A AND B OR C AND D", "((A AND B) OR (C AND D))" },
	{ "A OR B OR C", "((A OR B) OR C)" },
	{ "A AND B AND C", "((A AND B) AND C)" },
	{ "A OR (B OR C)", "(A OR (B OR C))" },
	{ "A WITH E AND B", "((A WITH E) AND B)" },
	{ "A OR B WITH E", "(A OR (B WITH E))" },
	{ "GPL-2.0+ WITH Classpath-exception-2.0",
	  "(GPL-2.0+ WITH Classpath-exception-2.0)" },
	{ "GPL-2.0-only WITH Classpath-exception-2.0 OR MIT AND BSD-3-Clause",
	  "((GPL-2.0-only WITH Classpath-exception-2.0) OR (MIT AND BSD-3-Clause))" },
	/* SPDX 3: all-lower-case operators; identifiers kept as written */
	{ "mit or apache-2.0 and bsd-2-clause",
	  "(mit OR (apache-2.0 AND bsd-2-clause))" },
	{ "gpl-2.0+ with classpath-exception-2.0",
	  "(gpl-2.0+ WITH classpath-exception-2.0)" },
	{ "A and B OR C", "((A AND B) OR C)" },
	/* words that merely contain operator letters */
	{ "ORG OR ANDROID OR WITHER", "((ORG OR ANDROID) OR WITHER)" },
	/* references */
	{ "LicenseRef-Acme-1.0", "LicenseRef-Acme-1.0" },
	{ "licenseref-acme", "licenseref-acme" },
	{ "DocumentRef-spdx-tool-1.2:LicenseRef-MIT-Style-2",
	  "DocumentRef-spdx-tool-1.2:LicenseRef-MIT-Style-2" },
	{ "MIT WITH AdditionRef-my-exception",
	  "(MIT WITH AdditionRef-my-exception)" },
	{ "MIT WITH DocumentRef-d:AdditionRef-e",
	  "(MIT WITH DocumentRef-d:AdditionRef-e)" },
	{ "LicenseRef-x WITH AdditionRef-y", "(LicenseRef-x WITH AdditionRef-y)" },
	/* whitespace is optional next to parentheses, any kind elsewhere */
	{ "(MIT)AND(ISC)", "(MIT AND ISC)" },
	{ "MIT\tAND\r\nISC", "(MIT AND ISC)" },
	{ "( MIT OR ISC )", "(MIT OR ISC)" },
};

static void test_valid(void **state)
{
	(void)state;
	for (size_t i = 0; i < LG_ARRAY_LEN(valid_cases); i++) {
		char *msg;
		const char *e = valid_cases[i].expr;
		char *got = parse_str(e, strlen(e), &msg);
		if (!got)
			fail_msg("'%s': unexpected error: %s", e, msg);
		if (strcmp(got, valid_cases[i].tree) != 0)
			fail_msg("'%s': got %s, want %s", e, got,
				 valid_cases[i].tree);
		free(got);
	}
}

/* The node fields: id without '+', or_later, exception, children. */
static void test_node_fields(void **state)
{
	(void)state;
	lg_error err = LG_ERROR_INIT;
	lg_spdx_node *t = NULL;
	const char *e = "GPL-2.0+ WITH Classpath-exception-2.0 OR MIT";
	assert_int_equal(lg_spdx_parse(e, strlen(e), &t, &err), 0);
	assert_int_equal(t->kind, LG_SPDX_OR);
	assert_null(t->id);
	const lg_spdx_node *l = t->left, *r = t->right;
	assert_int_equal(l->kind, LG_SPDX_LICENSE);
	assert_string_equal(l->id, "GPL-2.0");
	assert_true(l->or_later);
	assert_string_equal(l->exception, "Classpath-exception-2.0");
	assert_null(l->left);
	assert_null(l->right);
	assert_string_equal(r->id, "MIT");
	assert_false(r->or_later);
	assert_null(r->exception);
	lg_spdx_free(t);
	lg_spdx_free(NULL);
}

/* Only len bytes are read: no NUL terminator needed. */
static void test_length_bounded(void **state)
{
	(void)state;
	char *msg;
	char *got = parse_str("MIT OR ISC garbage%%", 10, &msg);
	assert_non_null(got);
	assert_string_equal(got, "(MIT OR ISC)");
	free(got);
	got = parse_str(NULL, 0, &msg);
	assert_null(got);
	assert_string_equal(msg, "empty expression");
	free(msg);
}

/* 64 levels of parentheses are fine; the 65th is refused. */
static void test_depth_limit(void **state)
{
	(void)state;
	char *open = repeat("(", 64), *close = repeat(")", 64);
	char *e = lg_xasprintf("%sMIT%s", open, close), *msg;
	char *got = parse_str(e, strlen(e), &msg);
	assert_non_null(got);
	assert_string_equal(got, "MIT");
	free(got);
	free(e);
	e = lg_xasprintf("(%sMIT%s)", open, close);
	assert_null(parse_str(e, strlen(e), &msg));
	assert_string_equal(msg,
			    "parentheses nested deeper than 64 levels at column 65");
	free(msg);
	free(e);
	free(open);
	free(close);
}

/* ---- errors: one distinct message per mistake, with the column ---- */

static const struct {
	const char *expr;
	size_t len; /* 0: strlen(expr) */
	const char *msg;
} error_cases[] = {
	{ "", 0, "empty expression" },
	{ " \t\r\n ", 0, "empty expression" },
	{ "MIT AND", 0, "unexpected end of expression at column 8" },
	{ "(MIT OR ", 0, "unexpected end of expression at column 9" },
	{ "MIT AND )", 0, "expected a license identifier at column 9" },
	{ "MIT OR OR ISC", 0, "expected a license identifier at column 8" },
	{ "AND MIT", 0, "expected a license identifier at column 1" },
	{ "or MIT", 0, "expected a license identifier at column 1" },
	{ "WITH E", 0, "expected a license identifier at column 1" },
	{ "()", 0, "expected a license identifier at column 2" },
	{ ")", 0, "expected a license identifier at column 1" },
	{ "(MIT", 0, "unbalanced parenthesis: '(' at column 1 is not closed" },
	{ "((MIT)", 0, "unbalanced parenthesis: '(' at column 1 is not closed" },
	{ "MIT AND (ISC OR (A)", 0,
	  "unbalanced parenthesis: '(' at column 9 is not closed" },
	{ "MIT)", 0, "unbalanced parenthesis: ')' at column 4 has no matching '('" },
	{ "(MIT))", 0, "unbalanced parenthesis: ')' at column 6 has no matching '('" },
	{ "+", 0, "'+' must follow a license identifier at column 1" },
	{ "MIT +", 0, "'+' must follow a license identifier at column 5" },
	{ "MIT++", 0, "'+' must follow a license identifier at column 5" },
	{ "MIT OR +", 0, "'+' must follow a license identifier at column 8" },
	{ "(MIT)+", 0, "'+' must follow a license identifier at column 6" },
	{ "MIT AND+ ISC", 0, "'+' must follow a license identifier at column 8" },
	{ "MIT WITH E+", 0, "'+' must follow a license identifier at column 11" },
	{ "LicenseRef-a+", 0, "'+' cannot follow a LicenseRef at column 13" },
	{ "MIT WITH", 0, "WITH must be followed by an exception at column 9" },
	{ "MIT WITH OR ISC", 0, "WITH must be followed by an exception at column 10" },
	{ "MIT WITH (E)", 0, "WITH must be followed by an exception at column 10" },
	{ "MIT WITH +", 0, "WITH must be followed by an exception at column 10" },
	{ "(MIT) WITH E", 0, "WITH must follow a license identifier at column 7" },
	{ "MIT WITH E WITH F", 0,
	  "a license takes only one exception: second WITH at column 12" },
	{ "MIT ISC", 0, "expected an operator at column 5" },
	{ "MIT (ISC)", 0, "expected an operator at column 5" },
	{ "(MIT ISC)", 0, "expected an operator at column 6" },
	{ "(MIT) (ISC)", 0, "expected an operator at column 7" },
	{ "MIT % ISC", 0, "invalid character '%' at column 5" },
	{ "MIT/ISC", 0, "invalid character '/' at column 4" },
	{ "MIT,ISC", 0, "invalid character ',' at column 4" },
	{ "MIT\x01", 0, "invalid character '\\x01' at column 4" },
	{ "MIT OR \xc3\xa9", 0, "invalid character '\\xc3' at column 8" },
	{ "MIT\0ISC", 7, "invalid character '\\x00' at column 4" },
	{ "\xff", 0, "invalid character '\\xff' at column 1" },
	{ "MIT And ISC", 0,
	  "operator in mixed case 'And' at column 5 (write AND or and)" },
	{ "MIT oR ISC", 0, "operator in mixed case 'oR' at column 5 (write OR or or)" },
	{ "MIT With E", 0,
	  "operator in mixed case 'With' at column 5 (write WITH or with)" },
	{ "LicenseRef-", 0,
	  "malformed license reference at column 1 (expected LicenseRef-ID or DocumentRef-ID:LicenseRef-ID)" },
	{ "DocumentRef-d", 0,
	  "malformed license reference at column 1 (expected LicenseRef-ID or DocumentRef-ID:LicenseRef-ID)" },
	{ "MIT OR DocumentRef-d:MIT", 0,
	  "malformed license reference at column 8 (expected LicenseRef-ID or DocumentRef-ID:LicenseRef-ID)" },
	{ "DocumentRef-:LicenseRef-x", 0,
	  "malformed license reference at column 1 (expected LicenseRef-ID or DocumentRef-ID:LicenseRef-ID)" },
	{ "DocumentRef-d:LicenseRef-x:y", 0,
	  "malformed license reference at column 1 (expected LicenseRef-ID or DocumentRef-ID:LicenseRef-ID)" },
	{ "MIT:ISC", 0,
	  "malformed license reference at column 1 (expected LicenseRef-ID or DocumentRef-ID:LicenseRef-ID)" },
	{ ":", 0,
	  "malformed license reference at column 1 (expected LicenseRef-ID or DocumentRef-ID:LicenseRef-ID)" },
	{ "AdditionRef-x", 0,
	  "an AdditionRef is an exception, not a license, at column 1" },
	{ "DocumentRef-d:AdditionRef-x", 0,
	  "an AdditionRef is an exception, not a license, at column 1" },
	{ "MIT WITH LicenseRef-x", 0,
	  "a LicenseRef is a license, not an exception, at column 10" },
	{ "MIT WITH AdditionRef-", 0,
	  "malformed exception reference at column 10 (expected AdditionRef-ID or DocumentRef-ID:AdditionRef-ID)" },
	{ "MIT WITH DocumentRef-d:E", 0,
	  "malformed exception reference at column 10 (expected AdditionRef-ID or DocumentRef-ID:AdditionRef-ID)" },
};

static void test_errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < LG_ARRAY_LEN(error_cases); i++) {
		const char *e = error_cases[i].expr;
		size_t len = error_cases[i].len ? error_cases[i].len : strlen(e);
		char *msg;
		char *got = parse_str(e, len, &msg);
		if (got)
			fail_msg("case %zu: parsed as %s, want error '%s'", i,
				 got, error_cases[i].msg);
		if (strcmp(msg, error_cases[i].msg) != 0)
			fail_msg("case %zu: got '%s', want '%s'", i, msg,
				 error_cases[i].msg);
		free(msg);
	}
}

/* ---- hostile input ---- */

/* 100k '(' fails at the 65th, without recursing 100k deep. */
static void test_hostile_parens(void **state)
{
	(void)state;
	char *e = repeat("(", 100000), *msg;
	assert_null(parse_str(e, strlen(e), &msg));
	assert_string_equal(msg,
			    "parentheses nested deeper than 64 levels at column 65");
	free(msg);
	free(e);
}

/* A 100k-term chain is a 100k-deep tree: parse and free must not recurse
 * along it. */
static void test_long_chain(void **state)
{
	(void)state;
	lg_error err = LG_ERROR_INIT;
	char *body = repeat("MIT AND ISC OR ", 50000);
	char *e = lg_xasprintf("%sMIT", body);
	lg_spdx_node *t = NULL;
	assert_int_equal(lg_spdx_parse(e, strlen(e), &t, &err), 0);
	assert_int_equal(t->kind, LG_SPDX_OR);
	lg_spdx_free(t);
	free(e);
	free(body);
}

/* xorshift64: deterministic, so a failure reproduces. */
static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static const char *const fuzz_tokens[] = {
	"MIT", "BUSL-1.1", "ISC", "GPL-2.0", "LicenseRef-Acme-Z",
	"DocumentRef-d:LicenseRef-x", "AdditionRef-a", "E", "AND", "OR",
	"WITH", "and", "or", "with", "And", "(", ")", "+", " ", " ", ":",
};

/* Random input: raw bytes of any value, or a soup of tokens that often
 * forms a valid expression.  Returns the length written to buf. */
static size_t fuzz_input(uint64_t *s, char *buf, size_t cap)
{
	size_t n = 0, want = rnd(s) % 48;
	bool raw = rnd(s) % 4 == 0;
	while (n < want) {
		if (raw) {
			buf[n++] = (char)(rnd(s) & 0xff);
			continue;
		}
		const char *t = fuzz_tokens[rnd(s) % LG_ARRAY_LEN(fuzz_tokens)];
		size_t tl = strlen(t);
		if (n + tl + 1 > cap)
			break;
		memcpy(buf + n, t, tl);
		n += tl;
		if (rnd(s) % 3)
			buf[n++] = ' ';
	}
	return n;
}

/* Random input never crashes; a parsed tree prints back to an expression
 * that parses to the same tree. */
static void test_fuzz(void **state)
{
	(void)state;
	uint64_t seed = 0x9e3779b97f4a7c15u;
	size_t ok = 0;
	for (int i = 0; i < 5000; i++) {
		char buf[512], *msg;
		size_t n = fuzz_input(&seed, buf, sizeof(buf));
		char *got = parse_str(buf, n, &msg);
		if (!got) {
			assert_true(msg[0] != '\0');
			free(msg);
			continue;
		}
		ok++;
		char *again = parse_str(got, strlen(got), &msg);
		if (!again)
			fail_msg("'%s' does not reparse: %s", got, msg);
		assert_string_equal(again, got);
		free(again);
		free(got);
	}
	/* the token soup must exercise the success path too */
	assert_true(ok > 100);
}

/* ---- evaluation ---- */

static const char eval_rules[] =
	"class MIT \"c\"\n"
	"class BSL \"e\"\n"
	"class tp \"t\"\n"
	"target dockerhub allow MIT tp deny BSL unknown warn\n"
	"license BUSL-1.1 BSL\n"
	"license LicenseRef-Acme-* BSL\n"
	"license MIT MIT\n"
	"license ISC Apache-2.0 tp\n";

struct eval_fixture {
	lg_rules *rules;
	const lg_target *target;
};

static int eval_setup(void **state)
{
	lg_error err = LG_ERROR_INIT;
	struct eval_fixture *f = lg_xcalloc(1, sizeof(*f));
	if (lg_rules_parse("test.rules", eval_rules, strlen(eval_rules),
			   &f->rules, &err) < 0) {
		print_error("rules: %s\n", lg_error_msg(&err));
		lg_error_clear(&err);
		free(f);
		return -1;
	}
	f->target = lg_rules_target(f->rules, "dockerhub");
	if (!f->target) {
		lg_rules_free(f->rules);
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int eval_teardown(void **state)
{
	struct eval_fixture *f = *state;
	lg_rules_free(f->rules);
	free(f);
	return 0;
}

static const struct {
	const char *expr;
	enum lg_level level;
	const char *id;   /* deciding identifier as written */
	unsigned line;    /* its rule's line; 0: no rule */
} eval_cases[] = {
	{ "MIT", LG_LEVEL_ALLOW, "MIT", 7 },
	{ "MIT OR BUSL-1.1", LG_LEVEL_ALLOW, "MIT", 7 },
	{ "BUSL-1.1 OR MIT", LG_LEVEL_ALLOW, "MIT", 7 },
	{ "MIT AND BUSL-1.1", LG_LEVEL_DENY, "BUSL-1.1", 5 },
	{ "(MIT OR BUSL-1.1) AND BUSL-1.1", LG_LEVEL_DENY, "BUSL-1.1", 5 },
	{ "MIT OR BUSL-1.1 AND BUSL-1.1", LG_LEVEL_ALLOW, "MIT", 7 },
	{ "Apache-2.0 WITH LLVM-exception", LG_LEVEL_ALLOW, "Apache-2.0", 8 },
	{ "BUSL-1.1 WITH LLVM-exception", LG_LEVEL_DENY, "BUSL-1.1", 5 },
	{ "busl-1.1", LG_LEVEL_DENY, "busl-1.1", 5 },
	{ "LicenseRef-Acme-Pro", LG_LEVEL_DENY, "LicenseRef-Acme-Pro", 6 },
	{ "GPL-3.0-only", LG_LEVEL_UNKNOWN, "GPL-3.0-only", 0 },
	{ "MIT OR GPL-3.0-only", LG_LEVEL_ALLOW, "MIT", 7 },
	{ "GPL-3.0-only AND MIT", LG_LEVEL_UNKNOWN, "GPL-3.0-only", 0 },
	{ "GPL-3.0-only OR BUSL-1.1", LG_LEVEL_UNKNOWN, "GPL-3.0-only", 0 },
	{ "GPL-3.0-only AND BUSL-1.1", LG_LEVEL_DENY, "BUSL-1.1", 5 },
	/* '+' is ignored for matching but kept in the deciding id */
	{ "MIT+", LG_LEVEL_ALLOW, "MIT+", 7 },
	{ "BUSL-1.1+ OR GPL-2.0+", LG_LEVEL_UNKNOWN, "GPL-2.0+", 0 },
	/* ties: the leftmost side decides */
	{ "MIT AND ISC", LG_LEVEL_ALLOW, "MIT", 7 },
	{ "ISC AND MIT", LG_LEVEL_ALLOW, "ISC", 8 },
	{ "ISC OR MIT", LG_LEVEL_ALLOW, "ISC", 8 },
	{ "BUSL-1.1 OR LicenseRef-Acme-X", LG_LEVEL_DENY, "BUSL-1.1", 5 },
	{ "(MIT AND ISC) AND (Apache-2.0 OR MIT)", LG_LEVEL_ALLOW, "MIT", 7 },
	{ "mit and BUSL-1.1 or isc", LG_LEVEL_ALLOW, "isc", 8 },
	{ "DocumentRef-d:LicenseRef-Acme-1", LG_LEVEL_UNKNOWN,
	  "DocumentRef-d:LicenseRef-Acme-1", 0 },
};

static void test_evaluate(void **state)
{
	struct eval_fixture *f = *state;
	for (size_t i = 0; i < LG_ARRAY_LEN(eval_cases); i++) {
		lg_error err = LG_ERROR_INIT;
		lg_spdx_eval ev;
		const char *e = eval_cases[i].expr;
		if (lg_spdx_evaluate(e, strlen(e), f->rules, f->target, &ev,
				     &err) < 0)
			fail_msg("'%s': %s", e, lg_error_msg(&err));
		if (ev.level != eval_cases[i].level ||
		    strcmp(ev.id, eval_cases[i].id) != 0)
			fail_msg("'%s': got %s %s, want %s %s", e,
				 lg_level_name(ev.level), ev.id,
				 lg_level_name(eval_cases[i].level),
				 eval_cases[i].id);
		if (eval_cases[i].line == 0) {
			assert_null(ev.rule);
		} else {
			assert_non_null(ev.rule);
			assert_int_equal(ev.rule->kind, LG_RULE_LICENSE);
			assert_int_equal(ev.rule->line, eval_cases[i].line);
		}
	}
}

/* A malformed expression: -1, the parser's message, *out untouched. */
static void test_evaluate_malformed(void **state)
{
	struct eval_fixture *f = *state;
	lg_error err = LG_ERROR_INIT;
	lg_spdx_eval ev;
	memset(&ev, 0xa5, sizeof(ev));
	const char *e = "MIT AND (BUSL-1.1";
	assert_int_equal(lg_spdx_evaluate(e, strlen(e), f->rules, f->target,
					  &ev, &err),
			 -1);
	assert_string_equal(lg_error_msg(&err),
			    "unbalanced parenthesis: '(' at column 9 is not closed");
	assert_int_equal(((unsigned char *)&ev)[0], 0xa5);
	lg_error_clear(&err);
}

/* The deciding id is cut to fit out->id and stays NUL-terminated. */
static void test_evaluate_long_id(void **state)
{
	struct eval_fixture *f = *state;
	lg_error err = LG_ERROR_INIT;
	lg_spdx_eval ev;
	char *tail = repeat("x", 300);
	char *e = lg_xasprintf("LicenseRef-Acme-%s", tail);
	assert_int_equal(lg_spdx_evaluate(e, strlen(e), f->rules, f->target,
					  &ev, &err),
			 0);
	assert_int_equal(ev.level, LG_LEVEL_DENY);
	assert_int_equal(strlen(ev.id), sizeof(ev.id) - 1);
	assert_memory_equal(ev.id, e, sizeof(ev.id) - 1);
	free(e);
	free(tail);
}

/* Reference semantics on the tree, to check the parse-time fold: the
 * deciding leaf and its level. */
static const lg_spdx_node *eval_tree(const struct eval_fixture *f,
				     const lg_spdx_node *n,
				     enum lg_level *level)
{
	if (n->kind == LG_SPDX_LICENSE) {
		const lg_rule *r =
			lg_rules_match_license(f->rules, n->id, strlen(n->id));
		*level = r ? lg_target_class_level(f->target, r->class_name) :
			     LG_LEVEL_UNKNOWN;
		return n;
	}
	enum lg_level rl;
	const lg_spdx_node *l = eval_tree(f, n->left, level);
	const lg_spdx_node *r = eval_tree(f, n->right, &rl);
	if (n->kind == LG_SPDX_AND ? rl > *level : rl < *level) {
		*level = rl;
		return r;
	}
	return l;
}

/* lg_spdx_evaluate agrees with lg_spdx_parse on random input: the same
 * errors, and the level and id the tree gives. */
static void test_evaluate_fuzz(void **state)
{
	struct eval_fixture *f = *state;
	uint64_t seed = 0x2545f4914f6cdd1du;
	for (int i = 0; i < 5000; i++) {
		char buf[512];
		size_t n = fuzz_input(&seed, buf, sizeof(buf));
		lg_error e1 = LG_ERROR_INIT, e2 = LG_ERROR_INIT;
		lg_spdx_node *t = NULL;
		lg_spdx_eval ev;
		int r1 = lg_spdx_parse(buf, n, &t, &e1);
		int r2 = lg_spdx_evaluate(buf, n, f->rules, f->target, &ev, &e2);
		assert_int_equal(r1, r2);
		if (r1 < 0) {
			assert_string_equal(e1.msg, e2.msg);
			lg_error_clear(&e1);
			lg_error_clear(&e2);
			continue;
		}
		enum lg_level level;
		const lg_spdx_node *leaf = eval_tree(f, t, &level);
		char *id = lg_xasprintf("%s%s", leaf->id,
					leaf->or_later ? "+" : "");
		assert_int_equal(ev.level, level);
		assert_string_equal(ev.id, id);
		assert_ptr_equal(ev.rule,
				 lg_rules_match_license(f->rules, leaf->id,
							strlen(leaf->id)));
		free(id);
		lg_spdx_free(t);
	}
}

/* A 100k-term chain evaluates without recursing along it. */
static void test_evaluate_long_chain(void **state)
{
	struct eval_fixture *f = *state;
	lg_error err = LG_ERROR_INIT;
	lg_spdx_eval ev;
	char *body = repeat("MIT AND ISC OR ", 50000);
	char *e = lg_xasprintf("%sBUSL-1.1 AND GPL-3.0-only", body);
	assert_int_equal(lg_spdx_evaluate(e, strlen(e), f->rules, f->target,
					  &ev, &err),
			 0);
	assert_int_equal(ev.level, LG_LEVEL_ALLOW);
	assert_string_equal(ev.id, "MIT");
	free(e);
	free(body);
}

int main(void)
{
	const struct CMUnitTest parse_tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_node_fields),
		cmocka_unit_test(test_length_bounded),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_hostile_parens),
		cmocka_unit_test(test_long_chain),
		cmocka_unit_test(test_fuzz),
	};
	const struct CMUnitTest eval_tests[] = {
		cmocka_unit_test(test_evaluate),
		cmocka_unit_test(test_evaluate_malformed),
		cmocka_unit_test(test_evaluate_long_id),
		cmocka_unit_test(test_evaluate_fuzz),
		cmocka_unit_test(test_evaluate_long_chain),
	};
	int failed = cmocka_run_group_tests_name("spdx parse", parse_tests,
						 NULL, NULL);
	failed += cmocka_run_group_tests_name("spdx evaluate", eval_tests,
					      eval_setup, eval_teardown);
	return failed ? 1 : 0;
}
