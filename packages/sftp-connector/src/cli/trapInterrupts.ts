// Turns SIGINT/SIGTERM into the CLI's abort: the first one aborts with a reason naming the signal, a second one exits at once; and maps that reason to 130 or 143.

/** The signals the CLI treats as "stop": Ctrl-C and a polite kill. */
export type InterruptSignal = "SIGINT" | "SIGTERM";

/** The exit code of a command stopped by `signal`: 128 + its number (SIGINT 130, SIGTERM 143). */
export const INTERRUPT_EXIT_CODES: Readonly<Record<InterruptSignal, number>> = Object.freeze({ SIGINT: 130, SIGTERM: 143 });

/** The abort reason the CLI uses: which signal stopped it. */
export class Interrupted extends Error {
  override readonly name = "Interrupted";

  constructor(readonly signal: InterruptSignal) {
    super(`interrupted by ${signal}`);
  }
}

/**
 * The exit code for an abort with `reason`: 143 when it names SIGTERM, else 130 (SIGINT, and an
 * abort without a signal, such as a test's or an embedder's `abort()`).
 */
export function interruptExitCode(reason: unknown): number {
  const signal = (reason as { signal?: unknown } | null | undefined)?.signal;
  return signal === "SIGTERM" ? INTERRUPT_EXIT_CODES.SIGTERM : INTERRUPT_EXIT_CODES.SIGINT;
}

/** What {@link trapInterrupts} needs of a process (the real one, or a test's fake). */
export interface InterruptibleProcess {
  on(event: InterruptSignal, listener: (signal: InterruptSignal) => void): unknown;
  off(event: InterruptSignal, listener: (signal: InterruptSignal) => void): unknown;
  exit(code: number): void;
}

/**
 * Listens for SIGINT and SIGTERM on `target`: the first aborts `controller` with an
 * {@link Interrupted} naming the signal (the command stops, cleans up and exits 130 or 143); a
 * second one, of either kind, exits at once with the first one's code. Returns the function that
 * stops listening.
 */
export function trapInterrupts(target: InterruptibleProcess, controller: AbortController): () => void {
  let first: InterruptSignal | undefined;
  const onSignal = (signal: InterruptSignal) => {
    if (first !== undefined) {
      target.exit(INTERRUPT_EXIT_CODES[first]);
      return;
    }
    first = signal;
    controller.abort(new Interrupted(signal));
  };
  target.on("SIGINT", onSignal);
  target.on("SIGTERM", onSignal);
  return () => {
    target.off("SIGINT", onSignal);
    target.off("SIGTERM", onSignal);
  };
}
