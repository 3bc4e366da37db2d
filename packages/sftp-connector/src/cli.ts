// The sftp-connector CLI: `main(argv, io)` for tests and embedding, and the process wiring when run as a program.
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { main } from "./cli/main.js";
import { trapInterrupts } from "./cli/trapInterrupts.js";

export { main, exitCodeFor, formatError, EXIT } from "./cli/main.js";
export type { CliIo } from "./cli/CommandSpec.js";
export { captureIo } from "./cli/captureIo.js";
export { Interrupted, interruptExitCode, trapInterrupts, INTERRUPT_EXIT_CODES } from "./cli/trapInterrupts.js";
export type { InterruptSignal, InterruptibleProcess } from "./cli/trapInterrupts.js";
export type { CapturedIo, CaptureIoOptions } from "./cli/captureIo.js";

/** Whether this module is the program being run (also through a `node_modules/.bin` link), not imported. */
function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

/**
 * Runs `main` on the process (what the `sftp-connector` command does): the first SIGINT/SIGTERM
 * aborts the command's signal with a reason naming it (an operation stops, removes its temporary
 * file and the command exits 130 or 143; listen stops cleanly with 0); a second one exits at once.
 */
export async function runProcess(): Promise<void> {
  const controller = new AbortController();
  // Kept for the whole life of the process: a signal while it winds down (after main returned) still
  // exits with the first one's code instead of killing it by default. Signal listeners keep nothing alive.
  trapInterrupts(process, controller);
  // `… | head`: a closed stdout ends the run quietly.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(0);
  });
  const code = await main(process.argv.slice(2), {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    isTTY: process.stderr.isTTY === true,
    ...(process.stderr.columns ? { columns: process.stderr.columns } : {}),
    cwd: process.cwd(),
    signal: controller.signal,
  });
  process.exitCode = code;
  // Handles a library may have left open must not keep a finished command alive.
  setTimeout(() => process.exit(code), 1_000).unref();
}

if (isEntryPoint()) void runProcess();
