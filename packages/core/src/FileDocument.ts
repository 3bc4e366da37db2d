// The documents operations take and return: content plus Boomi-style properties, and the dates in Boomi's formats.
import type { Readable } from "node:stream";

/** Content given to CREATE/UPSERT: a stream, bytes, text (UTF-8), or a local file to read. */
export type DocumentContentInput = Readable | Buffer | Uint8Array | string | { path: string };

/** Properties of a document, named as Boomi's tracked properties. */
export interface DocumentProperties {
  /** The file's name (with its sub-path, when it has one, relative to `remoteDirectory`). */
  fileName: string;
  /** The absolute remote directory the file is in. */
  remoteDirectory: string;
  /** Modification time in Boomi's timestamp format (`yyyy-MM-dd HH:mm:ss.SSS`), when known. */
  timestamp?: string;
  /** Size in bytes, when known. */
  size?: number;
}

/** A document: content and properties. Content is a Readable unless a Buffer was asked for. */
export interface FileDocument<Content = Readable> {
  content: Content;
  properties: DocumentProperties;
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/**
 * Boomi's LIST/QUERY date format, `yyyy-MM-dd'T'HH:mm:ssXXX` in UTC (seconds, `Z`): `2023-03-23T12:08:56Z`.
 */
export function formatIsoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/**
 * Boomi's GET/CREATE timestamp format, `yyyy-MM-dd HH:mm:ss.SSS`, in the process's local time
 * zone (as Boomi uses the JVM's) or in UTC when `utc` is true: `2023-03-23 12:08:56.000`.
 */
export function formatTimestamp(date: Date, utc = false): string {
  const [y, mo, d, h, mi, s, ms] = utc
    ? [
        date.getUTCFullYear(),
        date.getUTCMonth() + 1,
        date.getUTCDate(),
        date.getUTCHours(),
        date.getUTCMinutes(),
        date.getUTCSeconds(),
        date.getUTCMilliseconds(),
      ]
    : [date.getFullYear(), date.getMonth() + 1, date.getDate(), date.getHours(), date.getMinutes(), date.getSeconds(), date.getMilliseconds()];
  return `${y}-${pad(mo)}-${pad(d)} ${pad(h)}:${pad(mi)}:${pad(s)}.${pad(ms, 3)}`;
}
