// The includeAllMetadata JSON of GET and QUERY, `{"fileContent":…,"modifiedDate":…}`, built whole or chunk by chunk with the same bytes.
import { StringDecoder } from "node:string_decoder";

/** JSON string body (without the quotes) of `text`, escaped exactly as `JSON.stringify` does. */
const escape = (text: string): string => JSON.stringify(text).slice(1, -1);

/**
 * The JSON document GET and QUERY return with `includeAllMetadata`:
 * `{"fileContent":"<text>","modifiedDate":"<date>"}` in `JSON.stringify`'s compact form. The text
 * is kept exactly as decoded (CRLF and a trailing newline stay), unlike Boomi, which reads line by
 * line. `modifiedDate` is written as given: each operation formats the file's mtime its own way
 * (GET: `formatTimestamp`, `2023-03-23 12:08:56.000` in local time; QUERY: `formatIsoSeconds`,
 * `2023-03-23T12:08:56Z`).
 */
export function formatMetadataJson(fileContent: string, modifiedDate: string): string {
  return JSON.stringify({ fileContent, modifiedDate });
}

/**
 * Builds the same bytes as {@link formatMetadataJson} of the whole content decoded as UTF-8 from
 * file content arriving in chunks, without holding the whole file: a UTF-8 sequence split across
 * chunks is decoded whole, invalid bytes become U+FFFD (as `Buffer#toString` does).
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
    return Buffer.from(escape(this.decoder.write(chunk)), "utf8");
  }

  /** The closing bytes: what remains of the text, then the date. */
  end(): Buffer {
    return Buffer.from(`${escape(this.decoder.end())}","modifiedDate":${JSON.stringify(this.modifiedDate)}}`, "utf8");
  }
}
