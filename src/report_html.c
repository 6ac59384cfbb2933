/* report_html.c - see report_html.h */
#include "report_html.h"

#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "spdx_ids.h"
#include "util.h"

typedef struct html {
	const lg_report_ctx *ctx;
	FILE *out;
	lg_buf deny, exempt, warn; /* table rows, escaped */
	lg_buf scratch;
} html;

static const char STYLE[] =
	"body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}"
	"h1{font-size:1.6em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ccc}"
	"table{border-collapse:collapse;width:100%;margin:.5em 0}"
	"th,td{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top}"
	"th{background:#f3f3f3}td.n{text-align:right}"
	"code,.mono{font-family:ui-monospace,monospace;font-size:.92em;word-break:break-all}"
	".banner{padding:1em;border-radius:4px;font-size:1.3em;font-weight:bold}"
	".pass{background:#e3f6e3;border:2px solid #2a8a2a}"
	".fail{background:#fbe3e3;border:2px solid #b22}"
	"ul.ev{margin:0;padding-left:1.2em}"
	"@media print{body{margin:0;font-size:11px}.banner{border-width:3px}"
	"tr{page-break-inside:avoid}h2{page-break-after:avoid}a{color:inherit}}";

static void put(html *h, const char *s)
{
	fputs(s, h->out);
}

static void esc(html *h, const char *s)
{
	lg_escape_markup_puts(h->out, s ? s : "");
}

static void *html_begin(const lg_report_ctx *ctx, FILE *out)
{
	html *h = lg_xcalloc(1, sizeof(*h));
	h->ctx = ctx;
	h->out = out;
	return h;
}

static void row_start(lg_buf *b, const lg_finding *f, const lg_classification *c)
{
	lg_buf_append(b, "<tr><td><code>", 14);
	lg_escape_markup(b, f->file->path, f->file->len);
	lg_buf_append(b, "</code></td><td>", 16);
	lg_escape_markup(b, lg_report_class(c), strlen(lg_report_class(c)));
	lg_buf_appendf(b, "</td><td class=\"n\">%zu</td><td>", f->pos + 1);
	if (f->deleted_by)
		lg_buf_appendf(b, "deleted by layer %u, still shipped", f->deleted_by);
	else
		lg_buf_append(b, "visible", 7);
	lg_buf_append(b, "</td><td><ul class=\"ev\">", 24);
}

static void html_file(void *st, const lg_finding *f, const lg_classification *c)
{
	html *h = st;
	lg_buf *b = c->outcome == LG_OUT_DENY ? &h->deny
		  : c->outcome == LG_OUT_EXEMPT ? &h->exempt
		  : c->outcome == LG_OUT_WARN ? &h->warn : NULL;
	if (!b)
		return;
	row_start(b, f, c);
	for (size_t i = 0; i < c->nevidence; i++) {
		lg_buf_reset(&h->scratch);
		lg_report_evidence(&h->scratch, &c->evidence[i]);
		lg_buf_append(b, "<li>", 4);
		lg_escape_markup(b, h->scratch.data, h->scratch.len);
		lg_buf_append(b, "</li>", 5);
	}
	if (c->nomitted)
		lg_buf_appendf(b, "<li>and %zu more</li>", c->nomitted);
	if (!c->nevidence)
		lg_buf_append(b, "<li>no evidence</li>", 20);
	lg_buf_append(b, "</ul>", 5);
	if (c->exempt) {
		lg_buf_append(b, "<p>exempt: ", 11);
		lg_escape_markup(b, c->exempt->reason, strlen(c->exempt->reason));
		lg_buf_append(b, " (", 2);
		lg_escape_markup(b, c->exempt->file, strlen(c->exempt->file));
		lg_buf_appendf(b, ":%u)</p>", c->exempt->line);
	}
	lg_buf_append(b, "</td></tr>\n", 11);
}

static void put_identity(html *h)
{
	const lg_scan *s = h->ctx->s;
	const lg_scan_options *o = s->opts;
	put(h, "<h2>Image</h2>\n<table><tr><th>argument</th><td><code>");
	esc(h, o->image);
	put(h, "</code></td></tr></table>\n<table><tr><th>manifest</th><th>ref</th>"
	       "<th>platform</th><th>config</th><th>layers</th></tr>\n");
	for (size_t i = 0; i < s->set->nimages; i++) {
		const lg_image *im = s->images[i].image;
		char plat[200];
		lg_platform_string(&im->platform, plat, sizeof(plat));
		put(h, "<tr><td class=\"mono\">");
		esc(h, im->digest.str);
		put(h, "</td><td>");
		esc(h, im->ref);
		put(h, "</td><td>");
		esc(h, plat);
		put(h, "</td><td class=\"mono\">");
		esc(h, im->config.str);
		fprintf(h->out, "</td><td class=\"n\">%zu</td></tr>\n", im->nlayers);
	}
	put(h, "</table>\n<h2>Rules</h2>\n<table><tr><th>rules file</th><td><code>");
	esc(h, lg_rules_name(o->rules));
	put(h, "</code></td></tr><tr><th>digest</th><td class=\"mono\">");
	esc(h, lg_rules_digest(o->rules));
	put(h, "</td></tr><tr><th>target</th><td>");
	esc(h, lg_target_name(o->target));
	put(h, "</td></tr><tr><th>licgate</th><td>" LICGATE_VERSION "</td></tr>"
	       "<tr><th>SPDX License List</th><td>");
	esc(h, lg_spdx_list_version());
	put(h, "</td></tr></table>\n");
}

/* Files per class over every image, as horizontal bars. */
static void put_chart(html *h)
{
	const lg_scan *s = h->ctx->s;
	lg_class_count *all = NULL;
	size_t n = 0, cap = 0, max = 1;
	for (size_t i = 0; i < s->set->nimages; i++) {
		lg_class_count *cc;
		size_t m = lg_report_class_counts(s, &s->images[i], &cc);
		for (size_t k = 0; k < m; k++) {
			size_t j = 0;
			while (j < n && strcmp(all[j].name, cc[k].name) != 0)
				j++;
			if (j == n) {
				lg_xgrow((void **)&all, &cap, n + 1, sizeof(*all));
				all[n++] = (lg_class_count){ .name = cc[k].name };
			}
			all[j].files += cc[k].files;
			all[j].denied += cc[k].denied;
			if (all[j].files > max)
				max = all[j].files;
		}
		free(cc);
	}
	enum { BAR_H = 22, LABEL_W = 180, BAR_W = 400 };
	fprintf(h->out, "<h2>Files per class</h2>\n<svg xmlns=\"http://www.w3.org/2000/svg\" "
		"role=\"img\" aria-label=\"files per class\" width=\"%d\" height=\"%zu\">\n",
		LABEL_W + BAR_W + 80, n * BAR_H + 4);
	for (size_t k = 0; k < n; k++) {
		size_t w = all[k].files * BAR_W / max;
		size_t y = k * BAR_H + 2;
		fprintf(h->out, "<text x=\"%d\" y=\"%zu\" text-anchor=\"end\" font-size=\"13\">",
			LABEL_W - 6, y + 15);
		esc(h, all[k].name);
		fprintf(h->out, "</text><rect x=\"%d\" y=\"%zu\" width=\"%zu\" height=\"%d\" "
			"fill=\"%s\"/><text x=\"%zu\" y=\"%zu\" font-size=\"13\">%zu%s</text>\n",
			LABEL_W, y, w ? w : 1, BAR_H - 6, all[k].denied ? "#b22" : "#4a7fb5",
			LABEL_W + w + 6, y + 15, all[k].files, all[k].denied ? " (denied)" : "");
	}
	put(h, "</svg>\n");
	free(all);
}

static void put_layers(html *h)
{
	const lg_scan *s = h->ctx->s;
	for (size_t i = 0; i < s->set->nimages; i++) {
		const lg_scanned_image *si = &s->images[i];
		put(h, "<h2>Layers of ");
		esc(h, si->image->digest.str);
		put(h, "</h2>\n<table><tr><th>#</th><th>digest</th><th>files</th><th>bytes</th>"
		       "<th>findings</th><th>created by</th></tr>\n");
		for (size_t pos = 0; pos < si->image->nlayers; pos++) {
			const lg_layer_desc *d = &si->image->layers[pos];
			const lg_scanned_layer *sl = &s->layers[si->layer_ids[pos]];
			size_t findings = 0;
			for (size_t f = 0; f < sl->layer->nfiles; f++)
				findings += si->view[pos].results[f].outcome != LG_OUT_PASS;
			fprintf(h->out, "<tr><td class=\"n\">%zu</td><td class=\"mono\">", pos + 1);
			esc(h, d->digest.str);
			fprintf(h->out, "</td><td class=\"n\">%zu</td><td class=\"n\">%lld</td>"
				"<td class=\"n\">%zu</td><td><code>", sl->layer->nfiles,
				(long long)d->size, findings);
			if (d->created_by)
				lg_escape_markup_put(h->out, d->created_by, strlen(d->created_by));
			put(h, "</code></td></tr>\n");
		}
		put(h, "</table>\n");
	}
}

/* Every file a later layer deleted that still ships in a lower one. */
static void put_deleted(html *h)
{
	const lg_scan *s = h->ctx->s;
	put(h, "<h2>Deleted by a later layer, still shipped</h2>\n"
	       "<p>A whiteout hides these files from a running container, but their bytes "
	       "are in the image and ship with it.</p>\n<table><tr><th>path</th><th>class</th>"
	       "<th>layer</th><th>deleted by layer</th></tr>\n");
	size_t n = 0;
	for (size_t i = 0; i < s->set->nimages; i++) {
		const lg_scanned_image *si = &s->images[i];
		for (size_t pos = 0; pos < si->image->nlayers; pos++) {
			const lg_scanned_layer *sl = &s->layers[si->layer_ids[pos]];
			for (size_t f = 0; f < sl->layer->nfiles; f++) {
				if (!si->deleted_by[pos][f])
					continue;
				const lg_file *file = &sl->layer->files[f];
				const char *cls = si->view[pos].results[f].class_name;
				put(h, "<tr><td><code>");
				lg_escape_markup_put(h->out, file->path, file->len);
				put(h, "</code></td><td>");
				esc(h, cls ? cls : "unknown");
				fprintf(h->out, "</td><td class=\"n\">%zu</td><td class=\"n\">%u</td></tr>\n",
					pos + 1, si->deleted_by[pos][f]);
				n++;
			}
		}
	}
	put(h, "</table>\n");
	if (!n)
		put(h, "<p>None.</p>\n");
}

static void put_findings(html *h, const char *title, const lg_buf *rows, size_t n)
{
	fprintf(h->out, "<h2>%s (%zu)</h2>\n", title, n);
	if (!rows->len) {
		put(h, "<p>None.</p>\n");
		return;
	}
	put(h, "<table><tr><th>path</th><th>class</th><th>layer</th><th>deleted</th>"
	       "<th>evidence</th></tr>\n");
	fwrite(rows->data, 1, rows->len, h->out);
	put(h, "</table>\n");
}

static void html_end(void *st)
{
	html *h = st;
	const lg_report_ctx *ctx = h->ctx;
	const lg_scan *s = ctx->s;
	const char *target = lg_target_name(s->opts->target);
	put(h, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	       "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	       "style-src 'unsafe-inline'; img-src data:; form-action 'none'; base-uri 'none'\">\n"
	       "<meta name=\"viewport\" content=\"width=device-width\">\n<title>licgate: ");
	esc(h, s->opts->image);
	fprintf(h->out, " %s for target ", ctx->passed ? "PASS" : "FAIL");
	esc(h, target);
	fprintf(h->out, "</title>\n<style>%s</style>\n</head>\n<body>\n<h1>licgate audit report</h1>\n",
		STYLE);
	fprintf(h->out, "<div class=\"banner %s\">%s: ", ctx->passed ? "pass" : "fail",
		ctx->passed ? "PASS" : "FAIL");
	if (ctx->passed)
		put(h, "no file of a denied class ships to target ");
	else
		fprintf(h->out, "%zu violation%s for target ", ctx->sum.violations,
			ctx->sum.violations == 1 ? "" : "s");
	esc(h, target);
	fprintf(h->out, "</div>\n<p>%zu file%s in %zu layer%s of %zu image%s; %zu warning%s, "
		"%zu exemption%s.</p>\n", ctx->sum.files, ctx->sum.files == 1 ? "" : "s",
		ctx->sum.layers, ctx->sum.layers == 1 ? "" : "s", ctx->sum.images,
		ctx->sum.images == 1 ? "" : "s", ctx->sum.warnings, ctx->sum.warnings == 1 ? "" : "s",
		ctx->sum.exemptions, ctx->sum.exemptions == 1 ? "" : "s");
	put_identity(h);
	put_chart(h);
	put_findings(h, "Violations", &h->deny, ctx->sum.violations);
	put_deleted(h);
	put_findings(h, "Exemptions", &h->exempt, ctx->sum.exemptions);
	put_findings(h, "Warnings", &h->warn, ctx->sum.warnings);
	put_layers(h);
	put(h, "</body>\n</html>\n");
	lg_buf_free(&h->deny);
	lg_buf_free(&h->exempt);
	lg_buf_free(&h->warn);
	lg_buf_free(&h->scratch);
	free(h);
}

const lg_report_writer lg_report_html = {
	.name = "html",
	.help = "a self-contained HTML audit report (no script, printable)",
	.begin = html_begin,
	.file = html_file,
	.end = html_end,
};
