/* fuzz_remote.c - what a registry or a user hands the registry client as
 * text: image references and transports (reference.c), and
 * WWW-Authenticate headers (input_registry.c).
 *
 * The first byte picks the parser; the rest is the text (NUL-terminated).
 * Invariants: a failure says why; a reference that parses is normal: its
 * string parses again to the same string, domain and path; the tag and the
 * digest are never both set.
 */
#include <string.h>

#include "fuzz_common.h"
#include "input_registry.h"
#include "reference.h"
#include "util.h"

static void reference(const char *s)
{
	lg_reference r, again;
	lg_error err = LG_ERROR_INIT;
	if (lg_reference_parse(s, &r, &err) < 0) {
		FUZZ_CHECK(err.msg != NULL);
		lg_error_clear(&err);
		return;
	}
	FUZZ_CHECK(!(r.tag && r.digest) && (r.tag || r.digest));
	FUZZ_CHECK(lg_reference_parse(r.str, &again, &err) == 0);
	FUZZ_CHECK(strcmp(r.str, again.str) == 0 && strcmp(r.domain, again.domain) == 0 &&
		   strcmp(r.path, again.path) == 0);
	lg_reference_clear(&again);
	lg_reference_clear(&r);
}

static void source(const char *s)
{
	lg_source src;
	lg_error err = LG_ERROR_INIT;
	if (lg_source_parse(s, &src, &err) < 0) {
		FUZZ_CHECK(err.msg != NULL);
		lg_error_clear(&err);
		return;
	}
	if (src.transport == LG_TRANSPORT_DOCKER || src.transport == LG_TRANSPORT_DAEMON)
		FUZZ_CHECK(src.remote.str != NULL);
	else if (src.transport == LG_TRANSPORT_PATH)
		FUZZ_CHECK(src.path != NULL && strcmp(src.path, s) == 0);
	else
		FUZZ_CHECK(src.path != NULL && *src.path);
	lg_source_clear(&src);
}

static void challenge(const char *s)
{
	lg_challenge c = { 0 };
	lg_challenge_parse(s, &c);
	lg_challenge_parse(s, &c); /* a second header adds to the first */
	FUZZ_CHECK(!c.realm || strlen(c.realm) <= strlen(s));
	lg_challenge_clear(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	char *s = lg_xstrndup((const char *)data + 1, size - 1);
	switch (data[0] % 3) {
	case 0:
		reference(s);
		break;
	case 1:
		source(s);
		break;
	default:
		challenge(s);
		break;
	}
	free(s);
	return 0;
}
