// The one tsup configuration every package shares: ESM + CJS + .d.ts from src/index.ts.
import { defineConfig, type Options } from "tsup";

/** Returns the tsup config for a package; `entry` defaults to `src/index.ts`. */
export function packageConfig(overrides: Options = {}) {
  return defineConfig({
    entry: ["src/index.ts"],
    format: ["esm", "cjs"],
    dts: true,
    sourcemap: true,
    clean: true,
    target: "node20",
    platform: "node",
    splitting: false,
    treeshake: true,
    ...overrides,
  });
}
