#!/usr/bin/env python3
"""A local HTTP server for the source_html URL tests (127.0.0.1 only).

  serve.py PORT_FILE PAGE_DIR

Binds a free port on 127.0.0.1, writes the port number to PORT_FILE, and
serves until it is killed (or for 120 seconds at most). Routes:

  /page/NAME         PAGE_DIR/NAME as text/html, no charset in the header
  /latin1            a French page in ISO-8859-1 whose charset is given only
                     by the Content-Type header
  /redirect          302 to /page/title-only.html (a page without canonical
                     URL, so the document's URL is where the redirect led)
  /redirect-chain    302 to /redirect (two hops)
  /loop              302 to itself, forever
  /big               2 MiB of HTML, chunked (no Content-Length)
  /big-declared      Content-Length of 20 MiB, then a little HTML
  /missing           404
  /plain             text/plain paragraphs
  /binary            application/pdf
  /slow              waits 5 seconds before answering
  /status/CODE       an HTML page with HTTP status CODE (400..599)
"""
import http.server
import os
import sys
import threading
import time

PAGES = sys.argv[2] if len(sys.argv) > 2 else "."

LATIN1 = (
    "<html><head><title>Caf\u00e9 du port</title></head><body><article>"
    "<h1>Caf\u00e9 du port</h1>"
    "<p>Le caf\u00e9 du port rouvre ses portes apr\u00e8s des travaux qui ont "
    "dur\u00e9 tout l'hiver. Les habitu\u00e9s sont d\u00e9j\u00e0 revenus "
    "prendre leur caf\u00e9 au comptoir.</p>"
    "<p>La terrasse a \u00e9t\u00e9 agrandie et la carte propose "
    "d\u00e9sormais des cr\u00eapes le dimanche matin, pour le plus grand "
    "bonheur des enfants du quartier.</p>"
    "</article></body></html>"
).encode("iso-8859-1")


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, code, ctype, body, length=None):
        self.send_response(code)
        if ctype:
            self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, where):
        self.send_response(302)
        self.send_header("Location", where)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self):
        p = self.path
        if p.startswith("/page/"):
            name = os.path.basename(p[len("/page/"):])
            try:
                with open(os.path.join(PAGES, name), "rb") as f:
                    body = f.read()
            except OSError:
                self.send(404, "text/plain", b"not found")
                return
            self.send(200, "text/html", body)
        elif p == "/latin1":
            self.send(200, "text/html; charset=ISO-8859-1", LATIN1)
        elif p == "/redirect":
            self.redirect("/page/title-only.html")
        elif p == "/redirect-chain":
            self.redirect("/redirect")
        elif p == "/loop":
            self.redirect("/loop")
        elif p == "/big":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            chunk = b"<p>" + b"x" * 65530 + b"</p>"
            try:
                for _ in range(32):
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                self.wfile.write(b"0\r\n\r\n")
            except OSError:
                pass  # the client gave up, as it should
        elif p == "/big-declared":
            try:
                self.send(200, "text/html", b"<html><body><p>tiny</p></body></html>",
                          length=20 * 1024 * 1024)
            except OSError:
                pass
            self.close_connection = True
        elif p == "/missing":
            self.send(404, "text/html", b"<html><body><h1>Not found</h1></body></html>")
        elif p == "/plain":
            self.send(200, "text/plain; charset=utf-8",
                      b"First paragraph of a plain text article.\n\n"
                      b"Second paragraph, after a blank line.\n")
        elif p == "/binary":
            self.send(200, "application/pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
        elif p.startswith("/status/") and p[8:].isdigit() and 400 <= int(p[8:]) < 600:
            self.send(int(p[8:]), "text/html", b"<html><body><p>status</p></body></html>")
        elif p == "/slow":
            time.sleep(5)
            self.send(200, "text/html", b"<html><body><p>late</p></body></html>")
        else:
            self.send(404, "text/plain", b"not found")


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # clients that hang up early (size limit, timeout) are expected


def main():
    server = Server(("127.0.0.1", 0), Handler)
    tmp = sys.argv[1] + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(tmp, sys.argv[1])  # the port appears whole or not at all
    threading.Timer(120, server.shutdown).start()
    server.serve_forever()


if __name__ == "__main__":
    main()
