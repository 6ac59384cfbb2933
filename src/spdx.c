/* spdx.c - see spdx.h.
 *
 * A recursive-descent parser for SPDX license expressions (SPDX 2.3 Annex D,
 * SPDX 3), precedence '+' > WITH > AND > OR, AND and OR left-associative:
 *
 *   or      := and { OR and }
 *   and     := with { AND with }
 *   with    := '(' or ')' | license [ WITH exception ]
 *   license := idstring ['+'] | [DocumentRef-idstring:]LicenseRef-idstring
 *   exception := idstring | [DocumentRef-idstring:]AdditionRef-idstring
 *
 * One parser serves both entry points: lg_spdx_parse() builds a tree, and
 * lg_spdx_evaluate() folds the levels while it parses, so evaluating an
 * expression (once per SPDX tag of every file) allocates nothing.
 *
 * Hostile input: every byte is checked against the token set, columns are
 * byte offsets, and recursion only grows with parentheses, which are limited
 * to LG_SPDX_MAX_DEPTH levels.  A long AND/OR chain becomes a left-deep tree
 * (its depth grows with its length), so lg_spdx_free() walks it without
 * recursion; other walkers should iterate along the left spine too.
 */
#include "spdx.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Deepest nesting of parentheses accepted. */
#define LG_SPDX_MAX_DEPTH 64

enum tok_kind {
	T_END,
	T_LPAREN,
	T_RPAREN,
	T_PLUS, /* a '+' that does not directly follow a license identifier */
	T_WORD, /* identifier, possibly with a ':' (DocumentRef-x:LicenseRef-y) */
	T_AND,
	T_OR,
	T_WITH,
};

struct token {
	enum tok_kind kind;
	size_t pos; /* offset of the first byte */
	size_t len; /* bytes of the token; a WORD's trailing '+' excluded */
	bool plus;  /* WORD written with '+' directly after it */
};

/* What a word is, after checking its reference prefixes. */
enum word_kind {
	W_BAD,      /* malformed reference */
	W_PLAIN,    /* idstring: a license or exception identifier */
	W_LICENSE,  /* [DocumentRef-x:]LicenseRef-y */
	W_ADDITION, /* [DocumentRef-x:]AdditionRef-y */
};

struct parser {
	const char *s;    /* the expression; not NUL-terminated */
	size_t len;
	size_t pos;       /* next byte to lex */
	struct token tok; /* current token */
	lg_error *err;
	bool eval;        /* fold levels instead of building a tree */
	const lg_rules *rules;   /* eval only */
	const lg_target *target; /* eval only */
};

/* A parsed sub-expression: a tree when building, the deciding leaf when
 * evaluating. */
struct term {
	lg_spdx_node *node;  /* build: owned tree */
	enum lg_level level; /* eval */
	const lg_rule *rule; /* eval: NULL when no rule maps the identifier */
	size_t id_pos;       /* eval: the deciding identifier, '+' included */
	size_t id_len;
};

/* 1-based column of byte offset pos, for messages. */
static size_t col(size_t pos)
{
	return pos + 1;
}

/* true for the bytes of an idstring: ALPHA / DIGIT / "-" / "." (ASCII only,
 * independent of the locale). */
static bool is_id_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '.';
}

static bool is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	       c == '\f';
}

/* ASCII lower case, without the locale. */
static unsigned char lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c - 'A' + 'a') : c;
}

/* true when s[0..len) equals the lower-case word kw ignoring case. */
static bool eq_nocase(const char *s, size_t len, const char *kw)
{
	if (strlen(kw) != len)
		return false;
	for (size_t i = 0; i < len; i++)
		if (lower((unsigned char)s[i]) != (unsigned char)kw[i])
			return false;
	return true;
}

/* true when s[0..len) starts with prefix, ignoring case. */
static bool has_prefix(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);
	if (len < n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (lower((unsigned char)s[i]) != lower((unsigned char)prefix[i]))
			return false;
	return true;
}

/* true when s[0..len) is a non-empty idstring. */
static bool is_idstring(const char *s, size_t len)
{
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!is_id_char((unsigned char)s[i]))
			return false;
	return true;
}

/* Classify a word without ':' by its LicenseRef-/AdditionRef- prefix. */
static enum word_kind ref_kind(const char *w, size_t len)
{
	static const char lic[] = "LicenseRef-", add[] = "AdditionRef-";
	if (has_prefix(w, len, lic))
		return is_idstring(w + strlen(lic), len - strlen(lic)) ?
			       W_LICENSE : W_BAD;
	if (has_prefix(w, len, add))
		return is_idstring(w + strlen(add), len - strlen(add)) ?
			       W_ADDITION : W_BAD;
	if (has_prefix(w, len, "DocumentRef-"))
		return W_BAD; /* only valid in front of a ':' */
	return is_idstring(w, len) ? W_PLAIN : W_BAD;
}

/* Classify a word: "DocumentRef-x:" may only precede a LicenseRef- or an
 * AdditionRef-. */
static enum word_kind word_kind(const char *w, size_t len)
{
	static const char doc[] = "DocumentRef-";
	const char *colon = memchr(w, ':', len);
	if (!colon)
		return ref_kind(w, len);
	size_t dlen = (size_t)(colon - w);
	if (!has_prefix(w, dlen, doc) ||
	    !is_idstring(w + strlen(doc), dlen - strlen(doc)))
		return W_BAD;
	enum word_kind k = ref_kind(colon + 1, len - dlen - 1);
	return k == W_PLAIN ? W_BAD : k;
}

/* Report the byte at pos as an invalid character, printable or escaped. */
static int bad_char(struct parser *p, size_t pos)
{
	unsigned char c = (unsigned char)p->s[pos];
	if (c > 0x20 && c < 0x7f)
		return lg_err(p->err, "invalid character '%c' at column %zu",
			      c, col(pos));
	return lg_err(p->err, "invalid character '\\x%02x' at column %zu", c,
		      col(pos));
}

/* Turn the WORD token into an operator when it spells one.  SPDX 3 allows
 * all upper or all lower case; mixed case is an error, not an identifier. */
static int classify_word(struct parser *p)
{
	static const struct {
		const char *kw, *upper;
		enum tok_kind kind;
	} ops[] = { { "and", "AND", T_AND },
		    { "or", "OR", T_OR },
		    { "with", "WITH", T_WITH } };
	const char *w = p->s + p->tok.pos;
	size_t n = p->tok.len;
	for (size_t i = 0; i < LG_ARRAY_LEN(ops); i++) {
		if (!eq_nocase(w, n, ops[i].kw))
			continue;
		bool up = true, low = true;
		for (size_t j = 0; j < n; j++) {
			up = up && w[j] >= 'A' && w[j] <= 'Z';
			low = low && w[j] >= 'a' && w[j] <= 'z';
		}
		if (!up && !low)
			return lg_err(p->err,
				      "operator in mixed case '%.*s' at column %zu (write %s or %s)",
				      (int)n, w, col(p->tok.pos), ops[i].upper,
				      ops[i].kw);
		p->tok.kind = ops[i].kind;
		return 0;
	}
	return 0;
}

/* Lex a word at p->pos, with its '+' when one directly follows a word that
 * is not an operator. */
static int lex_word(struct parser *p)
{
	size_t start = p->pos;
	while (p->pos < p->len && (is_id_char((unsigned char)p->s[p->pos]) ||
				   p->s[p->pos] == ':'))
		p->pos++;
	p->tok.kind = T_WORD;
	p->tok.len = p->pos - start;
	if (classify_word(p) < 0)
		return -1;
	if (p->tok.kind == T_WORD && p->pos < p->len && p->s[p->pos] == '+') {
		p->tok.plus = true;
		p->pos++;
	}
	return 0;
}

/* Move to the next token.  Returns -1 on a byte outside the token set or a
 * mixed-case operator. */
static int advance(struct parser *p)
{
	while (p->pos < p->len && is_space((unsigned char)p->s[p->pos]))
		p->pos++;
	p->tok = (struct token){ .kind = T_END, .pos = p->pos };
	if (p->pos == p->len)
		return 0;
	unsigned char c = (unsigned char)p->s[p->pos];
	if (is_id_char(c) || c == ':')
		return lex_word(p);
	p->tok.len = 1;
	p->pos++;
	switch (c) {
	case '(':
		p->tok.kind = T_LPAREN;
		return 0;
	case ')':
		p->tok.kind = T_RPAREN;
		return 0;
	case '+':
		p->tok.kind = T_PLUS;
		return 0;
	default:
		return bad_char(p, p->pos - 1);
	}
}

/* Error for a token where a license (or '(') was expected. */
static int expected_license(struct parser *p)
{
	size_t c = col(p->tok.pos);
	switch (p->tok.kind) {
	case T_END:
		return lg_err(p->err, "unexpected end of expression at column %zu",
			      c);
	case T_PLUS:
		return lg_err(p->err,
			      "'+' must follow a license identifier at column %zu",
			      c);
	default:
		return lg_err(p->err,
			      "expected a license identifier at column %zu", c);
	}
}

/* Error for a token where an operator, ')' or the end was expected. */
static int expected_operator(struct parser *p)
{
	size_t c = col(p->tok.pos);
	switch (p->tok.kind) {
	case T_WITH:
		return lg_err(p->err,
			      "WITH must follow a license identifier at column %zu",
			      c);
	case T_PLUS:
		return lg_err(p->err,
			      "'+' must follow a license identifier at column %zu",
			      c);
	case T_RPAREN:
		return lg_err(p->err,
			      "unbalanced parenthesis: ')' at column %zu has no matching '('",
			      c);
	default:
		return lg_err(p->err, "expected an operator at column %zu", c);
	}
}

/* Release what a term owns. */
static void term_drop(struct term *t)
{
	lg_spdx_free(t->node);
	t->node = NULL;
}

/* acc = acc OP rhs.  Building: a new node owning both.  Evaluating: AND
 * keeps the most restrictive side, OR the least; only a strictly better
 * right side replaces acc, so on ties the leftmost side decides. */
static void combine(struct parser *p, enum lg_spdx_kind kind,
		    struct term *acc, struct term *rhs)
{
	if (!p->eval) {
		lg_spdx_node *n = lg_xcalloc(1, sizeof(*n));
		n->kind = kind;
		n->left = acc->node;
		n->right = rhs->node;
		acc->node = n;
		return;
	}
	bool better = kind == LG_SPDX_AND ? rhs->level > acc->level :
					    rhs->level < acc->level;
	if (better)
		*acc = *rhs;
}

/* Check the current WORD as a license: plain identifier or LicenseRef, '+'
 * only after a plain identifier. */
static int check_license(struct parser *p)
{
	const struct token *t = &p->tok;
	switch (word_kind(p->s + t->pos, t->len)) {
	case W_BAD:
		return lg_err(p->err,
			      "malformed license reference at column %zu (expected LicenseRef-ID or DocumentRef-ID:LicenseRef-ID)",
			      col(t->pos));
	case W_ADDITION:
		return lg_err(p->err,
			      "an AdditionRef is an exception, not a license, at column %zu",
			      col(t->pos));
	case W_LICENSE:
		if (t->plus)
			return lg_err(p->err,
				      "'+' cannot follow a LicenseRef at column %zu",
				      col(t->pos + t->len));
		return 0;
	case W_PLAIN:
		return 0;
	}
	return 0;
}

/* Check the current token as the exception after WITH. */
static int check_exception(struct parser *p)
{
	const struct token *t = &p->tok;
	if (t->kind != T_WORD)
		return lg_err(p->err,
			      "WITH must be followed by an exception at column %zu",
			      col(t->pos));
	switch (word_kind(p->s + t->pos, t->len)) {
	case W_BAD:
		return lg_err(p->err,
			      "malformed exception reference at column %zu (expected AdditionRef-ID or DocumentRef-ID:AdditionRef-ID)",
			      col(t->pos));
	case W_LICENSE:
		return lg_err(p->err,
			      "a LicenseRef is a license, not an exception, at column %zu",
			      col(t->pos));
	case W_PLAIN:
	case W_ADDITION:
		break;
	}
	if (t->plus)
		return lg_err(p->err,
			      "'+' must follow a license identifier at column %zu",
			      col(t->pos + t->len));
	return 0;
}

/* The current WORD as a leaf: a node, or its rule and level. */
static void make_leaf(struct parser *p, struct term *out)
{
	const struct token *t = &p->tok;
	*out = (struct term){ .id_pos = t->pos, .id_len = t->len + t->plus };
	if (!p->eval) {
		out->node = lg_xcalloc(1, sizeof(*out->node));
		out->node->kind = LG_SPDX_LICENSE;
		out->node->id = lg_xstrndup(p->s + t->pos, t->len);
		out->node->or_later = t->plus;
		return;
	}
	/* '+' is not part of the identifier a rule matches. */
	out->rule = lg_rules_match_license(p->rules, p->s + t->pos, t->len);
	out->level = out->rule ? lg_target_class_level(p->target,
						      out->rule->class_name) :
				 LG_LEVEL_UNKNOWN;
}

/* license [WITH exception], at the current WORD.  The exception leaves the
 * level as it is. */
static int parse_license(struct parser *p, struct term *out)
{
	if (check_license(p) < 0)
		return -1;
	struct term t;
	make_leaf(p, &t);
	if (advance(p) < 0)
		goto fail;
	if (p->tok.kind != T_WITH) {
		*out = t;
		return 0;
	}
	if (advance(p) < 0 || check_exception(p) < 0)
		goto fail;
	if (t.node)
		t.node->exception =
			lg_xstrndup(p->s + p->tok.pos, p->tok.len);
	if (advance(p) < 0)
		goto fail;
	if (p->tok.kind == T_WITH) {
		lg_err(p->err,
		       "a license takes only one exception: second WITH at column %zu",
		       col(p->tok.pos));
		goto fail;
	}
	*out = t;
	return 0;
fail:
	term_drop(&t);
	return -1;
}

static int parse_or(struct parser *p, unsigned depth, struct term *out);

/* '(' or ')', at the current '('; depth counts the enclosing parentheses. */
static int parse_group(struct parser *p, unsigned depth, struct term *out)
{
	size_t open = p->tok.pos;
	if (depth >= LG_SPDX_MAX_DEPTH)
		return lg_err(p->err,
			      "parentheses nested deeper than %d levels at column %zu",
			      LG_SPDX_MAX_DEPTH, col(open));
	struct term t;
	if (advance(p) < 0 || parse_or(p, depth + 1, &t) < 0)
		return -1;
	if (p->tok.kind != T_RPAREN) {
		if (p->tok.kind == T_END)
			lg_err(p->err,
			       "unbalanced parenthesis: '(' at column %zu is not closed",
			       col(open));
		else
			expected_operator(p);
		goto fail;
	}
	if (advance(p) < 0)
		goto fail;
	*out = t;
	return 0;
fail:
	term_drop(&t);
	return -1;
}

/* A parenthesized expression or a license with its exception. */
static int parse_with(struct parser *p, unsigned depth, struct term *out)
{
	switch (p->tok.kind) {
	case T_LPAREN:
		return parse_group(p, depth, out);
	case T_WORD:
		return parse_license(p, out);
	default:
		return expected_license(p);
	}
}

/* with { AND with } */
static int parse_and(struct parser *p, unsigned depth, struct term *out)
{
	struct term acc, rhs;
	if (parse_with(p, depth, &acc) < 0)
		return -1;
	while (p->tok.kind == T_AND) {
		if (advance(p) < 0 || parse_with(p, depth, &rhs) < 0) {
			term_drop(&acc);
			return -1;
		}
		combine(p, LG_SPDX_AND, &acc, &rhs);
	}
	*out = acc;
	return 0;
}

/* and { OR and } */
static int parse_or(struct parser *p, unsigned depth, struct term *out)
{
	struct term acc, rhs;
	if (parse_and(p, depth, &acc) < 0)
		return -1;
	while (p->tok.kind == T_OR) {
		if (advance(p) < 0 || parse_and(p, depth, &rhs) < 0) {
			term_drop(&acc);
			return -1;
		}
		combine(p, LG_SPDX_OR, &acc, &rhs);
	}
	*out = acc;
	return 0;
}

/* The whole expression: something, and nothing after it. */
static int parse_all(struct parser *p, struct term *out)
{
	if (advance(p) < 0)
		return -1;
	if (p->tok.kind == T_END)
		return lg_err(p->err, "empty expression");
	struct term t;
	if (parse_or(p, 0, &t) < 0)
		return -1;
	if (p->tok.kind != T_END) {
		term_drop(&t);
		return expected_operator(p);
	}
	*out = t;
	return 0;
}

/* Parse expr[0..len) into a tree.  On success *out owns the tree (free with
 * lg_spdx_free()); on error *out is untouched and err says what and where. */
int lg_spdx_parse(const char *expr, size_t len, lg_spdx_node **out,
		  lg_error *err)
{
	struct parser p = { .s = expr ? expr : "", .len = expr ? len : 0,
			    .err = err };
	struct term t;
	if (parse_all(&p, &t) < 0)
		return -1;
	*out = t.node;
	return 0;
}

/* Free a tree from lg_spdx_parse() (NULL is fine).  Iterative: rotating
 * each left child up turns the tree into a list, so a long chain cannot
 * exhaust the stack. */
void lg_spdx_free(lg_spdx_node *node)
{
	while (node) {
		if (node->left) {
			lg_spdx_node *l = node->left;
			node->left = l->right;
			l->right = node;
			node = l;
			continue;
		}
		lg_spdx_node *next = node->right;
		free(node->id);
		free(node->exception);
		free(node);
		node = next;
	}
}

/* Evaluate expr[0..len) for target without building a tree.  On success
 * fills *out: the level, the deciding identifier's rule (NULL when no rule
 * maps it) and the identifier as written with its '+' (truncated to fit,
 * NUL-terminated).  On error *out is untouched. */
int lg_spdx_evaluate(const char *expr, size_t len, const lg_rules *rules,
		     const lg_target *target, lg_spdx_eval *out, lg_error *err)
{
	struct parser p = { .s = expr ? expr : "", .len = expr ? len : 0,
			    .err = err, .eval = true, .rules = rules,
			    .target = target };
	struct term t;
	if (parse_all(&p, &t) < 0)
		return -1;
	size_t n = t.id_len < sizeof(out->id) - 1 ? t.id_len :
						    sizeof(out->id) - 1;
	memset(out, 0, sizeof(*out));
	out->level = t.level;
	out->rule = t.rule;
	memcpy(out->id, p.s + t.id_pos, n);
	out->id[n] = '\0';
	return 0;
}
