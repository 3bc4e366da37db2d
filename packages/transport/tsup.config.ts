import { packageConfig } from "../../tsup.config.base.js";

// The root plus the subpath exports "./upload" and "./scan"; shared modules go to common chunks, so
// a session or pool made through one entry is the same class in the others.
export default packageConfig({ entry: ["src/index.ts", "src/upload.ts", "src/scan.ts"], splitting: true });
