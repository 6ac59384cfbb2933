/* test_source_tree.c - .dockerignore as docker applies it
 * (moby/patternmatcher: whole-path matches, '*' within a segment, "**",
 * parent directories, "!" exceptions, last match wins) and .gitignore's
 * differences; then a walk of a real directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "source_tree.h"
#include "util.h"

static int match(enum lg_ignore_kind kind, const char *text, const char *path, bool dir)
{
	lg_error err = LG_ERROR_INIT;
	lg_ignore *ig = NULL;
	if (lg_ignore_parse(kind, "t", text, strlen(text), &ig, &err) < 0)
		fail_msg("%s", lg_error_msg(&err));
	int m = lg_ignore_match(ig, path, strlen(path), dir);
	lg_ignore_free(ig);
	return m;
}

static void dockerignore(void **state)
{
	(void)state;
	static const struct {
		const char *patterns, *path;
		int ignored;
	} cases[] = {
		/* "*.md" is anchored at the context root (docker, not git) */
		{ "*.md", "README.md", 1 },
		{ "*.md", "src/services/oauth-provider/quick-reference.md", 0 },
		{ "**/*.md", "src/services/oauth-provider/quick-reference.md", 1 },
		{ "**/*.md", "README.md", 1 },
		/* a directory pattern covers what is below it */
		{ "tests/", "tests/unit/a.test.js", 1 },
		{ "tests", "tests", 1 },
		{ "tests/", "src/tests/a.js", 0 },
		{ "node_modules/", "node_modules/x/index.js", 1 },
		/* '*' and '?' stay within a segment */
		{ "*.test.js", "a.test.js", 1 },
		{ "*.test.js", "src/a.test.js", 0 },
		{ "src/*.js", "src/a/b.js", 0 },
		{ "src/?.js", "src/a.js", 1 },
		/* "**" anywhere */
		{ "src/**/secret", "src/secret", 1 },
		{ "src/**/secret", "src/a/b/secret", 1 },
		{ "src/**", "src/a/b", 1 },
		/* exceptions: the last match wins */
		{ "scripts/\n!scripts/validate-implementation.js", "scripts/validate-implementation.js", 0 },
		{ "scripts/\n!scripts/validate-implementation.js", "scripts/generate-keys.js", 1 },
		{ ".env*\n!.env.example", ".env.example", 0 },
		{ ".env*\n!.env.example", ".env.local", 1 },
		{ "!a\na", "a", 1 },
		/* cleaning: "./", a leading '/', trailing '/', doubled '/' */
		{ "./dist", "dist/x.js", 1 },
		{ "/dist", "dist/x.js", 1 },
		{ "a//b/", "a/b/c", 1 },
		{ "a/../b", "b/c", 1 },
		/* comments, blanks, regex characters taken literally */
		{ "# tests\n\n   ", "tests/a", 0 },
		{ "  build  ", "build/x", 1 },
		{ "a+b(c).js", "a+b(c).js", 1 },
		{ "a.js", "aXjs", 0 },
		{ "[ab].js", "b.js", 1 },
		{ "\\*.js", "*.js", 1 },
		{ "\\*.js", "x.js", 0 },
	};
	for (size_t i = 0; i < LG_ARRAY_LEN(cases); i++) {
		int got = match(LG_IGNORE_DOCKER, cases[i].patterns, cases[i].path, false);
		if (got != cases[i].ignored)
			fail_msg("case %zu: \"%s\" on %s: got %d, want %d", i, cases[i].patterns,
				 cases[i].path, got, cases[i].ignored);
	}
}

static void gitignore(void **state)
{
	(void)state;
	/* no '/' but a trailing one: any depth */
	assert_int_equal(match(LG_IGNORE_GIT, "*.md", "docs/a.md", false), 1);
	assert_int_equal(match(LG_IGNORE_GIT, "node_modules/", "a/node_modules/x.js", false), 1);
	/* a trailing '/': directories only */
	assert_int_equal(match(LG_IGNORE_GIT, "build/", "build", false), 0);
	assert_int_equal(match(LG_IGNORE_GIT, "build/", "build", true), 1);
	/* a '/' inside: anchored */
	assert_int_equal(match(LG_IGNORE_GIT, "/dist", "a/dist", false), 0);
	assert_int_equal(match(LG_IGNORE_GIT, "a/dist", "a/dist/x", false), 1);
}

static void bad_patterns(void **state)
{
	(void)state;
	lg_error err = LG_ERROR_INIT;
	lg_ignore *ig = NULL;
	assert_int_equal(lg_ignore_parse(LG_IGNORE_DOCKER, ".dockerignore", "a\n!\n", 4, &ig, &err), -1);
	assert_non_null(strstr(lg_error_msg(&err), ".dockerignore:2: illegal exclusion pattern"));
	assert_int_equal(lg_ignore_parse(LG_IGNORE_DOCKER, ".dockerignore", "[a", 2, &ig, &err), -1);
	assert_non_null(strstr(lg_error_msg(&err), ".dockerignore:1: bad pattern"));
	lg_error_clear(&err);
}

static void put(const char *dir, const char *rel, const char *text)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	for (char *s = path + strlen(dir) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		mkdir(path, 0755);
		*s = '/';
	}
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int collect(void *ud, const lg_source_file *f, lg_error *err)
{
	(void)err;
	lg_buf *b = ud;
	char c = 0;
	if (f->fd >= 0)
		assert_int_equal(read(f->fd, &c, 1), f->size ? 1 : 0);
	lg_buf_appendf(b, "%.*s%s%s%c\n", (int)f->len, f->path, f->link ? " -> " : "",
		       f->link ? f->link : "", f->link ? ' ' : c);
	return 0;
}

static void walk(void **state)
{
	(void)state;
	char dir[] = "/tmp/test_source_tree.XXXXXX";
	assert_non_null(mkdtemp(dir));
	put(dir, ".dockerignore", "*.md\ntests/\nnode_modules\n");
	put(dir, "README.md", "r");
	put(dir, "src/b.js", "b");
	put(dir, "src/a.js", "a");
	put(dir, "src/services/oauth-provider/quick-reference.md", "q");
	put(dir, "tests/x.test.js", "t");
	put(dir, "node_modules/x/index.js", "n");
	char link[4096];
	snprintf(link, sizeof(link), "%s/LICENSE", dir);
	assert_int_equal(symlink("../LICENSE-BSL", link), 0);
	lg_buf got = LG_BUF_INIT;
	lg_error err = LG_ERROR_INIT;
	assert_int_equal(lg_source_walk(dir, NULL, collect, &got, &err), 0);
	assert_string_equal(got.data, ".dockerignore*\n"
				      "LICENSE -> ../LICENSE-BSL \n"
				      "src/a.js" "a\n"
				      "src/b.js" "b\n"
				      "src/services/oauth-provider/quick-reference.md" "q\n");
	lg_buf_reset(&got);
	lg_source_options o = { .no_dockerignore = true };
	assert_int_equal(lg_source_walk(dir, &o, collect, &got, &err), 0);
	assert_non_null(strstr(got.data, "tests/x.test.js"));
	assert_non_null(strstr(got.data, "README.md"));
	lg_buf_free(&got);
	assert_int_equal(lg_source_walk("/nonexistent/x", NULL, collect, &got, &err), -1);
	assert_non_null(strstr(lg_error_msg(&err), "/nonexistent/x"));
	lg_error_clear(&err);
	char cmd[4200];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dockerignore),
		cmocka_unit_test(gitignore),
		cmocka_unit_test(bad_patterns),
		cmocka_unit_test(walk),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
