#!/usr/bin/env python3
"""token_server.py - a Docker token server (distribution's auth.token) for
the tests: JWTs signed RS256 with a self-signed certificate (its chain in
the x5c header), which the registry trusts through auth.token.rootcertbundle.

Usage: token_server.py KEY.pem CERT.pem ISSUER PORTFILE [MODE...]
Listens on 127.0.0.1 (a free port, written to PORTFILE); GET /token?service=
S&scope=repository:NAME:pull grants what the scope asks.  Modes:
  auth          only for Basic u:p (401 otherwise)
  access_token  the reply names the token "access_token" (OAuth2), not "token"
Needs python3-cryptography (Debian); there is no JWT library in python3.
"""
import base64
import json
import os
import sys
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

key_file, cert_file, issuer, portfile = sys.argv[1:5]
modes = set(sys.argv[5:])
key = serialization.load_pem_private_key(open(key_file, "rb").read(), password=None)
cert = x509.load_pem_x509_certificate(open(cert_file, "rb").read())
x5c = base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()
AUTH = "Basic " + base64.b64encode(b"u:p").decode()


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt(claims):
    header = {"typ": "JWT", "alg": "RS256", "x5c": [x5c]}
    signing = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())
    sig = key.sign(signing.encode(), padding.PKCS1v15(), hashes.SHA256())
    return signing + "." + b64url(sig)


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def reply(self, code, obj):
        body = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        q = parse_qs(urlparse(self.path).query)
        if "auth" in modes and self.headers.get("Authorization") != AUTH:
            self.reply(401, {"details": "bad credentials"})
            return
        access = []
        for scope in q.get("scope", []):
            parts = scope.split(":")
            if len(parts) == 3 and parts[0] == "repository":
                access.append({"type": "repository", "name": parts[1],
                               "actions": parts[2].split(",")})
        now = int(time.time())
        claims = {"iss": issuer, "sub": "u" if "auth" in modes else "", "aud": q.get("service", [""])[0],
                  "exp": now + 300, "nbf": now - 10, "iat": now, "jti": str(uuid.uuid4()),
                  "access": access}
        name = "access_token" if "access_token" in modes else "token"
        self.reply(200, {name: jwt(claims), "expires_in": 300})


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(portfile + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(portfile + ".tmp", portfile)
server.serve_forever()
