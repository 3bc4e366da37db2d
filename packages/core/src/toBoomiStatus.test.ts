// toBoomiStatus: every reason mapped, Boomi's connect-time texts, op result shapes, no secrets in messages.
import { describe, expect, it } from "vitest";
import { ERROR_REASONS, SftpConnectorError, type ErrorReason } from "./SftpConnectorError.js";
import { BOOMI_STATUS_MESSAGES, toBoomiStatus, type BoomiStatusResult } from "./toBoomiStatus.js";
import { notADirectory, remoteDirectoryNotFound, remoteDirectoryProblemOf } from "./remoteDirectoryNotFound.js";
import { validateConfig } from "./validateConfig.js";
import { fromBoomiProperties } from "./fromBoomiProperties.js";

const SECRET = "s3cr3t-Pa55";

/** A typical error of each reason, as the packages raise it; a new reason without an entry fails the type check and the test below. */
const SAMPLES: Record<ErrorReason, { error: SftpConnectorError; expected: BoomiStatusResult; operation?: string }> = {
  INVALID_CONFIG: {
    error: new SftpConnectorError("INVALID_CONFIG", "Invalid connection config:\n  - port: expected an integer from 1 to 65535, got 0", {
      operation: "validateConfig",
      problems: ["port: expected an integer from 1 to 65535, got 0"],
    }),
    expected: { status: "FAILURE", statusCode: "-1", message: "Invalid connection config:\n  - port: expected an integer from 1 to 65535, got 0" },
  },
  INVALID_INPUT: {
    error: new SftpConnectorError("INVALID_INPUT", 'fileName: "/etc/passwd" is absolute; set allowAbsolutePaths: true to allow it', { operation: "get" }),
    expected: { status: "FAILURE", statusCode: "-1", message: 'fileName: "/etc/passwd" is absolute; set allowAbsolutePaths: true to allow it' },
  },
  AUTH_FAILED: {
    error: new SftpConnectorError(
      "AUTH_FAILED",
      "authentication failed for user tester at 127.0.0.1:2222 (tried: password; the server accepts: publickey,password)",
      {
        operation: "connect",
      },
    ),
    expected: { status: "FAILURE", statusCode: "-1", message: BOOMI_STATUS_MESSAGES.loginFailed },
  },
  HOST_KEY_MISMATCH: {
    error: new SftpConnectorError("HOST_KEY_MISMATCH", "host key verification failed for 127.0.0.1:2222: the server's key matches no pinned key in hostKey", {
      operation: "connect",
    }),
    expected: {
      status: "FAILURE",
      statusCode: "-1",
      message: "Unable to get Session. Cause: host key verification failed for 127.0.0.1:2222: the server's key matches no pinned key in hostKey",
    },
  },
  HOST_UNREACHABLE: {
    error: new SftpConnectorError("HOST_UNREACHABLE", "connect failed: connection refused by 127.0.0.1:1 (ECONNREFUSED …)", {
      operation: "connect",
      cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" }),
    }),
    expected: { status: "FAILURE", statusCode: "-1", message: BOOMI_STATUS_MESSAGES.connectionRefused },
  },
  PROXY_FAILED: {
    error: new SftpConnectorError("PROXY_FAILED", "connect failed via the proxy socks5://127.0.0.1:1080 to 127.0.0.1:22: Socks5 proxy rejected connection", {
      operation: "connect",
    }),
    expected: {
      status: "FAILURE",
      statusCode: "-1",
      message: "Unable to get Session. Cause: connect failed via the proxy socks5://127.0.0.1:1080 to 127.0.0.1:22: Socks5 proxy rejected connection",
    },
  },
  TIMEOUT: {
    error: new SftpConnectorError("TIMEOUT", "no answer from 127.0.0.1:2222 within 1000 ms (timeouts.readMs) to read /home/u/a.txt", { operation: "read" }),
    expected: { status: "FAILURE", statusCode: "-1", message: "no answer from 127.0.0.1:2222 within 1000 ms (timeouts.readMs) to read /home/u/a.txt" },
  },
  CONNECTION_LOST: {
    error: new SftpConnectorError("CONNECTION_LOST", "read failed: the connection to 127.0.0.1:2222 was lost (ECONNRESET)", { operation: "read" }),
    expected: {
      status: "FAILURE",
      statusCode: "-1",
      message: "Lost Connectivity During Operation. Cause: read failed: the connection to 127.0.0.1:2222 was lost (ECONNRESET)",
    },
  },
  NO_SUCH_FILE: {
    error: new SftpConnectorError("NO_SUCH_FILE", "File Not Found: '/home/u/a.txt'", { operation: "delete", path: "/home/u/a.txt" }),
    expected: { status: "APPLICATION_ERROR", statusCode: "1", message: "File Not Found: '/home/u/a.txt'" },
  },
  ALREADY_EXISTS: {
    error: new SftpConnectorError("ALREADY_EXISTS", "the 'a.txt' file already exists in the remote directory on the SFTP server.", { operation: "create" }),
    expected: { status: "APPLICATION_ERROR", statusCode: "-1", message: "the 'a.txt' file already exists in the remote directory on the SFTP server." },
  },
  PERMISSION_DENIED: {
    error: new SftpConnectorError("PERMISSION_DENIED", "An error occurred while removing the file at path '/ro/a' Cause: permission denied", {
      operation: "delete",
    }),
    expected: { status: "APPLICATION_ERROR", statusCode: "-1", message: "An error occurred while removing the file at path '/ro/a' Cause: permission denied" },
  },
  FAILURE: {
    error: new SftpConnectorError("FAILURE", "Could not rename path '/a.tmp' to '/a' Cause: the server reported a failure", {
      operation: "create",
      cause: Object.assign(new Error("Failure"), { code: 4 }),
    }),
    expected: { status: "APPLICATION_ERROR", statusCode: "-1", message: "Could not rename path '/a.tmp' to '/a' Cause: the server reported a failure" },
  },
  ABORTED: {
    error: new SftpConnectorError("ABORTED", "create of /home/u/a.txt aborted", { operation: "create", path: "/home/u/a.txt" }),
    expected: { status: "FAILURE", statusCode: "-1", message: "create of /home/u/a.txt aborted" },
  },
  LOCK_LOST: {
    error: new SftpConnectorError("LOCK_LOST", "The store refused the snapshot of inbox: fencing token 41 is stale", { operation: "poll.store" }),
    expected: { status: "FAILURE", statusCode: "-1", message: "The store refused the snapshot of inbox: fencing token 41 is stale" },
  },
};

describe("toBoomiStatus", () => {
  describe.each([...ERROR_REASONS])("reason %s", (reason) => {
    it("has a mapping, and its sample maps to the expected status, code and message", () => {
      const sample = SAMPLES[reason];
      expect(sample, `no sample for ${reason}: add one and decide its Boomi status`).toBeDefined();
      expect(sample.error.reason).toBe(reason);
      expect(toBoomiStatus(sample.error, sample.operation ? { operation: sample.operation } : {})).toEqual(sample.expected);
    });

    it("gives a status, a code and a non-empty message however bare the error", () => {
      const outcome = toBoomiStatus(new SftpConnectorError(reason, "bare"));
      expect(["APPLICATION_ERROR", "FAILURE"]).toContain(outcome.status);
      expect(["1", "-1", "400"]).toContain(outcome.statusCode);
      expect(outcome.message.length).toBeGreaterThan(0);
    });
  });

  describe("successes", () => {
    it("GET's empty result (not found) and DELETE's not-found result are successes with code 0", () => {
      expect(toBoomiStatus(undefined)).toEqual({ status: "SUCCESS", statusCode: "0", message: "Success" });
      expect(toBoomiStatus({ fileName: "a", path: "/h/a", deleted: false, reason: "NO_SUCH_FILE" })).toEqual({
        status: "SUCCESS",
        statusCode: "0",
        message: "Success",
      });
      expect(toBoomiStatus({ fileName: "a", path: "/h/a", deleted: true })).toEqual({ status: "SUCCESS", statusCode: "0", message: "Success" });
      expect(toBoomiStatus([{ fileName: "a", path: "/h/a", deleted: true }])).toMatchObject({ status: "SUCCESS", statusCode: "0" });
    });

    it("CREATE and UPSERT results: Created the file successfully", () => {
      const result = { response: { fileName: "a.txt", remoteDirectory: "/h" }, message: "Created the file successfully", path: "/h/a.txt", bytesWritten: 1 };
      expect(toBoomiStatus(result)).toEqual({ status: "SUCCESS", statusCode: "0", message: BOOMI_STATUS_MESSAGES.fileCreated });
    });

    it("a GET/QUERY/LISTEN document and a LIST entry: Success", () => {
      expect(toBoomiStatus({ content: Buffer.from("x"), properties: { fileName: "a", remoteDirectory: "/h" } })).toMatchObject({
        status: "SUCCESS",
        message: "Success",
      });
      expect(toBoomiStatus({ fileName: "a", directory: "/h", modifiedDate: "2024-01-01T00:00:00Z", fileSize: 1, isDirectory: false })).toMatchObject({
        status: "SUCCESS",
        statusCode: "0",
      });
      expect(toBoomiStatus({ event: "removed", properties: { fileName: "a" }, attempt: 1 })).toMatchObject({ status: "SUCCESS" });
    });

    it("an item carrying an error (QUERY error item, failed DELETE result) maps its error", () => {
      const error = new SftpConnectorError("PERMISSION_DENIED", "Error fetching file from /h/a", { operation: "query" });
      expect(toBoomiStatus({ error, properties: { fileName: "a" } })).toEqual({ status: "APPLICATION_ERROR", statusCode: "-1", message: error.message });
      expect(toBoomiStatus([{ deleted: true }, { deleted: false, reason: "PERMISSION_DENIED", error }])).toMatchObject({ status: "APPLICATION_ERROR" });
    });
  });

  describe("codes", () => {
    it("a missing remote directory (or one that is a file) is APPLICATION_ERROR -1, and 400 for GET", () => {
      for (const error of [remoteDirectoryNotFound("/d", "list"), notADirectory("/d", "upsert")]) {
        expect(toBoomiStatus(error)).toEqual({ status: "APPLICATION_ERROR", statusCode: "-1", message: error.message });
      }
      expect(toBoomiStatus(remoteDirectoryNotFound("/d", "get"))).toEqual({
        status: "APPLICATION_ERROR",
        statusCode: "400",
        message: "Remote directory does not exist: '/d'",
      });
      expect(remoteDirectoryProblemOf(notADirectory("/d", "get"))).toBe("notADirectory");
      // Wrapped (a DELETE or QUERY error with the directory error as its cause) still counts.
      const wrapped = new SftpConnectorError("NO_SUCH_FILE", "Remote directory does not exist: '/d' (0 of 2 IDs were processed before it)", {
        operation: "delete",
        cause: remoteDirectoryNotFound("/d", "delete"),
      });
      expect(toBoomiStatus(wrapped).statusCode).toBe("-1");
    });

    it("GET: File Not Found (failIfNotFound) is 1, other SFTP-level errors 400, a failed delete-after -1", () => {
      const notFound = new SftpConnectorError("NO_SUCH_FILE", "File Not Found: /h/a", { operation: "get" });
      expect(toBoomiStatus(notFound)).toMatchObject({ status: "APPLICATION_ERROR", statusCode: "1" });
      const denied = new SftpConnectorError("PERMISSION_DENIED", 'open failed for "/h/a": permission denied', { operation: "open" });
      expect(toBoomiStatus(denied, { operation: "get" })).toMatchObject({ status: "APPLICATION_ERROR", statusCode: "400" });
      expect(toBoomiStatus(denied)).toMatchObject({ status: "APPLICATION_ERROR", statusCode: "-1" });
      const afterRead = Object.assign(new SftpConnectorError("PERMISSION_DENIED", "Unable to delete the file /h/a: permission denied", { operation: "get" }), {
        name: "AfterReadError",
      });
      expect(toBoomiStatus(afterRead)).toEqual({ status: "APPLICATION_ERROR", statusCode: "-1", message: "Unable to delete the file /h/a: permission denied" });
    });

    it("FAILURE is APPLICATION_ERROR only when the SFTP server reported it; otherwise FAILURE", () => {
      expect(toBoomiStatus(new SftpConnectorError("FAILURE", "something broke", { operation: "create" }))).toMatchObject({
        status: "FAILURE",
        statusCode: "-1",
      });
      const handshake = new SftpConnectorError("FAILURE", "connect failed: 127.0.0.1:22 and this client share no algorithm", { operation: "connect" });
      expect(toBoomiStatus(handshake)).toEqual({
        status: "FAILURE",
        statusCode: "-1",
        message: "Unable to get Session. Cause: connect failed: 127.0.0.1:22 and this client share no algorithm",
      });
    });

    it("a handshake with no algorithm in common (INVALID_CONFIG from the connection, as transport reports it) is Boomi's Unable to get Session", () => {
      const message =
        'connect failed: 127.0.0.1:22 and this client share no cipher: the server offers only legacy ciphers (aes128-cbc); set algorithms: "legacy"';
      const handshake = new SftpConnectorError("INVALID_CONFIG", message, { operation: "connect" });
      expect(toBoomiStatus(handshake)).toEqual({ status: "FAILURE", statusCode: "-1", message: `Unable to get Session. Cause: ${message}` });
      // A config problem found before connecting keeps its own message (it names the field).
      const field = new SftpConnectorError("INVALID_CONFIG", "port: expected an integer 1-65535, got 0", {
        operation: "connect",
        problems: ["port: expected an integer 1-65535, got 0"],
      });
      expect(toBoomiStatus(field).message).toBe("port: expected an integer 1-65535, got 0");
    });

    it("CREATE's blank file name is an APPLICATION_ERROR (Boomi's SFTPSdkException); elsewhere bad input is FAILURE", () => {
      const message =
        "fileName: the 'File Name' input document property is required, and must contain a non-blank value. This property contains the name of the file to upload.";
      expect(toBoomiStatus(new SftpConnectorError("INVALID_INPUT", message, { operation: "create" }))).toMatchObject({
        status: "APPLICATION_ERROR",
        statusCode: "-1",
      });
      expect(toBoomiStatus(new SftpConnectorError("INVALID_INPUT", message, { operation: "upsert" }))).toMatchObject({ status: "FAILURE", statusCode: "-1" });
    });

    it("anything else thrown is FAILURE -1 with its message", () => {
      expect(toBoomiStatus(new TypeError("boom"))).toEqual({ status: "FAILURE", statusCode: "-1", message: "boom" });
    });
  });

  describe("connect-time texts (Boomi's SFTPClient.getSession)", () => {
    const refused = (code: string) =>
      new SftpConnectorError("HOST_UNREACHABLE", "connect failed", { operation: "connect", cause: Object.assign(new Error(code), { code }) });

    it("Unknown Host, Connection Refused, and Unable to get Session for other unreachable hosts", () => {
      expect(toBoomiStatus(refused("ENOTFOUND")).message).toBe("SFTP connection to host failed. Cause: Unknown Host.");
      expect(toBoomiStatus(refused("EAI_AGAIN")).message).toBe("SFTP connection to host failed. Cause: Unknown Host.");
      expect(toBoomiStatus(refused("ECONNREFUSED")).message).toBe(
        "An error occurred while connecting to the host with entered port. Cause: Connection Refused.",
      );
      expect(toBoomiStatus(refused("EHOSTUNREACH")).message).toBe("Unable to get Session. Cause: connect failed");
    });

    it("login failures: password → Incorrect user credentials; key only → Incorrect key file password or hostname", () => {
      const failed = (tried: string) =>
        new SftpConnectorError("AUTH_FAILED", `authentication failed for user u at h:22 (tried: ${tried})`, { operation: "connect" });
      expect(toBoomiStatus(failed("password")).message).toBe(BOOMI_STATUS_MESSAGES.loginFailed);
      expect(toBoomiStatus(failed("publickey, password")).message).toBe(BOOMI_STATUS_MESSAGES.loginFailed);
      expect(toBoomiStatus(failed("publickey")).message).toBe("SFTP login failed Cause: access denied. Caused by: Incorrect key file password or hostname.");
      expect(toBoomiStatus(failed("nothing the server accepts")).message).toBe(BOOMI_STATUS_MESSAGES.loginFailed);
      expect(toBoomiStatus(failed("publickey (ssh-ed25519 key content); the server accepts: publickey, password")).message).toBe(
        BOOMI_STATUS_MESSAGES.keyLoginFailed,
      );
      expect(toBoomiStatus(failed("publickey (ssh-rsa key file /k/id), agent (SSH_AUTH_SOCK)")).message).toBe(BOOMI_STATUS_MESSAGES.keyLoginFailed);
      expect(toBoomiStatus(failed("publickey (ssh-rsa key file /k/id), password; the server accepts: password")).message).toBe(
        BOOMI_STATUS_MESSAGES.loginFailed,
      );
    });

    it("blank fields, in Boomi's order, from validateConfig and fromBoomiProperties", () => {
      const blank = (config: unknown) => {
        try {
          validateConfig(config as never);
        } catch (error) {
          return toBoomiStatus(error).message;
        }
        throw new Error("expected a config error");
      };
      const anyKey = { insecureAcceptAny: true };
      expect(blank({ host: "", username: "", auth: { type: "password", password: "" }, hostKey: anyKey })).toBe("The field 'Host' is blank.");
      expect(blank({ host: "h", username: "", auth: { type: "password", password: "" }, hostKey: anyKey })).toBe("The field 'User Name' is blank.");
      expect(blank({ host: "h", username: "u", auth: { type: "password", password: "" }, hostKey: anyKey })).toBe("The field 'Password' is blank.");
      expect(blank({ host: "h", username: "u", auth: { type: "privateKey", content: "" }, hostKey: anyKey })).toBe("The field 'Private Key Content' is blank.");
      expect(blank({ host: "h", username: "u", auth: { type: "privateKey", path: "" }, hostKey: anyKey })).toBe(
        "The field 'Client SSH Key File Path' is blank.",
      );

      const boomi = (props: Record<string, unknown>) => {
        try {
          fromBoomiProperties(props, { insecureAcceptAnyHostKey: true } as never);
        } catch (error) {
          return toBoomiStatus(error);
        }
        throw new Error("expected a config error");
      };
      expect(boomi({ host: "", username: "u", password: SECRET })).toEqual({ status: "FAILURE", statusCode: "-1", message: "The field 'Host' is blank." });
      expect(boomi({ host: "h", username: "u", password: "" }).message).toBe("The field 'Password' is blank.");
    });

    it("key problems: unreadable file, unparsable key, wrong passphrase", () => {
      const auth = (message: string) => new SftpConnectorError("INVALID_CONFIG", message, { operation: "auth", problems: [message] });
      expect(toBoomiStatus(auth("auth.path: cannot read the private key file /k/id_rsa (no such file)")).message).toBe(
        "The entered directory for the field 'Client SSH Key File Path' is invalid.",
      );
      expect(toBoomiStatus(auth("auth.content: the private key content is not a private key ssh2 can parse (bad data); expected …")).message).toBe(
        "An error occurred while creating a session. Cause: Invalid Private Key.",
      );
      expect(toBoomiStatus(auth("auth.passphrase: the private key content could not be decrypted with the given passphrase")).message).toBe(
        BOOMI_STATUS_MESSAGES.keyLoginFailed,
      );
      expect(toBoomiStatus(auth("auth.socket: no SSH agent socket at /tmp/x (no such file)"))).toEqual({
        status: "FAILURE",
        statusCode: "-1",
        message: "auth.socket: no SSH agent socket at /tmp/x (no such file)",
      });
    });
  });

  it("never puts a secret in a message", () => {
    const config = { host: "h", username: "u", auth: { type: "password", password: SECRET }, port: 0, hostKey: { insecureAcceptAny: true } };
    try {
      validateConfig(config as never);
      throw new Error("expected a config error");
    } catch (error) {
      expect(toBoomiStatus(error).message).not.toContain(SECRET);
    }
    for (const reason of ERROR_REASONS) expect(JSON.stringify(toBoomiStatus(SAMPLES[reason].error))).not.toContain(SECRET);
  });
});
