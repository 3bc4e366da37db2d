// Unit tests of error classification: every table row, pass-through, the fallback, and that messages carry no secret.
import { describe, expect, it } from "vitest";
import { SocksClientError } from "socks";
import { SftpConnectorError, type ErrorReason } from "@sftp-connector/core";
import { ERROR_CLASSIFICATION_RULES, classifyError, stripUserinfo, type ErrorContext } from "./classifyError.js";

/** An Error with extra fields, as ssh2 and node:net build them. */
function failure(message: string, fields: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), fields);
}

/** A socket error as ssh2 re-emits it. */
function socketError(code: string, message = `connect ${code} 127.0.0.1:2222`): Error {
  return failure(message, { code, errno: -1, syscall: "connect", address: "127.0.0.1", port: 2222, level: "client-socket" });
}

/** An SFTP status error as ssh2 builds it: the server's message and a numeric code. */
function sftpStatus(code: number, message: string): Error {
  return failure(message, { code });
}

/** What the transport throws for proxy failures (see openTunnel.ts). */
class ProxyError extends Error {
  readonly proxyError = true;
  constructor(message: string) {
    super(message);
    this.name = "ProxyError";
  }
}

const connect: ErrorContext = { operation: "connect", host: "127.0.0.1", port: 2222 };
const get: ErrorContext = { operation: "get", path: "/in/a.txt", host: "sftp.example.com", port: 22 };
const viaProxy: ErrorContext = { ...connect, proxy: "socks5://alice:s3cret@proxy.corp:1080" };
const socksOptions = {
  proxy: { host: "proxy.corp", port: 1080, type: 5, userId: "alice", password: "s3cret" },
  destination: { host: "127.0.0.1", port: 2222 },
  command: "connect",
};

interface Case {
  /** The rule expected to classify the error first. */
  rule: string;
  error: unknown;
  context: ErrorContext;
  reason: ErrorReason;
  retryable: boolean;
  /** Texts the message must contain. */
  contains: string[];
}

const cases: [string, Case][] = [
  [
    "our read timeout marker",
    {
      rule: "read-timeout",
      error: failure("read timed out", { code: "ETIMEOUT_READ" }),
      context: get,
      reason: "TIMEOUT",
      retryable: true,
      contains: ["get failed for '/in/a.txt': no answer from sftp.example.com:22 within readMs"],
    },
  ],
  [
    "socks: Proxy connection timed out",
    {
      rule: "proxy-timeout",
      error: new SocksClientError("Proxy connection timed out", socksOptions as never),
      context: viaProxy,
      reason: "PROXY_FAILED",
      retryable: true,
      contains: ["connect failed via the proxy socks5://proxy.corp:1080 to 127.0.0.1:2222 (timed out): Proxy connection timed out"],
    },
  ],
  [
    "ProxyError that timed out",
    {
      rule: "proxy-timeout",
      error: new ProxyError("the http proxy proxy.corp:3128 did not answer: timeout"),
      context: { ...connect, proxy: "http://proxy.corp:3128" },
      reason: "PROXY_FAILED",
      retryable: true,
      contains: ["via the proxy http://proxy.corp:3128 to 127.0.0.1:2222 (timed out)"],
    },
  ],
  [
    "socks: Socks5 Authentication failed",
    {
      rule: "proxy",
      error: new SocksClientError("Socks5 Authentication failed", socksOptions as never),
      context: viaProxy,
      reason: "PROXY_FAILED",
      retryable: false,
      contains: ["connect failed via the proxy socks5://proxy.corp:1080 to 127.0.0.1:2222: Socks5 Authentication failed"],
    },
  ],
  [
    "socks: Socket closed",
    {
      rule: "proxy",
      error: new SocksClientError("Socket closed", socksOptions as never),
      context: viaProxy,
      reason: "PROXY_FAILED",
      retryable: false,
      contains: ["Socket closed"],
    },
  ],
  [
    "socks: rejected connection",
    {
      rule: "proxy",
      error: new SocksClientError("Socks5 proxy rejected connection - HostUnreachable", socksOptions as never),
      context: viaProxy,
      reason: "PROXY_FAILED",
      retryable: false,
      contains: ["Socks5 proxy rejected connection - HostUnreachable"],
    },
  ],
  [
    "ProxyError from the transport",
    {
      rule: "proxy",
      error: new ProxyError("the http proxy answered 407 Proxy Authentication Required"),
      context: { ...connect, proxy: "http://bob:pw@proxy.corp:3128" },
      reason: "PROXY_FAILED",
      retryable: false,
      contains: ["via the proxy http://proxy.corp:3128 to 127.0.0.1:2222: the http proxy answered 407"],
    },
  ],
  [
    "an Error marked proxyError: true, with a socket code",
    {
      rule: "proxy",
      error: failure("connect ECONNREFUSED 10.0.0.1:1080", { proxyError: true, code: "ECONNREFUSED" }),
      context: { ...connect, proxy: "bob:pw@proxy.corp:1080" },
      reason: "PROXY_FAILED",
      retryable: false,
      contains: ["via the proxy proxy.corp:1080 to 127.0.0.1:2222"],
    },
  ],
  [
    "proxy error without a proxy in the context",
    {
      rule: "proxy",
      error: failure("refused", { name: "ProxyError" }),
      context: connect,
      reason: "PROXY_FAILED",
      retryable: false,
      contains: ["connect failed via the proxy to 127.0.0.1:2222: refused"],
    },
  ],
  [
    "ssh2 Host denied (handshake)",
    {
      rule: "host-key-denied",
      error: failure("Host denied (verification failed)", { level: "handshake", fatal: true }),
      context: connect,
      reason: "HOST_KEY_MISMATCH",
      retryable: false,
      contains: ["host key verification failed for 127.0.0.1:2222", "ssh-keyscan -p 2222 127.0.0.1"],
    },
  ],
  [
    "Host denied without a level",
    {
      rule: "host-key-denied",
      error: failure("Host denied (verification failed)"),
      context: connect,
      reason: "HOST_KEY_MISMATCH",
      retryable: false,
      contains: ["host key verification failed"],
    },
  ],
  [
    "no matching key exchange",
    {
      rule: "handshake-no-matching-algorithm",
      error: failure("Handshake failed: no matching key exchange algorithm", { level: "handshake" }),
      context: connect,
      reason: "INVALID_CONFIG",
      retryable: false,
      contains: [
        "127.0.0.1:2222 and this client share no algorithm (Handshake failed: no matching key exchange algorithm)",
        'algorithms: "legacy"',
        "legacyKex: true",
        "algorithms.kex",
      ],
    },
  ],
  [
    "no matching host key format",
    {
      rule: "handshake-no-matching-algorithm",
      error: failure("Handshake failed: no matching host key format", { level: "handshake" }),
      context: connect,
      reason: "INVALID_CONFIG",
      retryable: false,
      contains: ["algorithms.serverHostKey"],
    },
  ],
  [
    "no matching C->S cipher",
    {
      rule: "handshake-no-matching-algorithm",
      error: failure("Handshake failed: no matching C->S cipher", { level: "handshake" }),
      context: connect,
      reason: "INVALID_CONFIG",
      retryable: false,
      contains: ["algorithms.cipher"],
    },
  ],
  [
    "no matching S->C MAC",
    {
      rule: "handshake-no-matching-algorithm",
      error: failure("Handshake failed: no matching S->C MAC", { level: "handshake" }),
      context: connect,
      reason: "INVALID_CONFIG",
      retryable: false,
      contains: ["algorithms.hmac"],
    },
  ],
  [
    "no matching C->S compression",
    {
      rule: "handshake-no-matching-algorithm",
      error: failure("Handshake failed: no matching C->S compression", { level: "handshake" }),
      context: connect,
      reason: "INVALID_CONFIG",
      retryable: false,
      contains: ["algorithms.compress"],
    },
  ],
  [
    "ssh2 unsupported algorithm name",
    {
      rule: "unsupported-algorithm",
      error: new Error("Unsupported algorithm: aes128-nope"),
      context: connect,
      reason: "INVALID_CONFIG",
      retryable: false,
      contains: ["connect failed: Unsupported algorithm: aes128-nope", "algorithms"],
    },
  ],
  [
    "ssh2 client-authentication",
    {
      rule: "auth",
      error: failure("All configured authentication methods failed", { level: "client-authentication" }),
      context: connect,
      reason: "AUTH_FAILED",
      retryable: false,
      contains: ["connect failed: authentication failed for 127.0.0.1:2222", "All configured authentication methods failed"],
    },
  ],
  [
    "ssh2 agent error",
    {
      rule: "agent",
      error: failure("Failed to connect to agent", { level: "agent" }),
      context: connect,
      reason: "AUTH_FAILED",
      retryable: false,
      contains: ["the SSH agent failed while logging in to 127.0.0.1:2222 (Failed to connect to agent)"],
    },
  ],
  [
    "ssh2 readyTimeout (client-timeout)",
    {
      rule: "handshake-timeout",
      error: failure("Timed out while waiting for handshake", { level: "client-timeout" }),
      context: connect,
      reason: "TIMEOUT",
      retryable: true,
      contains: ["timed out waiting for the SSH handshake and login with 127.0.0.1:2222 (timeouts.connectMs)"],
    },
  ],
  [
    "Timed out while waiting for handshake, no level",
    {
      rule: "handshake-timeout",
      error: failure("Timed out while waiting for handshake"),
      context: connect,
      reason: "TIMEOUT",
      retryable: true,
      contains: ["timed out"],
    },
  ],
  [
    "ECONNREFUSED",
    {
      rule: "connection-refused",
      error: socketError("ECONNREFUSED"),
      context: connect,
      reason: "HOST_UNREACHABLE",
      retryable: false,
      contains: ["connection refused by 127.0.0.1:2222", "not retried"],
    },
  ],
  [
    "ENOTFOUND",
    {
      rule: "dns-not-found",
      error: socketError("ENOTFOUND", "getaddrinfo ENOTFOUND nope.invalid"),
      context: { operation: "connect", host: "nope.invalid", port: 22 },
      reason: "HOST_UNREACHABLE",
      retryable: false,
      contains: ["cannot resolve the host name of nope.invalid:22 (ENOTFOUND"],
    },
  ],
  [
    "EAI_AGAIN",
    {
      rule: "dns-temporary",
      error: socketError("EAI_AGAIN", "getaddrinfo EAI_AGAIN sftp.example.com"),
      context: get,
      reason: "HOST_UNREACHABLE",
      retryable: true,
      contains: ["cannot resolve the host name of sftp.example.com:22 (getaddrinfo EAI_AGAIN sftp.example.com)"],
    },
  ],
  [
    "ssh2 client-dns",
    {
      rule: "dns-temporary",
      error: failure("Error while looking up IPv4 address for 'x': Error: boom", { level: "client-dns" }),
      context: connect,
      reason: "HOST_UNREACHABLE",
      retryable: true,
      contains: ["cannot resolve"],
    },
  ],
  [
    "EHOSTUNREACH",
    {
      rule: "unreachable",
      error: socketError("EHOSTUNREACH"),
      context: connect,
      reason: "HOST_UNREACHABLE",
      retryable: true,
      contains: ["no route to 127.0.0.1:2222 (EHOSTUNREACH)"],
    },
  ],
  [
    "ENETUNREACH",
    { rule: "unreachable", error: socketError("ENETUNREACH"), context: connect, reason: "HOST_UNREACHABLE", retryable: true, contains: ["(ENETUNREACH)"] },
  ],
  [
    "ETIMEDOUT",
    {
      rule: "tcp-timeout",
      error: socketError("ETIMEDOUT"),
      context: connect,
      reason: "TIMEOUT",
      retryable: true,
      contains: ["the TCP connection to 127.0.0.1:2222 timed out (ETIMEDOUT)"],
    },
  ],
  [
    "ECONNRESET",
    {
      rule: "socket-reset",
      error: socketError("ECONNRESET", "read ECONNRESET"),
      context: get,
      reason: "CONNECTION_LOST",
      retryable: true,
      contains: ["get failed for '/in/a.txt': the connection to sftp.example.com:22 was lost (ECONNRESET)"],
    },
  ],
  [
    "EPIPE",
    { rule: "socket-reset", error: socketError("EPIPE", "write EPIPE"), context: get, reason: "CONNECTION_LOST", retryable: true, contains: ["(EPIPE)"] },
  ],
  [
    "ECONNABORTED",
    { rule: "socket-reset", error: socketError("ECONNABORTED"), context: get, reason: "CONNECTION_LOST", retryable: true, contains: ["(ECONNABORTED)"] },
  ],
  [
    "keepalive: No response from server",
    {
      rule: "keepalive",
      error: failure("No response from server"),
      context: get,
      reason: "CONNECTION_LOST",
      retryable: true,
      contains: ["was lost (no response from server)"],
    },
  ],
  [
    "Not connected",
    {
      rule: "not-connected",
      error: failure("Not connected"),
      context: get,
      reason: "CONNECTION_LOST",
      retryable: true,
      contains: ["was lost (Not connected)"],
    },
  ],
  [
    "No SFTP channel",
    { rule: "not-connected", error: failure("No SFTP channel"), context: get, reason: "CONNECTION_LOST", retryable: true, contains: ["(No SFTP channel)"] },
  ],
  [
    "Channel closed",
    { rule: "not-connected", error: failure("Channel closed"), context: get, reason: "CONNECTION_LOST", retryable: true, contains: ["(Channel closed)"] },
  ],
  [
    "Connection lost before handshake",
    {
      rule: "not-connected",
      error: failure("Connection lost before handshake", { level: "protocol", fatal: true }),
      context: connect,
      reason: "CONNECTION_LOST",
      retryable: true,
      contains: ["(Connection lost before handshake)"],
    },
  ],
  [
    "SFTP 1 EOF",
    {
      rule: "sftp-eof",
      error: sftpStatus(1, "End of file"),
      context: get,
      reason: "FAILURE",
      retryable: false,
      contains: ["get failed for '/in/a.txt' on sftp.example.com:22: unexpected end of file (SFTP status 1 EOF; server said: End of file)"],
    },
  ],
  [
    "SFTP 2 NO_SUCH_FILE",
    {
      rule: "sftp-no-such-file",
      error: sftpStatus(2, "No such file"),
      context: get,
      reason: "NO_SUCH_FILE",
      retryable: false,
      contains: ["get failed for '/in/a.txt' on sftp.example.com:22: no such file or directory (SFTP status 2 NO_SUCH_FILE; server said: No such file)"],
    },
  ],
  [
    "SFTP 3 PERMISSION_DENIED",
    {
      rule: "sftp-permission-denied",
      error: sftpStatus(3, "Permission denied"),
      context: get,
      reason: "PERMISSION_DENIED",
      retryable: false,
      contains: ["'/in/a.txt'", "permission denied (SFTP status 3 PERMISSION_DENIED"],
    },
  ],
  [
    "SFTP 4 FAILURE",
    {
      rule: "sftp-failure",
      error: sftpStatus(4, "Failure"),
      context: get,
      reason: "FAILURE",
      retryable: false,
      contains: ["'/in/a.txt'", "SFTP status 4 FAILURE"],
    },
  ],
  [
    "SFTP 5 BAD_MESSAGE",
    {
      rule: "sftp-bad-message",
      error: sftpStatus(5, "Bad message"),
      context: get,
      reason: "FAILURE",
      retryable: false,
      contains: ["'/in/a.txt'", "SFTP status 5 BAD_MESSAGE"],
    },
  ],
  [
    "SFTP 6 NO_CONNECTION",
    {
      rule: "sftp-no-connection",
      error: sftpStatus(6, "No connection"),
      context: get,
      reason: "CONNECTION_LOST",
      retryable: true,
      contains: ["'/in/a.txt'", "SFTP status 6 NO_CONNECTION"],
    },
  ],
  [
    "SFTP 7 CONNECTION_LOST",
    {
      rule: "sftp-connection-lost",
      error: sftpStatus(7, "Connection lost"),
      context: get,
      reason: "CONNECTION_LOST",
      retryable: true,
      contains: ["'/in/a.txt'", "SFTP status 7 CONNECTION_LOST"],
    },
  ],
  [
    "SFTP 8 OP_UNSUPPORTED",
    {
      rule: "sftp-op-unsupported",
      error: sftpStatus(8, "Operation unsupported"),
      context: get,
      reason: "FAILURE",
      retryable: false,
      contains: ["'/in/a.txt'", "does not support this operation (SFTP status 8 OP_UNSUPPORTED"],
    },
  ],
  [
    "SFTP 11 FILE_ALREADY_EXISTS",
    {
      rule: "sftp-file-already-exists",
      error: sftpStatus(11, "File exists"),
      context: { operation: "rename", path: "/out/b.txt" },
      reason: "ALREADY_EXISTS",
      retryable: false,
      contains: ["rename failed for '/out/b.txt': the file already exists (SFTP status 11 FILE_ALREADY_EXISTS; server said: File exists)"],
    },
  ],
  [
    "an unknown Error",
    {
      rule: "other",
      error: new Error("Unable to start subsystem: sftp"),
      context: get,
      reason: "FAILURE",
      retryable: false,
      contains: ["get failed for '/in/a.txt' on sftp.example.com:22: Unable to start subsystem: sftp"],
    },
  ],
  ["an unknown SFTP status", { rule: "other", error: sftpStatus(99, "Weird"), context: get, reason: "FAILURE", retryable: false, contains: ["Weird"] }],
  [
    "an unknown socket code",
    {
      rule: "other",
      error: socketError("EMFILE", "connect EMFILE"),
      context: connect,
      reason: "FAILURE",
      retryable: false,
      contains: ["connect failed on 127.0.0.1:2222: connect EMFILE"],
    },
  ],
  [
    "a thrown number",
    { rule: "other", error: 42, context: { operation: "list" }, reason: "FAILURE", retryable: false, contains: ["list failed: number 42 was thrown"] },
  ],
  ["a thrown string", { rule: "other", error: "boom", context: { operation: "list" }, reason: "FAILURE", retryable: false, contains: ["list failed: boom"] }],
  [
    "undefined",
    { rule: "other", error: undefined, context: { operation: "list" }, reason: "FAILURE", retryable: false, contains: ["list failed: undefined was thrown"] },
  ],
  [
    "an object without a message",
    {
      rule: "other",
      error: { token: "s3cret" },
      context: { operation: "list" },
      reason: "FAILURE",
      retryable: false,
      contains: ["list failed: a thrown Object with no message"],
    },
  ],
];

describe("classifyError: every row of ERROR_CLASSIFICATION_RULES", () => {
  it.each(cases)("%s", (_name, c) => {
    const matched = ERROR_CLASSIFICATION_RULES.find((rule) => rule.test(c.error));
    expect(matched?.name).toBe(c.rule);
    const error = classifyError(c.error, c.context);
    expect(error).toBeInstanceOf(SftpConnectorError);
    expect(error.reason).toBe(c.reason);
    expect(error.retryable).toBe(c.retryable);
    expect(error.operation).toBe(c.context.operation);
    expect(error.path).toBe(c.context.path);
    if (c.error !== undefined) expect(error.cause).toBe(c.error);
    for (const text of c.contains) expect(error.message).toContain(text);
    expect(error.message).not.toMatch(/s3cret|alice|bob:pw|hunter2/);
  });

  it("has a test case for every rule, and unique rule names", () => {
    const names = ERROR_CLASSIFICATION_RULES.map((rule) => rule.name);
    expect(new Set(names).size).toBe(names.length);
    expect(new Set(cases.map(([, c]) => c.rule))).toEqual(new Set(names));
  });

  it("ends with a catch-all FAILURE row", () => {
    const last = ERROR_CLASSIFICATION_RULES[ERROR_CLASSIFICATION_RULES.length - 1];
    expect(last?.reason).toBe("FAILURE");
    expect(last?.test(Symbol("anything"))).toBe(true);
  });
});

describe("classifyError: pass-through and robustness", () => {
  it("returns an SftpConnectorError unchanged", () => {
    const original = new SftpConnectorError("NO_SUCH_FILE", "already classified", { operation: "get", path: "/x" });
    expect(classifyError(original, connect)).toBe(original);
  });

  it("returns an SftpConnectorError of another copy of core unchanged (by brand)", () => {
    const foreign = Object.assign(new Error("from another copy"), { reason: "TIMEOUT" });
    Object.defineProperty(foreign, Symbol.for("@sftp-connector/core/SftpConnectorError"), { value: true });
    expect(classifyError(foreign, connect)).toBe(foreign);
  });

  it("survives an error whose fields throw when read", () => {
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error("no peeking");
        },
      },
    );
    const error = classifyError(hostile, { operation: "stat", path: "/p" });
    expect(error.reason).toBe("FAILURE");
    expect(error.message).toContain("stat failed for '/p'");
  });

  it("never copies other fields of the error into the message", () => {
    const error = classifyError(
      failure("All configured authentication methods failed", { level: "client-authentication", password: "hunter2", privateKey: "-----BEGIN" }),
      connect,
    );
    expect(error.message).not.toContain("hunter2");
    expect(error.message).not.toContain("BEGIN");
  });

  it("strips user info from URLs inside original messages", () => {
    const error = classifyError(new Error("cannot reach http://carol:pa55@proxy.corp:8080/ now"), connect);
    expect(error.message).toContain("http://proxy.corp:8080/ now");
    expect(error.message).not.toContain("pa55");
  });

  it("shortens very long original messages", () => {
    const error = classifyError(new Error("x".repeat(5000)), connect);
    expect(error.message.length).toBeLessThan(700);
    expect(error.message.endsWith("…")).toBe(true);
  });

  it("puts an IPv6 host in brackets and says 'the server' when no host is known", () => {
    expect(classifyError(socketError("ECONNREFUSED"), { operation: "connect", host: "::1", port: 2222 }).message).toContain("refused by [::1]:2222");
    expect(classifyError(socketError("ECONNRESET"), { operation: "list" }).message).toContain("the connection to the server was lost");
  });
});

describe("stripUserinfo", () => {
  it.each([
    ["socks5://alice:s3cret@proxy.corp:1080", "socks5://proxy.corp:1080"],
    ["http://alice@proxy.corp:3128/", "http://proxy.corp:3128/"],
    ["http://al:p@ss@proxy.corp:3128", "http://proxy.corp:3128"],
    ["via HTTP://a:b@x:1 and socks4a://c@y:2", "via HTTP://x:1 and socks4a://y:2"],
    ["http://proxy.corp:3128", "http://proxy.corp:3128"],
    ["no url here, user@host stays", "no url here, user@host stays"],
  ])("%s → %s", (input, output) => {
    expect(stripUserinfo(input)).toBe(output);
  });
});
