// redisKeysFor: every key of one poller key carries the same hash tag (one Redis Cluster slot), long keys stay short, namespaces never meet.
import { describe, expect, it } from "vitest";
import { redisKeysFor } from "./redisKeysFor.js";

describe("redisKeysFor", () => {
  it("puts every key of one (namespace, poller key) under one hash tag, and only one", () => {
    const keys = redisKeysFor("sftp-connector", "sftp://127.0.0.1:2222/home/tester/inbox");
    expect(keys.tag).toMatch(/^[0-9a-f]{16}$/);
    const names = Object.entries(keys)
      .filter(([field]) => field !== "tag")
      .map(([, name]) => name);
    expect(names).toHaveLength(14);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) {
      expect(name.startsWith(`sftpc:{${keys.tag}}:`)).toBe(true);
      expect(name.split("{")).toHaveLength(2); // Redis Cluster hashes the first {…}: there is no other
    }
  });

  it("hashes a long poller key and keeps namespaces and keys apart (no ambiguity at the join)", () => {
    const long = redisKeysFor("sftp-connector", `sftp://h/${"x".repeat(1000)}`);
    expect(long.checkpoint.length).toBeLessThan(50);
    expect(redisKeysFor("a:b", "c").tag).not.toBe(redisKeysFor("a", "b:c").tag);
    expect(redisKeysFor("ns", "k").tag).toBe(redisKeysFor("ns", "k").tag);
  });
});
