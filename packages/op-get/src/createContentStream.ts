// The Readable a GET document carries: the file's bytes (or its metadata JSON), progress, and the after-read action once the caller has consumed it all.
import { Readable } from "node:stream";
import { encodeMetadataJson } from "@sftp-connector/core";
import { readChunks } from "@sftp-connector/transport";

/** What {@link createContentStream} needs. */
export interface ContentStreamOptions {
  /** Opens the source of the file's bytes; called when the caller first reads. */
  open: () => Readable;
  /** Told the running total of file bytes read. */
  onBytes?: ((total: number) => void) | undefined;
  /** With `includeAllMetadata`: the `modifiedDate` of the JSON; the stream then carries the JSON instead of the raw bytes. */
  metadataDate?: string | undefined;
  /**
   * Runs after the caller has been handed the last byte, before the stream ends, with the number
   * of file bytes read. A rejection becomes the stream's error (the content has been delivered).
   */
  afterRead: (total: number) => Promise<void>;
}

/**
 * A Readable over a remote file's content. It holds no more than one chunk of its own (the source
 * keeps its pipelined window): its `afterRead` runs only once the caller has taken every byte,
 * and only then does the stream end (or fail with `afterRead`'s error). Destroying the stream
 * early destroys the source and skips `afterRead`.
 */
export function createContentStream(options: ContentStreamOptions): Readable {
  let source: Readable | undefined;
  let total = 0;
  async function* counted(from: Readable): AsyncGenerator<Buffer> {
    for await (const chunk of readChunks(from)) {
      total += chunk.length;
      options.onBytes?.(total);
      yield chunk;
    }
  }
  async function* generate(): AsyncGenerator<Buffer> {
    source = options.open();
    const bytes = counted(source);
    yield* options.metadataDate === undefined ? bytes : encodeMetadataJson(bytes, options.metadataDate);
    // With highWaterMark 0, the generator resumes after the last yield only once that chunk was
    // handed to the caller (emitted to a flowing consumer, or read out of the buffer).
    await options.afterRead(total);
  }
  const stream = Readable.from(generate(), { objectMode: false, highWaterMark: 0 });
  stream.once("close", () => {
    if (source && !source.destroyed) source.destroy();
  });
  return stream;
}
