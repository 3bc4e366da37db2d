// Reads the algorithms an SSH server offers from its first KEXINIT packet, beside ssh2 on the same socket, so a failed negotiation can name them.
import type { Duplex } from "node:stream";

/** The algorithm lists of a server's KEXINIT (client-to-server lists for cipher, MAC and compression; extension markers such as `ext-info-s` left out of `kex`). */
export interface ServerAlgorithmOffer {
  /** Key exchange algorithms. */
  kex: string[];
  /** Host key algorithms. */
  serverHostKey: string[];
  /** Ciphers (client to server). */
  cipher: string[];
  /** MACs (client to server). */
  hmac: string[];
  /** Compression (client to server). */
  compress: string[];
}

/** What {@link watchServerOffer} returns. */
export interface ServerOfferWatch {
  /** The server's offer, once its KEXINIT was read; `undefined` before that or when it could not be read. */
  readonly offer: ServerAlgorithmOffer | undefined;
  /** Stops watching (idempotent). */
  stop(): void;
}

/** Most bytes read before giving up: identification lines plus one KEXINIT fit easily. */
const MAX_BYTES = 64 * 1024;
/** Names in a key exchange list that announce an extension rather than name a key exchange (RFC 8308, OpenSSH's strict KEX). */
const KEX_MARKERS = /^(?:ext-info-[cs]|kex-strict-[cs]-v00@openssh\.com)$/;
/** SSH_MSG_KEXINIT. */
const KEXINIT = 20;

/**
 * Parses a server's identification line(s) and first binary packet from the start of the stream.
 * Returns `undefined` while more bytes are needed, `null` when the bytes are not a KEXINIT.
 */
export function parseServerOffer(bytes: Buffer): ServerAlgorithmOffer | undefined | null {
  // Lines before "SSH-" are allowed (RFC 4253 4.2); the binary protocol starts after the "SSH-" line.
  let start = 0;
  for (;;) {
    const end = bytes.indexOf(0x0a, start);
    if (end === -1) return undefined;
    const isIdent = bytes.subarray(start, start + 4).toString("latin1") === "SSH-";
    start = end + 1;
    if (isIdent) break;
  }
  if (bytes.length < start + 5) return undefined;
  const packetLength = bytes.readUInt32BE(start);
  if (packetLength < 2 || packetLength > 35_000) return null;
  if (bytes.length < start + 4 + packetLength) return undefined;
  const padding = bytes[start + 4] as number;
  const payload = bytes.subarray(start + 5, start + 4 + packetLength - padding);
  if (payload[0] !== KEXINIT) return null;
  let at = 17;
  const lists: string[][] = [];
  for (let i = 0; i < 8; i++) {
    if (payload.length < at + 4) return null;
    const length = payload.readUInt32BE(at);
    if (payload.length < at + 4 + length) return null;
    const text = payload.subarray(at + 4, at + 4 + length).toString("latin1");
    lists.push(text === "" ? [] : text.split(","));
    at += 4 + length;
  }
  const [kex, serverHostKey, cipher, , hmac, , compress] = lists as [string[], string[], string[], string[], string[], string[], string[]];
  return { kex: kex.filter((name) => !KEX_MARKERS.test(name)), serverHostKey, cipher, hmac, compress };
}

/**
 * Watches the server side of `sock` for its first KEXINIT (sent in clear text before any key
 * exchange). It listens only once ssh2 itself reads the socket (a `data` listener added earlier
 * would start the flow and ssh2 would miss those bytes), and stops at the KEXINIT, after 64 KiB,
 * or on `stop()`, so it costs nothing once the session runs.
 */
export function watchServerOffer(sock: Duplex): ServerOfferWatch {
  let offer: ServerAlgorithmOffer | undefined;
  let chunks: Buffer[] = [];
  let size = 0;
  let stopped = false;
  const onData = (chunk: Buffer | string) => {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk, "latin1") : chunk;
    chunks.push(bytes);
    size += bytes.length;
    let parsed: ServerAlgorithmOffer | undefined | null;
    try {
      parsed = parseServerOffer(chunks.length === 1 ? bytes : Buffer.concat(chunks, size));
    } catch {
      parsed = null;
    }
    if (parsed) offer = parsed;
    if (parsed !== undefined || size > MAX_BYTES) stop();
  };
  const onNewListener = (event: string | symbol) => {
    if (event !== "data") return;
    sock.off("newListener", onNewListener);
    // Added while ssh2's own listener is being added, before any byte can be emitted.
    sock.on("data", onData);
  };
  function stop() {
    if (stopped) return;
    stopped = true;
    chunks = [];
    sock.off("newListener", onNewListener);
    sock.off("data", onData);
  }
  sock.on("newListener", onNewListener);
  return {
    get offer() {
      return offer;
    },
    stop,
  };
}
