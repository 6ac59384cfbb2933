/* report_formats.h - the table of report writers (report.h): the one
 * place a new format is registered.  It drives --format (by name) and
 * the list of formats in `licgate scan --help`. */
#ifndef LICGATE_REPORT_FORMATS_H
#define LICGATE_REPORT_FORMATS_H

#include <stddef.h>

#include "report.h"

/* The writers, in the order --help lists them; NULL-terminated. */
extern const lg_report_writer *const lg_report_writers[];

/* The writer called name[0..len), or NULL. */
const lg_report_writer *lg_report_writer_find(const char *name, size_t len);

/* The default format (text). */
const lg_report_writer *lg_report_default(void);

#endif
