// Every package README's install line names what a user must install with it: its peer dependencies and the project's packages it depends on; the root README's table shows the same line.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));
const rootReadme = readFileSync(join(root, "README.md"), "utf8");
const published = readdirSync(join(root, "packages"))
  .map((folder) => ({ folder, manifest: JSON.parse(readFileSync(join(root, "packages", folder, "package.json"), "utf8")) }))
  .filter(({ manifest }) => !manifest.private);

/** The words after `npm i` (flags dropped) on the first install line of `text` that installs `name`. */
function installLine(text: string, name: string): string[] | undefined {
  for (const match of text.matchAll(/npm i ([^`\n]+)/g)) {
    const words = match[1]!
      .trim()
      .split(/\s+/)
      .filter((word) => !word.startsWith("-"));
    if (words[0] === name) return words;
  }
  return undefined;
}

describe("README install lines", () => {
  for (const { folder, manifest } of published) {
    const name: string = manifest.name;
    it(`${name}: names its peers (and, for a building block, the project's packages it depends on), as the root README does`, () => {
      const readme = readFileSync(join(root, "packages", folder, "README.md"), "utf8");
      const line = installLine(readme, name);
      expect(line, `packages/${folder}/README.md has no "npm i ${name} …" line`).toBeDefined();
      // Optional peers (the facade's coordination engines) are installed only by who wants them: the README says when.
      const optional = new Set(
        Object.entries(manifest.peerDependenciesMeta ?? {})
          .filter(([, meta]) => (meta as { optional?: boolean }).optional)
          .map(([dep]) => dep),
      );
      const needed = Object.keys(manifest.peerDependencies ?? {}).filter((dep) => !optional.has(dep));
      // The facade is the bundle: one name brings everything. A building block names the project's packages it pulls in.
      if (name !== "sftp-connector") needed.push(...Object.keys(manifest.dependencies ?? {}).filter((dep) => dep.startsWith("@sftp-connector/")));
      for (const dep of needed) expect(line, `packages/${folder}/README.md: "npm i ${line!.join(" ")}" omits ${dep}`).toContain(dep);
      expect(installLine(rootReadme, name), `README.md's table row for ${name}`).toEqual(line);
    });
  }
});
