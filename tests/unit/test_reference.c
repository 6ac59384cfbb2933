/* test_reference.c - image references normalized as docker does, on cases
 * from distribution/reference's reference_test.go and normalize_test.go,
 * and the transports of containers-transports(5). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "reference.h"

#define D64 "sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"

/* input -> normalized string, or NULL: refused (err containing want_err). */
static const struct {
	const char *in, *str, *domain, *path, *err;
} CASES[] = {
	{ "alpine", "docker.io/library/alpine:latest", "docker.io", "library/alpine", NULL },
	{ "alpine:3.19", "docker.io/library/alpine:3.19", "docker.io", "library/alpine", NULL },
	{ "myhost/app", "docker.io/myhost/app:latest", "docker.io", "myhost/app", NULL },
	{ "library/debian", "docker.io/library/debian:latest", "docker.io", "library/debian", NULL },
	{ "docker.io/debian", "docker.io/library/debian:latest", "docker.io", "library/debian", NULL },
	{ "index.docker.io/docker/docker", "docker.io/docker/docker:latest", "docker.io", "docker/docker", NULL },
	{ "index.docker.io/debian", "docker.io/library/debian:latest", "docker.io", "library/debian", NULL },
	{ "localhost:5000/a/b:t", "localhost:5000/a/b:t", "localhost:5000", "a/b", NULL },
	{ "localhost/app", "localhost/app:latest", "localhost", "app", NULL },
	{ "127.0.0.1:5000/docker/docker", "127.0.0.1:5000/docker/docker:latest", "127.0.0.1:5000", "docker/docker", NULL },
	{ "[::1]:5000/app:v1", "[::1]:5000/app:v1", "[::1]:5000", "app", NULL },
	{ "[fe80::1]/app", "[fe80::1]/app:latest", "[fe80::1]", "app", NULL },
	{ "Foo/app", "Foo/app:latest", "Foo", "app", NULL }, /* upper case: a host */
	{ "test.com/foo", "test.com/foo:latest", "test.com", "foo", NULL },
	{ "test:5000/repo", "test:5000/repo:latest", "test:5000", "repo", NULL },
	{ "test.com:8080/foo:tag", "test.com:8080/foo:tag", "test.com:8080", "foo", NULL },
	{ "sub-dom1.foo.com/bar/baz/quux", "sub-dom1.foo.com/bar/baz/quux:latest", "sub-dom1.foo.com", "bar/baz/quux", NULL },
	{ "a/a__b/a-b---c/a.b", "docker.io/a/a__b/a-b---c/a.b:latest", "docker.io", "a/a__b/a-b---c/a.b", NULL },
	{ "busybox@" D64, "docker.io/library/busybox@" D64, "docker.io", "library/busybox", NULL },
	/* a digest wins over a tag (ParseDockerRef) */
	{ "busybox:latest@" D64, "docker.io/library/busybox@" D64, "docker.io", "library/busybox", NULL },
	{ "thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev",
	  "docker.io/library/thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev:latest",
	  "docker.io", "library/thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev", NULL },
	{ "", NULL, NULL, NULL, "at least one component" },
	{ ":justtag", NULL, NULL, NULL, "invalid reference format" },
	{ "@" D64, NULL, NULL, NULL, "invalid reference format" },
	{ "repo@sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", NULL, NULL, NULL, "digest" },
	{ "validname@invaliddigest:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", NULL, NULL, NULL, "digest" },
	{ "Uppercase:tag", NULL, NULL, NULL, "must be lowercase" },
	{ "docker/Docker", NULL, NULL, NULL, "must be lowercase" },
	{ "test.com/Uppercase", NULL, NULL, NULL, "must be lowercase" },
	{ "a-/a/a/a", NULL, NULL, NULL, "invalid reference format" },
	/* "foo_bar.com" is a path component, 8080 its tag; as a domain '_' is refused */
	{ "foo_bar.com:8080", "docker.io/library/foo_bar.com:8080", "docker.io", "library/foo_bar.com", NULL },
	{ "foo_bar.com:8080/app", NULL, NULL, NULL, "invalid reference format" },
	{ "foo/bar:tag:extra", NULL, NULL, NULL, "invalid reference format" },
	{ "a/a/a/a/", NULL, NULL, NULL, "invalid reference format" },
	{ "a^a", NULL, NULL, NULL, "invalid reference format" },
	{ "aa/asdf$$^/aa", NULL, NULL, NULL, "invalid reference format" },
	{ "a___b", NULL, NULL, NULL, "invalid reference format" },
	{ "-foo", NULL, NULL, NULL, "invalid reference format" },
	{ "foo:-tag", NULL, NULL, NULL, "invalid reference format" },
	{ "[fe80::1%eth0]:5000/app", NULL, NULL, NULL, "invalid reference format" },
	{ "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", NULL, NULL, NULL,
	  "64-byte hexadecimal" },
	{ "docker.io/a/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	  NULL, NULL, NULL, "255 characters" },
};

static void test_reference_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(CASES) / sizeof(CASES[0]); i++) {
		lg_reference r;
		lg_error err = LG_ERROR_INIT;
		int rc = lg_reference_parse(CASES[i].in, &r, &err);
		if (CASES[i].str) {
			if (rc != 0)
				fail_msg("\"%s\": refused: %s", CASES[i].in, lg_error_msg(&err));
			assert_string_equal(r.str, CASES[i].str);
			assert_string_equal(r.domain, CASES[i].domain);
			assert_string_equal(r.path, CASES[i].path);
			lg_reference_clear(&r);
		} else {
			if (rc == 0)
				fail_msg("\"%s\": accepted as %s", CASES[i].in, r.str);
			if (!strstr(lg_error_msg(&err), CASES[i].err))
				fail_msg("\"%s\": error \"%s\" lacks \"%s\"", CASES[i].in,
					 lg_error_msg(&err), CASES[i].err);
		}
		lg_error_clear(&err);
	}
}

static void test_digest_wins(void **state)
{
	(void)state;
	lg_reference r;
	lg_error err = LG_ERROR_INIT;
	assert_int_equal(lg_reference_parse("localhost:5000/a/b:t@" D64, &r, &err), 0);
	assert_null(r.tag);
	assert_string_equal(r.digest, D64);
	lg_reference_clear(&r);
	assert_int_equal(lg_reference_parse_repo("truxeio/truxe", &r, &err), 0);
	assert_string_equal(r.str, "docker.io/truxeio/truxe");
	assert_null(r.tag);
	lg_reference_clear(&r);
	assert_int_equal(lg_reference_parse_repo("truxeio/truxe:v1", &r, &err), -1);
	lg_error_clear(&err);
}

static void test_transports(void **state)
{
	(void)state;
	static const struct {
		const char *arg;
		enum lg_transport t;
		const char *path, *ref;
	} T[] = {
		{ "img.tar", LG_TRANSPORT_PATH, "img.tar", NULL },
		{ "-", LG_TRANSPORT_PATH, "-", NULL },
		{ "./oci:x", LG_TRANSPORT_PATH, "./oci:x", NULL },
		{ "oci:dir", LG_TRANSPORT_OCI, "dir", NULL },
		{ "oci:dir:v1", LG_TRANSPORT_OCI, "dir", "v1" },
		{ "oci-archive:a.tar:app:v1", LG_TRANSPORT_OCI_ARCHIVE, "a.tar", "app:v1" },
		{ "docker-archive:s.tar", LG_TRANSPORT_DOCKER_ARCHIVE, "s.tar", NULL },
		{ "docker://alpine", LG_TRANSPORT_DOCKER, NULL, NULL },
		{ "docker-daemon:app:dev", LG_TRANSPORT_DAEMON, NULL, NULL },
	};
	for (size_t i = 0; i < sizeof(T) / sizeof(T[0]); i++) {
		lg_source s;
		lg_error err = LG_ERROR_INIT;
		if (lg_source_parse(T[i].arg, &s, &err) < 0)
			fail_msg("%s: %s", T[i].arg, lg_error_msg(&err));
		assert_int_equal(s.transport, T[i].t);
		if (T[i].path)
			assert_string_equal(s.path, T[i].path);
		if (T[i].ref)
			assert_string_equal(s.ref, T[i].ref);
		else
			assert_null(s.ref);
		lg_source_clear(&s);
	}
	lg_source s;
	lg_error err = LG_ERROR_INIT;
	assert_int_equal(lg_source_parse("docker-daemon:app:dev", &s, &err), 0);
	assert_string_equal(s.remote.str, "docker.io/library/app:dev");
	lg_source_clear(&s);
	assert_int_equal(lg_source_parse("docker-daemon:" D64, &s, &err), 0);
	assert_string_equal(s.remote.str, D64);
	assert_null(s.remote.domain);
	lg_source_clear(&s);
	assert_int_equal(lg_source_parse("docker-daemon:sha256:abc", &s, &err), -1);
	assert_int_equal(lg_source_parse("docker://UPPER", &s, &err), -1);
	assert_int_equal(lg_source_parse("oci:", &s, &err), -1);
	lg_error_clear(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reference_table),
		cmocka_unit_test(test_digest_wins),
		cmocka_unit_test(test_transports),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
