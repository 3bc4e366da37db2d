// GET with connections against a hostile SFTP server (ssh2's Server): a STAT size that lies either way, short reads, and DATA replies larger than asked; ranges never mix up bytes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSftpConnector, isSftpConnectorError, type SftpConnector } from "sftp-connector";
import { patternBytes, startHostileServer, type HostileServer } from "./hostileSftpServer.js";

const MiB = 1024 * 1024;
const HOME = "/home/hostile";
const DATA = `${HOME}/data`;
/** What the files really hold (byte i is i % 251); each is served from it. */
const REAL = patternBytes(0, 20 * MiB + 123);
/** `real` bytes served, STAT saying `size`; `reply(length)` is how many bytes a READ of `length` answers with. */
const lying = (size: number, real: number, reply: (length: number) => number = (length) => length) => ({
  size,
  read: (offset: number, length: number) => (offset >= real ? null : REAL.subarray(offset, Math.min(real, offset + reply(length)))),
});

let server: HostileServer;
let connector: SftpConnector;

beforeAll(async () => {
  server = await startHostileServer({
    home: HOME,
    directories: { [DATA]: ["understated.bin", "overstated.bin", "short-reads.bin", "fat.bin"] },
    files: {
      // STAT says 9 MiB (two ranges), the reads go on to 20 MiB: the last range reads to end of file.
      [`${DATA}/understated.bin`]: lying(9 * MiB, REAL.length),
      // STAT says 30 MiB (four ranges), the file ends at 12 MiB: the ranges past it are empty.
      [`${DATA}/overstated.bin`]: lying(30 * MiB, 12 * MiB),
      // Every READ is answered with a third of what was asked.
      [`${DATA}/short-reads.bin`]: lying(REAL.length, REAL.length, (length) => Math.max(1, Math.floor(length / 3))),
      // Every READ is answered with twice what was asked.
      [`${DATA}/fat.bin`]: lying(REAL.length, REAL.length, (length) => 2 * length),
    },
  });
  connector = createSftpConnector({
    host: server.host,
    port: server.port,
    username: server.username,
    auth: { type: "password", password: server.password },
    hostKey: { fingerprints: [server.fingerprint] },
    retry: { attempts: 0 },
  });
}, 30_000);

afterAll(async () => {
  await connector?.close();
  await server?.stop();
});

const get = (fileName: string) => connector.get({ fileName, remoteDirectory: DATA }, { as: "buffer", failIfNotFound: true, connections: 3 });

describe("hostile server: GET with connections 3", () => {
  it("a STAT size below the file's: the last range reads on to end of file, every byte in order", async () => {
    const document = await get("understated.bin");
    expect(document.content.length).toBe(REAL.length);
    expect(document.content.equals(REAL)).toBe(true);
    expect(document.properties.size).toBe(REAL.length);
  }, 30_000);

  it("a STAT size above the file's: the bytes there are, in order, nothing more", async () => {
    const document = await get("overstated.bin");
    expect(document.content.length).toBe(12 * MiB);
    expect(document.content.equals(REAL.subarray(0, 12 * MiB))).toBe(true);
  }, 30_000);

  it("short reads: every range asks on from where the server stopped; the content is exact", async () => {
    const document = await get("short-reads.bin");
    expect(document.content.equals(REAL)).toBe(true);
  }, 60_000);

  it("DATA replies carrying twice the bytes asked for: refused with a clear reason, or the excess dropped; never wrong content", async () => {
    const outcome = await get("fat.bin").then(
      (document) => ({ document }),
      (error: unknown) => ({ error }),
    );
    if ("error" in outcome) {
      expect(isSftpConnectorError(outcome.error)).toBe(true);
      expect((outcome.error as Error).message).toMatch(/more data than requested/);
    } else {
      expect(outcome.document.content.length).toBe(REAL.length);
      expect(outcome.document.content.equals(REAL)).toBe(true);
    }
  }, 30_000);
});
