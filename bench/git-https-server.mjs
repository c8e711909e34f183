#!/usr/bin/env node
// A git smart-HTTP server for the bench's bytes-on-the-wire rows: `git http-backend` (CGI) behind a TLS
// server on 127.0.0.1, serving the bare repositories under ROOT. It writes its port to PORT_FILE once it
// listens, and after each response the total bytes it has sent (headers and bodies) to COUNT_FILE.
//
//   node bench/git-https-server.mjs ROOT CERT KEY PORT_FILE COUNT_FILE
import { spawn } from "node:child_process";
import fs from "node:fs";
import https from "node:https";

const [root, cert, key, portFile, countFile] = process.argv.slice(2);
let sent = 0;

const server = https.createServer({ cert: fs.readFileSync(cert), key: fs.readFileSync(key) }, (req, res) => {
  const url = new URL(req.url, "https://127.0.0.1");
  const env = {
    PATH: process.env.PATH,
    GIT_PROJECT_ROOT: root,
    GIT_HTTP_EXPORT_ALL: "1",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    REQUEST_METHOD: req.method,
    PATH_INFO: decodeURIComponent(url.pathname),
    QUERY_STRING: url.search.slice(1),
    CONTENT_TYPE: req.headers["content-type"] ?? "",
    REMOTE_ADDR: "127.0.0.1",
    ...(req.headers["content-length"] ? { CONTENT_LENGTH: req.headers["content-length"] } : {}),
    ...(req.headers["content-encoding"] ? { HTTP_CONTENT_ENCODING: req.headers["content-encoding"] } : {}),
    ...(req.headers["git-protocol"] ? { GIT_PROTOCOL: req.headers["git-protocol"] } : {}),
  };
  const cgi = spawn("git", ["http-backend"], { env, stdio: ["pipe", "pipe", "inherit"] });
  req.pipe(cgi.stdin);
  let head = Buffer.alloc(0);
  let inBody = false;
  cgi.stdout.on("data", (chunk) => {
    if (inBody) {
      sent += chunk.length;
      res.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf("\r\n\r\n");
    if (end < 0) return;
    let status = 200;
    const headers = {};
    for (const line of head.subarray(0, end).toString("latin1").split("\r\n")) {
      const i = line.indexOf(":");
      const name = line.slice(0, i).trim();
      const value = line.slice(i + 1).trim();
      if (name.toLowerCase() === "status") status = Number(value.split(" ")[0]);
      else headers[name] = value;
    }
    res.writeHead(status, headers);
    sent += end + 4;
    inBody = true;
    const body = head.subarray(end + 4);
    sent += body.length;
    res.write(body);
  });
  cgi.on("close", () => {
    res.end();
    fs.writeFileSync(countFile, String(sent));
  });
});

server.listen(0, "127.0.0.1", () => fs.writeFileSync(portFile, String(server.address().port)));
// the bench holds our stdin: when it ends, however it ends, so do we
process.stdin.on("close", () => process.exit(0));
process.stdin.resume();
