/* spdx.h - SPDX license expressions (SPDX 2.3 Annex D, SPDX 3): parse and
 * evaluate against a publication target.
 *
 * Ownership: lg_spdx_parse() returns a tree the caller frees with
 * lg_spdx_free(); lg_spdx_evaluate() allocates nothing the caller keeps
 * (out->id points into out itself, out->rule into the rules).
 */
#ifndef LICGATE_SPDX_H
#define LICGATE_SPDX_H

#include <stddef.h>

#include "error.h"
#include "rules.h"

enum lg_spdx_kind {
	LG_SPDX_LICENSE, /* id, or_later; exception set when WITH */
	LG_SPDX_AND,
	LG_SPDX_OR,
};

typedef struct lg_spdx_node {
	enum lg_spdx_kind kind;
	char *id;        /* LICENSE: identifier as written (LicenseRef-..., DocumentRef-x:LicenseRef-y) */
	int or_later;    /* LICENSE: written with a trailing '+' */
	char *exception; /* LICENSE: the exception after WITH, or NULL */
	struct lg_spdx_node *left, *right; /* AND / OR */
} lg_spdx_node;

/* Parse expr[0..len).  On a malformed expression returns -1 with err saying
 * what is wrong and at which column. */
int lg_spdx_parse(const char *expr, size_t len, lg_spdx_node **out,
		  lg_error *err);
void lg_spdx_free(lg_spdx_node *node);

/* The result of evaluating an expression for one target. */
typedef struct lg_spdx_eval {
	enum lg_level level;     /* ALLOW, UNKNOWN or DENY */
	const lg_rule *rule;     /* license rule of the deciding identifier; NULL when unmapped */
	char id[128];            /* the deciding identifier as written (truncated) */
} lg_spdx_eval;

/* Evaluate expr against target: each identifier maps through the last
 * matching license rule to a class and the target's level for it (no rule:
 * UNKNOWN); WITH keeps the license's level; '+' is allowed; OR takes the
 * least restrictive side, AND the most restrictive; on ties the leftmost
 * side decides.  Returns -1 with err set when expr does not parse. */
int lg_spdx_evaluate(const char *expr, size_t len, const lg_rules *rules,
		     const lg_target *target, lg_spdx_eval *out, lg_error *err);

#endif
