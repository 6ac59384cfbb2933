/* report_text.c - see report_text.h
 *
 * Every string that is not our own is written through escape.h: names and
 * values in the reversible text form, messages (warnings, notes, errors
 * of unparseable tags, which may hold names escaped already) in the line
 * form, so no byte of the image reaches the terminal raw. */
#include "report_text.h"

#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "util.h"

#define RED "\033[31m"
#define YELLOW "\033[33m"
#define GREEN "\033[32m"
#define BOLD "\033[1m"
#define RESET "\033[0m"

typedef struct text {
	const lg_scan *s;
	const lg_report_options *o;
	lg_summary sum;
	FILE *out;
	lg_buf line; /* reused for every finding */
	/* The lines of each section, put in order at the end: violations,
	 * exemptions, warnings. */
	lg_buf deny, exempt, warn;
	size_t listed; /* warnings listed without --verbose */
} text;

/* A string that is not ours, as a message: escaped (line form). */
static void put_msg(lg_buf *b, const char *s)
{
	lg_escape_line(b, s, strlen(s));
}

static const char *paint(const text *t, const char *color)
{
	return t->o->color ? color : "";
}

/* " -> CLASS" for an evaluated expression, or why it has none. */
static void put_expr_class(lg_buf *b, const lg_evidence *e)
{
	lg_buf_append(b, " -> ", 4);
	put_msg(b, e->class_name ? e->class_name : "unknown");
	if (!e->rule) {
		lg_buf_append(b, " (no license rule maps ", 23);
		put_msg(b, e->id);
		lg_buf_putc(b, ')');
	}
}

static void put_quoted(lg_buf *b, const char *what, const lg_evidence *e)
{
	lg_buf_appendf(b, "%s \"", what);
	lg_buf_append_escaped(b, e->value, e->value_len);
	lg_buf_putc(b, '"');
}

static void put_source(lg_buf *b, const lg_evidence *e)
{
	lg_buf_append(b, " in ", 4);
	lg_buf_append_escaped(b, e->source, e->source_len);
}

/* Do a and b say the same but for the line (tags of one file)? */
static bool same_tag(const lg_evidence *a, const lg_evidence *b)
{
	return a->kind == LG_EV_TAG && b->kind == LG_EV_TAG && a->rule == b->rule &&
	       a->level == b->level && a->value_len == b->value_len &&
	       memcmp(a->value, b->value, a->value_len) == 0 &&
	       strcmp(a->note, b->note) == 0 && strcmp(a->id, b->id) == 0;
}

/* " line 3" or " lines 1-15, 20" for the lines of n tags that say the
 * same (in the order found: ascending). */
static void put_lines(lg_buf *b, const lg_evidence *e, size_t n)
{
	lg_buf_appendf(b, " line%s ", n > 1 ? "s" : "");
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j + 1 < n && e[j + 1].line == e[j].line + 1)
			j++;
		lg_buf_appendf(b, "%s%llu", i ? ", " : "", (unsigned long long)e[i].line);
		if (j > i)
			lg_buf_appendf(b, "-%llu", (unsigned long long)e[j].line);
		i = j + 1;
	}
}

/* "content matches SOURCE (partial: lines 3-20 = SOURCE lines 40-57, 12
 * of 80 fingerprints, 15%) -> CLASS" */
static void put_fingerprint(lg_buf *b, const lg_evidence *e)
{
	const lg_fpmatch *m = e->fp;
	lg_buf_append(b, "content matches ", 16);
	lg_buf_append_escaped(b, e->source, e->source_len);
	lg_buf_appendf(b, " (%s", e->value);
	if (m->kind == LG_FPM_PARTIAL) {
		for (unsigned i = 0; i < m->nranges; i++)
			lg_buf_appendf(b, "%s lines %u-%u = source lines %u-%u", i ? "," : ":",
				       m->ranges[i].line, m->ranges[i].line_end,
				       m->ranges[i].source_line, m->ranges[i].source_line_end);
		if (m->ranges_total > m->nranges)
			lg_buf_appendf(b, ", %u more", m->ranges_total - m->nranges);
		lg_buf_appendf(b, "; %u of the source's %u fingerprints, %u%%", m->matched,
			       m->source_fps,
			       m->source_fps ? (unsigned)(100ull * m->matched / m->source_fps) : 0);
	}
	lg_buf_appendf(b, ") -> %s", e->class_name);
}

/* One piece of evidence, or for tags a run of n that say the same. */
static void put_one(lg_buf *b, const lg_evidence *e, size_t n)
{
	switch (e->kind) {
	case LG_EV_PATH:
		lg_buf_append(b, "path ", 5);
		lg_buf_append_escaped(b, e->value, e->value_len);
		break;
	case LG_EV_TEXT:
		put_quoted(b, "text", e);
		lg_buf_append(b, " -> ", 4);
		put_msg(b, e->class_name);
		break;
	case LG_EV_TAG:
		put_quoted(b, "tag", e);
		put_lines(b, e, n);
		put_expr_class(b, e);
		break;
	case LG_EV_SNIPPET:
		put_quoted(b, "snippet", e);
		if (e->line_end)
			lg_buf_appendf(b, " lines %llu-%llu", (unsigned long long)e->line,
				       (unsigned long long)e->line_end);
		else
			lg_buf_appendf(b, " from line %llu to the end", (unsigned long long)e->line);
		put_expr_class(b, e);
		break;
	case LG_EV_SIDECAR:
		put_quoted(b, "tag", e);
		put_source(b, e);
		put_expr_class(b, e);
		break;
	case LG_EV_NPM:
	case LG_EV_PYTHON:
		put_quoted(b, e->kind == LG_EV_NPM ? "npm license" : "python license", e);
		if (e->read_as)
			lg_buf_appendf(b, " (read as %s)", e->read_as);
		put_source(b, e);
		put_expr_class(b, e);
		break;
	case LG_EV_FINGERPRINT:
		put_fingerprint(b, e);
		break;
	case LG_EV_LICFILE:
		put_quoted(b, "license file", e);
		put_source(b, e);
		if (e->target) { /* the line is the text's, in the file linked to */
			lg_buf_appendf(b, " (layer %u), a symlink to ", e->layer);
			lg_buf_append_escaped(b, e->target, e->target_len);
		}
		if (e->line)
			lg_buf_appendf(b, " line %llu", (unsigned long long)e->line);
		lg_buf_appendf(b, " (layer %u)", e->target ? e->target_layer : e->layer);
		if (e->rule && e->rule->kind == LG_RULE_TEXT)
			lg_buf_appendf(b, " -> %s", e->class_name);
		else
			put_expr_class(b, e);
		break;
	case LG_EV_UNPARSEABLE:
		put_quoted(b, "unparseable license", e);
		if (e->source)
			put_source(b, e);
		else
			lg_buf_appendf(b, " line %llu", (unsigned long long)e->line);
		lg_buf_append(b, ": ", 2);
		put_msg(b, e->id);
		break;
	}
	if (e->rule) {
		lg_buf_append(b, " (", 2);
		put_msg(b, e->rule->file);
		lg_buf_appendf(b, ":%u)", e->rule->line);
	}
	if (e->note[0]) {
		lg_buf_append(b, " [", 2);
		put_msg(b, e->note);
		lg_buf_putc(b, ']');
	}
}

static void put_evidence(lg_buf *b, const lg_classification *c)
{
	for (size_t i = 0, n; i < c->nevidence; i += n) {
		if (i)
			lg_buf_append(b, "; ", 2);
		n = 1;
		while (i + n < c->nevidence && same_tag(&c->evidence[i], &c->evidence[i + n]))
			n++;
		put_one(b, &c->evidence[i], n);
	}
	if (c->nomitted)
		lg_buf_appendf(b, "; and %zu more", c->nomitted);
	if (c->nevidence == 0)
		lg_buf_appendf(b, "no evidence");
}

static bool refs_differ(const lg_image_set *set)
{
	for (size_t i = 1; i < set->nimages; i++) {
		const char *a = set->images[0].ref, *b = set->images[i].ref;
		if ((a == NULL) != (b == NULL) || (a && strcmp(a, b) != 0))
			return true;
	}
	return false;
}

static void put_finding(text *t, lg_buf *section, const char *label, const char *color,
			const lg_finding *f, const lg_classification *c)
{
	lg_buf *b = &t->line;
	lg_buf_reset(b);
	lg_buf_appendf(b, "%s%-6s%s ", paint(t, color), label, paint(t, RESET));
	lg_buf_append_escaped(b, f->file->path, f->file->len);
	lg_buf_append(b, "  ", 2);
	put_msg(b, c->class_name ? c->class_name : "unknown");
	lg_buf_append(b, "  ", 2);
	put_evidence(b, c);
	if (c->exempt) {
		lg_buf_append(b, "; exempt \"", 10);
		put_msg(b, c->exempt->reason);
		lg_buf_append(b, "\" (", 3);
		put_msg(b, c->exempt->file);
		lg_buf_appendf(b, ":%u)", c->exempt->line);
	}
	char sd[24];
	lg_buf_appendf(b, "  layer %zu (", f->pos + 1);
	put_msg(b, lg_short_digest(f->layer->desc->digest.str, sd));
	lg_buf_putc(b, ')');
	if (f->deleted_by)
		lg_buf_appendf(b, ", deleted by layer %u", f->deleted_by);
	if (f->file->flags & LG_FILE_ESCAPED)
		lg_buf_appendf(b, ", name tried to leave the root");
	if (t->s->set->nimages > 1) {
		char plat[200];
		lg_platform_string(&f->image->image->platform, plat, sizeof(plat));
		lg_buf_append(b, "  [", 3);
		/* Images of several names (--all-tags): which one. */
		if (refs_differ(t->s->set) && f->image->image->ref) {
			put_msg(b, f->image->image->ref);
			lg_buf_putc(b, ' ');
		}
		put_msg(b, plat[0] ? plat : lg_short_digest(f->image->image->digest.str, sd));
		lg_buf_putc(b, ']');
	}
	lg_buf_append(section, b->data, b->len);
	lg_buf_putc(section, '\n');
}

/* Without --verbose, only the warnings that name an identifier SPDX does
 * not define are listed (a misspelt license is worth a line each); the
 * others are counted. */
static void text_file(void *st, const lg_finding *f, const lg_classification *c)
{
	text *t = st;
	switch (f->result->outcome) {
	case LG_OUT_DENY:
		put_finding(t, &t->deny, "DENY", RED, f, c);
		break;
	case LG_OUT_EXEMPT:
		put_finding(t, &t->exempt, "EXEMPT", "", f, c);
		break;
	case LG_OUT_WARN:
		if (t->o->verbose || c->bad_identifier) {
			put_finding(t, &t->warn, "WARN", YELLOW, f, c);
			t->listed++;
		}
		break;
	default:
		break;
	}
}

static void put_notes(text *t)
{
	const lg_image_set *set = t->s->set;
	lg_buf *b = &t->line;
	for (size_t i = 0; i < set->nskipped; i++) {
		const lg_skipped *k = &set->skipped[i];
		lg_buf_reset(b);
		lg_buf_append(b, "note: skipped ", 14);
		put_msg(b, k->digest ? k->digest : "");
		lg_buf_append(b, " (", 2);
		put_msg(b, k->media_type ? k->media_type : "");
		lg_buf_append(b, "): ", 3);
		put_msg(b, k->reason ? k->reason : "");
		fprintf(t->out, "%s\n", b->data);
	}
	for (size_t i = 0; i < t->s->nlayers; i++) {
		const lg_scanned_layer *sl = &t->s->layers[i];
		char sd[24];
		for (size_t w = 0; w < sl->layer->nwarnings; w++) {
			lg_buf_reset(b);
			put_msg(b, lg_short_digest(sl->desc->digest.str, sd));
			lg_buf_append(b, ": ", 2);
			put_msg(b, sl->layer->warnings[w]);
			fprintf(t->out, "%swarning:%s layer %s\n", paint(t, YELLOW),
				paint(t, RESET), b->data);
		}
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

/* --verbose: each layer whose cache entry was there but not trusted. */
static void put_rejected(text *t)
{
	for (size_t i = 0; i < t->s->nlayers; i++)
		if (t->s->layers[i].cache_rejected)
			fprintf(t->out, "cache: layer %s: its entry was not trusted (damaged, or "
				"unreadable by this build); walked again and rewritten\n",
				t->s->layers[i].desc->digest.str);
}

static void *text_begin(const lg_report_ctx *ctx, FILE *out)
{
	text *t = lg_xcalloc(1, sizeof(*t));
	*t = (text){ .s = ctx->s, .o = ctx->o, .sum = ctx->sum, .out = out };
	return t;
}

static void put_section(FILE *out, const lg_buf *b)
{
	if (b->len)
		fwrite(b->data, 1, b->len, out);
}

static void text_end(void *st)
{
	text *t = st;
	const lg_scan *s = t->s;
	FILE *out = t->out;
	const lg_summary sum = t->sum;
	put_notes(t);
	put_section(out, &t->deny);
	put_section(out, &t->exempt);
	put_section(out, &t->warn);
	size_t unlisted = sum.warnings - t->listed;
	if (unlisted)
		fprintf(out, "%zu %swarning%s: files of no allowed class "
			"(list them with --verbose or --format json)\n",
			unlisted, t->listed ? "more " : "", unlisted == 1 ? "" : "s");
	if (t->o->verbose)
		put_rejected(t);
	lg_buf_reset(&t->line);
	put_msg(&t->line, lg_target_name(s->opts->target));
	const char *target = t->line.data;
	if (sum.violations)
		fprintf(out, "%s%sFAIL%s: %zu violation%s for target %s; ", paint(t, BOLD),
			paint(t, RED), paint(t, RESET), sum.violations,
			sum.violations == 1 ? "" : "s", target);
	else
		fprintf(out, "%s%sPASS%s: no violations for target %s; ", paint(t, BOLD),
			paint(t, GREEN), paint(t, RESET), target);
	fprintf(out, "%zu warning%s, %zu file%s in %zu layer%s of %zu image%s, ",
		sum.warnings, sum.warnings == 1 ? "" : "s", sum.files, sum.files == 1 ? "" : "s",
		sum.layers, sum.layers == 1 ? "" : "s", sum.images, sum.images == 1 ? "" : "s");
	put_size(out, sum.bytes);
	fprintf(out, " in %.2f s (%.1f MB/s uncompressed; %zu of %zu layer%s from cache",
		s->seconds, lg_scan_mb_per_second(s), s->cached_layers, s->nlayers,
		s->nlayers == 1 ? "" : "s");
	if (s->unchanged_blobs)
		fprintf(out, ", %zu blob%s unchanged since verified, not read again",
			s->unchanged_blobs, s->unchanged_blobs == 1 ? "" : "s");
	if (s->rejected_cache_entries)
		fprintf(out, ", %zu cache entr%s not trusted, walked again",
			s->rejected_cache_entries, s->rejected_cache_entries == 1 ? "y" : "ies");
	fputs(")\n", out);
	lg_buf_free(&t->line);
	lg_buf_free(&t->deny);
	lg_buf_free(&t->exempt);
	lg_buf_free(&t->warn);
	free(t);
}

const lg_report_writer lg_report_text = {
	.name = "text",
	.help = "for people: one line per finding, then the verdict (default)",
	.begin = text_begin,
	.file = text_file,
	.end = text_end,
};
