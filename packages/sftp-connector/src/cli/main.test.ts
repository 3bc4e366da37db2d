import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePorts } from "@sftp-connector/testkit";
import { SftpConnectorError } from "@sftp-connector/core";
import { EXIT, exitCodeFor, formatError, main } from "../cli.js";
import { captureIo } from "./captureIo.js";
import { COMMANDS } from "./commands.js";
import { UsageError } from "./UsageError.js";
import { afterInterrupt, stderrLogger } from "./main.js";
import { Output } from "./Output.js";

const SECRET = "very-secret-pw-42";
const FP = `SHA256:${"A".repeat(43)}`;
const env = { SFTP_PASSWORD: SECRET };
const conn = ["--host", "127.0.0.1", "--user", "u", "--password-env", "SFTP_PASSWORD", "--fingerprint", FP];

async function run(argv: string[], options: Parameters<typeof captureIo>[0] = {}) {
  const captured = captureIo({ env, ...options });
  const code = await main(argv, captured.io);
  return { code, stdout: captured.stdout(), stderr: captured.stderr() };
}

describe("exit codes and error lines", () => {
  it("maps errors to 2 (usage, config, input) or 1 (everything else)", () => {
    expect(exitCodeFor(new UsageError("x"))).toBe(EXIT.usage);
    expect(exitCodeFor(new SftpConnectorError("INVALID_CONFIG", "x"))).toBe(2);
    expect(exitCodeFor(new SftpConnectorError("INVALID_INPUT", "x"))).toBe(2);
    for (const reason of ["HOST_KEY_MISMATCH", "AUTH_FAILED", "NO_SUCH_FILE", "CONNECTION_LOST"] as const) {
      expect(exitCodeFor(new SftpConnectorError(reason, "x"))).toBe(EXIT.failed);
    }
    expect(exitCodeFor(new Error("bug"))).toBe(1);
  });

  it("formats errors as error [REASON]: message", () => {
    expect(formatError(new SftpConnectorError("NO_SUCH_FILE", "File Not Found: /a"))).toBe("error [NO_SUCH_FILE]: File Not Found: /a");
    expect(formatError(new UsageError("bad"))).toBe("error [USAGE]: bad");
    expect(formatError(new Error("oops"))).toBe("error [FAILURE]: oops");
  });
});

describe("main: help and usage", () => {
  it("--help lists every command, exit 0; no command at all is exit 2 with the help on stderr", async () => {
    const help = await run(["--help"]);
    expect(help.code).toBe(0);
    for (const command of COMMANDS) expect(help.stdout).toContain(`  ${command.name} `);
    expect(help.stdout).toContain("130/143 interrupted by SIGINT/SIGTERM");
    const none = await run([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("Usage: sftp-connector COMMAND");
  });

  it("every command has --help (also with connection flags given), and no secret shows in it", async () => {
    for (const command of COMMANDS) {
      const result = await run([command.name, ...conn, "--help"]);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`Usage: sftp-connector ${command.name}`);
      expect(result.stdout).toContain("--password-env VAR");
      expect(result.stdout + result.stderr).not.toContain(SECRET);
    }
    expect((await run(["help", "listen"])).stdout).toContain("SFTP_FILE_NAME");
  });

  it("--version prints the package version", async () => {
    const result = await run(["--version"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("an unknown command or option, or a missing argument, is exit 2 with error [USAGE]", async () => {
    const unknown = await run(["fetch"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('error [USAGE]: unknown command "fetch"');
    const option = await run(["list", ...conn, "--colour"]);
    expect(option.code).toBe(2);
    expect(option.stderr).toContain('error [USAGE]: unknown option --colour for "list"');
    expect(option.stderr).toContain("Run 'sftp-connector list --help' for usage.");
    const missing = await run(["get", ...conn]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("error [USAGE]: get needs the NAME of the remote file");
    expect((await run(["list", ...conn, "extra"])).stderr).toContain('"list" takes no arguments');
    expect((await run(["list", ...conn, "--count", "many"])).stderr).toContain('--count: expected an integer of at least -1, got "many"');
    expect((await run(["create", ...conn, "a", "b"])).code).toBe(2);
    expect((await run(["create", ...conn])).stderr).toContain("create needs a LOCAL file, or --name NAME to upload stdin");
    expect((await run(["listen", ...conn, "--remote-dir", "in", "--after", "archive"])).stderr).toContain("--after: expected delete, move:DIR or none");
    expect((await run(["create", ...conn, "--name", "x", "--if-exists", "replace"])).stderr).toContain(
      "--if-exists: expected error, overwrite, append or unique",
    );
  });

  it("a password typed on the command line is refused without echoing it", async () => {
    const result = await run(["list", "--host", "h", `--password=${SECRET}`]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--password-env VAR");
    expect(result.stderr).not.toContain(SECRET);
    const positional = await run(["list", "--host", "h", "--user", "u", SECRET]);
    expect(positional.code).toBe(2);
    expect(positional.stderr).not.toContain(SECRET);
  });

  it("a missing password environment variable is exit 2 naming the variable", async () => {
    const result = await run(["test", "--host", "h", "--user", "u", "--password-env", "MY_SFTP_PW", "--fingerprint", FP], { env: {} });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("error [USAGE]: --password-env: the environment variable MY_SFTP_PW is not set");
  });

  it("an invalid config is exit 2 with error [INVALID_CONFIG] naming the fields, never the password", async () => {
    const result = await run(["test", "--password-env", "SFTP_PASSWORD"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("error [INVALID_CONFIG]: Invalid connection config:");
    expect(result.stderr).toContain("host: required");
    expect(result.stdout + result.stderr).not.toContain(SECRET);
  });

  it("a config file is read relative to cwd; a bad filter is exit 2", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cli-main-"));
    writeFileSync(join(dir, "c.yaml"), `host: 127.0.0.1\nusername: u\nauth: { type: password, password: ${SECRET} }\nhostKey: { insecureAcceptAny: true }\n`);
    const result = await run(["list", "--config", "c.yaml", "--filter", "fileSize > banana"], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error \[INVALID_INPUT\]: .*filter/m);
    expect(result.stderr).not.toContain(SECRET);
  });
});

describe("main: operation failures", () => {
  it("a server that does not answer is exit 1 with its reason, and no secret", async () => {
    const [port] = await freePorts(1);
    const result = await run([
      "test",
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
      "--user",
      "u",
      "--password-env",
      "SFTP_PASSWORD",
      "--fingerprint",
      FP,
      "--json",
    ]);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stderr.trim())).toMatchObject({ error: { reason: "HOST_UNREACHABLE", message: expect.any(String) } });
    expect(result.stdout).toBe("");
    expect(result.stderr).not.toContain(SECRET);
  });
});

describe("main: papercuts", () => {
  it("an unknown long option suggests the closest one", async () => {
    const result = await run(["list", ...conn, "--remote-directory", "in"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown option --remote-directory for "list": did you mean --remote-dir?');
    expect((await run(["get", ...conn, "x", "--delete-aftr"])).stderr).toContain("did you mean --delete-after?");
    expect((await run(["list", ...conn, "--zzzzzz"])).stderr).not.toContain("did you mean");
  });

  it("usage errors come before config errors", async () => {
    const count = await run(["list", "--count", "abc"], { env: {} });
    expect(count.code).toBe(2);
    expect(count.stderr).toContain('error [USAGE]: --count: expected an integer of at least -1, got "abc"');
    expect(count.stderr).not.toContain("INVALID_CONFIG");
    const name = await run(["get"], { env: {} });
    expect(name.stderr).toContain("error [USAGE]: get needs the NAME of the remote file");
    // With a good command line, the config error is what is reported.
    const config = await run(["list", "--count", "3"], { env: {} });
    expect(config.code).toBe(2);
    expect(config.stderr).toContain("error [INVALID_CONFIG]");
  });

  it("--json: errors are one JSON object on stderr, exit codes unchanged, no secret", async () => {
    const usage = await run(["list", ...conn, "--remote-directory", "in", "--json"]);
    expect(usage.code).toBe(2);
    expect(usage.stdout).toBe("");
    expect(JSON.parse(usage.stderr)).toEqual({
      error: { reason: "USAGE", message: 'unknown option --remote-directory for "list": did you mean --remote-dir?', field: "--remote-directory" },
    });
    const config = await run(["test", "--password-env", "SFTP_PASSWORD", "--json"]);
    expect(config.code).toBe(2);
    const record = JSON.parse(config.stderr) as { error: { reason: string; message: string; fields: string[] } };
    expect(record.error.reason).toBe("INVALID_CONFIG");
    expect(record.error.message).toContain("host: required");
    expect(record.error.fields).toContain("host");
    expect(config.stdout + config.stderr).not.toContain(SECRET);
    const count = await run(["list", ...conn, "--count", "abc", "--json"]);
    expect(JSON.parse(count.stderr)).toMatchObject({ error: { reason: "USAGE", field: "--count" } });
  });

  it("a config file names its secrets by environment variable (passwordEnv, passphraseEnv, proxy passwordEnv)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cli-main-"));
    writeFileSync(
      join(dir, "sftp.yaml"),
      "host: 127.0.0.1\nusername: u\nauth:\n  type: password\n  passwordEnv: MY_SFTP_PW\nhostKey: { insecureAcceptAny: true }\n",
    );
    const missing = await run(["list", "--config", "sftp.yaml", "--json"], { cwd: dir, env: {} });
    expect(missing.code).toBe(2);
    expect(JSON.parse(missing.stderr)).toMatchObject({ error: { reason: "INVALID_CONFIG", fields: ["auth.passwordEnv"] } });
    expect(missing.stderr).toContain("the environment variable MY_SFTP_PW is not set");
  });
});

describe("after an interrupt", () => {
  const lines = (signal: AbortSignal, log: (logger: ReturnType<typeof stderrLogger>) => void) => {
    const captured = captureIo();
    const out = new Output({ stdout: captured.io.stdout, stderr: captured.io.stderr, json: false, progress: false, signal });
    log(stderrLogger(out, true, signal));
    return captured.stderr();
  };
  const chatter = (logger: ReturnType<typeof stderrLogger>) => {
    logger.warn("create failed (CONNECTION_LOST: the connection was closed); retry 1 of 1 in 1000 ms");
    logger.warn("writing inbox/a.bin failed at byte 5 (CONNECTION_LOST); resuming on a new session (retry 1 of 1)", { reason: "CONNECTION_LOST" });
    logger.info("reconnecting to 127.0.0.1:22");
    logger.warn("create: removing the temporary file /in/.a.bin.x.sftp-tmp failed: gone; it will be removed once the connection is re-established");
    logger.error("listen /in: the host key changed", { reason: "HOST_KEY_MISMATCH" });
    logger.warn("known_hosts: line 3 is malformed");
  };

  it("the CLI's logger drops retry, resume and reconnect lines, keeps a temporary file left behind (without the promise) and real errors", () => {
    const controller = new AbortController();
    controller.abort();
    expect(lines(controller.signal, chatter).split("\n").filter(Boolean)).toEqual([
      "warning: create: removing the temporary file /in/.a.bin.x.sftp-tmp failed: gone; remove it with 'sftp-connector clean'",
      "warning: listen /in: the host key changed [HOST_KEY_MISMATCH]",
      "warning: known_hosts: line 3 is malformed",
    ]);
    expect(afterInterrupt("get failed (TIMEOUT: x); retry 2 of 3 in 2000 ms")).toBeUndefined();
  });

  it("before the abort every line prints", () => {
    const text = lines(new AbortController().signal, chatter);
    expect(text).toContain("retry 1 of 1 in 1000 ms");
    expect(text).toContain("resuming on a new session (retry 1 of 1) [CONNECTION_LOST]");
    expect(text).toContain("info: reconnecting");
    expect(text).toContain("it will be removed once the connection is re-established");
  });

  it("an operation stopped by the stop hook exits 130 for SIGINT and 143 for SIGTERM, with one line 'interrupted' and nothing else", async () => {
    const [port] = await freePorts(1);
    const dir = mkdtempSync(join(tmpdir(), "cli-interrupt-"));
    writeFileSync(join(dir, "a.txt"), "abc");
    const argv = ["create", ...conn, "--port", String(port), "a.txt", "--name", "a.txt"];
    for (const [signal, code] of [
      ["SIGINT", 130],
      ["SIGTERM", 143],
    ] as const) {
      const captured = captureIo({ env, cwd: dir });
      captured.stop(signal);
      expect(await main(argv, captured.io)).toBe(code);
      expect(captured.stderr()).toBe("interrupted\n");
      expect(captured.stdout()).toBe("");
    }
    // Every command that hands the signal to its operations: already stopped, none connects (the port is closed either way), one line.
    for (const other of [
      ["get", "a.txt", "-o", "-"],
      ["upsert", "a.txt"],
      ["delete", "a.txt", "b.txt"],
      ["list"],
      ["query", "-o", "-"],
      ["clean", "--older-than", "1h"],
    ]) {
      const captured = captureIo({ env, cwd: dir });
      captured.stop("SIGTERM");
      expect(await main([other[0]!, ...conn, "--port", String(port), ...other.slice(1)], captured.io)).toBe(143);
      expect(captured.stderr()).toBe("interrupted\n");
    }
    const json = captureIo({ env, cwd: dir });
    json.stop("SIGTERM");
    expect(await main([...argv, "--json"], json.io)).toBe(EXIT.terminated);
    const lines = json.stderr().trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ error: { reason: "ABORTED" } });
  });

  it("a command not handed the signal (test) is interrupted by closing its connection: the exit code still names the signal", async () => {
    const [port] = await freePorts(1);
    const captured = captureIo({ env });
    captured.stop("SIGTERM");
    expect(await main(["test", ...conn, "--port", String(port)], captured.io)).toBe(143);
    expect(captured.stderr()).toBe("interrupted\n");
  });
});
