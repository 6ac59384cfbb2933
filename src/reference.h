/* reference.h - where an image is: a transport and its reference, with
 * skopeo's names (containers-transports(5)).
 *
 *   docker://REF             a registry (the distribution reference grammar)
 *   docker-daemon:REF        the local Docker or Podman engine
 *   oci:DIR[:REF]            an OCI image layout directory
 *   oci-archive:PATH[:REF]   a tar of one
 *   docker-archive:PATH[:REF] a `docker save` tarball
 *   anything else            a path, as always ("-": standard input)
 *
 * REF of docker:// and docker-daemon: is normalized as docker does
 * (github.com/distribution/reference, ParseNormalizedNamed): "alpine" is
 * docker.io/library/alpine:latest, "myhost/app" is on docker.io (its first
 * component has no '.' or ':' and is not "localhost"), index.docker.io is
 * docker.io, and a digest wins over a tag (ParseDockerRef).
 *
 * Ownership: lg_source_parse() and lg_reference_parse() fill a struct
 * whose strings it owns; release them with lg_source_clear() and
 * lg_reference_clear().
 */
#ifndef LICGATE_REFERENCE_H
#define LICGATE_REFERENCE_H

#include <stdbool.h>

#include "error.h"

typedef struct lg_reference {
	char *domain; /* "docker.io", "localhost:5000", "[::1]:5000" */
	char *path;   /* "library/alpine" */
	char *tag;    /* "latest" when neither tag nor digest was given; NULL
		       * when the digest won */
	char *digest; /* "sha256:...", or NULL */
	char *name;   /* domain/path */
	char *str;    /* domain/path:tag or domain/path@digest */
} lg_reference;

/* Parse and normalize s.  Returns -1 with err saying what is wrong (the
 * messages of distribution/reference: "invalid reference format",
 * "repository name must be lowercase", ...). */
int lg_reference_parse(const char *s, lg_reference *out, lg_error *err);

/* Parse a repository name only (no tag, no digest), for --all-tags. */
int lg_reference_parse_repo(const char *s, lg_reference *out, lg_error *err);

void lg_reference_clear(lg_reference *r);

enum lg_transport {
	LG_TRANSPORT_PATH, /* no transport: a path, as before */
	LG_TRANSPORT_DOCKER,
	LG_TRANSPORT_DAEMON,
	LG_TRANSPORT_OCI,
	LG_TRANSPORT_OCI_ARCHIVE,
	LG_TRANSPORT_DOCKER_ARCHIVE,
};

typedef struct lg_source {
	enum lg_transport transport;
	char *path;          /* PATH and the oci/archive forms: the file */
	char *ref;           /* oci:DIR:REF and the archives: REF, or NULL */
	lg_reference remote; /* docker:// and docker-daemon:; for an image ID
			      * (docker-daemon:sha256:HEX) only digest and
			      * str are set */
} lg_source;

/* Split arg into its transport and reference.  An argument without a
 * known transport prefix is a path. */
int lg_source_parse(const char *arg, lg_source *out, lg_error *err);
void lg_source_clear(lg_source *s);

/* "docker", "docker-daemon", ... for messages. */
const char *lg_transport_name(enum lg_transport t);

#endif
