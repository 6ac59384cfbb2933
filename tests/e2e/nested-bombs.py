#!/usr/bin/env python3
"""nested-bombs.py - hostile archives for test_nested.sh, written by hand
(zipfile would refuse to write most of them).

Usage: python3 nested-bombs.py DIR    writes DIR/KIND.zip for every KIND:
  bomb42    zips within zips, 16 per level, 3 levels, each leaf 256 MiB of
            zeros deflated (the 42.zip shape: 1 TiB expanded)
  overlap   one deflated 4 MiB local file, 1024 central directory entries
            pointing at it (overlapping entries: 4 GiB expanded)
  claim     one member whose headers claim 4 GiB - 1, with 10 bytes of data
  deep      12 zips, each the only (stored) member of the next
  damaged   a zip signature and no zip behind it
  zeros     a zip of one 64 MiB member of zeros (for --max-bytes)
"""
import struct
import sys
import zlib

MIB = 1 << 20


def deflate_zeros(n):
    """Raw deflate of n zero bytes (n a multiple of 1 MiB), fast: after the
    first MiB every MiB compresses to the same bytes, so they repeat."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    z = bytes(MIB)
    first = c.compress(z) + c.flush(zlib.Z_SYNC_FLUSH)
    steady = c.compress(z) + c.flush(zlib.Z_SYNC_FLUSH)
    out = [first] + [steady] * (n // MIB - 1) + [c.flush()]
    # the CRC of a bomb's leaf is wrong on purpose (computing it would
    # take seconds): a limit stops the walk long before the end
    crc = 0
    if n <= 64 * MIB:
        for _ in range(n // MIB):
            crc = zlib.crc32(z, crc)
    return b"".join(out), crc


def zip_of(members):
    """members: (name, method, data, crc, usize) -> zip bytes."""
    body = b""
    cd = b""
    for name, method, data, crc, usize in members:
        nb = name.encode()
        off = len(body)
        body += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0x21,
                            crc, len(data), usize, len(nb), 0) + nb + data
        cd += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method, 0, 0x21,
                          crc, len(data), usize, len(nb), 0, 0, 0, 0, 0o100644 << 16,
                          off) + nb
    eocd = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members),
                       len(cd), len(body), 0)
    return body + cd + eocd


def deflated(name, data):
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    z = c.compress(data) + c.flush()
    return (name, 8, z, zlib.crc32(data), len(data))


def bomb42():
    data, crc = deflate_zeros(256 * MIB)
    z = zip_of([("0.bin", 8, data, crc, 256 * MIB)])
    for level in range(3):
        z = zip_of([deflated("%d-%x.zip" % (level, i), z) for i in range(16)])
    return z


def overlap():
    data, crc = deflate_zeros(4 * MIB)
    name = b"0.bin"
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(data),
                        4 * MIB, len(name), 0) + name + data
    cd = b""
    n = 1024
    for i in range(n):
        nb = ("%04d.bin" % i).encode()
        cd += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc,
                          len(data), 4 * MIB, len(nb), 0, 0, 0, 0, 0o100644 << 16, 0) + nb
    eocd = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, n, n, len(cd), len(local), 0)
    return local + cd + eocd


def claim():
    data = b"0123456789"
    return zip_of([("claims-4g.bin", 0, data, zlib.crc32(data), 0xFFFFFFFE)])


def deep():
    z = zip_of([("leaf.txt", 0, b"leaf\n", zlib.crc32(b"leaf\n"), 5)])
    for i in range(11):
        z = zip_of([("level%d.zip" % i, 0, z, zlib.crc32(z), len(z))])
    return z


def damaged():
    return b"PK\x03\x04" + bytes(range(256)) * 4


def zeros():
    data, crc = deflate_zeros(64 * MIB)
    return zip_of([("zeros.bin", 8, data, crc, 64 * MIB)])


if __name__ == "__main__":
    kinds = {"bomb42": bomb42, "overlap": overlap, "claim": claim, "deep": deep,
             "damaged": damaged, "zeros": zeros}
    for kind, make in kinds.items():
        with open("%s/%s.zip" % (sys.argv[1], kind), "wb") as f:
            f.write(make())
