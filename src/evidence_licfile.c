/* evidence_licfile.c - see evidence_licfile.h */
#include "evidence_licfile.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "evidence_symlink.h"
#include "license_texts.h"
#include "strmap.h"
#include "util.h"

/* What one directory's license files of one layer say, while that layer
 * is read: at most one thing, or several. */
typedef struct group {
	uint32_t layer;     /* 1-based layer being gathered, 0: none yet */
	size_t n;           /* distinct things said (capped at 2: several) */
	lg_licfile_says says;
} group;

typedef struct dir_rec {
	lg_licfile_dir dir;
	group g;
	bool pending;       /* g holds a layer not flushed yet */
} dir_rec;

/* The license file of one npm package that says SEE LICENSE IN. */
typedef struct pkg_rec {
	size_t layer, pkg;
	lg_licfile_dir dir;
} pkg_rec;

struct lg_licfile_index {
	const lg_rules *rules;
	pkg_rec *pkgs;
	size_t npkgs, cap_pkgs;
	lg_strmap map;      /* directory (borrowed from a file's path) -> 1 + index */
	dir_rec *v;
	size_t n, cap;
	size_t *pending;    /* records whose group holds the current layer */
	size_t npending, cap_pending;
};

/* The directory of path[0..len): "/app" for "/app/LICENSE", "/" for
 * "/LICENSE". */
static size_t dir_len(const char *path, size_t len)
{
	const char *slash = memrchr(path, '/', len);
	size_t n = slash ? (size_t)(slash - path) : 0;
	return n ? n : 1;
}

/* The class a thing said maps to: a text rule's, or the license rule's of
 * an expression that is one identifier; NULL otherwise. */
static const char *class_of(const lg_rules *rules, const lg_licfile_says *s)
{
	if (!s->expr)
		return s->text->class_name;
	const lg_rule *r = lg_rules_match_license(rules, s->expr, s->expr_len);
	return r ? r->class_name : NULL;
}

/* Do a and b say the same license?  The same expression, or (a text rule
 * and the wording of a license text) the same class. */
static bool same(const lg_rules *rules, const lg_licfile_says *a, const lg_licfile_says *b)
{
	if (a->expr && b->expr && a->expr_len == b->expr_len &&
	    strncasecmp(a->expr, b->expr, a->expr_len) == 0)
		return true;
	const char *ca = class_of(rules, a), *cb = class_of(rules, b);
	return ca && cb && strcmp(ca, cb) == 0;
}

static void say(const lg_rules *rules, group *g, const lg_licfile_says *s)
{
	if (g->n == 0) {
		g->says = *s;
		g->n = 1;
	} else if (g->n == 1 && !same(rules, &g->says, s)) {
		g->n = 2;
	} else if (g->n == 1 && !g->says.expr && s->expr) {
		g->says = *s; /* an identifier tells more than a phrase */
	}
}

/* Everything the text of file f (of layer l) says, into g, as the license
 * file base names (f itself, or a symlink to it). */
static void identify(const lg_rules *rules, const lg_layer *l, const lg_file *f,
		     const lg_licfile_says *basep, group *g)
{
	const lg_licfile_says base = *basep;
	for (uint32_t i = 0; i < f->ntags; i++) {
		const lg_tag *t = &l->tags[f->first_tag + i];
		if (t->snippet_begin)
			continue;
		lg_licfile_says s = base;
		s.expr = t->expr;
		s.expr_len = t->len;
		s.line = t->line;
		say(rules, g, &s);
	}
	for (uint32_t i = 0; i < f->ntext; i++) {
		const lg_rule *r = l->texts[f->first_text + i];
		lg_licfile_says s = base;
		s.text = r;
		s.line = l->text_lines ? l->text_lines[f->first_text + i] : 0;
		if (r->kind == LG_RULE_LICENSE_TEXT) {
			s.expr = r->license_id;
			s.expr_len = (uint32_t)strlen(r->license_id);
		}
		say(rules, g, &s);
	}
}

static dir_rec *record(lg_licfile_index *ix, const char *path, size_t dlen)
{
	bool created;
	uint32_t *slot = lg_strmap_put(&ix->map, path, dlen, &created);
	if (created) {
		lg_xgrow((void **)&ix->v, &ix->cap, ix->n + 1, sizeof(*ix->v));
		memset(&ix->v[ix->n], 0, sizeof(ix->v[ix->n]));
		*slot = (uint32_t)++ix->n;
	}
	return &ix->v[*slot - 1];
}

/* The current layer is done: what each directory's group said is one
 * piece of evidence of that directory (several things: none). */
static void flush(lg_licfile_index *ix)
{
	for (size_t i = 0; i < ix->npending; i++) {
		dir_rec *d = &ix->v[ix->pending[i]];
		if (d->g.n == 1 && d->dir.n < LG_LICFILE_MAX)
			d->dir.says[d->dir.n++] = d->g.says;
		d->g = (group){ 0 };
		d->pending = false;
	}
	ix->npending = 0;
}

#define SEE_LICENSE "SEE LICENSE IN "

#define LINK_BIT (1u << 31) /* in where[]: a kept link, not a file */

/* Every file and kept link of the image into paths (the highest layer's
 * wins); where[slot - 1] is (layer << 32 | file), or | LINK_BIT | link. */
static void map_paths(const lg_layer *const *layers, size_t n, lg_strmap *paths,
		      uint64_t **where, size_t *nwhere, size_t *cap)
{
	for (size_t a = 0; a < n; a++) {
		const lg_layer *l = layers[a];
		for (size_t b = 0; b < l->nfiles + l->nlinks; b++) {
			bool link = b >= l->nfiles;
			const char *path = link ? l->entries[l->links[b - l->nfiles].entry].path
						: l->files[b].path;
			size_t len = link ? l->entries[l->links[b - l->nfiles].entry].len
					  : l->files[b].len;
			bool created;
			uint32_t *slot = lg_strmap_put(paths, path, len, &created);
			lg_xgrow((void **)where, cap, *nwhere + 1, sizeof(**where));
			(*where)[*nwhere] = (uint64_t)a << 32 |
					    (link ? LINK_BIT | (uint32_t)(b - l->nfiles) : (uint32_t)b);
			*slot = (uint32_t)++*nwhere;
		}
	}
}

/* The file a SEE LICENSE IN package points at, read as a license file; a
 * symlink to it is followed as a symlinked license file is. */
static void npm_packages(lg_licfile_index *ix, const lg_rules *rules, lg_symlinks *sy,
			 const lg_layer *const *layers, size_t n)
{
	lg_strmap paths = LG_STRMAP_INIT; /* path -> 1 + layer << 32 ... */
	uint64_t *where = NULL;           /* (layer, file) per path slot */
	size_t nwhere = 0, cap = 0;
	lg_buf want = LG_BUF_INIT;
	for (size_t i = 0; i < n; i++) {
		const lg_layer *l = layers[i];
		for (size_t p = 0; p < l->npackages; p++) {
			const lg_package *pk = &l->packages[p];
			if (pk->kind != LG_PACKAGE_NPM || !lg_npm_see_license(pk->expr, pk->len))
				continue;
			if (!paths.count) /* every file and link of the image, once */
				map_paths(layers, n, &paths, &where, &nwhere, &cap);
			/* package.json's directory, then the file named */
			const lg_file *m = &l->files[pk->manifest];
			size_t k = sizeof(SEE_LICENSE) - 1;
			const char *name = pk->expr + k;
			size_t nlen = pk->len - k;
			while (nlen && (name[nlen - 1] == ' ' || name[nlen - 1] == '"'))
				nlen--;
			while (nlen >= 2 && name[0] == '.' && name[1] == '/') {
				name += 2;
				nlen -= 2;
			}
			lg_buf_reset(&want);
			lg_buf_append(&want, m->path, dir_len(m->path, m->len));
			lg_buf_putc(&want, '/');
			lg_buf_append(&want, name, nlen);
			const uint32_t *slot = lg_strmap_get(&paths, want.data, want.len);
			if (!slot || memmem(name, nlen, "..", 2))
				continue; /* not in the image (no evidence), or outside the package */
			uint64_t w = where[*slot - 1];
			size_t wl = (size_t)(w >> 32);
			uint32_t wi = (uint32_t)w;
			group g = { 0 };
			lg_licfile_says base = { .layer = (uint32_t)wl + 1 };
			const lg_file *lf = NULL;
			size_t ll = wl;
			if (wi & LINK_BIT) {
				const lg_entry *en = &layers[wl]->entries[layers[wl]->links[wi & ~LINK_BIT].entry];
				enum lg_symlink_end end =
					lg_symlinks_resolve(sy, wl, wi & ~LINK_BIT, &ll, &lf);
				if (end == LG_SYMLINK_DANGLING)
					continue; /* as if the file were not there */
				base.path = en->path;
				base.len = en->len;
				if (lf) {
					base.target = lf->path;
					base.target_len = lf->len;
					base.target_layer = (uint32_t)ll + 1;
				}
			} else {
				lf = &layers[wl]->files[wi];
				base.path = lf->path;
				base.len = lf->len;
			}
			if (lf)
				identify(rules, layers[ll], lf, &base, &g);
			lg_xgrow((void **)&ix->pkgs, &ix->cap_pkgs, ix->npkgs + 1, sizeof(*ix->pkgs));
			pkg_rec *rec = &ix->pkgs[ix->npkgs++];
			*rec = (pkg_rec){ .layer = i, .pkg = p };
			if (g.n == 1)
				rec->dir.says[rec->dir.n++] = g.says;
		}
	}
	lg_buf_free(&want);
	lg_strmap_free(&paths);
	free(where);
}

const lg_licfile_dir *lg_licfile_package(const lg_licfile_index *ix, size_t layer, size_t pkg)
{
	for (size_t i = 0; ix && i < ix->npkgs; i++)
		if (ix->pkgs[i].layer == layer && ix->pkgs[i].pkg == pkg)
			return &ix->pkgs[i].dir;
	return NULL;
}

/* The record of the directory of the license file at path, gathering
 * the current layer. */
static dir_rec *gather(lg_licfile_index *ix, const char *path, size_t len)
{
	dir_rec *d = record(ix, path, dir_len(path, len));
	if (!d->pending) {
		d->pending = true;
		lg_xgrow((void **)&ix->pending, &ix->cap_pending, ix->npending + 1,
			 sizeof(*ix->pending));
		ix->pending[ix->npending++] = (size_t)(d - ix->v);
	}
	return d;
}

/* Link k of layers[i], a symlinked license file, as the file it leads to
 * (evidence_symlink.h): its text says what the license file says; one
 * whose text cannot be known governs its directory with no class; a
 * dangling one is not there. */
static void add_link(lg_licfile_index *ix, lg_symlinks *sy, const lg_layer *const *layers,
		     size_t i, size_t k)
{
	const lg_layer *l = layers[i];
	const lg_entry *en = &l->entries[l->links[k].entry];
	if (!lg_rules_is_license_file(ix->rules, en->path, en->len))
		return;
	size_t tl = 0;
	const lg_file *t = NULL;
	enum lg_symlink_end end = lg_symlinks_resolve(sy, i, k, &tl, &t);
	if (end == LG_SYMLINK_DANGLING)
		return;
	dir_rec *d = gather(ix, en->path, en->len);
	if (end != LG_SYMLINK_FILE)
		return;
	lg_licfile_says base = { .path = en->path, .len = en->len, .layer = (uint32_t)i + 1,
				 .target = t->path, .target_len = t->len,
				 .target_layer = (uint32_t)tl + 1 };
	identify(ix->rules, layers[tl], t, &base, &d->g);
}

lg_licfile_index *lg_licfile_index_new(const lg_rules *rules, const lg_layer *const *layers,
				       size_t n)
{
	if (!lg_rules_license_files(rules))
		return NULL;
	lg_licfile_index *ix = lg_xcalloc(1, sizeof(*ix));
	ix->rules = rules;
	lg_symlinks *sy = lg_symlinks_new(layers, n);
	for (size_t i = 0; i < n; i++) {
		const lg_layer *l = layers[i];
		for (size_t k = 0; k < l->nfiles; k++) {
			const lg_file *f = &l->files[k];
			if (f->flags & LG_FILE_SIDECAR || !lg_rules_is_license_file(rules, f->path, f->len))
				continue;
			dir_rec *d = gather(ix, f->path, f->len);
			lg_licfile_says base = { .path = f->path, .len = f->len, .layer = (uint32_t)i + 1 };
			identify(rules, l, f, &base, &d->g);
		}
		for (size_t k = 0; k < l->nlinks; k++)
			add_link(ix, sy, layers, i, k);
		flush(ix);
	}
	npm_packages(ix, rules, sy, layers, n);
	lg_symlinks_free(sy);
	if (ix->n == 0 && ix->npkgs == 0) {
		lg_licfile_index_free(ix);
		return NULL;
	}
	return ix;
}

const lg_licfile_dir *lg_licfile_lookup(const lg_licfile_index *ix, const char *path,
					size_t len)
{
	if (!ix || lg_rules_is_license_file(ix->rules, path, len))
		return NULL;
	for (size_t dlen = dir_len(path, len);; dlen = dir_len(path, dlen)) {
		const uint32_t *slot = lg_strmap_get(&ix->map, path, dlen);
		if (slot)
			return &ix->v[*slot - 1].dir;
		if (dlen <= 1)
			return NULL;
	}
}

void lg_licfile_index_free(lg_licfile_index *ix)
{
	if (!ix)
		return;
	lg_strmap_free(&ix->map);
	free(ix->pkgs);
	free(ix->v);
	free(ix->pending);
	free(ix);
}
