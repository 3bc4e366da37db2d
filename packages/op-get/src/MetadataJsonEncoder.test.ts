// The includeAllMetadata JSON: exact text kept, and the chunked encoder gives the same bytes as the whole one.
import { describe, expect, it } from "vitest";
import { MetadataJsonEncoder, formatMetadataJson } from "./MetadataJsonEncoder.js";

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

describe("formatMetadataJson", () => {
  it("keeps CRLF, a trailing newline, quotes and control characters, in JSON.stringify's compact form", () => {
    const text = 'line 1\r\nline "2"\ttab\r\n\u0001end\n';
    const json = formatMetadataJson(text, "2024-02-29 13:05:07.000");
    expect(json).toBe('{"fileContent":"line 1\\r\\nline \\"2\\"\\ttab\\r\\n\\u0001end\\n","modifiedDate":"2024-02-29 13:05:07.000"}');
    expect(JSON.parse(json)).toEqual({ fileContent: text, modifiedDate: "2024-02-29 13:05:07.000" });
  });
});

describe("MetadataJsonEncoder", () => {
  const content = Buffer.concat([
    Buffer.from("Grüße, 日本語, emoji 😀\r\n", "utf8"),
    Buffer.from([0xff, 0xfe, 0xe6, 0x97]), // invalid UTF-8 and a truncated sequence
    Buffer.from("\nlast line without newline — ok", "utf8"),
  ]);
  const whole = formatMetadataJson(content.toString("utf8"), "2023-03-23 12:08:56.000");

  it("gives the same bytes as the whole-text form for every single cut point (split UTF-8 sequences included)", () => {
    for (let cut = 0; cut <= content.length; cut += 1) {
      expect(encodeInChunks(content, "2023-03-23 12:08:56.000", [cut])).toBe(whole);
    }
  });

  it("gives the same bytes when every byte is its own chunk", () => {
    const cuts = Array.from({ length: content.length }, (_, i) => i);
    expect(encodeInChunks(content, "2023-03-23 12:08:56.000", cuts)).toBe(whole);
  });

  it("encodes empty content as an empty string", () => {
    expect(encodeInChunks(Buffer.alloc(0), "d", [])).toBe('{"fileContent":"","modifiedDate":"d"}');
  });
});
