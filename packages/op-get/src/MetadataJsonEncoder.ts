// The includeAllMetadata JSON `{"fileContent":…,"modifiedDate":…}`, built whole or chunk by chunk with the same bytes.
import { StringDecoder } from "node:string_decoder";

/** JSON string body (without the quotes) of `text`, escaped exactly as `JSON.stringify` does. */
const escape = (text: string): string => JSON.stringify(text).slice(1, -1);

/**
 * The JSON document GET returns with `includeAllMetadata`: `{"fileContent":"<text>","modifiedDate":"<date>"}`
 * in `JSON.stringify`'s compact form. The text is kept exactly as decoded (CRLF and a trailing
 * newline stay), unlike Boomi, which reads line by line.
 */
export function formatMetadataJson(fileContent: string, modifiedDate: string): string {
  return JSON.stringify({ fileContent, modifiedDate });
}

/**
 * Builds the same bytes as {@link formatMetadataJson} from file content arriving in chunks,
 * without holding the whole file: UTF-8 sequences split across chunks are decoded whole
 * (invalid bytes become U+FFFD, as `Buffer#toString` does).
 */
export class MetadataJsonEncoder {
  private readonly decoder = new StringDecoder("utf8");

  constructor(private readonly modifiedDate: string) {}

  /** The opening bytes, before any content. */
  start(): Buffer {
    return Buffer.from('{"fileContent":"', "utf8");
  }

  /** The escaped text of one chunk of file content (may be empty while a UTF-8 sequence is incomplete). */
  write(chunk: Buffer): Buffer {
    return Buffer.from(escape(this.decoder.write(chunk)), "utf8");
  }

  /** The closing bytes: what remains of the text, then the date. */
  end(): Buffer {
    return Buffer.from(`${escape(this.decoder.end())}","modifiedDate":${JSON.stringify(this.modifiedDate)}}`, "utf8");
  }
}
