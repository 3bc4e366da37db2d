// A custom connector made of four pieces only: @sftp-connector/core, /auth, /transport, /get and /create.
// Run against any SFTP server: SFTP_HOST, SFTP_PORT, SFTP_USER, SFTP_PASSWORD, SFTP_FINGERPRINT.
import { defineConnector } from "@sftp-connector/transport";
import { getFile } from "@sftp-connector/get";
import { createFile } from "@sftp-connector/create";

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`set ${name}`);
  return value;
};

// Compose: one pool, two operations bound to it (each gets the pool as its first argument, `target`). Nothing else is installed.
const connector = defineConnector({
  config: {
    host: env("SFTP_HOST"),
    port: Number(process.env.SFTP_PORT ?? 22),
    username: env("SFTP_USER"),
    auth: { type: "password", password: env("SFTP_PASSWORD") },
    hostKey: { fingerprints: [env("SFTP_FINGERPRINT")] },
  },
  operations: { create: createFile, get: getFile },
});

try {
  const created = await connector.create({ fileName: "custom.txt", content: "made by a custom connector\n" }, { actionIfFileExists: "OVERWRITE" });
  console.log(`${created.message}: ${created.response.remoteDirectory}/${created.response.fileName}`);
  const doc = await connector.get({ fileName: "custom.txt" }, { as: "buffer", failIfNotFound: true });
  console.log(`read back: ${JSON.stringify(doc.content.toString())}`);
} finally {
  await connector.close();
}
