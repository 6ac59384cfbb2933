/* report.c - what both report formats share: the verdict, the summary and
 * the walk over findings. */
#include "report.h"

#include <errno.h>
#include <string.h>

#include "util.h"

bool lg_scan_passed(const lg_scan *s)
{
	for (size_t i = 0; i < s->nlayers; i++) {
		const lg_scanned_layer *sl = &s->layers[i];
		for (size_t f = 0; f < sl->layer->nfiles; f++)
			if (sl->results[f].outcome == LG_OUT_DENY)
				return false;
	}
	return true;
}

static void count_finding(void *ud, const lg_finding *f)
{
	(void)f;
	(*(size_t *)ud)++;
}

void lg_summarize(const lg_scan *s, lg_summary *out)
{
	memset(out, 0, sizeof(*out));
	out->images = s->set->nimages;
	out->layers = s->nlayers;
	for (size_t i = 0; i < s->nlayers; i++) {
		const lg_scanned_layer *sl = &s->layers[i];
		out->files += sl->layer->nfiles;
		out->bytes += (uint64_t)sl->desc->size;
		out->content_bytes += sl->layer->content_bytes;
	}
	lg_report_each(s, LG_OUT_DENY, count_finding, &out->violations);
	lg_report_each(s, LG_OUT_WARN, count_finding, &out->warnings);
	lg_report_each(s, LG_OUT_EXEMPT, count_finding, &out->exemptions);
}

void lg_report_each(const lg_scan *s, enum lg_outcome outcome,
		    lg_finding_fn fn, void *ud)
{
	for (size_t i = 0; i < s->set->nimages; i++) {
		const lg_scanned_image *si = &s->images[i];
		for (size_t pos = 0; pos < si->image->nlayers; pos++) {
			const lg_scanned_layer *sl = &s->layers[si->layer_ids[pos]];
			for (size_t f = 0; f < sl->layer->nfiles; f++) {
				if (sl->results[f].outcome != outcome)
					continue;
				lg_finding finding = {
					.image = si,
					.pos = pos,
					.layer = sl,
					.file = &sl->layer->files[f],
					.deleted_by = si->deleted_by[pos][f],
				};
				fn(ud, &finding);
			}
		}
	}
}

int lg_report_write(const lg_scan *s, const lg_report_options *o, FILE *out,
		    lg_error *err)
{
	if (o->format == LG_FORMAT_JSON)
		lg_report_json(s, out);
	else
		lg_report_text(s, o, out);
	if (fflush(out) != 0 || ferror(out))
		return lg_err_errno(err, errno ? errno : EIO, "writing the report");
	return 0;
}
