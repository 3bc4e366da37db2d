import { describe, expect, it } from "vitest";
import { PassThrough } from "node:stream";
import { parseServerOffer, watchServerOffer } from "./watchServerOffer.js";

/** A server's identification line and clear-text KEXINIT packet, as it puts them on the wire. */
function serverHello(lists: string[], preamble = ""): Buffer {
  const nameLists = lists.map((list) => {
    const text = Buffer.from(list, "latin1");
    const length = Buffer.alloc(4);
    length.writeUInt32BE(text.length);
    return Buffer.concat([length, text]);
  });
  const payload = Buffer.concat([Buffer.from([20]), Buffer.alloc(16, 7), ...nameLists, Buffer.from([0, 0, 0, 0, 0])]);
  const padding = 8 - ((payload.length + 5) % 8) + 8;
  const header = Buffer.alloc(5);
  header.writeUInt32BE(payload.length + padding + 1);
  header[4] = padding;
  return Buffer.concat([Buffer.from(`${preamble}SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n`, "latin1"), header, payload, Buffer.alloc(padding)]);
}

const LISTS = [
  "diffie-hellman-group14-sha1,diffie-hellman-group-exchange-sha1,ext-info-s,kex-strict-s-v00@openssh.com",
  "ssh-rsa",
  "aes128-cbc,aes256-cbc,3des-cbc",
  "aes128-cbc,aes256-cbc,3des-cbc",
  "hmac-sha1,hmac-md5",
  "hmac-sha1,hmac-md5",
  "none,zlib@openssh.com",
  "none,zlib@openssh.com",
  "",
  "",
];
const OFFER = {
  kex: ["diffie-hellman-group14-sha1", "diffie-hellman-group-exchange-sha1"],
  serverHostKey: ["ssh-rsa"],
  cipher: ["aes128-cbc", "aes256-cbc", "3des-cbc"],
  hmac: ["hmac-sha1", "hmac-md5"],
  compress: ["none", "zlib@openssh.com"],
};

describe("parseServerOffer", () => {
  it("reads the lists of the first KEXINIT, without the extension markers", () => {
    expect(parseServerOffer(serverHello(LISTS))).toStrictEqual(OFFER);
  });

  it("skips lines before the identification line", () => {
    expect(parseServerOffer(serverHello(LISTS, "Welcome\r\nto the server\r\n"))).toStrictEqual(OFFER);
  });

  it("asks for more bytes while the packet is incomplete", () => {
    const hello = serverHello(LISTS);
    for (const cut of [0, 10, 40, hello.length - 1]) expect(parseServerOffer(hello.subarray(0, cut))).toBeUndefined();
  });

  it("gives up on a packet that is not a KEXINIT or is malformed", () => {
    const hello = serverHello(LISTS);
    const ident = hello.indexOf(0x0a) + 1;
    const notKexinit = Buffer.from(hello);
    notKexinit[ident + 5] = 21;
    expect(parseServerOffer(notKexinit)).toBeNull();
    const huge = Buffer.from(hello);
    huge.writeUInt32BE(1_000_000, ident);
    expect(parseServerOffer(huge)).toBeNull();
  });
});

describe("watchServerOffer", () => {
  it("starts reading only with the socket's own reader, then stops at the KEXINIT", async () => {
    const sock = new PassThrough();
    const watch = watchServerOffer(sock);
    const hello = serverHello(LISTS);
    sock.write(hello.subarray(0, 30));
    await new Promise((resolve) => setImmediate(resolve));
    // Nobody reads yet: the bytes wait in the stream for the real reader.
    expect(sock.listenerCount("data")).toBe(0);
    const seen: Buffer[] = [];
    sock.on("data", (chunk: Buffer) => seen.push(chunk));
    sock.write(hello.subarray(30));
    await new Promise((resolve) => setImmediate(resolve));
    expect(Buffer.concat(seen)).toStrictEqual(hello);
    expect(watch.offer).toStrictEqual(OFFER);
    expect(sock.listenerCount("data")).toBe(1);
    expect(sock.listenerCount("newListener")).toBe(0);
  });

  it("stop() before any reader leaves the socket untouched", () => {
    const sock = new PassThrough();
    const watch = watchServerOffer(sock);
    watch.stop();
    watch.stop();
    expect(sock.listenerCount("newListener")).toBe(0);
    expect(watch.offer).toBeUndefined();
  });

  it("stops after 64 KiB without a KEXINIT", async () => {
    const sock = new PassThrough();
    const watch = watchServerOffer(sock);
    sock.on("data", () => {});
    sock.write(Buffer.alloc(70 * 1024, 0x41));
    await new Promise((resolve) => setImmediate(resolve));
    expect(watch.offer).toBeUndefined();
    expect(sock.listenerCount("data")).toBe(1);
  });
});
