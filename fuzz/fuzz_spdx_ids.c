/* fuzz_spdx_ids.c - identifier lookup, suggestions and notes (spdx_ids.c),
 * and license names in words (license_names.c).
 *
 * Input: an identifier (any bytes).  Invariants: a suggestion is a listed,
 * current identifier within the documented distance (0 exactly when the
 * input is that identifier in another case); a known identifier gets no
 * note and an unknown one gets a note without control bytes; a license
 * name maps to a known identifier.
 */
#include <string.h>
#include <strings.h>

#include "fuzz_common.h"
#include "license_names.h"
#include "spdx_ids.h"
#include "util.h"

static void check_suggestion(const char *id, size_t len, bool exception)
{
	char out[LG_SPDX_ID_MAX];
	int d = exception ? lg_spdx_exception_suggest(id, len, out, sizeof out)
			  : lg_spdx_suggest(id, len, out, sizeof out);
	if (d < 0) {
		FUZZ_CHECK(out[0] == '\0');
		return;
	}
	size_t olen = strlen(out);
	FUZZ_CHECK(d <= 3 && olen > 0);
	if (exception) {
		FUZZ_CHECK(lg_spdx_exception_known(out, olen));
	} else {
		FUZZ_CHECK(lg_spdx_license_known(out, olen));
		FUZZ_CHECK(!lg_spdx_license_deprecated(out, olen));
	}
	size_t base = !exception && len && id[len - 1] == '+' ? len - 1 : len;
	FUZZ_CHECK((d == 0) == (olen == base && strncasecmp(out, id, base) == 0));
}

/* Nothing in a note can drive a terminal: no control bytes. */
static bool no_controls(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

static void check_note(const char *id, size_t len, bool exception)
{
	lg_buf note = LG_BUF_INIT;
	bool known = exception ? lg_spdx_exception_known(id, len)
			       : lg_spdx_license_known(id, len);
	bool noted = exception ? lg_spdx_exception_note(id, len, &note)
			       : lg_spdx_note(id, len, &note);
	FUZZ_CHECK(noted == !known);
	FUZZ_CHECK(!noted || (note.len > 0 && no_controls(note.data, note.len)));
	lg_buf_free(&note);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *id = (const char *)data;
	(void)lg_spdx_license_deprecated(id, size);
	FUZZ_CHECK(!lg_spdx_license_deprecated(id, size) ||
		   lg_spdx_license_known(id, size));
	check_suggestion(id, size, false);
	check_suggestion(id, size, true);
	check_note(id, size, false);
	check_note(id, size, true);
	const char *spdx = lg_license_name_to_spdx(id, size);
	FUZZ_CHECK(!spdx || lg_spdx_license_known(spdx, strlen(spdx)));
	return 0;
}
