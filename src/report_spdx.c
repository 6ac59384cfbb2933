/* report_spdx.c - see report_spdx.h */
#include "report_spdx.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/sha.h>

#include "blob.h"
#include "escape.h"
#include "report_sbom.h"
#include "util.h"

typedef struct spdx {
	const lg_report_ctx *ctx;
	FILE *out;
	size_t nfiles;      /* written so far */
	lg_buf *sha1s;      /* per image: 40 hex digits per file */
	lg_sbom_refs refs;
	lg_buf expr, text;
} spdx;

/* "key": value, for the document's top level (value consumed). */
static void put_kv(FILE *out, const char *key, json_t *v, bool last)
{
	fprintf(out, "  \"%s\": ", key);
	lg_escape_json_dumpf(v, out, JSON_COMPACT | JSON_ENCODE_ANY);
	fputs(last ? "\n" : ",\n", out);
	json_decref(v);
}

/* The document's namespace and name come from what it describes. */
static void put_header(spdx *d)
{
	const lg_scan *s = d->ctx->s;
	const lg_scan_options *o = s->opts;
	char created[21];
	lg_sbom_created(created);
	lg_buf seed = LG_BUF_INIT;
	lg_buf_appendf(&seed, "%s\n%s\n%s\n%s\n", LICGATE_VERSION, lg_rules_digest(o->rules),
		       lg_target_name(o->target), created);
	for (size_t i = 0; i < s->set->nimages; i++)
		lg_buf_appendf(&seed, "%s\n", s->images[i].image->digest.str);
	char uuid[37];
	lg_sbom_uuid(seed.data, uuid);
	lg_buf_free(&seed);
	char *name = lg_xasprintf("licgate %s", o->image);
	char *ns = lg_xasprintf("https://spdx.org/spdxdocs/licgate-%s", uuid);
	char *tool = lg_xasprintf("Tool: licgate-%s", LICGATE_VERSION);
	char *comment = lg_xasprintf("Every regular file of every layer, deleted ones included, "
				     "classified by licgate with rules %s (%s) for target %s.",
				     lg_rules_name(o->rules), lg_rules_digest(o->rules),
				     lg_target_name(o->target));
	fputs("{\n", d->out);
	put_kv(d->out, "spdxVersion", json_string("SPDX-2.3"), false);
	put_kv(d->out, "dataLicense", json_string("CC0-1.0"), false);
	put_kv(d->out, "SPDXID", json_string("SPDXRef-DOCUMENT"), false);
	put_kv(d->out, "name", lg_report_jstr(name), false);
	put_kv(d->out, "documentNamespace", json_string(ns), false);
	put_kv(d->out, "comment", lg_report_jstr(comment), false);
	put_kv(d->out, "creationInfo", json_pack("{s:s,s:[s]}", "created", created,
						 "creators", tool), false);
	fputs("  \"files\": [", d->out);
	free(name);
	free(ns);
	free(tool);
	free(comment);
}

static void *spdx_begin(const lg_report_ctx *ctx, FILE *out)
{
	spdx *d = lg_xcalloc(1, sizeof(*d));
	d->ctx = ctx;
	d->out = out;
	d->sha1s = lg_xcalloc(ctx->s->set->nimages, sizeof(lg_buf));
	put_header(d);
	return d;
}

static char *file_id(const lg_scan *s, const lg_scanned_image *si, size_t pos, size_t idx)
{
	return lg_xasprintf("SPDXRef-File-%zu-%zu-%zu", (size_t)(si - s->images) + 1, pos + 1, idx + 1);
}

static void add_declared(void *ud, const char *id)
{
	json_array_append_new(ud, json_string(id));
}

static void spdx_file(void *st, const lg_finding *f, const lg_classification *c)
{
	spdx *d = st;
	const lg_scan *s = d->ctx->s;
	const lg_layer *l = f->layer->layer;
	if (!l->hashes) {
		fputs("licgate: internal error: the walk computed no file hashes\n", stderr);
		exit(2);
	}
	const lg_file_hashes *h = &l->hashes[f->index];
	char sha1[41], sha256[65];
	lg_report_hex(h->sha1, sizeof(h->sha1), sha1);
	lg_report_hex(h->sha256, sizeof(h->sha256), sha256);
	size_t img = (size_t)(f->image - s->images);
	lg_buf_append(&d->sha1s[img], sha1, 40);

	lg_buf_reset(&d->expr);
	bool concluded = lg_sbom_concluded(c, &d->refs, &d->expr);
	json_t *declared = json_array();
	if (!lg_sbom_declared(l, f->file, &d->refs, add_declared, declared))
		json_array_append_new(declared, json_string("NOASSERTION"));

	lg_buf *t = &d->text;
	lg_buf_reset(t);
	lg_buf_appendf(t, "layer %zu (%s) of manifest %s; licgate class %s, outcome %s",
		       f->pos + 1, f->layer->desc->digest.str, f->image->image->digest.str,
		       lg_report_class(c), lg_outcome_name(c->outcome));
	if (f->deleted_by)
		lg_buf_appendf(t, "; deleted by layer %u, but its bytes ship in this layer",
			       f->deleted_by);
	lg_buf_append(t, "; evidence: ", 12);
	lg_report_evidence_all(t, c);

	lg_buf name = LG_BUF_INIT;
	lg_buf_append(&name, ".", 1);
	lg_buf_append(&name, f->file->path, f->file->len);
	char *id = file_id(s, f->image, f->pos, f->index);
	json_t *j = json_pack("{s:s,s:o,s:[{s:s,s:s},{s:s,s:s}],s:s,s:o,s:s,s:o}",
		"SPDXID", id,
		"fileName", lg_report_jbytes(name.data, name.len),
		"checksums", "algorithm", "SHA1", "checksumValue", sha1,
			     "algorithm", "SHA256", "checksumValue", sha256,
		"licenseConcluded", concluded ? d->expr.data : "NOASSERTION",
		"licenseInfoInFiles", declared,
		"copyrightText", "NOASSERTION",
		"comment", lg_report_jbytes(t->data, t->len));
	fprintf(d->out, "%s\n    ", d->nfiles++ ? "," : "");
	lg_escape_json_dumpf(j, d->out, JSON_COMPACT);
	json_decref(j);
	free(id);
	lg_buf_free(&name);
}

static int by_string(const void *a, const void *b)
{
	return memcmp(a, b, 40);
}

/* SPDX 2.3 clause 7.9: the SHA-1 of the sorted, concatenated SHA-1s of the
 * package's files. */
static void verification_code(lg_buf *sha1s, char out[41])
{
	qsort(sha1s->data, sha1s->len / 40, 40, by_string);
	unsigned char md[20];
	SHA1((const unsigned char *)(sha1s->data ? sha1s->data : ""), sha1s->len, md);
	lg_report_hex(md, sizeof(md), out);
}

/* A purl component: bytes outside [A-Za-z0-9.-_~] percent-encoded. */
static void purl_encode(lg_buf *b, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    *p == '.' || *p == '-' || *p == '_' || *p == '~')
			lg_buf_putc(b, (char)*p);
		else
			lg_buf_appendf(b, "%%%02X", *p);
	}
}

/* pkg:oci/NAME@DIGEST?arch=..&os=.. (NAME: the last segment of the ref or
 * of the IMAGE argument, lower case, percent-encoded). */
static char *purl(const lg_scan *s, const lg_image *im)
{
	const char *src = im->ref ? im->ref : s->opts->image;
	const char *slash = strrchr(src, '/');
	if (slash && slash[1])
		src = slash + 1;
	lg_buf b = LG_BUF_INIT;
	lg_buf_append(&b, "pkg:oci/", 8);
	for (const char *p = src; *p && *p != ':' && *p != '@'; p++) {
		unsigned char c = (unsigned char)*p;
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_')
			lg_buf_putc(&b, (char)c);
		else
			lg_buf_appendf(&b, "%%%02X", c);
	}
	if (b.len == 8)
		lg_buf_append(&b, "image", 5);
	const char *colon = strchr(im->digest.str, ':');
	lg_buf_appendf(&b, "@%.*s%%3A%s", (int)(colon - im->digest.str), im->digest.str, colon + 1);
	if (im->platform.architecture && im->platform.os) {
		lg_buf_append(&b, "?arch=", 6);
		purl_encode(&b, im->platform.architecture);
		lg_buf_append(&b, "&os=", 4);
		purl_encode(&b, im->platform.os);
	}
	return lg_buf_steal(&b);
}

static void put_packages(spdx *d)
{
	const lg_scan *s = d->ctx->s;
	fputs("\n  ],\n  \"packages\": [", d->out);
	for (size_t i = 0; i < s->set->nimages; i++) {
		const lg_image *im = s->images[i].image;
		char code[41], plat[200], id[64];
		verification_code(&d->sha1s[i], code);
		lg_platform_string(&im->platform, plat, sizeof(plat));
		snprintf(id, sizeof(id), "SPDXRef-Image-%zu", i + 1);
		char *p = purl(s, im);
		char *comment = lg_xasprintf("image %s%s%s, config %s, %zu layers; licgate verdict %s "
					     "for target %s", im->digest.str, plat[0] ? ", " : "",
					     plat, im->config.str, im->nlayers,
					     lg_report_verdict(d->ctx), lg_target_name(s->opts->target));
		json_t *j = json_pack("{s:s,s:o,s:s,s:s,s:b,s:{s:s},s:s,s:s,s:s,s:s,"
				      "s:[{s:s,s:s,s:s}],s:o}",
			"SPDXID", id,
			"name", lg_report_jstr(im->ref ? im->ref : s->opts->image),
			"versionInfo", im->digest.str,
			"downloadLocation", "NOASSERTION",
			"filesAnalyzed", true,
			"packageVerificationCode", "packageVerificationCodeValue", code,
			"licenseConcluded", "NOASSERTION",
			"licenseDeclared", "NOASSERTION",
			"copyrightText", "NOASSERTION",
			"primaryPackagePurpose", "CONTAINER",
			"externalRefs", "referenceCategory", "PACKAGE-MANAGER",
					"referenceType", "purl", "referenceLocator", p,
			"comment", lg_report_jstr(comment));
		fprintf(d->out, "%s\n    ", i ? "," : "");
		lg_escape_json_dumpf(j, d->out, JSON_COMPACT);
		json_decref(j);
		free(p);
		free(comment);
	}
	fputs("\n  ],\n", d->out);
}

/* DESCRIBES each image, each image CONTAINS its files: from the indexes
 * alone, streamed. */
static void put_relationships(spdx *d)
{
	const lg_scan *s = d->ctx->s;
	fputs("  \"relationships\": [", d->out);
	size_t n = 0;
	for (size_t i = 0; i < s->set->nimages; i++)
		fprintf(d->out, "%s\n    {\"spdxElementId\":\"SPDXRef-DOCUMENT\",\"relationshipType\":"
			"\"DESCRIBES\",\"relatedSpdxElement\":\"SPDXRef-Image-%zu\"}", n++ ? "," : "",
			i + 1);
	for (size_t i = 0; i < s->set->nimages; i++) {
		const lg_scanned_image *si = &s->images[i];
		for (size_t pos = 0; pos < si->image->nlayers; pos++) {
			const lg_layer *l = s->layers[si->layer_ids[pos]].layer;
			for (size_t f = 0; f < l->nfiles; f++)
				fprintf(d->out, ",\n    {\"spdxElementId\":\"SPDXRef-Image-%zu\","
					"\"relationshipType\":\"CONTAINS\",\"relatedSpdxElement\":"
					"\"SPDXRef-File-%zu-%zu-%zu\"}", i + 1, i + 1, pos + 1, f + 1);
		}
	}
	fputs("\n  ]", d->out);
}

static void spdx_end(void *st)
{
	spdx *d = st;
	put_packages(d);
	put_relationships(d);
	if (d->refs.n) {
		json_t *infos = json_array();
		for (size_t i = 0; i < d->refs.n; i++)
			json_array_append_new(infos, json_pack("{s:s,s:s,s:s}",
				"licenseId", d->refs.refs[i].id,
				"extractedText", d->refs.refs[i].text,
				"name", d->refs.refs[i].id + 11));
		fputs(",\n", d->out);
		put_kv(d->out, "hasExtractedLicensingInfos", infos, true);
	} else {
		fputc('\n', d->out);
	}
	fputs("}\n", d->out);
	for (size_t i = 0; i < d->ctx->s->set->nimages; i++)
		lg_buf_free(&d->sha1s[i]);
	free(d->sha1s);
	lg_sbom_refs_free(&d->refs);
	lg_buf_free(&d->expr);
	lg_buf_free(&d->text);
	free(d);
}

const lg_report_writer lg_report_spdx = {
	.name = "spdx-json",
	.help = "SPDX 2.3 JSON: every file with its hashes and concluded license",
	.needs = LG_REPORT_EVERY_FILE | LG_REPORT_FILE_HASHES,
	.begin = spdx_begin,
	.file = spdx_file,
	.end = spdx_end,
};
