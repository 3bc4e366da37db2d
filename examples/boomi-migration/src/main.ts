// A Boomi SFTP V2 connection, moved as it is: the connection's property ids and values go straight into createSftpConnector.
import { startTestbed } from "@sftp-connector/testkit";
import { createSftpConnector } from "sftp-connector";

const testbed = await startTestbed();
await testbed.exec("mkdir -p /home/tester/outbound", { user: "tester" });

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

const sftp = createSftpConnector({ boomi: boomiConnection });
try {
  const report = await sftp.testConnection();
  console.log(`Test Connection: ${report.banner} (${report.hostKey.type} ${report.hostKey.fingerprint})`);
  // Boomi's CREATE with "Action if File Exists: Create unique name" (FORCE_UNIQUE_NAMES).
  for (let i = 0; i < 3; i++) {
    const result = await sftp.create({ fileName: "order.xml", content: `<order n="${i}"/>` }, { actionIfFileExists: "FORCE_UNIQUE_NAMES" });
    console.log(`${result.message}: ${JSON.stringify(result.response)}`);
  }
  // Boomi's LIST output profile, one JSON document per entry.
  for await (const entry of sftp.list()) console.log(JSON.stringify({ fileName: entry.fileName, directory: entry.directory, modifiedDate: entry.modifiedDate, fileSize: entry.fileSize, isDirectory: entry.isDirectory }));
} finally {
  await sftp.close();
  await testbed.stop();
}
