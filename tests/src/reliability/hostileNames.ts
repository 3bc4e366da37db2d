// What the hostile-name suites share: a before/after picture of a local folder, and the CLI run in-process against a server.
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { main } from "../../../packages/sftp-connector/src/cli/main.js";
import { captureIo } from "../../../packages/sftp-connector/src/cli/captureIo.js";

/** Every path under `root` (relative) with its size, -1 for a directory: what a test compares before and after. */
export function snapshotTree(root: string): Record<string, number> {
  const out: Record<string, number> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const stats = statSync(path);
      out[relative(root, path)] = stats.isDirectory() ? -1 : stats.size;
      if (stats.isDirectory()) walk(path);
    }
  };
  walk(root);
  return out;
}

/** A password login and the host key fingerprint to pin. */
export interface CliServer {
  host: string;
  port: number;
  username: string;
  password: string;
  fingerprint: string;
}

/** Runs the `sftp-connector` CLI in-process with `argv` plus the connection flags of `server`, in `cwd`. */
export async function runCli(server: CliServer, argv: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const captured = captureIo({ env: { SFTP_PW: server.password }, cwd });
  const conn = [
    "--host",
    server.host,
    "--port",
    String(server.port),
    "--user",
    server.username,
    "--password-env",
    "SFTP_PW",
    "--fingerprint",
    server.fingerprint,
  ];
  const code = await main([...argv, ...conn], captured.io);
  return { code, stdout: captured.stdout(), stderr: captured.stderr() };
}
