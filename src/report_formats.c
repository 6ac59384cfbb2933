/* report_formats.c - see report_formats.h */
#include "report_formats.h"

#include <string.h>

#include "report_cyclonedx.h"
#include "report_html.h"
#include "report_intoto.h"
#include "report_json.h"
#include "report_junit.h"
#include "report_sarif.h"
#include "report_spdx.h"
#include "report_text.h"

/* A new format is a new file beside its siblings and one line here. */
const lg_report_writer *const lg_report_writers[] = {
	&lg_report_text,
	&lg_report_json,
	&lg_report_sarif,
	&lg_report_junit,
	&lg_report_spdx,
	&lg_report_cyclonedx,
	&lg_report_html,
	&lg_report_intoto,
	NULL,
};

const lg_report_writer *lg_report_writer_find(const char *name, size_t len)
{
	for (size_t i = 0; lg_report_writers[i]; i++) {
		const char *n = lg_report_writers[i]->name;
		if (strlen(n) == len && memcmp(n, name, len) == 0)
			return lg_report_writers[i];
	}
	return NULL;
}

const lg_report_writer *lg_report_default(void)
{
	return &lg_report_text;
}
