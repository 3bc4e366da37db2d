// The quick-start demo: a throwaway OpenSSH server, then all seven operations through the sftp-connector facade.
import type { Readable } from "node:stream";
import { startTestbed } from "@sftp-connector/testkit";
import { createSftpConnector } from "sftp-connector";

const testbed = await startTestbed();
const { username, password, home } = testbed.users.password;
await testbed.exec(`mkdir -p ${home}/inbox && printf 'id,amount\\n1,42\\n' > ${home}/inbox/orders.csv`, { user: username });
console.log(`OpenSSH testbed on ${testbed.host}:${testbed.port}, host key ${testbed.hostKey.fingerprint}\n`);

const sftp = createSftpConnector({
  host: testbed.host,
  port: testbed.port,
  username,
  auth: { type: "password", password },
  hostKey: { fingerprints: [testbed.hostKey.fingerprint] }, // strict host key checking
  remoteDirectory: "inbox",
});
/** Waits (up to 10 s) until the listener has reported `event`: polling sees changes one interval later. */
const seen = async (events: string[], event: string) => {
  const deadline = Date.now() + 10_000;
  while (!events.includes(event) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
};
const text = async (content: Readable | Buffer | undefined) => {
  if (!content || Buffer.isBuffer(content)) return content?.toString() ?? "";
  let out = "";
  for await (const chunk of content) out += chunk;
  return out;
};

try {
  const report = await sftp.testConnection();
  console.log(`TEST    ${report.banner}, ${report.algorithms.cipher}, home ${report.homeDirectory}, round trip ${report.roundTripMs} ms`);

  const events: string[] = [];
  const listener = await sftp.listen({ remoteDirectory: "inbox", pollingIntervalMs: 200, stableAfter: { polls: 0 } }, (doc) => {
    events.push(`${doc.event} ${doc.properties.fileName}`);
  });

  const created = await sftp.create({ fileName: "invoice.txt", content: "invoice #1\n" }, { includeAllMetadata: true });
  console.log(`CREATE  ${created.message}: ${JSON.stringify(created.response)}`);

  const upserted = await sftp.upsert({ fileName: "invoice.txt", content: "paid\n" }, { append: true });
  console.log(`UPSERT  appended: ${JSON.stringify(upserted.response)}`);

  const doc = await sftp.get({ fileName: "invoice.txt" });
  console.log(`GET     ${doc?.properties.fileName} (${doc?.properties.size} bytes): ${JSON.stringify(await text(doc?.content))}`);

  await seen(events, "added invoice.txt");
  for await (const entry of sftp.list()) console.log(`LIST    ${JSON.stringify(entry)}`);

  for await (const item of sftp.query({}, { filter: 'fileName ~ "*.csv"', as: "buffer" })) {
    if ("content" in item) console.log(`QUERY   ${item.properties.fileName}: ${JSON.stringify(String(item.content))}`);
  }

  const deleted = await sftp.delete({ ids: ["invoice.txt"] });
  console.log(`DELETE  ${JSON.stringify(deleted.map(({ fileName, deleted: gone }) => ({ fileName, deleted: gone })))}`);

  await seen(events, "removed invoice.txt");
  await listener.stop();
  console.log(`LISTEN  ${events.join(", ")}`);
} finally {
  await sftp.close();
  await testbed.stop();
}
