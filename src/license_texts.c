/* license_texts.c - see license_texts.h */
#include "license_texts.h"

#include <string.h>
#include <strings.h>

/* Phrases are matched word by word, ignoring case and punctuation, so
 * curly quotes, markdown and rewrapped lines do not matter. */
static const lg_license_text texts[] = {
	/* BUSL-1.1: the text opens with its parameter block ("Licensor:",
	 * "Licensed Work:") or with MariaDB's notice, not always the title. */
	{ "BUSL-1.1", "re:(?s)\\bLicensor:.{0,4000}?\\bLicensed\\W+Work:" },
	{ "BUSL-1.1", "re:(?i)License\\W+text\\W+copyright\\W+\\(c\\)\\W+\\d{4}\\W+MariaDB" },
	/* The enterprise-edition license PostHog, Cal.com, Formbricks,
	 * Infisical and others share, and Metabase's enterprise/ notice. */
	{ "LicenseRef-Enterprise", "(and any entity that you represent)" },
	{ "LicenseRef-Enterprise", "Enterprise Edition (EE) license" },
	{ "LicenseRef-Enterprise", "Usage of files in this directory and its subdirectories" },
	{ "Elastic-2.0", "Elastic License 2.0 URL https www.elastic.co licensing elastic-license" },
	{ "SSPL-1.0", "Server Side Public License VERSION 1, OCTOBER 16, 2018" },
	{ "FSL-1.1-MIT", "Functional Source License, Version 1.1, MIT Future License" },
	{ "FSL-1.1-ALv2", "Functional Source License, Version 1.1, ALv2 Future License" },
	{ "FSL-1.1-ALv2", "Functional Source License, Version 1.1, Apache 2.0 Future License" },
	{ "SUL-1.0", "Sustainable Use License Version 1.0" },
	{ "PolyForm-Noncommercial-1.0.0", "PolyForm Noncommercial License 1.0.0" },
	{ "PolyForm-Small-Business-1.0.0", "PolyForm Small Business License 1.0.0" },
	{ "LicenseRef-PolyForm-Shield-1.0.0", "PolyForm Shield License 1.0.0" },
	{ "LicenseRef-PolyForm-Perimeter-1.0.0", "PolyForm Perimeter License 1.0.0" },
	{ "LicenseRef-Commons-Clause-1.0", "Commons Clause License Condition v1.0" },
	/* Open-source texts, so that an MIT oss/ inside an enterprise tree
	 * (or a dual-license directory) is told apart. */
	{ "MIT", "Permission is hereby granted, free of charge, to any person obtaining a copy" },
	{ "Apache-2.0", "Apache License Version 2.0, January 2004" },
};

const lg_license_text *lg_license_texts(size_t *count)
{
	*count = sizeof(texts) / sizeof(texts[0]);
	return texts;
}

/* Is ext[0..n) (after a file name's last dot) that of code, data, or a
 * REUSE sidecar (.license) rather than of a text? */
static bool code_ext(const char *ext, size_t n)
{
	static const char *const code[] = { "js", "mjs", "cjs", "ts", "tsx", "jsx", "json", "py",
					    "pyc", "go", "rb", "java", "class", "c", "h", "cc",
					    "cpp", "rs", "php", "css", "scss", "html", "d.ts",
					    "map", "license", "so", "o", "a", "svg", "png" };
	for (size_t i = 0; i < sizeof(code) / sizeof(code[0]); i++)
		if (strlen(code[i]) == n && strncasecmp(ext, code[i], n) == 0)
			return true;
	return false;
}

bool lg_license_file_name(const char *path, size_t len)
{
	const char *slash = memrchr(path, '/', len);
	const char *base = slash ? slash + 1 : path;
	size_t n = len - (size_t)(base - path);
	static const char *const stems[] = { "license", "licence", "copying" };
	size_t stem = 0;
	for (size_t i = 0; i < sizeof(stems) / sizeof(stems[0]) && !stem; i++) {
		size_t k = strlen(stems[i]);
		if (n >= k && strncasecmp(base, stems[i], k) == 0)
			stem = k;
	}
	if (!stem)
		return false;
	if (n == stem)
		return true;
	if (!strchr(".-_", base[stem]))
		return false;
	/* license.js, license.json, LICENSE.license (a REUSE sidecar) are
	 * not license texts. */
	const char *dot = memrchr(base, '.', n);
	return !dot || dot < base + stem || !code_ext(dot + 1, n - (size_t)(dot + 1 - base));
}

bool lg_license_text_dir(const char *path, size_t len)
{
	const char *slash = memrchr(path, '/', len);
	if (!slash || slash == path)
		return false;
	const char *base = slash + 1;
	size_t n = len - (size_t)(base - path);
	const char *up = memrchr(path, '/', (size_t)(slash - path));
	const char *dir = up ? up + 1 : path;
	size_t dlen = (size_t)(slash - dir);
	if (n == 0 || ((dlen != 8 || (strncasecmp(dir, "licenses", 8) != 0 &&
				      strncasecmp(dir, "licences", 8) != 0))))
		return false;
	const char *dot = memrchr(base, '.', n);
	return !dot || !code_ext(dot + 1, n - (size_t)(dot + 1 - base));
}

bool lg_npm_see_license(const char *expr, size_t len)
{
	static const char see[] = "SEE LICENSE IN ";
	size_t k = sizeof(see) - 1;
	return len > k && strncasecmp(expr, see, k) == 0;
}
