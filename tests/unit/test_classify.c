/* test_classify.c - a file's verdict per target from its path and its
 * SPDX tags, on hand-built layers and real rules: path and tag evidence,
 * AND of tags, deny over allow, exempt, the unknown action, unparseable
 * tags, and the evidence cap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "classify.h"
#include "layer.h"
#include "rules.h"
#include "util.h"

static const char RULES[] =
	"class MIT \"c\"\n"                                               /* 1 */
	"class BSL \"e\"\n"                                               /* 2 */
	"class third-party \"t\"\n"                                       /* 3 */
	"target dockerhub allow MIT third-party deny BSL unknown warn\n"  /* 4 */
	"target strict allow MIT third-party deny BSL unknown deny\n"     /* 5 */
	"target open allow MIT BSL third-party unknown allow\n"           /* 6 */
	"license BUSL-1.1 BSL\n"                                          /* 7 */
	"license MIT MIT\n"                                               /* 8 */
	"license ISC Apache-2.0 third-party\n"                            /* 9 */
	"path /srv/app/src/enterprise/** BSL\n"                           /* 10 */
	"path /srv/app/node_modules/** third-party\n"                     /* 11 */
	"exempt /srv/app/BSL-TEXT \"license text only\"\n";            /* 12 */

struct fixture {
	lg_rules *rules;
	const lg_target *dockerhub, *strict, *open;
	lg_layer layer; /* tags only; files are built per case */
};

static int setup(void **state)
{
	struct fixture *f = lg_xcalloc(1, sizeof(*f));
	lg_error err = LG_ERROR_INIT;
	if (lg_rules_parse("test.rules", RULES, sizeof(RULES) - 1, &f->rules, &err) < 0) {
		fprintf(stderr, "rules: %s\n", lg_error_msg(&err));
		lg_error_clear(&err);
		free(f);
		return -1;
	}
	f->dockerhub = lg_rules_target(f->rules, "dockerhub");
	f->strict = lg_rules_target(f->rules, "strict");
	f->open = lg_rules_target(f->rules, "open");
	if (!f->dockerhub || !f->strict || !f->open)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	lg_rules_free(f->rules);
	lg_arena_free(&f->layer.arena);
	free(f->layer.tags);
	free(f);
	return 0;
}

/* A file at path whose tags are the '|'-separated expressions in tags
 * (NULL: none), appended to the fixture's layer; tag i is on line 10 + i. */
static lg_file make_file(struct fixture *fx, const char *path, const char *tags)
{
	lg_layer *l = &fx->layer;
	lg_file f = {
		.path = lg_arena_strndup(&l->arena, path, strlen(path)),
		.len = (uint32_t)strlen(path),
		.mode = 0100644,
		.first_tag = (uint32_t)l->ntags,
	};
	for (const char *p = tags; p && *p;) {
		size_t n = strcspn(p, "|");
		lg_xgrow((void **)&l->tags, &l->tags_cap, l->ntags + 1, sizeof(*l->tags));
		/* not NUL-terminated where it ends: the expression is len bytes */
		char *copy = lg_xmalloc(n + 8);
		memcpy(copy, p, n);
		memcpy(copy + n, " AND GPL", 8);
		const char *expr = lg_arena_strndup(&l->arena, copy, n + 8);
		free(copy);
		l->tags[l->ntags++] = (lg_tag){ .expr = expr, .len = (uint32_t)n, .line = 10 + f.ntags };
		f.ntags++;
		p += n;
		if (*p == '|')
			p++;
	}
	return f;
}

static const char *level_str(enum lg_level l)
{
	return l == LG_LEVEL_ALLOW ? "allow" : l == LG_LEVEL_DENY ? "deny" : "unknown";
}

/* ---- the table: outcome, level and deciding class per target ---- */

static const struct {
	const char *name;
	const char *path;
	const char *tags;
	/* dockerhub, strict, open: outcome name, level name, class ("-": none) */
	const char *want[3][3];
} cases[] = {
	{ "path evidence: BSL", "/srv/app/src/enterprise/billing.js", NULL,
	  { { "deny", "deny", "BSL" }, { "deny", "deny", "BSL" },
	    { "pass", "allow", "BSL" } } },
	{ "path evidence: third-party", "/srv/app/node_modules/left-pad/index.js", NULL,
	  { { "pass", "allow", "third-party" }, { "pass", "allow", "third-party" },
	    { "pass", "allow", "third-party" } } },
	{ "path rule needs the directory", "/srv/app/src/enterprise", NULL,
	  { { "warn", "unknown", "-" }, { "deny", "unknown", "-" }, { "pass", "unknown", "-" } } },
	{ "tag evidence: MIT", "/srv/app/main.js", "MIT",
	  { { "pass", "allow", "MIT" }, { "pass", "allow", "MIT" }, { "pass", "allow", "MIT" } } },
	{ "tag evidence: BUSL-1.1", "/srv/app/lib/x.js", "BUSL-1.1",
	  { { "deny", "deny", "BSL" }, { "deny", "deny", "BSL" }, { "pass", "allow", "BSL" } } },
	{ "tag evidence: several ids to one class", "/srv/app/x.c", "Apache-2.0",
	  { { "pass", "allow", "third-party" }, { "pass", "allow", "third-party" },
	    { "pass", "allow", "third-party" } } },
	{ "tag OR: least restrictive", "/srv/app/x.c", "BUSL-1.1 OR MIT",
	  { { "pass", "allow", "MIT" }, { "pass", "allow", "MIT" }, { "pass", "allow", "BSL" } } },
	{ "tags combine as AND", "/srv/app/x.c", "MIT|BUSL-1.1",
	  { { "deny", "deny", "BSL" }, { "deny", "deny", "BSL" }, { "pass", "allow", "MIT" } } },
	{ "tags AND: deny wherever it comes", "/srv/app/x.c", "ISC|MIT|BUSL-1.1|MIT",
	  { { "deny", "deny", "BSL" }, { "deny", "deny", "BSL" },
	    { "pass", "allow", "third-party" } } },
	{ "deny path beats allow tag", "/srv/app/src/enterprise/y.js", "MIT",
	  { { "deny", "deny", "BSL" }, { "deny", "deny", "BSL" }, { "pass", "allow", "MIT" } } },
	{ "deny tag beats allow path", "/srv/app/node_modules/z/index.js", "BUSL-1.1",
	  { { "deny", "deny", "BSL" }, { "deny", "deny", "BSL" }, { "pass", "allow", "BSL" } } },
	{ "equal evidence: the tag decides", "/srv/app/node_modules/m/index.js", "MIT",
	  { { "pass", "allow", "MIT" }, { "pass", "allow", "MIT" }, { "pass", "allow", "MIT" } } },
	{ "exempt overrides a deny tag", "/srv/app/BSL-TEXT", "BUSL-1.1",
	  { { "exempt", "deny", "BSL" }, { "exempt", "deny", "BSL" },
	    { "exempt", "allow", "BSL" } } },
	{ "exempt without evidence", "/srv/app/BSL-TEXT", NULL,
	  { { "exempt", "unknown", "-" }, { "exempt", "unknown", "-" },
	    { "exempt", "unknown", "-" } } },
	{ "exempt is for that path only", "/srv/app/BSL-TEXT.txt", "BUSL-1.1",
	  { { "deny", "deny", "BSL" }, { "deny", "deny", "BSL" }, { "pass", "allow", "BSL" } } },
	{ "a license file's tag is about other files, not itself", "/srv/app/LICENSE-BSL", "BUSL-1.1",
	  { { "warn", "unknown", "-" }, { "deny", "unknown", "-" }, { "pass", "unknown", "-" } } },
	{ "no evidence: the unknown action", "/srv/app/README", NULL,
	  { { "warn", "unknown", "-" }, { "deny", "unknown", "-" }, { "pass", "unknown", "-" } } },
	{ "unmapped license: unknown", "/srv/app/x.c", "GPL-3.0-only",
	  { { "warn", "unknown", "-" }, { "deny", "unknown", "-" }, { "pass", "unknown", "-" } } },
	{ "unknown beats allow", "/srv/app/x.c", "MIT|GPL-3.0-only",
	  { { "warn", "unknown", "-" }, { "deny", "unknown", "-" }, { "pass", "unknown", "-" } } },
	{ "unknown tag under an allowed path", "/srv/app/node_modules/q/a.js", "GPL-3.0-only",
	  { { "warn", "unknown", "-" }, { "deny", "unknown", "-" }, { "pass", "unknown", "-" } } },
	{ "deny beats unknown", "/srv/app/x.c", "GPL-3.0-only|BUSL-1.1",
	  { { "deny", "deny", "BSL" }, { "deny", "deny", "BSL" }, { "pass", "unknown", "-" } } },
	{ "unparseable tag: unknown", "/srv/app/x.c", "MIT AND (",
	  { { "warn", "unknown", "-" }, { "deny", "unknown", "-" }, { "pass", "unknown", "-" } } },
	{ "unparseable tag beside an allowed one", "/srv/app/x.c", "MIT|MIT OR OR ISC",
	  { { "warn", "unknown", "-" }, { "deny", "unknown", "-" }, { "pass", "unknown", "-" } } },
	{ "unparseable tag beside a denied one", "/srv/app/x.c", "not a license!|BUSL-1.1",
	  { { "deny", "deny", "BSL" }, { "deny", "deny", "BSL" }, { "pass", "unknown", "-" } } },
	/* fail closed: an unparseable tag naming a denied license denies */
	{ "unparseable tag naming a denied license", "/srv/app/x.c", "MIT AND (BUSL-1.1",
	  { { "deny", "deny", "BSL" }, { "deny", "deny", "BSL" }, { "pass", "unknown", "-" } } },
	{ "unparseable tag naming only allowed licenses", "/srv/app/x.c", "MIT ISC",
	  { { "warn", "unknown", "-" }, { "deny", "unknown", "-" }, { "pass", "unknown", "-" } } },
	/* an identifier SPDX does not define warns, even under `unknown allow` */
	{ "BSL-1.1 is no SPDX id: warn", "/srv/app/x.c", "BSL-1.1",
	  { { "warn", "unknown", "-" }, { "deny", "unknown", "-" }, { "warn", "unknown", "-" } } },
	{ "a misspelt id warns beside an allowed one", "/srv/app/x.c", "MIT OR Apache2",
	  { { "warn", "allow", "MIT" }, { "warn", "allow", "MIT" }, { "warn", "allow", "MIT" } } },
	{ "a misspelt id does not soften a deny", "/srv/app/x.c", "BSL-1.1|BUSL-1.1",
	  { { "deny", "deny", "BSL" }, { "deny", "deny", "BSL" }, { "warn", "unknown", "-" } } },
	{ "listed ids in any case: no warning", "/srv/app/x.c", "mit OR isc",
	  { { "pass", "allow", "MIT" }, { "pass", "allow", "MIT" }, { "pass", "allow", "MIT" } } },
	{ "LicenseRef: no warning", "/srv/app/node_modules/q/a.js", "LicenseRef-Acme-1 OR MIT",
	  { { "pass", "allow", "MIT" }, { "pass", "allow", "MIT" }, { "pass", "allow", "MIT" } } },
};

static void test_table(void **state)
{
	struct fixture *fx = *state;
	const lg_target *targets[3] = { fx->dockerhub, fx->strict, fx->open };
	for (size_t i = 0; i < LG_ARRAY_LEN(cases); i++) {
		lg_file f = make_file(fx, cases[i].path, cases[i].tags);
		for (int t = 0; t < 3; t++) {
			lg_classification c;
			memset(&c, 0x5a, sizeof(c));
			lg_classify(fx->rules, targets[t], &fx->layer, &f, &c);
			const char *cls = c.class_name ? c.class_name : "-";
			if (strcmp(lg_outcome_name(c.outcome), cases[i].want[t][0]) != 0 ||
			    strcmp(level_str(c.level), cases[i].want[t][1]) != 0 ||
			    strcmp(cls, cases[i].want[t][2]) != 0)
				fail_msg("%s, target %s: got %s/%s/%s, want %s/%s/%s",
					 cases[i].name, lg_target_name(targets[t]),
					 lg_outcome_name(c.outcome), level_str(c.level), cls,
					 cases[i].want[t][0], cases[i].want[t][1],
					 cases[i].want[t][2]);
			if ((c.outcome == LG_OUT_EXEMPT) != (c.exempt != NULL))
				fail_msg("%s: exempt rule and outcome disagree", cases[i].name);
			/* a license file's tags are not its own evidence */
			size_t own = lg_rules_is_license_file(fx->rules, f.path, f.len) ? 0 : f.ntags;
			assert_int_equal(c.nevidence, own + (lg_rules_match_path(
				fx->rules, f.path, f.len) != NULL));
			assert_int_equal(c.nomitted, 0);
		}
	}
}

/* ---- the evidence itself ---- */

static void test_path_evidence(void **state)
{
	struct fixture *fx = *state;
	lg_file f = make_file(fx, "/srv/app/src/enterprise/a/b.ts", NULL);
	lg_classification c;
	lg_classify(fx->rules, fx->dockerhub, &fx->layer, &f, &c);
	assert_int_equal(c.nevidence, 1);
	const lg_evidence *e = &c.evidence[0];
	assert_int_equal(e->kind, LG_EV_PATH);
	assert_string_equal(lg_evidence_kind_name(e->kind), "path");
	assert_int_equal(e->level, LG_LEVEL_DENY);
	assert_int_equal(e->value_len, strlen("/srv/app/src/enterprise/**"));
	assert_memory_equal(e->value, "/srv/app/src/enterprise/**", e->value_len);
	assert_non_null(e->rule);
	assert_int_equal(e->rule->kind, LG_RULE_PATH);
	assert_int_equal(e->rule->line, 10);
	assert_string_equal(e->rule->file, "test.rules");
	assert_string_equal(e->class_name, "BSL");
	assert_null(c.exempt);
}

static void test_tag_evidence(void **state)
{
	struct fixture *fx = *state;
	lg_file f = make_file(fx, "/srv/app/x.js", "MIT|ISC OR BUSL-1.1|BUSL-1.1 AND MIT");
	lg_classification c;
	lg_classify(fx->rules, fx->dockerhub, &fx->layer, &f, &c);
	assert_int_equal(c.outcome, LG_OUT_DENY);
	assert_int_equal(c.nevidence, 3);
	static const struct {
		const char *expr, *id, *cls;
		enum lg_level level;
		unsigned rule_line;
	} want[] = {
		{ "MIT", "MIT", "MIT", LG_LEVEL_ALLOW, 8 },
		{ "ISC OR BUSL-1.1", "ISC", "third-party", LG_LEVEL_ALLOW, 9 },
		{ "BUSL-1.1 AND MIT", "BUSL-1.1", "BSL", LG_LEVEL_DENY, 7 },
	};
	for (size_t i = 0; i < LG_ARRAY_LEN(want); i++) {
		const lg_evidence *e = &c.evidence[i];
		assert_int_equal(e->kind, LG_EV_TAG);
		assert_string_equal(lg_evidence_kind_name(e->kind), "spdx-tag");
		assert_int_equal(e->value_len, strlen(want[i].expr));
		assert_memory_equal(e->value, want[i].expr, e->value_len);
		assert_string_equal(e->id, want[i].id);
		assert_string_equal(e->class_name, want[i].cls);
		assert_int_equal(e->level, want[i].level);
		assert_non_null(e->rule);
		assert_int_equal(e->rule->kind, LG_RULE_LICENSE);
		assert_int_equal(e->rule->line, want[i].rule_line);
		assert_int_equal(e->line, 10 + i);
	}
	assert_string_equal(c.class_name, "BSL");
}

static void test_unparseable_evidence(void **state)
{
	struct fixture *fx = *state;
	lg_file f = make_file(fx, "/srv/app/x.js", "MIT AND (ISC|MIT");
	lg_classification c;
	lg_classify(fx->rules, fx->open, &fx->layer, &f, &c);
	assert_int_equal(c.nevidence, 2);
	const lg_evidence *e = &c.evidence[0];
	assert_int_equal(e->kind, LG_EV_UNPARSEABLE);
	assert_string_equal(lg_evidence_kind_name(e->kind), "unparseable");
	assert_int_equal(e->level, LG_LEVEL_UNKNOWN);
	assert_null(e->rule);
	assert_null(e->class_name);
	assert_int_equal(e->line, 10);
	assert_int_equal(e->value_len, 12);
	assert_memory_equal(e->value, "MIT AND (ISC", 12);
	/* the id says why: the parser's message */
	assert_true(strlen(e->id) > 0);
	assert_non_null(strstr(e->id, "parenthesis"));
	assert_int_equal(c.evidence[1].kind, LG_EV_TAG);
	assert_int_equal(c.level, LG_LEVEL_UNKNOWN);
	assert_int_equal(c.outcome, LG_OUT_PASS); /* open: unknown allow */
	lg_classify(fx->rules, fx->strict, &fx->layer, &f, &c);
	assert_int_equal(c.outcome, LG_OUT_DENY);
	assert_int_equal(c.evidence[0].kind, LG_EV_UNPARSEABLE);
}

/* An unparseable tag that names a denied license is that denial, and says
 * both why it does not parse and what it names. */
static void test_unparseable_denied(void **state)
{
	struct fixture *fx = *state;
	lg_file f = make_file(fx, "/srv/app/x.js", "(MIT OR BUSL-1.1");
	lg_classification c;
	lg_classify(fx->rules, fx->dockerhub, &fx->layer, &f, &c);
	assert_int_equal(c.nevidence, 1);
	const lg_evidence *e = &c.evidence[0];
	assert_int_equal(e->kind, LG_EV_UNPARSEABLE);
	assert_int_equal(e->level, LG_LEVEL_DENY);
	assert_non_null(e->rule);
	assert_int_equal(e->rule->line, 7);
	assert_string_equal(e->class_name, "BSL");
	assert_non_null(strstr(e->id, "parenthesis"));
	assert_non_null(strstr(e->id, "BUSL-1.1"));
	assert_int_equal(c.outcome, LG_OUT_DENY);
	/* where BSL is allowed the tag stays unknown */
	lg_classify(fx->rules, fx->open, &fx->layer, &f, &c);
	assert_int_equal(c.evidence[0].level, LG_LEVEL_UNKNOWN);
	assert_null(c.evidence[0].rule);
	assert_int_equal(c.outcome, LG_OUT_PASS);
}

/* A tag whose bytes hold a NUL (however it got there): the NUL ends the
 * identifier-like word, so a denied license before it still denies. */
static void test_unparseable_nul(void **state)
{
	struct fixture *fx = *state;
	static const char expr[] = "BUSL-1.1\0\0\x01";
	lg_file f = make_file(fx, "/srv/app/bin/tool", NULL);
	lg_layer *l = &fx->layer;
	lg_xgrow((void **)&l->tags, &l->tags_cap, l->ntags + 1, sizeof(*l->tags));
	l->tags[l->ntags++] = (lg_tag){
		.expr = lg_arena_strndup(&l->arena, expr, sizeof(expr) - 1),
		.len = sizeof(expr) - 1,
		.line = 1,
	};
	f.ntags = 1;
	lg_classification c;
	lg_classify(fx->rules, fx->dockerhub, &fx->layer, &f, &c);
	assert_int_equal(c.nevidence, 1);
	assert_int_equal(c.evidence[0].kind, LG_EV_UNPARSEABLE);
	assert_int_equal(c.evidence[0].level, LG_LEVEL_DENY);
	assert_string_equal(c.class_name, "BSL");
	assert_int_equal(c.outcome, LG_OUT_DENY);
}

static void test_exempt(void **state)
{
	struct fixture *fx = *state;
	lg_file f = make_file(fx, "/srv/app/BSL-TEXT", "BUSL-1.1");
	lg_classification c;
	lg_classify(fx->rules, fx->strict, &fx->layer, &f, &c);
	assert_int_equal(c.outcome, LG_OUT_EXEMPT);
	assert_string_equal(lg_outcome_name(c.outcome), "exempt");
	assert_non_null(c.exempt);
	assert_int_equal(c.exempt->kind, LG_RULE_EXEMPT);
	assert_int_equal(c.exempt->line, 12);
	assert_string_equal(c.exempt->reason, "license text only");
	/* the evidence is still reported */
	assert_int_equal(c.nevidence, 1);
	assert_string_equal(c.evidence[0].id, "BUSL-1.1");
}

/* More evidence than LG_MAX_EVIDENCE: the rest is counted, and still
 * weighs in the result; the deciding evidence (the path, here) takes the
 * last slot, so the verdict always names its evidence. */
static void test_evidence_cap(void **state)
{
	struct fixture *fx = *state;
	lg_buf tags = LG_BUF_INIT;
	for (int i = 0; i < LG_MAX_EVIDENCE + 3; i++)
		lg_buf_appendf(&tags, "%sMIT", i ? "|" : "");
	lg_file f = make_file(fx, "/srv/app/src/enterprise/big.js", tags.data);
	lg_buf_free(&tags);
	lg_classification c;
	lg_classify(fx->rules, fx->dockerhub, &fx->layer, &f, &c);
	assert_int_equal(c.nevidence, LG_MAX_EVIDENCE);
	assert_int_equal(c.nomitted, 4); /* 3 more tags and the path */
	assert_int_equal(c.level, LG_LEVEL_DENY);
	assert_int_equal(c.outcome, LG_OUT_DENY);
	assert_string_equal(c.class_name, "BSL");
	for (size_t i = 0; i + 1 < c.nevidence; i++)
		assert_int_equal(c.evidence[i].kind, LG_EV_TAG);
	const lg_evidence *last = &c.evidence[LG_MAX_EVIDENCE - 1];
	assert_int_equal(last->kind, LG_EV_PATH);
	assert_int_equal(last->level, LG_LEVEL_DENY);
	assert_string_equal(last->class_name, "BSL");

	/* evidence no more restrictive than what is listed is only counted */
	f = make_file(fx, "/srv/app/node_modules/big/x.js", "MIT|MIT|MIT|MIT|MIT|MIT|MIT|MIT|"
		      "MIT|MIT|MIT|MIT|MIT|MIT|MIT|MIT|ISC");
	lg_classify(fx->rules, fx->dockerhub, &fx->layer, &f, &c);
	assert_int_equal(c.nomitted, 2);
	assert_int_equal(c.evidence[LG_MAX_EVIDENCE - 1].kind, LG_EV_TAG);
	assert_int_equal(c.outcome, LG_OUT_PASS);
}

/* The result does not depend on what the struct held before. */
static void test_reused_classification(void **state)
{
	struct fixture *fx = *state;
	lg_file deny = make_file(fx, "/srv/app/BSL-TEXT", "BUSL-1.1|MIT|ISC");
	lg_file none = make_file(fx, "/srv/app/README.md", NULL);
	lg_classification c;
	lg_classify(fx->rules, fx->strict, &fx->layer, &deny, &c);
	assert_int_equal(c.outcome, LG_OUT_EXEMPT);
	lg_classify(fx->rules, fx->dockerhub, &fx->layer, &none, &c);
	assert_int_equal(c.outcome, LG_OUT_WARN);
	assert_int_equal(c.level, LG_LEVEL_UNKNOWN);
	assert_null(c.class_name);
	assert_null(c.exempt);
	assert_int_equal(c.nevidence, 0);
	assert_int_equal(c.nomitted, 0);
}

/* The note an expression's identifiers get, or "" when all are listed. */
static void test_identifier_notes(void **state)
{
	struct fixture *fx = *state;
	static const struct {
		const char *expr, *note; /* note: a substring, "" for none */
	} notes[] = {
		{ "BSL-1.1", "the Business Source License is 'BUSL-1.1' ('BSL-1.0' is the Boost" },
		{ "MIT OR Apache2", "unknown SPDX identifier 'Apache2'; did you mean 'Apache-2.0'?" },
		{ "Apache2 AND MIT2", "'Apache2'; did you mean 'Apache-2.0'? (and 1 more)" },
		{ "MIT WITH Apache-2.0", "'Apache-2.0' is a license, not an exception" },
		{ "Classpath-exception-2.0", "'Classpath-exception-2.0' is an exception, not a license" },
		{ "GPL-2.0-or-later WITH Classpath-exception-2.0", "" },
		{ "GPL-2.0+ with Linux-syscall-note", "" },
		{ "MIT WITH Acme-exception", "unknown SPDX license exception 'Acme-exception'" },
		{ "MIT AND NOASSERTION", "'NOASSERTION' is not a license" },
		{ "NONE", "'NONE' is not a license" },
		{ "UNLICENSED", "npm uses it" },
		{ "(MIT OR LicenseRef-x) AND DocumentRef-d:LicenseRef-y", "" },
		{ "GPL-2.0", "" }, /* deprecated, but SPDX defines it */
	};
	for (size_t i = 0; i < LG_ARRAY_LEN(notes); i++) {
		lg_file f = make_file(fx, "/srv/app/x.c", notes[i].expr);
		lg_classification c;
		lg_classify(fx->rules, fx->open, &fx->layer, &f, &c);
		assert_int_equal(c.nevidence, 1);
		const char *note = c.evidence[0].note;
		bool want = notes[i].note[0] != '\0';
		if (want != (note[0] != '\0') || !strstr(note, notes[i].note))
			fail_msg("%s: note \"%s\", want \"%s\"", notes[i].expr, note,
				 notes[i].note);
		assert_int_equal(c.bad_identifier, want);
		assert_int_equal(c.outcome, want ? LG_OUT_WARN : LG_OUT_PASS);
	}
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(lg_outcome_name(LG_OUT_PASS), "pass");
	assert_string_equal(lg_outcome_name(LG_OUT_WARN), "warn");
	assert_string_equal(lg_outcome_name(LG_OUT_DENY), "deny");
	assert_string_equal(lg_outcome_name(LG_OUT_EXEMPT), "exempt");
	assert_string_equal(lg_evidence_kind_name(LG_EV_PATH), "path");
	assert_string_equal(lg_evidence_kind_name(LG_EV_TAG), "spdx-tag");
	assert_string_equal(lg_evidence_kind_name(LG_EV_UNPARSEABLE), "unparseable");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_path_evidence, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tag_evidence, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unparseable_evidence, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unparseable_denied, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unparseable_nul, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exempt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_evidence_cap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reused_classification, setup, teardown),
		cmocka_unit_test_setup_teardown(test_identifier_notes, setup, teardown),
		cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests_name("classify", tests, NULL, NULL) ? 1 : 0;
}
