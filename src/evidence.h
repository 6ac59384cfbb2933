/* evidence.h - evidence one file gives others, resolved after a layer's
 * walk, from what the walk kept (no second read of the blob):
 *
 *   REUSE sidecars: the tags of NAME.license license NAME;
 *   npm packages:   node_modules/<pkg>/package.json "license" (or the legacy
 *                   "licenses" array / {type} object) licenses every file of
 *                   the package directory, but not nested node_modules;
 *   Python:         NAME.dist-info/METADATA License-Expression (else
 *                   License) licenses the files its RECORD lists.
 *
 * A layer may hold a manifest and its files in any order; resolution runs
 * once the whole layer has been walked.  Evidence across layers is not
 * joined: a package's files and manifest ship in the layer that wrote them.
 */
#ifndef LICGATE_EVIDENCE_H
#define LICGATE_EVIDENCE_H

#include <stdbool.h>
#include <stddef.h>

#include "layer.h"
#include "strmap.h"

/* Is the file at path one whose content the walk must keep for
 * lg_evidence_resolve()? */
bool lg_is_package_manifest(const char *path, size_t len);

/* Set the sidecar and package links of l's files and fill l->packages from
 * l->captures, which it then releases. */
void lg_evidence_resolve(lg_layer *l);
/* The same with the walk's own map of l's file paths (each path -> 1 +
 * the index of the last file at it), so the paths are not hashed again. */
void lg_evidence_resolve_indexed(lg_layer *l, const lg_strmap *by_path);

#endif
