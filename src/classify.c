/* classify.c - see classify.h */
#include "classify.h"

#include <ctype.h>
#include <string.h>

#include "license_names.h"
#include "license_texts.h"
#include "spdx.h"
#include "spdx_ids.h"
#include "util.h"

/* A slot for evidence of this level.  Beyond LG_MAX_EVIDENCE pieces the
 * rest are only counted, except that evidence more restrictive than all
 * that is listed takes the last slot: the evidence that decides a file is
 * always listed. */
static lg_evidence *add(lg_classification *c, enum lg_level level)
{
	lg_evidence *e;
	if (c->nevidence < LG_MAX_EVIDENCE) {
		e = &c->evidence[c->nevidence++];
	} else {
		c->nomitted++;
		for (size_t i = 0; i < c->nevidence; i++)
			if (c->evidence[i].level >= level)
				return NULL;
		e = &c->evidence[LG_MAX_EVIDENCE - 1];
	}
	memset(e, 0, offsetof(lg_evidence, id));
	e->id[0] = e->note[0] = '\0';
	return e;
}

/* Fold one piece of evidence into the file's result: the most restrictive
 * wins, the first one found decides between equals. */
static void weigh(lg_classification *c, enum lg_level level, const char *class_name,
		  bool *any)
{
	if (!*any || level > c->level) {
		c->level = level;
		c->class_name = class_name;
	}
	*any = true;
}

/* Rule r as evidence of kind: its class weighed, the evidence added (NULL
 * when there is no room for it: the class still counts). */
static lg_evidence *rule_evidence(const lg_target *target, enum lg_evidence_kind kind,
				  const lg_rule *r, lg_classification *c, bool *any)
{
	enum lg_level level = lg_target_class_level(target, r->class_name);
	weigh(c, level, r->class_name, any);
	lg_evidence *e = add(c, level);
	if (!e)
		return NULL;
	e->kind = kind;
	e->level = level;
	e->value = r->pattern;
	e->value_len = strlen(r->pattern);
	e->rule = r;
	e->class_name = r->class_name;
	return e;
}

static void path_evidence(const lg_rules *rules, const lg_target *target,
			  const lg_file *f, lg_classification *c, bool *any)
{
	const lg_rule *r = lg_rules_match_path(rules, f->path, f->len);
	if (r)
		rule_evidence(target, LG_EV_PATH, r, c, any);
}

/* A character of an identifier-like word: letters, digits, '.', '-' and
 * ':' (DocumentRef-x:LicenseRef-y).  Spelt out, not strchr(".-:", c),
 * which is also true for a NUL byte. */
static bool is_id_char(char c)
{
	return isalnum((unsigned char)c) || c == '.' || c == '-' || c == ':';
}

/* A tag that does not parse still names licenses: if any identifier-like
 * word in it maps to a class the target denies, the tag counts as that
 * denial (fail closed); otherwise it is unknown.  Returns the level. */
static enum lg_level salvage(const lg_rules *rules, const lg_target *target,
			     const lg_tag *t, const lg_rule **rule, char *id, size_t idsize)
{
	enum lg_level level = LG_LEVEL_UNKNOWN;
	const char *p = t->expr, *end = t->expr + t->len;
	while (p < end) {
		size_t n = 0;
		while (p + n < end && is_id_char(p[n]))
			n++;
		if (n == 0) {
			p++;
			continue;
		}
		const lg_rule *r = lg_rules_match_license(rules, p, n);
		if (r && lg_target_class_level(target, r->class_name) == LG_LEVEL_DENY) {
			level = LG_LEVEL_DENY;
			*rule = r;
			snprintf(id, idsize, "%.*s", (int)(n < 120 ? n : 120), p);
			break;
		}
		p += n;
	}
	return level;
}

/* ---- identifier notes ------------------------------------------------ */

static bool is_word_char(char ch)
{
	return !strchr(" \t\r\n()", ch);
}

static bool is_operator(const char *w, size_t n, const char *upper)
{
	size_t k = strlen(upper);
	if (n != k)
		return false;
	bool up = memcmp(w, upper, k) == 0, low = true;
	for (size_t i = 0; i < k; i++)
		low = low && w[i] == upper[i] - 'A' + 'a';
	return up || low;
}

/* "'WORD' WHY" into b; returns true. */
static bool quoted_note(lg_buf *b, const char *w, size_t n, const char *why)
{
	lg_buf_putc(b, '\'');
	lg_buf_append_escaped(b, w, n);
	lg_buf_appendf(b, "' %s", why);
	return true;
}

/* The note for one word of an expression, appended to b; false when the
 * word is a license (or, after WITH, an exception) SPDX defines. */
static bool note_word(const char *w, size_t n, bool exception, lg_buf *b)
{
	if (exception) {
		if (lg_spdx_exception_known(w, n))
			return false;
		if (lg_spdx_license_known(w, n))
			return quoted_note(b, w, n, "is a license, not an exception: "
					   "join licenses with AND or OR");
		return lg_spdx_exception_note(w, n, b);
	}
	size_t base = n && w[n - 1] == '+' ? n - 1 : n;
	if (is_operator(w, base, "NONE") || is_operator(w, base, "NOASSERTION"))
		return quoted_note(b, w, base, "is not a license: it says no "
				   "license was determined");
	if (!lg_spdx_license_known(w, n) && lg_spdx_exception_known(w, n))
		return quoted_note(b, w, n, "is an exception, not a license: "
				   "write it after WITH");
	return lg_spdx_note(w, n, b);
}

/* Check every identifier of a parsed expression against the SPDX lists;
 * the first finding goes into note, with a count of any further ones.
 * Allocates only for an expression that has a finding. */
static bool note_identifiers(const char *s, size_t len, char *note, size_t size)
{
	lg_buf b = LG_BUF_INIT;
	size_t findings = 0;
	bool after_with = false;
	for (size_t i = 0; i < len;) {
		if (!is_word_char(s[i])) {
			i++;
			continue;
		}
		size_t n = 0;
		while (i + n < len && is_word_char(s[i + n]))
			n++;
		const char *w = s + i;
		i += n;
		if (is_operator(w, n, "AND") || is_operator(w, n, "OR"))
			continue;
		if (is_operator(w, n, "WITH")) {
			after_with = true;
			continue;
		}
		size_t before = b.len;
		if (note_word(w, n, after_with, &b) && findings++ > 0) {
			b.len = before; /* keep the first, count the rest */
			b.data[b.len] = '\0';
		}
		after_with = false;
	}
	if (findings > 1)
		lg_buf_appendf(&b, " (and %zu more)", findings - 1);
	if (findings)
		snprintf(note, size, "%s", b.data);
	lg_buf_free(&b);
	return findings > 0;
}

/* An SPDX expression from any source: evaluated, weighed, listed. */
static void expr_evidence(const lg_rules *rules, const lg_target *target,
			  enum lg_evidence_kind kind, const lg_tag *t,
			  const lg_file *source, lg_classification *c, bool *any)
{
	/* A package may name its license in words ("MIT License"). */
	bool package = kind == LG_EV_NPM || kind == LG_EV_PYTHON;
	const char *read_as = package && !lg_spdx_license_known(t->expr, t->len)
				      ? lg_license_name_to_spdx(t->expr, t->len) : NULL;
	const char *expr = read_as ? read_as : t->expr;
	size_t len = read_as ? strlen(read_as) : t->len;
	lg_spdx_eval ev;
	lg_error err = LG_ERROR_INIT;
	bool parsed = lg_spdx_evaluate(expr, len, rules, target, &ev, &err) == 0;
	const lg_rule *denied = NULL;
	char denied_id[128] = "";
	enum lg_level level = parsed ? ev.level
				     : salvage(rules, target, t, &denied, denied_id, sizeof(denied_id));
	const lg_rule *rule = parsed ? ev.rule : denied;
	char note[LG_NOTE_MAX] = "";
	if (parsed && note_identifiers(expr, len, note, sizeof(note)))
		c->bad_identifier = true;
	const char *class_name = rule ? rule->class_name : NULL;
	weigh(c, level, class_name, any);
	lg_evidence *e = add(c, level);
	if (e) {
		e->kind = parsed ? kind : LG_EV_UNPARSEABLE;
		e->level = level;
		e->value = t->expr;
		e->value_len = t->len;
		e->read_as = read_as;
		e->rule = rule;
		e->class_name = class_name;
		e->line = kind == LG_EV_SNIPPET ? t->snippet_begin : t->line;
		e->line_end = t->snippet_end;
		if (source) {
			e->source = source->path;
			e->source_len = source->len;
		}
		snprintf(e->note, sizeof(e->note), "%s", note);
		if (parsed)
			snprintf(e->id, sizeof(e->id), "%s", ev.id);
		else if (denied)
			snprintf(e->id, sizeof(e->id), "%s; names %s", lg_error_msg(&err), denied_id);
		else
			snprintf(e->id, sizeof(e->id), "%s", lg_error_msg(&err));
	}
	lg_error_clear(&err);
}

static void tag_evidence(const lg_rules *rules, const lg_target *target,
			 const lg_layer *l, const lg_file *f, const lg_file *source,
			 lg_classification *c, bool *any)
{
	for (uint32_t i = 0; i < f->ntags; i++) {
		const lg_tag *t = &l->tags[f->first_tag + i];
		enum lg_evidence_kind kind = source ? LG_EV_SIDECAR
					     : t->snippet_begin ? LG_EV_SNIPPET : LG_EV_TAG;
		expr_evidence(rules, target, kind, t, source, c, any);
	}
}

/* Package p's evidence into memo: evaluated once on a scratch
 * classification, as expr_evidence() would add it to a file's. */
static void evaluate_package(const lg_rules *rules, const lg_target *target,
			     const lg_layer *l, const lg_package *p, lg_classify_memo *memo)
{
	static _Thread_local lg_classification scratch;
	lg_tag t = { .expr = p->expr, .len = p->len };
	bool any = false;
	scratch.nevidence = scratch.nomitted = 0;
	scratch.bad_identifier = false;
	expr_evidence(rules, target, p->kind == LG_PACKAGE_NPM ? LG_EV_NPM : LG_EV_PYTHON, &t,
		      &l->files[p->manifest], &scratch, &any);
	memo->package = p;
	memo->level = scratch.level;
	memo->class_name = scratch.class_name;
	memo->bad_identifier = scratch.bad_identifier;
	memo->evidence = scratch.evidence[0];
}

static void package_evidence(const lg_rules *rules, const lg_target *target,
			     const lg_layer *l, const lg_file *f, lg_classify_memo *memo,
			     lg_classification *c, bool *any)
{
	/* every package that claims the file: AND */
	for (uint32_t id = f->package; id; id = l->packages[id - 1].also) {
		const lg_package *p = &l->packages[id - 1];
		if (!memo) {
			lg_tag t = { .expr = p->expr, .len = p->len };
			expr_evidence(rules, target, p->kind == LG_PACKAGE_NPM ? LG_EV_NPM
					      : LG_EV_PYTHON, &t, &l->files[p->manifest], c, any);
			continue;
		}
		/* A package's files come together: its expression is evaluated
		 * once for all of them, and its evidence added to each. */
		if (memo->package != p)
			evaluate_package(rules, target, l, p, memo);
		if (memo->bad_identifier)
			c->bad_identifier = true;
		weigh(c, memo->level, memo->class_name, any);
		lg_evidence *e = add(c, memo->level);
		if (e)
			*e = memo->evidence;
	}
}

static void text_evidence(const lg_target *target, const lg_layer *l,
			  const lg_file *f, lg_classification *c, bool *any)
{
	for (uint32_t i = 0; i < f->ntext; i++) {
		const lg_rule *r = l->texts[f->first_text + i];
		/* The wording of a license text says what a license file
		 * holds, for the files below it (evidence_licfile.h). */
		if (r->kind == LG_RULE_LICENSE_TEXT)
			continue;
		rule_evidence(target, LG_EV_TEXT, r, c, any);
	}
}

static void fingerprint_evidence(const lg_rules *rules, const lg_target *target,
				 const lg_layer *l, const lg_file *f, lg_classification *c,
				 bool *any)
{
	if (!f->fpmatch)
		return;
	const lg_fpmatch *m = &l->fpmatches[f->fpmatch - 1];
	/* the set names a class of the rules: their own copy of its name */
	const char *interned = lg_rules_class_interned(rules, m->class_name);
	const char *class_name = interned ? interned : m->class_name;
	enum lg_level level = lg_target_class_level(target, class_name);
	weigh(c, level, class_name, any);
	lg_evidence *e = add(c, level);
	if (!e)
		return;
	e->kind = LG_EV_FINGERPRINT;
	e->level = level;
	e->value = lg_fpmatch_kind_name(m->kind);
	e->value_len = strlen(e->value);
	e->class_name = class_name;
	e->source = m->source;
	e->source_len = m->source_len;
	e->fp = m;
	if (m->nranges) {
		e->line = m->ranges[0].line;
		e->line_end = m->ranges[0].line_end;
	}
}

static void licfile_evidence(const lg_rules *rules, const lg_target *target,
			     const lg_licfile_dir *lic, lg_classification *c, bool *any)
{
	for (size_t i = 0; i < lic->n; i++) {
		const lg_licfile_says *s = &lic->says[i];
		lg_file source = { .path = s->path, .len = s->len };
		size_t before = c->nevidence;
		if (s->expr) {
			lg_tag t = { .expr = s->expr, .len = s->expr_len, .line = s->line };
			expr_evidence(rules, target, LG_EV_LICFILE, &t, &source, c, any);
		} else {
			lg_evidence *e = rule_evidence(target, LG_EV_LICFILE, s->text, c, any);
			if (e) {
				e->source = s->path;
				e->source_len = s->len;
				e->line = s->line;
			}
		}
		for (size_t k = before; k < c->nevidence; k++)
			if (c->evidence[k].kind == LG_EV_LICFILE ||
			    c->evidence[k].kind == LG_EV_UNPARSEABLE) {
				c->evidence[k].layer = s->layer;
				c->evidence[k].target = s->target;
				c->evidence[k].target_len = s->target_len;
				c->evidence[k].target_layer = s->target_layer;
			}
	}
}

static void classify(const lg_rules *rules, const lg_target *target, const lg_layer *l,
		     const lg_file *f, lg_classify_memo *memo, const lg_licfile_dir *lic,
		     lg_classification *out);

void lg_classify(const lg_rules *rules, const lg_target *target,
		 const lg_layer *l, const lg_file *f, lg_classification *out)
{
	classify(rules, target, l, f, NULL, NULL, out);
}

void lg_classify_dir(const lg_rules *rules, const lg_target *target,
		     const lg_layer *l, const lg_file *f, const lg_licfile_dir *lic,
		     lg_classification *out)
{
	classify(rules, target, l, f, NULL, lic, out);
}

void lg_classify_with(const lg_rules *rules, const lg_target *target, const lg_layer *l,
		      const lg_file *f, lg_classify_memo *memo, lg_classification *out)
{
	classify(rules, target, l, f, memo, NULL, out);
}

static void classify(const lg_rules *rules, const lg_target *target, const lg_layer *l,
		     const lg_file *f, lg_classify_memo *memo, const lg_licfile_dir *lic,
		     lg_classification *out)
{
	out->level = LG_LEVEL_UNKNOWN;
	out->class_name = NULL;
	out->exempt = NULL;
	out->bad_identifier = false;
	out->nevidence = out->nomitted = 0;
	bool any = false;
	/* A license file is evidence about other files (evidence_licfile.h):
	 * the tags and the text in it describe the text it holds, and holding
	 * or mentioning a license text is no violation of its own. */
	bool license_file = lg_rules_is_license_file(rules, f->path, f->len);
	if (license_file)
		lic = NULL;
	/* The most specific evidence comes first and decides between equals.
	 * A sidecar's own tags are its base file's, not its own. */
	if (!(f->flags & LG_FILE_SIDECAR) && !license_file)
		tag_evidence(rules, target, l, f, NULL, out, &any);
	if (f->sidecar)
		tag_evidence(rules, target, l, &l->files[f->sidecar - 1],
			     &l->files[f->sidecar - 1], out, &any);
	/* "SEE LICENSE IN <file>": that file, when found, says it instead */
	const lg_package *pkg = f->package ? &l->packages[f->package - 1] : NULL;
	bool see_file = pkg && lic && lic->n && pkg->kind == LG_PACKAGE_NPM && !pkg->also &&
			lg_npm_see_license(pkg->expr, pkg->len);
	if (f->package && !see_file)
		package_evidence(rules, target, l, f, memo, out, &any);
	/* A license file is evidence about other files: holding or
	 * mentioning a license text is not a violation of its own. */
	if (!license_file)
		text_evidence(target, l, f, out, &any);
	fingerprint_evidence(rules, target, l, f, out, &any);
	/* Its own license (tags, a sidecar, its package's manifest) and a
	 * path rule are stronger than a license file above it. */
	bool own = f->ntags > 0 || f->sidecar || (f->package && !see_file);
	if (lic && lic->n && !own && !lg_rules_match_path(rules, f->path, f->len))
		licfile_evidence(rules, target, lic, out, &any);
	path_evidence(rules, target, f, out, &any);

	out->exempt = lg_rules_match_exempt(rules, f->path, f->len);
	if (out->exempt) {
		out->outcome = LG_OUT_EXEMPT;
	} else if (out->level == LG_LEVEL_DENY) {
		out->outcome = LG_OUT_DENY;
	} else if (out->level == LG_LEVEL_ALLOW) {
		out->outcome = out->bad_identifier ? LG_OUT_WARN : LG_OUT_PASS;
	} else {
		switch (lg_target_unknown(target)) {
		case LG_UNKNOWN_ALLOW:
			out->outcome = out->bad_identifier ? LG_OUT_WARN : LG_OUT_PASS;
			break;
		case LG_UNKNOWN_WARN:
			out->outcome = LG_OUT_WARN;
			break;
		default:
			out->outcome = LG_OUT_DENY;
		}
	}
}

const char *lg_outcome_name(enum lg_outcome o)
{
	static const char *const names[] = { "pass", "warn", "deny", "exempt" };
	return names[o];
}

const char *lg_evidence_kind_name(enum lg_evidence_kind k)
{
	static const char *const names[] = { "path", "spdx-tag", "unparseable", "spdx-snippet",
					     "reuse-sidecar", "npm-package", "python-package",
					     "text", "license-file", "fingerprint" };
	return names[k];
}
