import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import { Interrupted, interruptExitCode, trapInterrupts, type InterruptSignal } from "./trapInterrupts.js";

/** A process stand-in: signals are emitted by the test, exit codes recorded. */
function fakeProcess() {
  const emitter = new EventEmitter();
  const exits: number[] = [];
  return {
    target: {
      on: (event: InterruptSignal, listener: (signal: InterruptSignal) => void) => emitter.on(event, listener),
      off: (event: InterruptSignal, listener: (signal: InterruptSignal) => void) => emitter.off(event, listener),
      exit: (code: number) => void exits.push(code),
    },
    send: (signal: InterruptSignal) => emitter.emit(signal, signal),
    listeners: () => emitter.listenerCount("SIGINT") + emitter.listenerCount("SIGTERM"),
    exits,
  };
}

describe("trapInterrupts", () => {
  it("the first signal aborts with a reason naming it and does not exit; a second one exits at once with the first one's code", () => {
    const fake = fakeProcess();
    const controller = new AbortController();
    trapInterrupts(fake.target, controller);
    fake.send("SIGTERM");
    expect(controller.signal.aborted).toBe(true);
    expect(controller.signal.reason).toBeInstanceOf(Interrupted);
    expect((controller.signal.reason as Interrupted).signal).toBe("SIGTERM");
    expect(fake.exits).toEqual([]);
    fake.send("SIGINT");
    expect(fake.exits).toEqual([143]);
  });

  it("SIGINT twice: 130 on the second, without waiting for the command", () => {
    const fake = fakeProcess();
    const controller = new AbortController();
    let aborts = 0;
    controller.signal.addEventListener("abort", () => aborts++);
    trapInterrupts(fake.target, controller);
    fake.send("SIGINT");
    fake.send("SIGINT");
    expect(aborts).toBe(1);
    expect(fake.exits).toEqual([130]);
    expect(interruptExitCode(controller.signal.reason)).toBe(130);
  });

  it("stops listening when told", () => {
    const fake = fakeProcess();
    const controller = new AbortController();
    const untrap = trapInterrupts(fake.target, controller);
    expect(fake.listeners()).toBe(2);
    untrap();
    expect(fake.listeners()).toBe(0);
    fake.send("SIGINT");
    expect(controller.signal.aborted).toBe(false);
  });
});

describe("interruptExitCode", () => {
  it("143 for SIGTERM, 130 for SIGINT and for an abort that names no signal", () => {
    expect(interruptExitCode(new Interrupted("SIGTERM"))).toBe(143);
    expect(interruptExitCode(new Interrupted("SIGINT"))).toBe(130);
    expect(interruptExitCode(new AbortController().signal.reason)).toBe(130);
    const plain = new AbortController();
    plain.abort();
    expect(interruptExitCode(plain.signal.reason)).toBe(130);
    expect(interruptExitCode(undefined)).toBe(130);
    expect(interruptExitCode({ signal: "SIGTERM" })).toBe(143);
  });
});
