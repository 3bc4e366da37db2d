// The fault relay itself, against a local echo server: forwarding, cuts in each direction, throttle, latency, stall, refusal, counting and close.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { createServer, connect, type AddressInfo, type Server, type Socket } from "node:net";
import { startFaultRelay, type FaultRelay } from "./faultRelay.js";

let echo: Server;
let echoPort: number;
/** Bytes the echo server received per connection, in accept order. */
let received: number[] = [];
const echoSockets = new Set<Socket>();
let relay: FaultRelay | undefined;

beforeAll(async () => {
  echo = createServer((socket) => {
    const index = received.push(0) - 1;
    echoSockets.add(socket);
    socket.on("data", (chunk: Buffer) => (received[index]! += chunk.length));
    socket.on("error", () => {});
    socket.once("close", () => echoSockets.delete(socket));
    socket.pipe(socket);
  });
  await new Promise<void>((resolve) => echo.listen(0, "127.0.0.1", resolve));
  echoPort = (echo.address() as AddressInfo).port;
});
afterEach(async () => {
  await relay?.close();
  relay = undefined;
  received = [];
});
afterAll(async () => {
  for (const socket of echoSockets) socket.destroy();
  await new Promise((resolve) => echo.close(resolve));
});

/** Connects to the relay, sends `data`, and collects what comes back until the connection closes or `untilBytes` arrived. */
function exchange(data: Buffer, untilBytes = data.length): Promise<{ back: Buffer; closedByPeer: boolean; socket: Socket }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: relay!.host, port: relay!.port });
    const chunks: Buffer[] = [];
    let total = 0;
    let settled = false;
    const finish = (closedByPeer: boolean) => {
      if (settled) return;
      settled = true;
      resolve({ back: Buffer.concat(chunks), closedByPeer, socket });
    };
    socket.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      total += chunk.length;
      if (total >= untilBytes) finish(false);
    });
    socket.once("close", () => finish(true));
    socket.on("error", () => {});
    socket.once("connect", () => socket.write(data));
    setTimeout(() => (settled ? undefined : reject(new Error(`no end after 10 s (${total} bytes back)`))), 10_000).unref();
  });
}

/** "connected", or the error code of a connect to 127.0.0.1:port. */
function connectOutcome(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? "error"));
    socket.once("connect", () => (socket.destroy(), resolve("connected")));
  });
}

describe("startFaultRelay", () => {
  it("forwards bytes both ways unchanged and counts connections", { timeout: 15_000 }, async () => {
    relay = await startFaultRelay({ host: "127.0.0.1", port: echoPort });
    const data = randomBytes(3 * 1024 * 1024);
    for (let i = 0; i < 2; i += 1) {
      const { back, socket } = await exchange(data);
      expect(back.equals(data)).toBe(true);
      socket.destroy();
    }
    expect(relay.connections).toBe(2);
    expect(relay.forwarded).toEqual({ up: 2 * data.length, down: 2 * data.length });
  });

  it("cuts each connection after N bytes downstream: exactly N bytes arrive, then the close", { timeout: 15_000 }, async () => {
    relay = await startFaultRelay({ host: "127.0.0.1", port: echoPort }, { cutAfterBytes: { down: 100_000 } });
    const data = randomBytes(500_000);
    const { back, closedByPeer } = await exchange(data, Infinity);
    expect(closedByPeer).toBe(true);
    expect(back.length).toBe(100_000);
    expect(back.equals(data.subarray(0, 100_000))).toBe(true);
    const again = await exchange(data, Infinity);
    expect(again.back.length).toBe(100_000);
    expect(relay.connections).toBe(2);
  });

  it("cuts after N bytes upstream: the target gets exactly N bytes", { timeout: 15_000 }, async () => {
    relay = await startFaultRelay({ host: "127.0.0.1", port: echoPort }, { cutAfterBytes: { up: 70_000 } });
    const { closedByPeer } = await exchange(randomBytes(300_000), Infinity);
    expect(closedByPeer).toBe(true);
    await new Promise((r) => setTimeout(r, 100));
    expect(received).toEqual([70_000]);
  });

  it("throttles to X bytes per second (the transfer cannot finish sooner than the budget allows)", { timeout: 20_000 }, async () => {
    relay = await startFaultRelay({ host: "127.0.0.1", port: echoPort }, { bytesPerSecond: 40_000 });
    const data = randomBytes(40_000);
    const started = Date.now();
    const { back } = await exchange(data);
    const elapsed = Date.now() - started;
    expect(back.equals(data)).toBe(true);
    // 40 kB at 40 kB/s in slices of 4 kB: the last slice cannot leave before 0.9 s (up and down overlap).
    expect(elapsed).toBeGreaterThanOrEqual(850);
    // No upper bound on the clock: a hang is caught by the test's timeout, and the bytes prove the transfer completed.
  });

  it("adds latency to every chunk, each way", { timeout: 15_000 }, async () => {
    relay = await startFaultRelay({ host: "127.0.0.1", port: echoPort }, { latencyMs: 150 });
    const started = Date.now();
    const { back } = await exchange(Buffer.from("ping"));
    expect(back.toString()).toBe("ping");
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it("stalls without closing, then resumes where it was", { timeout: 15_000 }, async () => {
    relay = await startFaultRelay({ host: "127.0.0.1", port: echoPort });
    const socket = connect({ host: relay.host, port: relay.port });
    socket.on("error", () => {});
    const chunks: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    let closed = false;
    socket.once("close", () => (closed = true));
    await new Promise((resolve) => socket.once("connect", resolve));
    await relay.set({ stalled: true });
    socket.write("held");
    await new Promise((r) => setTimeout(r, 400));
    expect(Buffer.concat(chunks).toString()).toBe("");
    expect(closed).toBe(false);
    expect(relay.open).toBe(1);
    await relay.set({});
    const deadline = Date.now() + 5_000;
    while (Buffer.concat(chunks).length < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(Buffer.concat(chunks).toString()).toBe("held");
    socket.destroy();
  });

  it("refuses new connections when asked (then listens again on the same port), and cutAll closes the open ones", { timeout: 15_000 }, async () => {
    relay = await startFaultRelay({ host: "127.0.0.1", port: echoPort });
    const first = exchange(Buffer.from("x"), Infinity);
    await new Promise((r) => setTimeout(r, 100));
    relay.cutAll();
    expect((await first).closedByPeer).toBe(true);
    await relay.set({ refuseNew: true });
    expect(await connectOutcome(relay.port)).toBe("ECONNREFUSED");
    await relay.set({});
    const back = await exchange(Buffer.from("y"));
    expect(back.back.toString()).toBe("y");
    back.socket.destroy();
    expect(relay.connections).toBe(2);
    expect(received).toEqual([1, 1]);
  });

  it("refusing new connections keeps the open ones working", { timeout: 15_000 }, async () => {
    relay = await startFaultRelay({ host: "127.0.0.1", port: echoPort });
    const socket = connect({ host: relay.host, port: relay.port });
    socket.on("error", () => {});
    await new Promise((resolve) => socket.once("connect", resolve));
    await relay.set({ refuseNew: true });
    expect(await connectOutcome(relay.port)).toBe("ECONNREFUSED");
    socket.write("still");
    const back = await new Promise<string>((resolve) => socket.once("data", (d: Buffer) => resolve(d.toString())));
    expect(back).toBe("still");
    socket.destroy();
  });

  it("close() ends open and stalled connections and stops listening", { timeout: 15_000 }, async () => {
    relay = await startFaultRelay({ host: "127.0.0.1", port: echoPort }, { stalled: true, latencyMs: 60_000 });
    const pending = exchange(Buffer.from("z"), Infinity);
    await new Promise((r) => setTimeout(r, 100));
    await relay.close();
    const { closedByPeer, back } = await pending;
    expect(closedByPeer).toBe(true);
    // close() did not wait out the 60 s latency: the delayed byte was never delivered (a count, not a clock).
    expect(back.length).toBe(0);
    expect(await connectOutcome(relay.port)).toBe("ECONNREFUSED");
  });
});
