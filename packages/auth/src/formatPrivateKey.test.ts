// Tests formatPrivateKey: well-formed keys come back unchanged, and keys whose line breaks were lost are repaired so ssh2 parses them.
import { describe, expect, it } from "vitest";
import ssh2 from "ssh2";
import { formatPrivateKey } from "./formatPrivateKey.js";
import { PASSPHRASE, TEST_KEYS, testKey } from "./testKeys.js";

const parses = (text: string, encrypted: boolean) => {
  const key = ssh2.utils.parseKey(text, encrypted ? PASSPHRASE : undefined);
  return !(key instanceof Error) && key.isPrivateKey();
};

/** How a key's line breaks get lost or mangled on the way into a config field. */
const MANGLINGS: [string, (key: string) => string][] = [
  ["newlines replaced by spaces (one line)", (key) => key.trim().replace(/\n/g, " ")],
  ["newlines replaced by spaces, blank line kept as two spaces", (key) => key.replace(/\n/g, " ")],
  ["CRLF line endings", (key) => key.replace(/\n/g, "\r\n")],
  ["literal \\n escapes (JSON, .env)", (key) => key.trim().replace(/\n/g, "\\n")],
  [
    "indented (YAML block) with surrounding blank lines",
    (key) =>
      `\n\n${key
        .split("\n")
        .map((l) => `    ${l}`)
        .join("\n")}\n\n`,
  ],
  ["wrapped in quotes", (key) => `"${key.trim()}"`],
  [
    "body on one unwrapped line",
    (key) => {
      const lines = key.trim().split("\n");
      const header = lines.indexOf("") + 1; // first body line of encrypted PEM, or 0
      const start = Math.max(1, header);
      return [...lines.slice(0, start), lines.slice(start, -1).join(""), lines.at(-1)].join("\n");
    },
  ],
  ["tabs and several spaces between lines", (key) => key.trim().replace(/\n/g, " \t  ")],
];

// The brief's round trips (OpenSSH, RSA PEM, EC PEM, encrypted PEM) and every other fixture kind.
const ROUND_TRIP_KEYS = TEST_KEYS.filter((k) => !k.name.includes("PKCS#8"));

describe("formatPrivateKey", () => {
  it.each(TEST_KEYS.map((k) => [k.name, k] as const))("leaves a well-formed %s unchanged", (_name, key) => {
    expect(formatPrivateKey(key.privateKey)).toBe(key.privateKey.trimEnd() + "\n");
  });

  describe.each(MANGLINGS)("repairs a key with %s", (how, mangle) => {
    it.each(ROUND_TRIP_KEYS.map((k) => [k.name, k] as const))("%s", (_name, key) => {
      const repaired = formatPrivateKey(mangle(key.privateKey));
      // An unwrapped body is re-wrapped (at 70 for OpenSSH, where ssh2 itself wraps at 64), so only the others come back byte for byte.
      if (how !== "body on one unwrapped line") expect(repaired).toBe(key.privateKey.trimEnd() + "\n");
      expect(parses(repaired, key.encrypted)).toBe(true);
    });
  });

  it("keeps the blank line an encrypted PEM key needs after Proc-Type and DEK-Info", () => {
    const key = testKey("rsa PKCS#1 PEM encrypted").privateKey;
    const lines = formatPrivateKey(key.replace(/\n/g, " ")).split("\n");
    expect(lines[0]).toBe("-----BEGIN RSA PRIVATE KEY-----");
    expect(lines[1]).toBe("Proc-Type: 4,ENCRYPTED");
    expect(lines[2]).toMatch(/^DEK-Info: AES-128-CBC,[0-9A-F]{32}$/);
    expect(lines[3]).toBe("");
  });

  it("joins header names and values written without a space (Proc-Type:4,ENCRYPTED)", () => {
    const key = testKey("rsa PKCS#1 PEM encrypted").privateKey;
    const squeezed = key.replace("Proc-Type: ", "Proc-Type:").replace("DEK-Info: ", "DEK-Info:").replace(/\n/g, " ");
    expect(formatPrivateKey(squeezed)).toBe(key.trimEnd() + "\n");
  });

  it("keeps the OpenSSH armor intact (Boomi's version broke `OPENSSH` onto its own line)", () => {
    const key = testKey("ed25519 OpenSSH").privateKey;
    const repaired = formatPrivateKey(key.trim().replace(/\n/g, " "));
    expect(repaired.startsWith("-----BEGIN OPENSSH PRIVATE KEY-----\n")).toBe(true);
    expect(repaired.endsWith("\n-----END OPENSSH PRIVATE KEY-----\n")).toBe(true);
  });

  it("does not split base64 chunks that contain BEGIN, RSA, PRIVATE or END", () => {
    const body = ["MIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu", "KUpRKfFLfRYC9AIKjbJTWit+CqvjWYzvQwECAwEAAQJAIJLixBy2qpFoS4DSmoEm"];
    const text = `-----BEGIN RSA PRIVATE KEY----- ${body[0]}ENDRSA ${body[1]} -----END RSA PRIVATE KEY-----`;
    expect(formatPrivateKey(text)).toBe(`-----BEGIN RSA PRIVATE KEY-----\n${body[0]}ENDRSA\n${body[1]}\n-----END RSA PRIVATE KEY-----\n`);
  });

  it("re-wraps an over-long body line at 64 characters (70 for OpenSSH)", () => {
    const base64 = "A".repeat(150);
    expect(
      formatPrivateKey(`-----BEGIN EC PRIVATE KEY----- ${base64} -----END EC PRIVATE KEY-----`)
        .split("\n")
        .map((l) => l.length),
    ).toEqual([30, 64, 64, 22, 28, 0]);
    expect(
      formatPrivateKey(`-----BEGIN OPENSSH PRIVATE KEY----- ${base64} -----END OPENSSH PRIVATE KEY-----`)
        .split("\n")
        .map((l) => l.length),
    ).toEqual([35, 70, 70, 10, 33, 0]);
  });

  it("keeps only the first key block", () => {
    const a = testKey("ed25519 OpenSSH").privateKey;
    const b = testKey("rsa PKCS#1 PEM").privateKey;
    expect(formatPrivateKey(`${a}\n${b}`)).toBe(a.trimEnd() + "\n");
  });

  it.each([
    ["text without armor", "hello world", "hello world"],
    ["a missing END line", "-----BEGIN RSA PRIVATE KEY----- AAAA", "-----BEGIN RSA PRIVATE KEY----- AAAA"],
    [
      "a mismatched END line",
      "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----",
      "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----",
    ],
    ["a PuTTY key with CRLF", "PuTTY-User-Key-File-2: ssh-rsa\r\nEncryption: none\r\n", "PuTTY-User-Key-File-2: ssh-rsa\nEncryption: none\n"],
    ["the empty string", "", ""],
  ])("returns %s with only line endings normalized", (_name, input, expected) => {
    expect(formatPrivateKey(input)).toBe(expected);
  });
});
