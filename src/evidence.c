/* evidence.c - see evidence.h */
#include "evidence.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "license_names.h"
#include "strmap.h"
#include "util.h"

#define NODE_MODULES "/node_modules/"
#define NPM_TARBALL "!/package/"

static bool ends_with(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);
	return len >= n && memcmp(s + len - n, suffix, n) == 0;
}

/* The package directory of a path below node_modules: ".../node_modules/
 * NAME" or ".../node_modules/@SCOPE/NAME"; its length, or 0. */
static size_t npm_package_dir(const char *path, size_t len)
{
	const char *nm = NULL;
	for (const char *p = path; (p = memmem(p, len - (size_t)(p - path), NODE_MODULES,
					      sizeof(NODE_MODULES) - 1)) != NULL; p++)
		nm = p;
	/* An npm tarball's files are package/...: its package directory is
	 * TARBALL!/package (layer_nested.h), unless a node_modules is deeper. */
	const char *tb = NULL;
	for (const char *p = path; (p = memmem(p, len - (size_t)(p - path), NPM_TARBALL,
					      sizeof(NPM_TARBALL) - 1)) != NULL; p++)
		tb = p;
	if (tb && (!nm || tb > nm))
		return (size_t)(tb - path) + sizeof(NPM_TARBALL) - 2;
	if (!nm)
		return 0;
	const char *name = nm + sizeof(NODE_MODULES) - 1;
	const char *end = path + len;
	const char *slash = memchr(name, '/', (size_t)(end - name));
	if (slash && *name == '@')
		slash = memchr(slash + 1, '/', (size_t)(end - slash - 1));
	return slash ? (size_t)(slash - path) : 0;
}

/* A site-packages directory's NAME.dist-info/FILE, FILE one of those we
 * read. */
static bool is_dist_info(const char *path, size_t len, const char *file)
{
	size_t n = strlen(file);
	if (len < n + 11 || !ends_with(path, len, file) || path[len - n - 1] != '/')
		return false;
	return ends_with(path, len - n - 1, ".dist-info");
}

bool lg_is_package_manifest(const char *path, size_t len)
{
	if (ends_with(path, len, "/package.json")) {
		size_t dir = npm_package_dir(path, len);
		return dir && dir + sizeof("/package.json") - 1 == len;
	}
	return is_dist_info(path, len, "METADATA") || is_dist_info(path, len, "RECORD");
}

/* ---- declared licenses ------------------------------------------------ */

/* npm's license: "EXPR", {"type": "ID"}, or "licenses": [{"type"}...]
 * (legacy: any one of them, so OR).  Returns a new string or NULL. */
static char *npm_license(json_t *pkg)
{
	json_t *lic = json_object_get(pkg, "license");
	if (json_is_string(lic))
		return lg_xstrdup(json_string_value(lic));
	if (json_is_string(json_object_get(lic, "type")))
		return lg_xstrdup(json_string_value(json_object_get(lic, "type")));
	json_t *list = json_object_get(pkg, "licenses");
	if (!json_is_array(list) || json_array_size(list) == 0)
		return NULL;
	lg_buf b = LG_BUF_INIT;
	size_t i;
	json_t *item;
	json_array_foreach(list, i, item) {
		const char *t = json_is_string(item) ? json_string_value(item)
						      : json_string_value(json_object_get(item, "type"));
		if (!t)
			continue;
		lg_buf_appendf(&b, "%s%s", b.len ? " OR " : "", t);
	}
	if (b.len == 0) {
		lg_buf_free(&b);
		return NULL;
	}
	if (json_array_size(list) > 1) {
		char *s = lg_xasprintf("(%s)", b.data);
		lg_buf_free(&b);
		return s;
	}
	return lg_buf_steal(&b);
}

/* One METADATA header "NAME: value": the value, trimmed, or NULL when the
 * line is another header. */
static const char *header_value(const char *line, size_t n, const char *name,
				size_t *vlen)
{
	size_t k = strlen(name);
	if (n <= k || strncasecmp(line, name, k) != 0 || line[k] != ':')
		return NULL;
	const char *v = line + k + 1;
	size_t vn = n - k - 1;
	while (vn && (*v == ' ' || *v == '\t'))
		v++, vn--;
	while (vn && (v[vn - 1] == ' ' || v[vn - 1] == '\t'))
		vn--;
	*vlen = vn;
	return v;
}

/* Trove license classifiers ("License :: OSI Approved :: MIT License"):
 * one is kept as written, for the report to show it and classify.c to
 * read it as the identifier it names; several are read here, each as the
 * SPDX identifier it names or else as its words (which will not parse, so
 * the file is unknown rather than allowed), and joined with AND. */
typedef struct classifiers {
	lg_buf one, all;
	size_t n;
} classifiers;

static void add_classifier(classifiers *c, const char *v, size_t vn)
{
	const char *name = lg_trove_license_name(v, &vn);
	if (!name)
		return;
	if (c->n++ == 0)
		lg_buf_append(&c->one, v, (size_t)(name - v) + vn);
	const char *id = lg_license_name_to_spdx(name, vn);
	lg_buf_appendf(&c->all, "%s", c->all.len ? " AND " : "");
	if (id)
		lg_buf_appendf(&c->all, "%s", id);
	else
		lg_buf_append(&c->all, name, vn);
}

/* METADATA's License-Expression, else its License header (first line),
 * else its license classifiers (all of them: AND); headers end at the
 * first empty line.  Returns a new string or NULL. */
static char *python_license(const char *data, size_t len)
{
	const char *expr = NULL, *lic = NULL, *v;
	size_t expr_len = 0, lic_len = 0, vn;
	classifiers cl = { LG_BUF_INIT, LG_BUF_INIT, 0 };
	for (const char *p = data, *end = data + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);
		if (n && p[n - 1] == '\r')
			n--;
		if (n == 0)
			break;
		if ((v = header_value(p, n, "License-Expression", &vn)) && vn)
			expr = v, expr_len = vn;
		else if ((v = header_value(p, n, "License", &vn)) && vn && !lic &&
			 !(vn == 7 && strncasecmp(v, "UNKNOWN", 7) == 0))
			lic = v, lic_len = vn;
		else if ((v = header_value(p, n, "Classifier", &vn)))
			add_classifier(&cl, v, vn);
		p = nl ? nl + 1 : end;
	}
	char *found = expr ? lg_xstrndup(expr, expr_len)
		      : lic ? lg_xstrndup(lic, lic_len)
		      : cl.n == 1 ? lg_buf_steal(&cl.one)
		      : cl.n > 1 ? lg_buf_steal(&cl.all) : NULL;
	lg_buf_free(&cl.one);
	lg_buf_free(&cl.all);
	return found;
}

static uint32_t add_package(lg_layer *l, enum lg_package_kind kind,
			    uint32_t manifest, char *expr)
{
	lg_xgrow((void **)&l->packages, &l->packages_cap, l->npackages + 1, sizeof(*l->packages));
	l->packages[l->npackages] = (lg_package){
		.kind = kind,
		.manifest = manifest,
		.expr = lg_arena_strndup(&l->arena, expr, strlen(expr)),
		.len = (uint32_t)strlen(expr),
	};
	free(expr);
	return (uint32_t)++l->npackages;
}

/* A copy of package id that also points at package other (both 1-based):
 * for the files two packages claim. */
static uint32_t join_package(lg_layer *l, uint32_t id, uint32_t other)
{
	lg_xgrow((void **)&l->packages, &l->packages_cap, l->npackages + 1, sizeof(*l->packages));
	l->packages[l->npackages] = l->packages[id - 1];
	l->packages[l->npackages].also = other;
	return (uint32_t)++l->npackages;
}

/* ---- resolution ------------------------------------------------------- */

typedef struct resolver {
	lg_layer *l;
	const lg_strmap *by_path; /* path -> file index + 1 (the last one) */
	lg_strmap npm_dirs; /* package dir -> package index + 1 */
	lg_strmap captures; /* path of a captured file -> capture index + 1 */
	lg_buf scratch;
} resolver;

static void index_paths(const lg_layer *l, lg_strmap *by_path)
{
	lg_strmap_reserve(by_path, l->nfiles);
	for (size_t i = 0; i < l->nfiles; i++) {
		const lg_file *f = &l->files[i];
		bool created;
		*lg_strmap_put(by_path, f->path, f->len, &created) = (uint32_t)i + 1;
	}
}

/* Each captured file's path -> 1 + the index of its first capture. */
static void index_captures(resolver *r)
{
	bool created;
	for (size_t i = 0; i < r->l->ncaptures; i++) {
		const lg_file *f = &r->l->files[r->l->captures[i].file];
		uint32_t *slot = lg_strmap_put(&r->captures, f->path, f->len, &created);
		if (created) /* the first, as the scan over captures found */
			*slot = (uint32_t)i + 1;
	}
}

static void link_sidecars(resolver *r)
{
	for (size_t i = 0; i < r->l->nfiles; i++) {
		lg_file *f = &r->l->files[i];
		if (f->len <= 9 || !ends_with(f->path, f->len, ".license"))
			continue;
		uint32_t *base = lg_strmap_get(r->by_path, f->path, f->len - 8);
		if (!base)
			continue;
		r->l->files[*base - 1].sidecar = (uint32_t)i + 1;
		f->flags |= LG_FILE_SIDECAR;
	}
}

/* Skip a UTF-8 byte order mark, which some editors (and npm on Windows)
 * write and JSON parsers refuse. */
static size_t bom_len(const char *data, size_t len)
{
	return len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
}

static void read_npm(resolver *r, const lg_capture *c)
{
	const lg_file *m = &r->l->files[c->file];
	size_t bom = bom_len(c->data, c->len);
	json_t *pkg = json_loadb(c->data + bom, c->len - bom, 0, NULL);
	char *expr = json_is_object(pkg) ? npm_license(pkg) : NULL;
	json_decref(pkg);
	if (!expr)
		return;
	uint32_t id = add_package(r->l, LG_PACKAGE_NPM, c->file, expr);
	size_t dir = m->len - (sizeof("/package.json") - 1);
	bool created;
	*lg_strmap_put(&r->npm_dirs, m->path, dir, &created) = id;
}

static void link_npm(resolver *r)
{
	if (!r->npm_dirs.count)
		return; /* no npm package: no path needs looking at */
	for (size_t i = 0; i < r->l->nfiles; i++) {
		lg_file *f = &r->l->files[i];
		size_t dir = npm_package_dir(f->path, f->len);
		uint32_t *id = dir ? lg_strmap_get(&r->npm_dirs, f->path, dir) : NULL;
		if (id)
			f->package = *id;
	}
}

/* The capture of dist-info's other file (METADATA <-> RECORD), or NULL:
 * one lookup, so a layer of many packages is resolved in linear time. */
static const lg_capture *sibling(resolver *r, const lg_file *f, const char *name)
{
	const char *slash = memrchr(f->path, '/', f->len);
	size_t dir = (size_t)(slash - f->path) + 1;
	lg_buf_reset(&r->scratch);
	lg_buf_append(&r->scratch, f->path, dir);
	lg_buf_append(&r->scratch, name, strlen(name));
	const uint32_t *c = lg_strmap_get(&r->captures, r->scratch.data, r->scratch.len);
	return c ? &r->l->captures[*c - 1] : NULL;
}

/* One RECORD line's path (CSV, possibly quoted) into out. */
static void record_path(const char *line, size_t n, lg_buf *out)
{
	lg_buf_reset(out);
	if (n && line[0] == '"') {
		for (size_t i = 1; i < n; i++) {
			if (line[i] == '"' && i + 1 < n && line[i + 1] == '"')
				lg_buf_putc(out, line[i++]);
			else if (line[i] == '"')
				break;
			else
				lg_buf_putc(out, line[i]);
		}
		return;
	}
	const char *comma = memchr(line, ',', n);
	lg_buf_append(out, line, comma ? (size_t)(comma - line) : n);
}

static void read_python(resolver *r, const lg_capture *meta)
{
	const lg_file *m = &r->l->files[meta->file];
	const lg_capture *record = sibling(r, m, "RECORD");
	size_t bom = bom_len(meta->data, meta->len);
	char *expr = python_license(meta->data + bom, meta->len - bom);
	if (!expr || !record) {
		free(expr);
		return;
	}
	uint32_t id = add_package(r->l, LG_PACKAGE_PYTHON, meta->file, expr);
	uint32_t last_other = 0, last_both = 0; /* the last pair joined */
	/* RECORD paths are relative to the directory holding the dist-info,
	 * or absolute (files installed outside it, as data files can be). */
	const char *info = memrchr(m->path, '/', m->len);
	const char *site = memrchr(m->path, '/', (size_t)(info - m->path));
	size_t site_len = (size_t)(site - m->path);
	lg_buf rel = LG_BUF_INIT, full = LG_BUF_INIT, norm = LG_BUF_INIT;
	for (const char *p = record->data + bom_len(record->data, record->len),
			*end = record->data + record->len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);
		record_path(p, n, &rel);
		p = nl ? nl + 1 : end;
		if (rel.len == 0)
			continue;
		lg_buf_reset(&full);
		if (rel.data[0] != '/') {
			lg_buf_append(&full, m->path, site_len);
			lg_buf_putc(&full, '/');
		}
		lg_buf_append(&full, rel.data, rel.len);
		bool escaped;
		lg_path_normalize(full.data, full.len, &norm, &escaped);
		uint32_t *f = lg_strmap_get(r->by_path, norm.data, norm.len);
		if (!f)
			continue;
		lg_file *file = &r->l->files[*f - 1];
		/* A file another RECORD lists too has both licenses (AND). */
		if (file->package && file->package != id && file->package != last_both) {
			if (file->package != last_other) {
				last_other = file->package;
				last_both = join_package(r->l, id, last_other);
			}
			file->package = last_both;
		} else if (!file->package) {
			file->package = id;
		}
	}
	lg_buf_free(&rel);
	lg_buf_free(&full);
	lg_buf_free(&norm);
}

void lg_evidence_resolve(lg_layer *l)
{
	lg_strmap by_path = { 0 };
	index_paths(l, &by_path);
	lg_evidence_resolve_indexed(l, &by_path);
	lg_strmap_free(&by_path);
}

void lg_evidence_resolve_indexed(lg_layer *l, const lg_strmap *by_path)
{
	resolver r = { .l = l, .by_path = by_path };
	index_captures(&r);
	link_sidecars(&r);
	for (size_t i = 0; i < l->ncaptures; i++) {
		const lg_capture *c = &l->captures[i];
		const lg_file *f = &l->files[c->file];
		if (ends_with(f->path, f->len, "/package.json"))
			read_npm(&r, c);
		else if (ends_with(f->path, f->len, "/METADATA"))
			read_python(&r, c);
	}
	link_npm(&r);
	lg_strmap_free(&r.npm_dirs);
	lg_strmap_free(&r.captures);
	lg_buf_free(&r.scratch);
	free(l->captures);
	l->captures = NULL;
	l->ncaptures = l->captures_cap = 0;
}
