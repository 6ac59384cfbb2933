/* input_backend.h - what an input backend (input_layout.c, input_archive.c)
 * provides to input.c.  Not for use outside src/input*.c.
 */
#ifndef LICGATE_INPUT_BACKEND_H
#define LICGATE_INPUT_BACKEND_H

#include "input.h"

typedef struct lg_input_ops {
	/* Open the file at the checked relative name; ENOENT-like failure must
	 * set *missing so input.c can say "missing" rather than "error". */
	int (*open)(lg_input *in, const char *name, lg_stream **out,
		    uint64_t *size, bool *missing, lg_error *err);
	void (*free)(lg_input *in);
	/* May be NULL: what the image's top holds (LG_ROOT_*, input.h), when
	 * the backend knows without probing for files. */
	unsigned (*root)(lg_input *in);
} lg_input_ops;

/* Every backend's struct starts with this. */
struct lg_input {
	const lg_input_ops *ops;
	char *path;       /* as the user gave it */
	const char *form; /* "directory", "archive", "stdin", "registry", "daemon" */
	char *ref;        /* oci:DIR:REF and the archives' REF, or NULL */
	bool by_digest;   /* blobs fetched by digest from a registry */
};

/* Backends' constructors.  They take ownership of fd on success and on
 * failure alike. */
int lg_input_layout_open(const char *path, int dirfd, lg_input **out,
			 lg_error *err);
int lg_input_archive_open(const char *path, int fd, const char *form,
			  lg_input **out, lg_error *err);

/* A registry (input_registry.c) and the local engine (input_daemon.c). */
struct lg_reference;
int lg_input_registry_open(const char *arg, const struct lg_reference *ref,
			   const lg_remote_options *opts, lg_input **out, lg_error *err);
int lg_input_daemon_open(const char *arg, const struct lg_reference *ref,
			 const lg_remote_options *opts, lg_input **out, lg_error *err);

/* An anonymous temporary file (O_TMPFILE, or unlinked at once). */
int lg_input_temp_file(lg_error *err);

/* For tests: open layout files as if the kernel had no openat2 (every
 * symlink refused). */
void lg_input_layout_no_openat2(bool on);

/* A stream over fd[offset, offset + size) read with pread(); the fd is
 * borrowed. */
lg_stream *lg_window_stream(int fd, uint64_t offset, uint64_t size);

#endif
