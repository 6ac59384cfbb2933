#!/usr/bin/env python3
"""registry_stub.py - a small OCI distribution server over an image layout,
for the misbehaviours a real registry will not show on demand.

Usage: registry_stub.py LAYOUT PORTFILE [MODE...]
Listens on 127.0.0.1 (a free port, written to PORTFILE), serves
  GET /v2/                      200, or 401 Basic with MODE auth
  GET /v2/NAME/manifests/REF    REF: a tag (index.json's ref.name) or a digest
  GET /v2/NAME/blobs/DIGEST
  GET /v2/NAME/tags/list        one tag per page, the next page in a Link
                                header (distribution's pagination)
Modes:
  auth        Basic auth, user "u", password "p", on every /v2/ request
  redirect    blobs answer 307 to a second server (another port: another
              origin) that refuses any request carrying Authorization, as S3
  cut         the first transfer of each blob stops halfway (the connection
              is closed after half its Content-Length)
  norange     Range is ignored: always 200 and the whole blob
  badrange    a Range is answered 206 from byte 0 (a lying Content-Range)
  ratelimit=N the first N requests get 429, Retry-After: 1, ratelimit-* headers
  lie         manifests are served with one byte changed
  plainrealm  401 Bearer with a plain-HTTP realm on a non-loopback host
"""
import base64
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

layout, portfile = sys.argv[1], sys.argv[2]
modes = set(a.split("=")[0] for a in sys.argv[3:])
limits = {a.split("=")[0]: int(a.split("=")[1]) for a in sys.argv[3:] if "=" in a}
lock = threading.Lock()
state = {"requests": 0, "cut": set()}
AUTH = "Basic " + base64.b64encode(b"u:p").decode()


def blob_path(digest):
    alg, _, hexpart = digest.partition(":")
    if alg not in ("sha256", "sha512") or not hexpart.isalnum():
        return None
    return os.path.join(layout, "blobs", alg, hexpart)


def find_tag(tag):
    with open(os.path.join(layout, "index.json")) as f:
        idx = json.load(f)
    for d in idx.get("manifests", []):
        name = d.get("annotations", {}).get("org.opencontainers.image.ref.name")
        if name == tag:
            return d
    return None


class BlobHost(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def do_GET(self):
        if self.headers.get("Authorization"):
            self.send_response(400)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        path = blob_path(self.path.rsplit("/", 1)[-1])
        if not path or not os.path.exists(path):
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        Registry.send_file(self, path, "application/octet-stream")


class Registry(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def plain(self, code, body=b"", headers=()):
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    @staticmethod
    def send_file(h, path, ctype, extra=()):
        data = open(path, "rb").read()
        rng = h.headers.get("Range")
        start = 0
        if rng and "norange" not in modes and rng.startswith("bytes="):
            start = 0 if "badrange" in modes else int(rng[6:].split("-")[0])
            h.send_response(206)
            h.send_header("Content-Range", "bytes %d-%d/%d" % (start, len(data) - 1, len(data)))
        else:
            h.send_response(200)
        h.send_header("Content-Type", ctype)
        for k, v in extra:
            h.send_header(k, v)
        body = data[start:]
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        if "cut" in modes and not rng:
            with lock:
                first = path not in state["cut"]
                state["cut"].add(path)
            if first and len(body) > 1:
                h.wfile.write(body[: len(body) // 2])
                h.wfile.flush()
                h.close_connection = True
                return
        h.wfile.write(body)

    def do_GET(self):
        with lock:
            state["requests"] += 1
            n = state["requests"]
        if "ratelimit" in modes and n <= limits["ratelimit"]:
            self.plain(429, b'{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}',
                       [("Retry-After", "1"), ("ratelimit-limit", "100;w=21600"),
                        ("ratelimit-remaining", "0;w=21600")])
            return
        if "plainrealm" in modes:
            self.plain(401, b"", [("WWW-Authenticate",
                                   'Bearer realm="http://token.invalid/token",service="stub"')])
            return
        if "auth" in modes and self.headers.get("Authorization") != AUTH:
            self.plain(401, b'{"errors":[{"code":"UNAUTHORIZED","message":"who are you"}]}',
                       [("WWW-Authenticate", 'Basic realm="stub"')])
            return
        parts = self.path.split("?")[0].split("/")
        if self.path == "/v2/":
            self.plain(200, b"{}")
            return
        if len(parts) < 5 or parts[1] != "v2":
            self.plain(404)
            return
        if parts[-2] == "tags" and parts[-1] == "list":
            from urllib.parse import parse_qs, urlparse
            q = parse_qs(urlparse(self.path).query)
            last = q.get("last", [""])[0]
            with open(os.path.join(layout, "index.json")) as f:
                idx = json.load(f)
            tags = sorted(d.get("annotations", {}).get("org.opencontainers.image.ref.name", "")
                          for d in idx["manifests"])
            rest = [t for t in tags if t and t > last]
            headers = []
            if len(rest) > 1:
                headers.append(("Link", '<%s?n=1&last=%s>; rel="next"' % (self.path.split("?")[0], rest[0])))
            name = "/".join(parts[2:-2])
            self.plain(200, json.dumps({"name": name, "tags": rest[:1]}).encode(), headers)
            return
        kind, ref = parts[-2], parts[-1]
        if kind == "manifests":
            if ref.startswith("sha"):
                digest = ref
                mt = None
            else:
                d = find_tag(ref)
                if not d:
                    self.plain(404, b'{"errors":[{"code":"MANIFEST_UNKNOWN"}]}')
                    return
                digest, mt = d["digest"], d["mediaType"]
            path = blob_path(digest)
            if not path or not os.path.exists(path):
                self.plain(404, b'{"errors":[{"code":"MANIFEST_UNKNOWN"}]}')
                return
            data = open(path, "rb").read()
            if mt is None:
                mt = json.loads(data).get("mediaType", "application/vnd.oci.image.manifest.v1+json")
            if "lie" in modes:
                data = data.replace(b"{", b"{ ", 1)
            self.plain(200, data, [("Content-Type", mt), ("Docker-Content-Digest", digest)])
            return
        if kind == "blobs":
            path = blob_path(ref)
            if not path or not os.path.exists(path):
                self.plain(404, b'{"errors":[{"code":"BLOB_UNKNOWN"}]}')
                return
            if "redirect" in modes:
                self.plain(307, b"", [("Location", "http://127.0.0.1:%d/blob/%s" % (blob_port, ref))])
                return
            Registry.send_file(self, path, "application/octet-stream")
            return
        self.plain(404)


blob_server = ThreadingHTTPServer(("127.0.0.1", 0), BlobHost)
blob_port = blob_server.server_address[1]
threading.Thread(target=blob_server.serve_forever, daemon=True).start()
server = ThreadingHTTPServer(("127.0.0.1", 0), Registry)
with open(portfile + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(portfile + ".tmp", portfile)
server.serve_forever()
