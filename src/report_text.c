/* report_text.c - the report for people: one line per finding, then the
 * counts, then one summary line with the verdict. */
#include "report.h"

#include <string.h>

#include "util.h"

#define RED "\033[31m"
#define YELLOW "\033[33m"
#define GREEN "\033[32m"
#define BOLD "\033[1m"
#define RESET "\033[0m"

typedef struct text {
	const lg_scan *s;
	const lg_report_options *o;
	FILE *out;
	lg_buf line; /* reused for every finding */
} text;

static const char *paint(const text *t, const char *color)
{
	return t->o->color ? color : "";
}

static void put_rule(lg_buf *b, const lg_rule *r)
{
	if (r)
		lg_buf_appendf(b, " (%s:%u)", r->file, r->line);
}

static void put_evidence(lg_buf *b, const lg_classification *c)
{
	for (size_t i = 0; i < c->nevidence; i++) {
		const lg_evidence *e = &c->evidence[i];
		lg_buf_append(b, i ? "; " : "", i ? 2 : 0);
		switch (e->kind) {
		case LG_EV_PATH:
			lg_buf_append(b, "path ", 5);
			lg_buf_append_escaped(b, e->value, e->value_len);
			break;
		case LG_EV_TAG:
			lg_buf_append(b, "tag \"", 5);
			lg_buf_append_escaped(b, e->value, e->value_len);
			lg_buf_appendf(b, "\" line %llu -> %s", (unsigned long long)e->line,
				       e->class_name ? e->class_name : "unknown");
			if (!e->rule)
				lg_buf_appendf(b, " (no license rule maps %s)", e->id);
			break;
		case LG_EV_UNPARSEABLE:
			lg_buf_append(b, "unparseable tag \"", 17);
			lg_buf_append_escaped(b, e->value, e->value_len);
			lg_buf_appendf(b, "\" line %llu: %s", (unsigned long long)e->line, e->id);
			break;
		}
		put_rule(b, e->rule);
	}
	if (c->nomitted)
		lg_buf_appendf(b, "; and %zu more", c->nomitted);
	if (c->nevidence == 0)
		lg_buf_appendf(b, "no evidence");
}

static void put_finding(text *t, const char *label, const char *color,
			const lg_finding *f)
{
	lg_classification c;
	const lg_scan_options *o = t->s->opts;
	lg_classify(o->rules, o->target, f->layer->layer, f->file, &c);
	lg_buf *b = &t->line;
	lg_buf_reset(b);
	lg_buf_appendf(b, "%s%-6s%s ", paint(t, color), label, paint(t, RESET));
	lg_buf_append_escaped(b, f->file->path, f->file->len);
	lg_buf_appendf(b, "  %s  ", c.class_name ? c.class_name : "unknown");
	put_evidence(b, &c);
	if (c.exempt)
		lg_buf_appendf(b, "; exempt \"%s\" (%s:%u)", c.exempt->reason,
			       c.exempt->file, c.exempt->line);
	char sd[24];
	lg_buf_appendf(b, "  layer %zu (%s)", f->pos + 1,
		       lg_short_digest(f->layer->desc->digest.str, sd));
	if (f->deleted_by)
		lg_buf_appendf(b, ", deleted by layer %u", f->deleted_by);
	if (f->file->flags & LG_FILE_ESCAPED)
		lg_buf_appendf(b, ", name tried to leave the root");
	if (t->s->set->nimages > 1) {
		char plat[200];
		lg_platform_string(&f->image->image->platform, plat, sizeof(plat));
		lg_buf_appendf(b, "  [%s]", plat[0] ? plat : lg_short_digest(f->image->image->digest.str, sd));
	}
	fprintf(t->out, "%s\n", b->data);
}

static void on_violation(void *ud, const lg_finding *f)
{
	text *t = ud;
	put_finding(t, "DENY", RED, f);
}

static void on_warning(void *ud, const lg_finding *f)
{
	text *t = ud;
	put_finding(t, "WARN", YELLOW, f);
}

static void on_exemption(void *ud, const lg_finding *f)
{
	text *t = ud;
	put_finding(t, "EXEMPT", "", f);
}

static void put_notes(text *t)
{
	const lg_image_set *set = t->s->set;
	for (size_t i = 0; i < set->nskipped; i++)
		fprintf(t->out, "note: skipped %s (%s): %s\n", set->skipped[i].digest,
			set->skipped[i].media_type, set->skipped[i].reason);
	for (size_t i = 0; i < t->s->nlayers; i++) {
		const lg_scanned_layer *sl = &t->s->layers[i];
		char sd[24];
		for (size_t w = 0; w < sl->layer->nwarnings; w++)
			fprintf(t->out, "%swarning:%s layer %s: %s\n", paint(t, YELLOW),
				paint(t, RESET), lg_short_digest(sl->desc->digest.str, sd),
				sl->layer->warnings[w]);
	}
}

static void put_size(FILE *out, uint64_t bytes)
{
	if (bytes >= 1000 * 1000)
		fprintf(out, "%.1f MB", (double)bytes / 1e6);
	else if (bytes >= 1000)
		fprintf(out, "%.1f kB", (double)bytes / 1e3);
	else
		fprintf(out, "%llu B", (unsigned long long)bytes);
}

void lg_report_text(const lg_scan *s, const lg_report_options *o, FILE *out)
{
	text t = { .s = s, .o = o, .out = out };
	lg_summary sum;
	lg_summarize(s, &sum);
	put_notes(&t);
	lg_report_each(s, LG_OUT_DENY, on_violation, &t);
	lg_report_each(s, LG_OUT_EXEMPT, on_exemption, &t);
	if (o->verbose)
		lg_report_each(s, LG_OUT_WARN, on_warning, &t);
	else if (sum.warnings)
		fprintf(out, "%zu warning%s: files of no allowed class under `unknown warn` "
			"(list them with --verbose or --format json)\n",
			sum.warnings, sum.warnings == 1 ? "" : "s");
	const char *target = lg_target_name(s->opts->target);
	if (sum.violations)
		fprintf(out, "%s%sFAIL%s: %zu violation%s for target %s; ", paint(&t, BOLD),
			paint(&t, RED), paint(&t, RESET), sum.violations,
			sum.violations == 1 ? "" : "s", target);
	else
		fprintf(out, "%s%sPASS%s: no violations for target %s; ", paint(&t, BOLD),
			paint(&t, GREEN), paint(&t, RESET), target);
	fprintf(out, "%zu warning%s, %zu file%s in %zu layer%s of %zu image%s, ",
		sum.warnings, sum.warnings == 1 ? "" : "s", sum.files, sum.files == 1 ? "" : "s",
		sum.layers, sum.layers == 1 ? "" : "s", sum.images, sum.images == 1 ? "" : "s");
	put_size(out, sum.bytes);
	fprintf(out, " in %.2f s\n", s->seconds);
	lg_buf_free(&t.line);
}
