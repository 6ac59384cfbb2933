/* report_sarif.c - see report_sarif.h */
#include "report_sarif.h"

#include <stdlib.h>
#include <string.h>

#include <isa-l/igzip_lib.h>

#include "blob.h"
#include "escape.h"
#include "util.h"


typedef struct sarif {
	const lg_report_ctx *ctx;
	const lg_scan *s;
	FILE *out;
	json_t **results; /* per image: every violation, in order */
	json_t *rules;    /* rule objects, shared by the runs */
	lg_buf scratch;
} sarif;

/* "image/" + path without its leading "/", percent-encoded. */
static json_t *image_uri(const char *path, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	lg_buf b = LG_BUF_INIT;
	lg_buf_append(&b, "image", 5);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)path[i];
		bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			     (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
			     c == '~' || c == '/';
		if (plain) {
			lg_buf_putc(&b, (char)c);
		} else {
			char pct[3] = { '%', hex[c >> 4], hex[c & 15] };
			lg_buf_append(&b, pct, 3);
		}
	}
	json_t *j = json_stringn(b.data, b.len);
	lg_buf_free(&b);
	return j;
}

static char *rule_id(const char *class_name)
{
	return lg_xasprintf("licgate/deny/%s", class_name);
}

/* The index of the rule for class, added on first use. */
static size_t rule_index(sarif *sr, const char *class_name)
{
	char *id = rule_id(class_name);
	size_t i;
	for (i = 0; i < json_array_size(sr->rules); i++) {
		const char *have = json_string_value(json_object_get(json_array_get(sr->rules, i), "id"));
		if (strcmp(have, id) == 0) {
			free(id);
			return i;
		}
	}
	const char *target = lg_target_name(sr->s->opts->target);
	char *text = lg_xasprintf("A file of class %s would ship to target %s, which denies it",
				  class_name, target);
	char *full = lg_xasprintf("licgate classified a file of the image as %s (by its SPDX tags, "
				  "its REUSE sidecar, its package's declared license, its text or its "
				  "path), and the rules deny that class for target %s.  The result's "
				  "properties name the evidence, the layer and the rule.",
				  class_name, target);
	json_t *rule = json_pack("{s:s,s:{s:s},s:{s:s},s:{s:s},s:{s:s},s:{s:[s,s],s:s,s:s}}",
		"id", id,
		"shortDescription", "text", text,
		"fullDescription", "text", full,
		"help", "text", full,
		"defaultConfiguration", "level", "error",
		"properties", "tags", "license", "licgate", "precision", "high",
			      "problem.severity", "error");
	char *name = lg_xasprintf("Deny%s", class_name);
	json_object_set_new(rule, "name", lg_report_jstr(name));
	free(name);
	json_array_append_new(sr->rules, rule);
	free(id);
	free(text);
	free(full);
	return i;
}

static void *sarif_begin(const lg_report_ctx *ctx, FILE *out)
{
	sarif *sr = lg_xcalloc(1, sizeof(*sr));
	sr->ctx = ctx;
	sr->s = ctx->s;
	sr->out = out;
	sr->rules = json_array();
	sr->results = lg_xcalloc(ctx->s->set->nimages, sizeof(json_t *));
	for (size_t i = 0; i < ctx->s->set->nimages; i++)
		sr->results[i] = json_array();
	return sr;
}

/* SHA-256 of what identifies a finding across scans, as GitHub writes it
 * ("HEX:1": the hash and the occurrence). */
static json_t *fingerprint(const char *rule, const char *platform, const lg_file *f)
{
	lg_hasher *h = lg_hasher_new(LG_SHA256);
	lg_hasher_update(h, rule, strlen(rule) + 1);
	lg_hasher_update(h, platform, strlen(platform) + 1);
	lg_hasher_update(h, f->path, f->len);
	char out[sizeof(((lg_digest *)0)->str)];
	lg_hasher_final(h, out);
	lg_hasher_free(h);
	return json_sprintf("%.32s:1", out + 7);
}

/* The license files behind the verdict (license-file evidence), as
 * related locations: the line of the license file that says it. */
static json_t *related(const lg_classification *c)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < c->nevidence; i++) {
		const lg_evidence *e = &c->evidence[i];
		if (e->kind != LG_EV_LICFILE || !e->source)
			continue;
		if (e->target) /* a symlink: it, then the file with the text */
			json_array_append_new(arr, json_pack("{s:I,s:{s:{s:o}},s:{s:s}}",
				"id", (json_int_t)json_array_size(arr),
				"physicalLocation", "artifactLocation", "uri",
				image_uri(e->source, e->source_len),
				"message", "text", "license file (a symlink)"));
		const char *file = e->target ? e->target : e->source;
		size_t len = e->target ? e->target_len : e->source_len;
		json_t *loc = json_pack("{s:I,s:{s:{s:o}},s:{s:s}}",
			"id", (json_int_t)json_array_size(arr),
			"physicalLocation", "artifactLocation", "uri", image_uri(file, len),
			"message", "text", e->target ? "license text" : "license file");
		if (e->line)
			json_object_set_new(json_object_get(loc, "physicalLocation"), "region",
					    json_pack("{s:I}", "startLine", (json_int_t)e->line));
		json_array_append_new(arr, loc);
	}
	return arr;
}

static void sarif_file(void *st, const lg_finding *f, const lg_classification *c)
{
	sarif *sr = st;
	if (c->outcome != LG_OUT_DENY)
		return;
	const char *cls = lg_report_class(c);
	size_t ri = rule_index(sr, cls);
	char *id = rule_id(cls);
	char plat[200];
	lg_platform_string(&f->image->image->platform, plat, sizeof(plat));
	lg_buf *b = &sr->scratch;
	lg_buf_reset(b);
	lg_buf_append(b, "image@", 6);
	lg_buf_append(b, f->layer->desc->digest.str, strlen(f->layer->desc->digest.str));
	lg_buf_putc(b, ':');
	lg_buf_append(b, f->file->path, f->file->len);
	json_t *logical = lg_report_jbytes(b->data, b->len);
	lg_buf_reset(b);
	lg_buf_append(b, f->file->path, f->file->len);
	lg_buf_appendf(b, " is of class %s, denied for target %s: ", cls,
		       lg_target_name(sr->s->opts->target));
	lg_report_evidence_all(b, c);
	json_t *message = lg_report_jbytes(b->data, b->len);
	json_t *evidence = json_array();
	for (size_t i = 0; i < c->nevidence; i++) {
		lg_buf_reset(b);
		lg_report_evidence(b, &c->evidence[i]);
		json_array_append_new(evidence, lg_report_jbytes(b->data, b->len));
	}
	json_int_t line = (json_int_t)lg_report_line(c);
	json_t *result = json_pack(
		"{s:s,s:I,s:s,s:{s:o},s:[{s:{s:{s:o},s:{s:I,s:i,s:I,s:i}},s:[{s:o,s:s}]}],"
		"s:{s:o},s:{s:s,s:I,s:s,s:s,s:o,s:o,s:o,s:I,s:o}}",
		"ruleId", id,
		"ruleIndex", (json_int_t)ri,
		"level", "error",
		"message", "text", message,
		"locations",
		  "physicalLocation", "artifactLocation", "uri", image_uri(f->file->path, f->file->len),
		    "region", "startLine", line, "startColumn", 1, "endLine", line, "endColumn", 1,
		  "logicalLocations", "fullyQualifiedName", logical, "kind", "resource",
		"partialFingerprints", "primaryLocationLineHash", fingerprint(id, plat, f->file),
		"properties",
		  "class", cls,
		  "layer", (json_int_t)(f->pos + 1),
		  "layerDigest", f->layer->desc->digest.str,
		  "manifest", f->image->image->digest.str,
		  "platform", plat[0] ? lg_report_jstr(plat) : json_null(),
		  "deletedBy", f->deleted_by ? json_integer(f->deleted_by) : json_null(),
		  "path", lg_report_jbytes(f->file->path, f->file->len),
		  "size", (json_int_t)f->file->size,
		  "evidence", evidence);
	json_t *rel = related(c);
	if (json_array_size(rel))
		json_object_set(result, "relatedLocations", rel);
	json_decref(rel);
	free(id);
	size_t img = (size_t)(f->image - sr->s->images);
	json_array_append_new(sr->results[img], result);
}

static json_t *run(sarif *sr, size_t img, size_t cap)
{
	const lg_scan *s = sr->s;
	const lg_image *im = s->images[img].image;
	json_t *all = sr->results[img];
	size_t n = json_array_size(all), keep = n < cap ? n : cap;
	json_t *results = json_array();
	for (size_t i = 0; i < keep; i++)
		json_array_append(results, json_array_get(all, i));
	char plat[200];
	lg_platform_string(&im->platform, plat, sizeof(plat));
	const char *target = lg_target_name(s->opts->target);
	char *automation = lg_xasprintf("licgate/%s/%s/", target, plat[0] ? plat : im->digest.str);
	json_t *notes = json_array();
	if (keep < n) {
		char *text = lg_xasprintf("%zu of %zu results left out: GitHub code scanning takes "
					  "at most %d results per run and %u bytes of gzipped SARIF; "
					  "the first %zu in report order are kept (licgate's json report "
					  "lists them all)", n - keep, n, LG_SARIF_MAX_RESULTS,
					  LG_SARIF_MAX_GZIP, keep);
		json_array_append_new(notes, json_pack("{s:{s:s},s:s}", "message", "text", text,
						       "level", "warning"));
		free(text);
	}
	json_t *r = json_pack(
		"{s:{s:{s:s,s:s,s:s,s:O}},s:{s:o},s:[{s:b,s:o}],s:o,"
		"s:{s:s,s:o,s:o,s:o,s:s,s:o,s:s,s:s,s:I}}",
		"tool", "driver", "name", "licgate", "version", LICGATE_VERSION,
			"semanticVersion", LICGATE_VERSION,
			"rules", sr->rules,
		"automationDetails", "id", lg_report_jstr(automation),
		"invocations", "executionSuccessful", true, "toolExecutionNotifications", notes,
		"results", results,
		"properties",
		  "manifest", im->digest.str,
		  "ref", lg_report_jstr(im->ref),
		  "platform", plat[0] ? lg_report_jstr(plat) : json_null(),
		  "image", lg_report_jstr(s->opts->image),
		  "target", target,
		  "rules", lg_report_jstr(lg_rules_name(s->opts->rules)),
		  "rulesDigest", lg_rules_digest(s->opts->rules),
		  "verdict", lg_report_verdict(sr->ctx),
		  "omittedResults", (json_int_t)(n - keep));
	free(automation);
	return r;
}

static json_t *document(sarif *sr, size_t cap)
{
	json_t *runs = json_array();
	for (size_t i = 0; i < sr->s->set->nimages; i++)
		json_array_append_new(runs, run(sr, i, cap));
	return json_pack("{s:s,s:s,s:o}",
			 "$schema", "https://json.schemastore.org/sarif-2.1.0.json",
			 "version", "2.1.0", "runs", runs);
}

/* Bytes of data gzipped (ISA-L level 1: no smaller than gzip -6 makes it,
 * so a document that fits here fits GitHub's limit). */
static size_t gzip_size(const char *data, size_t len)
{
	struct isal_zstream z;
	isal_deflate_init(&z);
	z.level = 1;
	z.level_buf_size = ISAL_DEF_LVL1_DEFAULT;
	z.level_buf = lg_xmalloc(z.level_buf_size);
	z.gzip_flag = IGZIP_GZIP;
	z.next_in = (uint8_t *)data;
	z.avail_in = (uint32_t)len;
	z.end_of_stream = 1;
	z.flush = NO_FLUSH;
	uint8_t out[64 * 1024];
	size_t total = 0;
	do {
		z.next_out = out;
		z.avail_out = sizeof(out);
		if (isal_deflate(&z) != COMP_OK) {
			total = SIZE_MAX;
			break;
		}
		total += sizeof(out) - z.avail_out;
	} while (z.internal_state.state != ZSTATE_END);
	free(z.level_buf);
	return total;
}

/* The document as it will be written (escape.h's JSON: DEL and C1 as \u
 * escapes too), to measure it; NULL when it cannot be built. */
static char *dump(const json_t *doc)
{
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	if (!mem)
		return NULL;
	int r = lg_escape_json_dumpf(doc, mem, JSON_INDENT(2));
	if (fclose(mem) != 0 || r < 0) {
		free(text);
		return NULL;
	}
	return text;
}

static void sarif_end(void *st)
{
	sarif *sr = st;
	size_t cap = LG_SARIF_MAX_RESULTS;
	json_t *doc;
	char *text;
	for (;;) {
		doc = document(sr, cap);
		text = dump(doc);
		if (!text) {
			fputs("licgate: internal error: cannot build the SARIF report\n", stderr);
			exit(2);
		}
		if (cap == 0 || gzip_size(text, strlen(text)) <= LG_SARIF_MAX_GZIP)
			break;
		free(text);
		json_decref(doc);
		cap /= 2;
	}
	fputs(text, sr->out);
	fputc('\n', sr->out);
	free(text);
	json_decref(doc);
	for (size_t i = 0; i < sr->s->set->nimages; i++)
		json_decref(sr->results[i]);
	free(sr->results);
	json_decref(sr->rules);
	lg_buf_free(&sr->scratch);
	free(sr);
}

const lg_report_writer lg_report_sarif = {
	.name = "sarif",
	.help = "SARIF 2.1.0 for GitHub code scanning: one result per violation",
	.begin = sarif_begin,
	.file = sarif_file,
	.end = sarif_end,
};
