/* fuzz_input.c - input detection (input.c, input_archive.c): what
 * lg_input_open() makes of a file holding the bytes - an oci-archive, a
 * docker archive, either compressed, or garbage - and then the whole JSON
 * walk (lg_oci_load) over it.
 *
 * The bytes are written to a memfd and opened by its /proc/self/fd path,
 * so nothing is left on disk; compressed input is spooled by input.c into
 * an anonymous temporary file as in a real run.  Invariants: a failure
 * says why; a loaded image's layer blobs can be opened.
 */
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "oci.h"

static void open_layers(lg_input *in, const lg_image_set *set)
{
	for (size_t i = 0; i < set->nimages; i++) {
		const lg_image *img = &set->images[i];
		for (size_t l = 0; l < img->nlayers; l++) {
			const lg_layer_desc *d = &img->layers[l];
			lg_stream *s = NULL;
			lg_error err = LG_ERROR_INIT;
			int r = d->path ? lg_input_open_path(in, d->path, &s, NULL, &err)
					: lg_input_open_blob(in, &d->digest, &s, &err);
			FUZZ_CHECK(r == 0 || err.msg != NULL);
			if (r == 0) {
				char buf[4096];
				while (lg_stream_read(s, buf, sizeof buf) > 0)
					;
			}
			lg_stream_close(s);
			lg_error_clear(&err);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz-input", MFD_CLOEXEC);
	FUZZ_CHECK(fd >= 0);
	FUZZ_CHECK(write(fd, data, size) == (ssize_t)size);
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);

	lg_input *in = NULL;
	lg_error err = LG_ERROR_INIT;
	if (lg_input_open(path, &in, &err) < 0) {
		FUZZ_CHECK(err.msg != NULL);
	} else {
		lg_select sel = { 0 };
		lg_image_set *set = NULL;
		if (lg_oci_load(in, &sel, &set, &err) == 0) {
			open_layers(in, set);
			lg_image_set_free(set);
		} else {
			FUZZ_CHECK(err.msg != NULL);
		}
		lg_input_free(in);
	}
	lg_error_clear(&err);
	close(fd);
	return 0;
}
