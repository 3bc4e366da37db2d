import { packageConfig } from "../../tsup.config.base.js";

export default [packageConfig(), packageConfig({ entry: ["src/cli.ts"], format: ["esm"], dts: false, clean: false, banner: { js: "#!/usr/bin/env node" } })];
