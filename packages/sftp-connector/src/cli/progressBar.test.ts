import { describe, expect, it } from "vitest";
import { Writable } from "node:stream";
import { createProgressBar, formatBytes, formatDuration, formatProgress } from "./progressBar.js";

function sink() {
  let text = "";
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      text += String(chunk);
      callback();
    },
  });
  return { stream, text: () => text };
}

describe("formatting", () => {
  it("formats bytes and durations", () => {
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(1023)).toBe("1023 B");
    expect(formatBytes(1536)).toBe("1.5 KiB");
    expect(formatBytes(50 * 1024 * 1024)).toBe("50 MiB");
    expect(formatDuration(75)).toBe("1:15");
    expect(formatDuration(3723)).toBe("1:02:03");
  });

  it("shows percentage, bar, bytes, rate and ETA within the width", () => {
    const line = formatProgress({ label: "big.bin", bytes: 25 * 1024 * 1024, total: 100 * 1024 * 1024, rate: 5 * 1024 * 1024, columns: 100 });
    expect(line).toMatch(/^big\.bin {2} 25% \[#+-+\] 25 MiB\/100 MiB {2}5\.0 MiB\/s {2}ETA 0:15$/);
    expect(line.length).toBeLessThan(100);
  });

  it("without a total shows bytes and rate only", () => {
    expect(formatProgress({ label: "stdin", bytes: 2048, rate: 1024, columns: 80 })).toBe("stdin  2.0 KiB  1.0 KiB/s");
  });

  it("shortens a long label and escapes control characters in it", () => {
    const line = formatProgress({ label: `${"x".repeat(200)}\u001b`, bytes: 1, total: 2, rate: 1, columns: 60 });
    expect(line.length).toBeLessThanOrEqual(59);
    expect(line.startsWith("…")).toBe(true);
    expect(line).not.toContain("\u001b");
  });
});

describe("createProgressBar", () => {
  it("draws nothing when disabled", () => {
    const out = sink();
    const bar = createProgressBar({ stream: out.stream, enabled: false, label: "a", total: 10 });
    bar.update(5);
    bar.done();
    expect(out.text()).toBe("");
  });

  it("draws nothing before the delay, then redraws with \\r at most every interval, and erases when done", () => {
    const out = sink();
    let now = 0;
    const bar = createProgressBar({ stream: out.stream, enabled: true, label: "f", total: 1000, now: () => now, delayMs: 1000, intervalMs: 100 });
    now = 500;
    bar.update(100);
    expect(out.text()).toBe("");
    now = 1000;
    bar.update(200);
    expect(out.text()).toContain("\r\x1b[2Kf   20%");
    const before = out.text().length;
    now = 1050;
    bar.update(300);
    expect(out.text().length).toBe(before);
    now = 1200;
    bar.update(400);
    expect(out.text()).toContain("40%");
    bar.done();
    expect(out.text().endsWith("\r\x1b[2K")).toBe(true);
    bar.update(500);
    expect(out.text().endsWith("\r\x1b[2K")).toBe(true);
  });
});
