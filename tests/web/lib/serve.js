// A static file server for the browser tests: 127.0.0.1 on a port the
// system picks (or the one asked for), GET and HEAD only, byte ranges (RFC 9110 "bytes=a-b",
// "a-", "-n"), so the <audio> element can seek as it does on a real host.
// Every request is recorded, so a test can check that none leaves the
// origin and none fails.
"use strict";
const http = require("node:http");
const fs = require("node:fs");
const path = require("node:path");

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mp3": "audio/mpeg",
  ".vtt": "text/vtt; charset=utf-8",
  ".srt": "application/x-subrip; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".xml": "application/xml; charset=utf-8",
  ".png": "image/png",
};

// The byte range a Range header asks of a file of `size` bytes:
// {start, end} (inclusive), null for the whole file, or "invalid".
function parseRange(header, size) {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === "" && m[2] === "")) return "invalid";
  let start, end;
  if (m[1] === "") {
    const n = Number(m[2]);
    if (n === 0) return "invalid";
    start = Math.max(size - n, 0);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start >= size || start > end) return "invalid";
  return { start, end };
}

function serve(root, port = 0) {
  const requests = [];
  const base = path.resolve(root);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://127.0.0.1");
    const record = { method: req.method, path: url.pathname, range: req.headers.range || null, status: 0 };
    requests.push(record);
    const finish = (status, headers, body) => {
      record.status = status;
      res.writeHead(status, headers);
      res.end(body);
    };
    if (req.method !== "GET" && req.method !== "HEAD")
      return finish(405, { Allow: "GET, HEAD" });
    let file = path.join(base, decodeURIComponent(url.pathname));
    if (file !== base && !file.startsWith(base + path.sep))
      return finish(403, {});
    fs.stat(file, (err, st) => {
      if (!err && st.isDirectory()) {
        file = path.join(file, "index.html");
        try { st = fs.statSync(file); } catch (e) { err = e; }
      }
      if (err || !st.isFile()) return finish(404, { "Content-Type": "text/plain" }, "not found");
      const type = TYPES[path.extname(file)] || "application/octet-stream";
      const range = parseRange(req.headers.range, st.size);
      const headers = { "Content-Type": type, "Accept-Ranges": "bytes", "Cache-Control": "no-cache" };
      if (range === "invalid")
        return finish(416, { ...headers, "Content-Range": `bytes */${st.size}` });
      const { start, end } = range || { start: 0, end: st.size - 1 };
      headers["Content-Length"] = String(st.size ? end - start + 1 : 0);
      if (range) headers["Content-Range"] = `bytes ${start}-${end}/${st.size}`;
      record.status = range ? 206 : 200;
      res.writeHead(record.status, headers);
      if (req.method === "HEAD" || st.size === 0) return res.end();
      fs.createReadStream(file, { start, end }).pipe(res);
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      const { port } = server.address();
      resolve({
        origin: `http://127.0.0.1:${port}`,
        requests,
        close: () => new Promise((done) => { server.closeAllConnections(); server.close(done); }),
      });
    });
  });
}

module.exports = { serve, parseRange };

// `node tests/web/lib/serve.js SITE [PORT]` serves a site by hand, for a
// look at its pages (Python's http.server ignores Range, so the audio
// cannot seek there).
if (require.main === module) {
  serve(process.argv[2] || ".", Number(process.argv[3] || 0))
    .then((s) => console.log(`serving ${process.argv[2] || "."} on ${s.origin}/`));
}
