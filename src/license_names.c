/* license_names.c - see license_names.h */
#include "license_names.h"

#include <stdbool.h>
#include <string.h>

#include "util.h"

/* Longest name compared; longer text is not a license name. */
#define NAME_MAX_BYTES 96

/* Keys are names as normalize() writes them. */
static const struct {
	const char *key, *id;
} names[] = {
	{ "mit", "MIT" },
	{ "expat", "MIT" },
	{ "mit x11", "MIT" },
	{ "x11", "X11" },
	{ "isc", "ISC" },
	{ "apache 2", "Apache-2.0" },
	{ "apache software 2", "Apache-2.0" },
	{ "asl 2", "Apache-2.0" },
	{ "apache 1 1", "Apache-1.1" },
	{ "bsd 3 clause", "BSD-3-Clause" },
	{ "3 clause bsd", "BSD-3-Clause" },
	{ "new bsd", "BSD-3-Clause" },
	{ "modified bsd", "BSD-3-Clause" },
	{ "revised bsd", "BSD-3-Clause" },
	{ "bsd 2 clause", "BSD-2-Clause" },
	{ "2 clause bsd", "BSD-2-Clause" },
	{ "simplified bsd", "BSD-2-Clause" },
	{ "freebsd", "BSD-2-Clause" },
	{ "psf", "PSF-2.0" },
	{ "psf 2", "PSF-2.0" },
	{ "python software foundation", "PSF-2.0" },
	{ "mpl 2", "MPL-2.0" },
	{ "mozilla public 2", "MPL-2.0" },
	{ "gpl 2", "GPL-2.0" },
	{ "gplv 2", "GPL-2.0" },
	{ "gnu gpl 2", "GPL-2.0" },
	{ "gpl 3", "GPL-3.0" },
	{ "gplv 3", "GPL-3.0" },
	{ "gnu gpl 3", "GPL-3.0" },
	{ "lgpl 2 1", "LGPL-2.1" },
	{ "lgplv 2 1", "LGPL-2.1" },
	{ "lgpl 3", "LGPL-3.0" },
	{ "lgplv 3", "LGPL-3.0" },
	{ "agpl 3", "AGPL-3.0" },
	{ "agplv 3", "AGPL-3.0" },
	{ "unlicense", "Unlicense" },
	{ "cc 0", "CC0-1.0" },
	{ "cc 0 1", "CC0-1.0" },
	{ "boost software 1", "BSL-1.0" },
	{ "zlib", "Zlib" },
	{ "zlib libpng", "Zlib" },
	/* the licenses an open-core gate is about: read them whenever named */
	{ "business source", "BUSL-1.1" },
	{ "business source 1 1", "BUSL-1.1" },
	{ "busl", "BUSL-1.1" },
	{ "busl 1 1", "BUSL-1.1" },
	{ "bsl 1 1", "BUSL-1.1" },
	{ "elastic", "Elastic-2.0" },
	{ "elastic 2", "Elastic-2.0" },
	{ "el 2", "Elastic-2.0" },
	{ "sspl", "SSPL-1.0" },
	{ "sspl 1", "SSPL-1.0" },
	{ "server side public", "SSPL-1.0" },
	{ "server side public 1", "SSPL-1.0" },
};

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool dropped_word(const char *w, size_t n)
{
	static const char *const words[] = { "the", "license", "licence", "version", "v" };
	for (size_t i = 0; i < LG_ARRAY_LEN(words); i++)
		if (strlen(words[i]) == n && memcmp(w, words[i], n) == 0)
			return true;
	return false;
}

/* Split text into lower-case words of letters or of digits, drop the
 * words that carry no meaning here and a "0" after a number, and join
 * them with single spaces into out.  false when it does not fit. */
static bool normalize(const char *text, size_t len, char *out, size_t size)
{
	size_t o = 0;
	bool prev_number = false;
	for (size_t i = 0; i < len;) {
		if (!is_alpha(text[i]) && !is_digit(text[i])) {
			i++;
			continue;
		}
		bool digits = is_digit(text[i]);
		char w[NAME_MAX_BYTES];
		size_t n = 0;
		while (i < len && (digits ? is_digit(text[i]) : is_alpha(text[i]))) {
			if (n == sizeof(w))
				return false;
			char c = text[i++];
			w[n++] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
		}
		bool zero = digits && n == 1 && w[0] == '0';
		if ((!digits && dropped_word(w, n)) || (zero && prev_number))
			continue;
		if (o + (o > 0) + n + 1 > size)
			return false;
		if (o > 0)
			out[o++] = ' ';
		memcpy(out + o, w, n);
		o += n;
		prev_number = digits;
	}
	out[o] = '\0';
	return o > 0;
}

const char *lg_trove_license_name(const char *text, size_t *len)
{
	static const char prefix[] = "License ::";
	size_t n = *len;
	if (n <= sizeof(prefix) - 1 || memcmp(text, prefix, sizeof(prefix) - 1) != 0)
		return NULL;
	const char *name = text;
	for (const char *p = text; (p = memmem(p, n - (size_t)(p - text), "::", 2)) != NULL; p += 2)
		name = p + 2;
	size_t rest = n - (size_t)(name - text);
	while (rest && *name == ' ')
		name++, rest--;
	if (rest == 0 || (rest == 12 && memcmp(name, "OSI Approved", 12) == 0))
		return NULL;
	*len = rest;
	return name;
}

const char *lg_license_name_to_spdx(const char *text, size_t len)
{
	/* a Trove classifier names its license last */
	size_t n = len;
	const char *trove = lg_trove_license_name(text, &n);
	if (trove)
		text = trove, len = n;
	char key[NAME_MAX_BYTES];
	if (len >= NAME_MAX_BYTES || !normalize(text, len, key, sizeof(key)))
		return NULL;
	for (size_t i = 0; i < LG_ARRAY_LEN(names); i++)
		if (strcmp(key, names[i].key) == 0)
			return names[i].id;
	return NULL;
}
