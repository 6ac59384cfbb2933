#!/usr/bin/env python3
"""bench/gen-packages.py - two package trees for the benchmark image.

usage: python3 bench/gen-packages.py DIR

Writes, deterministically (a fixed seed: the same trees on every machine,
the .pyc bytes those of the python3 that runs it):

  DIR/python/usr/local/lib/python3.11/dist-packages
      what `pip install` leaves on a Debian image: 240 packages, each a
      module directory with its byte-compiled __pycache__ (as py3compile
      or pip writes it) and a NAME-VER.dist-info with METADATA (License,
      License-Expression or classifiers) and RECORD; namespace packages
      whose files two RECORDs list (licgate joins their licenses); some
      .pyc files hold their module's SPDX tag in a string constant, so the
      tag's line runs into the NUL bytes of the marshalled code, as in
      real compiled modules
  DIR/node/app/node_modules
      an application's npm tree: 400 packages (a quarter of them scoped),
      package.json with "license" (string, object or legacy "licenses"),
      nested node_modules, sources with and without SPDX tags, LICENSE
      files, REUSE sidecars

so that the image looks like real images whatever the machine it is built
on has in /usr/lib/python3 and /usr/lib/node_modules.
"""
import json
import marshal
import os
import random
import sys

LICENSES = ["MIT", "BSD-3-Clause", "Apache-2.0", "ISC", "MPL-2.0", "LGPL-3.0-or-later",
            "Apache-2.0 OR MIT", "GPL-2.0-only", "PSF-2.0", "BSD-2-Clause"]
CLASSIFIERS = {"MIT": "MIT License", "BSD-3-Clause": "BSD License",
               "Apache-2.0": "Apache Software License", "ISC": "ISC License (ISCL)",
               "MPL-2.0": "Mozilla Public License 2.0 (MPL 2.0)", "PSF-2.0": "Python Software Foundation License"}
WORDS = ("data client server parse util core io http json yaml config cache sync "
         "stream text table graph model schema crypto path time locale").split()


def body(rng, lines):
    out = []
    for i in range(lines):
        w = rng.sample(WORDS, 3)
        out.append("    %s_%d = %s(%r, %d)  # %s\n" % (w[0], i, w[1], w[2], rng.randrange(1000), " ".join(w)))
    return "".join(out)


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    mode = "wb" if isinstance(data, bytes) else "w"
    with open(path, mode) as f:
        f.write(data)
    os.utime(path, (1700000000, 1700000000))


def python_tree(top, rng):
    site = os.path.join(top, "python/usr/local/lib/python3.11/dist-packages")
    for k in range(240):
        name = "%s%s%d" % (rng.choice(WORDS), rng.choice(WORDS), k)
        ver = "%d.%d.%d" % (rng.randrange(5), rng.randrange(20), rng.randrange(10))
        lic = rng.choice(LICENSES)
        files = []
        for m in range(rng.randrange(3, 18)):
            mod = "%s/%s.py" % (name, "__init__" if m == 0 else rng.choice(WORDS) + str(m))
            tagged = rng.random() < 0.3
            src = ("# SPDX-License-Identifier: %s\n" % lic if tagged else "") + \
                  '"""%s."""\n\ndef f():\n%s' % (mod, body(rng, rng.randrange(10, 200)))
            write(os.path.join(site, mod), src)
            files.append(mod)
            code = compile(src + ("__license__ = 'SPDX-License-Identifier: %s'\n" % lic
                                  if tagged and rng.random() < 0.5 else ""), mod, "exec")
            pyc = "%s/__pycache__/%s.cpython-311.pyc" % tuple(mod.rsplit("/", 1))
            pyc = pyc.replace(".py.cpython", ".cpython")
            write(os.path.join(site, pyc), b"\xa7\r\r\n" + bytes(12) + marshal.dumps(code))
            files.append(pyc)
        # a namespace package two distributions install into (both RECORDs)
        if k % 12 == 1:
            shared = "zope/interface/_shared%d.py" % (k // 12)
            write(os.path.join(site, shared), "# shared\n" + body(rng, 20))
            files.append(shared)
            files.append("zope/interface/_shared%d.py" % max(0, k // 12 - 1))
        info = "%s-%s.dist-info" % (name, ver)
        meta = "Metadata-Version: 2.1\nName: %s\nVersion: %s\n" % (name, ver)
        style = rng.randrange(3)
        if style == 0:
            meta += "License-Expression: %s\n" % lic
        elif style == 1:
            meta += "License: %s\n" % lic
        else:
            meta += "Classifier: License :: OSI Approved :: %s\n" % CLASSIFIERS.get(lic, "MIT License")
        meta += "Requires-Python: >=3.8\n\n%s\n" % body(rng, 20)
        write(os.path.join(site, info, "METADATA"), meta)
        write(os.path.join(site, info, "WHEEL"), "Wheel-Version: 1.0\nRoot-Is-Purelib: true\n")
        record = ["%s,sha256=%s,%d" % (f, "x" * 43, rng.randrange(100, 9000)) for f in files]
        record += ["%s/METADATA,," % info, "%s/WHEEL,," % info, "%s/RECORD,," % info,
                   "../../../bin/%s,," % name]
        write(os.path.join(site, info, "RECORD"), "\n".join(record) + "\n")


def node_tree(top, rng):
    root = os.path.join(top, "node/app/node_modules")
    for k in range(400):
        base = "%s-%s%d" % (rng.choice(WORDS), rng.choice(WORDS), k)
        name = "@%s/%s" % (rng.choice(WORDS), base) if k % 4 == 0 else base
        nested = k % 10 == 3
        parent = root if not nested else os.path.join(root, "%s-%s%d" % (
            WORDS[0], WORDS[1], 0), "node_modules")
        d = os.path.join(parent, name)
        lic = rng.choice(LICENSES)
        pkg = {"name": name, "version": "1.%d.0" % k, "main": "index.js"}
        style = rng.randrange(6)
        if style < 4:
            pkg["license"] = lic
        elif style == 4:
            pkg["license"] = {"type": lic, "url": "https://example.org/license"}
        else:
            pkg["licenses"] = [{"type": lic}, {"type": "MIT"}]
        write(os.path.join(d, "package.json"), json.dumps(pkg, indent=2) + "\n")
        write(os.path.join(d, "LICENSE"), "%s License\n\nCopyright (c) %d\n%s" % (lic, 2000 + k % 24, body(rng, 15)))
        for m in range(rng.randrange(2, 16)):
            sub = rng.choice(["", "lib/", "dist/", "src/"])
            f = "%s%s%d.js" % (sub, rng.choice(WORDS), m)
            tag = "// SPDX-License-Identifier: %s\n" % lic if rng.random() < 0.2 else ""
            write(os.path.join(d, f), tag + "'use strict';\n" + body(rng, rng.randrange(5, 150)).replace("#", "//"))
        if k % 25 == 0:
            write(os.path.join(d, "logo.svg"), "<svg/>\n")
            write(os.path.join(d, "logo.svg.license"), "SPDX-FileCopyrightText: 2024 x\nSPDX-License-Identifier: CC-BY-4.0\n")


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: gen-packages.py DIR")
    rng = random.Random(14)
    python_tree(sys.argv[1], rng)
    node_tree(sys.argv[1], rng)


main()
