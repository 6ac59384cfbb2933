/* report_json.h - licgate's own report for machines: the whole scan in one
 * JSON document whose shape man/licgate-report.schema.json describes. */
#ifndef LICGATE_REPORT_JSON_H
#define LICGATE_REPORT_JSON_H

#include "report.h"

extern const lg_report_writer lg_report_json;

#endif
