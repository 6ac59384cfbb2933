/* report_json.c - see report_json.h; its shape is described by
 * man/licgate-report.schema.json and in licgate(1). */
#include "report_json.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "escape.h"
#include "spdx_ids.h"
#include "util.h"

/* A JSON string for bytes that may not be UTF-8: invalid bytes become
 * \xNN escapes, so the document stays valid UTF-8. */
static json_t *jbytes(const char *s, size_t len)
{
	json_t *j = json_stringn(s, len);
	if (j)
		return j;
	lg_buf b = LG_BUF_INIT;
	lg_buf_append_escaped(&b, s, len);
	j = json_stringn(b.data, b.len);
	lg_buf_free(&b);
	return j;
}

static json_t *jstr_or_null(const char *s)
{
	return s ? jbytes(s, strlen(s)) : json_null();
}

static json_t *jrule(const lg_rule *r)
{
	if (!r)
		return json_null();
	char *s = lg_xasprintf("%s:%u", r->file, r->line);
	json_t *j = jbytes(s, strlen(s));
	free(s);
	return j;
}

static json_t *jplatform(const lg_platform *p)
{
	if (!p->os || !p->architecture)
		return json_null();
	json_t *j = json_pack("{s:o,s:o}", "os", jstr_or_null(p->os),
			      "architecture", jstr_or_null(p->architecture));
	if (p->variant)
		json_object_set_new(j, "variant", jstr_or_null(p->variant));
	return j;
}

/* A fingerprint match: its kind, and for a partial one the share and the
 * matched line ranges. */
static json_t *jfpmatch(const lg_fpmatch *m)
{
	json_t *j = json_pack("{s:s}", "kind", lg_fpmatch_kind_name(m->kind));
	if (m->kind != LG_FPM_PARTIAL)
		return j;
	json_t *ranges = json_array();
	for (unsigned i = 0; i < m->nranges; i++)
		json_array_append_new(ranges, json_pack("{s:I,s:I,s:I,s:I}",
			"line", (json_int_t)m->ranges[i].line,
			"line_end", (json_int_t)m->ranges[i].line_end,
			"source_line", (json_int_t)m->ranges[i].source_line,
			"source_line_end", (json_int_t)m->ranges[i].source_line_end));
	json_object_set_new(j, "ranges", ranges);
	json_object_set_new(j, "ranges_total", json_integer(m->ranges_total));
	json_object_set_new(j, "matched", json_integer(m->matched));
	json_object_set_new(j, "source_fingerprints", json_integer(m->source_fps));
	json_object_set_new(j, "file_fingerprints", json_integer(m->file_fps));
	json_object_set_new(j, "share", json_real(m->source_fps ? (double)m->matched /
						  m->source_fps : 0.0));
	return j;
}

static json_t *jevidence(const lg_classification *c)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < c->nevidence; i++) {
		const lg_evidence *e = &c->evidence[i];
		json_t *j = json_pack("{s:s,s:o,s:o,s:s,s:o}",
				      "kind", lg_evidence_kind_name(e->kind),
				      "value", jbytes(e->value, e->value_len),
				      "class", jstr_or_null(e->class_name),
				      "level", lg_level_name(e->level),
				      "rule", jrule(e->rule));
		bool by_text = e->kind == LG_EV_LICFILE && e->rule && e->rule->kind == LG_RULE_TEXT;
		bool expr = e->kind != LG_EV_PATH && e->kind != LG_EV_TEXT && !by_text &&
			    e->kind != LG_EV_FINGERPRINT;
		if (e->kind == LG_EV_FINGERPRINT)
			json_object_set_new(j, "match", jfpmatch(e->fp));
		if ((expr && e->kind != LG_EV_NPM && e->kind != LG_EV_PYTHON && !((e->kind == LG_EV_UNPARSEABLE || e->kind == LG_EV_LICFILE) && e->line == 0)) ||
		    (by_text && e->line))
			json_object_set_new(j, "line", json_integer((json_int_t)e->line));
		if (e->kind == LG_EV_LICFILE)
			json_object_set_new(j, "layer_index", json_integer((json_int_t)e->layer));
		if (e->kind == LG_EV_LICFILE && e->target) {
			json_object_set_new(j, "target", jbytes(e->target, e->target_len));
			json_object_set_new(j, "target_layer_index",
					    json_integer((json_int_t)e->target_layer));
		}
		if (e->kind == LG_EV_SNIPPET)
			json_object_set_new(j, "line_end", e->line_end ? json_integer((json_int_t)e->line_end)
								       : json_null());
		if (e->source)
			json_object_set_new(j, "source", jbytes(e->source, e->source_len));
		if (expr && e->kind != LG_EV_UNPARSEABLE)
			json_object_set_new(j, "identifier", jbytes(e->id, strlen(e->id)));
		if (e->kind == LG_EV_UNPARSEABLE)
			json_object_set_new(j, "error", jbytes(e->id, strlen(e->id)));
		if (e->read_as)
			json_object_set_new(j, "read_as", json_string(e->read_as));
		if (e->note[0])
			json_object_set_new(j, "note", jbytes(e->note, strlen(e->note)));
		json_array_append_new(arr, j);
	}
	return arr;
}

static json_t *jhex(const uint8_t *p, size_t n)
{
	char hex[2 * 64 + 1];
	for (size_t i = 0; i < n && i < 64; i++)
		sprintf(hex + 2 * i, "%02x", p[i]);
	return json_stringn(hex, 2 * n);
}

typedef struct jreport {
	const lg_scan *s;
	FILE *out;
	json_t *violations, *warnings, *exemptions;
} jreport;

static json_t *jfinding(const lg_finding *f, const lg_classification *c)
{
	char plat[200];
	lg_platform_string(&f->image->image->platform, plat, sizeof(plat));
	json_t *j = json_pack("{s:o,s:o,s:s,s:s,s:o,s:s,s:I,s:b,s:o,s:b,s:o,s:s,s:o,s:I,s:o}",
		"path", jbytes(f->file->path, f->file->len),
		"class", jstr_or_null(c->class_name),
		"level", lg_level_name(c->level),
		"outcome", lg_outcome_name(c->outcome),
		"evidence", jevidence(c),
		"layer", f->layer->desc->digest.str,
		"layer_index", (json_int_t)(f->pos + 1),
		"deleted", f->deleted_by != 0,
		"deleted_by", f->deleted_by ? json_integer(f->deleted_by) : json_null(),
		"escaped", (f->file->flags & LG_FILE_ESCAPED) != 0,
		"platform", plat[0] ? jbytes(plat, strlen(plat)) : json_null(),
		"manifest", f->image->image->digest.str,
		"xxh3", jhex(f->file->xxh3, sizeof(f->file->xxh3)),
		"size", (json_int_t)f->file->size,
		"mode", json_sprintf("%04o", f->file->mode & 07777));
	if (c->nomitted)
		json_object_set_new(j, "evidence_omitted", json_integer((json_int_t)c->nomitted));
	if (f->file->flags & LG_FILE_HARDLINK)
		json_object_set_new(j, "hardlink", json_true());
	if (c->exempt) {
		json_object_set_new(j, "reason", jstr_or_null(c->exempt->reason));
		json_object_set_new(j, "rule", jrule(c->exempt));
	}
	return j;
}

static void json_file(void *st, const lg_finding *f, const lg_classification *c)
{
	jreport *r = st;
	json_t *arr = c->outcome == LG_OUT_DENY ? r->violations
		    : c->outcome == LG_OUT_WARN ? r->warnings
		    : c->outcome == LG_OUT_EXEMPT ? r->exemptions : NULL;
	if (arr)
		json_array_append_new(arr, jfinding(f, c));
}

static json_t *jlayer(const lg_scan *s, const lg_scanned_image *si, size_t pos)
{
	const lg_layer_desc *d = &si->image->layers[pos];
	const lg_scanned_layer *sl = &s->layers[si->layer_ids[pos]];
	const lg_layer *l = sl->layer;
	json_t *warnings = json_array();
	for (size_t i = 0; i < l->nwarnings; i++)
		json_array_append_new(warnings, jbytes(l->warnings[i], strlen(l->warnings[i])));
	return json_pack("{s:I,s:s,s:s,s:I,s:s,s:I,s:I,s:o,s:b,s:s}",
			 "index", (json_int_t)(pos + 1),
			 "digest", d->digest.str,
			 "media_type", d->media_type,
			 "size", (json_int_t)d->size,
			 "diff_id", d->diff_id.str,
			 "files", (json_int_t)l->nfiles,
			 "entries", (json_int_t)l->nentries,
			 "warnings", warnings,
			 "cached", sl->cached,
			 "verified", sl->blob_by_digest ? "manifest-digest"
				     : sl->blob_unchanged ? "unchanged-file" : "hashed");
}

static json_t *jimage(const lg_scan *s)
{
	json_t *manifests = json_array();
	for (size_t i = 0; i < s->set->nimages; i++) {
		const lg_scanned_image *si = &s->images[i];
		const lg_image *img = si->image;
		json_t *layers = json_array();
		for (size_t pos = 0; pos < img->nlayers; pos++)
			json_array_append_new(layers, jlayer(s, si, pos));
		json_array_append_new(manifests,
			json_pack("{s:s,s:o,s:o,s:o,s:s,s:o}",
				  "digest", img->digest.str,
				  "media_type", jstr_or_null(img->media_type),
				  "ref", jstr_or_null(img->ref),
				  "platform", jplatform(&img->platform),
				  "config", img->config.str,
				  "layers", layers));
	}
	json_t *skipped = json_array();
	for (size_t i = 0; i < s->set->nskipped; i++) {
		const lg_skipped *k = &s->set->skipped[i];
		json_array_append_new(skipped,
			json_pack("{s:o,s:o,s:o}", "digest", jstr_or_null(k->digest),
				  "media_type", jstr_or_null(k->media_type),
				  "reason", jstr_or_null(k->reason)));
	}
	return json_pack("{s:o,s:o,s:o}", "path", jstr_or_null(s->opts->image),
			 "manifests", manifests, "skipped", skipped);
}

static void count_class(json_t *classes, const char *name, size_t n)
{
	json_t *c = json_object_get(classes, name ? name : "unknown");
	if (c)
		json_integer_set(c, json_integer_value(c) + (json_int_t)n);
	else
		json_object_set_new(classes, name ? name : "unknown", json_integer((json_int_t)n));
}

/* Files per class over the distinct layers ("unknown": of no class; a
 * shared layer as the first image that has it classifies it), counted by runs of files with the same class name (one lookup per run,
 * not per file). */
static json_t *jclasses(const lg_scan *s)
{
	json_t *classes = json_object();
	const char *run = NULL;
	size_t n = 0;
	for (size_t i = 0; i < s->nlayers; i++) {
		const lg_scanned_layer *sl = &s->layers[i];
		for (size_t f = 0; f < sl->layer->nfiles; f++) {
			const char *name = sl->results[f].class_name;
			if (n && name == run) {
				n++;
				continue;
			}
			if (n)
				count_class(classes, run, n);
			run = name;
			n = 1;
		}
	}
	if (n)
		count_class(classes, run, n);
	return classes;
}

static json_t *jsummary(const lg_scan *s)
{
	lg_summary sum;
	lg_summarize(s, &sum);
	json_t *classes = jclasses(s);
	return json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:f,s:f,s:I,s:I,s:I,s:o,s:I,s:I,s:I}",
			 "manifests", (json_int_t)sum.images,
			 "layers", (json_int_t)sum.layers,
			 "files", (json_int_t)sum.files,
			 "bytes", (json_int_t)sum.bytes,
			 "uncompressed_bytes", (json_int_t)s->uncompressed_bytes,
			 "content_bytes", (json_int_t)sum.content_bytes,
			 "seconds", s->seconds,
			 "mb_per_second", lg_scan_mb_per_second(s),
			 "cached_layers", (json_int_t)s->cached_layers,
			 "unchanged_blobs", (json_int_t)s->unchanged_blobs,
			 "rejected_cache_entries", (json_int_t)s->rejected_cache_entries,
			 "classes", classes,
			 "violations", (json_int_t)sum.violations,
			 "warnings", (json_int_t)sum.warnings,
			 "exemptions", (json_int_t)sum.exemptions);
}

static void *json_begin(const lg_report_ctx *ctx, FILE *out)
{
	jreport *r = lg_xcalloc(1, sizeof(*r));
	*r = (jreport){ .s = ctx->s, .out = out, .violations = json_array(),
			.warnings = json_array(), .exemptions = json_array() };
	return r;
}

static void json_end(void *st)
{
	jreport *r = st;
	const lg_scan *s = r->s;
	const lg_scan_options *o = s->opts;
	json_t *root = json_pack("{s:s,s:s,s:o,s:{s:o,s:s,s:s},s:o,s:o,s:o,s:o,s:o}",
		"licgate", LICGATE_VERSION,
		"verdict", lg_scan_passed(s) ? "pass" : "fail",
		"target", jstr_or_null(lg_target_name(o->target)),
		"rules", "file", jstr_or_null(lg_rules_name(o->rules)),
			 "digest", lg_rules_digest(o->rules),
			 "spdx_license_list", lg_spdx_list_version(),
		"image", jimage(s),
		"summary", jsummary(s),
		"violations", r->violations,
		"warnings", r->warnings,
		"exemptions", r->exemptions);
	if (!root) {
		fputs("licgate: internal error: cannot build the JSON report\n", stderr);
		exit(2);
	}
	/* DEL and C1 controls as \u escapes too: no string of the image can
	 * drive a terminal the report is shown on. */
	lg_escape_json_dumpf(root, r->out, JSON_INDENT(2) | JSON_REAL_PRECISION(6));
	fputc('\n', r->out);
	json_decref(root);
	free(r);
}

const lg_report_writer lg_report_json = {
	.name = "json",
	.help = "licgate's own JSON (man/licgate-report.schema.json)",
	.begin = json_begin,
	.file = json_file,
	.end = json_end,
};
