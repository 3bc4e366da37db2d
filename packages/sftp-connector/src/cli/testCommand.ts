// `sftp-connector test`: Boomi's Test Connection, with what the server said and how fast it answered.
import type { ConnectionReport } from "@sftp-connector/transport";
import type { CommandSpec } from "./CommandSpec.js";
import { formatTable } from "./formatTable.js";

/** The report as `[field, value]` rows for the readable form. */
export function reportRows(report: ConnectionReport): Array<[string, string]> {
  const { algorithms: a } = report;
  return [
    ["server", `${report.host}:${report.port}`],
    ["banner", report.banner],
    ["host key", `${report.hostKey.type} ${report.hostKey.fingerprint}`],
    ["kex", a.kex],
    ["cipher", a.cipher],
    ["mac", a.mac || "(part of the cipher)"],
    ["compression", a.compress],
    ["home directory", report.homeDirectory],
    ...(report.remoteDirectory === undefined ? [] : ([["remote directory", report.remoteDirectory]] as Array<[string, string]>)),
    ["extensions", report.extensions.join(", ")],
    ["max read/write", `${report.limits.maxReadLength} / ${report.limits.maxWriteLength} bytes`],
    ["connect", `${report.connectMs} ms`],
    ["round trip", `${report.roundTripMs} ms`],
  ];
}

/** `test`. */
export const testCommand: CommandSpec = {
  name: "test",
  summary: "Test the connection: connect, verify the host key, log in, open SFTP, time a round trip",
  usage: "test [options]",
  description: [
    "Connects, verifies the server's host key, logs in, opens an SFTP session, times one round trip and",
    "closes. Prints the banner, the negotiated algorithms, the host key fingerprint and the home directory.",
  ],
  options: {},
  optionHelp: [],
  maxPositionals: 0,
  abortable: true,
  examples: ["SFTP_PASSWORD=… sftp-connector test --host sftp.example.com --user me --password-env SFTP_PASSWORD --fingerprint SHA256:…"],
  async run({ connector, out, signal }) {
    const report = await connector.testConnection({ signal });
    if (out.json) {
      await out.record({ ok: true, ...report });
    } else {
      for (const line of formatTable(
        [
          { header: "FIELD", value: (row: [string, string]) => row[0] },
          { header: "VALUE", value: (row) => row[1] },
        ],
        reportRows(report),
        { header: false },
      )) {
        await out.line(line);
      }
      await out.line("Connection OK");
    }
    return 0;
  },
};
