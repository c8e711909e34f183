import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { craftTar, type RawEntry } from "../../test/e2e/crafted-tar.js";
import { checkEntryPath, readArchive, type ExtractPolicy } from "./safe-extract.js";
import { deterministicTgz } from "./tar-write.js";

const policy: ExtractPolicy = { label: "x.tgz", maxEntries: 100, maxTotalBytes: 1 << 20, maxFileBytes: () => 4096 };
const refuse = (entries: RawEntry[], p: Partial<ExtractPolicy> = {}) => readArchive(craftTar(entries), { ...policy, ...p });

describe("deterministicTgz", () => {
  const files = [
    { path: "b.txt", data: Buffer.from("hello\n") },
    { path: `deep/${"x".repeat(150)}.md`, data: Buffer.from("a long path\n") },
    { path: "ünïcode.md", data: Buffer.from("non-ascii name\n") },
    { path: "a.txt", data: Buffer.alloc(0) },
  ];

  it("gives the same bytes for the same files in any order, with no time or OS in the gzip header", () => {
    const a = deterministicTgz(files);
    const b = deterministicTgz([...files].reverse());
    expect(b.equals(a)).toBe(true);
    expect([...a.subarray(0, 10)]).toEqual([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 0xff]);
  });

  it("round-trips through readArchive, long and non-ASCII paths included", async () => {
    const read = await readArchive(deterministicTgz(files), policy);
    expect([...read.keys()]).toEqual(["a.txt", "b.txt", `deep/${"x".repeat(150)}.md`, "ünïcode.md"]);
    for (const f of files) expect(read.get(f.path)?.equals(f.data)).toBe(true);
  });

  it("is readable by the system tar, with sorted entries, root owner and a fixed mtime", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "agentpkg-tgz-"));
    try {
      fs.writeFileSync(path.join(dir, "x.tgz"), deterministicTgz(files));
      const listing = execFileSync("tar", ["-tvzf", "x.tgz", "--numeric-owner"], { cwd: dir, encoding: "utf8" }).trim().split("\n");
      expect(listing).toHaveLength(4);
      for (const line of listing) expect(line).toMatch(/^-rw-r--r-- 0\/0 .* 1985-10-26 /);
      expect(listing[2]).toContain(`deep/${"x".repeat(150)}.md`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("checkEntryPath", () => {
  it.each([
    ["a/b.md", "a/b.md"],
    ["./a//b.md", "a/b.md"],
    ["dir/", "dir"],
  ])("accepts %s as %s", (raw, want) => expect(checkEntryPath(raw)).toEqual({ path: want }));

  it.each(["../x", "a/../../x", "/etc/passwd", "C:/x", "a\\b", "a\nb", "x\u0000y"])("refuses %j", (raw) => {
    expect(checkEntryPath(raw)).toHaveProperty("why");
  });
});

describe("readArchive refuses unsafe archives", () => {
  it("reads regular files and skips directories", async () => {
    const files = await refuse([{ path: "d/", type: "Directory" }, { path: "d/a.md", data: "A" }]);
    expect([...files.keys()]).toEqual(["d/a.md"]);
  });

  it.each<[string, RawEntry[], RegExp]>([
    ["a ../ entry", [{ path: "../evil.md", data: "x" }], /"\.\.\/evil\.md" contains a '\.\.' segment/],
    ["a nested ../ entry", [{ path: "content/../../evil.md", data: "x" }], /'\.\.' segment/],
    ["an absolute path", [{ path: "/tmp/evil.md", data: "x" }], /"\/tmp\/evil\.md" is an absolute path/],
    ["a symlink", [{ path: "a.md", type: "SymbolicLink", linkpath: "/etc/passwd" }], /"a\.md" is a symbolic link \(to "\/etc\/passwd"\)/],
    ["a hard link", [{ path: "a.md", data: "x" }, { path: "b.md", type: "Link", linkpath: "a.md" }], /"b\.md" is a hard link/],
    ["a character device", [{ path: "tty", type: "CharacterDevice" }], /"tty" is a device file/],
    ["a block device", [{ path: "sda", type: "BlockDevice" }], /"sda" is a device file/],
    ["a FIFO", [{ path: "pipe", type: "FIFO" }], /"pipe" is a FIFO/],
    ["a duplicate", [{ path: "a.md", data: "1" }, { path: "./a.md", data: "2" }], /"\.\/a\.md" appears twice/],
    ["an oversized file", [{ path: "big.md", data: Buffer.alloc(5000) }], /"big\.md" is 5000 bytes, over the 4096-byte limit/],
  ])("%s", async (_what, entries, message) => {
    await expect(refuse(entries)).rejects.toMatchObject({ code: "E_UNSAFE", message: expect.stringMatching(message) });
  });

  it("too many entries", async () => {
    const many = Array.from({ length: 10_000 }, (_, i) => ({ path: `f${i}` }));
    await expect(refuse(many)).rejects.toMatchObject({ code: "E_UNSAFE", message: "x.tgz: more than 100 entries" });
  });

  it("more bytes in total than allowed", async () => {
    const entries = Array.from({ length: 5 }, (_, i) => ({ path: `f${i}`, data: Buffer.alloc(3000) }));
    await expect(refuse(entries, { maxTotalBytes: 10_000 })).rejects.toMatchObject({ message: "x.tgz: holds more than 10000 bytes" });
  });

  it("a gzip bomb stops at the decompression budget", async () => {
    // extended headers are not entries: only the decompression budget bounds a stream of them
    const headers = Array.from({ length: 200 }, (_, i): RawEntry => ({ path: `h${i}`, type: "ExtendedHeader", data: `${"x".repeat(60_000)}\n` }));
    const bomb = craftTar([...headers, { path: "a.md", data: "A" }]);
    await expect(readArchive(bomb, { ...policy, maxTotalBytes: 1 << 20 })).rejects.toMatchObject({ message: expect.stringMatching(/expands to more than/) });
  });

  it("stops at the end-of-archive marker: what follows is ignored, never decompressed", async () => {
    // before: node-tar appended every later chunk to the bytes after the marker, quadratic in their size
    const padded = craftTar([{ path: "a.md", data: "A" }], { trailing: Buffer.alloc(48 << 20) });
    const files = await readArchive(padded, { ...policy, maxTotalBytes: 64 << 20 });
    expect([...files.keys()]).toEqual(["a.md"]);
    const garbage = craftTar([{ path: "a.md", data: "A" }], { trailing: Buffer.from("appended garbage, not a tar header".repeat(100)) });
    expect([...(await readArchive(garbage, policy)).keys()]).toEqual(["a.md"]);
    expect([...(await readArchive(craftTar([{ path: "a.md", data: "A" }], { gzip: false, trailing: Buffer.alloc(1 << 20) }), policy)).keys()]).toEqual(["a.md"]);
  });

  it("unwanted entries are skipped unread, but their paths are still checked", async () => {
    const want = (p: string) => p.endsWith(".md");
    const files = await refuse([{ path: "a.md", data: "A" }, { path: "link", type: "SymbolicLink", linkpath: "x" }, { path: "big.bin", data: Buffer.alloc(9000) }], { want });
    expect([...files.keys()]).toEqual(["a.md"]);
    await expect(refuse([{ path: "../x.bin", data: "x" }], { want })).rejects.toMatchObject({ code: "E_UNSAFE" });
  });

  it("garbage, truncated archives and bad checksums", async () => {
    await expect(readArchive(Buffer.from("not an archive at all"), policy)).rejects.toMatchObject({ code: "E_INTEGRITY" });
    await expect(readArchive(gzipSync(Buffer.from("not a tar".repeat(100))), policy)).rejects.toMatchObject({ code: "E_INTEGRITY" });
    const tar = craftTar([{ path: "a.md", data: "x".repeat(2000) }], { gzip: false });
    await expect(readArchive(gzipSync(tar.subarray(0, 1024)), policy)).rejects.toMatchObject({ code: "E_INTEGRITY" });
    const corrupt = Buffer.from(tar);
    corrupt[0] = "b".charCodeAt(0); // header checksum no longer matches
    await expect(readArchive(gzipSync(corrupt), policy)).rejects.toMatchObject({ code: "E_INTEGRITY" });
    await expect(readArchive(Buffer.alloc(0), policy)).rejects.toMatchObject({ code: "E_INTEGRITY" });
  });
});
