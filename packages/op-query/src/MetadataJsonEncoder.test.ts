// MetadataJsonEncoder: chunked output equals JSON.stringify of the whole text, whatever the chunking.
import { describe, expect, it } from "vitest";
import { MetadataJsonEncoder } from "./MetadataJsonEncoder.js";

function encode(data: Buffer, chunkSize: number, date = "2023-03-23T12:08:56Z"): string {
  const encoder = new MetadataJsonEncoder(date);
  const parts = [encoder.start()];
  for (let i = 0; i < data.length; i += chunkSize) parts.push(encoder.write(data.subarray(i, i + chunkSize)));
  parts.push(encoder.end());
  return Buffer.concat(parts).toString("utf8");
}

describe("MetadataJsonEncoder", () => {
  const samples = ["", "hello", "héllo ✓ 日本 🎉\r\nline\n", 'quotes " and \\ backslash\u0000\u001f', "\t\b\f"];
  it.each(samples)("matches JSON.stringify for %j at every chunk size", (text) => {
    const data = Buffer.from(text, "utf8");
    const expected = JSON.stringify({ fileContent: text, modifiedDate: "2023-03-23T12:08:56Z" });
    for (const size of [1, 2, 3, 5, 64]) expect(encode(data, size)).toBe(expected);
  });

  it("decodes invalid UTF-8 as U+FFFD, as Buffer#toString does", () => {
    const data = Buffer.from([0x61, 0xff, 0xe2, 0x82, 0x62, 0xf0, 0x9f]);
    const expected = JSON.stringify({ fileContent: data.toString("utf8"), modifiedDate: "d" });
    for (const size of [1, 2, 7]) expect(encode(data, size, "d")).toBe(expected);
  });
});
