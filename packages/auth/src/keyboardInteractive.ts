// The keyboard-interactive strategy: answers the server's prompts with one password, or with given responses in order.
import type { KeyboardInteractiveCallback, Prompt } from "ssh2";
import type { AuthStrategy } from "./AuthStrategy.js";
import { authConfigError } from "./authConfigError.js";
import { defineStrategy, type StrategyOptions } from "./defineStrategy.js";

/** What to answer: one password for the password prompts, or every answer in order. */
export type KeyboardInteractiveAnswers =
  | {
      /** Given to every prompt that looks like a password prompt (hidden input, or text such as `Password:`). Secret. */
      password: string;
      /** Not set with `password`. */
      responses?: undefined;
    }
  | {
      /** Answers to the server's prompts, in order, across all rounds; prompts past the end get `""`. Secret. */
      responses: readonly string[];
      /** Not set with `responses`. */
      password?: undefined;
    };

/** Prompt texts that ask for a password, in several languages. */
const PASSWORD_PROMPT =
  /pass(?:word|wort|phrase|code)?|mot de passe|contrase|senha|parola|wachtwoord|l[öo]senord|has[łl]o|salasana|пароль|密码|密碼|パスワード|암호|비밀번호|\bpin\b/i;

/**
 * True for a prompt that asks for a password: its input is hidden (`echo` false) or its text reads
 * like a password prompt (`Password:`, `Password for tester@host:`, `Passwort:`…).
 */
export function isPasswordPrompt(prompt: Prompt): boolean {
  return prompt.echo !== true || PASSWORD_PROMPT.test(prompt.prompt);
}

/** Words that name a password (not a passcode, PIN or passphrase), in several languages. */
const PASSWORD_WORD =
  /password|passwort|mot de passe|contrase|senha|parola|wachtwoord|l[öo]senord|has[łl]o|salasana|пароль|密码|密碼|パスワード|암호|비밀번호/i;

/**
 * The keyboard-interactive answerer behind the password strategy's fallback, as JSch answers
 * with its password: the password goes only to a round of exactly ONE prompt whose input is
 * hidden (`echo` false) and whose text names a password (`Password:`, `tester@host's password:`,
 * `Passwort:`…), and only once. Every other prompt, a round with several prompts (e.g. a
 * password and a one-time code), an echoed prompt, a `Passcode:`/`PIN:` prompt, and every later
 * round get `""`, so the password never reaches an unexpected prompt and is never resent in a loop.
 *
 * @example
 * ```ts
 * const entry = { type: "keyboard-interactive", username, prompt: answerPasswordPrompt(secret) };
 * ```
 */
export function answerPasswordPrompt(password: string) {
  let given = false;
  return (_name: string, _instructions: string, _lang: string, prompts: Prompt[], finish: KeyboardInteractiveCallback): void => {
    const only = prompts.length === 1 ? prompts[0] : undefined;
    if (!given && only !== undefined && only.echo !== true && PASSWORD_WORD.test(only.prompt)) {
      given = true;
      finish([password]);
      return;
    }
    finish(prompts.map(() => ""));
  };
}

/**
 * Logs in with SSH method `keyboard-interactive` (PAM-style challenges).
 *
 * With `{ password }`: in the first round that has password prompts, each of them gets the
 * password and every other prompt (e.g. an echoed `Username:`) gets `""`; later rounds get `""`,
 * so a rejected password is never sent again in a loop. With `{ responses }`: answers are given in
 * order across rounds. Rounds without prompts are acknowledged.
 *
 * Description: `keyboard-interactive (password)` or `keyboard-interactive (2 responses)`; never
 * the answers.
 *
 * @example
 * ```ts
 * keyboardInteractive({ password: process.env.SFTP_PASSWORD ?? "" });
 * keyboardInteractive({ responses: ["my password", "123456"] });
 * ```
 */
export function keyboardInteractive(answers: KeyboardInteractiveAnswers, options: StrategyOptions = {}): AuthStrategy {
  const field = options.field ?? "auth";
  const responses = Array.isArray(answers?.responses) ? [...answers.responses] : undefined;
  const secret = answers?.password;
  const describe = () => `keyboard-interactive (${responses === undefined ? "password" : `${responses.length} response${responses.length === 1 ? "" : "s"}`})`;
  return defineStrategy("keyboard-interactive", describe, async (username) => {
    if (responses === undefined && typeof secret !== "string") {
      throw authConfigError(`${field}.password: expected a string (or give ${field}.responses, the answers in order)`);
    }
    if (responses?.some((answer) => typeof answer !== "string")) {
      throw authConfigError(`${field}.responses: expected an array of strings`);
    }
    let passwordGiven = false;
    let next = 0;
    const prompt = (_name: string, _instructions: string, _lang: string, prompts: Prompt[], finish: KeyboardInteractiveCallback) => {
      if (responses !== undefined) {
        finish(prompts.map(() => responses[next++] ?? ""));
        return;
      }
      const ask = prompts.map(isPasswordPrompt);
      const give = !passwordGiven && ask.some(Boolean);
      if (give) passwordGiven = true;
      finish(ask.map((isPassword) => (give && isPassword ? (secret as string) : "")));
    };
    return [{ type: "keyboard-interactive", username, prompt }];
  });
}
