// readChunks: the chunks as pushed (the same Buffer objects, never joined), backpressure, and the built-in iterator's endings.
import { describe, expect, it } from "vitest";
import { PassThrough, Readable } from "node:stream";
import { readChunks } from "./readChunks.js";

describe("readChunks", () => {
  it("yields the very buffers pushed, one by one, even when many are buffered (the built-in iterator joins them into a copy)", async () => {
    const pushed = Array.from({ length: 10 }, (_, i) => Buffer.alloc(1000, i));
    const stream = new PassThrough();
    for (const chunk of pushed) stream.write(chunk);
    stream.end();
    const got: Buffer[] = [];
    for await (const chunk of readChunks(stream)) got.push(chunk);
    expect(got).toHaveLength(10);
    for (const [i, chunk] of got.entries()) expect(chunk).toBe(pushed[i]);
    // What this replaces: the built-in iterator hands over one joined copy.
    const builtin = new PassThrough();
    for (const chunk of pushed) builtin.write(chunk);
    builtin.end();
    const joined: Buffer[] = [];
    for await (const chunk of builtin) joined.push(chunk as Buffer);
    expect(joined.length).toBeLessThan(10);
  });

  it("pauses the stream while its highWaterMark of bytes waits and resumes it once the consumer catches up", async () => {
    let produced = 0;
    const stream = new Readable({
      highWaterMark: 100,
      read() {
        produced += 1;
        this.push(produced <= 100 ? Buffer.alloc(10) : null);
      },
    });
    const iterator = readChunks(stream);
    await iterator.next();
    for (let i = 0; i < 50; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(stream.isPaused()).toBe(true);
    expect(produced).toBeLessThanOrEqual(22); // its own buffer (10 chunks) and ours (10)
    let rest = 1;
    for await (const _ of { [Symbol.asyncIterator]: () => iterator }) rest += 1;
    expect(rest).toBe(100);
  });

  it("leaving the loop early destroys the stream", async () => {
    const stream = new PassThrough();
    stream.write(Buffer.from("a"));
    stream.write(Buffer.from("b"));
    for await (const _ of readChunks(stream)) break;
    expect(stream.destroyed).toBe(true);
  });

  it("delivers what was pushed before an error, then throws the error", async () => {
    const stream = new PassThrough();
    stream.write(Buffer.from("a"));
    const got: string[] = [];
    const failure = (async () => {
      for await (const chunk of readChunks(stream)) {
        got.push(chunk.toString());
        stream.destroy(new Error("boom"));
      }
    })();
    await expect(failure).rejects.toThrow("boom");
    expect(got).toEqual(["a"]);
  });

  it("a stream destroyed without an error ends the loop with a premature close, as for await does", async () => {
    const stream = new PassThrough();
    const loop = (async () => {
      for await (const _ of readChunks(stream)) void _;
    })();
    stream.destroy();
    await expect(loop).rejects.toMatchObject({ code: "ERR_STREAM_PREMATURE_CLOSE" });
  });
});
