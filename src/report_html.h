/* report_html.h - a self-contained HTML audit report: one file, no
 * script, no external request (a Content-Security-Policy meta forbids
 * them: default-src 'none', inline styles only), printable (@media
 * print) for an auditor's archive.
 *
 * It holds a verdict banner; the image's identity (argument, manifest
 * digests, refs, platforms, configs); the rules file, its digest and the
 * target; the files per class as an inline SVG bar chart drawn here; a
 * table of layers per image (digest, files, bytes, findings, the
 * config's history created_by line); every violation with its evidence;
 * the files a later layer deleted that still ship in a lower one; the
 * exemptions with their reasons; the warnings.  Every string from the
 * image or the rules is escaped by escape.h (lg_escape_markup).
 */
#ifndef LICGATE_REPORT_HTML_H
#define LICGATE_REPORT_HTML_H

#include "report.h"

extern const lg_report_writer lg_report_html;

#endif
