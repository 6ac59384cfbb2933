/* test_credentials.c - credentials found as docker and podman users keep
 * them: the order of the sources, auths keys in their several spellings
 * (Docker Hub's aliases), base64 "auth", "identitytoken", --creds and
 * --creds-file, and errors that never carry the secret. */
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

#include "credentials.h"
#include "util.h"

static char dir[] = "/tmp/licgate-creds.XXXXXX";

static void write_file(const char *name, const char *text)
{
	char *path = lg_xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	free(path);
}

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	char *d = lg_xasprintf("%s/docker", dir);
	mkdir(d, 0700);
	setenv("DOCKER_CONFIG", d, 1);
	free(d);
	unsetenv("REGISTRY_AUTH_FILE");
	unsetenv("XDG_RUNTIME_DIR");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char *cmd = lg_xasprintf("rm -rf '%s'", dir);
	int r = system(cmd);
	free(cmd);
	return r;
}

/* "alice:s3cret" in base64 */
#define ALICE "YWxpY2U6czNjcmV0"

static void test_docker_config(void **state)
{
	(void)state;
	write_file("docker/config.json",
		   "{\"auths\":{\"https://index.docker.io/v1/\":{\"auth\":\"" ALICE "\"},"
		   "\"localhost:5000\":{\"identitytoken\":\"tok-123\"},"
		   "\"https://ghcr.io\":{\"auth\":\"" ALICE "\"}}}");
	static const char *const hub[] = { "docker.io", "index.docker.io", "registry-1.docker.io" };
	for (size_t i = 0; i < 3; i++) {
		lg_creds c;
		lg_error err = LG_ERROR_INIT;
		assert_int_equal(lg_creds_lookup(hub[i], NULL, &c, &err), 1);
		assert_string_equal(c.user, "alice");
		assert_string_equal(c.secret, "s3cret");
		assert_false(c.identity_token);
		lg_creds_clear(&c);
	}
	lg_creds c;
	lg_error err = LG_ERROR_INIT;
	assert_int_equal(lg_creds_lookup("localhost:5000", NULL, &c, &err), 1);
	assert_true(c.identity_token);
	assert_string_equal(c.secret, "tok-123");
	lg_creds_clear(&c);
	assert_int_equal(lg_creds_lookup("ghcr.io", NULL, &c, &err), 1);
	lg_creds_clear(&c);
	assert_int_equal(lg_creds_lookup("quay.io", NULL, &c, &err), 0);
	lg_creds_clear(&c);
}

static void test_order(void **state)
{
	(void)state;
	/* REGISTRY_AUTH_FILE comes before the docker config */
	write_file("auth.json", "{\"auths\":{\"docker.io\":{\"auth\":\"Ym9iOmh1bnRlcjI=\"}}}");
	char *raf = lg_xasprintf("%s/auth.json", dir);
	setenv("REGISTRY_AUTH_FILE", raf, 1);
	lg_creds c;
	lg_error err = LG_ERROR_INIT;
	assert_int_equal(lg_creds_lookup("docker.io", NULL, &c, &err), 1);
	assert_string_equal(c.user, "bob");
	assert_string_equal(c.source, raf);
	lg_creds_clear(&c);
	/* --creds before everything */
	lg_remote_options o = { .creds = "carol:pw:with:colons" };
	assert_int_equal(lg_creds_lookup("docker.io", &o, &c, &err), 1);
	assert_string_equal(c.user, "carol");
	assert_string_equal(c.secret, "pw:with:colons");
	lg_creds_clear(&c);
	/* --creds-file: USER:PASS on its first line */
	write_file("creds", "dave:pa55\nignored\n");
	char *cf = lg_xasprintf("%s/creds", dir);
	lg_remote_options f = { .creds_file = cf };
	assert_int_equal(lg_creds_lookup("any.example", &f, &c, &err), 1);
	assert_string_equal(c.user, "dave");
	assert_string_equal(c.secret, "pa55");
	lg_creds_clear(&c);
	unsetenv("REGISTRY_AUTH_FILE");
	free(raf);
	free(cf);
}

static void test_errors_keep_secrets(void **state)
{
	(void)state;
	lg_creds c;
	lg_error err = LG_ERROR_INIT;
	lg_remote_options o = { .creds = "no-colon-secret" };
	assert_int_equal(lg_creds_lookup("docker.io", &o, &c, &err), -1);
	assert_null(strstr(lg_error_msg(&err), "no-colon-secret"));
	write_file("docker/config.json", "{\"auths\":{\"docker.io\":{\"auth\":\"!!not base64 s3cret\"}}}");
	assert_int_equal(lg_creds_lookup("docker.io", NULL, &c, &err), -1);
	assert_null(strstr(lg_error_msg(&err), "s3cret"));
	write_file("docker/config.json", "{not json s3cret");
	assert_int_equal(lg_creds_lookup("docker.io", NULL, &c, &err), -1);
	assert_null(strstr(lg_error_msg(&err), "s3cret"));
	lg_remote_options f = { .creds_file = "/nonexistent/creds" };
	assert_int_equal(lg_creds_lookup("docker.io", &f, &c, &err), -1);
	/* a helper that is not installed is an error naming it */
	write_file("docker/config.json", "{\"credsStore\":\"licgate-no-such-helper\"}");
	assert_int_equal(lg_creds_lookup("docker.io", NULL, &c, &err), -1);
	assert_non_null(strstr(lg_error_msg(&err), "docker-credential-licgate-no-such-helper"));
	/* a helper name that is a path is refused before anything runs */
	write_file("docker/config.json", "{\"credsStore\":\"../../bin/sh\"}");
	assert_int_equal(lg_creds_lookup("docker.io", NULL, &c, &err), -1);
	lg_error_clear(&err);
	write_file("docker/config.json", "{}");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_docker_config),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_errors_keep_secrets),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
