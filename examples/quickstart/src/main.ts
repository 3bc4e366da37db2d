// The quick-start demo: start a throwaway OpenSSH server, connect with its host key pinned, print its fingerprint and a listing.
import { Client, type SFTPWrapper } from "ssh2";
import { createHash } from "node:crypto";
import { startTestbed } from "@sftp-connector/testkit";

const testbed = await startTestbed();
try {
  const { username, password, home } = testbed.users.password;
  await testbed.exec(
    `mkdir -p ${home}/inbox && printf 'id,amount\\n1,42\\n' > ${home}/inbox/orders.csv && head -c 2048 /dev/urandom > ${home}/inbox/blob.bin`,
    { user: username },
  );
  console.log(`OpenSSH testbed on ${testbed.host}:${testbed.port}`);
  console.log(`server host key: ${testbed.hostKey.type} ${testbed.hostKey.fingerprint}`);

  const client = new Client();
  const sftp = await new Promise<SFTPWrapper>((resolve, reject) => {
    client
      .on("ready", () => client.sftp((error, s) => (error ? reject(error) : resolve(s))))
      .on("error", reject)
      .connect({
        host: testbed.host,
        port: testbed.port,
        username,
        password,
        // Strict host key checking: accept only the key whose fingerprint we pinned.
        hostVerifier: (key: Buffer) =>
          "SHA256:" + createHash("sha256").update(key).digest("base64").replace(/=+$/, "") === testbed.hostKey.fingerprint,
      });
  });
  const entries = await new Promise<Parameters<Parameters<SFTPWrapper["readdir"]>[1]>[1]>((resolve, reject) =>
    sftp.readdir(`${home}/inbox`, (error, list) => (error ? reject(error) : resolve(list))),
  );
  console.log(`\nlisting of ${home}/inbox:`);
  for (const entry of entries.sort((a, b) => a.filename.localeCompare(b.filename))) {
    const modified = new Date(entry.attrs.mtime * 1000).toISOString().replace(/\.000Z$/, "Z");
    console.log(`  ${entry.attrs.size.toString().padStart(8)}  ${modified}  ${entry.filename}`);
  }
  client.end();
} finally {
  await testbed.stop();
}
