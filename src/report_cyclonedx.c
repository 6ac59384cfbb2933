/* report_cyclonedx.c - see report_cyclonedx.h */
#include "report_cyclonedx.h"

#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "report_sbom.h"
#include "spdx_ids.h"
#include "util.h"

typedef struct cdx {
	const lg_report_ctx *ctx;
	FILE *out;
	size_t ncomponents;
	lg_sbom_refs refs;
	lg_buf expr;
	json_t *declared; /* scratch: the current file's declared licenses */
} cdx;

static json_t *prop(const char *name, json_t *value)
{
	return json_pack("{s:s,s:o}", "name", name, "value", value);
}

static json_t *image_component(const lg_scan *s, size_t i)
{
	const lg_image *im = s->images[i].image;
	char plat[200], ref[32];
	lg_platform_string(&im->platform, plat, sizeof(plat));
	snprintf(ref, sizeof(ref), "image-%zu", i + 1);
	json_t *props = json_array();
	json_array_append_new(props, prop("licgate:manifest", json_string(im->digest.str)));
	json_array_append_new(props, prop("licgate:config", json_string(im->config.str)));
	if (plat[0])
		json_array_append_new(props, prop("licgate:platform", lg_report_jstr(plat)));
	return json_pack("{s:s,s:s,s:o,s:s,s:o}",
			 "type", "container",
			 "bom-ref", ref,
			 "name", lg_report_jstr(im->ref ? im->ref : s->opts->image),
			 "version", im->digest.str,
			 "properties", props);
}

static void put_header(cdx *x)
{
	const lg_scan *s = x->ctx->s;
	const lg_scan_options *o = s->opts;
	char created[21], uuid[37];
	lg_sbom_created(created);
	lg_buf seed = LG_BUF_INIT;
	lg_buf_appendf(&seed, "cyclonedx\n%s\n%s\n%s\n%s\n", LICGATE_VERSION, lg_rules_digest(o->rules),
		       lg_target_name(o->target), created);
	for (size_t i = 0; i < s->set->nimages; i++)
		lg_buf_appendf(&seed, "%s\n", s->images[i].image->digest.str);
	lg_sbom_uuid(seed.data, uuid);
	lg_buf_free(&seed);
	json_t *component = s->set->nimages == 1 ? image_component(s, 0)
		: json_pack("{s:s,s:s,s:o}", "type", "container", "bom-ref", "image",
			    "name", lg_report_jstr(o->image));
	json_t *props = json_pack("[{s:s,s:o},{s:s,s:s},{s:s,s:o},{s:s,s:s},{s:s,s:s}]",
		"name", "licgate:rules", "value", lg_report_jstr(lg_rules_name(o->rules)),
		"name", "licgate:rules-digest", "value", lg_rules_digest(o->rules),
		"name", "licgate:target", "value", lg_report_jstr(lg_target_name(o->target)),
		"name", "licgate:verdict", "value", lg_report_verdict(x->ctx),
		"name", "licgate:spdx-license-list", "value", lg_spdx_list_version());
	json_t *meta = json_pack("{s:s,s:{s:[{s:s,s:s,s:s}]},s:o,s:o}",
		"timestamp", created,
		"tools", "components", "type", "application", "name", "licgate",
			  "version", LICGATE_VERSION,
		"component", component,
		"properties", props);
	fprintf(x->out, "{\n  \"bomFormat\": \"CycloneDX\",\n  \"specVersion\": \"1.6\",\n"
		"  \"serialNumber\": \"urn:uuid:%s\",\n  \"version\": 1,\n  \"metadata\": ", uuid);
	lg_escape_json_dumpf(meta, x->out, JSON_COMPACT);
	fputs(",\n  \"components\": [", x->out);
	json_decref(meta);
	for (size_t i = 0; s->set->nimages > 1 && i < s->set->nimages; i++) {
		json_t *c = image_component(s, i);
		fprintf(x->out, "%s\n    ", x->ncomponents++ ? "," : "");
		lg_escape_json_dumpf(c, x->out, JSON_COMPACT);
		json_decref(c);
	}
}

static void *cdx_begin(const lg_report_ctx *ctx, FILE *out)
{
	cdx *x = lg_xcalloc(1, sizeof(*x));
	x->ctx = ctx;
	x->out = out;
	put_header(x);
	return x;
}

static void add_declared(void *ud, const char *id)
{
	json_t *lic = strncmp(id, "LicenseRef-", 11) == 0
			      ? json_pack("{s:s,s:s}", "name", id, "acknowledgement", "declared")
			      : json_pack("{s:s,s:s}", "id", id, "acknowledgement", "declared");
	json_array_append_new(ud, json_pack("{s:o}", "license", lic));
}

static const char *verdict(enum lg_outcome o)
{
	return o == LG_OUT_DENY ? "deny" : o == LG_OUT_WARN ? "warn"
		: o == LG_OUT_EXEMPT ? "exempt" : "pass";
}

static void cdx_file(void *st, const lg_finding *f, const lg_classification *c)
{
	cdx *x = st;
	const lg_scan *s = x->ctx->s;
	const lg_layer *l = f->layer->layer;
	if (!l->hashes) {
		fputs("licgate: internal error: the walk computed no file hashes\n", stderr);
		exit(2);
	}
	const lg_file_hashes *h = &l->hashes[f->index];
	char sha1[41], sha256[65], ref[96];
	lg_report_hex(h->sha1, sizeof(h->sha1), sha1);
	lg_report_hex(h->sha256, sizeof(h->sha256), sha256);
	size_t img = (size_t)(f->image - s->images);
	snprintf(ref, sizeof(ref), "file-%zu-%zu-%zu", img + 1, f->pos + 1, f->index + 1);

	json_t *licenses = json_array();
	lg_buf_reset(&x->expr);
	if (lg_sbom_concluded(c, &x->refs, &x->expr))
		json_array_append_new(licenses, json_pack("{s:s,s:s}", "expression", x->expr.data,
							  "acknowledgement", "concluded"));
	else
		lg_sbom_declared(l, f->file, &x->refs, add_declared, licenses);

	json_t *props = json_array();
	json_array_append_new(props, prop("licgate:layer", json_sprintf("%zu", f->pos + 1)));
	json_array_append_new(props, prop("licgate:layer-digest", json_string(f->layer->desc->digest.str)));
	json_array_append_new(props, prop("licgate:manifest", json_string(f->image->image->digest.str)));
	json_array_append_new(props, prop("licgate:class", json_string(lg_report_class(c))));
	json_array_append_new(props, prop("licgate:verdict", json_string(verdict(c->outcome))));
	if (f->deleted_by)
		json_array_append_new(props, prop("licgate:deleted-by", json_sprintf("%u", f->deleted_by)));
	lg_buf ev = LG_BUF_INIT;
	lg_report_evidence_all(&ev, c);
	json_array_append_new(props, prop("licgate:evidence", lg_report_jbytes(ev.data, ev.len)));
	lg_buf_free(&ev);

	json_t *j = json_pack("{s:s,s:s,s:o,s:[{s:s,s:s},{s:s,s:s}],s:o}",
		"type", "file",
		"bom-ref", ref,
		"name", lg_report_jbytes(f->file->path, f->file->len),
		"hashes", "alg", "SHA-1", "content", sha1, "alg", "SHA-256", "content", sha256,
		"properties", props);
	if (json_array_size(licenses))
		json_object_set_new(j, "licenses", licenses);
	else
		json_decref(licenses);
	fprintf(x->out, "%s\n    ", x->ncomponents++ ? "," : "");
	lg_escape_json_dumpf(j, x->out, JSON_COMPACT);
	json_decref(j);
}

static void cdx_end(void *st)
{
	cdx *x = st;
	fputs("\n  ]\n}\n", x->out);
	lg_sbom_refs_free(&x->refs);
	lg_buf_free(&x->expr);
	free(x);
}

const lg_report_writer lg_report_cyclonedx = {
	.name = "cyclonedx-json",
	.help = "CycloneDX 1.6 JSON: every file with its hashes and licenses",
	.needs = LG_REPORT_EVERY_FILE | LG_REPORT_FILE_HASHES,
	.begin = cdx_begin,
	.file = cdx_file,
	.end = cdx_end,
};
