/* report_intoto.c - see report_intoto.h */
#include "report_intoto.h"

#include <stdlib.h>
#include <string.h>

#include "blob.h"
#include "escape.h"
#include "spdx_ids.h"
#include "util.h"

typedef struct intoto {
	const lg_report_ctx *ctx;
	FILE *out;
	json_t *failed, *warned;
	lg_buf line;
} intoto;

static void *intoto_begin(const lg_report_ctx *ctx, FILE *out)
{
	intoto *t = lg_xcalloc(1, sizeof(*t));
	t->ctx = ctx;
	t->out = out;
	t->failed = json_array();
	t->warned = json_array();
	return t;
}

static void intoto_file(void *st, const lg_finding *f, const lg_classification *c)
{
	intoto *t = st;
	json_t *arr = c->outcome == LG_OUT_DENY ? t->failed
		    : c->outcome == LG_OUT_WARN ? t->warned : NULL;
	if (!arr)
		return;
	lg_buf *b = &t->line;
	lg_buf_reset(b);
	lg_buf_append(b, f->file->path, f->file->len);
	lg_buf_appendf(b, ": %s, layer %zu (%s)", lg_report_class(c), f->pos + 1,
		       f->layer->desc->digest.str);
	if (f->deleted_by)
		lg_buf_appendf(b, ", deleted by layer %u", f->deleted_by);
	if (t->ctx->s->set->nimages > 1)
		lg_buf_appendf(b, ", manifest %s", f->image->image->digest.str);
	lg_buf_append(b, ": ", 2);
	lg_report_evidence_all(b, c);
	json_array_append_new(arr, lg_report_jbytes(b->data, b->len));
}

/* "sha256:HEX" as {"sha256": "HEX"}. */
static json_t *digest_set(const char *digest)
{
	const char *colon = strchr(digest, ':');
	json_t *j = json_object();
	char alg[16];
	snprintf(alg, sizeof(alg), "%.*s", colon ? (int)(colon - digest) : 0, digest);
	json_object_set_new(j, alg, json_string(colon ? colon + 1 : digest));
	return j;
}

static void intoto_end(void *st)
{
	intoto *t = st;
	const lg_scan *s = t->ctx->s;
	const lg_scan_options *o = s->opts;
	json_t *subjects = json_array();
	json_t *counts = json_object();
	json_t *passed = json_array();
	for (size_t i = 0; i < s->set->nimages; i++) {
		const lg_image *im = s->images[i].image;
		json_array_append_new(subjects, json_pack("{s:o,s:o}",
			"name", lg_report_jstr(im->ref ? im->ref : o->image),
			"digest", digest_set(im->digest.str)));
		lg_class_count *cc;
		size_t n = lg_report_class_counts(s, &s->images[i], &cc);
		for (size_t k = 0; k < n; k++) {
			json_t *have = json_object_get(counts, cc[k].name);
			size_t before = have ? (size_t)json_integer_value(have) : 0;
			json_object_set_new(counts, cc[k].name, json_integer((json_int_t)(before + cc[k].files)));
			if (!cc[k].denied && i == 0) {
				char *line = lg_xasprintf("class %s: %zu file%s", cc[k].name, cc[k].files,
							  cc[k].files == 1 ? "" : "s");
				json_array_append_new(passed, json_string(line));
				free(line);
			}
		}
		free(cc);
	}
	const char *result = t->ctx->sum.violations ? "FAILED"
			   : t->ctx->sum.warnings ? "WARNED" : "PASSED";
	char *counts_s = json_dumps(counts, JSON_COMPACT | JSON_SORT_KEYS);
	json_t *config = json_pack("{s:o,s:o,s:{s:o,s:s,s:s,s:s,s:s}}",
		"name", lg_report_jstr(lg_rules_name(o->rules)),
		"digest", digest_set(lg_rules_digest(o->rules)),
		"annotations",
		  "target", lg_report_jstr(lg_target_name(o->target)),
		  "licgate", LICGATE_VERSION,
		  "spdxLicenseList", lg_spdx_list_version(),
		  "verdict", lg_report_verdict(t->ctx),
		  "filesPerClass", counts_s ? counts_s : "{}");
	json_t *doc = json_pack("{s:s,s:o,s:s,s:{s:s,s:[o],s:o,s:o,s:o}}",
		"_type", "https://in-toto.io/Statement/v1",
		"subject", subjects,
		"predicateType", "https://in-toto.io/attestation/test-result/v0.1",
		"predicate",
		  "result", result,
		  "configuration", config,
		  "passedTests", passed,
		  "warnedTests", t->warned,
		  "failedTests", t->failed);
	free(counts_s);
	json_decref(counts);
	if (!doc) {
		fputs("licgate: internal error: cannot build the in-toto statement\n", stderr);
		exit(2);
	}
	lg_escape_json_dumpf(doc, t->out, JSON_INDENT(2));
	fputc('\n', t->out);
	json_decref(doc);
	lg_buf_free(&t->line);
	free(t);
}

const lg_report_writer lg_report_intoto = {
	.name = "in-toto",
	.help = "an in-toto Statement v1 (test-result predicate) for cosign attest",
	.begin = intoto_begin,
	.file = intoto_file,
	.end = intoto_end,
};
