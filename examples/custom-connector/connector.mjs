// A custom connector made of four pieces only: @sftp-connector/core, /auth, /transport, /get and /create.
// Run against any SFTP server: SFTP_HOST, SFTP_PORT, SFTP_USER, SFTP_PASSWORD, SFTP_FINGERPRINT.
import { SessionPool } from "@sftp-connector/transport";
import { getFile } from "@sftp-connector/get";
import { createFile } from "@sftp-connector/create";

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`set ${name}`);
  return value;
};

// Compose: one pool, two operations bound to it. Nothing else is installed.
const pool = new SessionPool({
  host: env("SFTP_HOST"),
  port: Number(process.env.SFTP_PORT ?? 22),
  username: env("SFTP_USER"),
  auth: { type: "password", password: env("SFTP_PASSWORD") },
  hostKey: { fingerprints: [env("SFTP_FINGERPRINT")] },
});
const connector = {
  put: (fileName, content) => createFile(pool, { fileName, content }, { actionIfFileExists: "OVERWRITE" }),
  fetch: (fileName) => getFile(pool, { fileName }, { as: "buffer", failIfNotFound: true }),
  close: () => pool.close(),
};

try {
  const created = await connector.put("custom.txt", "made by a custom connector\n");
  console.log(`${created.message}: ${created.response.remoteDirectory}/${created.response.fileName}`);
  const doc = await connector.fetch("custom.txt");
  console.log(`read back: ${JSON.stringify(doc.content.toString())}`);
} finally {
  await connector.close();
}
