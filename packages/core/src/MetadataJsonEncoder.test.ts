// The includeAllMetadata JSON of GET and QUERY: exact text kept, and the chunked encoder gives the same bytes as the whole one, whatever the chunking and the date format.
import { describe, expect, it } from "vitest";
import { MetadataJsonEncoder, formatMetadataJson } from "./MetadataJsonEncoder.js";

/** GET's date format (`formatTimestamp`) and QUERY's (`formatIsoSeconds`). */
const GET_DATE = "2023-03-23 12:08:56.000";
const QUERY_DATE = "2023-03-23T12:08:56Z";

/** Encodes `content` cut at the given offsets. */
function encodeInChunks(content: Buffer, date: string, cuts: number[]): string {
  const encoder = new MetadataJsonEncoder(date);
  const parts: Buffer[] = [encoder.start()];
  let at = 0;
  for (const cut of [...cuts, content.length]) {
    parts.push(encoder.write(content.subarray(at, cut)));
    at = cut;
  }
  parts.push(encoder.end());
  return Buffer.concat(parts).toString("utf8");
}

/** Encodes `data` in chunks of `chunkSize` bytes. */
function encode(data: Buffer, chunkSize: number, date = QUERY_DATE): string {
  const encoder = new MetadataJsonEncoder(date);
  const parts = [encoder.start()];
  for (let i = 0; i < data.length; i += chunkSize) parts.push(encoder.write(data.subarray(i, i + chunkSize)));
  parts.push(encoder.end());
  return Buffer.concat(parts).toString("utf8");
}

describe("formatMetadataJson", () => {
  it("keeps CRLF, a trailing newline, quotes and control characters, in JSON.stringify's compact form", () => {
    const text = 'line 1\r\nline "2"\ttab\r\n\u0001end\n';
    const json = formatMetadataJson(text, "2024-02-29 13:05:07.000");
    expect(json).toBe('{"fileContent":"line 1\\r\\nline \\"2\\"\\ttab\\r\\n\\u0001end\\n","modifiedDate":"2024-02-29 13:05:07.000"}');
    expect(JSON.parse(json)).toEqual({ fileContent: text, modifiedDate: "2024-02-29 13:05:07.000" });
  });
});

describe("MetadataJsonEncoder with GET's date format", () => {
  const content = Buffer.concat([
    Buffer.from("Grüße, 日本語, emoji 😀\r\n", "utf8"),
    Buffer.from([0xff, 0xfe, 0xe6, 0x97]), // invalid UTF-8 and a truncated sequence
    Buffer.from("\nlast line without newline — ok", "utf8"),
  ]);
  const whole = formatMetadataJson(content.toString("utf8"), GET_DATE);

  it("gives the same bytes as the whole-text form for every single cut point (split UTF-8 sequences included)", () => {
    for (let cut = 0; cut <= content.length; cut += 1) {
      expect(encodeInChunks(content, GET_DATE, [cut])).toBe(whole);
    }
  });

  it("gives the same bytes when every byte is its own chunk", () => {
    const cuts = Array.from({ length: content.length }, (_, i) => i);
    expect(encodeInChunks(content, GET_DATE, cuts)).toBe(whole);
  });

  it("encodes empty content as an empty string", () => {
    expect(encodeInChunks(Buffer.alloc(0), "d", [])).toBe('{"fileContent":"","modifiedDate":"d"}');
  });
});

describe("MetadataJsonEncoder with QUERY's date format", () => {
  const samples = ["", "hello", "héllo ✓ 日本 🎉\r\nline\n", 'quotes " and \\ backslash\u0000\u001f', "\t\b\f"];
  it.each(samples)("matches JSON.stringify for %j at every chunk size", (text) => {
    const data = Buffer.from(text, "utf8");
    const expected = JSON.stringify({ fileContent: text, modifiedDate: QUERY_DATE });
    for (const size of [1, 2, 3, 5, 64]) expect(encode(data, size)).toBe(expected);
  });

  it("decodes invalid UTF-8 as U+FFFD, as Buffer#toString does", () => {
    const data = Buffer.from([0x61, 0xff, 0xe2, 0x82, 0x62, 0xf0, 0x9f]);
    const expected = JSON.stringify({ fileContent: data.toString("utf8"), modifiedDate: "d" });
    for (const size of [1, 2, 7]) expect(encode(data, size, "d")).toBe(expected);
  });
});
