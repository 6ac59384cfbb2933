/* scan.c - see scan.h */
#include "scan.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"
#include "whiteout.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The index of the distinct layer with this digest, walking it first if
 * no earlier image had it. */
static int layer_id(lg_scan *s, lg_input *in, const lg_layer_desc *d,
		    size_t *id, lg_error *err)
{
	for (size_t i = 0; i < s->nlayers; i++) {
		if (strcmp(s->layers[i].desc->digest.str, d->digest.str) == 0) {
			if (strcmp(s->layers[i].desc->diff_id.str, d->diff_id.str) != 0)
				return lg_err(err, "layer %s: images disagree on its diff_id", d->digest.str);
			*id = i;
			return 0;
		}
	}
	lg_layer *layer = NULL;
	if (lg_layer_scan(in, d, s->opts->rules, &layer, err) < 0)
		return -1;
	s->layers = lg_xrealloc(s->layers, (s->nlayers + 1) * sizeof(*s->layers));
	s->layers[s->nlayers] = (lg_scanned_layer){ .desc = d, .layer = layer };
	*id = s->nlayers++;
	return 0;
}

static void classify_layer(const lg_scan_options *o, lg_scanned_layer *sl)
{
	const lg_layer *l = sl->layer;
	sl->results = lg_xcalloc(l->nfiles, sizeof(*sl->results));
	lg_classification c;
	for (size_t i = 0; i < l->nfiles; i++) {
		lg_classify(o->rules, o->target, l, &l->files[i], &c);
		sl->results[i] = (lg_file_result){
			.outcome = (uint8_t)c.outcome,
			.level = (uint8_t)c.level,
			.class_name = c.class_name,
		};
	}
}

static int scan_image(lg_scan *s, lg_input *in, size_t idx, lg_error *err)
{
	const lg_image *img = &s->set->images[idx];
	lg_scanned_image *si = &s->images[idx];
	si->image = img;
	si->layer_ids = lg_xcalloc(img->nlayers, sizeof(size_t));
	si->deleted_by = lg_xcalloc(img->nlayers, sizeof(uint32_t *));
	for (size_t i = 0; i < img->nlayers; i++) {
		size_t before = s->nlayers;
		if (layer_id(s, in, &img->layers[i], &si->layer_ids[i], err) < 0)
			return lg_err_prefix(err, "%s %s: layer %zu (%s)",
					     img->media_type ? "manifest" : "image", img->digest.str,
					     i + 1, img->layers[i].path ? img->layers[i].path
									 : img->layers[i].digest.str);
		if (s->nlayers > before)
			classify_layer(s->opts, &s->layers[si->layer_ids[i]]);
	}
	const lg_layer **stack = lg_xcalloc(img->nlayers, sizeof(*stack));
	for (size_t i = 0; i < img->nlayers; i++) {
		stack[i] = s->layers[si->layer_ids[i]].layer;
		si->deleted_by[i] = lg_xcalloc(stack[i]->nfiles, sizeof(uint32_t));
	}
	lg_whiteout_resolve(stack, img->nlayers, si->deleted_by);
	free(stack);
	return 0;
}

int lg_scan_run(const lg_scan_options *opts, lg_scan **out, lg_error *err)
{
	double start = now();
	lg_input *in = NULL;
	if (lg_input_open(opts->image, &in, err) < 0)
		return -1;
	lg_scan *s = lg_xcalloc(1, sizeof(*s));
	s->opts = opts;
	int r = lg_oci_load(in, &opts->select, &s->set, err);
	if (r == 0) {
		s->images = lg_xcalloc(s->set->nimages, sizeof(*s->images));
		for (size_t i = 0; i < s->set->nimages && r == 0; i++)
			r = scan_image(s, in, i, err);
	}
	lg_input_free(in);
	if (r < 0) {
		lg_scan_free(s);
		return lg_err_prefix(err, "%s", opts->image);
	}
	s->seconds = now() - start;
	*out = s;
	return 0;
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
		free(si->layer_ids);
	}
	free(s->images);
	for (size_t i = 0; i < s->nlayers; i++) {
		lg_layer_free(s->layers[i].layer);
		free(s->layers[i].results);
	}
	free(s->layers);
	lg_image_set_free(s->set);
	free(s);
}
