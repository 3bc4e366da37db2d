// Tests listen's stop rules with a fake session provider: a host key mismatch stops it (done rejects), a lost connection does not.
import { describe, expect, it } from "vitest";
import { SftpConnectorError, isSftpConnectorError } from "@sftp-connector/core";
import type { SessionProvider, SftpSession } from "@sftp-connector/transport";
import { rejectionOf, waitFor } from "@sftp-connector/testkit";
import { listen } from "./listen.js";

/** A provider whose first session only answers listen's start-up questions; every later acquire fails with `failure`. */
function failingAfterStart(failure: () => Error) {
  let acquired = 0;
  const session = {
    info: { host: "127.0.0.1", port: 22 },
    resolveDirectory: (dir: string) => `/home/u/${dir}`,
    statIfExists: async () => ({ isDirectory: true }),
    closed: false,
  } as unknown as SftpSession;
  const provider: SessionProvider = {
    async acquire() {
      acquired += 1;
      if (acquired === 1) return session;
      throw failure();
    },
    release() {},
  };
  return { provider, acquired: () => acquired };
}

const records = () => {
  const lines: Array<[string, string]> = [];
  const log = (level: string) => (message: string) => void lines.push([level, message]);
  return { lines, logger: { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") } };
};

describe("listen: what stops it", () => {
  it("a host key mismatch stops polling at once: done rejects with HOST_KEY_MISMATCH, nothing is delivered, the error is logged", async () => {
    const { provider, acquired } = failingAfterStart(
      () =>
        new SftpConnectorError("HOST_KEY_MISMATCH", "host key verification failed for 127.0.0.1:22: the server presented ssh-ed25519 SHA256:x", {
          operation: "connect",
          retryable: false,
        }),
    );
    const { lines, logger } = records();
    const delivered: string[] = [];
    const listener = await listen(provider, { remoteDirectory: "in", pollingIntervalMs: 100, logger }, (doc) => void delivered.push(doc.properties.fileName));
    const error = await rejectionOf(listener.done, isSftpConnectorError);
    expect(error.reason).toBe("HOST_KEY_MISMATCH");
    expect(error.retryable).toBe(false);
    expect(error.message).toBe("listening to '/home/u/in' stopped: host key verification failed for 127.0.0.1:22: the server presented ssh-ed25519 SHA256:x");
    expect(listener.poller.state).toBe("stopped");
    const tries = acquired();
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(acquired()).toBe(tries); // no more connection attempts
    expect(tries).toBe(2); // the start, then one failed poll
    expect(delivered).toEqual([]);
    expect(lines).toContainEqual(["error", error.message]);
    await listener.stop(); // harmless afterwards
    await expect(listener.done).rejects.toBe(error);
  });

  it("a lost connection is retried and never stops it; stop() fulfils done", async () => {
    const { provider, acquired } = failingAfterStart(() => new SftpConnectorError("CONNECTION_LOST", "connection lost", { operation: "connect" }));
    const { lines, logger } = records();
    const listener = await listen(provider, { remoteDirectory: "in", pollingIntervalMs: 100, logger }, () => {});
    let settled = false;
    void listener.done.then(
      () => (settled = true),
      () => (settled = true),
    );
    await waitFor(() => acquired() >= 3, "two failed polls", 10_000);
    expect(settled).toBe(false);
    expect(listener.poller.state).toBe("running");
    expect(lines.some(([level, message]) => level === "warn" && message.includes("connection lost"))).toBe(true);
    await listener.stop();
    await expect(listener.done).resolves.toBeUndefined();
  });
});
