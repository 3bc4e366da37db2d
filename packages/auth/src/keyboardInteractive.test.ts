// Tests keyboardInteractive: which prompts get the password, responses in order across rounds, and config errors.
import { describe, expect, it } from "vitest";
import type { KeyboardInteractiveAuthMethod, Prompt } from "ssh2";
import { isSftpConnectorError } from "@sftp-connector/core";
import { answerPasswordPrompt, isPasswordPrompt, keyboardInteractive } from "./keyboardInteractive.js";

/** Plays rounds of prompts against a prepared entry and returns the answers of each round. */
async function play(strategy: ReturnType<typeof keyboardInteractive>, rounds: Prompt[][]): Promise<string[][]> {
  const [entry] = (await strategy.prepare("tester")) as KeyboardInteractiveAuthMethod[];
  expect(entry!.type).toBe("keyboard-interactive");
  expect(entry!.username).toBe("tester");
  return rounds.map((prompts) => {
    let answers: string[] | undefined;
    entry!.prompt("", "", "", prompts, (a) => (answers = a));
    return answers!;
  });
}

const hidden = (prompt: string): Prompt => ({ prompt, echo: false });
const shown = (prompt: string): Prompt => ({ prompt, echo: true });

describe("isPasswordPrompt", () => {
  it.each([
    [hidden("Password: "), true],
    [hidden("Verification code: "), true],
    [shown("Password: "), true],
    [shown("Password for tester@127.0.0.1: "), true],
    [shown("Enter passphrase: "), true],
    [shown("Passwort: "), true],
    [shown("Mot de passe : "), true],
    [shown("Contraseña: "), true],
    [shown("Пароль: "), true],
    [shown("PIN: "), true],
    [shown("Username: "), false],
    [shown("Pinned host? "), false],
    [{ prompt: "Password: " }, true],
  ])("%j → %s", (prompt, expected) => {
    expect(isPasswordPrompt(prompt)).toBe(expected);
  });
});

describe("keyboardInteractive({ password })", () => {
  it.each([
    ["one password prompt (OpenSSH with PAM)", [[hidden("Password: ")]], [["pw"]]],
    ["a round without prompts, then the password", [[], [hidden("Password: ")]], [[], ["pw"]]],
    ["a user name and a password in one round", [[shown("Username: "), hidden("Password: ")]], [["", "pw"]]],
    ["two password prompts in one round", [[hidden("Password: "), shown("Password again: ")]], [["pw", "pw"]]],
    ["a re-prompt after a rejected password gets no password again", [[hidden("Password: ")], [hidden("Password: ")]], [["pw"], [""]]],
    ["an OTP round after the password gets an empty answer", [[hidden("Password: ")], [shown("Code from your app: ")]], [["pw"], [""]]],
  ])("%s", async (_name, rounds, expected) => {
    expect(await play(keyboardInteractive({ password: "pw" }), rounds)).toEqual(expected);
  });

  it("starts afresh on every prepare (one connection attempt each)", async () => {
    const strategy = keyboardInteractive({ password: "pw" });
    expect(await play(strategy, [[hidden("Password: ")]])).toEqual([["pw"]]);
    expect(await play(strategy, [[hidden("Password: ")]])).toEqual([["pw"]]);
  });

  it("describes itself without the password", () => {
    const strategy = keyboardInteractive({ password: "pw" });
    expect(strategy.method).toBe("keyboard-interactive");
    expect(strategy.description).toBe("keyboard-interactive (password)");
  });
});

describe("answerPasswordPrompt (the password strategy's keyboard-interactive fallback)", () => {
  /** The answers of each round, played against one answerer (one connection attempt). */
  const rounds = (prompts: Prompt[][]): string[][] => {
    const answer = answerPasswordPrompt("pw");
    return prompts.map((round) => {
      let answers: string[] | undefined;
      answer("", "", "", round, (a) => (answers = a));
      return answers!;
    });
  };

  it.each([
    ["one hidden password prompt (OpenSSH with PAM)", [[hidden("Password: ")]], [["pw"]]],
    ["sshd's own prompt", [[hidden("tester@127.0.0.1's password: ")]], [["pw"]]],
    ["another language", [[hidden("Passwort: ")]], [["pw"]]],
    ["a round without prompts, then the password", [[], [hidden("Password: ")]], [[], ["pw"]]],
    ["a re-prompt after a rejected password gets no password again", [[hidden("Password: ")], [hidden("Password: ")]], [["pw"], [""]]],
    ["an echoed password prompt", [[shown("Password: ")]], [[""]]],
    ["two prompts in one round", [[shown("Username: "), hidden("Password: ")]], [["", ""]]],
    ["a password and a code in one round", [[hidden("Password: "), hidden("Verification code: ")]], [["", ""]]],
    ["a one-time code", [[hidden("Verification code: ")]], [[""]]],
    ["a passcode", [[hidden("Passcode: ")]], [[""]]],
    ["a PIN", [[hidden("PIN: ")]], [[""]]],
    ["a passphrase", [[hidden("Enter passphrase: ")]], [[""]]],
    ["a code round after the password", [[hidden("Password: ")], [hidden("Code: ")]], [["pw"], [""]]],
  ])("%s", (_name, prompts, expected) => {
    expect(rounds(prompts)).toEqual(expected);
  });
});

describe("keyboardInteractive({ responses })", () => {
  it.each([
    ["one prompt per round", ["a", "b"], [[shown("1")], [hidden("2")]], [["a"], ["b"]]],
    ["several prompts in one round", ["a", "b", "c"], [[shown("1"), hidden("2")], [shown("3")]], [["a", "b"], ["c"]]],
    ["more prompts than responses", ["a"], [[shown("1"), shown("2")], [shown("3")]], [["a", ""], [""]]],
    ["rounds without prompts do not use a response", ["a"], [[], [shown("1")]], [[], ["a"]]],
  ])("%s", async (_name, responses, rounds, expected) => {
    expect(await play(keyboardInteractive({ responses }), rounds)).toEqual(expected);
  });

  it.each([
    [["x"], "keyboard-interactive (1 response)"],
    [["x", "y"], "keyboard-interactive (2 responses)"],
  ])("describes %j as %s", (responses, description) => {
    expect(keyboardInteractive({ responses }).description).toBe(description);
  });

  it("copies the responses, so later changes to the array do not matter", async () => {
    const responses = ["a"];
    const strategy = keyboardInteractive({ responses });
    responses[0] = "changed";
    expect(await play(strategy, [[shown("1")]])).toEqual([["a"]]);
  });
});

describe("keyboardInteractive: config errors", () => {
  it.each([
    ["no password", {} as never, "auth.password: expected a string (or give auth.responses, the answers in order)"],
    ["a non-string response", { responses: ["a", 1] } as never, "auth.responses: expected an array of strings"],
  ])("%s", async (_name, answers, message) => {
    const error = await keyboardInteractive(answers)
      .prepare("u")
      .catch((e: unknown) => e);
    expect(isSftpConnectorError(error) && error.reason).toBe("INVALID_CONFIG");
    expect((error as Error).message).toBe(message);
  });
});
