// toBoomiStatus against the testbed: real connect-time failures and operation outcomes mapped to Boomi's status, code and text.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePorts, startTestbed, type Testbed } from "@sftp-connector/testkit";
import { createSftpConnector, toBoomiStatus, type BoomiStatusResult, type ConnectorConfig } from "./index.js";

let testbed: Testbed;
let config: ConnectorConfig;

beforeAll(async () => {
  testbed = await startTestbed();
  await testbed.exec(
    "mkdir -p /home/tester/status && printf x > /home/tester/status/exists.txt && mkdir -p /home/tester/status/ro && printf r > /home/tester/status/ro/locked.txt",
    {
      user: "tester",
    },
  );
  await testbed.exec("chmod 555 /home/tester/status/ro", { user: "tester" });
  config = testbed.connectionConfig({ hostKey: "fingerprint", extra: { remoteDirectory: "status", retry: { attempts: 0 } } });
});
afterAll(async () => {
  await testbed?.stop();
});

/** The Boomi status of what `run` does with a connector for `cfg`: its result, or its error. */
async function statusOf(
  cfg: ConnectorConfig,
  run: (sftp: ReturnType<typeof createSftpConnector>) => Promise<unknown>,
  operation?: string,
): Promise<BoomiStatusResult> {
  let sftp: ReturnType<typeof createSftpConnector>;
  try {
    sftp = createSftpConnector(cfg);
  } catch (error) {
    return toBoomiStatus(error);
  }
  try {
    return toBoomiStatus(await run(sftp), operation ? { operation } : {});
  } catch (error) {
    return toBoomiStatus(error, operation ? { operation } : {});
  } finally {
    await sftp.close();
  }
}

const failure = (message: string): BoomiStatusResult => ({ status: "FAILURE", statusCode: "-1", message });

describe("toBoomiStatus on real connect-time errors", () => {
  it("a wrong password: SFTP login failed … Incorrect user credentials.", async () => {
    const wrong = { ...(config as object), auth: { type: "password", password: "not-the-password" } } as ConnectorConfig;
    const outcome = await statusOf(wrong, (sftp) => sftp.get({ fileName: "exists.txt" }), "get");
    expect(outcome).toEqual(failure("SFTP login failed Cause: access denied, Incorrect user credentials."));
    expect(outcome.message).not.toContain("not-the-password");
  });

  it("a key the server does not accept, and a wrong key passphrase: … Incorrect key file password or hostname.", async () => {
    const refused = testbed.connectionConfig({ key: "unauthorized", hostKey: "fingerprint", extra: { retry: { attempts: 0 } } });
    expect(await statusOf(refused, (sftp) => sftp.get({ fileName: "x" }))).toEqual(
      failure("SFTP login failed Cause: access denied. Caused by: Incorrect key file password or hostname."),
    );
    const encrypted = testbed.connectionConfig({ key: "rsaPemEncrypted", hostKey: "fingerprint", extra: { retry: { attempts: 0 } } });
    const badPassphrase = { ...encrypted, auth: { ...encrypted.auth, passphrase: "wrong-passphrase" } } as ConnectorConfig;
    const outcome = await statusOf(badPassphrase, (sftp) => sftp.get({ fileName: "x" }));
    expect(outcome).toEqual(failure("SFTP login failed Cause: access denied. Caused by: Incorrect key file password or hostname."));
    expect(outcome.message).not.toContain("wrong-passphrase");
  });

  it("key content that is not a key: Invalid Private Key", async () => {
    const key = testbed.connectionConfig({ key: "ed25519", hostKey: "fingerprint" });
    const garbage = {
      ...key,
      auth: { type: "privateKey", content: "-----BEGIN OPENSSH PRIVATE KEY-----\nnot a key\n-----END OPENSSH PRIVATE KEY-----" },
    } as ConnectorConfig;
    expect(await statusOf(garbage, (sftp) => sftp.get({ fileName: "x" }))).toEqual(
      failure("An error occurred while creating a session. Cause: Invalid Private Key."),
    );
  });

  it("a closed port on 127.0.0.1: Connection Refused", async () => {
    const [closed] = await freePorts(1);
    const cfg = { ...(config as object), port: closed } as ConnectorConfig;
    expect(await statusOf(cfg, (sftp) => sftp.testConnection())).toEqual(
      failure("An error occurred while connecting to the host with entered port. Cause: Connection Refused."),
    );
  });

  it("a host name the resolver refuses locally (a 64-character label, no query is sent): Unknown Host", async () => {
    // glibc will not build a DNS query with a label over 63 characters, so getaddrinfo fails (ENOTFOUND) without any traffic.
    const cfg = { ...(config as object), host: `${"x".repeat(64)}.invalid` } as ConnectorConfig;
    expect(await statusOf(cfg, (sftp) => sftp.testConnection())).toEqual(failure("SFTP connection to host failed. Cause: Unknown Host."));
  });

  it("blank fields of a Boomi connection: The field 'Host' is blank. / 'User Name' / 'Password'", async () => {
    const boomi = (props: Record<string, unknown>): ConnectorConfig =>
      ({ boomi: { port: testbed.port, ...props }, options: { insecureAcceptAnyHostKey: true } }) as ConnectorConfig;
    expect(await statusOf(boomi({ host: "", username: "tester", password: "x" }), (sftp) => sftp.testConnection())).toEqual(
      failure("The field 'Host' is blank."),
    );
    expect(await statusOf(boomi({ host: "127.0.0.1", username: "", password: "x" }), (sftp) => sftp.testConnection())).toEqual(
      failure("The field 'User Name' is blank."),
    );
    expect(await statusOf(boomi({ host: "127.0.0.1", username: "tester", password: "" }), (sftp) => sftp.testConnection())).toEqual(
      failure("The field 'Password' is blank."),
    );
    expect(
      await statusOf(boomi({ host: "127.0.0.1", username: "keyuser", authType: "Using public Key", useKeyContent: true, prvkeyContent: "" }), (sftp) =>
        sftp.testConnection(),
      ),
    ).toEqual(failure("The field 'Private Key Content' is blank."));
    expect(
      await statusOf(boomi({ host: "127.0.0.1", username: "keyuser", authType: "Using public Key", keyPath: "" }), (sftp) => sftp.testConnection()),
    ).toEqual(failure("The field 'Client SSH Key File Path' is blank."));
  });
});

describe("toBoomiStatus on real operation outcomes", () => {
  it("successes: CREATE's message, GET's document and empty result, DELETE of a missing file", async () => {
    expect(await statusOf(config, (sftp) => sftp.create({ fileName: "made.txt", content: "m" }))).toEqual({
      status: "SUCCESS",
      statusCode: "0",
      message: "Created the file successfully",
    });
    expect(await statusOf(config, (sftp) => sftp.get({ fileName: "exists.txt" }, { as: "buffer" }))).toEqual({
      status: "SUCCESS",
      statusCode: "0",
      message: "Success",
    });
    expect(await statusOf(config, (sftp) => sftp.get({ fileName: "missing.txt" }))).toEqual({ status: "SUCCESS", statusCode: "0", message: "Success" });
    expect(await statusOf(config, (sftp) => sftp.delete({ ids: ["missing.txt"] }))).toEqual({ status: "SUCCESS", statusCode: "0", message: "Success" });
  });

  it("SFTP-level errors are APPLICATION_ERROR: file not found 1, GET's remote directory 400, exists and permission -1", async () => {
    expect(await statusOf(config, (sftp) => sftp.get({ fileName: "missing.txt" }, { failIfNotFound: true }), "get")).toEqual({
      status: "APPLICATION_ERROR",
      statusCode: "1",
      message: "File Not Found: '/home/tester/status/missing.txt'",
    });
    expect(await statusOf(config, (sftp) => sftp.get({ fileName: "a.txt", remoteDirectory: "no-such-dir" }), "get")).toEqual({
      status: "APPLICATION_ERROR",
      statusCode: "400",
      message: "Remote directory does not exist: '/home/tester/no-such-dir'",
    });
    expect(
      await statusOf(config, (sftp) => sftp.upsert({ fileName: "a.txt", content: "a", remoteDirectory: "no-such-dir" }) as Promise<unknown>, "upsert"),
    ).toEqual({
      status: "APPLICATION_ERROR",
      statusCode: "-1",
      message: "Remote directory does not exist: '/home/tester/no-such-dir'",
    });
    const exists = await statusOf(config, (sftp) => sftp.create({ fileName: "exists.txt", content: "again" }), "create");
    expect(exists).toMatchObject({ status: "APPLICATION_ERROR", statusCode: "-1" });
    expect(exists.message).toContain("the 'exists.txt' file already exists in the remote directory on the SFTP server.");
    const denied = await statusOf(config, (sftp) => sftp.delete({ ids: ["ro/locked.txt"] }), "delete");
    expect(denied).toMatchObject({ status: "APPLICATION_ERROR", statusCode: "-1" });
    expect(denied.message).toMatch(/^An error occurred while removing the file at path '\/home\/tester\/status\/ro\/locked.txt'/);
  });

  it("refused input is FAILURE -1 and names the option that allows it", async () => {
    const outcome = await statusOf(config, (sftp) => sftp.get({ fileName: "/etc/passwd" }), "get");
    expect(outcome.status).toBe("FAILURE");
    expect(outcome.statusCode).toBe("-1");
    expect(outcome.message).toContain("allowAbsolutePaths: true");
  });
});
