// The includeAllMetadata JSON of QUERY, `{"fileContent":…,"modifiedDate":…}`, built chunk by chunk without holding the file.
import { StringDecoder } from "node:string_decoder";

/** JSON string body (without the quotes) of `text`, escaped exactly as `JSON.stringify` does. */
const escape = (text: string): string => JSON.stringify(text).slice(1, -1);

/**
 * Builds, from file content arriving in chunks, the same bytes as
 * `JSON.stringify({ fileContent, modifiedDate })` of the whole content decoded as UTF-8: a UTF-8
 * sequence split across chunks is decoded whole, invalid bytes become U+FFFD (as `Buffer#toString`).
 * The text is kept exactly (CRLF and a trailing newline stay), unlike Boomi, which reads line by line.
 *
 * @example
 * ```ts
 * const json = new MetadataJsonEncoder("2023-03-23T12:08:56Z");
 * Buffer.concat([json.start(), json.write(Buffer.from("hi")), json.end()]).toString(); // {"fileContent":"hi","modifiedDate":"2023-03-23T12:08:56Z"}
 * ```
 */
export class MetadataJsonEncoder {
  private readonly decoder = new StringDecoder("utf8");

  /** @param modifiedDate the `modifiedDate` value, already formatted. */
  constructor(private readonly modifiedDate: string) {}

  /** The opening bytes, before any content. */
  start(): Buffer {
    return Buffer.from('{"fileContent":"', "utf8");
  }

  /** The escaped text of one chunk of content (empty while a UTF-8 sequence is incomplete). */
  write(chunk: Buffer): Buffer {
    return Buffer.from(escape(this.decoder.write(chunk)), "utf8");
  }

  /** The closing bytes: what remains of the text, then the date. */
  end(): Buffer {
    return Buffer.from(`${escape(this.decoder.end())}","modifiedDate":${JSON.stringify(this.modifiedDate)}}`, "utf8");
  }
}
