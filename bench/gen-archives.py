#!/usr/bin/env python3
"""bench/gen-archives.py OUT - the benchmark's archive layer (issue 17):
what a JVM or Python application image ships, the same on every machine.

Writes OUT/opt/app/lib/*.jar (48 jars of 150 deflated .java sources each,
with an MIT or Apache-2.0 header, a META-INF/MANIFEST.MF, and in every
eighth jar a nested jar of 40 sources, as a Spring Boot fat jar holds) and
OUT/opt/app/wheels/*.whl (32 wheels of 60 modules each, with a
*.dist-info/METADATA, WHEEL and RECORD).  Content is generated from a
fixed seed; zip time stamps are pinned to 1980-01-01.
"""
import io
import os
import random
import sys
import zipfile

DATE = (1980, 1, 1, 0, 0, 0)
rng = random.Random(17)
WORDS = ("request response handler session token realm client server cache "
         "buffer stream reader writer config value index entry record").split()


def source(license_id, package, name, lines):
    out = ["// SPDX-License-Identifier: %s" % license_id, "package %s;" % package, "",
           "public class %s {" % name]
    for i in range(lines):
        a, b = rng.choice(WORDS), rng.choice(WORDS)
        out.append('    public String %s%d() { return "%s-%s-%d"; }' % (a, i, b, a, rng.randrange(1 << 20)))
    out.append("}")
    return ("\n".join(out) + "\n").encode()


def put(z, name, data):
    info = zipfile.ZipInfo(name, DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    z.writestr(info, data)


def jar(n_sources, package, license_id, nested=None):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        put(z, "META-INF/MANIFEST.MF", b"Manifest-Version: 1.0\nCreated-By: gen-archives.py\n")
        for i in range(n_sources):
            put(z, "%s/C%03d.java" % (package.replace(".", "/"), i),
                source(license_id, package, "C%03d" % i, rng.randrange(20, 120)))
        if nested:
            put(z, "BOOT-INF/lib/%s" % nested[0], nested[1])
    return buf.getvalue()


def wheel(name, n_modules, license_id):
    buf = io.BytesIO()
    info = "%s-1.0.dist-info" % name
    record = []
    with zipfile.ZipFile(buf, "w") as z:
        for i in range(n_modules):
            path = "%s/m%03d.py" % (name, i)
            body = "# SPDX-License-Identifier: %s\n" % license_id + "".join(
                "def %s_%d():\n    return %r\n\n" % (rng.choice(WORDS), j, rng.choice(WORDS))
                for j in range(rng.randrange(10, 60)))
            put(z, path, body.encode())
            record.append(path + ",,")
        put(z, info + "/METADATA", ("Metadata-Version: 2.4\nName: %s\nVersion: 1.0\n"
                                    "License-Expression: %s\n" % (name, license_id)).encode())
        put(z, info + "/WHEEL", b"Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        record += [info + "/METADATA,,", info + "/WHEEL,,", info + "/RECORD,,"]
        put(z, info + "/RECORD", ("\n".join(record) + "\n").encode())
    return buf.getvalue()


def main():
    out = sys.argv[1]
    lib = os.path.join(out, "opt/app/lib")
    whl = os.path.join(out, "opt/app/wheels")
    os.makedirs(lib)
    os.makedirs(whl)
    licenses = ("MIT", "Apache-2.0")
    for i in range(48):
        nested = None
        if i % 8 == 0:
            nested = ("inner%02d.jar" % i, jar(40, "org.inner%d" % i, "MIT"))
        data = jar(150, "org.lib%d" % i, licenses[i % 2], nested)
        with open(os.path.join(lib, "lib%02d-1.0.jar" % i), "wb") as f:
            f.write(data)
    for i in range(32):
        name = "pkg%02d" % i
        with open(os.path.join(whl, "%s-1.0-py3-none-any.whl" % name), "wb") as f:
            f.write(wheel(name, 60, licenses[i % 2]))


if __name__ == "__main__":
    main()
