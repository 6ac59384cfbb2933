/* input_registry.h - an image in a registry (OCI distribution-spec), as an
 * lg_input: see input_registry.c.  Not for use outside src/input*.c; the
 * constructor is declared in input_backend.h.
 *
 * The registry is read as if it were an image layout: "oci-layout" and
 * "index.json" are made up (index.json lists the manifest of the reference,
 * or of every tag under --all-tags, named by org.opencontainers.image.
 * ref.name), and "blobs/ALG/HEX" is fetched by digest, a manifest from
 * /v2/NAME/manifests/, any other blob streamed from /v2/NAME/blobs/.  So
 * oci.c and blob.c verify a pulled image exactly as a local one, and a blob
 * is never written anywhere.
 *
 * The WWW-Authenticate parser is exported for the unit tests.
 */
#ifndef LICGATE_INPUT_REGISTRY_H
#define LICGATE_INPUT_REGISTRY_H

#include <stdbool.h>

typedef struct lg_challenge {
	bool basic, bearer;
	char *realm, *service, *scope, *error; /* Bearer's parameters, or NULL */
} lg_challenge;

/* Parse one WWW-Authenticate header value (RFC 7235: several challenges,
 * auth-params with quoted strings) into c, adding to what it holds. */
void lg_challenge_parse(const char *header, lg_challenge *c);
void lg_challenge_clear(lg_challenge *c);

#endif
