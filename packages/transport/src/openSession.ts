// Opens an SSH+SFTP session: proxy or jump tunnel, strict host key check, auth, connect timeout over all of it, queued logins.
import { Client, type ConnectConfig, type SFTPWrapper } from "ssh2";
import type { Duplex } from "node:stream";
import {
  SftpConnectorError,
  abortedError,
  isSftpConnectorError,
  validateConfig,
  type ConnectionConfig,
  type NormalizedConnectionConfig,
  type NormalizedHostConnectionConfig,
} from "@sftp-connector/core";
import { authFromConfig, createAuthHandler } from "@sftp-connector/auth";
import { classifyError } from "./classifyError.js";
import { createHostKeyVerifier } from "./verifyHostKey.js";
import { openTunnel, describeProxy, setNoDelay, type SocketFactory } from "./openTunnel.js";
import { defaultLoginQueue, type LoginQueue } from "./LoginQueue.js";
import { silentLogger, type Logger } from "./Logger.js";
import { SftpSession, type SessionInfo } from "./SftpSession.js";
import { describeLegacyAlgorithms, noCommonAlgorithmError, resolveAlgorithms } from "./resolveAlgorithms.js";
import { watchServerOffer } from "./watchServerOffer.js";

/** Options of {@link openSession}. */
export interface OpenSessionOptions {
  /** Receives debug lines (host, port, proxy, algorithms; never secrets) and warnings. @default silent */
  logger?: Logger;
  /** A custom way to reach the first hop (a tunnel of your own); replaces direct TCP and proxies. */
  socketFactory?: SocketFactory;
  /** The queue that spaces out logins per host:port. @default a process-wide queue, 4 logins per host:port at once */
  loginQueue?: LoginQueue;
  /** Aborts the attempt. */
  signal?: AbortSignal;
}

/** Validates `config` unless it already went through `validateConfig`. */
export function toNormalizedConfig(config: ConnectionConfig | NormalizedConnectionConfig): NormalizedConnectionConfig {
  return validateConfig(config);
}

interface HopResult {
  client: Client;
  info: Omit<SessionInfo, "homeDirectory" | "remoteDirectory" | "extensions" | "limits">;
}

/** Logs in to one hop over `sock`. Rejects with a classified SftpConnectorError. */
async function loginHop(hop: NormalizedHostConnectionConfig, sock: Duplex, logger: Logger, timeoutMs: number): Promise<HopResult> {
  const where = `${hop.host}:${hop.port}`;
  const verifier = await createHostKeyVerifier({ host: hop.host, port: hop.port, hostKey: hop.hostKey });
  for (const problem of verifier.problems) logger.warn(`known_hosts: ${problem}`);
  if (verifier.insecure) {
    logger.warn(`host key checking is off for ${where} (hostKey.insecureAcceptAny): any server can pose as this one`);
  }
  // Strategy warnings (a key file readable by others) go to the session's logger.
  const auth = createAuthHandler(authFromConfig(hop.auth), hop.username, { warnings: logger });
  const client = new Client();
  const resolved = resolveAlgorithms(hop, verifier.pinnedKeyTypes);
  const legacyWarning = describeLegacyAlgorithms(resolved.legacy, where, hop.algorithms?.profile === "legacy" ? 'algorithms: "legacy"' : "legacyKex: true");
  if (legacyWarning) logger.warn(legacyWarning);
  const connectConfig: ConnectConfig = {
    sock,
    host: hop.host,
    port: hop.port,
    username: hop.username,
    authHandler: auth.handler as ConnectConfig["authHandler"],
    hostVerifier: (key: Buffer) => verifier.verify(key),
    algorithms: resolved.algorithms,
    readyTimeout: timeoutMs > 0 ? timeoutMs : 2_147_483_647,
    keepaliveInterval: hop.keepaliveIntervalMs,
    keepaliveCountMax: 3,
  };
  // The server's algorithm lists, read from its KEXINIT, so a failed negotiation can name them.
  const serverOffer = watchServerOffer(sock);
  return new Promise<HopResult>((resolve, reject) => {
    let negotiated: Record<string, unknown> | undefined;
    const fail = (error: unknown) => {
      serverOffer.stop();
      client.removeAllListeners("ready");
      client.end();
      sock.destroy();
      if (verifier.failure) return reject(verifier.failure);
      const mismatch = noCommonAlgorithmError(error, serverOffer.offer, hop, where);
      if (mismatch) return reject(mismatch);
      const classified = classifyError(error, { operation: "connect", host: hop.host, port: hop.port });
      if (classified.reason === "AUTH_FAILED") {
        // A key that could not be read or decrypted is a config problem, not a refused login.
        const preparation = auth.preparationError();
        if (preparation) return reject(preparation);
        const tried = auth.tried();
        const left = auth.methodsLeft();
        return reject(
          new SftpConnectorError(
            "AUTH_FAILED",
            `authentication failed for user ${hop.username} at ${where} (tried: ${tried.length > 0 ? tried.join(", ") : "nothing the server accepts"}` +
              `${left ? `; the server accepts: ${left.join(", ") || "nothing"}` : ""})`,
            { operation: "connect", cause: error, retryable: false },
          ),
        );
      }
      reject(classified);
    };
    client.once("handshake", (info) => {
      negotiated = info as unknown as Record<string, unknown>;
    });
    // Later errors (after a failure was reported, or before the session takes over) must not go unhandled.
    client.on("error", () => {});
    client.once("error", fail);
    client.once("close", () => fail(new Error("Connection lost before handshake")));
    client.once("ready", () => {
      serverOffer.stop();
      client.removeListener("error", fail);
      client.removeAllListeners("close");
      const n = (negotiated ?? {}) as { kex?: string; serverHostKey?: string; cs?: { cipher?: string; mac?: string; compress?: string } };
      // The server's identification line (no ssh2 debug callback: it would format a string for every packet).
      const internals = client as unknown as { _protocol?: { _remoteIdentRaw?: Buffer }; _remoteVer?: string };
      const banner = internals._protocol?._remoteIdentRaw?.toString("latin1") ?? (internals._remoteVer ? `SSH-2.0-${internals._remoteVer}` : "");
      const info = {
        host: hop.host,
        port: hop.port,
        banner,
        algorithms: {
          kex: n.kex ?? "",
          serverHostKey: n.serverHostKey ?? "",
          cipher: n.cs?.cipher ?? "",
          mac: n.cs?.mac ?? "",
          compress: n.cs?.compress ?? "",
        },
        hostKey: { type: verifier.presented?.type ?? "", fingerprint: verifier.presented?.fingerprint ?? "" },
      };
      logger.debug(`logged in to ${where}`, { user: hop.username, ...info.algorithms, hostKey: info.hostKey.fingerprint });
      resolve({ client, info });
    });
    try {
      client.connect(connectConfig);
    } catch (error) {
      // ssh2 throws at once for an algorithm name it does not support (algorithms.cipher: ["nope"]).
      fail(error);
    }
  });
}

/** Opens a stream to `hop` from the previous hop's client (jump), or a tunnel (direct, proxy, custom). */
async function reachHop(
  hop: NormalizedHostConnectionConfig,
  options: OpenSessionOptions,
  logger: Logger,
  signal: AbortSignal,
  deadline: number,
  hops: Client[],
): Promise<Duplex> {
  const proxy = hop.proxy;
  if (proxy?.type === "jump") {
    const jump = await connectHop(proxy, options, logger, signal, deadline, hops);
    hops.push(jump.client);
    logger.debug(`forwarding through jump host ${proxy.host}:${proxy.port} to ${hop.host}:${hop.port}`);
    return new Promise<Duplex>((resolve, reject) =>
      jump.client.forwardOut("127.0.0.1", 0, hop.host, hop.port, (error, channel) =>
        error
          ? reject(
              new SftpConnectorError("PROXY_FAILED", `jump host ${proxy.host}:${proxy.port} could not reach ${hop.host}:${hop.port}: ${error.message}`, {
                operation: "connect",
                cause: error,
              }),
            )
          : resolve(channel),
      ),
    );
  }
  if (proxy) logger.debug(`connecting to ${hop.host}:${hop.port} through ${proxy.type === "environment" ? "the environment's proxy" : describeProxy(proxy)}`);
  else logger.debug(`connecting to ${hop.host}:${hop.port}`);
  try {
    const timeoutMs = deadline === Number.POSITIVE_INFINITY ? 0 : Math.max(1, deadline - Date.now());
    return await openTunnel({ host: hop.host, port: hop.port }, proxy, { signal, timeoutMs, socketFactory: options.socketFactory });
  } catch (error) {
    throw classifyError(error, {
      operation: "connect",
      host: hop.host,
      port: hop.port,
      proxy: proxy && proxy.type !== "environment" ? describeProxy(proxy) : proxy ? "environment proxy" : undefined,
    });
  }
}

async function connectHop(
  hop: NormalizedHostConnectionConfig,
  options: OpenSessionOptions,
  logger: Logger,
  signal: AbortSignal,
  deadline: number,
  hops: Client[],
): Promise<HopResult> {
  const sock = await reachHop(hop, options, logger, signal, deadline, hops);
  setNoDelay(sock);
  const remaining = deadline === Number.POSITIVE_INFINITY ? 0 : Math.max(1, deadline - Date.now());
  const onAbort = () => sock.destroy();
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    return await loginHop(hop, sock, logger, remaining);
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}

/**
 * Opens a session: reaches the server (directly, through an HTTP CONNECT or SOCKS proxy, the
 * environment's proxy, jump hosts, or your socket factory) with TCP_NODELAY on every socket,
 * verifies its host key (strict by default), logs in with the configured auth methods in order,
 * and opens the SFTP channel. `timeouts.connectMs` bounds all of it. Rejects with
 * `SftpConnectorError` (`INVALID_CONFIG`, `AUTH_FAILED`, `HOST_KEY_MISMATCH`, `HOST_UNREACHABLE`,
 * `PROXY_FAILED`, `TIMEOUT`, `CONNECTION_LOST`).
 *
 * @example
 * ```ts
 * const session = await openSession({ host, port, username, auth: { type: "password", password }, hostKey: { fingerprints: [fp] } });
 * for await (const entry of session.readdir(session.info.homeDirectory)) console.log(entry.name);
 * await session.close();
 * ```
 */
export async function openSession(input: ConnectionConfig | NormalizedConnectionConfig, options: OpenSessionOptions = {}): Promise<SftpSession> {
  const config = toNormalizedConfig(input);
  const logger = options.logger ?? silentLogger;
  const queue = options.loginQueue ?? defaultLoginQueue;
  const connectMs = config.timeouts.connectMs;
  const controller = new AbortController();
  const abortFromCaller = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener("abort", abortFromCaller, { once: true });
  const hops: Client[] = [];
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    if (connectMs > 0) {
      timer = setTimeout(() => {
        const error = new SftpConnectorError("TIMEOUT", `could not connect to ${config.host}:${config.port} within ${connectMs} ms (timeouts.connectMs)`, {
          operation: "connect",
        });
        controller.abort(error);
        reject(error);
      }, connectMs);
    }
  });
  timedOut.catch(() => {});
  // The caller's abort ends the attempt at once, wherever it is (the login queue, the proxy, the handshake).
  let onCallerAbort: (() => void) | undefined;
  const callerAborted = new Promise<never>((_, reject) => {
    onCallerAbort = () => reject(abortedError("connect", undefined, options.signal));
    if (options.signal?.aborted) onCallerAbort();
    else options.signal?.addEventListener("abort", onCallerAbort, { once: true });
  });
  callerAborted.catch(() => {});
  const deadline = connectMs > 0 ? Date.now() + connectMs : Number.POSITIVE_INFINITY;
  let result: HopResult | undefined;
  try {
    const attempt = queue.run(`${config.host}:${config.port}`, async () => {
      const hop = await connectHop(config, options, logger, controller.signal, deadline, hops);
      result = hop;
      const sftp = await new Promise<SFTPWrapper>((resolve, reject) =>
        hop.client.sftp((error, channel) =>
          error ? reject(classifyError(error, { operation: "connect", host: config.host, port: config.port })) : resolve(channel),
        ),
      );
      return { hop, sftp };
    });
    // A login that finishes after the timeout fired must not leak its connection.
    attempt.then(
      ({ hop }) => controller.signal.aborted && hop.client.end(),
      () => {},
    );
    const { hop, sftp } = await Promise.race([attempt, timedOut, callerAborted]);
    const session = new SftpSession({ client: hop.client, sftp, hops, info: hop.info, readMs: config.timeouts.readMs, logger });
    const homeDirectory = await session.realpath(".");
    session.info = {
      ...hop.info,
      homeDirectory,
      ...(config.remoteDirectory === undefined ? {} : { remoteDirectory: config.remoteDirectory }),
      extensions: session.extensions,
      limits: session.limits,
    };
    logger.debug(`SFTP session open on ${config.host}:${config.port}`, { homeDirectory, extensions: session.info.extensions });
    return session;
  } catch (error) {
    result?.client.end();
    for (const hop of hops) hop.end();
    if (options.signal?.aborted) throw abortedError("connect", undefined, options.signal);
    if (controller.signal.aborted && isSftpConnectorError(controller.signal.reason)) throw controller.signal.reason;
    throw isSftpConnectorError(error) ? error : classifyError(error, { operation: "connect", host: config.host, port: config.port });
  } finally {
    if (timer) clearTimeout(timer);
    options.signal?.removeEventListener("abort", abortFromCaller);
    if (onCallerAbort) options.signal?.removeEventListener("abort", onCallerAbort);
  }
}
