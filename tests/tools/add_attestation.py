#!/usr/bin/env python3
"""add_attestation.py - give an OCI layout's first image an attestation, as
BuildKit does: index.json -> an index holding the image manifest and an
in-toto manifest annotated vnd.docker.reference.type: attestation-manifest.

Usage: add_attestation.py LAYOUT TAG   (LAYOUT is changed in place)
"""
import hashlib
import json
import os
import sys

layout, tag = sys.argv[1], sys.argv[2]


def put(data):
    d = hashlib.sha256(data).hexdigest()
    with open(os.path.join(layout, "blobs", "sha256", d), "wb") as f:
        f.write(data)
    return {"digest": "sha256:" + d, "size": len(data)}


with open(os.path.join(layout, "index.json")) as f:
    top = json.load(f)
image = dict(top["manifests"][0])
image.pop("annotations", None)
image["platform"] = {"os": "linux", "architecture": "amd64"}
statement = put(b'{"_type":"https://in-toto.io/Statement/v0.1","predicateType":"https://spdx.dev/Document","subject":[]}')
config = put(b"{}")
att = json.dumps({
    "schemaVersion": 2,
    "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "config": dict(config, mediaType="application/vnd.oci.image.config.v1+json"),
    "layers": [dict(statement, mediaType="application/vnd.in-toto+json",
                    annotations={"in-toto.io/predicate-type": "https://spdx.dev/Document"})],
}).encode()
att_desc = dict(put(att), mediaType="application/vnd.oci.image.manifest.v1+json",
                platform={"os": "unknown", "architecture": "unknown"},
                annotations={"vnd.docker.reference.type": "attestation-manifest",
                             "vnd.docker.reference.digest": image["digest"]})
index = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                    "manifests": [image, att_desc]}).encode()
idx = dict(put(index), mediaType="application/vnd.oci.image.index.v1+json",
           annotations={"org.opencontainers.image.ref.name": tag})
top["manifests"] = [idx]
with open(os.path.join(layout, "index.json"), "w") as f:
    json.dump(top, f)
