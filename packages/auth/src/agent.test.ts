// Tests agent: the socket from options or SSH_AUTH_SOCK (read at prepare time), and the INVALID_CONFIG errors when there is none.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createServer, type Server } from "node:net";
import { mkdtempSync } from "node:fs";
import { rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isSftpConnectorError } from "@sftp-connector/core";
import { agent } from "./agent.js";

const dir = mkdtempSync(join(tmpdir(), "auth-agent-"));
const socket = join(dir, "agent.sock");
let server: Server;
const savedSock = process.env.SSH_AUTH_SOCK;

beforeAll(async () => {
  server = createServer();
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  await writeFile(join(dir, "plain-file"), "");
});
afterEach(() => {
  if (savedSock === undefined) delete process.env.SSH_AUTH_SOCK;
  else process.env.SSH_AUTH_SOCK = savedSock;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

describe("agent", () => {
  it("uses the given socket", async () => {
    delete process.env.SSH_AUTH_SOCK;
    const strategy = agent({ socket });
    expect(strategy.method).toBe("agent");
    expect(strategy.description).toBe(`agent (${socket})`);
    expect(await strategy.prepare("u")).toEqual([{ type: "agent", username: "u", agent: socket }]);
  });

  it("reads SSH_AUTH_SOCK when prepare runs, not when it is made", async () => {
    delete process.env.SSH_AUTH_SOCK;
    const strategy = agent();
    expect(strategy.description).toBe("agent (SSH_AUTH_SOCK)");
    process.env.SSH_AUTH_SOCK = socket;
    expect(await strategy.prepare("u")).toEqual([{ type: "agent", username: "u", agent: socket }]);
  });

  it("prefers the given socket over SSH_AUTH_SOCK", async () => {
    process.env.SSH_AUTH_SOCK = join(dir, "elsewhere");
    expect(await agent({ socket }).prepare("u")).toEqual([{ type: "agent", username: "u", agent: socket }]);
  });

  it("passes pageant and Windows named pipes through unchecked", async () => {
    for (const name of ["pageant", "\\\\.\\pipe\\openssh-ssh-agent"]) {
      expect(await agent({ socket: name }).prepare("u")).toEqual([{ type: "agent", username: "u", agent: name }]);
    }
  });

  it.each([
    [
      "neither a socket nor SSH_AUTH_SOCK",
      () => ({ env: undefined, options: {} }),
      'auth.socket: no SSH agent to use: auth.socket is not given and SSH_AUTH_SOCK is not set; start one (eval "$(ssh-agent)" && ssh-add) or give auth.socket',
    ],
    [
      "a blank SSH_AUTH_SOCK",
      () => ({ env: "", options: {} }),
      'auth.socket: no SSH agent to use: auth.socket is not given and SSH_AUTH_SOCK is not set; start one (eval "$(ssh-agent)" && ssh-add) or give auth.socket',
    ],
    [
      "SSH_AUTH_SOCK naming nothing",
      () => ({ env: join(dir, "gone"), options: {} }),
      `auth.socket: no SSH agent socket at '${join(dir, "gone")}' (from SSH_AUTH_SOCK) (no such file)`,
    ],
    [
      "a socket path naming nothing",
      () => ({ env: undefined, options: { socket: join(dir, "gone") } }),
      `auth.socket: no SSH agent socket at '${join(dir, "gone")}' (no such file)`,
    ],
    ["a plain file", () => ({ env: undefined, options: { socket: join(dir, "plain-file") } }), `auth.socket: '${join(dir, "plain-file")}' is not a socket`],
    ["a blank socket option", () => ({ env: socket, options: { socket: " " } }), "auth.socket: expected the agent socket path, got a blank string"],
    ["a field prefix", () => ({ env: undefined, options: { field: "auth[3]" } }), /^auth\[3\]\.socket: no SSH agent to use: auth\[3\]\.socket is not given/],
  ])("refuses %s", async (_name, setup, expected) => {
    const { env, options } = setup();
    if (env === undefined) delete process.env.SSH_AUTH_SOCK;
    else process.env.SSH_AUTH_SOCK = env;
    const error = await agent(options)
      .prepare("u")
      .catch((e: unknown) => e);
    if (!isSftpConnectorError(error)) throw new Error("expected an SftpConnectorError");
    expect(error.reason).toBe("INVALID_CONFIG");
    expect(error.operation).toBe("auth");
    if (typeof expected === "string") expect(error.message).toBe(expected);
    else expect(error.message).toMatch(expected);
  });
});
