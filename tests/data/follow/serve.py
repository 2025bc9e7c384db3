#!/usr/bin/env python3
"""A local publication for the follow tests (127.0.0.1 only).

  serve.py PORT_FILE ROOT LOG

Binds a free port on 127.0.0.1, writes the port number to PORT_FILE and
serves the files under ROOT until it is killed (or for 1800 seconds at
most). The tests edit ROOT between runs, as a publisher edits a site.

Every file is served with an ETag (a hash of its bytes) and a
Last-Modified (its mtime), and a request whose If-None-Match or
If-Modified-Since still holds is answered 304. Each request is appended to
LOG as one line: METHOD PATH STATUS USER-AGENT.

Content types: .xml as application/rss+xml (sitemap*.xml and atom*.xml as
application/xml and application/atom+xml), .json as application/feed+json,
.html as text/html; charset=utf-8 (a file named *.latin1.html as text/html;
charset=ISO-8859-1), .txt as text/plain.

Routes beside the files:
  /fail/...        500, as a broken server answers
  /busy/...        503 with Retry-After: 7200
  /moved/PATH      301 to /PATH
  /huge.html       a 50 MiB page, sent in chunks without a length
"""
import email.utils
import hashlib
import http.server
import os
import sys
import threading

ROOT = os.path.abspath(sys.argv[2])
LOG = sys.argv[3]
LOG_LOCK = threading.Lock()


def content_type(name):
    if name.endswith(".latin1.html"):
        return "text/html; charset=ISO-8859-1"
    if name.endswith(".html"):
        return "text/html; charset=utf-8"
    if name.startswith("sitemap") and name.endswith(".xml"):
        return "application/xml"
    if name.startswith("atom") and name.endswith(".xml"):
        return "application/atom+xml"
    if name.endswith(".xml"):
        return "application/rss+xml"
    if name.endswith(".json"):
        return "application/feed+json"
    return "text/plain; charset=utf-8"


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def log_request(self, code="-", size="-"):
        ua = self.headers.get("User-Agent", "-")
        with LOG_LOCK, open(LOG, "a") as f:
            f.write(f"{self.command} {self.path} {code} {ua}\n")

    def plain(self, code, body=b"", headers=()):
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def huge(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        chunk = b"<p>" + b"All work and no play. " * 2900 + b"</p>\n"
        sent = 0
        try:
            head = b"<html><body>\n"
            self.wfile.write(b"%x\r\n%s\r\n" % (len(head), head))
            while sent < 50 * 1024 * 1024:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                sent += len(chunk)
            self.wfile.write(b"0\r\n\r\n")
        except OSError:
            pass  # the client stopped reading, as it should
        self.close_connection = True

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        if path.startswith("/fail/"):
            self.plain(500, b"internal error")
            return
        if path.startswith("/busy/"):
            self.plain(503, b"come back later", [("Retry-After", "7200")])
            return
        if path.startswith("/moved/"):
            self.plain(301, b"", [("Location", path[len("/moved"):])])
            return
        if path == "/huge.html":
            self.huge()
            return
        full = os.path.normpath(os.path.join(ROOT, path.lstrip("/")))
        if not full.startswith(ROOT + os.sep) or not os.path.isfile(full):
            self.plain(404, b"not found")
            return
        with open(full, "rb") as f:
            body = f.read()
        etag = '"%s"' % hashlib.sha256(body).hexdigest()[:16]
        mtime = os.stat(full).st_mtime
        modified = email.utils.formatdate(mtime, usegmt=True)
        since = self.headers.get("If-Modified-Since")
        match = self.headers.get("If-None-Match")
        fresh = match == etag if match else False
        if not match and since:
            try:
                t = email.utils.parsedate_to_datetime(since).timestamp()
                fresh = int(mtime) <= int(t)
            except (TypeError, ValueError):
                fresh = False
        if fresh:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", content_type(os.path.basename(full)))
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", modified)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # clients that hang up early (the size limit) are expected


def main():
    server = Server(("127.0.0.1", 0), Handler)
    tmp = sys.argv[1] + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(tmp, sys.argv[1])  # the port appears whole or not at all
    threading.Timer(1800, server.shutdown).start()
    server.serve_forever()


if __name__ == "__main__":
    main()
