// A fault-injecting TCP relay on 127.0.0.1: forwards to a target port and can cut, throttle, delay or stall every connection.
import { createServer, connect, type AddressInfo, type Server, type Socket } from "node:net";

/** Which way bytes flow: `up` is client → target, `down` is target → client. */
export type RelayDirection = "up" | "down";

/** The faults a relay applies; each field is read afresh for every chunk, so changes take effect at once. */
export interface RelayFaults {
  /** Close each connection (both sides) once this many bytes went through it in that direction since it opened; the bytes up to the limit are forwarded. */
  cutAfterBytes?: Partial<Record<RelayDirection, number>>;
  /** Forward at most this many bytes per second per connection and direction. */
  bytesPerSecond?: number;
  /** Hold every chunk this long before forwarding it (one way; a round trip pays it twice). */
  latencyMs?: number;
  /** Stop forwarding (in both directions) without closing anything, until set back to false. */
  stalled?: boolean;
  /** Stop listening, so new connections are refused (ECONNREFUSED) as by a server that is down; open connections stay. Listening resumes, on the same port, when set back to false. */
  refuseNew?: boolean;
}

/** A running relay. */
export interface FaultRelay {
  /** Always `127.0.0.1`. */
  readonly host: string;
  /** The port the relay listens on. */
  readonly port: number;
  /** Connections accepted so far (including refused ones). */
  readonly connections: number;
  /** Connections open now. */
  readonly open: number;
  /** Bytes forwarded so far, over every connection, per direction. */
  readonly forwarded: Readonly<Record<RelayDirection, number>>;
  /** The faults in force (mutable: assign fields to change them). */
  readonly faults: RelayFaults;
  /** Replaces the faults in force; resolves once the listening state matches `refuseNew`. */
  set(faults: RelayFaults): Promise<void>;
  /** Closes every open connection now (both sides), as a network cut would; the relay keeps listening. */
  cutAll(): void;
  /** Stops listening, closes every connection and cancels every timer. Safe to call twice. */
  close(): Promise<void>;
}

/** Slices of at most this share of a second's budget, so a throttled stream moves smoothly. */
const SLICES_PER_SECOND = 10;

/**
 * Starts a relay on 127.0.0.1 (a free port) that forwards each connection to `target`. Nothing
 * it starts outlives `close()`: sockets are destroyed, timers cancelled, the server closed.
 *
 * @example
 * ```ts
 * const relay = await startFaultRelay({ host: testbed.host, port: testbed.port });
 * await relay.set({ cutAfterBytes: { down: 1 << 20 } });
 * const sftp = createSftpConnector(testbed.connectionConfig({ hostKey: "fingerprint", extra: { port: relay.port } }));
 * ```
 */
export async function startFaultRelay(target: { host: string; port: number }, initial: RelayFaults = {}): Promise<FaultRelay> {
  let faults: RelayFaults = { ...initial };
  const sockets = new Set<Socket>();
  /** Pending sleeps: each timer with the function that ends its sleep early. */
  const timers = new Map<NodeJS.Timeout, () => void>();
  const forwarded: Record<RelayDirection, number> = { up: 0, down: 0 };
  let connections = 0;
  let closed = false;

  /** Sleeps `ms`, or until the relay closes. */
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (closed || ms <= 0) return resolve();
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.set(timer, resolve);
    });

  /** Resolves when the stall is lifted (checked every 20 ms) or the relay closes. */
  const whileStalled = async (alive: () => boolean) => {
    while (faults.stalled && !closed && alive()) await sleep(20);
  };

  /** Writes a slice, waiting for `drain` when the destination pushes back; false when the destination is gone. */
  const write = (destination: Socket, slice: Buffer) =>
    new Promise<boolean>((resolve) => {
      if (destination.destroyed) return resolve(false);
      if (destination.write(slice)) return resolve(true);
      const done = (ok: boolean) => {
        destination.off("drain", onDrain);
        destination.off("close", onClose);
        resolve(ok);
      };
      const onDrain = () => done(true);
      const onClose = () => done(false);
      destination.once("drain", onDrain);
      destination.once("close", onClose);
    });

  /** Pumps one direction of one connection through the faults, chunk by chunk, with backpressure. */
  const pump = async (source: Socket, destination: Socket, direction: RelayDirection, kill: () => void) => {
    let count = 0;
    const alive = () => !source.destroyed && !destination.destroyed;
    try {
      for await (const received of source as AsyncIterable<Buffer>) {
        const arrived = Date.now();
        let chunk = received;
        await whileStalled(alive);
        const latency = faults.latencyMs ?? 0;
        if (latency > 0) await sleep(arrived + latency - Date.now());
        while (chunk.length > 0 && !closed && alive()) {
          await whileStalled(alive);
          const rate = faults.bytesPerSecond;
          const sliceSize = rate ? Math.max(1, Math.floor(rate / SLICES_PER_SECOND)) : chunk.length;
          let slice = chunk.subarray(0, sliceSize);
          const limit = faults.cutAfterBytes?.[direction];
          const cut = limit !== undefined && count + slice.length >= limit;
          if (cut) slice = slice.subarray(0, Math.max(0, limit - count));
          const started = Date.now();
          if (slice.length > 0 && !(await write(destination, slice))) return kill();
          count += slice.length;
          forwarded[direction] += slice.length;
          chunk = chunk.subarray(slice.length);
          if (cut) return kill();
          if (rate) await sleep((slice.length / rate) * 1000 - (Date.now() - started));
        }
        if (closed) return;
      }
      // The source ended cleanly: pass the half-close on.
      if (!destination.destroyed) destination.end();
    } catch {
      kill();
    }
  };

  const server: Server = createServer((client) => {
    connections += 1;
    if (closed) {
      client.destroy();
      return;
    }
    client.pause();
    const upstream = connect({ host: target.host, port: target.port });
    sockets.add(client);
    sockets.add(upstream);
    const kill = () => {
      client.destroy();
      upstream.destroy();
    };
    for (const socket of [client, upstream]) {
      socket.on("error", kill);
      socket.once("close", () => {
        sockets.delete(socket);
        kill();
      });
    }
    upstream.once("connect", () => {
      void pump(client, upstream, "up", kill);
      void pump(upstream, client, "down", kill);
    });
  });
  server.on("error", () => {});
  const listen = (on: number) =>
    new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(on, "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
  await listen(0);
  const port = (server.address() as AddressInfo).port;
  if (faults.refuseNew) server.close();

  return {
    host: "127.0.0.1",
    port,
    get connections() {
      return connections;
    },
    get open() {
      // Each relayed connection holds two sockets.
      return Math.ceil(sockets.size / 2);
    },
    forwarded,
    get faults() {
      return faults;
    },
    async set(next) {
      faults = { ...next };
      if (closed) return;
      // Not awaited: close's callback waits for the open connections, which stay.
      if (faults.refuseNew && server.listening) server.close();
      else if (!faults.refuseNew && !server.listening) await listen(port);
    },
    cutAll() {
      for (const socket of sockets) socket.destroy();
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const [timer, wake] of timers) {
        clearTimeout(timer);
        wake();
      }
      timers.clear();
      for (const socket of sockets) socket.destroy();
      if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
