// The includeAllMetadata JSON of GET and QUERY, `{"fileContent":…,"modifiedDate":…}`: one encoder, fed chunk by chunk or whole, with the same bytes.
import { StringDecoder } from "node:string_decoder";

/** JSON string body (without the quotes) of `text`, escaped exactly as `JSON.stringify` does. */
const escapeJson = (text: string): string => JSON.stringify(text).slice(1, -1);

/**
 * Builds the JSON document GET and QUERY return with `includeAllMetadata`,
 * `{"fileContent":"<text>","modifiedDate":"<date>"}` in `JSON.stringify`'s compact form, from file
 * content arriving in chunks, without holding the whole file: the content is decoded as UTF-8 (a
 * sequence split across chunks is decoded whole, invalid bytes become U+FFFD, as `Buffer#toString`
 * does) and kept exactly (CRLF and a trailing newline stay), unlike Boomi, which reads line by
 * line. `modifiedDate` is written as given: each operation formats the file's mtime its own way
 * (GET: `formatTimestamp`, `2023-03-23 12:08:56.000` in local time; QUERY: `formatIsoSeconds`,
 * `2023-03-23T12:08:56Z`).
 *
 * @example
 * ```ts
 * const json = new MetadataJsonEncoder(formatIsoSeconds(stats.modifiedAt)); // QUERY's date; GET passes formatTimestamp(…)
 * Buffer.concat([json.start(), json.write(Buffer.from("hi")), json.end()]).toString(); // {"fileContent":"hi","modifiedDate":"2023-03-23T12:08:56Z"}
 * ```
 */
export class MetadataJsonEncoder {
  private readonly decoder = new StringDecoder("utf8");

  /** @param modifiedDate the `modifiedDate` value, already formatted in the operation's date format. */
  constructor(private readonly modifiedDate: string) {}

  /** The opening bytes, before any content. */
  start(): Buffer {
    return Buffer.from('{"fileContent":"', "utf8");
  }

  /** The escaped text of one chunk of file content (empty while a UTF-8 sequence is incomplete). */
  write(chunk: Buffer): Buffer {
    return Buffer.from(escapeJson(this.decoder.write(chunk)), "utf8");
  }

  /** The closing bytes: what remains of the text, then the date. */
  end(): Buffer {
    return Buffer.from(`${escapeJson(this.decoder.end())}","modifiedDate":${JSON.stringify(this.modifiedDate)}}`, "utf8");
  }
}

/**
 * The metadata JSON of file content arriving as `chunks`, chunk by chunk through one
 * {@link MetadataJsonEncoder} (no empty chunk is yielded). Returning early (a consumer that stops)
 * returns `chunks` too.
 */
export async function* encodeMetadataJson(chunks: AsyncIterable<Buffer>, modifiedDate: string): AsyncGenerator<Buffer> {
  const encoder = new MetadataJsonEncoder(modifiedDate);
  yield encoder.start();
  for await (const chunk of chunks) {
    const out = encoder.write(chunk);
    if (out.length > 0) yield out;
  }
  yield encoder.end();
}

/**
 * The metadata JSON of a whole text: the bytes {@link MetadataJsonEncoder} gives for the text's
 * UTF-8, as a string (`JSON.stringify({ fileContent, modifiedDate })` for any text decoded from UTF-8).
 */
export function formatMetadataJson(fileContent: string, modifiedDate: string): string {
  const encoder = new MetadataJsonEncoder(modifiedDate);
  return Buffer.concat([encoder.start(), encoder.write(Buffer.from(fileContent, "utf8")), encoder.end()]).toString("utf8");
}
