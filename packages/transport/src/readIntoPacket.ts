// A READ request whose answer is the slice of ssh2's own packet (no copy into a buffer of ours), falling back to a plain read.
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

/** True when this ssh2 exposes what {@link readIntoPacket} needs. */
export function canReadIntoPacket(sftp: SFTPWrapper): boolean {
  const internals = sftp as unknown as Partial<SftpInternals>;
  return typeof internals._requests === "object" && internals._requests !== null && typeof internals._writeReqid === "number" && typeof internals._maxReadLen === "number";
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
  sftp.read(handle, scratch, 0, length, position, () => {});
  const request = internals._requests[internals._writeReqid];
  if (!request) throw new Error("ssh2 did not register the read request");
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
