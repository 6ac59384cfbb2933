/* test_report_sbom.c - the SBOMs' licenses (report_sbom.h), as tables: an
 * expression as a file's tag says it, and what licenseConcluded must be.
 * (The XML and HTML escaping is test_escape.c's.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "report_sbom.h"
#include "util.h"

#define UNSET "(unset)"

static const char *concluded_of(lg_classification *c, lg_sbom_refs *refs, lg_buf *out)
{
	lg_buf_reset(out);
	return lg_sbom_concluded(c, refs, out) ? out->data : "NOASSERTION";
}

static void tag(lg_classification *c, const char *expr)
{
	lg_evidence *e = &c->evidence[c->nevidence++];
	memset(e, 0, sizeof(*e));
	e->kind = LG_EV_TAG;
	e->value = expr;
	e->value_len = strlen(expr);
	e->level = LG_LEVEL_ALLOW;
	e->line = 1;
}

static void test_concluded_one_tag(void **state)
{
	(void)state;
	static const struct {
		const char *tag, *want;
	} cases[] = {
		{ "MIT", "MIT" },
		{ "mit", "MIT" },
		{ "Apache-2.0 OR MIT", "Apache-2.0 OR MIT" },
		{ "apache-2.0 or mit", "Apache-2.0 OR MIT" },
		{ "(MIT OR Apache-2.0) AND BSD-3-Clause", "(MIT OR Apache-2.0) AND BSD-3-Clause" },
		{ "  MIT   AND  ( ISC OR  0BSD )", "MIT AND (ISC OR 0BSD)" },
		{ "GPL-2.0-or-later WITH Classpath-exception-2.0",
		  "GPL-2.0-or-later WITH Classpath-exception-2.0" },
		{ "GPL-2.0+", "GPL-2.0+" },
		{ "BSL-1.1", "LicenseRef-BSL-1.1" },
		{ "LicenseRef-acme", "LicenseRef-acme" },
		{ "MIT WITH Bogus-exception", "LicenseRef-MIT-WITH-Bogus-exception" },
		{ "Apache-2.0 AND GPL-2.0-only WITH nope", "Apache-2.0 AND LicenseRef-GPL-2.0-only-WITH-nope" },
		{ "My<License>", "LicenseRef-My-License-" },
	};
	lg_buf out = LG_BUF_INIT;
	for (size_t i = 0; i < LG_ARRAY_LEN(cases); i++) {
		lg_sbom_refs refs = { 0 };
		lg_classification c = { .level = LG_LEVEL_ALLOW };
		tag(&c, cases[i].tag);
		const char *got = concluded_of(&c, &refs, &out);
		if (strcmp(got, cases[i].want) != 0)
			fail_msg("\"%s\": got \"%s\", want \"%s\"", cases[i].tag, got, cases[i].want);
		/* every LicenseRef- used is defined */
		for (const char *p = strstr(got, "LicenseRef-"); p; p = strstr(p + 1, "LicenseRef-")) {
			bool defined = strncmp(p, "LicenseRef-acme", 15) == 0;
			for (size_t k = 0; k < refs.n; k++)
				defined |= strncmp(p, refs.refs[k].id, strlen(refs.refs[k].id)) == 0;
			if (!defined)
				fail_msg("\"%s\": %s is not defined", cases[i].tag, p);
		}
		lg_sbom_refs_free(&refs);
	}
	lg_buf_free(&out);
}

static void test_concluded_combines(void **state)
{
	(void)state;
	lg_buf out = LG_BUF_INIT;
	lg_sbom_refs refs = { 0 };
	lg_classification c = { .level = LG_LEVEL_ALLOW, .class_name = "permissive" };
	tag(&c, "MIT");
	tag(&c, "MIT"); /* the same tag twice says nothing more */
	tag(&c, "ISC OR 0BSD");
	assert_string_equal(concluded_of(&c, &refs, &out), "(MIT) AND (ISC OR 0BSD)");

	/* a path rule alone: the class as a LicenseRef, defined */
	lg_classification p = { .level = LG_LEVEL_DENY, .class_name = "BSL", .nevidence = 1 };
	p.evidence[0] = (lg_evidence){ .kind = LG_EV_PATH, .value = "/app/**", .value_len = 7,
				       .level = LG_LEVEL_DENY, .class_name = "BSL" };
	assert_string_equal(concluded_of(&p, &refs, &out), "LicenseRef-licgate-BSL");
	bool found = false;
	for (size_t k = 0; k < refs.n; k++)
		found |= strcmp(refs.refs[k].id, "LicenseRef-licgate-BSL") == 0;
	assert_true(found);

	/* nothing known: NOASSERTION */
	lg_classification u = { .level = LG_LEVEL_UNKNOWN };
	assert_string_equal(concluded_of(&u, &refs, &out), "NOASSERTION");
	lg_sbom_refs_free(&refs);
	lg_buf_free(&out);
}

static void collect(void *ud, const char *id)
{
	lg_buf *b = ud;
	lg_buf_appendf(b, "%s;", id);
}

static void test_declared(void **state)
{
	(void)state;
	lg_tag tags[] = {
		{ .expr = "MIT OR Apache-2.0", .len = 17 },
		{ .expr = "mit", .len = 3 },
		{ .expr = "MIT AND AND BUSL-1.1", .len = 20 },
		{ .expr = "GPL-2.0+ WITH Classpath-exception-2.0", .len = 37 },
	};
	lg_layer l = { .tags = tags, .ntags = LG_ARRAY_LEN(tags) };
	lg_file f = { .first_tag = 0, .ntags = LG_ARRAY_LEN(tags) };
	lg_sbom_refs refs = { 0 };
	lg_buf got = LG_BUF_INIT;
	size_t n = lg_sbom_declared(&l, &f, &refs, collect, &got);
	assert_string_equal(got.data, "MIT;Apache-2.0;BUSL-1.1;GPL-2.0;Classpath-exception-2.0;");
	assert_int_equal(n, 5);
	lg_buf_free(&got);
	lg_sbom_refs_free(&refs);
}

static void test_uuid_and_time(void **state)
{
	(void)state;
	char a[37], b[37], c[37];
	lg_sbom_uuid("one", a);
	lg_sbom_uuid("one", b);
	lg_sbom_uuid("two", c);
	assert_string_equal(a, b);
	assert_string_not_equal(a, c);
	assert_int_equal(strlen(a), 36);
	assert_int_equal(a[14], '5');
	assert_non_null(strchr("89ab", a[19]));
	setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
	char t[21];
	lg_sbom_created(t);
	assert_string_equal(t, "2023-11-14T22:13:20Z");
	unsetenv("SOURCE_DATE_EPOCH");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_concluded_one_tag),
		cmocka_unit_test(test_concluded_combines),
		cmocka_unit_test(test_declared),
		cmocka_unit_test(test_uuid_and_time),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
