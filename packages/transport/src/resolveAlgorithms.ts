// Builds ssh2's algorithm lists for a hop from its profile ("default" or "legacy"), legacyKex, per-kind lists and pinned host key types, and explains a failed negotiation.
import { getCiphers, getHashes } from "node:crypto";
import type { Algorithms } from "ssh2";
import { SftpConnectorError, type AlgorithmOptions } from "@sftp-connector/core";
import type { ServerAlgorithmOffer } from "./watchServerOffer.js";

/** The algorithm kinds a profile covers. */
export type LegacyAlgorithmKind = "kex" | "cipher" | "hmac" | "serverHostKey";

/**
 * What `algorithms: "legacy"` offers after ssh2's defaults: the algorithms JSch 0.1.55 (Boomi SFTP
 * V2) offered that ssh2 supports and does not offer by default. `ssh-rsa` (SHA-1) host keys and
 * `hmac-sha1` are not listed: ssh2 offers them by default. Left out because ssh2 or Node cannot
 * use them: `3des-ctr` (not in ssh2) and `blowfish-cbc` (OpenSSL 3 keeps Blowfish in its legacy
 * provider, which Node does not load). `legacyKex: true` adds the `kex` list only.
 */
export const LEGACY_ALGORITHMS: Readonly<Record<LegacyAlgorithmKind, readonly string[]>> = Object.freeze({
  kex: Object.freeze(["diffie-hellman-group14-sha1", "diffie-hellman-group-exchange-sha1", "diffie-hellman-group1-sha1"]),
  cipher: Object.freeze(["aes128-cbc", "aes192-cbc", "aes256-cbc", "3des-cbc"]),
  hmac: Object.freeze(["hmac-md5", "hmac-sha1-96", "hmac-md5-96"]),
  serverHostKey: Object.freeze(["ssh-dss"]),
});

/** Legacy key exchanges added by `legacyKex` (Boomi's "Use Max Key Exchange size of 1024"); the `kex` part of {@link LEGACY_ALGORITHMS}. */
export const LEGACY_KEX: readonly string[] = LEGACY_ALGORITHMS.kex;

const KINDS: readonly LegacyAlgorithmKind[] = ["kex", "serverHostKey", "cipher", "hmac"];

/** OpenSSL names behind the legacy ciphers and MACs: ssh2 refuses a name Node's OpenSSL cannot run (FIPS builds have no MD5). */
const NEEDS: Readonly<Record<string, { cipher?: string; hash?: string }>> = {
  "aes128-cbc": { cipher: "aes-128-cbc" },
  "aes192-cbc": { cipher: "aes-192-cbc" },
  "aes256-cbc": { cipher: "aes-256-cbc" },
  "3des-cbc": { cipher: "des-ede3-cbc" },
  "hmac-md5": { hash: "md5" },
  "hmac-md5-96": { hash: "md5" },
  "hmac-sha1-96": { hash: "sha1" },
};

let available: ((name: string) => boolean) | undefined;
function isAvailable(name: string): boolean {
  if (!available) {
    const ciphers = new Set(getCiphers());
    const hashes = new Set(getHashes());
    available = (algorithm) => {
      const need = NEEDS[algorithm];
      return need === undefined || ((need.cipher === undefined || ciphers.has(need.cipher)) && (need.hash === undefined || hashes.has(need.hash)));
    };
  }
  return available(name);
}

/** Host key algorithms that verify keys of a known_hosts key type. */
const HOST_KEY_ALGORITHMS: Record<string, string[]> = {
  "ssh-rsa": ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"],
};

/** The hop fields {@link resolveAlgorithms} reads. */
export interface AlgorithmSettings {
  /** Add the legacy key exchanges. */
  legacyKex: boolean;
  /** The profile and per-kind lists, as `validateConfig` returns them. */
  algorithms?: AlgorithmOptions;
}

/** What {@link resolveAlgorithms} returns. */
export interface ResolvedAlgorithms {
  /** ssh2's `algorithms` connect option. */
  algorithms: Algorithms;
  /** The legacy algorithms added after the defaults, per kind (empty when none). */
  legacy: Partial<Record<LegacyAlgorithmKind, string[]>>;
}

/**
 * ssh2 algorithm lists for a hop. A per-kind list (`algorithms.cipher`, …) replaces that kind
 * exactly. Otherwise the kind keeps ssh2's defaults, followed, with `algorithms: "legacy"`, by
 * {@link LEGACY_ALGORITHMS} (and, with `legacyKex`, by the legacy key exchanges), so a server that
 * offers modern algorithms still negotiates them: ssh2 picks the first of its own list that the
 * server offers. Host key algorithms for the pinned key types go first.
 *
 * @example
 * ```ts
 * resolveAlgorithms({ legacyKex: false, algorithms: { profile: "legacy" } }, []).legacy.cipher; // ["aes128-cbc", "aes192-cbc", "aes256-cbc", "3des-cbc"]
 * ```
 */
export function resolveAlgorithms(settings: AlgorithmSettings, pinnedKeyTypes: readonly string[] = []): ResolvedAlgorithms {
  const given = settings.algorithms ?? {};
  const legacyProfile = given.profile === "legacy";
  const algorithms: Record<string, unknown> = {};
  const legacy: Partial<Record<LegacyAlgorithmKind, string[]>> = {};
  for (const kind of KINDS) {
    const list = given[kind];
    if (list) {
      algorithms[kind] = [...list];
      continue;
    }
    const append = legacyProfile || (kind === "kex" && settings.legacyKex) ? LEGACY_ALGORITHMS[kind].filter(isAvailable) : [];
    const prepend = kind === "serverHostKey" ? pinnedKeyTypes.flatMap((type) => HOST_KEY_ALGORITHMS[type] ?? [type]) : [];
    if (append.length > 0) legacy[kind] = append;
    if (append.length > 0 || prepend.length > 0) algorithms[kind] = { append, prepend, remove: [] };
  }
  if (given.compress) algorithms.compress = [...given.compress];
  return { algorithms: algorithms as Algorithms, legacy };
}

/** The warning logged when legacy algorithms are offered, naming them. */
export function describeLegacyAlgorithms(legacy: ResolvedAlgorithms["legacy"], where: string, source: string): string | undefined {
  const parts = KINDS.filter((kind) => (legacy[kind]?.length ?? 0) > 0).map((kind) => `${kind} ${legacy[kind]!.join(", ")}`);
  if (parts.length === 0) return undefined;
  return (
    `${source} for ${where}: also offering legacy algorithms after the modern ones (${parts.join("; ")}). ` +
    `They are weak (SHA-1, MD5, CBC, 1024-bit DH and DSA); a server that offers anything newer still negotiates that`
  );
}

/** What ssh2's "Handshake failed: no matching …" names. */
const MISMATCH_KINDS: readonly [RegExp, keyof ServerAlgorithmOffer, string][] = [
  [/key exchange/i, "kex", "key exchange"],
  [/host key/i, "serverHostKey", "host key"],
  [/cipher/i, "cipher", "cipher"],
  [/MAC/, "hmac", "MAC"],
  [/compression/i, "compress", "compression"],
];

/**
 * Turns ssh2's "Handshake failed: no matching …" into an INVALID_CONFIG error (not retried: the
 * config must change) that names what the server offers and the setting that would match it,
 * e.g. `… 127.0.0.1:2222 offers only legacy cipher algorithms (aes128-cbc, 3des-cbc), which the
 * "default" algorithm profile does not offer; set algorithms: "legacy" …`. `undefined` for any
 * other error, or when the server's offer is unknown (classifyError's generic hint then applies).
 */
export function noCommonAlgorithmError(
  error: unknown,
  offer: ServerAlgorithmOffer | undefined,
  settings: AlgorithmSettings,
  where: string,
): SftpConnectorError | undefined {
  const message = typeof (error as { message?: unknown })?.message === "string" ? (error as { message: string }).message : "";
  if (!message.startsWith("Handshake failed: no matching") || offer === undefined) return undefined;
  const match = MISMATCH_KINDS.find(([pattern]) => pattern.test(message));
  if (!match) return undefined;
  const [, kind, label] = match;
  const offered = offer[kind];
  const given = settings.algorithms ?? {};
  const list = (names: readonly string[]) => (names.length === 0 ? "none" : names.join(", "));
  const head = `connect failed: ${where} and this client share no ${label} algorithm (${message})`;
  let advice: string;
  if (given[kind]) {
    advice = `the server offers ${list(offered)}; algorithms.${kind} lists only ${list(given[kind]!)}`;
  } else if (kind !== "compress" && given.profile !== "legacy") {
    const legacyOffered = offered.filter((name) => LEGACY_ALGORITHMS[kind].includes(name) && isAvailable(name));
    const kexOnly = kind === "kex" ? ", or legacyKex: true for its key exchanges only" : "";
    advice =
      legacyOffered.length > 0
        ? `the server offers only legacy ${label} algorithms (${list(offered)}), which the "default" algorithm profile does not offer; ` +
          `if the server cannot be upgraded, set algorithms: "legacy" to allow them (SHA-1 key exchanges, CBC ciphers, hmac-md5, ssh-dss)${kexOnly}`
        : `the server offers ${list(offered)}, which this client does not support with any algorithm profile`;
  } else {
    advice = `the server offers ${list(offered)}, which this client does not support${given.profile === "legacy" ? ' even with algorithms: "legacy"' : ""}`;
  }
  return new SftpConnectorError("INVALID_CONFIG", `${head}: ${advice}`, { operation: "connect", cause: error, retryable: false });
}
