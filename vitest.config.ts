// Root vitest config: one project per package; integration tests share one testbed image built in globalSetup.
import { defineConfig } from "vitest/config";
import { readdirSync, existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const packages = readdirSync(new URL("./packages", import.meta.url)).filter((name) =>
  existsSync(new URL(`./packages/${name}/src/index.ts`, import.meta.url)),
);

/**
 * Tests import sibling packages from source, so `pnpm test` needs no build first. A subpath export
 * (`"./upload"`) maps to `src/upload.ts`; subpaths come first, as the first matching alias wins.
 */
const alias = packages.flatMap((dir) => {
  const { name, exports = {} } = JSON.parse(readFileSync(new URL(`./packages/${dir}/package.json`, import.meta.url), "utf8"));
  const source = (file: string) => fileURLToPath(new URL(`./packages/${dir}/src/${file}.ts`, import.meta.url));
  const subpaths = Object.keys(exports)
    .filter((key) => key !== "." && key !== "./package.json")
    .map((key) => ({ find: `${name}/${key.slice(2)}`, replacement: source(key.slice(2)) }));
  return [...subpaths, { find: name, replacement: source("index") }];
});

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      ...packages.map((name) => ({
        extends: true as const,
        test: {
          name,
          root: fileURLToPath(new URL(`./packages/${name}`, import.meta.url)),
          include: ["src/**/*.test.ts"],
        },
      })),
      // Cross-package scenarios (packed tarballs, examples).
      {
        extends: true as const,
        test: { name: "tests", root: fileURLToPath(new URL("./tests", import.meta.url)), include: ["src/**/*.test.ts"], exclude: ["src/reliability/**"] },
      },
      // The reliability suite (`pnpm test:reliability`): faults, load, bad input, security.
      { extends: true as const, test: { name: "reliability", root: fileURLToPath(new URL("./tests", import.meta.url)), include: ["src/reliability/**/*.test.ts"] } },
    ],
    globalSetup: [fileURLToPath(new URL("./scripts/vitest-global-setup.ts", import.meta.url))],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: "forks",
  },
});
