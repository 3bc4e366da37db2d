// Host key checking for ssh2's `hostVerifier`: known_hosts lines (plain, wildcard, hashed, @revoked), SHA256 fingerprints, or an explicit opt-out.
import { createHash, createHmac } from "node:crypto";
import { readFile as readFileFromDisk } from "node:fs/promises";
import { SftpConnectorError, quotePath } from "@sftp-connector/core";
import type { NormalizedHostKey } from "@sftp-connector/core";

/** The host name field of a known_hosts line: a comma-separated pattern list, or one hashed name (`|1|salt|hmac`). */
export type KnownHostsHosts =
  | {
      /** Plain patterns, e.g. `sftp.example.com,[10.0.0.5]:2222,*.corp,!bad.corp`. */
      kind: "patterns";
      /** The comma-separated patterns, in file order (a leading `!` negates). */
      patterns: string[];
    }
  | {
      /** A hashed name, as written by `ssh-keygen -H` or `HashKnownHosts yes`. */
      kind: "hashed";
      /** The HMAC-SHA1 key (20 bytes). */
      salt: Buffer;
      /** HMAC-SHA1(key = salt, data = host name) (20 bytes). */
      hmac: Buffer;
    };

/** One usable line of a known_hosts file. */
export interface KnownHostsEntry {
  /** `@revoked` or `@cert-authority`, when the line starts with one. */
  marker?: "revoked" | "cert-authority";
  /** The host names the line applies to. */
  hosts: KnownHostsHosts;
  /** The key type named on the line, e.g. `ssh-ed25519`. */
  keyType: string;
  /** The key in base64, as written on the line. */
  keyBase64: string;
  /** The decoded key blob (SSH wire format), to compare with what the server presents. */
  key: Buffer;
  /** Line number, from 1. */
  line: number;
}

/** A known_hosts line that could not be used. */
export interface KnownHostsProblem {
  /** Line number, from 1. */
  line: number;
  /** What is wrong with it (never the whole line). */
  message: string;
}

/** What {@link parseKnownHosts} returns: the usable lines and the malformed ones. */
export interface ParsedKnownHosts {
  /** Usable lines, in order. */
  entries: KnownHostsEntry[];
  /** Malformed lines, in order. */
  problems: KnownHostsProblem[];
}

/** The key the server presented, for messages and logs. */
export interface PresentedHostKey {
  /** Key type read from the blob, e.g. `ssh-ed25519` (`"unknown"` when the blob is unreadable). */
  type: string;
  /** `SHA256:<base64 without padding>`, as `ssh-keygen -lf` prints it. */
  fingerprint: string;
}

/**
 * Checks the server's host key. Pass {@link HostKeyVerifier.verify} as ssh2's `hostVerifier`
 * (with no `hostHash`, so it receives the raw key blob). After a refusal, throw
 * {@link HostKeyVerifier.failure} instead of ssh2's generic "Host denied" error.
 */
export interface HostKeyVerifier {
  /** True when the key is accepted. Never throws. Sets {@link presented} and, on refusal, {@link failure}. */
  verify(keyBlob: Buffer): boolean;
  /** True for `insecureAcceptAny`: every key is accepted. The caller should log a warning once per session. */
  readonly insecure: boolean;
  /** The key the server presented at the last `verify` call. */
  presented?: PresentedHostKey;
  /** Why the last `verify` call refused the key (HOST_KEY_MISMATCH, not retryable); cleared on acceptance. */
  failure?: SftpConnectorError;
  /** Malformed known_hosts lines that were skipped, each `"<source> line N: <problem>"`; worth a log line. */
  readonly problems: readonly string[];
  /**
   * Key types of the (not revoked) known_hosts lines naming this host, in file order without
   * duplicates; lets the caller prefer those host key algorithms. Fingerprints carry no type, so
   * they add nothing here. Empty for `insecureAcceptAny`.
   */
  readonly pinnedKeyTypes: readonly string[];
}

/** Options of {@link createHostKeyVerifier}. */
export interface HostKeyVerifierOptions {
  /** The host name or address as configured (the name known_hosts lines must match). */
  host: string;
  /** The SSH port. Port 22 matches lines naming `host`; other ports match lines naming `[host]:port`. */
  port: number;
  /** The validated host key config. */
  hostKey: NormalizedHostKey;
  /** Reads `hostKey.knownHostsFile`. @default `fs.promises.readFile(path, "utf8")` */
  readFile?: (path: string) => Promise<string | Buffer>;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const HASHED_HOST = /^\|1\|([A-Za-z0-9+/]+={0,2})\|([A-Za-z0-9+/]+={0,2})$/;
const SHA1_BYTES = 20;
/** Known_hosts keys listed in a mismatch message, at most. */
const MAX_LISTED_KEYS = 3;
/** Skipped lines listed in a mismatch message, at most. */
const MAX_LISTED_PROBLEMS = 3;

/**
 * Reads the key type, the first SSH string of a key blob (uint32 length + bytes).
 *
 * @returns e.g. `"ssh-ed25519"`, or `undefined` when the blob is too short or the type is not printable ASCII
 */
export function keyTypeOf(keyBlob: Buffer): string | undefined {
  if (keyBlob.length < 4) return undefined;
  const length = keyBlob.readUInt32BE(0);
  if (length === 0 || length > 256 || keyBlob.length < 4 + length) return undefined;
  const type = keyBlob.subarray(4, 4 + length).toString("latin1");
  return /^[\x21-\x7e]+$/.test(type) ? type : undefined;
}

/**
 * The OpenSSH fingerprint of a key blob: `"SHA256:"` + base64 of sha256(blob) without `=` padding,
 * as printed by `ssh-keygen -lf` and `ssh-keyscan HOST | ssh-keygen -lf -`.
 */
export function fingerprintOf(keyBlob: Buffer): string {
  return `SHA256:${createHash("sha256").update(keyBlob).digest("base64").replace(/=+$/, "")}`;
}

/** The name OpenSSH looks up in known_hosts: `host` for port 22, `[host]:port` otherwise; lower-cased. */
export function knownHostsName(host: string, port: number): string {
  const name = host.toLowerCase();
  return port === 22 ? name : `[${name}]:${port}`;
}

/**
 * Parses known_hosts text (OpenSSH `sshd(8)` format): `[@revoked|@cert-authority] HOSTS KEYTYPE BASE64KEY [comment]`.
 * Blank lines and `#` comments are skipped. Malformed lines are reported in `problems`, not thrown:
 * unknown markers, missing fields, bad base64, a key whose embedded type differs from KEYTYPE,
 * SSH-1 keys, and hashed names other than `|1|salt|hmac` with 20-byte salt and hmac.
 */
export function parseKnownHosts(text: string): ParsedKnownHosts {
  const entries: KnownHostsEntry[] = [];
  const problems: KnownHostsProblem[] = [];
  text.split(/\r\n|\n|\r/).forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim();
    if (trimmed === "" || trimmed.startsWith("#")) return;
    const problem = (message: string): void => {
      problems.push({ line, message });
    };
    const fields = trimmed.split(/\s+/);
    let marker: KnownHostsEntry["marker"];
    if (fields[0]?.startsWith("@")) {
      const word = fields.shift() ?? "";
      if (word === "@revoked") marker = "revoked";
      else if (word === "@cert-authority") marker = "cert-authority";
      else {
        problem(`unknown marker "${word.slice(0, 40)}" (expected @revoked or @cert-authority)`);
        return;
      }
    }
    const [hostsField, keyType, keyBase64] = fields;
    if (hostsField === undefined || keyType === undefined || keyBase64 === undefined) {
      problem(`expected "[@marker] HOSTS KEYTYPE BASE64KEY [comment]", found ${fields.length} field(s)`);
      return;
    }
    if (/^\d+$/.test(keyType)) {
      problem("SSH protocol 1 keys are not supported");
      return;
    }

    let hosts: KnownHostsHosts;
    if (hostsField.startsWith("|")) {
      const hashed = HASHED_HOST.exec(hostsField);
      const salt = hashed === null ? undefined : Buffer.from(hashed[1] ?? "", "base64");
      const hmac = hashed === null ? undefined : Buffer.from(hashed[2] ?? "", "base64");
      if (salt === undefined || hmac === undefined || salt.length !== SHA1_BYTES || hmac.length !== SHA1_BYTES) {
        problem('malformed hashed host name (expected "|1|<base64 salt>|<base64 hash>")');
        return;
      }
      hosts = { kind: "hashed", salt, hmac };
    } else {
      const patterns = hostsField.split(",").filter((pattern) => pattern !== "" && pattern !== "!");
      if (patterns.length === 0) {
        problem("empty host pattern list");
        return;
      }
      hosts = { kind: "patterns", patterns };
    }

    if (!BASE64.test(keyBase64)) {
      problem(`the key of type ${keyType.slice(0, 60)} is not valid base64`);
      return;
    }
    const key = Buffer.from(keyBase64, "base64");
    const embeddedType = keyTypeOf(key);
    if (embeddedType === undefined) {
      problem(`the key of type ${keyType.slice(0, 60)} is not an SSH public key blob`);
      return;
    }
    if (embeddedType !== keyType) {
      problem(`key type ${keyType.slice(0, 60)} does not match the type inside the key data (${embeddedType})`);
      return;
    }
    entries.push({ ...(marker === undefined ? {} : { marker }), hosts, keyType, keyBase64, key, line });
  });
  return { entries, problems };
}

/** OpenSSH `match_pattern`: `*` matches any run of characters, `?` exactly one; everything else literally. No backtracking blow-up. */
function matchPattern(text: string, pattern: string): boolean {
  let t = 0;
  let p = 0;
  let starP = -1;
  let starT = 0;
  while (t < text.length) {
    const pc = pattern[p];
    if (pc === "*") {
      starP = p++;
      starT = t;
    } else if (pc !== undefined && (pc === "?" || pc === text[t])) {
      p++;
      t++;
    } else if (starP !== -1) {
      p = starP + 1;
      t = ++starT;
    } else {
      return false;
    }
  }
  while (pattern[p] === "*") p++;
  return p === pattern.length;
}

/** OpenSSH `match_hostname`: true when a positive pattern matches and no negated (`!`) pattern does; case-insensitive. */
function matchPatternList(name: string, patterns: readonly string[]): boolean {
  let matched = false;
  for (const raw of patterns) {
    const negated = raw.startsWith("!");
    const pattern = (negated ? raw.slice(1) : raw).toLowerCase();
    if (matchPattern(name, pattern)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

/** Whether a known_hosts line names `name` (already in {@link knownHostsName} form). */
function entryNames(entry: KnownHostsEntry, name: string): boolean {
  if (entry.hosts.kind === "patterns") return matchPatternList(name, entry.hosts.patterns);
  const hmac = createHmac("sha1", entry.hosts.salt).update(name).digest();
  return hmac.equals(entry.hosts.hmac);
}

/** A known_hosts line with the place it came from, for messages. */
interface SourcedEntry {
  entry: KnownHostsEntry;
  source: string;
}

function hostPortOf(host: string, port: number): string {
  return `${host.includes(":") ? `[${host}]` : host}:${port}`;
}

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** Normalises a configured fingerprint for comparison: trimmed, `SHA256:` prefix in that case, no `=` padding. */
function normaliseFingerprint(fingerprint: string): string {
  const trimmed = fingerprint.trim();
  const body = /^sha256:/i.test(trimmed) ? trimmed.slice("sha256:".length) : trimmed;
  return `SHA256:${body.replace(/=+$/, "")}`;
}

/**
 * Builds the host key check for one connection. Reads `hostKey.knownHostsFile` once, now.
 *
 * Rules:
 * - Pinned sources are a union: the key is accepted when it equals a key on a `hostKey.knownHosts`
 *   line or a `hostKey.knownHostsFile` line naming this host, or when its SHA256 fingerprint is in
 *   `hostKey.fingerprints` (with or without trailing `=`).
 * - Host names match as in OpenSSH: `host` for port 22, `[host]:port` otherwise; comma-separated
 *   patterns with `*`, `?` and `!` negation, case-insensitive; hashed names (`|1|salt|hmac`,
 *   HMAC-SHA1 of the name). Only the configured `host` is checked (no reverse lookup, no CheckHostIP).
 * - A key on an `@revoked` line naming this host is refused, even when another line or a fingerprint accepts it.
 * - `@cert-authority` lines are ignored: host certificates are not supported, so a server is only
 *   accepted by its plain host key.
 * - Malformed lines are skipped (listed in {@link HostKeyVerifier.problems} and in a refusal message).
 * - `insecureAcceptAny: true` accepts every key and sets `insecure: true`.
 *
 * @throws SftpConnectorError INVALID_CONFIG (not retryable) naming `hostKey.knownHostsFile` and the path when the file cannot be read
 */
export async function createHostKeyVerifier(options: HostKeyVerifierOptions): Promise<HostKeyVerifier> {
  const { host, port, hostKey } = options;

  if (hostKey.insecureAcceptAny) {
    const verifier: HostKeyVerifier = {
      insecure: true,
      problems: [],
      pinnedKeyTypes: [],
      verify(keyBlob: Buffer): boolean {
        verifier.presented = { type: keyTypeOf(keyBlob) ?? "unknown", fingerprint: fingerprintOf(keyBlob) };
        verifier.failure = undefined;
        return true;
      },
    };
    return verifier;
  }

  const sources: { label: string; text: string }[] = [];
  if (hostKey.knownHosts !== undefined) sources.push({ label: "hostKey.knownHosts", text: hostKey.knownHosts });
  if (hostKey.knownHostsFile !== undefined) {
    const path = hostKey.knownHostsFile;
    const readFile = options.readFile ?? ((file: string) => readFileFromDisk(file, "utf8"));
    let content: string | Buffer;
    try {
      content = await readFile(path);
    } catch (cause) {
      const why = cause instanceof Error ? cause.message : String(cause);
      const problem = `hostKey.knownHostsFile: cannot read the known_hosts file ${quotePath(path)}: ${why}`;
      throw new SftpConnectorError("INVALID_CONFIG", problem, { operation: "connect", retryable: false, cause, problems: [problem] });
    }
    sources.push({ label: `hostKey.knownHostsFile (${quotePath(path)})`, text: typeof content === "string" ? content : content.toString("utf8") });
  }

  const name = knownHostsName(host, port);
  const bareName = knownHostsName(host, 22);
  const problems: string[] = [];
  let otherHostLines = 0;
  let bareHostLines = 0;
  const naming: SourcedEntry[] = [];
  for (const { label, text } of sources) {
    const parsed = parseKnownHosts(text);
    for (const problem of parsed.problems) problems.push(`${label} line ${problem.line}: ${problem.message}`);
    for (const entry of parsed.entries) {
      if (entry.marker === "cert-authority") continue;
      if (entryNames(entry, name)) naming.push({ entry, source: label });
      else if (port !== 22 && entryNames(entry, bareName)) bareHostLines++;
      else otherHostLines++;
    }
  }
  const fingerprints = new Set((hostKey.fingerprints ?? []).map(normaliseFingerprint));
  const accepting = naming.filter(({ entry }) => entry.marker === undefined);
  const revoked = naming.filter(({ entry }) => entry.marker === "revoked");
  const pinnedKeyTypes = [...new Set(accepting.map(({ entry }) => entry.keyType))];
  const hostPort = hostPortOf(host, port);
  const keyscan = `ssh-keyscan -p ${port} ${host}`;

  const refuse = (presented: PresentedHostKey, why: string): SftpConnectorError => {
    const skipped =
      problems.length === 0
        ? ""
        : `; ${plural(problems.length, "malformed known_hosts line was", "malformed known_hosts lines were")} skipped: ` +
          problems.slice(0, MAX_LISTED_PROBLEMS).join("; ") +
          (problems.length > MAX_LISTED_PROBLEMS ? "; …" : "");
    return new SftpConnectorError(
      "HOST_KEY_MISMATCH",
      `host key verification failed for ${hostPort}: the server presented ${presented.type} ${presented.fingerprint}, ${why}${skipped}`,
      { operation: "connect", retryable: false },
    );
  };

  const explainMismatch = (): string => {
    const parts: string[] = [];
    if (sources.length > 0) {
      if (accepting.length > 0) {
        const listed = accepting
          .slice(0, MAX_LISTED_KEYS)
          .map(({ entry }) => `${entry.keyType} ${fingerprintOf(entry.key)}`)
          .join(", ");
        const more = accepting.length > MAX_LISTED_KEYS ? ", …" : "";
        parts.push(`known_hosts lines for ${name}: ${plural(accepting.length, "with another key", "with other keys")} (${listed}${more})`);
      } else {
        let none = `no known_hosts line names ${name}`;
        if (revoked.length > 0) none += ` except @revoked ones`;
        if (bareHostLines > 0) {
          none += ` (${plural(bareHostLines, "line names", "lines name")} ${bareName} without a port; for port ${port} the name must be ${name})`;
        } else if (otherHostLines > 0) {
          none += ` (${plural(otherHostLines, "line names", "lines name")} other hosts)`;
        }
        parts.push(none);
      }
    }
    if (fingerprints.size > 0) parts.push(plural(fingerprints.size, "pinned fingerprint differs", "pinned fingerprints differ"));
    const pin =
      accepting.length === 0 && fingerprints.size === 0
        ? `. To pin this server, check its key out of band and add the output of "${keyscan}" to hostKey.knownHosts ` +
          `(or its fingerprint, from "${keyscan} | ssh-keygen -lf -", to hostKey.fingerprints)`
        : `. If the server's key was changed on purpose, pin the new key (see "${keyscan}"); otherwise someone may be intercepting the connection`;
    return `which matches no pinned key (${parts.join("; ") || "nothing is pinned"})${pin}`;
  };

  const verifier: HostKeyVerifier = {
    insecure: false,
    problems,
    pinnedKeyTypes,
    verify(keyBlob: Buffer): boolean {
      try {
        const presented: PresentedHostKey = { type: keyTypeOf(keyBlob) ?? "unknown", fingerprint: fingerprintOf(keyBlob) };
        verifier.presented = presented;
        const revokedBy = revoked.find(({ entry }) => entry.key.equals(keyBlob));
        if (revokedBy !== undefined) {
          verifier.failure = refuse(presented, `which is revoked (@revoked at ${revokedBy.source} line ${revokedBy.entry.line})`);
          return false;
        }
        const known = accepting.some(({ entry }) => entry.keyType === presented.type && entry.key.equals(keyBlob));
        if (known || fingerprints.has(presented.fingerprint)) {
          verifier.failure = undefined;
          return true;
        }
        verifier.failure = refuse(presented, explainMismatch());
        return false;
      } catch (cause) {
        // Never throw into ssh2's handshake: refuse, and say why.
        verifier.failure = new SftpConnectorError(
          "HOST_KEY_MISMATCH",
          `host key verification failed for ${hostPort}: the server's key could not be checked (${cause instanceof Error ? cause.message : String(cause)})`,
          { operation: "connect", retryable: false, cause },
        );
        return false;
      }
    },
  };
  return verifier;
}
