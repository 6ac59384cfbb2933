/* fuzz_spdx.c - the SPDX expression parser and evaluator (spdx.c).
 *
 * Input: an expression.  It is parsed into a tree and evaluated against a
 * fixed target; the two entry points share one parser, so they must agree
 * on what parses.  Two oracles check the result:
 *   - evaluating the tree here (AND: most restrictive, OR: least, leftmost
 *     on ties) gives the level, rule and identifier lg_spdx_evaluate() says;
 *   - the tree printed fully parenthesized parses back to the same print.
 */
#include <string.h>

#include "fuzz_common.h"
#include "spdx.h"
#include "util.h"

static const char RULES[] =
	"class permissive\nclass copyleft\nclass proprietary\n"
	"target t allow permissive deny proprietary copyleft unknown warn\n"
	"license MIT Apache-2.0 BSD-* ISC permissive\n"
	"license GPL-* LGPL-*+ AGPL-3.0* copyleft\n"
	"license BUSL-1.1 LicenseRef-* DocumentRef-*:LicenseRef-* proprietary\n";

static lg_rules *rules;
static const lg_target *target;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	lg_error err = LG_ERROR_INIT;
	if (lg_rules_parse("spdx.rules", RULES, sizeof RULES - 1, &rules, &err) < 0) {
		fprintf(stderr, "%s\n", lg_error_msg(&err));
		abort();
	}
	target = lg_rules_target(rules, "t");
	FUZZ_CHECK(target != NULL);
	return 0;
}

static void eval_leaf(const lg_spdx_node *n, lg_spdx_eval *out)
{
	memset(out, 0, sizeof *out);
	out->rule = lg_rules_match_license(rules, n->id, strlen(n->id));
	out->level = out->rule ? lg_target_class_level(target, out->rule->class_name)
			       : LG_LEVEL_UNKNOWN;
	snprintf(out->id, sizeof out->id, "%s%s", n->id, n->or_later ? "+" : "");
}

/* The oracle: what lg_spdx_evaluate() must find.  A chain "a AND b AND
 * c..." is a left-deep tree as long as the input, so the left spine is
 * walked with a stack of our own; recursion into right children is
 * bounded by the parenthesis limit. */
static void eval_tree(const lg_spdx_node *n, lg_spdx_eval *out)
{
	const lg_spdx_node **spine = NULL;
	size_t ns = 0, cap = 0;
	for (; n->kind != LG_SPDX_LICENSE; n = n->left) {
		lg_xgrow((void **)&spine, &cap, ns + 1, sizeof *spine);
		spine[ns++] = n;
	}
	eval_leaf(n, out);
	while (ns > 0) {
		const lg_spdx_node *op = spine[--ns];
		lg_spdx_eval r;
		eval_tree(op->right, &r);
		if (op->kind == LG_SPDX_AND ? r.level > out->level : r.level < out->level)
			*out = r;
	}
	free(spine);
}

/* Depth of the tree, iterating along left spines as above. */
static size_t depth(const lg_spdx_node *n)
{
	size_t d = 0, best = 0;
	for (; n->kind != LG_SPDX_LICENSE; n = n->left, d++) {
		size_t r = d + 1 + depth(n->right);
		if (r > best)
			best = r;
	}
	return d > best ? d : best;
}

static void print(const lg_spdx_node *n, lg_buf *b)
{
	if (n->kind == LG_SPDX_LICENSE) {
		lg_buf_appendf(b, "%s%s", n->id, n->or_later ? "+" : "");
		if (n->exception)
			lg_buf_appendf(b, " WITH %s", n->exception);
		return;
	}
	lg_buf_putc(b, '(');
	print(n->left, b);
	lg_buf_appendf(b, " %s ", n->kind == LG_SPDX_AND ? "AND" : "OR");
	print(n->right, b);
	lg_buf_putc(b, ')');
}

static void check_round_trip(const lg_spdx_node *tree)
{
	if (depth(tree) >= 60) /* the print nests one '(' per level */
		return;
	lg_buf a = LG_BUF_INIT, b = LG_BUF_INIT;
	print(tree, &a);
	lg_spdx_node *again = NULL;
	lg_error err = LG_ERROR_INIT;
	if (lg_spdx_parse(a.data, a.len, &again, &err) < 0) {
		fprintf(stderr, "%s: %s\n", a.data, lg_error_msg(&err));
		FUZZ_CHECK(!"the printed tree parses");
	}
	print(again, &b);
	FUZZ_CHECK(a.len == b.len && memcmp(a.data, b.data, a.len) == 0);
	lg_spdx_free(again);
	lg_buf_free(&a);
	lg_buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	lg_spdx_node *tree = NULL;
	lg_error perr = LG_ERROR_INIT, eerr = LG_ERROR_INIT;
	lg_spdx_eval got;
	int p = lg_spdx_parse(s, size, &tree, &perr);
	int e = lg_spdx_evaluate(s, size, rules, target, &got, &eerr);
	FUZZ_CHECK(p == e);
	if (p < 0) {
		FUZZ_CHECK(strcmp(lg_error_msg(&perr), lg_error_msg(&eerr)) == 0);
		lg_error_clear(&perr);
		lg_error_clear(&eerr);
		return 0;
	}
	lg_spdx_eval want;
	eval_tree(tree, &want);
	FUZZ_CHECK(got.level == want.level);
	FUZZ_CHECK(got.rule == want.rule);
	FUZZ_CHECK(strcmp(got.id, want.id) == 0);
	check_round_trip(tree);
	lg_spdx_free(tree);
	return 0;
}
