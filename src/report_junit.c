/* report_junit.c - see report_junit.h */
#include "report_junit.h"

#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "util.h"

typedef struct junit {
	const lg_report_ctx *ctx;
	FILE *out;
	lg_buf *cases;   /* per image: its failing testcases, escaped XML */
	size_t *failed;  /* per image */
	lg_buf scratch;
} junit;

static void *junit_begin(const lg_report_ctx *ctx, FILE *out)
{
	junit *j = lg_xcalloc(1, sizeof(*j));
	size_t n = ctx->s->set->nimages;
	j->ctx = ctx;
	j->out = out;
	j->cases = lg_xcalloc(n, sizeof(lg_buf));
	j->failed = lg_xcalloc(n, sizeof(size_t));
	return j;
}

static void attr(lg_buf *b, const char *name, const char *s, size_t len)
{
	lg_buf_appendf(b, " %s=\"", name);
	lg_escape_markup(b, s, len);
	lg_buf_putc(b, '"');
}

static void junit_file(void *st, const lg_finding *f, const lg_classification *c)
{
	junit *j = st;
	if (c->outcome != LG_OUT_DENY)
		return;
	size_t img = (size_t)(f->image - j->ctx->s->images);
	lg_buf *b = &j->cases[img];
	const char *cls = lg_report_class(c);
	char *classname = lg_xasprintf("licgate.deny.%s", cls);
	lg_buf_append(b, "    <testcase", 13);
	attr(b, "name", f->file->path, f->file->len);
	attr(b, "classname", classname, strlen(classname));
	lg_buf_append(b, " time=\"0\">\n      <failure", 25);
	lg_buf *m = &j->scratch;
	lg_buf_reset(m);
	lg_buf_appendf(m, "%s: ", cls);
	lg_report_evidence_all(m, c);
	attr(b, "message", m->data, m->len);
	char *type = lg_xasprintf("licgate/deny/%s", cls);
	attr(b, "type", type, strlen(type));
	lg_buf_append(b, ">", 1);
	/* The body: lines of licgate's words, each escaped on its own so
	 * that only bytes from the image are shown as \xNN. */
	lg_escape_markup(b, f->file->path, f->file->len);
	lg_buf_reset(m);
	lg_buf_appendf(m, " is of class %s, denied for target %s.", cls,
		       lg_target_name(j->ctx->s->opts->target));
	lg_escape_markup(b, m->data, m->len);
	lg_buf_reset(m);
	lg_buf_appendf(m, "layer %zu (%s)", f->pos + 1, f->layer->desc->digest.str);
	if (f->deleted_by)
		lg_buf_appendf(m, ", deleted by layer %u: it still ships in the lower layer",
			       f->deleted_by);
	lg_buf_putc(b, '\n');
	lg_escape_markup(b, m->data, m->len);
	lg_buf_appendf(b, "\nmanifest %s\nevidence:\n", f->image->image->digest.str);
	for (size_t i = 0; i < c->nevidence; i++) {
		lg_buf_reset(m);
		lg_buf_append(m, "  ", 2);
		lg_report_evidence(m, &c->evidence[i]);
		lg_escape_markup(b, m->data, m->len);
		lg_buf_putc(b, '\n');
	}
	lg_buf_append(b, "</failure>\n    </testcase>\n", 27);
	j->failed[img]++;
	free(classname);
	free(type);
}

static void put_suite(junit *j, size_t img)
{
	const lg_scan *s = j->ctx->s;
	const lg_scanned_image *si = &s->images[img];
	FILE *out = j->out;
	lg_class_count *cc;
	size_t n = lg_report_class_counts(s, si, &cc);
	size_t passing = 0;
	for (size_t k = 0; k < n; k++)
		passing += cc[k].denied == 0;
	char plat[200];
	lg_platform_string(&si->image->platform, plat, sizeof(plat));
	const char *target = lg_target_name(s->opts->target);
	fputs("  <testsuite name=\"licgate ", out);
	lg_escape_markup_puts(out, si->image->ref ? si->image->ref : s->opts->image);
	fputc(' ', out);
	lg_escape_markup_puts(out, plat[0] ? plat : si->image->digest.str);
	fputs(" target ", out);
	lg_escape_markup_puts(out, target);
	fprintf(out, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"0\" time=\"%.3f\" "
		"id=\"%zu\" package=\"licgate\">\n", j->failed[img] + passing, j->failed[img],
		s->seconds, img);
	fputs("    <properties>\n", out);
	const char *props[][2] = {
		{ "image", s->opts->image },
		{ "manifest", si->image->digest.str },
		{ "platform", plat },
		{ "target", target },
		{ "rules", lg_rules_name(s->opts->rules) },
		{ "rules_digest", lg_rules_digest(s->opts->rules) },
		{ "verdict", lg_report_verdict(j->ctx) },
	};
	for (size_t k = 0; k < LG_ARRAY_LEN(props); k++) {
		fprintf(out, "      <property name=\"%s\" value=\"", props[k][0]);
		lg_escape_markup_puts(out, props[k][1]);
		fputs("\"/>\n", out);
	}
	fputs("    </properties>\n", out);
	if (j->cases[img].len)
		fwrite(j->cases[img].data, 1, j->cases[img].len, out);
	for (size_t k = 0; k < n; k++) {
		if (cc[k].denied)
			continue;
		fprintf(out, "    <testcase name=\"class ");
		lg_escape_markup_puts(out, cc[k].name);
		fprintf(out, ": %zu file%s\" classname=\"licgate.class.", cc[k].files,
			cc[k].files == 1 ? "" : "s");
		lg_escape_markup_puts(out, cc[k].name);
		fputs("\" time=\"0\"/>\n", out);
	}
	fputs("  </testsuite>\n", out);
	free(cc);
}

static void junit_end(void *st)
{
	junit *j = st;
	const lg_scan *s = j->ctx->s;
	size_t failed = 0, tests = 0;
	for (size_t i = 0; i < s->set->nimages; i++) {
		lg_class_count *cc;
		size_t n = lg_report_class_counts(s, &s->images[i], &cc);
		for (size_t k = 0; k < n; k++)
			tests += cc[k].denied == 0;
		free(cc);
		failed += j->failed[i];
	}
	tests += failed;
	fprintf(j->out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<testsuites name=\"licgate\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" "
		"time=\"%.3f\">\n", tests, failed, s->seconds);
	for (size_t i = 0; i < s->set->nimages; i++) {
		put_suite(j, i);
		lg_buf_free(&j->cases[i]);
	}
	fputs("</testsuites>\n", j->out);
	free(j->cases);
	free(j->failed);
	lg_buf_free(&j->scratch);
	free(j);
}

static void junit_failed(const lg_report_failure *fl, FILE *out)
{
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	      "<testsuites name=\"licgate\" tests=\"1\" failures=\"0\" errors=\"1\">\n"
	      "  <testsuite name=\"licgate ", out);
	lg_escape_markup_puts(out, fl->image);
	if (fl->target) {
		fputs(" target ", out);
		lg_escape_markup_puts(out, fl->target);
	}
	fputs("\" tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\" package=\"licgate\">\n"
	      "    <testcase name=\"scan ", out);
	lg_escape_markup_puts(out, fl->image);
	fputs("\" classname=\"licgate.scan\">\n      <error type=\"licgate/could-not-complete\" "
	      "message=\"", out);
	lg_escape_markup_puts(out, fl->message);
	fputs("\">licgate: ", out);
	lg_escape_markup_puts(out, fl->message);
	fputs("\n\nThe scan could not complete (exit status 2): no verdict.</error>\n"
	      "    </testcase>\n  </testsuite>\n</testsuites>\n", out);
}

const lg_report_writer lg_report_junit = {
	.name = "junit",
	.help = "JUnit XML for GitLab, Jenkins, GitHub test reports",
	.begin = junit_begin,
	.file = junit_file,
	.end = junit_end,
	.failed = junit_failed,
};
