/* test_rules.c - the rules file: every parse error, the format's example
 * (as written here and as printed in licgate-rules(5)), lint findings,
 * last-match-wins, and the shipped rules files.
 *
 * Tests that read files of the source tree (rules/, man/) look for them
 * in $LICGATE_SRCDIR, then in the current directory and its parents. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "error.h"
#include "rules.h"
#include "util.h"

#define NAME "t.rules"

/* The example of the issue and of licgate-rules(5), byte for byte. */
static const char EXAMPLE[] =
	"class MIT          \"Community Edition\"\n"
	"class BSL          \"Enterprise Edition\"\n"
	"class third-party  \"Upstream components\"\n"
	"\n"
	"# publication targets: the classes each may ship; files with no "
	"evidence follow `unknown`\n"
	"target dockerhub  allow MIT third-party  deny BSL  unknown warn\n"
	"target ghcr       allow MIT BSL third-party        unknown allow\n"
	"\n"
	"# SPDX identifiers from SPDX-License-Identifier tags -> class "
	"(case-insensitive, * globs)\n"
	"license BUSL-1.1            BSL\n"
	"license LicenseRef-Acme-*   BSL\n"
	"license MIT                 MIT\n"
	"license ISC Apache-2.0 BSD-3-Clause 0BSD  third-party\n"
	"\n"
	"# paths in the image: globs (* within a segment, ** across, ?, [..]) "
	"or re:REGEX (PCRE2); the last match wins\n"
	"path /srv/app/src/enterprise/**      BSL\n"
	"path /srv/app/node_modules/**        third-party\n"
	"path re:^/usr/(lib|share)/           third-party\n"
	"\n"
	"# accepted exceptions; the reason goes into the report\n"
	"exempt /srv/app/LICENSE-BSL  \"license text only\"\n";

/* ---- helpers ---------------------------------------------------------- */

static lg_rules *parse_named(const char *name, const char *text, size_t len)
{
	lg_error err = LG_ERROR_INIT;
	lg_rules *r = NULL;
	if (lg_rules_parse(name, text, len, &r, &err) != 0)
		fail_msg("parse failed:\n%s", lg_error_msg(&err));
	return r;
}

static lg_rules *parse_ok(const char *text)
{
	return parse_named(NAME, text, strlen(text));
}

static void expect_error_n(const char *text, size_t len, const char *expected)
{
	lg_error err = LG_ERROR_INIT;
	lg_rules *sentinel = (lg_rules *)&err;
	lg_rules *r = sentinel;
	assert_int_equal(lg_rules_parse(NAME, text, len, &r, &err), -1);
	assert_ptr_equal(r, sentinel); /* *out untouched on error */
	assert_string_equal(lg_error_msg(&err), expected);
	lg_error_clear(&err);
}

static void expect_error(const char *text, const char *expected)
{
	expect_error_n(text, strlen(text), expected);
}

/* Everything lg_rules_lint() prints; *count gets its return value. */
static char *lint_output(const lg_rules *r, size_t *count)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	assert_non_null(f);
	*count = lg_rules_lint(r, f);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void assert_lint_clean(const lg_rules *r)
{
	size_t n = 0;
	char *out = lint_output(r, &n);
	assert_string_equal(out, "");
	assert_int_equal(n, 0);
	free(out);
}

static const char *path_class(const lg_rules *r, const char *path)
{
	const lg_rule *rule = lg_rules_match_path(r, path, strlen(path));
	return rule ? rule->class_name : NULL;
}

static const char *license_class(const lg_rules *r, const char *id)
{
	const lg_rule *rule = lg_rules_match_license(r, id, strlen(id));
	return rule ? rule->class_name : NULL;
}

static const char *exempt_reason(const lg_rules *r, const char *path)
{
	const lg_rule *rule = lg_rules_match_exempt(r, path, strlen(path));
	return rule ? rule->reason : NULL;
}

/* assert_string_equal that also accepts two NULLs */
static void assert_str_or_null(const char *got, const char *want)
{
	if (!want)
		assert_null(got);
	else if (!got)
		fail_msg("got NULL, want \"%s\"", want);
	else
		assert_string_equal(got, want);
}

/* A file of the source tree, or a test failure saying how to find it. */
static char *src_path(const char *rel)
{
	const char *dirs[] = { getenv("LICGATE_SRCDIR"), ".", "..", "../..",
			       "../../.." };
	for (size_t i = 0; i < LG_ARRAY_LEN(dirs); i++) {
		if (!dirs[i])
			continue;
		char *p = lg_xasprintf("%s/%s", dirs[i], rel);
		if (access(p, R_OK) == 0)
			return p;
		free(p);
	}
	fail_msg("cannot find %s: run from the source tree or set "
		 "LICGATE_SRCDIR", rel);
	return NULL;
}

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	lg_buf b = LG_BUF_INIT;
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		lg_buf_append(&b, chunk, n);
	fclose(f);
	*len = b.len;
	return lg_buf_steal(&b);
}

/* ---- every parse error, one test each --------------------------------- */

#define ERROR_CASES(X)                                                        \
	X(err_unterminated_string, "class A \"Community\n",                  \
	  NAME ":1: unterminated string")                                     \
	X(err_missing_blank_after_quote, "class A \"x\"y\n",                 \
	  NAME ":1: missing blank after closing quote")                       \
	X(err_quote_inside_word, "class A x\"y\"\n",                         \
	  NAME ":1: unexpected '\"' inside a word (quote the whole word)")    \
	X(err_unknown_statement, "# comment\n\nklass A\n",                   \
	  NAME ":3: unknown statement 'klass'")                               \
	X(err_class_missing_name, "class\n",                                  \
	  NAME ":1: class: expected NAME [\"DESCRIPTION\"]")                  \
	X(err_class_too_many_args, "class A Community Edition\n",            \
	  NAME ":1: class: too many arguments (quote a description that "     \
	       "contains blanks)")                                            \
	X(err_invalid_class_name, "class A/B\n",                              \
	  NAME ":1: invalid class name 'A/B' (use letters, digits, '.', '_' " \
	       "and '-')")                                                    \
	X(err_keyword_class_name, "class deny\n",                             \
	  NAME ":1: 'deny' is a keyword, not a class name")                   \
	X(err_target_missing_name, "target\n",                                \
	  NAME ":1: target: expected NAME followed by allow, deny and "       \
	       "unknown clauses")                                             \
	X(err_invalid_target_name, "target pub/lic allow A\n",                \
	  NAME ":1: invalid target name 'pub/lic' (use letters, digits, "     \
	       "'.', '_' and '-')")                                           \
	X(err_target_empty_allow, "class A\ntarget t allow deny A\n",        \
	  NAME ":2: target 't': 'allow' needs at least one class")            \
	X(err_target_empty_deny, "target t allow A deny\n",                   \
	  NAME ":1: target 't': 'deny' needs at least one class")             \
	X(err_target_class_before_clause, "target t A allow B\n",            \
	  NAME ":1: target 't': expected allow, deny or unknown before 'A'")  \
	X(err_unknown_missing_action, "target t allow A unknown\n",          \
	  NAME ":1: target 't': 'unknown' needs an action: allow, warn or "   \
	       "deny")                                                        \
	X(err_unknown_bad_action, "target t unknown maybe\n",                 \
	  NAME ":1: target 't': unknown action 'maybe' (expected allow, "     \
	       "warn or deny)")                                               \
	X(err_unknown_duplicate, "target t unknown warn allow A unknown "     \
	  "deny\n",                                                           \
	  NAME ":1: target 't': duplicate 'unknown'")                         \
	X(err_allowed_and_denied, "target t allow A B deny C B\n",            \
	  NAME ":1: target 't': class 'B' is both allowed and denied")        \
	X(err_license_missing_args, "license MIT\n",                          \
	  NAME ":1: license: expected ID... CLASS")                           \
	X(err_license_bad_id, "license MIT,ISC A\n",                          \
	  NAME ":1: invalid license identifier 'MIT,ISC' (use letters, "      \
	       "digits, '.', '-', '+', ':' and '*')")                         \
	X(err_path_missing_args, "path /a\n",                                 \
	  NAME ":1: path: expected PATTERN CLASS")                            \
	X(err_path_bad_glob, "path /a/[x A\n",                                \
	  NAME ":1: bad pattern '/a/[x': unterminated '[' at offset 3")       \
	X(err_path_empty_glob, "path \"\" A\n",                               \
	  NAME ":1: bad pattern '': empty pattern")                           \
	X(err_path_bad_regex, "path re:^/(usr A\n",                           \
	  NAME ":1: bad pattern 're:^/(usr': missing closing parenthesis at " \
	       "offset 9")                                                    \
	X(err_exempt_missing_reason, "exempt /a\n",                           \
	  NAME ":1: exempt: expected PATTERN \"REASON\"")                     \
	X(err_exempt_empty_reason, "exempt /a \"\"\n",                        \
	  NAME ":1: exempt: empty reason")                                    \
	X(err_exempt_bad_pattern, "exempt /a/\\ \"r\"\n",                     \
	  NAME ":1: bad pattern '/a/\\': trailing backslash at offset 3")

#define DEFINE_ERROR_TEST(name, text, expected) \
	static void name(void **state)          \
	{                                       \
		(void)state;                    \
		expect_error(text, expected);   \
	}
ERROR_CASES(DEFINE_ERROR_TEST)

static void err_nul_byte(void **state)
{
	(void)state;
	static const char text[] = "class A\nclass B\0C\nclass D\n";
	expect_error_n(text, sizeof text - 1, NAME ":2: NUL byte in line");
}

static void err_line_too_long(void **state)
{
	(void)state;
	lg_buf b = LG_BUF_INIT;
	lg_buf_append(&b, "class A\n#", 9);
	for (int i = 0; i < 65536; i++)
		lg_buf_putc(&b, 'x');
	lg_buf_putc(&b, '\n');
	expect_error_n(b.data, b.len,
		       NAME ":2: line too long (more than 65536 bytes)");
	/* exactly 65536 bytes is fine */
	lg_buf_reset(&b);
	lg_buf_putc(&b, '#');
	for (int i = 1; i < 65536; i++)
		lg_buf_putc(&b, 'x');
	lg_rules_free(parse_named(NAME, b.data, b.len));
	lg_buf_free(&b);
}

static void err_too_many_errors(void **state)
{
	(void)state;
	lg_buf text = LG_BUF_INIT, want = LG_BUF_INIT;
	for (int i = 1; i <= 60; i++)
		lg_buf_appendf(&text, "bogus%d\n", i);
	for (int i = 1; i <= 50; i++)
		lg_buf_appendf(&want, NAME ":%d: unknown statement 'bogus%d'\n",
			       i, i);
	lg_buf_appendf(&want, NAME ":51: too many errors; giving up");
	expect_error(text.data, want.data);
	lg_buf_free(&text);
	lg_buf_free(&want);
}

/* All errors, one line each, in file order; good lines do not hide them. */
static void err_all_collected(void **state)
{
	(void)state;
	expect_error("class A\n"
		     "klass B\n"
		     "target t allow A\n"
		     "path /a/[ A\n"
		     "license MIT\n"
		     "target u allow A deny A unknown sometimes\n",
		     NAME ":2: unknown statement 'klass'\n"
		     NAME ":4: bad pattern '/a/[': unterminated '[' at offset 3\n"
		     NAME ":5: license: expected ID... CLASS\n"
		     NAME ":6: target 'u': class 'A' is both allowed and "
			  "denied\n"
		     NAME ":6: target 'u': unknown action 'sometimes' "
			  "(expected allow, warn or deny)");
}

/* A hostile rules file cannot put control bytes into messages. */
static void err_escaped_in_message(void **state)
{
	(void)state;
	expect_error("\x1b[31mred\n",
		     NAME ":1: unknown statement '\\x1b[31mred'");
	expect_error("class \xff\n",
		     NAME ":1: invalid class name '\\xff' (use letters, digits, "
		     "'.', '_' and '-')");
}

/* ---- loading ---------------------------------------------------------- */

static void load_errors(void **state)
{
	(void)state;
	char dir[] = "/tmp/test_rules.XXXXXX";
	assert_non_null(mkdtemp(dir));
	lg_error err = LG_ERROR_INIT;
	lg_rules *r = NULL;

	char *missing = lg_xasprintf("%s/missing.rules", dir);
	assert_int_equal(lg_rules_load(missing, &r, &err), -1);
	char *want = lg_xasprintf("%s: No such file or directory", missing);
	assert_string_equal(lg_error_msg(&err), want);
	free(want);

	assert_int_equal(lg_rules_load(dir, &r, &err), -1);
	want = lg_xasprintf("%s: Is a directory", dir);
	assert_string_equal(lg_error_msg(&err), want);
	free(want);

	char *big = lg_xasprintf("%s/big.rules", dir);
	FILE *f = fopen(big, "w");
	assert_non_null(f);
	assert_int_equal(ftruncate(fileno(f), 16 * 1024 * 1024 + 1), 0);
	fclose(f);
	assert_int_equal(lg_rules_load(big, &r, &err), -1);
	want = lg_xasprintf("%s: larger than 16 MiB", big);
	assert_string_equal(lg_error_msg(&err), want);
	free(want);

	/* parse errors name the file as given */
	char *bad = lg_xasprintf("%s/bad.rules", dir);
	f = fopen(bad, "w");
	assert_non_null(f);
	fputs("class A\nclass\n", f);
	fclose(f);
	assert_int_equal(lg_rules_load(bad, &r, &err), -1);
	want = lg_xasprintf("%s:2: class: expected NAME [\"DESCRIPTION\"]", bad);
	assert_string_equal(lg_error_msg(&err), want);
	free(want);
	assert_null(r);

	lg_error_clear(&err);
	unlink(big);
	unlink(bad);
	rmdir(dir);
	free(missing);
	free(big);
	free(bad);
}

/* ---- the example ------------------------------------------------------ */

/* The example means what its comments say. */
static void check_example(const lg_rules *r, const char *name)
{
	assert_string_equal(lg_rules_name(r), name);
	assert_int_equal(lg_rules_target_count(r), 2);

	const lg_target *dh = lg_rules_target(r, NULL);
	assert_non_null(dh);
	assert_ptr_equal(dh, lg_rules_target(r, "dockerhub"));
	assert_ptr_equal(dh, lg_rules_target_at(r, 0));
	assert_string_equal(lg_target_name(dh), "dockerhub");
	assert_int_equal(lg_target_unknown(dh), LG_UNKNOWN_WARN);
	assert_int_equal(lg_target_class_level(dh, "MIT"), LG_LEVEL_ALLOW);
	assert_int_equal(lg_target_class_level(dh, "third-party"),
			 LG_LEVEL_ALLOW);
	assert_int_equal(lg_target_class_level(dh, "BSL"), LG_LEVEL_DENY);

	const lg_target *gh = lg_rules_target(r, "ghcr");
	assert_non_null(gh);
	assert_ptr_equal(gh, lg_rules_target_at(r, 1));
	assert_int_equal(lg_target_unknown(gh), LG_UNKNOWN_ALLOW);
	assert_int_equal(lg_target_class_level(gh, "MIT"), LG_LEVEL_ALLOW);
	assert_int_equal(lg_target_class_level(gh, "BSL"), LG_LEVEL_ALLOW);
	assert_int_equal(lg_target_class_level(gh, "third-party"),
			 LG_LEVEL_ALLOW);
	assert_null(lg_rules_target(r, "quay"));
	assert_null(lg_rules_target_at(r, 2));

	/* SPDX identifiers, case-insensitive, '*' globs */
	assert_str_or_null(license_class(r, "BUSL-1.1"), "BSL");
	assert_str_or_null(license_class(r, "busl-1.1"), "BSL");
	assert_str_or_null(license_class(r, "LicenseRef-Acme-Enterprise"), "BSL");
	assert_str_or_null(license_class(r, "licenseref-acme-x"), "BSL");
	assert_str_or_null(license_class(r, "LicenseRef-Acme"), NULL);
	assert_str_or_null(license_class(r, "MIT"), "MIT");
	assert_str_or_null(license_class(r, "ISC"), "third-party");
	assert_str_or_null(license_class(r, "apache-2.0"), "third-party");
	assert_str_or_null(license_class(r, "BSD-3-Clause"), "third-party");
	assert_str_or_null(license_class(r, "0BSD"), "third-party");
	assert_str_or_null(license_class(r, "GPL-3.0-only"), NULL);
	assert_str_or_null(license_class(r, "BSL-1.0"), NULL);

	/* paths */
	assert_str_or_null(path_class(r, "/srv/app/src/enterprise/sso/saml.js"),
			   "BSL");
	assert_str_or_null(path_class(r, "/srv/app/src/index.js"), NULL);
	assert_str_or_null(path_class(r, "/srv/app/node_modules/x/index.js"),
			   "third-party");
	assert_str_or_null(path_class(r, "/usr/lib/x86_64-linux-gnu/libc.so.6"),
			   "third-party");
	assert_str_or_null(path_class(r, "/usr/share/doc/README"),
			   "third-party");
	assert_str_or_null(path_class(r, "/usr/lib64/libz.so"), NULL);
	assert_str_or_null(path_class(r, "/usr/local/bin/node"), NULL);

	/* the exemption and its reason */
	const lg_rule *ex = lg_rules_match_exempt(r, "/srv/app/LICENSE-BSL", 20);
	assert_non_null(ex);
	assert_int_equal(ex->kind, LG_RULE_EXEMPT);
	assert_string_equal(ex->reason, "license text only");
	assert_string_equal(ex->pattern, "/srv/app/LICENSE-BSL");
	assert_null(ex->class_name);
	assert_int_equal(ex->line, 21);
	assert_string_equal(ex->file, name);
	assert_str_or_null(exempt_reason(r, "/srv/app/LICENSE-BSL.txt"), NULL);

	/* rules know where they were written */
	const lg_rule *lr = lg_rules_match_license(r, "0bsd", 4);
	assert_non_null(lr);
	assert_int_equal(lr->kind, LG_RULE_LICENSE);
	assert_int_equal(lr->line, 13);
	assert_string_equal(lr->pattern, "0BSD");
	assert_null(lr->reason);
	const lg_rule *pr = lg_rules_match_path(r, "/usr/share/x", 12);
	assert_non_null(pr);
	assert_int_equal(pr->kind, LG_RULE_PATH);
	assert_int_equal(pr->line, 18);
	assert_string_equal(pr->pattern, "re:^/usr/(lib|share)/");
	assert_string_equal(pr->file, name);

	assert_lint_clean(r);
}

static void example_parses(void **state)
{
	(void)state;
	lg_rules *r = parse_ok(EXAMPLE);
	check_example(r, NAME);
	lg_rules_free(r);
}

/* The example printed in licgate-rules(5) is this example, and parses. */
static void man_page_example(void **state)
{
	(void)state;
	char *path = src_path("man/licgate-rules.5");
	size_t len;
	char *man = read_all(path, &len);
	const char *begin = strstr(man, ".\\\" example-begin\n");
	const char *end = begin ? strstr(begin, ".\\\" example-end\n") : NULL;
	assert_non_null(begin);
	assert_non_null(end);
	begin = strchr(begin, '\n') + 1;

	/* undo the roff escapes the page uses; any other one is an error */
	lg_buf text = LG_BUF_INIT;
	for (const char *s = begin; s < end; s++) {
		if (*s != '\\') {
			lg_buf_putc(&text, *s);
		} else if (s[1] == '-') {
			lg_buf_putc(&text, '-');
			s++;
		} else if (s[1] == 'e') {
			lg_buf_putc(&text, '\\');
			s++;
		} else {
			fail_msg("unexpected roff escape in the example: %.8s", s);
		}
	}
	assert_string_equal(text.data, EXAMPLE);
	lg_rules *r = parse_named(path, text.data, text.len);
	check_example(r, path);
	lg_rules_free(r);
	lg_buf_free(&text);
	free(man);
	free(path);
}

/* ---- semantics -------------------------------------------------------- */

static void last_match_wins(void **state)
{
	(void)state;
	lg_rules *r = parse_ok("class A\nclass B\nclass C\n"
			       "target t allow A B C\n"
			       "path /app/**          A\n"
			       "path /app/pro/**      B\n"
			       "path /app/pro/free/*  A\n"
			       "path **/*.md          C\n"
			       "license *           A\n"
			       "license GPL-*       B\n"
			       "license GPL-2.0-*   C\n"
			       "exempt /app/**      \"first\"\n"
			       "exempt /app/x       \"second\"\n");
	assert_str_or_null(path_class(r, "/app/x.js"), "A");
	assert_str_or_null(path_class(r, "/app/pro/x.js"), "B");
	assert_str_or_null(path_class(r, "/app/pro/free/x.js"), "A");
	assert_str_or_null(path_class(r, "/app/pro/free/deep/x.js"), "B");
	assert_str_or_null(path_class(r, "/app/pro/README.md"), "C");
	assert_str_or_null(path_class(r, "/etc/passwd"), NULL);
	assert_str_or_null(license_class(r, "MIT"), "A");
	assert_str_or_null(license_class(r, "GPL-3.0-only"), "B");
	assert_str_or_null(license_class(r, "GPL-2.0-or-later"), "C");
	assert_str_or_null(exempt_reason(r, "/app/x"), "second");
	assert_str_or_null(exempt_reason(r, "/app/y"), "first");
	/* the earlier rule still wins where the later does not match */
	const lg_rule *rule = lg_rules_match_path(r, "/app/x.js", 9);
	assert_int_equal(rule->line, 5);
	lg_rules_free(r);
}

static void license_globs_case_insensitive(void **state)
{
	(void)state;
	lg_rules *r = parse_ok("class X\nclass Y\ntarget t allow X Y\n"
			       "license licenseref-ACME-*  X\n"
			       "license *-only             Y\n"
			       "license BSD-*-Clause       X\n"
			       "license DocumentRef-a:LicenseRef-b  Y\n"
			       "license GPL-2.0+           X\n");
	assert_str_or_null(license_class(r, "LicenseRef-Acme-Pro"), "X");
	assert_str_or_null(license_class(r, "LICENSEREF-ACME-"), "X");
	assert_str_or_null(license_class(r, "LicenseRef-Acmex"), NULL);
	assert_str_or_null(license_class(r, "GPL-2.0-ONLY"), "Y");
	assert_str_or_null(license_class(r, "gpl-2.0-only-x"), NULL);
	assert_str_or_null(license_class(r, "bsd-3-clause"), "X");
	assert_str_or_null(license_class(r, "BSD-3-Clause-Clear"), NULL);
	assert_str_or_null(license_class(r, "documentref-A:licenseref-B"), "Y");
	assert_str_or_null(license_class(r, "gpl-2.0+"), "X");
	/* the identifier is (pointer, length): no NUL needed */
	assert_non_null(lg_rules_match_license(r, "BSD-2-ClauseXYZ", 12));
	assert_null(lg_rules_match_license(r, "BSD-2-ClauseXYZ", 13));
	assert_null(lg_rules_match_license(r, "", 0));
	lg_rules_free(r);
}

static void target_clauses(void **state)
{
	(void)state;
	lg_rules *r = parse_ok("class A\nclass B\nclass C\n"
			       "target first deny B allow A\n"
			       "target second unknown deny allow A deny B "
			       "allow C A\n"
			       "target third unknown allow\n"
			       "target fourth\n");
	const lg_target *t = lg_rules_target(r, NULL);
	assert_string_equal(lg_target_name(t), "first");
	assert_int_equal(lg_target_unknown(t), LG_UNKNOWN_WARN); /* default */
	assert_int_equal(lg_target_class_level(t, "A"), LG_LEVEL_ALLOW);
	assert_int_equal(lg_target_class_level(t, "B"), LG_LEVEL_DENY);
	assert_int_equal(lg_target_class_level(t, "C"), LG_LEVEL_UNKNOWN);
	assert_int_equal(lg_target_class_level(t, "nope"), LG_LEVEL_UNKNOWN);
	assert_int_equal(lg_target_class_level(t, NULL), LG_LEVEL_UNKNOWN);
	/* class names are interned: one copy, compared by pointer */
	const char *a = lg_rules_class_interned(r, "A"), *c = lg_rules_class_interned(r, "C");
	assert_non_null(a);
	assert_ptr_equal(a, lg_rules_class_interned(r, "A"));
	assert_null(lg_rules_class_interned(r, "nope"));
	assert_int_equal(lg_target_class_level(t, a), LG_LEVEL_ALLOW);
	assert_int_equal(lg_target_class_level(t, c), LG_LEVEL_UNKNOWN);
	t = lg_rules_target(r, "second");
	assert_int_equal(lg_target_unknown(t), LG_UNKNOWN_DENY);
	assert_int_equal(lg_target_class_level(t, "A"), LG_LEVEL_ALLOW);
	assert_int_equal(lg_target_class_level(t, "B"), LG_LEVEL_DENY);
	assert_int_equal(lg_target_class_level(t, "C"), LG_LEVEL_ALLOW);
	assert_int_equal(lg_target_unknown(lg_rules_target(r, "third")),
			 LG_UNKNOWN_ALLOW);
	t = lg_rules_target(r, "fourth");
	assert_int_equal(lg_target_unknown(t), LG_UNKNOWN_WARN);
	assert_int_equal(lg_target_class_level(t, "A"), LG_LEVEL_UNKNOWN);
	assert_int_equal(lg_rules_target_count(r), 4);
	assert_null(lg_rules_target(r, "FIRST")); /* names are case-sensitive */
	lg_rules_free(r);
}

/* An undeclared class is a lint warning, not an error: it still works. */
static void undeclared_class_works(void **state)
{
	(void)state;
	lg_rules *r = parse_ok("target t allow Z deny Y\n"
			       "license MIT Z\npath /x/** Y\n");
	const lg_target *t = lg_rules_target(r, NULL);
	assert_int_equal(lg_target_class_level(t, "Z"), LG_LEVEL_ALLOW);
	assert_int_equal(lg_target_class_level(t, "Y"), LG_LEVEL_DENY);
	assert_str_or_null(license_class(r, "mit"), "Z");
	assert_str_or_null(path_class(r, "/x/y"), "Y");
	lg_rules_free(r);
}

static void quoting_and_comments(void **state)
{
	(void)state;
	lg_rules *r = parse_ok(
		"class A \"a # not a comment\" # a comment\n"
		"  \t # indented comment\n"
		"target t allow A#comment right after a word\n"
		"path \"/my docs/**\" A\n"
		"exempt \"/q/\\\"x\\\"\" \"say \\\"hi\\\" \\\\ \\n\"\n"
		"exempt \"/a/\\*\" \"star\"\n"
		"exempt /b/\\* \"star too\"\n"
		"\"path\" \"/c/**\" \"A\"\n");
	assert_str_or_null(path_class(r, "/my docs/x"), "A");
	assert_str_or_null(exempt_reason(r, "/q/\"x\""), "say \"hi\" \\ \\n");
	assert_str_or_null(exempt_reason(r, "/a/*"), "star");
	assert_str_or_null(exempt_reason(r, "/a/x"), NULL);
	assert_str_or_null(exempt_reason(r, "/b/*"), "star too");
	assert_str_or_null(exempt_reason(r, "/b/x"), NULL);
	assert_str_or_null(path_class(r, "/c/d"), "A");
	assert_int_equal(lg_target_class_level(lg_rules_target(r, "t"), "A"),
			 LG_LEVEL_ALLOW);
	lg_rules_free(r);
}

static void crlf_and_no_final_newline(void **state)
{
	(void)state;
	lg_rules *r = parse_ok("class A\r\ntarget t allow A unknown deny\r\n"
			       "path /a/** A");
	const lg_target *t = lg_rules_target(r, NULL);
	assert_int_equal(lg_target_unknown(t), LG_UNKNOWN_DENY);
	assert_str_or_null(path_class(r, "/a/b"), "A");
	lg_rules_free(r);
}

static void digest_and_name(void **state)
{
	(void)state;
	lg_rules *r = parse_named("empty", "", 0);
	assert_string_equal(lg_rules_digest(r),
			    "sha256:e3b0c44298fc1c149afbf4c8996fb924"
			    "27ae41e4649b934ca495991b7852b855");
	assert_string_equal(lg_rules_name(r), "empty");
	assert_null(lg_rules_target(r, NULL));
	assert_int_equal(lg_rules_target_count(r), 0);
	lg_rules_free(r);
	/* the digest covers the text exactly: a comment changes it */
	lg_rules *a = parse_ok("class A\n");
	lg_rules *b = parse_ok("class A # x\n");
	assert_string_not_equal(lg_rules_digest(a), lg_rules_digest(b));
	assert_int_equal(strlen(lg_rules_digest(a)), 7 + 64);
	lg_rules_free(a);
	lg_rules_free(b);
	lg_rules_free(NULL);
}

static void level_names(void **state)
{
	(void)state;
	assert_string_equal(lg_level_name(LG_LEVEL_ALLOW), "allow");
	assert_string_equal(lg_level_name(LG_LEVEL_UNKNOWN), "unknown");
	assert_string_equal(lg_level_name(LG_LEVEL_DENY), "deny");
	assert_string_equal(lg_unknown_name(LG_UNKNOWN_ALLOW), "allow");
	assert_string_equal(lg_unknown_name(LG_UNKNOWN_WARN), "warn");
	assert_string_equal(lg_unknown_name(LG_UNKNOWN_DENY), "deny");
}

/* ---- lint ------------------------------------------------------------- */

static void lint_findings(void **state)
{
	(void)state;
	lg_rules *r = parse_ok("class A \"first\"\n"
			       "class A \"again\"\n"
			       "class B\n"
			       "class C\n"
			       "target t1 allow A Z deny B\n"
			       "target t1 allow A B C\n"
			       "license MIT A\n"
			       "license mit Q\n"
			       "license X1 X2 Q\n"
			       "path /a/** A\n"
			       "path /a/** B\n"
			       "path /b/** Y\n"
			       "exempt /c \"r1\"\n"
			       "exempt /c \"r2\"\n");
	size_t n = 0;
	char *out = lint_output(r, &n);
	assert_string_equal(out,
		NAME ":2: warning: class 'A' is already declared at line 1\n"
		NAME ":5: warning: target 't1' names undeclared class 'Z'\n"
		NAME ":5: warning: target 't1' neither allows nor denies class "
		     "'C'; its files count as unknown\n"
		NAME ":6: warning: target 't1' is already defined at line 5; "
		     "the first one is used\n"
		NAME ":8: warning: class 'Q' is used but not declared\n"
		NAME ":8: warning: license 'mit' already appears at line 7; "
		     "the last rule wins\n"
		NAME ":9: warning: class 'Q' is used but not declared\n"
		NAME ":11: warning: path pattern '/a/**' already appears at "
		     "line 10; the last rule wins\n"
		NAME ":12: warning: class 'Y' is used but not declared\n"
		NAME ":14: warning: exempt pattern '/c' already appears at line "
		     "13; the last rule wins\n");
	assert_int_equal(n, 10);
	/* the first of two targets with one name is the one used */
	assert_int_equal(lg_target_class_level(lg_rules_target(r, "t1"), "C"),
			 LG_LEVEL_UNKNOWN);
	free(out);
	lg_rules_free(r);
}

static void lint_no_target(void **state)
{
	(void)state;
	lg_rules *r = parse_ok("class A\nlicense MIT A\n");
	assert_null(lg_rules_target(r, NULL));
	size_t n = 0;
	char *out = lint_output(r, &n);
	assert_string_equal(out, NAME ":1: warning: no target defined; nothing "
				 "can be checked against this file\n");
	assert_int_equal(n, 1);
	free(out);
	lg_rules_free(r);
}

static void lint_one_finding_per_target_and_class(void **state)
{
	(void)state;
	lg_rules *r = parse_ok("class A\nclass B\n"
			       "target t allow A\ntarget u deny A\n");
	size_t n = 0;
	char *out = lint_output(r, &n);
	assert_string_equal(out,
		NAME ":3: warning: target 't' neither allows nor denies class "
		     "'B'; its files count as unknown\n"
		NAME ":4: warning: target 'u' neither allows nor denies class "
		     "'B'; its files count as unknown\n");
	assert_int_equal(n, 2);
	free(out);
	lg_rules_free(r);
}

/* ---- the shipped rules ------------------------------------------------ */

static void default_rules(void **state)
{
	(void)state;
	lg_error err = LG_ERROR_INIT;
	lg_rules *r = NULL;
	if (lg_rules_load_default(&r, &err) != 0)
		fail_msg("%s", lg_error_msg(&err));
	assert_string_equal(lg_rules_name(r), "builtin:default.rules");
	assert_lint_clean(r);

	const lg_target *pub = lg_rules_target(r, NULL);
	assert_string_equal(lg_target_name(pub), "public");
	assert_int_equal(lg_target_unknown(pub), LG_UNKNOWN_ALLOW);
	assert_int_equal(lg_target_class_level(pub, "permissive"), LG_LEVEL_ALLOW);
	assert_int_equal(lg_target_class_level(pub, "copyleft"), LG_LEVEL_ALLOW);
	assert_int_equal(lg_target_class_level(pub, "source-available"),
			 LG_LEVEL_DENY);
	const lg_target *priv = lg_rules_target(r, "private");
	assert_non_null(priv);
	assert_int_equal(lg_target_unknown(priv), LG_UNKNOWN_ALLOW);
	assert_int_equal(lg_target_class_level(priv, "source-available"),
			 LG_LEVEL_ALLOW);

	static const struct {
		const char *id, *class_name;
	} ids[] = {
		{ "MIT", "permissive" },
		{ "Apache-2.0", "permissive" },
		{ "BSD-3-Clause", "permissive" },
		{ "BSL-1.0", "permissive" }, /* Boost, not Business Source */
		{ "CC-BY-4.0", "permissive" },
		{ "GPL-2.0-only", "copyleft" },
		{ "gpl-3.0-or-later", "copyleft" },
		{ "LGPL-2.1-or-later", "copyleft" },
		{ "AGPL-3.0-only", "copyleft" },
		{ "MPL-2.0", "copyleft" },
		{ "CC-BY-SA-4.0", "copyleft" },
		{ "BUSL-1.1", "source-available" },
		{ "SSPL-1.0", "source-available" },
		{ "Elastic-2.0", "source-available" },
		{ "PolyForm-Noncommercial-1.0.0", "source-available" },
		{ "PolyForm-Small-Business-1.0.0", "source-available" },
		{ "CC-BY-NC-4.0", "source-available" },
		{ "CC-BY-NC-SA-4.0", "source-available" },
		{ "CC-BY-NC-ND-4.0", "source-available" },
		{ "LicenseRef-Commons-Clause", "source-available" },
		{ "LicenseRef-Commons-Clause-1.0", "source-available" },
		{ "LicenseRef-Confluent-Community-1.0", "source-available" },
		{ "FSL-1.1-MIT", "source-available" },
		{ "LicenseRef-Unknown-Thing", NULL },
	};
	for (size_t i = 0; i < LG_ARRAY_LEN(ids); i++) {
		const char *got = license_class(r, ids[i].id);
		if (!ids[i].class_name ? got != NULL
				       : !got || strcmp(got, ids[i].class_name))
			fail_msg("%s: got %s, want %s", ids[i].id,
				 got ? got : "(none)",
				 ids[i].class_name ? ids[i].class_name : "(none)");
	}
	assert_null(lg_rules_match_path(r, "/usr/lib/x", 10));

	/* the built-in copy is rules/default.rules, byte for byte */
	char *path = src_path("rules/default.rules");
	lg_rules *f = NULL;
	if (lg_rules_load(path, &f, &err) != 0)
		fail_msg("%s", lg_error_msg(&err));
	assert_string_equal(lg_rules_digest(f), lg_rules_digest(r));
	lg_rules_free(f);
	free(path);
	lg_rules_free(r);
}

/* The open-core header phrases of the built-in rules, and what they must
 * not match (README and notices mentions, multi-license headers, Boost). */
static int default_text_class(const lg_rules *r, const char *head)
{
	int hits = 0;
	for (size_t i = 0; i < lg_rules_user_text_count(r); i++) {
		int m = lg_rules_text_match(r, i, head, strlen(head));
		assert_true(m >= 0);
		if (m) {
			assert_string_equal(lg_rules_text_at(r, i)->class_name, "source-available");
			hits++;
		}
	}
	return hits;
}

/* `text header`: the first LG_TEXT_HEADER bytes only. */
static void text_header_rules(void **state)
{
	(void)state;
	lg_rules *r = parse_ok("class C\ntarget t allow C\ntext header \"Acme Pro License\" C\n"
			       "text \"Acme Pro License\" C\n");
	assert_int_equal(lg_rules_user_text_count(r), 2);
	char buf[LG_TEXT_HEADER + 100];
	memset(buf, '.', sizeof(buf));
	memcpy(buf + LG_TEXT_HEADER + 10, "Acme Pro License", 16);
	assert_int_equal(lg_rules_text_match(r, 0, buf, sizeof(buf)), 0);
	assert_int_equal(lg_rules_text_match(r, 1, buf, sizeof(buf)), 1);
	memcpy(buf + 10, "Acme Pro License", 16);
	assert_int_equal(lg_rules_text_match(r, 0, buf, sizeof(buf)), 1);
	lg_rules_free(r);
	expect_error("text header \"x\" C extra\n",
		     NAME ":1: text: expected [header] \"PHRASE\" CLASS or [header] re:REGEX CLASS");
}

static void default_rules_open_core_phrases(void **state)
{
	(void)state;
	lg_error err = LG_ERROR_INIT;
	lg_rules *r = NULL;
	if (lg_rules_load_default(&r, &err) != 0)
		fail_msg("%s", lg_error_msg(&err));
	static const char *const positive[] = {
		"// Copyright 2023 The Cockroach Authors.\n//\n// Use of this software is governed by the Business Source License\n// included in the file licenses/BSL.txt.\n",
		"// Copyright 2020 The Cockroach Authors.\n//\n// Licensed as a CockroachDB Enterprise file under the Cockroach Community\n// License (the \"License\"); you may not use this file except in compliance\n",
		"// Licensed as a Redpanda Enterprise file under the Redpanda Community\n// License (the \"License\");\n",
		"/*\n * Copyright Elasticsearch B.V. and/or licensed to Elasticsearch B.V. under one\n * or more contributor license agreements. Licensed under the Elastic License\n * 2.0; you may not use this file except in compliance with the Elastic License\n * 2.0.\n */\n",
		"/* Licensed under the \xe2\x80\x9c" "Elastic License 2.0\xe2\x80\x9d" "; you may not use this file */\n",
		"/**\n * This program is free software: you can redistribute it and/or modify\n * it under the terms of the Server Side Public License, version 1,\n * as published by MongoDB, Inc.\n */\n",
		"# Licensed under the Functional Source License, Version 1.1, MIT Future License\n",
		"/* Licensed under the Sustainable Use License */\n",
		"/**\n * @license Enterprise\n */\n",
		"// See LICENSE.enterprise for license information.\n",
		"Usage of files in this directory and its subdirectories, and of Metabase Enterprise Edition features, is subject to the Metabase Commercial License\n",
		"The PostHog Enterprise Edition (EE) license (the \xe2\x80\x9c" "EE License\xe2\x80\x9d" ")\n",
		"With regard to the Cal.com Software:\n\nThis software and associated documentation files (the \"Software\") may only be\nused in production, if you (and any entity that you represent) have agreed to,\n",
		"\"Commons Clause\" License Condition v1.0\n\nThe Software is provided to you by the Licensor under the License,\n",
	};
	for (size_t i = 0; i < LG_ARRAY_LEN(positive); i++)
		if (default_text_class(r, positive[i]) == 0)
			fail_msg("positive %zu matched no text rule: %s", i, positive[i]);
	static const char *const negative[] = {
		/* ee/ re-export shims */
		"export * from \"../features/sso\";\nexport { default } from \"./billing\";\n",
		/* a third-party notices file */
		"THIRD-PARTY SOFTWARE NOTICES\n\nThis product includes terraform-provider-x, which is licensed under the Business Source License 1.1 (BUSL-1.1).\n",
		/* Elastic's header that offers three licenses */
		"/*\n * Copyright Elasticsearch B.V. and/or licensed to Elasticsearch B.V. under one\n * or more contributor license agreements. Licensed under the \"Elastic License\n * 2.0\", the \"GNU Affero General Public License v3.0 only\", and the \"Server Side\n * Public License v 1\"; you may not use this file except in compliance with, at\n * your election, the \"Elastic License 2.0\", the \"GNU Affero General Public\n * License v3.0 only\", or the \"Server Side Public License, v 1\".\n */\n// SPDX-License-Identifier: Elastic-2.0 OR AGPL-3.0-only OR SSPL-1.0\n",
		/* Boost */
		"//  Distributed under the Boost Software License, Version 1.0. (See\n//  accompanying file LICENSE_1_0.txt) BSL-1.0\n",
		/* MIT with all rights reserved */
		"// Copyright (c) 2024 Acme. All rights reserved.\n// Licensed under the MIT License.\n",
		/* words alone */
		"# Acme Enterprise Edition\n\nThe Community License edition is free. BSL.\n",
		/* a README that names the FSL far below its header */
		"# Project\n\n" "................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................\n\n## License\nSentry is licensed under the Functional Source License.\n",
	};
	for (size_t i = 0; i < LG_ARRAY_LEN(negative); i++)
		if (default_text_class(r, negative[i]) != 0)
			fail_msg("negative %zu matched a text rule: %s", i, negative[i]);
	lg_rules_free(r);
}

static void truxe_rules(void **state)
{
	(void)state;
	char *path = src_path("rules/truxe.rules");
	lg_error err = LG_ERROR_INIT;
	lg_rules *r = NULL;
	if (lg_rules_load(path, &r, &err) != 0)
		fail_msg("%s", lg_error_msg(&err));
	/* The one finding is the point of the `unsettled` class: Docker Hub
	 * neither allows nor denies it, so its files are unknown there. */
	size_t nlint = 0;
	char *lint = lint_output(r, &nlint);
	assert_int_equal(nlint, 1);
	assert_non_null(strstr(lint, "target 'dockerhub' neither allows nor denies class "
				     "'unsettled'; its files count as unknown"));
	free(lint);

	const lg_target *dh = lg_rules_target(r, NULL);
	assert_string_equal(lg_target_name(dh), "dockerhub");
	assert_int_equal(lg_target_unknown(dh), LG_UNKNOWN_WARN);
	assert_int_equal(lg_target_class_level(dh, "MIT"), LG_LEVEL_ALLOW);
	assert_int_equal(lg_target_class_level(dh, "third-party"), LG_LEVEL_ALLOW);
	assert_int_equal(lg_target_class_level(dh, "BSL"), LG_LEVEL_DENY);
	assert_int_equal(lg_target_class_level(dh, "unsettled"), LG_LEVEL_UNKNOWN);
	const lg_target *gh = lg_rules_target(r, "ghcr");
	assert_non_null(gh);
	assert_int_equal(lg_target_unknown(gh), LG_UNKNOWN_ALLOW);
	assert_int_equal(lg_target_class_level(gh, "BSL"), LG_LEVEL_ALLOW);
	assert_int_equal(lg_target_class_level(gh, "unsettled"), LG_LEVEL_ALLOW);
	const lg_target *adm = lg_rules_target(r, "dockerhub-admin");
	assert_non_null(adm);
	assert_int_equal(lg_target_unknown(adm), LG_UNKNOWN_DENY);
	static const char *const admin_classes[] = { "MIT", "BSL", "third-party", "unsettled" };
	for (size_t i = 0; i < LG_ARRAY_LEN(admin_classes); i++)
		assert_int_equal(lg_target_class_level(adm, admin_classes[i]), LG_LEVEL_DENY);

	/* Paths of the real tree (truxeio/truxe apps/api v0.5.x, packages/
	 * website's standalone output) as `COPY . .` lands them in /app. */
	static const struct {
		const char *path, *class_name;
	} paths[] = {
		{ "/app/package.json", "MIT" },
		{ "/app/src/server.js", "MIT" },
		{ "/app/src/services/magic-link.js", "MIT" },
		{ "/app/src/routes/password-auth.js", "MIT" },
		{ "/app/src/routes/oauth.js", "MIT" },
		{ "/app/src/services/oauth/oauth-service.js", "MIT" },
		{ "/app/src/services/oauth/provider-interface.js", "MIT" },
		{ "/app/src/services/oauth/providers/github.js", "MIT" },
		{ "/app/src/services/oauth/base-provider.js", "MIT" },
		{ "/app/src/services/session.js", "MIT" },
		{ "/app/src/services/organization.js", "MIT" },
		{ "/app/src/services/mfa/totp-service.js", "MIT" },
		{ "/app/src/services/github/team-role-mapping.js", "MIT" },
		{ "/app/src/middleware/security.js", "MIT" },
		{ "/app/src/routes/admin.js", "MIT" },
		{ "/app/docs/rbac-system.md", "MIT" },
		{ "/app/dist/services/jwt.js", "MIT" },
		{ "/app/src/routes/oauth-provider/authorize.js", "BSL" },
		{ "/app/src/routes/oauth-provider/index.js", "BSL" },
		{ "/app/src/services/oauth-provider/token-service.js", "BSL" },
		{ "/app/src/services/oauth-provider/quick-reference.md", "BSL" },
		{ "/app/src/services/threat-detection.js", "BSL" },
		{ "/app/src/services/anomaly-detection.js", "BSL" },
		{ "/app/src/middleware/threat-detection.js", "BSL" },
		{ "/app/src/services/passkeys/register.js", "BSL" },
		{ "/app/src/routes/webauthn.js", "BSL" },
		{ "/app/src/services/saml/sp.js", "BSL" },
		{ "/app/src/routes/saml.js", "BSL" },
		{ "/app/src/services/scim/users.js", "BSL" },
		{ "/app/src/services/advanced-rbac/policy.js", "BSL" },
		{ "/app/src/admin-dashboard/index.tsx", "BSL" },
		{ "/app/src/components/Passkeys.tsx", "BSL" },
		{ "/app/src/components/PasskeyButton.tsx", "BSL" },
		{ "/app/dist/routes/oauth-provider/token.js", "BSL" },
		{ "/app/dist/services/threat-detection.js", "BSL" },
		{ "/app/.next/server/app/saml/page.js", "BSL" },
		{ "/app/src/services/samlify-notes.js", "MIT" },
		{ "/app/src/services/rbac/policy-engine.js", "unsettled" },
		{ "/app/src/services/rbac/cache/permission-cache.js", "unsettled" },
		{ "/app/src/middleware/rbac.js", "unsettled" },
		{ "/app/src/middleware/tenant-rbac.js", "unsettled" },
		{ "/app/src/routes/permissions-fastify.js", "unsettled" },
		{ "/app/src/services/permission/hierarchical-permission.js", "unsettled" },
		{ "/app/src/services/security-monitoring.js", "unsettled" },
		{ "/app/src/services/advanced-session-security.js", "unsettled" },
		{ "/app/src/routes/security.js", "unsettled" },
		{ "/app/test-rbac-simple.js", "unsettled" },
		{ "/app/server.js", "MIT" },
		{ "/app/.next/static/chunks/main.js", "MIT" },
		{ "/app/packages/website/package.json", "MIT" },
		{ "/app/packages/react/src/index.ts", "BSL" },
		{ "/app/node_modules/@truxe/react/dist/index.js", "BSL" },
		{ "/app/node_modules/@truxe/js/package.json", "BSL" },
		{ "/app/node_modules/.pnpm/@truxe+react@0.4.1/node_modules/@truxe/react/dist/index.mjs", "BSL" },
		{ "/app/packages/website/node_modules/@truxe/react/package.json", "BSL" },
		{ "/app/node_modules/@truxe/core/index.js", "third-party" },
		{ "/app/node_modules/express/index.js", "third-party" },
		{ "/app/node_modules/samlify/index.js", "third-party" },
		{ "/app/node_modules/.pnpm/next@14.2.33/node_modules/next/dist/server/saml.js", "third-party" },
		{ "/usr/local/bin/node", "third-party" },
		{ "/lib/ld-musl-x86_64.so.1", "third-party" },
		{ "/etc/os-release", "third-party" },
		{ "/tmp/x", NULL },
	};
	for (size_t i = 0; i < LG_ARRAY_LEN(paths); i++) {
		const char *got = path_class(r, paths[i].path);
		if (!paths[i].class_name ? got != NULL
					 : !got || strcmp(got, paths[i].class_name))
			fail_msg("%s: got %s, want %s", paths[i].path,
				 got ? got : "(none)",
				 paths[i].class_name ? paths[i].class_name
						     : "(none)");
	}
	assert_str_or_null(license_class(r, "BUSL-1.1"), "BSL");
	assert_str_or_null(license_class(r, "LicenseRef-Truxe-Enterprise"), "BSL");
	assert_str_or_null(license_class(r, "MIT"), "MIT");
	assert_str_or_null(license_class(r, "Apache-2.0"), "third-party");
	assert_str_or_null(license_class(r, "isc"), "third-party");
	lg_rules_free(r);
	free(path);
}

/* A rules file near the size limit parses and lints in linear time (the
 * lint used to compare every rule with every other: hours for this). */
static void huge_file_lints(void **state)
{
	(void)state;
	enum { N = 200000 };
	lg_buf text = LG_BUF_INIT;
	lg_buf_appendf(&text, "class A\ntarget t allow A\ntarget t allow A\n");
	for (int i = 0; i < N; i++)
		lg_buf_appendf(&text, "license X-%d C%d\nclass C%d\n", i % (N / 2),
			       i, i % (N / 2));
	lg_rules *r = parse_named(NAME, text.data, text.len);
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	assert_non_null(f);
	/* a duplicate target; N/2 classes declared twice; N/2 classes that
	 * each target t does not list; N/2 duplicate license ids; N/2
	 * classes used but not declared */
	assert_int_equal(lg_rules_lint(r, f), 1 + N / 2 + 2 * (N / 2) + N / 2 + N / 2);
	fclose(f);
	free(out);
	lg_rules_free(r);
	lg_buf_free(&text);
}

/* Each thread has its own failure: one thread's match that gave up is not
 * another's to report, and asking forgets it. */
struct failing {
	const lg_rules *r;
	int before, after;
};

static void *fail_in_thread(void *ud)
{
	struct failing *f = ud;
	lg_error err = LG_ERROR_INIT;
	char s[4097];
	memset(s, 'a', sizeof s - 1);
	s[0] = '/';
	s[sizeof s - 2] = 'b';
	s[sizeof s - 1] = '\0';
	f->before = lg_rules_match_error(f->r, &err);
	(void)lg_rules_match_path(f->r, s, strlen(s));
	f->after = lg_rules_match_error(f->r, &err);
	lg_error_clear(&err);
	return NULL;
}

static void match_error_per_thread(void **state)
{
	(void)state;
	lg_rules *r = parse_ok("class A\ntarget t allow A\npath re:^/(a|aa)+$ A\n");
	struct failing f = { r, 9, 9 };
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, fail_in_thread, &f), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(f.before, 0);
	assert_int_equal(f.after, -1);
	lg_error err = LG_ERROR_INIT;
	assert_int_equal(lg_rules_match_error(r, &err), 0); /* not this thread's */
	lg_rules_free(r);
}

/* A pattern that hits the regex work limits is an error the caller can
 * see (lg_rules_match_error), naming the rule; a path rule that gave up
 * counts as not matching, a text rule answers -1 (its caller fails). */
static void match_limit_is_an_error(void **state)
{
	(void)state;
	lg_rules *r = parse_ok("class A\ntarget t allow A\n"
			       "path re:^/(a|aa)+$ A\n"
			       "text re:^(a|aa)+$ A\n");
	lg_error err = LG_ERROR_INIT;
	assert_int_equal(lg_rules_match_error(r, &err), 0);
	assert_non_null(lg_rules_match_path(r, "/aaaa", 5));
	assert_int_equal(lg_rules_match_error(r, &err), 0);

	char s[4097];
	memset(s, 'a', sizeof s - 1);
	s[0] = '/';
	s[sizeof s - 2] = 'b';
	s[sizeof s - 1] = '\0';
	assert_null(lg_rules_match_path(r, s, strlen(s)));
	assert_int_equal(lg_rules_text_match(r, 0, s + 1, strlen(s) - 1), -1);
	assert_int_equal(lg_rules_match_error(r, &err), -1);
	/* the first failure is the one reported */
	assert_non_null(strstr(lg_error_msg(&err),
			       NAME ":3: pattern 're:^/(a|aa)+$' exceeded "
			       "the regex work limits on \"/aaaa"));
	lg_error_clear(&err);
	lg_rules_free(r);
}

int main(void)
{
#define REGISTER_ERROR_TEST(name, text, expected) cmocka_unit_test(name),
	const struct CMUnitTest tests[] = {
		ERROR_CASES(REGISTER_ERROR_TEST)
		cmocka_unit_test(err_nul_byte),
		cmocka_unit_test(err_line_too_long),
		cmocka_unit_test(err_too_many_errors),
		cmocka_unit_test(err_all_collected),
		cmocka_unit_test(err_escaped_in_message),
		cmocka_unit_test(load_errors),
		cmocka_unit_test(example_parses),
		cmocka_unit_test(man_page_example),
		cmocka_unit_test(last_match_wins),
		cmocka_unit_test(license_globs_case_insensitive),
		cmocka_unit_test(target_clauses),
		cmocka_unit_test(undeclared_class_works),
		cmocka_unit_test(quoting_and_comments),
		cmocka_unit_test(crlf_and_no_final_newline),
		cmocka_unit_test(digest_and_name),
		cmocka_unit_test(level_names),
		cmocka_unit_test(lint_findings),
		cmocka_unit_test(lint_no_target),
		cmocka_unit_test(lint_one_finding_per_target_and_class),
		cmocka_unit_test(default_rules),
		cmocka_unit_test(default_rules_open_core_phrases),
		cmocka_unit_test(text_header_rules),
		cmocka_unit_test(match_error_per_thread),
		cmocka_unit_test(match_limit_is_an_error),
		cmocka_unit_test(huge_file_lints),
		cmocka_unit_test(truxe_rules),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
