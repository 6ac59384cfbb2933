/* report_text.h - the report for people: notes, one line per finding
 * (violations, exemptions, then warnings: without --verbose only those
 * naming an identifier SPDX does not define), the count of the others,
 * then one summary line with the verdict.  Bytes from the image are
 * printed as \xNN where they are not printable UTF-8. */
#ifndef LICGATE_REPORT_TEXT_H
#define LICGATE_REPORT_TEXT_H

#include "report.h"

extern const lg_report_writer lg_report_text;

#endif
