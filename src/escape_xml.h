/* escape_xml.h - bytes from an image as XML or HTML text.
 *
 * A name in a layer may hold anything: "<script>", a quote, control
 * bytes, invalid UTF-8.  XML 1.0 cannot carry most control characters at
 * all, even as character references, so the bytes are first made
 * printable the way the text report does it (util.h,
 * lg_buf_append_escaped: a byte that is not printable UTF-8 becomes
 * \xNN, a backslash \\), then & < > " ' become entities.  The result is
 * safe as element content and as a quoted attribute value, in XML and
 * in HTML, and says which bytes were there.
 *
 * (The terminal and JSON escaping of the text and JSON reports are
 * another module's; this one is for the XML and HTML writers.)
 */
#ifndef LICGATE_ESCAPE_XML_H
#define LICGATE_ESCAPE_XML_H

#include <stddef.h>
#include <stdio.h>

#include "util.h"

/* Append s[0..len) to b, escaped. */
void lg_xml_escape(lg_buf *b, const char *s, size_t len);

/* Write s[0..len) to out, escaped; lg_xml_puts for a C string (NULL: ""). */
void lg_xml_put(FILE *out, const char *s, size_t len);
void lg_xml_puts(FILE *out, const char *s);

#endif
