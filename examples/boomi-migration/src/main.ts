// A Boomi SFTP V2 process, moved as it is: the connection's and each operation's stored properties drive every operation, and each outcome reads as Boomi's status.
import { startTestbed } from "@sftp-connector/testkit";
import { createSftpConnector, fromBoomiOperationProperties, toBoomiStatus, type BoomiOperation } from "sftp-connector";

const testbed = await startTestbed();
await testbed.exec("mkdir -p /home/tester/outbound/archive && echo 'old line' > /home/tester/outbound/archive/2025.log", { user: "tester" });

// What Boomi stores for an "SFTP V2" connection component (values as strings, as Boomi exports them).
const boomiConnection = {
  authType: "Username and Password",
  host: testbed.host,
  port: String(testbed.port),
  username: testbed.users.password.username,
  password: testbed.users.password.password,
  // Boomi accepts any host key when this is blank; sftp-connector refuses unless you opt in by name.
  hostEntry: testbed.hostKey.knownHostsLine,
  remoteDirectory: "outbound",
  enablePooling: "true",
  connectionTimeout: "120000",
  readTimeout: "120000",
  isMaxExchange: "false",
  proxyEnable: "false",
};

// What Boomi stores for each operation component (field ids and string values as in the component XML).
const boomiOperations = {
  CREATE: {
    actionIfFileExists: "FORCE_UNIQUE_NAMES",
    stagingDirectory: "",
    tempExtension: ".part",
    targetFileName: "",
    tempFileName: "",
    includeAllMetadata: "true",
  },
  UPSERT: { append: "true", createDir: "true", includeAll: "false" },
  GET: { deleteAfter: "false", failDeleteAfter: "false", includeAllMetadata: "false" },
  LIST: { count: "-1", recursiveList: "true" },
  QUERY: { count: "10", includeAllMetadata: "false", recursiveList: "false" },
  DELETE: {},
  LISTEN: { pollingInterval: "200", isSingleton: "false" },
} satisfies Record<BoomiOperation, Record<string, string>>;
const options = <Op extends BoomiOperation>(op: Op) => fromBoomiOperationProperties(op, boomiOperations[op]);

/** Prints one document's outcome as Boomi's process would see it (status, code, message). */
function report(op: string, outcome: ReturnType<typeof toBoomiStatus>, detail = ""): void {
  console.log(`${op.padEnd(7)} ${outcome.status} ${outcome.statusCode} ${outcome.message}${detail ? ` ${detail}` : ""}`);
}
/** Runs one document through an operation and reports its status; an error is a status too, as in Boomi. */
async function document<T>(op: string, run: () => Promise<T>, detail: (result: T) => string = () => ""): Promise<T | undefined> {
  try {
    const result = await run();
    report(op, toBoomiStatus(result), detail(result));
    return result;
  } catch (error) {
    report(op, toBoomiStatus(error, { operation: op.toLowerCase() }));
    return undefined;
  }
}

const sftp = createSftpConnector({ boomi: boomiConnection });
try {
  const test = await sftp.testConnection();
  console.log(`Test Connection: ${test.banner} (${test.hostKey.type} ${test.hostKey.fingerprint})`);

  // LISTEN starts first, on the connection's Remote Directory (Boomi's only source), polling every 200 ms;
  // stableAfter 0 polls delivers a file at first sight, as Boomi did (ours waits for it to stop changing by default).
  const events: string[] = [];
  const listener = await sftp.listen({ ...options("LISTEN"), stableAfter: { polls: 0 } }, (doc) => void events.push(`${doc.event} ${doc.properties.fileName}`));
  /** Waits (up to 20 s) until LISTEN has delivered each of `expected`. */
  const heard = async (expected: string[]) => {
    for (let i = 0; i < 200 && !expected.every((line) => events.includes(line)); i++) await new Promise((r) => setTimeout(r, 100));
    if (!expected.every((line) => events.includes(line))) throw new Error(`LISTEN did not deliver ${expected.join(", ")} (got: ${events.join(", ")})`);
  };
  // Wait for a poll cycle: the first one takes the baseline (files already there are not events, as in Boomi).
  await new Promise<void>((resolve) => listener.poller.on("cycle", () => resolve()));

  // CREATE: documents carry Boomi's document properties (fileName; remoteDirectory overrides the connection's).
  for (let i = 0; i < 3; i++) {
    await document(
      "CREATE",
      () => sftp.create({ fileName: "order.xml", content: `<order n="${i}"/>` }, options("CREATE")),
      (r) => JSON.stringify(r.response),
    );
  }
  await heard(["added order.xml", "added order1.xml", "added order2.xml"]);
  // UPSERT with "Append" and "Create directory if it doesn't exist" (Boomi's createDir), into a directory that is not there yet.
  await document(
    "UPSERT",
    () => sftp.upsert({ fileName: "audit.log", remoteDirectory: "outbound/logs", content: "line 1\n" }, options("UPSERT")),
    (r) => JSON.stringify(r.response),
  );
  await document(
    "UPSERT",
    () => sftp.upsert({ fileName: "audit.log", remoteDirectory: "outbound/logs", content: "line 2\n" }, options("UPSERT")),
    (r) => JSON.stringify(r.response),
  );

  // GET by object ID; a missing file is an empty success (Boomi's EmptySuccess), a missing remote directory Boomi's "400".
  await document(
    "GET",
    () => sftp.get({ fileName: "order1.xml" }, { ...options("GET"), as: "buffer" }),
    (d) => (d ? `${d.properties.fileName}: ${String(d.content)}` : "(no document)"),
  );
  await document(
    "GET",
    () => sftp.get({ fileName: "nothing-here.xml" }, options("GET")),
    (d) => (d ? d.properties.fileName : "(no document)"),
  );
  await document("GET", () => sftp.get({ fileName: "x.xml", remoteDirectory: "outbound/no-such-dir" }, options("GET")));

  // LIST with Boomi's "Recursive Listing of Directory": one level deeper, Boomi's output profile per entry.
  for await (const entry of sftp.list({}, options("LIST"))) {
    report(
      "LIST",
      toBoomiStatus(entry),
      JSON.stringify({ fileName: entry.fileName, directory: entry.directory, fileSize: entry.fileSize, isDirectory: entry.isDirectory }),
    );
  }
  // QUERY with a filter on the file name (Boomi's "Wildcard Match"); each document's content.
  const filter = { field: "fileName", operator: "WILDCARD", argument: "order*.xml" } as const;
  for await (const item of sftp.query({}, { ...options("QUERY"), filter, as: "buffer" })) {
    report("QUERY", toBoomiStatus(item), "content" in item ? `${item.properties.fileName}: ${String(item.content)}` : "");
  }

  // DELETE by object ID: a file that is not there is a success too, as in Boomi.
  const deleted = await document("DELETE", () => sftp.delete({ ids: ["order.xml", "order1.xml", "order2.xml", "never-was.xml"] }, options("DELETE")));
  for (const result of deleted ?? []) report("DELETE", toBoomiStatus(result), `${result.fileName} deleted: ${result.deleted}`);

  // A typo in an operation property is refused by name, never ignored.
  try {
    fromBoomiOperationProperties("LIST", { recursivList: "true" });
  } catch (error) {
    report("LIST", toBoomiStatus(error), "(a mistyped operation property)");
  }

  // LISTEN saw the CREATEs and DELETEs in Remote Directory (not the sub-directory uploads: Boomi's LISTEN is one level).
  await heard(["removed order.xml", "removed order1.xml", "removed order2.xml"]);
  await listener.stop();
  console.log(`LISTEN  ${events.join(", ")}`);
} finally {
  await sftp.close();
  await testbed.stop();
}
