/* test_evidence.c - what files tell about others, resolved after a layer's
 * walk (evidence.c): REUSE sidecars, npm package.json (the license string,
 * the legacy forms, nested node_modules, a byte order mark) and Python
 * dist-info (License-Expression, License, classifiers; RECORD paths
 * relative, outside site-packages and absolute, quoted).  Each test builds
 * a layer by hand, the way the walk leaves it, in any order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "evidence.h"
#include "layer.h"
#include "strmap.h"
#include "util.h"

#define IN_STR(s) s, sizeof(s) - 1

/* Add a file (with content kept when it is a manifest). */
static void add(lg_layer *l, const char *path, const char *content)
{
	size_t len = strlen(path);
	lg_xgrow((void **)&l->files, &l->files_cap, l->nfiles + 1, sizeof(*l->files));
	l->files[l->nfiles] = (lg_file){
		.path = lg_arena_strndup(&l->arena, path, len),
		.len = (uint32_t)len,
		.size = content ? strlen(content) : 0,
	};
	if (content && lg_is_package_manifest(path, len)) {
		lg_xgrow((void **)&l->captures, &l->captures_cap, l->ncaptures + 1,
			 sizeof(*l->captures));
		l->captures[l->ncaptures++] = (lg_capture){
			.file = (uint32_t)l->nfiles,
			.data = lg_arena_strndup(&l->arena, content, strlen(content)),
			.len = (uint32_t)strlen(content),
		};
	}
	l->nfiles++;
}

static const lg_file *file(const lg_layer *l, const char *path)
{
	for (size_t i = 0; i < l->nfiles; i++)
		if (strcmp(l->files[i].path, path) == 0)
			return &l->files[i];
	fail_msg("no file %s", path);
	return NULL;
}

/* The license the package of path declares, or "" when it has none. */
static const char *license_of(const lg_layer *l, const char *path)
{
	const lg_file *f = file(l, path);
	return f->package ? l->packages[f->package - 1].expr : "";
}

/* The manifest that licenses path. */
static const char *manifest_of(const lg_layer *l, const char *path)
{
	const lg_file *f = file(l, path);
	assert_true(f->package != 0);
	return l->files[l->packages[f->package - 1].manifest].path;
}

static lg_layer *new_layer(void)
{
	return lg_xcalloc(1, sizeof(lg_layer));
}

static void test_manifest_paths(void **state)
{
	(void)state;
	assert_true(lg_is_package_manifest(IN_STR("/app/node_modules/x/package.json")));
	assert_true(lg_is_package_manifest(IN_STR("/app/node_modules/@s/x/package.json")));
	assert_true(lg_is_package_manifest(IN_STR("/a/node_modules/x/node_modules/y/package.json")));
	assert_false(lg_is_package_manifest(IN_STR("/app/package.json")));
	assert_false(lg_is_package_manifest(IN_STR("/app/node_modules/x/lib/package.json")));
	assert_false(lg_is_package_manifest(IN_STR("/app/node_modules/@s/package.json")));
	assert_true(lg_is_package_manifest(IN_STR("/p/x-1.0.dist-info/METADATA")));
	assert_true(lg_is_package_manifest(IN_STR("/p/x-1.0.dist-info/RECORD")));
	assert_false(lg_is_package_manifest(IN_STR("/p/x-1.0.dist-info/WHEEL")));
	assert_false(lg_is_package_manifest(IN_STR("/p/x-1.0.egg-info/METADATA")));
	assert_false(lg_is_package_manifest(IN_STR("/METADATA")));
}

static void test_sidecar(void **state)
{
	(void)state;
	lg_layer *l = new_layer();
	add(l, "/app/logo.png.license", "SPDX-License-Identifier: BUSL-1.1\n");
	add(l, "/app/logo.png", NULL);
	add(l, "/app/other.png", NULL);
	add(l, "/app/orphan.txt.license", NULL);
	lg_evidence_resolve(l);
	const lg_file *png = file(l, "/app/logo.png");
	assert_int_equal(png->sidecar, 1);
	assert_true(l->files[0].flags & LG_FILE_SIDECAR);
	assert_int_equal(file(l, "/app/other.png")->sidecar, 0);
	/* a .license file with no file of that name is just a file */
	assert_false(file(l, "/app/orphan.txt.license")->flags & LG_FILE_SIDECAR);
	lg_layer_free(l);
}

static void test_npm(void **state)
{
	(void)state;
	lg_layer *l = new_layer();
	/* files before their manifest, as a layer may order them */
	add(l, "/app/node_modules/@acme/ee/dist/index.js", NULL);
	add(l, "/app/node_modules/@acme/ee/node_modules/dep/index.js", NULL);
	add(l, "/app/node_modules/@acme/ee/package.json", "{\"license\": \"BUSL-1.1\"}");
	add(l, "/app/node_modules/@acme/ee/node_modules/dep/package.json",
	    "{\"license\": {\"type\": \"MIT\"}}");
	add(l, "/app/node_modules/old/package.json",
	    "{\"licenses\": [{\"type\": \"MIT\"}, \"Apache-2.0\"]}");
	add(l, "/app/node_modules/old/a.js", NULL);
	add(l, "/app/node_modules/bom/package.json", "\xef\xbb\xbf{\"license\": \"ISC\"}");
	add(l, "/app/node_modules/bom/a.js", NULL);
	add(l, "/app/node_modules/none/package.json", "{\"name\": \"none\"}");
	add(l, "/app/node_modules/none/a.js", NULL);
	add(l, "/app/node_modules/bad/package.json", "{\"license\": ");
	add(l, "/app/node_modules/bad/a.js", NULL);
	add(l, "/app/src/main.js", NULL);
	lg_evidence_resolve(l);
	assert_string_equal(license_of(l, "/app/node_modules/@acme/ee/dist/index.js"), "BUSL-1.1");
	assert_string_equal(license_of(l, "/app/node_modules/@acme/ee/package.json"), "BUSL-1.1");
	assert_string_equal(manifest_of(l, "/app/node_modules/@acme/ee/dist/index.js"),
			    "/app/node_modules/@acme/ee/package.json");
	/* nested node_modules have their own */
	assert_string_equal(license_of(l, "/app/node_modules/@acme/ee/node_modules/dep/index.js"), "MIT");
	assert_string_equal(license_of(l, "/app/node_modules/old/a.js"), "(MIT OR Apache-2.0)");
	assert_string_equal(license_of(l, "/app/node_modules/bom/a.js"), "ISC");
	assert_string_equal(license_of(l, "/app/node_modules/none/a.js"), "");
	assert_string_equal(license_of(l, "/app/node_modules/bad/a.js"), "");
	assert_string_equal(license_of(l, "/app/src/main.js"), "");
	assert_null(l->captures);
	lg_layer_free(l);
}

#define SITE "/usr/lib/python3/dist-packages"

static void test_python_record(void **state)
{
	(void)state;
	lg_layer *l = new_layer();
	add(l, SITE "/ee/__init__.py", NULL);
	add(l, SITE "/ee/sso.py", NULL);
	add(l, SITE "/ee/not_in_record.py", NULL);
	add(l, "/usr/bin/ee-cli", NULL);
	add(l, "/usr/share/ee/schema.sql", NULL);
	add(l, SITE "/ee, quoted.py", NULL);
	add(l, SITE "/ee-2.0.dist-info/RECORD",
	    "ee/__init__.py,sha256=x,1\r\n"
	    "ee/sso.py,,\n"
	    "../../../bin/ee-cli,,\n"
	    "/usr/share/ee/schema.sql,,\n"
	    "\"ee, quoted.py\",,\n"
	    "ee-2.0.dist-info/RECORD,,\n"
	    "ee-2.0.dist-info/METADATA,,");
	add(l, SITE "/ee-2.0.dist-info/METADATA",
	    "Metadata-Version: 2.4\nName: ee\nLicense: MIT\nLicense-Expression: BUSL-1.1\n\n"
	    "License-Expression: MIT\n");
	lg_evidence_resolve(l);
	static const char *const covered[] = {
		SITE "/ee/__init__.py", SITE "/ee/sso.py", "/usr/bin/ee-cli",
		"/usr/share/ee/schema.sql", SITE "/ee, quoted.py",
		SITE "/ee-2.0.dist-info/RECORD", SITE "/ee-2.0.dist-info/METADATA",
	};
	for (size_t i = 0; i < sizeof(covered) / sizeof(covered[0]); i++)
		assert_string_equal(license_of(l, covered[i]), "BUSL-1.1");
	assert_string_equal(license_of(l, SITE "/ee/not_in_record.py"), "");
	lg_layer_free(l);
}

/* The License-Expression header wins; else License (not UNKNOWN); else
 * the classifiers; a METADATA without a RECORD covers nothing. */
static const struct {
	const char *metadata;
	const char *want;
} python_cases[] = {
	{ "License: Apache-2.0\nLicense-Expression: MIT\n", "MIT" },
	{ "License:   BSD-3-Clause  \n", "BSD-3-Clause" },
	{ "\xef\xbb\xbfLicense: ISC\n", "ISC" },
	{ "License: UNKNOWN\nClassifier: License :: OSI Approved :: MIT License\n",
	  "License :: OSI Approved :: MIT License" },
	{ "Classifier: License :: OSI Approved :: MIT License\n"
	  "Classifier: License :: OSI Approved :: ISC License (ISCL)\n"
	  "Classifier: License :: Other/Proprietary License\n",
	  "MIT AND ISC License (ISCL) AND Other/Proprietary License" },
	{ "Classifier: License :: OSI Approved\nClassifier: Topic :: Security\n", "" },
	{ "Name: x\n\nLicense: MIT\n", "" }, /* in the body, not a header */
	{ "License:\nLicensed: MIT\n", "" },
};

static void test_python_license(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(python_cases) / sizeof(python_cases[0]); i++) {
		lg_layer *l = new_layer();
		add(l, SITE "/x/__init__.py", NULL);
		add(l, SITE "/x-1.dist-info/METADATA", python_cases[i].metadata);
		add(l, SITE "/x-1.dist-info/RECORD", "x/__init__.py,,\n");
		lg_evidence_resolve(l);
		const char *got = license_of(l, SITE "/x/__init__.py");
		if (strcmp(got, python_cases[i].want) != 0)
			fail_msg("case %zu: got \"%s\", want \"%s\"", i, got, python_cases[i].want);
		lg_layer_free(l);
	}
	lg_layer *l = new_layer();
	add(l, SITE "/x/__init__.py", NULL);
	add(l, SITE "/x-1.dist-info/METADATA", "License-Expression: BUSL-1.1\n");
	lg_evidence_resolve(l);
	assert_string_equal(license_of(l, SITE "/x/__init__.py"), "");
	assert_int_equal(l->npackages, 0);
	lg_layer_free(l);
}

/* A file two RECORDs list has both licenses, whichever is read first. */
static void test_python_two_records(void **state)
{
	(void)state;
	lg_layer *l = new_layer();
	add(l, SITE "/shared.py", NULL);
	add(l, SITE "/a.py", NULL);
	add(l, SITE "/b.py", NULL);
	add(l, SITE "/a-1.dist-info/METADATA", "License-Expression: MIT\n");
	add(l, SITE "/a-1.dist-info/RECORD", "a.py,,\nshared.py,,\n");
	add(l, SITE "/b-1.dist-info/METADATA", "License-Expression: BUSL-1.1\n");
	add(l, SITE "/b-1.dist-info/RECORD", "shared.py,,\nb.py,,\n");
	lg_evidence_resolve(l);
	assert_string_equal(license_of(l, SITE "/a.py"), "MIT");
	assert_string_equal(license_of(l, SITE "/b.py"), "BUSL-1.1");
	const lg_file *f = file(l, SITE "/shared.py");
	const lg_package *p = &l->packages[f->package - 1];
	assert_string_equal(p->expr, "BUSL-1.1");
	assert_true(p->also != 0);
	const lg_package *q = &l->packages[p->also - 1];
	assert_string_equal(q->expr, "MIT");
	assert_int_equal(q->also, 0);
	/* the chain only goes to earlier packages */
	assert_true(p->also < f->package);
	/* files of either package alone are not joined */
	assert_int_equal(l->packages[file(l, SITE "/b.py")->package - 1].also, 0);
	lg_layer_free(l);
}

/* n packages, each a dist-info (METADATA, RECORD) and one file; resolved. */
static void resolve_packages(size_t n)
{
	lg_layer *l = new_layer();
	char path[128];
	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof(path), SITE "/p%zu/m.py", i);
		add(l, path, NULL);
		snprintf(path, sizeof(path), SITE "/p%zu-1.dist-info/METADATA", i);
		add(l, path, "License-Expression: MIT\n");
		char record[64];
		snprintf(record, sizeof(record), "p%zu/m.py,,\n", i);
		snprintf(path, sizeof(path), SITE "/p%zu-1.dist-info/RECORD", i);
		add(l, path, record);
	}
	lg_evidence_resolve(l);
	assert_string_equal(license_of(l, SITE "/p0/m.py"), "MIT");
	lg_layer_free(l);
}

static double cpu_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double time_packages(size_t n, int reps)
{
	double t0 = cpu_seconds();
	for (int r = 0; r < reps; r++)
		resolve_packages(n);
	return cpu_seconds() - t0;
}

/* Many packages in one layer: 16x the packages take about 16x the time
 * (here 23-25x: the larger layer no longer fits the caches), not 256x or
 * more (each METADATA once looked for its RECORD among all manifests):
 * within 100 times, the best of five interleaved rounds of CPU time each,
 * a margin no loaded machine needs and a quadratic resolver cannot meet. */
static void test_many_packages_linear(void **state)
{
	(void)state;
	const size_t n = 500;
	int reps = 1;
	while (time_packages(n, reps) < 0.005 && reps < 1024)
		reps *= 2;
	double small = 1e9, big = 1e9;
	for (int round = 0; round < 5; round++) {
		double t = time_packages(n, reps);
		small = t < small ? t : small;
		t = time_packages(16 * n, reps);
		big = t < big ? t : big;
	}
	if (getenv("LG_TEST_RATIO"))
		fprintf(stderr, "evidence: 16x the packages took %.1fx the time\n", big / small);
	if (big > 100 * small)
		fail_msg("16x the packages took %.1fx the time (%.4f s vs %.4f s): superlinear",
			 big / small, big, small);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_manifest_paths),
		cmocka_unit_test(test_sidecar),
		cmocka_unit_test(test_npm),
		cmocka_unit_test(test_python_record),
		cmocka_unit_test(test_python_license),
		cmocka_unit_test(test_python_two_records),
		cmocka_unit_test(test_many_packages_linear),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
