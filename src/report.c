/* report.c - what every report shares: the verdict, the summary, and the
 * one walk over the files that feeds every writer.  The table of writers
 * is report_formats.c, so that the writers, which use this module, are
 * not used by it. */
#include "report.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

bool lg_scan_passed(const lg_scan *s)
{
	for (size_t i = 0; i < s->set->nimages; i++) {
		const lg_scanned_image *si = &s->images[i];
		for (size_t pos = 0; pos < si->image->nlayers; pos++) {
			const lg_file_result *r = si->view[pos].results;
			size_t n = s->layers[si->layer_ids[pos]].layer->nfiles;
			for (size_t f = 0; f < n; f++)
				if (r[f].outcome == LG_OUT_DENY)
					return false;
		}
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

/* Every file of every image, in order; fn decides what to do with it. */
static void each_file(const lg_scan *s, lg_finding_fn fn, void *ud)
{
	for (size_t i = 0; i < s->set->nimages; i++) {
		const lg_scanned_image *si = &s->images[i];
		for (size_t pos = 0; pos < si->image->nlayers; pos++) {
			const lg_scanned_layer *sl = &s->layers[si->layer_ids[pos]];
			for (size_t f = 0; f < sl->layer->nfiles; f++) {
				lg_finding finding = {
					.image = si,
					.pos = pos,
					.layer = sl,
					.file = &sl->layer->files[f],
					.index = f,
					.deleted_by = si->deleted_by[pos][f],
					.result = &si->view[pos].results[f],
				};
				fn(ud, &finding);
			}
		}
	}
}

typedef struct each_outcome {
	enum lg_outcome outcome;
	lg_finding_fn fn;
	void *ud;
} each_outcome;

static void filter_outcome(void *ud, const lg_finding *f)
{
	each_outcome *e = ud;
	if (f->result->outcome == e->outcome)
		e->fn(e->ud, f);
}

void lg_report_each(const lg_scan *s, enum lg_outcome outcome,
		    lg_finding_fn fn, void *ud)
{
	each_outcome e = { .outcome = outcome, .fn = fn, .ud = ud };
	each_file(s, filter_outcome, &e);
}

/* ---- one walk, every writer ---------------------------------------------- */

typedef struct run {
	const lg_scan *s;
	const lg_report_out *outs;
	size_t n;
	void **states;
	bool every; /* some writer wants every file */
	lg_classification c; /* reused: it is large */
} run;

static void dispatch(void *ud, const lg_finding *f)
{
	run *r = ud;
	bool finding = f->result->outcome != LG_OUT_PASS;
	if (!finding && !r->every)
		return;
	/* with the license files of its directory, as the scan classified it */
	lg_scan_classify(r->s, f->image, f->pos, f->file, &r->c);
	for (size_t i = 0; i < r->n; i++)
		if (finding || (r->outs[i].w->needs & LG_REPORT_EVERY_FILE))
			r->outs[i].w->file(r->states[i], f, &r->c);
}

int lg_report_run(const lg_scan *s, const lg_report_options *o,
		  const lg_report_out *outs, size_t n, lg_error *err)
{
	lg_report_ctx ctx = { .s = s, .o = o, .passed = lg_scan_passed(s) };
	lg_summarize(s, &ctx.sum);
	run r = { .s = s, .outs = outs, .n = n };
	r.states = lg_xcalloc(n ? n : 1, sizeof(*r.states));
	for (size_t i = 0; i < n; i++) {
		r.every |= (outs[i].w->needs & LG_REPORT_EVERY_FILE) != 0;
		r.states[i] = outs[i].w->begin(&ctx, outs[i].out);
	}
	each_file(s, dispatch, &r);
	for (size_t i = 0; i < n; i++)
		outs[i].w->end(r.states[i]);
	free(r.states);
	for (size_t i = 0; i < n; i++)
		if (fflush(outs[i].out) != 0 || ferror(outs[i].out))
			return lg_err_errno(err, errno ? errno : EIO, "writing the %s report",
					    outs[i].w->name);
	return 0;
}

/* ---- helpers for the writers ------------------------------------------ */

json_t *lg_report_jbytes(const char *s, size_t len)
{
	json_t *j = json_stringn(s, len);
	if (j)
		return j;
	lg_buf b = LG_BUF_INIT;
	lg_buf_append_escaped(&b, s, len);
	j = json_stringn(b.data ? b.data : "", b.len);
	lg_buf_free(&b);
	return j;
}

json_t *lg_report_jstr(const char *s)
{
	return s ? lg_report_jbytes(s, strlen(s)) : json_null();
}

const char *lg_report_verdict(const lg_report_ctx *ctx)
{
	return ctx->passed ? "pass" : "fail";
}

char *lg_report_hex(const uint8_t *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
	return out;
}

void lg_report_evidence(lg_buf *b, const lg_evidence *e)
{
	lg_buf_appendf(b, "%s \"", lg_evidence_kind_name(e->kind));
	lg_buf_append(b, e->value, e->value_len);
	lg_buf_putc(b, '"');
	if (e->kind != LG_EV_PATH && e->kind != LG_EV_TEXT && e->line && !e->target)
		lg_buf_appendf(b, " line %llu", (unsigned long long)e->line);
	if (e->source) {
		lg_buf_append(b, " in ", 4);
		lg_buf_append(b, e->source, e->source_len);
	}
	if (e->target) {
		lg_buf_append(b, " (a symlink to ", 15);
		lg_buf_append(b, e->target, e->target_len);
		if (e->line) /* the line is the text's, in the target */
			lg_buf_appendf(b, " line %llu", (unsigned long long)e->line);
		lg_buf_putc(b, ')');
	}
	if (e->kind == LG_EV_UNPARSEABLE)
		lg_buf_appendf(b, ": %s", e->id);
	else if (e->class_name)
		lg_buf_appendf(b, " -> %s", e->class_name);
	if (e->rule)
		lg_buf_appendf(b, " (%s:%u)", e->rule->file, e->rule->line);
	if (e->note[0])
		lg_buf_appendf(b, " [%s]", e->note);
}

void lg_report_evidence_all(lg_buf *b, const lg_classification *c)
{
	for (size_t i = 0; i < c->nevidence; i++) {
		if (i)
			lg_buf_append(b, "; ", 2);
		lg_report_evidence(b, &c->evidence[i]);
	}
	if (c->nomitted)
		lg_buf_appendf(b, "; and %zu more", c->nomitted);
	if (!c->nevidence)
		lg_buf_appendf(b, "no evidence");
}

uint64_t lg_report_line(const lg_classification *c)
{
	for (size_t i = 0; i < c->nevidence; i++) {
		const lg_evidence *e = &c->evidence[i];
		if (e->level == c->level && e->line && e->kind != LG_EV_PATH &&
		    e->kind != LG_EV_TEXT && !e->source)
			return e->line;
	}
	return 1;
}

const char *lg_report_class(const lg_classification *c)
{
	return c->class_name ? c->class_name : "unknown";
}

size_t lg_report_class_counts(const lg_scan *s, const lg_scanned_image *si,
			      lg_class_count **out)
{
	lg_class_count *cc = NULL;
	size_t n = 0, cap = 0;
	for (size_t pos = 0; pos < si->image->nlayers; pos++) {
		const lg_scanned_layer *sl = &s->layers[si->layer_ids[pos]];
		for (size_t f = 0; f < sl->layer->nfiles; f++) {
			const lg_file_result *r = &si->view[pos].results[f];
			const char *name = r->class_name ? r->class_name : "unknown";
			/* names are the rules' interned copies: a pointer
			 * decides, but for a class the rules do not know */
			size_t k = 0;
			while (k < n && cc[k].name != name)
				k++;
			if (k == n)
				for (k = 0; k < n && strcmp(cc[k].name, name) != 0; k++)
					;
			if (k == n) {
				lg_xgrow((void **)&cc, &cap, n + 1, sizeof(*cc));
				cc[n++] = (lg_class_count){ .name = name };
			}
			cc[k].files++;
			cc[k].denied += r->outcome == LG_OUT_DENY;
		}
	}
	*out = cc;
	return n;
}
