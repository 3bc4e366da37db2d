// Starts a throwaway OpenSSH server (and optionally dante SOCKS4/5 and tinyproxy HTTP CONNECT proxies) on 127.0.0.1 with testcontainers.
import { randomBytes, createHash } from "node:crypto";
import { createServer, connect, type AddressInfo } from "node:net";
import { execFileSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GenericContainer, getContainerRuntimeClient, type StartedTestContainer, type WaitStrategy } from "testcontainers";
import { ensureTestbedImage } from "./ensureTestbedImage.js";
import { TESTBED_LABEL, prepareDockerEnvironment } from "./dockerEngine.js";
import { CLIENT_KEY_NAMES, renderStartScript, type ClientKeyName } from "./renderStartScript.js";

/** Options of {@link startTestbed}. */
export interface StartTestbedOptions {
  /** Also start the proxies: dante (SOCKS4/5 with and without auth) and tinyproxy (HTTP CONNECT with and without basic auth). @default false */
  proxies?: boolean;
  /** The server's host key type. @default "ed25519", or "rsa" with `legacyAlgorithmsOnly` */
  hostKeyType?: "ed25519" | "ecdsa" | "rsa";
  /**
   * Offer only old algorithms, as the servers Boomi SFTP V2 (JSch 0.1.55) reached: key exchanges
   * `diffie-hellman-group14-sha1,diffie-hellman-group-exchange-sha1`, ciphers
   * `aes128-cbc,aes256-cbc,3des-cbc`, MACs `hmac-sha1,hmac-md5`, host key algorithm `ssh-rsa` with
   * an RSA host key (`hostKeyType` must be `"rsa"`, the default then).
   * @default false
   */
  legacyAlgorithmsOnly?: boolean;
  /**
   * `PasswordAuthentication no`: the password user can log in only over keyboard-interactive
   * (PAM asks one `Password:` prompt with echo off), as servers that offer no `password` method.
   * @default false
   */
  keyboardInteractiveOnly?: boolean;
  /** Extra sshd_config lines, e.g. `["MaxStartups 2:100:2"]`. @default [] */
  sshdConfig?: readonly string[];
  /** tmpfs mounts in the container, e.g. `{ "/home/tester/small": "size=1m,uid=1000" }` to fill a disk. @default {} */
  tmpfs?: Record<string, string>;
  /** The image to run. @default the result of `ensureTestbedImage()` (or SFTP_TESTBED_IMAGE) */
  image?: string;
  /** How long the container may take to start. @default 60000 */
  startupTimeoutMs?: number;
}

/** A client key pair made by the testbed. */
export interface TestbedKey {
  /** The private key text (OpenSSH or PEM format, as the name says). */
  privateKey: string;
  /** The public key as an authorized_keys line. */
  publicKey: string;
  /** Whether the private key is encrypted with the key user's passphrase. */
  encrypted: boolean;
}

/** A proxy the testbed runs. */
export interface TestbedProxy {
  host: string;
  port: number;
  username?: string;
  password?: string;
}

/** The result of a command run in the container. */
export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** A password or private key login, in sftp-connector's `auth` shape. */
export type TestbedAuth = { type: "password"; password: string } | { type: "privateKey"; content: string; passphrase?: string };

/**
 * A connection config for the testbed in sftp-connector's shape (`ConnectionConfig` of
 * `@sftp-connector/core`), as a plain object: pass it to `openSession`, `SessionPool`,
 * `createSftpConnector` or anything that takes the same fields.
 */
export interface TestbedConnectionConfig {
  /** {@link Testbed.host}. */
  host: string;
  /** {@link Testbed.port}. */
  port: number;
  /** The chosen user's name. */
  username: string;
  /** The chosen user's password, or the chosen key (with the passphrase when it is encrypted). */
  auth: TestbedAuth;
  /** The testbed's host key, pinned: its known_hosts line, or its SHA256 fingerprint. */
  hostKey: { knownHosts: string } | { fingerprints: string[] };
  /** Both limits set to the same value. */
  timeouts: { connectMs: number; readMs: number };
}

/** Options of {@link Testbed.connectionConfig}. */
// biome-ignore lint/complexity/noBannedTypes: `{}` is the identity of `&`: no extra fields unless the caller names them.
export interface TestbedConnectionConfigOptions<Extra extends object = {}> {
  /** Log in as the password user (`tester`) or the key user (`keyuser`). @default "key" when `key` is given, else "password" */
  user?: "password" | "key";
  /** The key user's key to log in with (not `unauthorized`, unless refusal is the point). @default "ed25519" */
  key?: ClientKeyName;
  /** Pin the host key by its known_hosts line (`{ knownHosts }`) or its fingerprint (`{ fingerprints: [fingerprint] }`). @default "knownHosts" */
  hostKey?: "knownHosts" | "fingerprint";
  /** `timeouts.connectMs` and `timeouts.readMs`. @default 20000 */
  timeoutMs?: number;
  /** More fields, or replacements, spread over the config last (e.g. `{ proxy }`, `{ timeouts }`, `{ hostKey }`). */
  extra?: Extra;
}

/** A running testbed. Everything listens on 127.0.0.1. */
export interface Testbed {
  /** Always `127.0.0.1`. */
  host: string;
  /** The SSH port. */
  port: number;
  /** The server's host key. */
  hostKey: {
    /** The key type, e.g. `ssh-ed25519`. */
    type: string;
    /** `TYPE BASE64` as in a .pub file. */
    publicKey: string;
    /** A known_hosts line for this host and port: `[127.0.0.1]:PORT TYPE BASE64`. */
    knownHostsLine: string;
    /** The SHA256 fingerprint as OpenSSH prints it: `SHA256:…` (base64, no padding). */
    fingerprint: string;
  };
  users: {
    /** A user that logs in with a password (also over keyboard-interactive). */
    password: { username: string; password: string; home: string };
    /** A user that logs in with keys: every key in `keys` but `unauthorized` is in its authorized_keys. */
    key: { username: string; home: string; passphrase: string; keys: Record<ClientKeyName, TestbedKey> };
  };
  /** The proxies, when started with `proxies: true`. */
  proxies?: {
    /** dante, no auth: SOCKS4 and SOCKS5. */
    socks: TestbedProxy;
    /** dante, SOCKS5 with username/password. */
    socksAuth: Required<TestbedProxy>;
    /** tinyproxy, HTTP CONNECT without auth. */
    http: TestbedProxy;
    /** tinyproxy, HTTP CONNECT with basic auth. */
    httpAuth: Required<TestbedProxy>;
  };
  /** The container's id. */
  containerId: string;
  /** Runs `sh -c command` in the container (as root unless `user` is given); throws on a non-zero exit unless `allowFailure`. */
  exec(command: string, options?: { user?: string; allowFailure?: boolean }): Promise<ExecResult>;
  /** Writes a private key to a fresh temporary file (mode 0600) and returns its path; `stop()` deletes it. */
  writeKeyFile(name: ClientKeyName): Promise<string>;
  /** Restarts the container (users, keys and host key survive) and waits until sshd answers again. */
  restart(): Promise<void>;
  /** Freezes every process of the container: connections stall, nothing is refused. */
  pause(): Promise<void>;
  /** Thaws a paused container. */
  unpause(): Promise<void>;
  /** Stops and removes the container, and deletes the key files {@link Testbed.writeKeyFile} wrote. */
  stop(): Promise<void>;
  /**
   * A connection config for this testbed in sftp-connector's shape, as a plain object:
   * `{ host, port, username, auth, hostKey, timeouts }` for the password user (or, with
   * `user: "key"` or a `key`, the key user), the host key pinned, and `extra` spread over it last.
   *
   * @example
   * ```ts
   * const session = await openSession(testbed.connectionConfig());
   * const viaKey = testbed.connectionConfig({ key: "rsaPemEncrypted", extra: { proxy: { type: "socks5", ...testbed.proxies!.socks } } });
   * ```
   */
  // biome-ignore lint/complexity/noBannedTypes: `{}` is the identity of `&`: no extra fields unless the caller names them.
  connectionConfig<Extra extends object = {}>(options?: TestbedConnectionConfigOptions<Extra>): TestbedConnectionConfig & Extra;
  /**
   * Kills every SSH session of `username` on the server (`pkill -f '^sshd: <username>'`), as a
   * dropped connection would: clients see their connection lost, the server keeps listening.
   * Succeeds when there was none. @param username - @default the password user
   */
  dropSessions(username?: string): Promise<void>;
  /**
   * {@link Testbed.dropSessions}, blocking this process until it is done (through the `docker`
   * CLI, which must be on PATH): for tests that must drop sessions at an exact point of a
   * synchronous callback, before any more data can arrive.
   */
  dropSessionsSync(username?: string): void;
  /** The SHA-256 of a file in the container as lowercase hex (`sha256sum`, as root). Rejects when the file cannot be read. */
  sha256(path: string): Promise<string>;
}

/** Picks `count` distinct free TCP ports on 127.0.0.1. */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const server = createServer();
          server.once("error", reject);
          server.listen(0, "127.0.0.1", () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

/** The SHA256 fingerprint of an OpenSSH public key line (`TYPE BASE64 [comment]`), as `ssh-keygen -l` prints it. */
export function fingerprintOf(publicKeyLine: string): string {
  const blob = publicKeyLine.trim().split(/\s+/)[1];
  if (!blob) throw new Error("fingerprintOf: expected a public key line `TYPE BASE64`");
  return "SHA256:" + createHash("sha256").update(Buffer.from(blob, "base64")).digest("base64").replace(/=+$/, "");
}

/** Resolves once something on 127.0.0.1:port accepts a TCP connection (and, for SSH, sends its banner). */
async function waitForPort(port: number, timeoutMs: number, expectBanner: boolean, check?: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = "";
  while (Date.now() < deadline) {
    await check?.();
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: "127.0.0.1", port });
      const done = (result: boolean) => {
        socket.destroy();
        resolve(result);
      };
      socket.setTimeout(2000, () => done(false));
      socket.once("error", (e) => {
        lastError = e.message;
        done(false);
      });
      socket.once("connect", () => (expectBanner ? undefined : done(true)));
      socket.once("data", (d) => done(d.toString("latin1").startsWith("SSH-")));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Nothing answered on 127.0.0.1:${port} within ${timeoutMs} ms (${lastError || "no banner"})`);
}

/**
 * testcontainers' wait strategy for sshd's banner on `port`, failing early when the container exits first.
 * Not `Wait.forLogMessage`: testcontainers (11.x) goes on following the container's log after the
 * match, unread, so this process buffered every later log line, and sshd logs each connection
 * (~1 KiB of heap per SSH connection, for as long as the testbed runs).
 */
function sshBannerWait(port: number): WaitStrategy {
  let timeoutMs = 60_000;
  let timeoutSet = false;
  const strategy: WaitStrategy = {
    withStartupTimeout(ms) {
      timeoutMs = ms;
      timeoutSet = true;
      return strategy;
    },
    isStartupTimeoutSet: () => timeoutSet,
    getStartupTimeout: () => timeoutMs,
    waitUntilReady: (container) =>
      waitForPort(port, timeoutMs, true, async () => {
        const { State: state } = await container.inspect();
        if (!state.Running)
          throw new Error(
            `The testbed container exited (code ${state.ExitCode}) before sshd answered on 127.0.0.1:${port}; see its log: docker logs ${container.id}`,
          );
      }),
  };
  return strategy;
}

const secret = () => randomBytes(12).toString("hex");

/** Quotes a string for `sh`. */
const shellQuote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

/** The shell command that kills a user's SSH sessions (each is an `sshd: USER…` process). */
function dropSessionsCommand(username: string): string {
  if (!/^[A-Za-z0-9._-]+$/.test(username)) throw new Error(`dropSessions: not a user name: ${JSON.stringify(username)}`);
  return `pkill -f '^sshd: ${username}' || true`;
}

/**
 * Starts a testbed: OpenSSH's sshd on a free port of 127.0.0.1 in a container with host networking,
 * a password user, a key user with ed25519/ECDSA/RSA keys in OpenSSH and PEM formats (two of them
 * encrypted), a fresh host key, and with `proxies: true` dante and tinyproxy. Fails with a message
 * saying what to start when no Docker engine is reachable; never skips.
 *
 * @example
 * ```ts
 * const testbed = await startTestbed({ proxies: true });
 * try { console.log(testbed.port, testbed.hostKey.fingerprint); } finally { await testbed.stop(); }
 * ```
 */
export async function startTestbed(options: StartTestbedOptions = {}): Promise<Testbed> {
  await prepareDockerEnvironment();
  const image = options.image ?? (await ensureTestbedImage());
  const hostKeyType = options.hostKeyType ?? (options.legacyAlgorithmsOnly ? "rsa" : "ed25519");
  if (options.legacyAlgorithmsOnly && hostKeyType !== "rsa") {
    throw new Error(`startTestbed: legacyAlgorithmsOnly offers only ssh-rsa host keys, so hostKeyType must be "rsa", not "${hostKeyType}"`);
  }
  const [sshPort, socks, socksAuth, http, httpAuth] = await freePorts(options.proxies ? 5 : 1);
  const proxyPorts = options.proxies ? { socks: socks!, socksAuth: socksAuth!, http: http!, httpAuth: httpAuth! } : undefined;
  const passwordUser = { username: "tester", password: secret() };
  const keyUser = { username: "keyuser", passphrase: secret() };
  const proxyUser = { username: "proxyuser", password: secret() };
  const script = renderStartScript({
    sshPort: sshPort!,
    hostKeyType,
    passwordUser,
    keyUser,
    proxyUser,
    proxyPorts,
    extraSshdConfig: options.sshdConfig ?? [],
    legacyAlgorithmsOnly: options.legacyAlgorithmsOnly ?? false,
    keyboardInteractiveOnly: options.keyboardInteractiveOnly ?? false,
  });

  const startupTimeoutMs = options.startupTimeoutMs ?? 60_000;
  let builder = new GenericContainer(image)
    .withNetworkMode("host")
    .withLabels({ [TESTBED_LABEL]: process.env.SFTP_TESTBED_RUN_ID ?? "adhoc" })
    .withCopyContentToContainer([{ content: script, target: "/etc/testbed-start.sh", mode: 0o755 }])
    .withCommand(["/bin/sh", "/etc/testbed-start.sh"])
    .withWaitStrategy(sshBannerWait(sshPort!))
    .withStartupTimeout(startupTimeoutMs);
  if (options.tmpfs) builder = builder.withTmpFs(options.tmpfs);
  const container: StartedTestContainer = await builder.start();

  const exec: Testbed["exec"] = async (command, execOptions = {}) => {
    const result = await container.exec(["sh", "-c", command], execOptions.user ? { user: execOptions.user } : {});
    const out = { stdout: result.stdout, stderr: result.stderr, exitCode: result.exitCode };
    if (out.exitCode !== 0 && !execOptions.allowFailure) {
      throw new Error(`testbed exec failed (exit ${out.exitCode}): ${command}\n${out.stderr || out.stdout}`);
    }
    return out;
  };

  try {
    const hostPub = (await exec(`cat /etc/ssh/ssh_host_${hostKeyType}_key.pub`)).stdout.trim();
    const [type, blob] = hostPub.split(/\s+/);
    const bundle = (await exec('cd /etc/testbed/keys && for f in *; do printf \'=== %s\\n\' "$f"; cat "$f"; done')).stdout;
    const files = new Map<string, string>();
    for (const part of bundle.split(/^=== /m).slice(1)) {
      const newline = part.indexOf("\n");
      files.set(part.slice(0, newline), part.slice(newline + 1));
    }
    const keys = Object.fromEntries(
      CLIENT_KEY_NAMES.map((name) => [
        name,
        { privateKey: files.get(name) ?? "", publicKey: (files.get(`${name}.pub`) ?? "").trim(), encrypted: name.endsWith("Encrypted") },
      ]),
    ) as Record<ClientKeyName, TestbedKey>;
    if (proxyPorts) {
      await Promise.all(Object.values(proxyPorts).map((port) => waitForPort(port, startupTimeoutMs, false)));
    }
    const docker = async () => (await getContainerRuntimeClient()).container.getById(container.getId());
    let keyDir: string | undefined;
    // biome-ignore lint/complexity/noBannedTypes: `{}` is the identity of `&`: no extra fields unless the caller names them.
    const connectionConfig = <Extra extends object = {}>(configOptions: TestbedConnectionConfigOptions<Extra> = {}): TestbedConnectionConfig & Extra => {
      const { key = "ed25519", timeoutMs = 20_000 } = configOptions;
      const user = configOptions.user ?? (configOptions.key ? "key" : "password");
      const auth: TestbedAuth =
        user === "password"
          ? { type: "password", password: passwordUser.password }
          : { type: "privateKey", content: keys[key].privateKey, ...(keys[key].encrypted ? { passphrase: keyUser.passphrase } : {}) };
      const config: TestbedConnectionConfig = {
        host: "127.0.0.1",
        port: sshPort!,
        username: user === "password" ? passwordUser.username : keyUser.username,
        auth,
        hostKey:
          configOptions.hostKey === "fingerprint" ? { fingerprints: [fingerprintOf(hostPub)] } : { knownHosts: `[127.0.0.1]:${sshPort} ${type} ${blob}` },
        timeouts: { connectMs: timeoutMs, readMs: timeoutMs },
      };
      return { ...config, ...configOptions.extra } as TestbedConnectionConfig & Extra;
    };
    return {
      host: "127.0.0.1",
      port: sshPort!,
      hostKey: {
        type: type!,
        publicKey: `${type} ${blob}`,
        knownHostsLine: `[127.0.0.1]:${sshPort} ${type} ${blob}`,
        fingerprint: fingerprintOf(hostPub),
      },
      users: {
        password: { ...passwordUser, home: `/home/${passwordUser.username}` },
        key: { ...keyUser, home: `/home/${keyUser.username}`, keys },
      },
      proxies: proxyPorts && {
        socks: { host: "127.0.0.1", port: proxyPorts.socks },
        socksAuth: { host: "127.0.0.1", port: proxyPorts.socksAuth, ...proxyUser },
        http: { host: "127.0.0.1", port: proxyPorts.http },
        httpAuth: { host: "127.0.0.1", port: proxyPorts.httpAuth, ...proxyUser },
      },
      containerId: container.getId(),
      exec,
      async writeKeyFile(name) {
        keyDir ??= await mkdtemp(join(tmpdir(), "sftp-testbed-keys-"));
        const path = join(keyDir, name);
        await writeFile(path, keys[name].privateKey, { mode: 0o600 });
        return path;
      },
      async restart() {
        await container.restart();
        await waitForPort(sshPort!, startupTimeoutMs, true);
        if (proxyPorts) await Promise.all(Object.values(proxyPorts).map((port) => waitForPort(port, startupTimeoutMs, false)));
      },
      async pause() {
        await (await docker()).pause();
      },
      async unpause() {
        await (await docker()).unpause();
      },
      connectionConfig,
      async dropSessions(username = passwordUser.username) {
        await exec(dropSessionsCommand(username));
      },
      dropSessionsSync(username = passwordUser.username) {
        execFileSync("docker", ["exec", container.getId(), "sh", "-c", dropSessionsCommand(username)], { stdio: "ignore" });
      },
      async sha256(path) {
        const hash = (await exec(`sha256sum ${shellQuote(path)}`)).stdout.split(" ")[0] ?? "";
        if (!/^[0-9a-f]{64}$/.test(hash)) throw new Error(`testbed sha256: unexpected output for ${path}: ${hash}`);
        return hash;
      },
      async stop() {
        const c = await docker();
        const state = await c.inspect().catch(() => undefined);
        try {
          if (state?.State.Paused) await c.unpause();
          await container.stop({ timeout: 2_000 });
        } finally {
          // The key files writeKeyFile wrote go with the testbed.
          if (keyDir !== undefined) await rm(keyDir, { recursive: true, force: true });
          keyDir = undefined;
        }
      },
    };
  } catch (error) {
    await container.stop({ timeout: 0 }).catch(() => {});
    throw error;
  }
}
