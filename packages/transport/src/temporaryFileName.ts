// The hidden names uploads write to before renaming into place (`.<name>.<uuid>.sftp-tmp`), and a test that recognizes them.
import { randomUUID } from "node:crypto";

/** The suffix of every default temporary file name. */
export const TEMPORARY_FILE_SUFFIX = ".sftp-tmp";

/** Most UTF-8 bytes of the target name kept in a temporary name, so the result stays under the usual 255-byte limit. */
const MAX_NAME_BYTES = 160;

/** A random (version 4) UUID in lower case, as `randomUUID()` makes: nothing else is taken for ours. */
const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}";

/** Matches the default temporary names made by {@link temporaryFileName}. */
export const TEMPORARY_FILE_PATTERN: RegExp = new RegExp(`^\\.[^/]*\\.${UUID}\\.sftp-tmp$`, "su");

/** The first `maxBytes` UTF-8 bytes of `text`, cut at a code point boundary. */
function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, "utf8") <= maxBytes) return text;
  let bytes = 0;
  let out = "";
  for (const codePoint of text) {
    const size = Buffer.byteLength(codePoint, "utf8");
    if (bytes + size > maxBytes) break;
    bytes += size;
    out += codePoint;
  }
  return out;
}

/**
 * The default temporary name for an upload of `fileName` (its base name is used):
 * `.<name>.<uuid>.sftp-tmp`, hidden (leading dot), unique, and recognizable by
 * {@link isTemporaryFileName}. Names longer than 160 UTF-8 bytes are shortened in the temporary name.
 *
 * @param uuid The unique part; only a version 4 UUID makes a name {@link isTemporaryFileName} recognizes. @default a random UUID (lower case)
 */
export function temporaryFileName(fileName: string, uuid: string = randomUUID()): string {
  const base = fileName.slice(fileName.lastIndexOf("/") + 1);
  return `.${truncateUtf8(base, MAX_NAME_BYTES)}.${uuid.toLowerCase()}${TEMPORARY_FILE_SUFFIX}`;
}

/**
 * True when `name` (a base name) is one of the default temporary names uploads write before
 * renaming into place, so a listener or a listing can skip files still being uploaded (and
 * `cleanTemporaryFiles` can remove orphans): a leading dot, a version 4 UUID in lower case, and the
 * `.sftp-tmp` suffix, nothing looser. Names chosen by the caller (`tempExtension`, `tempFileName`) are not recognized.
 */
export function isTemporaryFileName(name: string): boolean {
  return TEMPORARY_FILE_PATTERN.test(name);
}
