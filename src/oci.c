/* oci.c - see oci.h */
#include "oci.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "strmap.h"
#include "util.h"

#define MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MT_OCI_CONFIG "application/vnd.oci.image.config.v1+json"
#define MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define MT_DOCKER_CONFIG "application/vnd.docker.container.image.v1+json"
#define MT_DOCKER_SCHEMA1 "application/vnd.docker.distribution.manifest.v1+json"
#define MT_DOCKER_SCHEMA1_SIGNED "application/vnd.docker.distribution.manifest.v1+prettyjws"

static void json_freep(json_t **j)
{
	json_decref(*j);
}
#define cleanup_json __attribute__((cleanup(json_freep)))

/* Layer media types licgate reads, and how each is compressed. */
static const struct {
	const char *media_type;
	enum lg_compression compression;
} LAYER_TYPES[] = {
	{ "application/vnd.oci.image.layer.v1.tar", LG_COMP_NONE },
	{ "application/vnd.oci.image.layer.v1.tar+gzip", LG_COMP_GZIP },
	{ "application/vnd.oci.image.layer.v1.tar+zstd", LG_COMP_ZSTD },
	{ "application/vnd.oci.image.layer.nondistributable.v1.tar", LG_COMP_NONE },
	{ "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip", LG_COMP_GZIP },
	{ "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd", LG_COMP_ZSTD },
	{ "application/vnd.docker.image.rootfs.diff.tar.gzip", LG_COMP_DETECT },
	{ "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip", LG_COMP_DETECT },
};

typedef struct walk {
	lg_input *in;
	const lg_select *select;
	lg_image_set *set;
	const char *stack[LG_MAX_INDEX_DEPTH + 1]; /* digests of the open indexes */
	size_t depth;
	const char *ref; /* the ref name of the top-level descriptor being walked */
	lg_arena keys;  /* the digests in seen */
	lg_strmap seen; /* indexes and manifests already read: each once */
} walk;

/* ---- small JSON helpers -------------------------------------------- */

static const char *jstr(json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

static char *jdup(json_t *obj, const char *key)
{
	const char *s = jstr(obj, key);
	return s ? lg_xstrdup(s) : NULL;
}

static int parse_json(const char *text, size_t len, const char *what,
		      json_t **out, lg_error *err)
{
	json_error_t jerr;
	json_t *j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!j)
		return lg_err(err, "%s: invalid JSON at line %d: %s", what, jerr.line, jerr.text);
	if (!json_is_object(j)) {
		json_decref(j);
		return lg_err(err, "%s: not a JSON object", what);
	}
	*out = j;
	return 0;
}

/* Read, verify and parse the blob a descriptor points at. */
static int load_blob_json(walk *w, const lg_digest *d, int64_t size, size_t max,
			  json_t **out, lg_error *err)
{
	cleanup_free char *text = NULL;
	if (lg_blob_read_all(w->in, d, size, max, &text, err) < 0)
		return -1;
	return parse_json(text, (size_t)size, d->str, out, err);
}

/* The descriptor's digest and size, validated (digest form first). */
static int descriptor_target(json_t *desc, lg_digest *d, int64_t *size,
			     lg_error *err)
{
	if (lg_digest_parse(jstr(desc, "digest"), d, err) < 0)
		return -1;
	json_t *js = json_object_get(desc, "size");
	if (!json_is_integer(js) || json_integer_value(js) < 0)
		return lg_err(err, "%s: descriptor size missing or not a non-negative integer", d->str);
	*size = (int64_t)json_integer_value(js);
	return 0;
}

static void add_skipped_as(walk *w, const char *digest, const char *media_type,
			   const char *reason)
{
	lg_image_set *s = w->set;
	s->skipped = lg_xrealloc(s->skipped, (s->nskipped + 1) * sizeof(*s->skipped));
	lg_skipped *k = &s->skipped[s->nskipped++];
	k->digest = lg_xstrdup(digest ? digest : "");
	k->media_type = lg_xstrdup(media_type ? media_type : "");
	k->reason = lg_xstrdup(reason);
}

static void add_skipped(walk *w, json_t *desc, const char *media_type,
			const char *reason)
{
	add_skipped_as(w, jstr(desc, "digest"), media_type, reason);
}

/* ---- platforms ------------------------------------------------------ */

int lg_platform_filter_parse(const char *s, lg_platform_filter *out,
			     lg_error *err)
{
	memset(out, 0, sizeof(*out));
	char *fields[3] = { out->os, out->architecture, out->variant };
	size_t n = 0;
	const char *p = s;
	while (n < 3) {
		size_t len = strcspn(p, "/");
		if (len == 0 || len >= sizeof(out->os))
			break;
		memcpy(fields[n++], p, len);
		p += len;
		if (*p != '/')
			break;
		p++;
	}
	if (n < 2 || *p != '\0')
		return lg_err(err, "--platform %s: want OS/ARCH[/VARIANT], e.g. linux/arm64/v8", s);
	return 0;
}

static bool platform_matches(const lg_platform *p, const lg_platform_filter *f)
{
	if (!p->os || !p->architecture)
		return false;
	if (strcmp(p->os, f->os) != 0 || strcmp(p->architecture, f->architecture) != 0)
		return false;
	return f->variant[0] == '\0' || (p->variant && strcmp(p->variant, f->variant) == 0);
}

static bool selected(const walk *w, const lg_platform *p)
{
	if (w->select->nplatforms == 0)
		return true;
	for (size_t i = 0; i < w->select->nplatforms; i++)
		if (platform_matches(p, &w->select->platforms[i]))
			return true;
	return false;
}

/* A reference in Docker's normal form: "app" -> "docker.io/library/app:latest",
 * "ghcr.io/o/app" -> "ghcr.io/o/app:latest"; a digest reference keeps its
 * digest.  Written into out (size bytes). */
static void normalize_ref(const char *ref, lg_buf *out)
{
	const char *slash = strchr(ref, '/');
	const char *last = strrchr(ref, '/');
	bool has_domain = slash && (memchr(ref, '.', (size_t)(slash - ref)) ||
				    memchr(ref, ':', (size_t)(slash - ref)) ||
				    strncmp(ref, "localhost/", 10) == 0);
	const char *name_part = last ? last + 1 : ref;
	bool tagged = strchr(name_part, ':') || strchr(ref, '@');
	lg_buf_appendf(out, "%s%s%s%s", has_domain ? "" : "docker.io/",
		       !has_domain && !slash ? "library/" : "", ref, tagged ? "" : ":latest");
}

/* Does name (a ref.name annotation, an image name or a RepoTag) match a
 * --ref?  Equal as written, or equal once both are in Docker's normal
 * form ("app" matches "docker.io/library/app:latest"), however long. */
static bool ref_matches(const char *name, const char *ref)
{
	if (!name)
		return false;
	if (strcmp(name, ref) == 0)
		return true;
	lg_buf a = { 0 }, b = { 0 };
	normalize_ref(name, &a);
	normalize_ref(ref, &b);
	bool eq = a.len == b.len && memcmp(a.data, b.data, a.len) == 0;
	lg_buf_free(&a);
	lg_buf_free(&b);
	return eq;
}

static bool ref_selected(const walk *w, const char *const *names, size_t n)
{
	if (w->select->nrefs == 0)
		return true;
	for (size_t r = 0; r < w->select->nrefs; r++)
		for (size_t i = 0; i < n; i++)
			if (ref_matches(names[i], w->select->refs[r]))
				return true;
	return false;
}

static void platform_from(json_t *obj, lg_platform *p)
{
	p->os = jdup(obj, "os");
	p->architecture = jdup(obj, "architecture");
	p->variant = jdup(obj, "variant");
}

static void platform_free(lg_platform *p)
{
	free(p->os);
	free(p->architecture);
	free(p->variant);
}

const char *lg_platform_string(const lg_platform *p, char *buf, size_t size)
{
	if (!p->os || !p->architecture)
		snprintf(buf, size, "%s", "");
	else if (p->variant)
		snprintf(buf, size, "%s/%s/%s", p->os, p->architecture, p->variant);
	else
		snprintf(buf, size, "%s/%s", p->os, p->architecture);
	return buf;
}

/* ---- images --------------------------------------------------------- */

static void image_free(lg_image *img)
{
	free(img->media_type);
	free(img->ref);
	platform_free(&img->platform);
	for (size_t i = 0; i < img->nlayers; i++) {
		free(img->layers[i].media_type);
		free(img->layers[i].path);
		free(img->layers[i].created_by);
	}
	free(img->layers);
}

static void add_image(walk *w, lg_image *img)
{
	lg_image_set *s = w->set;
	s->images = lg_xrealloc(s->images, (s->nimages + 1) * sizeof(*s->images));
	s->images[s->nimages++] = *img;
}

static int layer_compression(const char *mt, enum lg_compression *out,
			     lg_error *err)
{
	if (!mt)
		return lg_err(err, "layer descriptor has no mediaType");
	for (size_t i = 0; i < LG_ARRAY_LEN(LAYER_TYPES); i++) {
		if (strcmp(mt, LAYER_TYPES[i].media_type) == 0) {
			*out = LAYER_TYPES[i].compression;
			return 0;
		}
	}
	size_t len = strlen(mt);
	if (len > 10 && strcmp(mt + len - 10, "+encrypted") == 0)
		return lg_err(err, "encrypted layer (%s): its content cannot be scanned", mt);
	return lg_err(err, "unsupported layer media type \"%s\"", mt);
}

/* The config's history lines for the layers (those not empty_layer, in
 * order), for the reports; nothing when they do not add up. */
static void load_history(json_t *config, lg_image *img)
{
	json_t *history = json_object_get(config, "history"), *h;
	size_t n = 0, i;
	json_array_foreach(history, i, h)
		n += !json_is_true(json_object_get(h, "empty_layer"));
	if (n != img->nlayers)
		return;
	n = 0;
	json_array_foreach(history, i, h) {
		if (json_is_true(json_object_get(h, "empty_layer")))
			continue;
		const char *by = json_string_value(json_object_get(h, "created_by"));
		img->layers[n++].created_by = by ? lg_xstrdup(by) : NULL;
	}
}

static int load_layers(json_t *manifest, json_t *config, lg_image *img,
		       lg_error *err)
{
	json_t *layers = json_object_get(manifest, "layers");
	json_t *diff_ids = json_object_get(json_object_get(config, "rootfs"), "diff_ids");
	if (!json_is_array(layers))
		return lg_err(err, "manifest has no \"layers\" array");
	if (!json_is_array(diff_ids))
		return lg_err(err, "config %s has no rootfs.diff_ids array", img->config.str);
	if (json_array_size(diff_ids) != json_array_size(layers))
		return lg_err(err, "manifest lists %zu layers but config %s has %zu diff_ids",
			      json_array_size(layers), img->config.str, json_array_size(diff_ids));
	img->layers = lg_xcalloc(json_array_size(layers), sizeof(*img->layers));
	size_t i;
	json_t *desc;
	json_array_foreach(layers, i, desc) {
		lg_layer_desc *l = &img->layers[i];
		img->nlayers = i + 1;
		l->media_type = jdup(desc, "mediaType");
		if (descriptor_target(desc, &l->digest, &l->size, err) < 0 ||
		    layer_compression(l->media_type, &l->compression, err) < 0)
			return lg_err_prefix(err, "layer %zu", i + 1);
		if (lg_digest_parse(json_string_value(json_array_get(diff_ids, i)),
				    &l->diff_id, err) < 0)
			return lg_err_prefix(err, "config %s: diff_ids[%zu]", img->config.str, i);
	}
	load_history(config, img);
	return 0;
}

static bool is_image_config(const char *mt)
{
	return mt && (strcmp(mt, MT_OCI_CONFIG) == 0 || strcmp(mt, MT_DOCKER_CONFIG) == 0);
}

/* Whether the document d was read before; marks it read.  Many paths of a
 * DAG of indexes may reach one document: it is read and walked once, so the
 * work is linear in the distinct documents, never in the paths. */
static bool seen_before(walk *w, const lg_digest *d)
{
	size_t len = strlen(d->str);
	if (lg_strmap_get(&w->seen, d->str, len))
		return true;
	bool created;
	*lg_strmap_put(&w->seen, lg_arena_strndup(&w->keys, d->str, len), len, &created) = 1;
	return false;
}

static bool already_loaded(const walk *w, const lg_digest *d)
{
	for (size_t i = 0; i < w->set->nimages; i++)
		if (strcmp(w->set->images[i].digest.str, d->str) == 0)
			return true;
	return false;
}

static bool is_index_type(const char *mt)
{
	return strcmp(mt, MT_OCI_INDEX) == 0 || strcmp(mt, MT_DOCKER_LIST) == 0;
}

static bool is_manifest_type(const char *mt)
{
	return strcmp(mt, MT_OCI_MANIFEST) == 0 || strcmp(mt, MT_DOCKER_MANIFEST) == 0;
}

/* A document's own mediaType, when present, must be of the kind its
 * descriptor says (an OCI and a Docker manifest are the same kind, as are
 * an OCI index and a Docker manifest list; go-containerregistry writes such
 * pairs), and it must not claim to be both index and manifest
 * (CVE-2021-41190). */
static int check_document(json_t *doc, const char *mt, const char *digest,
			  lg_error *err)
{
	const char *own = jstr(doc, "mediaType");
	if (own && strcmp(own, mt) != 0 &&
	    !(is_index_type(own) && is_index_type(mt)) &&
	    !(is_manifest_type(own) && is_manifest_type(mt)))
		return lg_err(err, "%s: document says mediaType \"%s\" but its descriptor says \"%s\"",
			      digest, own, mt);
	if (json_object_get(doc, "manifests") && json_object_get(doc, "layers"))
		return lg_err(err, "%s: ambiguous document with both \"manifests\" and \"layers\"", digest);
	/* Without its own mediaType a document is what its members say. */
	if (is_manifest_type(mt) && json_object_get(doc, "manifests"))
		return lg_err(err, "%s: descriptor says manifest (%s) but the document is an "
			      "index (it has \"manifests\")", digest, mt);
	if (is_index_type(mt) && (json_object_get(doc, "config") || json_object_get(doc, "layers")))
		return lg_err(err, "%s: descriptor says index (%s) but the document is a "
			      "manifest (it has \"config\" or \"layers\")", digest, mt);
	return 0;
}

static int load_manifest(walk *w, json_t *desc, const char *mt, lg_error *err)
{
	lg_digest d;
	int64_t size;
	if (descriptor_target(desc, &d, &size, err) < 0)
		return -1;
	if (seen_before(w, &d))
		return 0;
	cleanup_json json_t *doc = NULL;
	if (load_blob_json(w, &d, size, LG_MAX_MANIFEST_BYTES, &doc, err) < 0 ||
	    check_document(doc, mt, d.str, err) < 0)
		return -1;
	const char *artifact = jstr(doc, "artifactType");
	json_t *cdesc = json_object_get(doc, "config");
	const char *cmt = jstr(cdesc, "mediaType");
	if (artifact || !is_image_config(cmt)) {
		char *why = lg_xasprintf("artifact, not a container image (%s %s)",
					 artifact ? "artifactType" : "config mediaType",
					 artifact ? artifact : cmt ? cmt : "missing");
		add_skipped(w, desc, mt, why);
		free(why);
		return 0;
	}

	lg_image img = { .digest = d };
	img.media_type = lg_xstrdup(mt);
	/* A platform's manifest inside a multi-platform index goes by the
	 * index's name. */
	const char *ref = jstr(json_object_get(desc, "annotations"), "org.opencontainers.image.ref.name");
	if (!ref)
		ref = w->ref;
	img.ref = ref ? lg_xstrdup(ref) : NULL;
	cleanup_json json_t *config = NULL;
	int64_t csize;
	if (descriptor_target(cdesc, &img.config, &csize, err) < 0 ||
	    load_blob_json(w, &img.config, csize, LG_MAX_CONFIG_BYTES, &config, err) < 0 ||
	    load_layers(doc, config, &img, err) < 0) {
		image_free(&img);
		return lg_err_prefix(err, "manifest %s", d.str);
	}
	json_t *plat = json_object_get(desc, "platform");
	platform_from(json_is_object(plat) ? plat : config, &img.platform);
	if (!selected(w, &img.platform)) {
		add_skipped(w, desc, mt, "platform not selected");
		image_free(&img);
		return 0;
	}
	add_image(w, &img);
	return 0;
}

static int walk_index(walk *w, json_t *index, const char *where, lg_error *err);

static int load_index(walk *w, json_t *desc, const char *mt, lg_error *err)
{
	lg_digest d;
	int64_t size;
	if (descriptor_target(desc, &d, &size, err) < 0)
		return -1;
	for (size_t i = 0; i < w->depth; i++)
		if (strcmp(w->stack[i], d.str) == 0)
			return lg_err(err, "%s: index refers to itself (cycle)", d.str);
	if (w->depth >= LG_MAX_INDEX_DEPTH)
		return lg_err(err, "%s: indexes nested deeper than %d", d.str, LG_MAX_INDEX_DEPTH);
	if (seen_before(w, &d))
		return 0;
	cleanup_json json_t *doc = NULL;
	if (load_blob_json(w, &d, size, LG_MAX_MANIFEST_BYTES, &doc, err) < 0 ||
	    check_document(doc, mt, d.str, err) < 0)
		return -1;
	w->stack[w->depth++] = d.str;
	int r = walk_index(w, doc, d.str, err);
	w->depth--;
	return r;
}

static bool is_attestation(json_t *desc)
{
	const char *t = jstr(json_object_get(desc, "annotations"), "vnd.docker.reference.type");
	return t && strcmp(t, "attestation-manifest") == 0;
}

static int walk_descriptor(walk *w, json_t *desc, lg_error *err)
{
	if (!json_is_object(desc))
		return lg_err(err, "descriptor is not a JSON object");
	const char *mt = jstr(desc, "mediaType");
	if (!mt)
		return lg_err(err, "descriptor %s has no mediaType",
			      jstr(desc, "digest") ? jstr(desc, "digest") : "(no digest)");
	json_t *ann = json_object_get(desc, "annotations");
	const char *names[] = { jstr(ann, "org.opencontainers.image.ref.name"),
				jstr(ann, "io.containerd.image.name") };
	if (w->depth == 0 && !ref_selected(w, names, 2)) {
		add_skipped(w, desc, mt, "ref not selected");
		return 0;
	}
	if (w->depth == 0)
		w->ref = names[0] ? names[0] : names[1];
	if (is_index_type(mt))
		return load_index(w, desc, mt, err);
	if (is_manifest_type(mt)) {
		if (is_attestation(desc)) {
			add_skipped(w, desc, mt, "attestation manifest (vnd.docker.reference.type)");
			return 0;
		}
		return load_manifest(w, desc, mt, err);
	}
	if (strcmp(mt, MT_DOCKER_SCHEMA1) == 0 || strcmp(mt, MT_DOCKER_SCHEMA1_SIGNED) == 0)
		return lg_err(err, "%s: Docker schema 1 manifests are not supported", mt);
	/* image-spec: an unknown media type must not be an error. */
	add_skipped(w, desc, mt, "unknown media type");
	return 0;
}

static int walk_index(walk *w, json_t *index, const char *where, lg_error *err)
{
	json_t *manifests = json_object_get(index, "manifests");
	if (json_object_get(index, "layers"))
		return lg_err(err, "%s: an index must not have \"layers\"", where);
	if (json_is_null(manifests))
		return 0; /* Docker 25 writes null for "none" */
	if (!json_is_array(manifests))
		return lg_err(err, "%s: no \"manifests\" array", where);
	size_t i;
	json_t *desc;
	json_array_foreach(manifests, i, desc) {
		if (walk_descriptor(w, desc, err) < 0)
			return lg_err_prefix(err, "%s: manifests[%zu]", where, i);
	}
	return 0;
}

static int check_layout_version(lg_input *in, lg_error *err)
{
	cleanup_free char *text = NULL;
	size_t len;
	if (lg_input_read_file(in, "oci-layout", 64 * 1024, &text, &len, err) < 0)
		return -1;
	cleanup_json json_t *j = NULL;
	if (parse_json(text, len, "oci-layout", &j, err) < 0)
		return -1;
	const char *v = jstr(j, "imageLayoutVersion");
	if (!v)
		return lg_err(err, "oci-layout: no imageLayoutVersion");
	if (strncmp(v, "1.", 2) != 0)
		return lg_err(err, "oci-layout: unsupported imageLayoutVersion \"%.32s\" (want 1.x)", v);
	return 0;
}

/* ---- docker save archives (manifest.json) ------------------------- */

/* The digest a docker-archive config file must have, from its name
 * ("<hex>.json" in the legacy form, "blobs/sha256/<hex>" since Docker 25),
 * or "" when the name does not say. */
static void digest_from_name(const char *name, char out[72])
{
	const char *base = strrchr(name, '/');
	base = base ? base + 1 : name;
	size_t n = strspn(base, "0123456789abcdef");
	out[0] = '\0';
	if (n == 64 && (base[64] == '\0' || strcmp(base + 64, ".json") == 0))
		snprintf(out, 72, "sha256:%.64s", base);
}

/* Read a docker-archive config: the file named by manifest.json, checked
 * against the digest its name carries; its sha256 is the image ID. */
static int load_docker_config(walk *w, const char *name, lg_digest *id,
			      json_t **out, lg_error *err)
{
	cleanup_free char *text = NULL;
	size_t len;
	if (lg_input_read_file(w->in, name, LG_MAX_CONFIG_BYTES, &text, &len, err) < 0)
		return -1;
	lg_hasher *h = lg_hasher_new(LG_SHA256);
	lg_hasher_update(h, text, len);
	lg_hasher_final(h, id->str);
	lg_hasher_free(h);
	id->alg = LG_SHA256;
	/* "blobs/sha256/<hex>" is a content address; the legacy "<hex>.json"
	 * is only a name (tools rewrite configs without renaming them). */
	char want[72];
	digest_from_name(name, want);
	if (strncmp(name, "blobs/", 6) == 0 && want[0] && strcmp(want, id->str) != 0)
		return lg_err(err, "%s: content hashes to %s, not the digest its name says", name, id->str);
	return parse_json(text, len, name, out, err);
}

static int docker_layers(walk *w, json_t *entry, json_t *config, lg_image *img,
			 lg_error *err)
{
	json_t *layers = json_object_get(entry, "Layers");
	json_t *diff_ids = json_object_get(json_object_get(config, "rootfs"), "diff_ids");
	if (!json_is_array(layers))
		return lg_err(err, "no \"Layers\" array");
	if (!json_is_array(diff_ids) || json_array_size(diff_ids) != json_array_size(layers))
		return lg_err(err, "config has %zu diff_ids for %zu layers",
			      json_array_size(diff_ids), json_array_size(layers));
	img->layers = lg_xcalloc(json_array_size(layers), sizeof(*img->layers));
	size_t i;
	json_t *name;
	json_array_foreach(layers, i, name) {
		lg_layer_desc *l = &img->layers[i];
		img->nlayers = i + 1;
		if (!json_is_string(name))
			return lg_err(err, "Layers[%zu] is not a string", i);
		l->path = lg_xstrdup(json_string_value(name));
		/* A docker-archive layer is checked against the diff_id the config
		 * names, which is what a runtime trusts; docker writes it plain,
		 * other tools (crane) gzip it, so sniff as docker load does. */
		l->media_type = lg_xstrdup("application/vnd.docker.image.rootfs.diff.tar");
		l->compression = LG_COMP_DETECT;
		if (lg_digest_parse(json_string_value(json_array_get(diff_ids, i)), &l->diff_id, err) < 0)
			return lg_err_prefix(err, "config: diff_ids[%zu]", i);
		l->digest = l->diff_id;
		lg_stream *s;
		uint64_t size;
		if (lg_input_open_path(w->in, l->path, &s, &size, err) < 0)
			return lg_err_prefix(err, "Layers[%zu]", i);
		lg_stream_close(s);
		l->size = (int64_t)size;
	}
	load_history(config, img);
	return 0;
}

/* The image ID a docker-archive entry's config name spells, without
 * reading it: "HEX.json" (legacy) or "blobs/sha256/HEX" (Docker 25+) give
 * "sha256:HEX"; any other name gives "" (only used to list skipped images). */
static void docker_config_id(const char *name, char out[8 + 64 + 1])
{
	const char *hex = strncmp(name, "blobs/sha256/", 13) == 0 ? name + 13 : name;
	size_t n = strspn(hex, "0123456789abcdef");
	bool ok = n == 64 && (hex[64] == '\0' || (hex == name && strcmp(hex + 64, ".json") == 0));
	snprintf(out, 8 + 64 + 1, "%s%.*s", ok ? "sha256:" : "", ok ? 64 : 0, hex);
}

static int load_docker_entry(walk *w, json_t *entry, lg_error *err)
{
	if (!json_is_object(entry))
		return lg_err(err, "not a JSON object");
	const char *config_name = jstr(entry, "Config");
	if (!config_name)
		return lg_err(err, "no \"Config\"");
	json_t *tags = json_object_get(entry, "RepoTags");
	const char *names[64];
	size_t ntags = 0;
	for (; json_is_array(tags) && ntags < json_array_size(tags) && ntags < 64; ntags++)
		names[ntags] = json_string_value(json_array_get(tags, ntags));
	if (!ref_selected(w, names, ntags)) {
		char id[8 + 64 + 1];
		docker_config_id(config_name, id);
		add_skipped_as(w, id, NULL, "ref not selected");
		return 0;
	}
	lg_image img = { 0 };
	cleanup_json json_t *config = NULL;
	if (load_docker_config(w, config_name, &img.digest, &config, err) < 0)
		return -1;
	if (already_loaded(w, &img.digest))
		return 0;
	img.config = img.digest;
	img.ref = ntags && names[0] ? lg_xstrdup(names[0]) : NULL;
	platform_from(config, &img.platform);
	if (docker_layers(w, entry, config, &img, err) < 0) {
		image_free(&img);
		return lg_err_prefix(err, "image %s", img.digest.str);
	}
	if (!selected(w, &img.platform)) {
		add_skipped_as(w, img.digest.str, NULL, "platform not selected");
		image_free(&img);
		return 0;
	}
	add_image(w, &img);
	return 0;
}

static int load_docker(walk *w, lg_error *err)
{
	cleanup_free char *text = NULL;
	size_t len;
	if (lg_input_read_file(w->in, "manifest.json", LG_MAX_MANIFEST_BYTES, &text, &len, err) < 0)
		return -1;
	json_error_t jerr;
	cleanup_json json_t *list = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
	if (!list)
		return lg_err(err, "manifest.json: invalid JSON at line %d: %s", jerr.line, jerr.text);
	if (json_is_null(list))
		return lg_err(err, "manifest.json is null: the archive describes no image");
	if (!json_is_array(list))
		return lg_err(err, "manifest.json: not a JSON array");
	size_t i;
	json_t *entry;
	json_array_foreach(list, i, entry) {
		if (load_docker_entry(w, entry, err) < 0)
			return lg_err_prefix(err, "manifest.json[%zu]", i);
	}
	return 0;
}

/* ---- the entry point ------------------------------------------------ */

/* An OCI layout (directory, oci-archive, Docker 25 archive).  Sets *empty
 * when its index lists no manifest at all ("manifests": null or []). */
static int load_layout(walk *w, bool *empty, lg_error *err)
{
	cleanup_free char *text = NULL;
	size_t len;
	cleanup_json json_t *index = NULL;
	if (check_layout_version(w->in, err) < 0 ||
	    lg_input_read_file(w->in, "index.json", LG_MAX_MANIFEST_BYTES, &text, &len, err) < 0 ||
	    parse_json(text, len, "index.json", &index, err) < 0)
		return -1;
	json_t *manifests = json_object_get(index, "manifests");
	*empty = json_is_null(manifests) || (json_is_array(manifests) && json_array_size(manifests) == 0);
	if (*empty && (lg_input_root(w->in) & LG_ROOT_DOCKER_MANIFEST))
		return 0;
	return walk_index(w, index, "index.json", err);
}

static int load_any(walk *w, lg_error *err)
{
	bool empty = false;
	unsigned root = lg_input_root(w->in);
	if (root & LG_ROOT_OCI_LAYOUT) {
		if (load_layout(w, &empty, err) < 0)
			return -1;
		if (!empty || !(root & LG_ROOT_DOCKER_MANIFEST))
			return 0;
	}
	if (root & LG_ROOT_DOCKER_MANIFEST)
		return load_docker(w, err);
	if (root & LG_ROOT_REPOSITORIES)
		return lg_err(err, "a legacy docker archive with only a \"repositories\" file and no "
			      "manifest.json: save it again with a current docker");
	return lg_err(err, "no image here: neither an OCI layout (oci-layout, index.json) "
		      "nor a docker archive (manifest.json)");
}

int lg_oci_load(lg_input *in, const lg_select *select, lg_image_set **out,
		lg_error *err)
{
	walk w = { .in = in, .select = select };
	w.set = lg_xcalloc(1, sizeof(*w.set));
	int r = load_any(&w, err);
	lg_strmap_free(&w.seen);
	lg_arena_free(&w.keys);
	if (r < 0)
		goto fail;
	if (w.set->nimages == 0) {
		if (select->nplatforms || select->nrefs)
			lg_err(err, "no image matches the selected %s (%zu descriptor%s skipped)",
			       select->nrefs ? "--ref" : "--platform", w.set->nskipped,
			       w.set->nskipped == 1 ? "" : "s");
		else
			lg_err(err, "no container image to scan (%zu descriptor%s skipped%s%s)",
			       w.set->nskipped, w.set->nskipped == 1 ? "" : "s",
			       w.set->nskipped ? ": " : "",
			       w.set->nskipped ? w.set->skipped[0].reason : "");
		goto fail;
	}
	*out = w.set;
	return 0;
fail:
	lg_image_set_free(w.set);
	return -1;
}

void lg_image_set_free(lg_image_set *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->nimages; i++)
		image_free(&set->images[i]);
	free(set->images);
	for (size_t i = 0; i < set->nskipped; i++) {
		free(set->skipped[i].digest);
		free(set->skipped[i].media_type);
		free(set->skipped[i].reason);
	}
	free(set->skipped);
	free(set);
}
