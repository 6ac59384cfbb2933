/* scan.c - see scan.h */
#include "scan.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cache.h"
#include "util.h"
#include "whiteout.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- walking the distinct layers, in parallel ------------------------ */

/* One distinct layer to walk, and what came of it. */
typedef struct job {
	const lg_layer_desc *desc;
	size_t image, index; /* the first image that has it, and where */
	lg_layer *layer;     /* the result, owned until moved to the scan */
	lg_file_result *results; /* its files classified, after the walk */
	lg_whiteout_map *hides; /* built when upper, after the walk */
	lg_error err;
	bool failed;
	bool cached;         /* layer came from the cache */
	bool unchanged;      /* its blob file was known, not read again */
	bool by_digest;      /* a registry's blob, cached: not downloaded */
	bool rejected;       /* its cache entry was there but not trusted */
	char key[LG_CACHE_KEY_LEN]; /* of its walk in the cache, or "" */
	bool upper;          /* above the bottom of some image */
} job;

typedef struct pool {
	const lg_scan_options *opts;
	lg_input *in;
	job *jobs;
	size_t njobs;
	size_t *order;        /* job indexes, largest blob first */
	lg_cache *cache;      /* NULL: no cache */
	lg_walk_options walk; /* --max-bytes, and the progress counter */
	_Atomic uint64_t read_bytes;   /* compressed bytes read so far */
	_Atomic size_t done;           /* jobs finished */
	pthread_mutex_t lock; /* guards next, first_failed and cache_warning */
	size_t next;          /* the next entry of order to start */
	size_t first_failed;  /* the lowest job that failed, or njobs */
	char *cache_warning;  /* the first cache write that failed */
} pool;

static void cache_warn(pool *p, char *warning)
{
	pthread_mutex_lock(&p->lock);
	if (!p->cache_warning)
		p->cache_warning = steal_pointer(&warning);
	pthread_mutex_unlock(&p->lock);
	free(warning);
}

static void remember_blob(pool *p, const lg_layer_desc *d, const lg_file_id *id)
{
	char *warning = NULL;
	if (lg_cache_remember_blob(p->cache, &d->digest, id, &warning) < 0)
		cache_warn(p, warning);
}

/* Check the blob of a layer whose walk came from the cache: read and hash
 * it, unless it is a file the cache saw verified and unchanged since
 * (*unchanged then). */
static int verify_blob(pool *p, const lg_layer_desc *d, bool *unchanged, lg_error *err)
{
	lg_blob *b = NULL;
	if (lg_blob_open(p->in, NULL, &d->digest, d->size, &b, err) < 0)
		return -1;
	lg_file_id id;
	int r = 0;
	*unchanged = lg_blob_file_id(b, &id) && id.size == (uint64_t)d->size &&
		     lg_cache_knows_blob(p->cache, &d->digest, &id);
	if (!*unchanged) {
		r = lg_blob_finish(b, err);
		if (r == 0 && lg_blob_settled(b, &id))
			remember_blob(p, d, &id);
	}
	lg_blob_free(b);
	return r;
}

/* A cached layer over --max-bytes on its own fails as its walk did. */
static bool over_max_bytes(const pool *p, const lg_layer *l, lg_error *err)
{
	uint64_t max = p->walk.max_bytes;
	if (!max || l->tar_bytes + l->hole_bytes <= max)
		return false;
	lg_err(err, "more than %llu uncompressed bytes (--max-bytes)", (unsigned long long)max);
	return true;
}

/* Walk j's layer, or take its walk from the cache once its blob is
 * verified; store a fresh walk. */
static int run_job(pool *p, job *j)
{
	const lg_rules *rules = p->opts->rules;
	/* A docker-archive layer has no blob digest to verify on its own. */
	if (!p->cache || j->desc->path)
		return lg_layer_scan_with(p->in, j->desc, rules, &p->walk, &j->layer, &j->err);
	char *key = j->key;
	lg_cache_key(j->desc, rules, key);
	/* A walk's matches depend on the fingerprint sets. */
	if (p->opts->fingerprints)
		lg_cache_key_extend(key, lg_fpset_digest(p->opts->fingerprints));
	lg_layer *l = lg_cache_load(p->cache, key, rules, &j->rejected);
	/* A walk stored without per-file SHA-1/SHA-256 cannot serve an SBOM
	 * report: walk again, with them, and store that (cache.h). */
	if (l && p->opts->file_hashes && l->nfiles && !l->hashes) {
		lg_layer_free(l);
		l = NULL;
	}
	if (l) {
		/* From a registry, the verified manifest names the blob by
		 * digest: a cached walk of that digest needs no download. */
		if (lg_input_by_digest(p->in))
			j->by_digest = true;
		if ((!j->by_digest && verify_blob(p, j->desc, &j->unchanged, &j->err) < 0) ||
		    over_max_bytes(p, l, &j->err)) {
			lg_layer_free(l);
			return -1;
		}
		p->read_bytes += (uint64_t)j->desc->size;
		j->layer = l;
		j->cached = true;
		return 0;
	}
	bool settled = false;
	lg_file_id id;
	lg_walk_options walk = p->walk;
	walk.blob_settled = &settled;
	walk.blob_id = &id;
	if (lg_layer_scan_with(p->in, j->desc, rules, &walk, &j->layer, &j->err) < 0)
		return -1;
	char *warning = NULL;
	if (lg_cache_store(p->cache, key, rules, j->layer, &warning) < 0)
		cache_warn(p, warning);
	else if (settled)
		remember_blob(p, j->desc, &id);
	return 0;
}

/* Classify every file of layer l (with the layer alone: whiteouts only
 * add where a file went, never what it is). */
static lg_file_result *classify(const lg_scan_options *o, const lg_layer *l)
{
	lg_file_result *results = lg_xcalloc(l->nfiles ? l->nfiles : 1, sizeof(*results));
	lg_classification c;
	lg_classify_memo memo = { 0 };
	for (size_t i = 0; i < l->nfiles; i++) {
		lg_classify_with(o->rules, o->target, l, &l->files[i], &memo, &c);
		results[i] = (lg_file_result){
			.outcome = (uint8_t)c.outcome,
			.level = (uint8_t)c.level,
			.class_name = c.class_name,
		};
	}
	return results;
}

/* Cached results name their classes in their own block: take the rules'
 * copy of each name, so that names compare by pointer (rules.h). */
static void intern_classes(const lg_rules *rules, lg_file_result *r, size_t n)
{
	const char *from = NULL, *to = NULL;
	for (size_t i = 0; i < n; i++) {
		if (!r[i].class_name)
			continue;
		if (r[i].class_name != from) {
			from = r[i].class_name;
			to = lg_rules_class_interned(rules, from);
			if (!to)
				to = from;
		}
		r[i].class_name = to;
	}
}

/* j's results: from the cache when its walk is cached under a key and
 * they are there; else classified, and stored when the cache is on. */
static int classify_job(pool *p, job *j)
{
	const lg_scan_options *o = p->opts;
	char key[LG_CACHE_KEY_LEN];
	bool keyed = p->cache && j->key[0];
	if (keyed) {
		bool rejected = false;
		lg_cache_results_key(j->key, o->rules, o->target, key);
		j->results = lg_cache_load_results(p->cache, key, j->layer->nfiles, &rejected);
		j->rejected |= rejected;
		if (j->results) {
			intern_classes(o->rules, j->results, j->layer->nfiles);
			return 0;
		}
	}
	j->results = classify(o, j->layer);
	/* A path or exempt pattern that gave up (regex work limits) has no
	 * answer: the layer's scan cannot complete (rules.h).  Its first file
	 * in layer order is named, whatever the other threads did. */
	if (lg_rules_match_error(o->rules, &j->err) < 0)
		return -1;
	char *warning = NULL;
	if (keyed && lg_cache_store_results(p->cache, key, j->results, j->layer->nfiles,
					    &warning) < 0)
		cache_warn(p, warning);
	return 0;
}

/* The next job to run: the largest not yet started (so that the biggest
 * layer does not start last and run alone), skipping those past the
 * lowest failure; njobs when none is left. */
static size_t next_job(pool *p)
{
	pthread_mutex_lock(&p->lock);
	size_t i = p->njobs;
	while (p->next < p->njobs) {
		size_t k = p->order[p->next++];
		if (k < p->first_failed) {
			i = k;
			break;
		}
	}
	pthread_mutex_unlock(&p->lock);
	return i;
}

/* Run jobs until none is left.  A job is skipped only when a lower one has
 * failed, so every job below the final first_failed has run, and the error
 * reported (the lowest failing job's) does not depend on timing. */
static void *worker(void *ud)
{
	pool *p = ud;
	for (size_t i; (i = next_job(p)) < p->njobs;) {
		job *j = &p->jobs[i];
		int r = run_job(p, j);
		if (r == 0)
			r = classify_job(p, j);
		if (r == 0 && j->upper)
			j->hides = lg_whiteout_map_new(j->layer);
		p->done++;
		if (r == 0)
			continue;
		pthread_mutex_lock(&p->lock);
		j->failed = true;
		if (i < p->first_failed)
			p->first_failed = i;
		pthread_mutex_unlock(&p->lock);
	}
	return NULL;
}

static unsigned thread_count(const lg_scan_options *o, size_t njobs)
{
	long n = o->jobs ? (long)o->jobs : sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		n = 1;
	if ((size_t)n > njobs)
		n = (long)njobs;
	return n > 0 ? (unsigned)n : 1;
}

/* ---- progress ---------------------------------------------------------- */

typedef struct progress {
	pool *p;
	uint64_t total;       /* compressed bytes of every job */
	pthread_mutex_t lock; /* guards stop */
	pthread_cond_t wake;
	bool stop;
	int width;            /* of the longest line drawn, "\r" included */
} progress;

static void draw(progress *pr)
{
	enum { WIDTH = 30 };
	uint64_t got = pr->p->read_bytes;
	if (got > pr->total)
		got = pr->total;
	unsigned filled = pr->total ? (unsigned)(got * WIDTH / pr->total) : WIDTH;
	char bar[WIDTH + 1];
	for (unsigned i = 0; i < WIDTH; i++)
		bar[i] = i < filled ? '#' : '-';
	bar[WIDTH] = '\0';
	/* Spaces, not escape sequences, blank what a longer line left. */
	int n = fprintf(stderr, "\rlicgate: [%s] %5.1f/%.1f MB, %zu/%zu layers", bar,
			(double)got / 1e6, (double)pr->total / 1e6, (size_t)pr->p->done,
			pr->p->njobs);
	if (n > 0 && n < pr->width)
		fprintf(stderr, "%*s", pr->width - n, "");
	if (n > pr->width)
		pr->width = n;
	fflush(stderr);
}

/* Redraw about ten times a second until told to stop; clear the line. */
static void *progress_main(void *ud)
{
	progress *pr = ud;
	pthread_mutex_lock(&pr->lock);
	while (!pr->stop) {
		struct timespec t;
		clock_gettime(CLOCK_REALTIME, &t);
		t.tv_nsec += 100 * 1000 * 1000;
		if (t.tv_nsec >= 1000 * 1000 * 1000) {
			t.tv_sec++;
			t.tv_nsec -= 1000 * 1000 * 1000;
		}
		pthread_cond_timedwait(&pr->wake, &pr->lock, &t);
		if (!pr->stop)
			draw(pr);
	}
	pthread_mutex_unlock(&pr->lock);
	if (pr->width) {
		fprintf(stderr, "\r%*s\r", pr->width - 1, "");
		fflush(stderr);
	}
	return NULL;
}

static bool want_progress(const lg_scan_options *o)
{
	return o->progress > 0 || (o->progress < 0 && isatty(STDERR_FILENO));
}

static bool progress_start(progress *pr, pool *p, pthread_t *thread)
{
	*pr = (progress){ .p = p };
	for (size_t i = 0; i < p->njobs; i++)
		pr->total += (uint64_t)p->jobs[i].desc->size;
	pthread_mutex_init(&pr->lock, NULL);
	pthread_cond_init(&pr->wake, NULL);
	draw(pr); /* at once: a scan may end before the thread first runs */
	if (pthread_create(thread, NULL, progress_main, pr) == 0)
		return true;
	fprintf(stderr, "\r%*s\r", pr->width - 1, "");
	pthread_cond_destroy(&pr->wake);
	pthread_mutex_destroy(&pr->lock);
	return false;
}

static void progress_stop(progress *pr, pthread_t thread)
{
	pthread_mutex_lock(&pr->lock);
	pr->stop = true;
	pthread_cond_signal(&pr->wake);
	pthread_mutex_unlock(&pr->lock);
	pthread_join(thread, NULL);
	pthread_cond_destroy(&pr->wake);
	pthread_mutex_destroy(&pr->lock);
}

static void run_pool(pool *p)
{
	progress pr;
	pthread_t pr_thread;
	bool show = want_progress(p->opts) && progress_start(&pr, p, &pr_thread);
	unsigned n = thread_count(p->opts, p->njobs);
	pthread_t *threads = lg_xcalloc(n, sizeof(*threads));
	unsigned started = 0;
	/* This thread works too; a thread that cannot start leaves its share
	 * to the others. */
	for (unsigned i = 1; i < n; i++)
		if (pthread_create(&threads[started], NULL, worker, p) == 0)
			started++;
	worker(p);
	for (unsigned i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	free(threads);
	if (show)
		progress_stop(&pr, pr_thread);
}

/* The job of layer d (collect_jobs() made one for every layer). */
static size_t job_of(const job *jobs, size_t n, const lg_layer_desc *d)
{
	for (size_t j = 0; j < n; j++)
		if (strcmp(jobs[j].desc->digest.str, d->digest.str) == 0)
			return j;
	abort();
}

/* The distinct layers of every image, in order of first appearance. */
static int collect_jobs(lg_scan *s, job **out, size_t *count, lg_error *err)
{
	job *jobs = NULL;
	size_t n = 0;
	for (size_t i = 0; i < s->set->nimages; i++) {
		const lg_image *img = &s->set->images[i];
		for (size_t k = 0; k < img->nlayers; k++) {
			const lg_layer_desc *d = &img->layers[k];
			size_t j = 0;
			while (j < n && strcmp(jobs[j].desc->digest.str, d->digest.str) != 0)
				j++;
			if (j < n && strcmp(jobs[j].desc->diff_id.str, d->diff_id.str) != 0) {
				free(jobs);
				return lg_err(err, "layer %s: images disagree on its diff_id", d->digest.str);
			}
			if (j == n) {
				jobs = lg_xrealloc(jobs, (n + 1) * sizeof(*jobs));
				jobs[n++] = (job){ .desc = d, .image = i, .index = k };
			}
			jobs[j].upper |= k > 0;
		}
	}
	*out = jobs;
	*count = n;
	return 0;
}

/* Job indexes by blob size, largest first (ties in job order). */
static int by_size(const void *a, const void *b, void *ud)
{
	const job *jobs = ud;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int64_t sx = jobs[x].desc->size, sy = jobs[y].desc->size;
	if (sx != sy)
		return sx > sy ? -1 : 1;
	return x < y ? -1 : x > y;
}

static size_t *size_order(job *jobs, size_t n)
{
	size_t *order = lg_xcalloc(n ? n : 1, sizeof(*order));
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	qsort_r(order, n, sizeof(*order), by_size, jobs);
	return order;
}

/* The error of the lowest failing job, with the context of its image. */
static int job_error(const lg_scan *s, job *j, lg_error *err)
{
	const lg_image *img = &s->set->images[j->image];
	const lg_layer_desc *d = j->desc;
	lg_err(err, "%s", lg_error_msg(&j->err));
	return lg_err_prefix(err, "%s %s: layer %zu (%s)",
			     img->media_type ? "manifest" : "image", img->digest.str,
			     j->index + 1, d->path ? d->path : d->digest.str);
}

/* --max-bytes over the whole scan, in layer order: the first job whose
 * layers so far add up to more is where the scan stops. */
static void check_total(pool *p)
{
	uint64_t max = p->walk.max_bytes, sum = 0;
	for (size_t i = 0; max && i < p->first_failed; i++) {
		const lg_layer *l = p->jobs[i].layer;
		sum += l->tar_bytes + l->hole_bytes;
		if (sum <= max)
			continue;
		lg_err(&p->jobs[i].err, "more than %llu uncompressed bytes in all, with the "
		       "layers before it (--max-bytes)", (unsigned long long)max);
		p->jobs[i].failed = true;
		p->first_failed = i;
		return;
	}
}

static size_t layer_id(const lg_scan *s, const lg_layer_desc *d)
{
	for (size_t i = 0; i < s->nlayers; i++)
		if (strcmp(s->layers[i].desc->digest.str, d->digest.str) == 0)
			return i;
	abort(); /* walk_layers() has every layer of every image */
}


/* An image's whiteout resolution in the cache: its key (its layers' walk
 * keys, bottom to top), and the entry read before the walks, if any. */
typedef struct stack {
	char key[LG_CACHE_KEY_LEN]; /* "": a layer without a walk key */
	lg_cache_stack *entry;
} stack;

/* Read the resolution of every image from the cache, before the walks: a
 * layer above the bottom of an image only needs a whiteout map when that
 * image's resolution is not there. */
static stack *load_stacks(lg_scan *s, pool *p)
{
	const lg_image_set *set = s->set;
	stack *st = lg_xcalloc(set->nimages ? set->nimages : 1, sizeof(*st));
	for (size_t j = 0; j < p->njobs; j++) {
		p->jobs[j].upper = false;
		if (!p->jobs[j].desc->path)
			lg_cache_key(p->jobs[j].desc, s->opts->rules, p->jobs[j].key);
	}
	for (size_t i = 0; i < set->nimages; i++) {
		const lg_image *img = &set->images[i];
		const char **keys = lg_xcalloc(img->nlayers ? img->nlayers : 1, sizeof(*keys));
		bool keyed = true;
		for (size_t k = 0; k < img->nlayers; k++) {
			job *j = &p->jobs[job_of(p->jobs, p->njobs, &img->layers[k])];
			keys[k] = j->key;
			keyed &= j->key[0] != '\0';
		}
		if (keyed) {
			bool rejected = false;
			lg_cache_stack_key(keys, img->nlayers, st[i].key);
			st[i].entry = lg_cache_load_stack(p->cache, st[i].key, &rejected);
			s->rejected_cache_entries += rejected;
		}
		for (size_t k = 1; k < img->nlayers && !st[i].entry; k++)
			p->jobs[job_of(p->jobs, p->njobs, &img->layers[k])].upper = true;
		free(keys);
	}
	return st;
}

/* Where image idx's files went: from its resolution in the cache when it
 * fits the walks, else resolved (building the whiteout maps the workers
 * did not) and stored. */
static void scan_image(lg_scan *s, size_t idx, pool *p, stack *st)
{
	const lg_image *img = &s->set->images[idx];
	lg_scanned_image *si = &s->images[idx];
	size_t n = img->nlayers;
	si->image = img;
	si->layer_ids = lg_xcalloc(n, sizeof(size_t));
	si->deleted_by = lg_xcalloc(n, sizeof(uint32_t *));
	for (size_t i = 0; i < n; i++)
		si->layer_ids[i] = layer_id(s, &img->layers[i]);
	const lg_layer **layers = lg_xcalloc(n, sizeof(*layers));
	const lg_whiteout_map **maps = lg_xcalloc(n, sizeof(*maps));
	size_t *nfiles = lg_xcalloc(n, sizeof(*nfiles));
	for (size_t i = 0; i < n; i++) {
		layers[i] = s->layers[si->layer_ids[i]].layer;
		nfiles[i] = layers[i]->nfiles;
		si->deleted_by[i] = lg_xcalloc(nfiles[i] ? nfiles[i] : 1, sizeof(uint32_t));
	}
	bool cached = st && st->entry &&
		      lg_cache_stack_fill(st->entry, n, nfiles, si->deleted_by) == 0;
	if (!cached) {
		s->rejected_cache_entries += st && st->entry;
		for (size_t i = 1; i < n; i++) {
			lg_scanned_layer *sl = &s->layers[si->layer_ids[i]];
			if (!sl->hides)
				sl->hides = lg_whiteout_map_new(sl->layer);
			maps[i] = sl->hides;
		}
		lg_whiteout_resolve(layers, maps, n, si->deleted_by);
		char *warning = NULL;
		if (st && st->key[0] &&
		    lg_cache_store_stack(p->cache, st->key, n, nfiles,
					 (const uint32_t *const *)si->deleted_by, &warning) < 0)
			cache_warn(p, warning);
	}
	free(nfiles);
	free(maps);
	free(layers);
}

static void free_whiteout_maps(lg_scan *s)
{
	for (size_t i = 0; i < s->nlayers; i++) {
		lg_whiteout_map_free(s->layers[i].hides);
		s->layers[i].hides = NULL;
	}
}

/* Walk every distinct layer once, and resolve every image's whiteouts; on
 * success the scan owns them all. */
static int walk_layers(lg_scan *s, lg_input *in, lg_error *err)
{
	pool p = { .opts = s->opts, .in = in };
	p.walk = (lg_walk_options){ .max_bytes = s->opts->max_bytes, .read_bytes = &p.read_bytes,
				    .file_hashes = s->opts->file_hashes,
				    .fingerprints = s->opts->fingerprints };
	if (collect_jobs(s, &p.jobs, &p.njobs, err) < 0)
		return -1;
	p.first_failed = p.njobs;
	p.order = size_order(p.jobs, p.njobs);
	if (!s->opts->no_cache) {
		char *warning = NULL;
		p.cache = lg_cache_open(s->opts->cache_dir, &warning);
		p.cache_warning = warning;
	}
	stack *stacks = p.cache ? load_stacks(s, &p) : NULL;
	pthread_mutex_init(&p.lock, NULL);
	if (p.njobs)
		run_pool(&p);
	check_total(&p);
	free(p.order);
	int r = p.first_failed < p.njobs ? job_error(s, &p.jobs[p.first_failed], err) : 0;
	s->layers = lg_xcalloc(p.njobs ? p.njobs : 1, sizeof(*s->layers));
	for (size_t i = 0; i < p.njobs; i++) {
		lg_error_clear(&p.jobs[i].err);
		if (r < 0) {
			lg_whiteout_map_free(p.jobs[i].hides);
			free(p.jobs[i].results);
			lg_layer_free(p.jobs[i].layer);
			continue;
		}
		s->layers[i] = (lg_scanned_layer){
			.desc = p.jobs[i].desc,
			.layer = p.jobs[i].layer,
			.cached = p.jobs[i].cached,
			.blob_unchanged = p.jobs[i].unchanged,
			.blob_by_digest = p.jobs[i].by_digest,
			.cache_rejected = p.jobs[i].rejected,
			.results = p.jobs[i].results,
			.hides = p.jobs[i].hides,
		};
		s->cached_layers += p.jobs[i].cached;
		s->unchanged_blobs += p.jobs[i].unchanged;
		s->rejected_cache_entries += p.jobs[i].rejected;
		s->uncompressed_bytes += p.jobs[i].layer->tar_bytes;
	}
	s->nlayers = r < 0 ? 0 : p.njobs;
	free(p.jobs);
	if (r == 0) {
		/* The workers classified each layer and mapped what it hides;
		 * what remains is where each image's files went. */
		s->images = lg_xcalloc(s->set->nimages, sizeof(*s->images));
		for (size_t i = 0; i < s->set->nimages; i++)
			scan_image(s, i, &p, stacks ? &stacks[i] : NULL);
		free_whiteout_maps(s);
	}
	for (size_t i = 0; stacks && i < s->set->nimages; i++)
		lg_cache_stack_free(stacks[i].entry);
	free(stacks);
	pthread_mutex_destroy(&p.lock);
	lg_cache_free(p.cache);
	if (p.cache_warning)
		fprintf(stderr, "licgate: warning: %s: the cache was not fully written\n",
			p.cache_warning);
	free(p.cache_warning);
	return r;
}

/* ---- directory license files, per image ----------------------------- */

/* The license files governing file f (of layer l, at position pos) in
 * image si, or NULL: its npm package's SEE LICENSE IN file, else those of
 * its directory unless its own license is stronger (classify.h): then its
 * result cannot change, as for most files of an image with node_modules. */
static const lg_licfile_dir *governing(const lg_scanned_image *si, size_t pos,
				       const lg_layer *l, const lg_file *f)
{
	if (!si->licfiles)
		return NULL;
	const lg_licfile_dir *d = f->package && !l->packages[f->package - 1].also
		? lg_licfile_package(si->licfiles, pos, f->package - 1) : NULL;
	if (!d && (f->ntags || f->sidecar || f->package))
		return NULL;
	if (!d)
		d = lg_licfile_lookup(si->licfiles, f->path, f->len);
	return d && d->n ? d : NULL;
}

static bool same_says(const lg_licfile_says *a, const lg_licfile_says *b)
{
	return a->path == b->path && a->len == b->len && a->layer == b->layer &&
	       a->line == b->line && a->expr == b->expr && a->expr_len == b->expr_len &&
	       a->text == b->text && a->target == b->target && a->target_len == b->target_len &&
	       a->target_layer == b->target_layer;
}

/* Do a and b (each may be NULL) say the same, so classify alike? */
static bool same_dir(const lg_licfile_dir *a, const lg_licfile_dir *b)
{
	if (!a || !b)
		return a == b;
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (!same_says(&a->says[i], &b->says[i]))
			return false;
	return true;
}

static lg_file_result result_of(const lg_classification *c)
{
	return (lg_file_result){ .outcome = (uint8_t)c->outcome, .level = (uint8_t)c->level,
				 .class_name = c->class_name };
}

/* The first image that has layer sl: classify the files its license files
 * govern in place (the workers classified each layer alone). */
static void classify_first(lg_scan *s, lg_scanned_image *si, size_t pos, lg_scanned_layer *sl)
{
	const lg_scan_options *o = s->opts;
	const lg_layer *l = sl->layer;
	lg_classification c;
	for (size_t k = 0; si->licfiles && k < l->nfiles; k++) {
		const lg_licfile_dir *d = governing(si, pos, l, &l->files[k]);
		if (!d)
			continue;
		if (!sl->lic)
			sl->lic = lg_xcalloc(l->nfiles, sizeof(*sl->lic));
		sl->lic[k] = d;
		lg_classify_dir(o->rules, o->target, l, &l->files[k], d, &c);
		sl->results[k] = result_of(&c);
	}
}

/* Another image that has layer sl: its own view when its license files
 * govern some file otherwise than the first image's did. */
static void classify_again(lg_scan *s, lg_scanned_image *si, size_t pos, lg_scanned_layer *sl)
{
	const lg_scan_options *o = s->opts;
	const lg_layer *l = sl->layer;
	lg_image_layer *v = &si->view[pos];
	lg_file_result *results = NULL;
	const lg_licfile_dir **lic = NULL;
	lg_classification c;
	if (!si->licfiles && !sl->lic)
		return; /* no license file in either image: nothing differs */
	for (size_t k = 0; k < l->nfiles; k++) {
		const lg_licfile_dir *d = governing(si, pos, l, &l->files[k]);
		const lg_licfile_dir *first = sl->lic ? sl->lic[k] : NULL;
		if (!results && same_dir(d, first))
			continue;
		if (!results) { /* the first difference: from here on, this image's */
			results = lg_xcalloc(l->nfiles, sizeof(*results));
			memcpy(results, sl->results, l->nfiles * sizeof(*results));
			lic = lg_xcalloc(l->nfiles, sizeof(*lic));
			if (sl->lic)
				memcpy(lic, sl->lic, l->nfiles * sizeof(*lic));
		}
		lic[k] = d;
		if (same_dir(d, first))
			continue;
		lg_classify_dir(o->rules, o->target, l, &l->files[k], d, &c);
		results[k] = result_of(&c);
	}
	if (results)
		*v = (lg_image_layer){ .results = results, .lic = lic, .own = true };
}

/* Directory license files (evidence_licfile.h): a stage per image, after
 * whiteouts, since the license file of a directory may be in another
 * layer than the files below it.  Only the files below a license file are
 * classified again; a layer that images share, in each image with that
 * image's license files.  first[id] is the first image that has layer id
 * (SIZE_MAX: none yet). */
static int license_files(lg_scan *s, size_t idx, size_t *first, lg_error *err)
{
	const lg_scan_options *o = s->opts;
	lg_scanned_image *si = &s->images[idx];
	size_t n = si->image->nlayers;
	const lg_layer **layers_of = lg_xcalloc(n ? n : 1, sizeof(*layers_of));
	for (size_t i = 0; i < n; i++)
		layers_of[i] = s->layers[si->layer_ids[i]].layer;
	si->licfiles = lg_licfile_index_new(o->rules, layers_of, n);
	free(layers_of);
	si->view = lg_xcalloc(n ? n : 1, sizeof(*si->view));
	for (size_t i = 0; i < n; i++) {
		size_t id = si->layer_ids[i];
		lg_scanned_layer *sl = &s->layers[id];
		if (first[id] == SIZE_MAX) {
			first[id] = idx;
			classify_first(s, si, i, sl);
		} else if (first[id] != idx) {
			classify_again(s, si, i, sl);
		}
		if (!si->view[i].own)
			si->view[i] = (lg_image_layer){ .results = sl->results, .lic = sl->lic };
	}
	return lg_rules_match_error(o->rules, err);
}

void lg_scan_classify(const lg_scan *s, const lg_scanned_image *si, size_t pos,
		      const lg_file *f, lg_classification *out)
{
	const lg_scanned_layer *sl = &s->layers[si->layer_ids[pos]];
	const lg_image_layer *v = &si->view[pos];
	const lg_licfile_dir *d = v->lic ? v->lic[f - sl->layer->files] : NULL;
	lg_classify_dir(s->opts->rules, s->opts->target, sl->layer, f, d, out);
}

int lg_scan_run(const lg_scan_options *opts, lg_scan **out, lg_error *err)
{
	double start = now();
	lg_input *in = NULL;
	if (lg_input_open_with(opts->image, opts->remote, &in, err) < 0)
		return -1;
	lg_scan *s = lg_xcalloc(1, sizeof(*s));
	s->opts = opts;
	/* oci:DIR:REF selects REF, as --ref does. */
	lg_select select = opts->select;
	const char *transport_ref[1] = { lg_input_ref(in) };
	if (transport_ref[0] && select.nrefs == 0) {
		select.refs = transport_ref;
		select.nrefs = 1;
	}
	int r = lg_oci_load(in, &select, &s->set, err);
	if (r == 0)
		r = walk_layers(s, in, err);
	lg_input_free(in);
	/* Directory license files: per image, after its whiteouts. */
	size_t *first = lg_xcalloc(r == 0 && s->nlayers ? s->nlayers : 1, sizeof(*first));
	for (size_t i = 0; r == 0 && i < s->nlayers; i++)
		first[i] = SIZE_MAX;
	for (size_t i = 0; r == 0 && i < s->set->nimages; i++)
		r = license_files(s, i, first, err);
	free(first);
	if (r < 0) {
		lg_scan_free(s);
		return lg_err_prefix(err, "%s", opts->image);
	}
	s->seconds = now() - start;
	*out = s;
	return 0;
}

double lg_scan_mb_per_second(const lg_scan *s)
{
	return s->seconds > 1e-6 ? (double)s->uncompressed_bytes / 1e6 / s->seconds : 0.0;
}

void lg_scan_free(lg_scan *s)
{
	if (!s)
		return;
	for (size_t i = 0; s->set && s->images && i < s->set->nimages; i++) {
		lg_scanned_image *si = &s->images[i];
		size_t n = si->image ? si->image->nlayers : 0;
		for (size_t j = 0; si->deleted_by && j < n; j++)
			free(si->deleted_by[j]);
		free(si->deleted_by);
		for (size_t j = 0; si->view && j < n; j++)
			if (si->view[j].own) {
				free((void *)si->view[j].results);
				free((void *)si->view[j].lic);
			}
		free(si->view);
		free(si->layer_ids);
		lg_licfile_index_free(si->licfiles);
	}
	free(s->images);
	free_whiteout_maps(s);
	for (size_t i = 0; i < s->nlayers; i++) {
		free(s->layers[i].lic);
		lg_layer_free(s->layers[i].layer);
		free(s->layers[i].results);
	}
	free(s->layers);
	lg_image_set_free(s->set);
	free(s);
}
