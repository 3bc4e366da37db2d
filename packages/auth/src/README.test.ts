// The README's first example runs as written (against this package's source) and prints what its comments say.
import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

describe("README example", () => {
  it("runs and prints the documented results", () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    const code = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(code).toBeDefined();
    const source = fileURLToPath(new URL("./index.ts", import.meta.url));
    // Inside the package's node_modules, so `import "ssh2"` resolves as it would for a user.
    const dir = mkdtempSync(fileURLToPath(new URL("../node_modules/.readme-", import.meta.url)));
    try {
      const file = join(dir, "example.mts");
      writeFileSync(file, code!.replace('"@sftp-connector/auth"', JSON.stringify(source)));
      const out = execFileSync(process.execPath, ["--import", "tsx", file], { encoding: "utf8" });
      const lines = out.trim().split("\n");
      expect(lines[0]).toBe("true");
      expect(lines[1]).toBe("[ 'password', 'publickey (ssh-ed25519 key content)' ]");
      expect(lines[2]).toBe(
        '[{"method":"password","description":"password"},{"method":"publickey","description":"publickey (ssh-ed25519 key content)"}]',
      );
      expect(lines.slice(3)).toEqual([
        "INVALID_CONFIG auth.content: the private key content is encrypted; give auth.passphrase",
        "INVALID_CONFIG auth.passphrase: the private key content could not be decrypted with the given passphrase",
        "INVALID_CONFIG auth.path: cannot read the private key file /nonexistent/id_ed25519 (no such file)",
      ]);
      expect(out).not.toContain("example-passphrase");
      expect(out).not.toContain("example-password");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
