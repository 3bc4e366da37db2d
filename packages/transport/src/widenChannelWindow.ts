// Keeps an ssh2 channel's receive window at a larger size than ssh2's fixed 2 MiB, so the server can run further ahead of us.
import type { SFTPWrapper } from "ssh2";

/** The parts of ssh2's channel (1.x) this relies on; checked before use. */
interface ChannelInternals {
  push(data: Buffer | null): unknown;
  incoming: { window: number };
  outgoing: { id: number; state: string };
  _client: { _protocol: { channelWindowAdjust(id: number, amount: number): void } };
}

function internalsOf(sftp: SFTPWrapper): ChannelInternals | undefined {
  const channel = sftp as unknown as Partial<ChannelInternals>;
  const ok =
    typeof channel.push === "function" &&
    typeof channel.incoming?.window === "number" &&
    typeof channel.outgoing?.id === "number" &&
    typeof channel._client?._protocol?.channelWindowAdjust === "function";
  return ok ? (channel as ChannelInternals) : undefined;
}

/**
 * Raises the SFTP channel's receive window to `bytes` and keeps it topped up (ssh2 opens every
 * channel with 2 MiB and tops it up only once half is used). With a window smaller than the reads
 * in flight, the server stops and waits for our window adjustment whenever we are busy decrypting;
 * a window as large as the reads in flight keeps it sending. Memory is not at stake: the server
 * sends only what was asked for, and the read streams bound that. Returns false (and changes
 * nothing) on an ssh2 whose internals differ.
 */
export function widenChannelWindow(sftp: SFTPWrapper, bytes: number): boolean {
  const channel = internalsOf(sftp);
  if (!channel) return false;
  const push = channel.push;
  const topUp = () => {
    if (channel.outgoing.state !== "open") return;
    const amount = bytes - channel.incoming.window;
    if (amount <= 0) return;
    channel.incoming.window += amount;
    channel._client._protocol.channelWindowAdjust(channel.outgoing.id, amount);
  };
  // ssh2 subtracts each packet from the window before pushing it, and adjusts after only when the
  // window fell to 1 MiB; topping up at half of ours first means ssh2's own adjustment never runs.
  channel.push = function (this: unknown, data: Buffer | null) {
    const result = push.call(this, data);
    if (data !== null && channel.incoming.window < bytes / 2) topUp();
    return result;
  };
  topUp();
  return true;
}
