// testConnection with a signal: already aborted connects nowhere; aborted while the server stays silent rejects with ABORTED and leaves no socket open.
import { afterEach, describe, expect, it } from "vitest";
import { createServer, type Server, type Socket } from "node:net";
import { isSftpConnectorError, type SftpConnectorError } from "@sftp-connector/core";
import { testConnection } from "./testConnection.js";

let server: Server | undefined;
const accepted: Socket[] = [];
afterEach(async () => {
  for (const socket of accepted.splice(0)) socket.destroy();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** A TCP server on 127.0.0.1 that accepts and never says a word (no SSH banner); counts connections and sees them close. */
async function silentServer(): Promise<{ port: number; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  server = createServer((socket) => {
    sockets.push(socket.on("error", () => {}).resume()); // read (and drop) what the client sends, so its close is seen
    accepted.push(socket);
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  return { port: address.port, sockets };
}

const config = (port: number) => ({
  host: "127.0.0.1",
  port,
  username: "u",
  auth: { type: "password" as const, password: "p" },
  hostKey: { insecureAcceptAny: true as const },
  timeouts: { connectMs: 60_000 },
});

const failure = async (promise: Promise<unknown>): Promise<SftpConnectorError> => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isSftpConnectorError(error)) throw new Error(`expected an SftpConnectorError, got ${String(error)}`);
  return error;
};

describe("testConnection with a signal", () => {
  it("already aborted: ABORTED, and no connection is made", async () => {
    const { port, sockets } = await silentServer();
    const controller = new AbortController();
    controller.abort(new Error("stop"));
    const error = await failure(testConnection(config(port), { signal: controller.signal }));
    expect([error.reason, error.message, error.retryable]).toEqual(["ABORTED", "test aborted", false]);
    expect(sockets).toHaveLength(0);
  });

  it("aborted while the server is silent: ABORTED, and the socket is closed", async () => {
    const { port, sockets } = await silentServer();
    const controller = new AbortController();
    const running = testConnection(config(port), { signal: controller.signal });
    for (let i = 0; i < 100_000 && sockets.length === 0; i++) await new Promise((r) => setImmediate(r));
    expect(sockets).toHaveLength(1);
    controller.abort();
    const error = await failure(running);
    expect(error.reason).toBe("ABORTED");
    await new Promise<void>((resolve) => (sockets[0]!.destroyed ? resolve() : sockets[0]!.once("close", () => resolve())));
    expect(sockets[0]!.destroyed).toBe(true);
  });

  it("a signal that is not an AbortSignal is INVALID_INPUT naming signal", async () => {
    const error = await failure(testConnection(config(1), { signal: "now" as never }));
    expect(error.reason).toBe("INVALID_INPUT");
    expect(error.message).toContain("signal: expected an AbortSignal");
  });
});
