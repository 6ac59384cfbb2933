/* test_input_registry.c - WWW-Authenticate parsing (RFC 7235: several
 * challenges in one header, auth-params, quoted strings with escapes), and
 * the origin check that decides whether a redirect keeps Authorization. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "http.h"
#include "input_registry.h"

static const struct {
	const char *header;
	bool basic, bearer;
	const char *realm, *service, *scope, *error;
} CASES[] = {
	{ "Basic realm=\"Registry Realm\"", true, false, NULL, NULL, NULL, NULL },
	{ "Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
	  "scope=\"repository:library/alpine:pull\"",
	  false, true, "https://auth.docker.io/token", "registry.docker.io",
	  "repository:library/alpine:pull", NULL },
	/* unquoted values, spaces, case-insensitive names */
	{ "bearer Realm=https://r.example/t , Service=reg", false, true, "https://r.example/t", "reg",
	  NULL, NULL },
	/* two challenges in one header: the Bearer's params are its own */
	{ "Basic realm=\"b\", Bearer realm=\"https://t/x\", error=\"invalid_token\"", true, true,
	  "https://t/x", NULL, NULL, "invalid_token" },
	{ "Bearer realm=\"https://t/x\",error=\"insufficient_scope\",scope=\"repository:a:pull\", Basic realm=\"z\"",
	  true, true, "https://t/x", NULL, "repository:a:pull", "insufficient_scope" },
	/* quoted-pair and a comma inside quotes */
	{ "Bearer realm=\"https://t/a\\\"b,c\",service=\"s\"", false, true, "https://t/a\"b,c", "s",
	  NULL, NULL },
	/* a token68 credential-less scheme and junk */
	{ "Negotiate abc==, ;;; Bearer realm=\"r\"", false, true, "r", NULL, NULL, NULL },
	{ "", false, false, NULL, NULL, NULL, NULL },
	/* whitespace at the very end (the parser once stepped past the NUL) */
	{ "Bearer realm=\"r\" ,  ", false, true, "r", NULL, NULL, NULL },
	{ "   ", false, false, NULL, NULL, NULL, NULL },
};

static void check_str(const char *got, const char *want, const char *what, size_t i)
{
	if (!want && !got)
		return;
	if (!want || !got || strcmp(got, want) != 0)
		fail_msg("case %zu: %s: got \"%s\", want \"%s\"", i, what, got ? got : "(null)",
			 want ? want : "(null)");
}

static void test_challenges(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(CASES) / sizeof(CASES[0]); i++) {
		lg_challenge c = { 0 };
		lg_challenge_parse(CASES[i].header, &c);
		if (c.basic != CASES[i].basic || c.bearer != CASES[i].bearer)
			fail_msg("case %zu: basic %d bearer %d", i, c.basic, c.bearer);
		check_str(c.realm, CASES[i].realm, "realm", i);
		check_str(c.service, CASES[i].service, "service", i);
		check_str(c.scope, CASES[i].scope, "scope", i);
		check_str(c.error, CASES[i].error, "error", i);
		lg_challenge_clear(&c);
	}
}

static void test_origin(void **state)
{
	(void)state;
	assert_true(lg_http_same_origin("https://r.example/v2/", "https://R.example:443/x?y"));
	assert_true(lg_http_same_origin("http://127.0.0.1:5000/a", "http://127.0.0.1:5000/b"));
	assert_false(lg_http_same_origin("http://127.0.0.1:5000/a", "http://127.0.0.1:5001/a"));
	assert_false(lg_http_same_origin("https://r.example/a", "http://r.example/a"));
	assert_false(lg_http_same_origin("https://r.example/a", "https://s3.example/a"));
	assert_false(lg_http_same_origin("https://r.example/a", "not a url"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_challenges),
		cmocka_unit_test(test_origin),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
