// The README's first example runs as written (against this package's source) and prints what its comments say.
import { describe, expect, it } from "vitest";
import { fileURLToPath } from "node:url";
import { runReadmeExample } from "@sftp-connector/testkit";

describe("README example", () => {
  it("runs and prints the documented results", async () => {
    const out = await runReadmeExample(new URL("../README.md", import.meta.url), {
      replaceImports: { "@sftp-connector/auth": fileURLToPath(new URL("./index.ts", import.meta.url)) },
      // Inside the package's node_modules, so `import "ssh2"` resolves as it would for a user.
      dir: new URL("../node_modules/", import.meta.url),
    });
    const lines = out.trim().split("\n");
    expect(lines[0]).toBe("true");
    expect(lines[1]).toBe("[ 'password', 'publickey (ssh-ed25519 key content)' ]");
    expect(lines[2]).toBe('[{"method":"password","description":"password"},{"method":"publickey","description":"publickey (ssh-ed25519 key content)"}]');
    expect(lines.slice(3)).toEqual([
      "INVALID_CONFIG auth.content: the private key content is encrypted; give auth.passphrase",
      "INVALID_CONFIG auth.passphrase: the private key content could not be decrypted with the given passphrase",
      "INVALID_CONFIG auth.path: cannot read the private key file '/nonexistent/id_ed25519' (no such file)",
    ]);
    expect(out).not.toContain("example-passphrase");
    expect(out).not.toContain("example-password");
  });
});
