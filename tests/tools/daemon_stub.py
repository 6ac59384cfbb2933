#!/usr/bin/env python3
"""daemon_stub.py - the part of the Docker engine API licgate reads, on a
unix socket, replaying `docker save` streams.

Usage: daemon_stub.py SOCKET SAVE.tar MODE
SOCKET is a unix socket path, or tcp:PORTFILE to listen on 127.0.0.1 (a
free port, written to PORTFILE).
  GET /_ping                      200, Api-Version: 1.45
  GET /v1.45/images/NAME/get      the archive SAVE.tar (chunked), after MODE:
    normal     the whole archive
    truncated  half of it, then the connection is dropped (no last chunk)
    error      half of it, then the engine's JSON error, and a clean end
               (what dockerd writes when a save fails after the 200)
    missing    404 {"message": "No such image: NAME"}
The NAME asked for is appended to SOCKET.names.
"""
import os
import socket
import sys
from http.server import BaseHTTPRequestHandler
from socketserver import UnixStreamServer
from urllib.parse import unquote

sock, save, mode = sys.argv[1:4]
data = open(save, "rb").read()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def address_string(self):
        return "unix"

    def chunk(self, b):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(b), b))

    def do_GET(self):
        if self.path == "/_ping":
            self.send_response(200)
            self.send_header("Api-Version", "1.45")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"OK")
            return
        parts = self.path.split("/")
        if len(parts) != 5 or parts[1] != "v1.45" or parts[2] != "images" or parts[4] != "get":
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        name = unquote(parts[3])
        with open(sock + ".names", "a") as f:
            f.write(name + "\n")
        if mode == "missing":
            body = b'{"message":"No such image: %s"}' % name.encode()
            self.send_response(404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/x-tar")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        half = len(data) // 2
        if mode == "normal":
            for i in range(0, len(data), 65536):
                self.chunk(data[i : i + 65536])
        elif mode == "truncated":
            self.chunk(data[:half])
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            return
        elif mode == "error":
            self.chunk(data[:half])
            self.chunk(b'{"errorDetail":{"message":"write /var/lib/docker/tmp: no space left on device"},'
                       b'"error":"write /var/lib/docker/tmp: no space left on device"}\n')
        self.wfile.write(b"0\r\n\r\n")
        self.close_connection = True


if sock.startswith("tcp:"):
    from http.server import HTTPServer
    server = HTTPServer(("127.0.0.1", 0), Handler)
    portfile = sock[4:]
    sock = portfile
    with open(portfile + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(portfile + ".tmp", portfile)
else:
    if os.path.exists(sock):
        os.unlink(sock)
    server = UnixStreamServer(sock, Handler)
server.serve_forever()
