/* fuzz_rules.c - the rules parser and linter (rules.c, spdx_ids.c's
 * check-rules), and queries over whatever rules parse.
 *
 * Input: a rules file.  A file that parses is linted (both linters), and
 * its path, exempt, license and text rules are matched against a few
 * fixed paths, identifiers and a text head, so fuzzed patterns meet real
 * subjects.  Invariants: a parse error has a message naming the file, and
 * lint counts what it prints.
 */
#include <string.h>

#include "fuzz_common.h"
#include "spdx_ids.h"

static const char *const PATHS[] = {
	"/", "/usr/share/doc/app/copyright", "/opt/app/node_modules/x/index.js",
	"/app/ee/server.go", "/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s/t/u/v/w",
	"/\xff\xfe/\x01name.txt",
};
static const char *const IDS[] = { "MIT", "BUSL-1.1", "GPL-2.0-or-later",
				   "LicenseRef-acme", "bsl-1.0" };
static const char TEXT[] =
	"// Copyright 2024 Acme\n// Use of this software is governed by the "
	"Business Source License included in the LICENSE file.\n"
	"/* SPDX-License-Identifier: MIT */\naaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab\n";

/* Run every query once; the results only need to be consistent. */
static void query(const lg_rules *r)
{
	for (size_t i = 0; i < LG_ARRAY_LEN(PATHS); i++) {
		size_t len = strlen(PATHS[i]);
		const lg_rule *p = lg_rules_match_path(r, PATHS[i], len);
		const lg_rule *e = lg_rules_match_exempt(r, PATHS[i], len);
		FUZZ_CHECK(!p || (p->kind == LG_RULE_PATH && p->class_name));
		FUZZ_CHECK(!e || (e->kind == LG_RULE_EXEMPT && e->reason));
	}
	for (size_t i = 0; i < LG_ARRAY_LEN(IDS); i++) {
		const lg_rule *l = lg_rules_match_license(r, IDS[i], strlen(IDS[i]));
		FUZZ_CHECK(!l || l->kind == LG_RULE_LICENSE);
	}
	for (size_t i = 0; i < lg_rules_text_count(r); i++)
		(void)lg_rules_text_match(r, i, TEXT, sizeof TEXT - 1);
	for (size_t i = 0; i < lg_rules_target_count(r); i++) {
		const lg_target *t = lg_rules_target_at(r, i);
		FUZZ_CHECK(lg_rules_target(r, lg_target_name(t)) != NULL);
		(void)lg_target_class_level(t, "proprietary");
	}
	FUZZ_CHECK((lg_rules_target(r, NULL) != NULL) ==
		   (lg_rules_target_count(r) > 0));
}

static size_t count_lines(const char *s, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		n += s[i] == '\n';
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	lg_rules *r = NULL;
	lg_error err = LG_ERROR_INIT;
	if (lg_rules_parse("fuzz.rules", (const char *)data, size, &r, &err) < 0) {
		FUZZ_CHECK(strncmp(lg_error_msg(&err), "fuzz.rules:", 11) == 0);
		lg_error_clear(&err);
		return 0;
	}
	FUZZ_CHECK(err.msg == NULL);
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	FUZZ_CHECK(out != NULL);
	size_t n = lg_rules_lint(r, out);
	n += lg_spdx_lint_rules(r, out);
	FUZZ_CHECK(fclose(out) == 0);
	FUZZ_CHECK(count_lines(text, len) == n);
	free(text);
	query(r);
	lg_rules_free(r);
	return 0;
}
