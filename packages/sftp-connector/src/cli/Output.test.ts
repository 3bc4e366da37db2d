import { afterEach, describe, expect, it, vi } from "vitest";
import { captureIo } from "./captureIo.js";
import { Output } from "./Output.js";

afterEach(() => vi.restoreAllMocks());

describe("Output and the stop hook", () => {
  it("an abort erases the bar at once; updates, notes and new bars draw no bar after it", () => {
    let now = 0;
    vi.spyOn(performance, "now").mockImplementation(() => now);
    const { io, stderr } = captureIo();
    const controller = new AbortController();
    const out = new Output({ stdout: io.stdout, stderr: io.stderr, json: false, progress: true, signal: controller.signal });
    const bar = out.progress("big.bin", 1000);
    now = 2_000;
    bar.update(100);
    expect(stderr()).toContain("big.bin");
    controller.abort();
    expect(stderr().endsWith("\r\x1b[2K")).toBe(true);
    const before = stderr();
    now = 3_000;
    bar.update(500);
    out.note("interrupted");
    const next = out.progress("other.bin", 10);
    now = 5_000;
    next.update(5);
    expect(stderr().slice(before.length)).toBe("interrupted\n");
  });

  it("without an abort the bar keeps drawing (so the test above can fail)", () => {
    let now = 0;
    vi.spyOn(performance, "now").mockImplementation(() => now);
    const { io, stderr } = captureIo();
    const out = new Output({ stdout: io.stdout, stderr: io.stderr, json: false, progress: true, signal: new AbortController().signal });
    const bar = out.progress("big.bin", 1000);
    now = 2_000;
    bar.update(100);
    const before = stderr();
    now = 3_000;
    bar.update(500);
    expect(stderr().slice(before.length)).toContain(" 50% ");
  });
});
