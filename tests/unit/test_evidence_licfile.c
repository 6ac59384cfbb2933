/* test_evidence_licfile.c - directory license files: which names are
 * license files, what their text says (license_texts.c), which directory
 * governs a file, and what classification makes of it; on layers built by
 * hand, with the built-in rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "classify.h"
#include "evidence_licfile.h"
#include "license_texts.h"
#include "rules.h"
#include "util.h"

static const char BUSL[] =
	"License text copyright (c) 2017 MariaDB Corporation Ab, All Rights Reserved.\n"
	"\xe2\x80\x9c" "Business Source License\xe2\x80\x9d is a trademark of MariaDB Corporation Ab.\n\n"
	"Parameters\n\nLicensor:             Acme, Inc.\nLicensed Work:        Acme EE\n";
static const char BUSL_PARAMS[] = "Business Source License 1.1\n\n**Licensor:** Acme\n**Licensed Work:** Acme EE\n";
static const char MIT[] = "MIT License\n\nPermission is hereby granted, free of charge, to any person\n"
			  "obtaining a copy of this software";
static const char ELASTIC[] = "Elastic License 2.0\n\nURL: https://www.elastic.co/licensing/elastic-license\n";
static const char EE[] = "The PostHog Enterprise Edition (EE) license (the \xe2\x80\x9c" "EE License\xe2\x80\x9d)\n"
			 "... if you (and any entity that you represent) have agreed ...";
/* Truxe's root LICENSE: a dual-license summary that names both. */
static const char TRUXE[] = "# Truxe Dual License\n\nCopyright (c) 2025 Wundam LLC. All rights reserved.\n"
			    "## Community Edition (MIT License)\n## Professional/Enterprise Edition "
			    "(Business Source License 1.1)\n**Change License:** MIT License\n";

static lg_rules *rules(const char *extra)
{
	lg_error err = LG_ERROR_INIT;
	lg_rules *d = NULL;
	if (lg_rules_load_default(&d, &err) < 0)
		fail_msg("%s", lg_error_msg(&err));
	if (!extra)
		return d;
	lg_rules_free(d);
	/* the built-in text plus extra lines */
	extern const unsigned char lg_default_rules[];
	extern const size_t lg_default_rules_len;
	lg_buf b = LG_BUF_INIT;
	lg_buf_append(&b, lg_default_rules, lg_default_rules_len);
	lg_buf_append(&b, extra, strlen(extra));
	lg_rules *r = NULL;
	if (lg_rules_parse("t.rules", b.data, b.len, &r, &err) < 0)
		fail_msg("%s", lg_error_msg(&err));
	lg_buf_free(&b);
	return r;
}

/* Add a file as the walk would record it: tag (may be NULL), and the text
 * rules its content matches (license-text rules only in license files). */
static void add(lg_layer *l, const lg_rules *r, const char *path, const char *content,
		const char *tag)
{
	size_t len = strlen(path);
	lg_xgrow((void **)&l->files, &l->files_cap, l->nfiles + 1, sizeof(*l->files));
	lg_file *f = &l->files[l->nfiles++];
	*f = (lg_file){ .path = lg_arena_strndup(&l->arena, path, len), .len = (uint32_t)len,
			.first_tag = (uint32_t)l->ntags, .first_text = (uint32_t)l->ntexts };
	if (tag) {
		lg_xgrow((void **)&l->tags, &l->tags_cap, l->ntags + 1, sizeof(*l->tags));
		l->tags[l->ntags++] = (lg_tag){ .expr = lg_arena_strndup(&l->arena, tag, strlen(tag)),
						.len = (uint32_t)strlen(tag), .line = 1 };
		f->ntags = 1;
	}
	bool lic = lg_rules_reads_license_text(r, path, len);
	size_t n = lic ? lg_rules_text_count(r) : lg_rules_user_text_count(r);
	for (size_t i = 0; content && i < n; i++) {
		size_t at = 0;
		if (lg_rules_text_match_at(r, i, content, strlen(content), &at) <= 0)
			continue;
		lg_xgrow((void **)&l->texts, &l->texts_cap, l->ntexts + 1, sizeof(*l->texts));
		lg_xgrow((void **)&l->text_lines, &l->text_lines_cap, l->ntexts + 1,
			 sizeof(*l->text_lines));
		l->text_lines[l->ntexts] = lg_line_at(content, at);
		l->texts[l->ntexts++] = lg_rules_text_at(r, i);
		f->ntext++;
	}
}

/* Add a symlink the walk keeps (named like a license file) to target. */
static void add_link(lg_layer *l, const char *path, const char *target)
{
	size_t len = strlen(path);
	lg_xgrow((void **)&l->entries, &l->entries_cap, l->nentries + 1, sizeof(*l->entries));
	l->entries[l->nentries] = (lg_entry){ lg_arena_strndup(&l->arena, path, len),
					      (uint32_t)len, LG_ENTRY_OTHER };
	lg_xgrow((void **)&l->links, &l->links_cap, l->nlinks + 1, sizeof(*l->links));
	l->links[l->nlinks++] = (lg_link){ (uint32_t)l->nentries++, (uint32_t)strlen(target),
					   lg_arena_strndup(&l->arena, target, strlen(target)) };
}

static lg_layer *layer(void)
{
	return lg_xcalloc(1, sizeof(lg_layer));
}

static const lg_file *file(const lg_layer *l, const char *path)
{
	for (size_t i = 0; i < l->nfiles; i++)
		if (strcmp(l->files[i].path, path) == 0)
			return &l->files[i];
	fail_msg("no %s", path);
	return NULL;
}

/* The outcome of path (in layer l) under the license files of ix. */
static const char *outcome(const lg_rules *r, const lg_licfile_index *ix, const lg_layer *l,
			   const char *path, lg_classification *c)
{
	const lg_file *f = file(l, path);
	const lg_licfile_dir *d = lg_licfile_lookup(ix, f->path, f->len);
	lg_classify_dir(r, lg_rules_target(r, NULL), l, f, d, c);
	return lg_outcome_name(c->outcome);
}

static void names(void **state)
{
	(void)state;
	static const struct {
		const char *path;
		bool license;
	} cases[] = {
		{ "/app/ee/LICENSE", true },        { "/LICENSE", true },
		{ "/a/license", true },             { "/a/LICENSE.md", true },
		{ "/a/LICENSE.txt", true },         { "/a/LICENSE.TXT", true },
		{ "/a/COPYING", true },             { "/a/COPYING.LESSER", true },
		{ "/a/LICENSE_EE.md", true },       { "/a/LICENSE.enterprise", true },
		{ "/a/LICENSE-BSL", true },         { "/a/Licence", true },
		{ "/a/license.js", false },         { "/a/license.json", false },
		{ "/a/LICENSE.license", false },    { "/a/licenses.txt", false },
		{ "/a/LICENSES/MIT.txt", false },   { "/a/unlicensed.js", false },
		{ "/a/licensing.md", false },       { "/a/src/license-check.ts", false },
	};
	for (size_t i = 0; i < LG_ARRAY_LEN(cases); i++)
		if (lg_license_file_name(cases[i].path, strlen(cases[i].path)) != cases[i].license)
			fail_msg("%s: want %d", cases[i].path, cases[i].license);
	lg_rules *r = rules("license-file NOTICE-EE.txt\n");
	assert_true(lg_rules_is_license_file(r, "/x/y/NOTICE-EE.txt", 18));
	assert_false(lg_rules_is_license_file(r, "/x/y/NOTICE.txt", 15));
	lg_rules_free(r);
	r = rules("license-files off\n");
	assert_false(lg_rules_license_files(r));
	assert_false(lg_rules_is_license_file(r, "/LICENSE", 8));
	lg_rules_free(r);
}

/* What a lone license file of each kind is read as. */
static void texts(void **state)
{
	(void)state;
	lg_rules *r = rules(NULL);
	static const struct {
		const char *text, *id; /* id NULL: says nothing licgate knows */
	} cases[] = {
		{ BUSL, "BUSL-1.1" },        { BUSL_PARAMS, "BUSL-1.1" },
		{ MIT, "MIT" },              { ELASTIC, "Elastic-2.0" },
		{ EE, "LicenseRef-Enterprise" },
		{ "Apache License\n                           Version 2.0, January 2004\n", "Apache-2.0" },
		{ "# Functional Source License, Version 1.1, MIT Future License\n", "FSL-1.1-MIT" },
		{ TRUXE, NULL },
		{ "Copyright (c) Acme. All rights reserved.\n", NULL },
	};
	for (size_t i = 0; i < LG_ARRAY_LEN(cases); i++) {
		lg_layer *l = layer();
		add(l, r, "/d/LICENSE", cases[i].text, NULL);
		add(l, r, "/d/a.js", "x", NULL);
		const lg_layer *stack[] = { l };
		lg_licfile_index *ix = lg_licfile_index_new(r, stack, 1);
		assert_non_null(ix);
		const lg_licfile_dir *d = lg_licfile_lookup(ix, "/d/a.js", 7);
		assert_non_null(d);
		if (!cases[i].id) {
			if (d->n != 0)
				fail_msg("case %zu: read as %.*s", i, (int)d->says[0].expr_len,
					 d->says[0].expr ? d->says[0].expr : "(text)");
		} else if (d->n != 1 || !d->says[0].expr ||
			   strlen(cases[i].id) != d->says[0].expr_len ||
			   strncmp(d->says[0].expr, cases[i].id, d->says[0].expr_len) != 0) {
			fail_msg("case %zu: want %s", i, cases[i].id);
		}
		/* the license file itself is governed by nothing */
		assert_null(lg_licfile_lookup(ix, "/d/LICENSE", 10));
		lg_licfile_index_free(ix);
		lg_layer_free(l);
	}
	lg_rules_free(r);
}

static void scope(void **state)
{
	(void)state;
	lg_rules *r = rules("path /app/ee/shim.js permissive\n");
	lg_layer *l = layer();
	add(l, r, "/app/LICENSE-MIT", MIT, NULL);
	add(l, r, "/app/LICENSE-BSL", BUSL, NULL);    /* dual root: no class */
	add(l, r, "/app/LICENSE", TRUXE, NULL);
	add(l, r, "/app/index.js", "x", NULL);
	add(l, r, "/app/ee/LICENSE", BUSL, NULL);
	add(l, r, "/app/ee/sso.js", "x", NULL);
	add(l, r, "/app/ee/deep/er/billing.js", "x", NULL);
	add(l, r, "/app/ee/own.js", "x", "MIT");       /* its own tag is stronger */
	add(l, r, "/app/ee/shim.js", "x", NULL);       /* a path rule is stronger */
	add(l, r, "/app/x-pack/LICENSE.txt", ELASTIC, NULL);
	add(l, r, "/app/x-pack/ml.js", "x", NULL);
	add(l, r, "/app/x-pack/oss/LICENSE", MIT, NULL);
	add(l, r, "/app/x-pack/oss/util.js", "x", NULL);
	add(l, r, "/app/notes/LICENSE", "see the website", NULL); /* unknown text */
	add(l, r, "/app/notes/x.js", "x", NULL);
	const lg_layer *stack[] = { l };
	lg_licfile_index *ix = lg_licfile_index_new(r, stack, 1);
	lg_classification c;
	assert_string_equal(outcome(r, ix, l, "/app/index.js", &c), "pass");
	assert_int_equal(c.nevidence, 0);
	assert_string_equal(outcome(r, ix, l, "/app/ee/sso.js", &c), "deny");
	assert_int_equal(c.evidence[0].kind, LG_EV_LICFILE);
	assert_string_equal(c.evidence[0].id, "BUSL-1.1");
	assert_int_equal(c.evidence[0].layer, 1);
	assert_memory_equal(c.evidence[0].source, "/app/ee/LICENSE", 15);
	assert_string_equal(outcome(r, ix, l, "/app/ee/deep/er/billing.js", &c), "deny");
	assert_string_equal(outcome(r, ix, l, "/app/ee/own.js", &c), "pass");
	assert_string_equal(outcome(r, ix, l, "/app/ee/shim.js", &c), "pass");
	assert_string_equal(outcome(r, ix, l, "/app/x-pack/ml.js", &c), "deny");
	assert_string_equal(c.evidence[0].id, "Elastic-2.0");
	assert_string_equal(outcome(r, ix, l, "/app/x-pack/oss/util.js", &c), "pass");
	assert_string_equal(c.class_name, "permissive");
	assert_string_equal(outcome(r, ix, l, "/app/notes/x.js", &c), "pass");
	assert_int_equal(c.nevidence, 0);
	/* license files are never violations for what they hold */
	assert_string_equal(outcome(r, ix, l, "/app/ee/LICENSE", &c), "pass");
	assert_string_equal(outcome(r, ix, l, "/app/LICENSE-BSL", &c), "pass");
	lg_licfile_index_free(ix);
	lg_layer_free(l);
	lg_rules_free(r);
}

/* Per image, across layers: a lower layer's license file governs files
 * added above; layers that disagree on a directory all count (AND). */
static void layers(void **state)
{
	(void)state;
	lg_rules *r = rules(NULL);
	lg_layer *l1 = layer(), *l2 = layer(), *l3 = layer();
	add(l1, r, "/app/ee/LICENSE", EE, NULL);
	add(l2, r, "/app/ee/sso.js", "x", NULL);
	add(l3, r, "/app/ee/LICENSE", MIT, NULL); /* replaced above: both ship */
	const lg_layer *stack[] = { l1, l2, l3 };
	lg_licfile_index *ix = lg_licfile_index_new(r, stack, 3);
	const lg_licfile_dir *d = lg_licfile_lookup(ix, "/app/ee/sso.js", 14);
	assert_non_null(d);
	assert_int_equal(d->n, 2);
	assert_int_equal(d->says[0].layer, 1);
	assert_int_equal(d->says[1].layer, 3);
	lg_classification c;
	assert_string_equal(outcome(r, ix, l2, "/app/ee/sso.js", &c), "deny");
	lg_licfile_index_free(ix);
	/* none at all: no index */
	const lg_layer *only[] = { l2 };
	assert_null(lg_licfile_index_new(r, only, 1));
	lg_layer_free(l1);
	lg_layer_free(l2);
	lg_layer_free(l3);
	lg_rules_free(r);
}

/* A symlinked license file says what the text it leads to says: a file
 * of licenses/ (read for its license text though not a license file), in
 * another layer; the evidence names the link, the file and the line.  A
 * dangling link is not there (the license file above governs); one that
 * cannot be followed governs with no class. */
static void symlinks(void **state)
{
	(void)state;
	lg_rules *r = rules(NULL);
	lg_layer *l1 = layer(), *l2 = layer();
	add(l1, r, "/app/licenses/BUSL-1.1.txt", BUSL, NULL);
	add(l1, r, "/app/LICENSE", MIT, NULL);
	add_link(l2, "/app/ee/LICENSE", "../licenses/BUSL-1.1.txt");
	add(l2, r, "/app/ee/sso.js", "x", NULL);
	add_link(l2, "/app/gone/LICENSE", "../licenses/none.txt");
	add(l2, r, "/app/gone/a.js", "x", NULL);
	lg_xgrow((void **)&l2->entries, &l2->entries_cap, l2->nentries + 1, sizeof(*l2->entries));
	l2->entries[l2->nentries++] = (lg_entry){ "/app/shared", 11, LG_ENTRY_OTHER };
	add_link(l2, "/app/far/LICENSE", "../shared/LICENSE");
	add(l2, r, "/app/far/b.js", "x", NULL);
	const lg_layer *stack[] = { l1, l2 };
	lg_licfile_index *ix = lg_licfile_index_new(r, stack, 2);
	lg_classification c;
	assert_string_equal(outcome(r, ix, l2, "/app/ee/sso.js", &c), "deny");
	const lg_evidence *e = &c.evidence[0];
	assert_int_equal(e->kind, LG_EV_LICFILE);
	assert_string_equal(e->id, "BUSL-1.1");
	assert_memory_equal(e->source, "/app/ee/LICENSE", 16);
	assert_int_equal(e->layer, 2);
	assert_non_null(e->target);
	assert_memory_equal(e->target, "/app/licenses/BUSL-1.1.txt", 27);
	assert_int_equal(e->target_layer, 1);
	assert_int_equal(e->line, 6); /* Licensor: */
	/* dangling: the root's MIT governs; cannot be followed: no class */
	assert_string_equal(outcome(r, ix, l2, "/app/gone/a.js", &c), "pass");
	assert_string_equal(c.class_name, "permissive");
	assert_string_equal(outcome(r, ix, l2, "/app/far/b.js", &c), "pass");
	assert_null(c.class_name);
	assert_int_equal(c.nevidence, 0);
	lg_licfile_index_free(ix);
	lg_layer_free(l1);
	lg_layer_free(l2);
	lg_rules_free(r);
}

/* A text rule of the rules file identifies a license file too. */
static void text_rule(void **state)
{
	(void)state;
	lg_rules *r = rules("text \"Acme Commercial License\" source-available\n");
	lg_layer *l = layer();
	add(l, r, "/srv/pro/LICENSE.txt", "The Acme Commercial License applies.", NULL);
	add(l, r, "/srv/pro/a.py", "x", NULL);
	const lg_layer *stack[] = { l };
	lg_licfile_index *ix = lg_licfile_index_new(r, stack, 1);
	lg_classification c;
	assert_string_equal(outcome(r, ix, l, "/srv/pro/a.py", &c), "deny");
	assert_int_equal(c.evidence[0].kind, LG_EV_LICFILE);
	assert_int_equal(c.evidence[0].rule->kind, LG_RULE_TEXT);
	lg_licfile_index_free(ix);
	lg_layer_free(l);
	lg_rules_free(r);
}

/* npm's "license": "SEE LICENSE IN LICENSE.md": that file licenses the
 * package; a file that is not there gives nothing (the words stay). */
static void npm_see_license(void **state)
{
	(void)state;
	lg_rules *r = rules(NULL);
	lg_layer *l = layer();
	add(l, r, "/app/node_modules/@acme/pro/package.json", "{}", NULL);
	add(l, r, "/app/node_modules/@acme/pro/LICENSE.md", BUSL, NULL);
	add(l, r, "/app/node_modules/@acme/pro/index.js", "x", NULL);
	add(l, r, "/app/node_modules/@acme/gone/package.json", "{}", NULL);
	add(l, r, "/app/node_modules/@acme/gone/index.js", "x", NULL);
	static const char see[] = "SEE LICENSE IN LICENSE.md", gone[] = "SEE LICENSE IN ./EULA.txt";
	l->packages = lg_xcalloc(2, sizeof(*l->packages));
	l->packages[0] = (lg_package){ .kind = LG_PACKAGE_NPM, .manifest = 0, .expr = see,
				       .len = sizeof(see) - 1 };
	l->packages[1] = (lg_package){ .kind = LG_PACKAGE_NPM, .manifest = 3, .expr = gone,
				       .len = sizeof(gone) - 1 };
	l->npackages = l->packages_cap = 2;
	for (size_t i = 0; i < 3; i++)
		l->files[i].package = 1;
	l->files[3].package = l->files[4].package = 2;
	const lg_layer *stack[] = { l };
	lg_licfile_index *ix = lg_licfile_index_new(r, stack, 1);
	assert_non_null(ix);
	assert_null(lg_licfile_package(ix, 0, 1));
	const lg_licfile_dir *d = lg_licfile_package(ix, 0, 0);
	assert_non_null(d);
	assert_int_equal(d->n, 1);
	lg_classification c;
	lg_classify_dir(r, lg_rules_target(r, NULL), l, &l->files[2], d, &c);
	assert_string_equal(lg_outcome_name(c.outcome), "deny");
	assert_int_equal(c.nevidence, 1);
	assert_int_equal(c.evidence[0].kind, LG_EV_LICFILE);
	assert_memory_equal(c.evidence[0].source, "/app/node_modules/@acme/pro/LICENSE.md", 38);
	/* without it, the words are unparseable, as before */
	lg_classify_dir(r, lg_rules_target(r, NULL), l, &l->files[4], NULL, &c);
	assert_int_equal(c.evidence[0].kind, LG_EV_UNPARSEABLE);
	lg_licfile_index_free(ix);
	lg_layer_free(l);
	lg_rules_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names),  cmocka_unit_test(texts),     cmocka_unit_test(scope),
		cmocka_unit_test(layers), cmocka_unit_test(text_rule),
		cmocka_unit_test(npm_see_license), cmocka_unit_test(symlinks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
