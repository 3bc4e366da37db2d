// A READ request whose answer is the slice of ssh2's own packet (no copy into a buffer of ours), falling back to a plain read.
import { createRequire } from "node:module";
import type { SFTPWrapper } from "ssh2";

/** The parts of ssh2's SFTP client (1.x) this relies on; checked before use. */
interface SftpInternals {
  _requests: Record<number, { cb: (error: Error | undefined, data?: Buffer | number, bytes?: number) => void; buffer?: Buffer }>;
  _writeReqid: number;
  _maxReadLen: number;
}

/** SSH_FX_EOF: the status ssh2 passes as `error.code` at end of file. */
const STATUS_EOF = 1;

/** ssh2's `read` wants a destination; it is never written once the request is rewired, so one serves every request. */
let scratch = Buffer.alloc(0);

/** The installed ssh2's version (e.g. `1.17.0`), for messages; `unknown` when it cannot be read. */
export function ssh2Version(): string {
  try {
    return (createRequire(import.meta.url)("ssh2/package.json") as { version?: string }).version ?? "unknown";
  } catch {
    return "unknown";
  }
}

/** True when this ssh2 exposes what {@link readIntoPacket} needs. */
export function canReadIntoPacket(sftp: SFTPWrapper): boolean {
  const internals = sftp as unknown as Partial<SftpInternals>;
  return (
    typeof internals._requests === "object" &&
    internals._requests !== null &&
    typeof internals._writeReqid === "number" &&
    typeof internals._maxReadLen === "number"
  );
}

/**
 * Sends one READ of at most `length` bytes (which must not exceed the server's read limit) and
 * calls back with the bytes as a view of the SFTP packet ssh2 received, or `null` at end of file.
 * ssh2 copies every DATA answer into a caller's buffer; with a large file that copy and the
 * buffer it fills cost a fifth of the client's time and half of its garbage. Here the request is
 * sent by ssh2's own `read`, then its pending entry is told to hand over the packet's slice
 * instead (the path ssh2 takes for a request without a buffer). Only for ssh2 builds where
 * {@link canReadIntoPacket} is true.
 */
export function readIntoPacket(
  sftp: SFTPWrapper,
  handle: Buffer,
  length: number,
  position: number,
  callback: (error: Error | undefined, data: Buffer | null) => void,
): void {
  const internals = sftp as unknown as SftpInternals;
  if (length > internals._maxReadLen) throw new RangeError(`read of ${length} bytes exceeds the server's limit of ${internals._maxReadLen}`);
  if (scratch.length < length) scratch = Buffer.alloc(Math.max(length, 32 * 1024));
  const before = internals._writeReqid;
  sftp.read(handle, scratch, 0, length, position, () => {});
  const request = internals._requests[internals._writeReqid];
  // The entry rewired must be this read's (a new id, ssh2's buffer and callback): otherwise ssh2's private shape changed.
  if (internals._writeReqid === before || !request || typeof request.cb !== "function" || !Buffer.isBuffer(request.buffer)) {
    throw new Error(
      `ssh2 ${ssh2Version()} did not register the read request as readIntoPacket expects (ssh2 ~1.17.0): its private _requests changed; set SFTP_CONNECTOR_COPY_READS=1 to read by copying`,
    );
  }
  request.buffer = undefined;
  request.cb = (error, data) => {
    if (error) {
      if ((error as Error & { code?: number }).code === STATUS_EOF) callback(undefined, null);
      else callback(error, null);
    } else if (!Buffer.isBuffer(data)) callback(undefined, null);
    else if (data.length > length) callback(new Error(`Received more data than requested (${data.length} bytes for a read of ${length})`), null);
    else callback(undefined, data);
  };
}
