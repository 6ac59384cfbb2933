/* spdx_tool.c - licgate's SPDX expression parser and evaluator on the
 * command line, for the differential tests in tests/spdx-diff/.
 *
 * Usage: spdx_tool parse
 *        spdx_tool satisfies ID[,ID...]
 *
 * Reads one expression per line on stdin (the '\n' is not part of it) and
 * prints one line per expression on stdout:
 *
 *   parse       the tree lg_spdx_parse() builds, in the shape of the npm
 *               package spdx-expression-parse: {"license":"MIT"},
 *               {"license":"GPL-2.0","plus":true},
 *               {"license":"X","exception":"Y"},
 *               {"left":...,"conjunction":"and"|"or","right":...};
 *               or {"error":"MESSAGE"} when the expression does not parse.
 *   satisfies   "true" when lg_spdx_evaluate() gives ALLOW for a target
 *               that allows exactly the listed identifiers (each one a
 *               license rule mapping it to an allowed class; every other
 *               identifier has no rule, so it is unknown), "false" for any
 *               other level, "error: MESSAGE" when it does not parse.
 *
 * Exit status: 0 when every line was handled (parse errors included), 2 on
 * bad usage, a rules list licgate rejects, or an output error.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"
#include "spdx.h"
#include "util.h"

/* Trees deeper than this are reported instead of printed: the conversion
 * below recurses, and the differential tests never get near it. */
#define TOOL_MAX_DEPTH 10000

/* The tree n in spdx-expression-parse's shape (new reference), or NULL when
 * it is deeper than TOOL_MAX_DEPTH. */
static json_t *tree_json(const lg_spdx_node *n, unsigned depth)
{
	if (depth > TOOL_MAX_DEPTH)
		return NULL;
	json_t *o = json_object();
	if (n->kind == LG_SPDX_LICENSE) {
		json_object_set_new(o, "license", json_string(n->id));
		if (n->or_later)
			json_object_set_new(o, "plus", json_true());
		if (n->exception)
			json_object_set_new(o, "exception",
					    json_string(n->exception));
		return o;
	}
	json_t *l = tree_json(n->left, depth + 1);
	json_t *r = l ? tree_json(n->right, depth + 1) : NULL;
	if (!l || !r) {
		json_decref(l);
		json_decref(o);
		return NULL;
	}
	json_object_set_new(o, "left", l);
	json_object_set_new(o, "conjunction",
			    json_string(n->kind == LG_SPDX_AND ? "and" : "or"));
	json_object_set_new(o, "right", r);
	return o;
}

/* Print one JSON value on its own line.  Strings from the parser are bytes
 * of the expression, which may not be UTF-8: jansson refuses those
 * (json_string() returns NULL), so they never reach here unchecked. */
static int print_json(json_t *j)
{
	cleanup_free char *s = json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII);
	if (!s)
		return -1;
	return puts(s) == EOF ? -1 : 0;
}

static int do_parse(const char *expr, size_t len)
{
	lg_error err = LG_ERROR_INIT;
	lg_spdx_node *tree = NULL;
	json_auto_t *out = NULL;
	if (lg_spdx_parse(expr, len, &tree, &err) < 0) {
		/* The message quotes at most one byte of the input, escaped
		 * when it is not printable ASCII, so it is valid UTF-8. */
		out = json_pack("{s:s}", "error", lg_error_msg(&err));
		lg_error_clear(&err);
	} else {
		out = tree_json(tree, 0);
		lg_spdx_free(tree);
		if (!out)
			out = json_pack("{s:s}", "error",
					"spdx_tool: tree too deep to print");
	}
	/* json_string() is NULL for an identifier that is not UTF-8; the
	 * parser only accepts ASCII identifiers, so this means a bug. */
	if (!out)
		out = json_pack("{s:s}", "error",
				"spdx_tool: identifier not representable in JSON");
	return print_json(out);
}

static int do_satisfies(const char *expr, size_t len, const lg_rules *rules,
			const lg_target *target)
{
	lg_error err = LG_ERROR_INIT;
	lg_spdx_eval ev;
	int rc;
	if (lg_spdx_evaluate(expr, len, rules, target, &ev, &err) < 0) {
		rc = printf("error: %s\n", lg_error_msg(&err));
		lg_error_clear(&err);
	} else {
		rc = puts(ev.level == LG_LEVEL_ALLOW ? "true" : "false");
	}
	return rc < 0 ? -1 : 0;
}

/* Rules that allow exactly the identifiers of the comma-separated list:
 * one class "allowed", one target "t" allowing it, one license rule per
 * identifier.  Returns NULL (after a message) when licgate rejects them. */
static lg_rules *rules_for(const char *list)
{
	lg_buf b = LG_BUF_INIT;
	lg_buf_appendf(&b, "class allowed \"the approved licenses\"\n"
			   "target t allow allowed unknown warn\n");
	cleanup_free char *copy = lg_xstrdup(list);
	char *save = NULL;
	for (char *id = strtok_r(copy, ",", &save); id;
	     id = strtok_r(NULL, ",", &save))
		lg_buf_appendf(&b, "license %s allowed\n", id);
	lg_rules *rules = NULL;
	lg_error err = LG_ERROR_INIT;
	int rc = lg_rules_parse("spdx_tool", b.data, b.len, &rules, &err);
	lg_buf_free(&b);
	if (rc < 0) {
		fprintf(stderr, "spdx_tool: %s\n", lg_error_msg(&err));
		lg_error_clear(&err);
		return NULL;
	}
	return rules;
}

static void usage(void)
{
	fputs("usage: spdx_tool parse < EXPRESSIONS\n"
	      "       spdx_tool satisfies ID[,ID...] < EXPRESSIONS\n",
	      stderr);
}

int main(int argc, char **argv)
{
	lg_rules *rules = NULL;
	const lg_target *target = NULL;
	if (argc == 2 && strcmp(argv[1], "parse") == 0) {
		/* nothing to set up */
	} else if (argc == 3 && strcmp(argv[1], "satisfies") == 0) {
		rules = rules_for(argv[2]);
		if (!rules)
			return 2;
		target = lg_rules_target(rules, "t");
	} else {
		usage();
		return 2;
	}

	cleanup_free char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc = 0;
	while (rc == 0 && (n = getline(&line, &cap, stdin)) >= 0) {
		size_t len = (size_t)n;
		if (len > 0 && line[len - 1] == '\n')
			len--;
		rc = rules ? do_satisfies(line, len, rules, target) :
			     do_parse(line, len);
	}
	lg_rules_free(rules);
	if (ferror(stdin)) {
		perror("spdx_tool: stdin");
		return 2;
	}
	if (rc < 0 || fclose(stdout) != 0) {
		perror("spdx_tool: stdout");
		return 2;
	}
	return 0;
}
