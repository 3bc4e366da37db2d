// Vitest global setup: builds the testbed image once before any test file starts containers, and removes this run's leftovers after.
import { randomUUID } from "node:crypto";

export default async function setup(): Promise<(() => Promise<void>) | void> {
  if (process.env.SFTP_TESTBED_SKIP_IMAGE === "1") return;
  const { ensureTestbedImage, removeLeftoverTestbeds } = await import("@sftp-connector/testkit");
  const image = await ensureTestbedImage({ log: (line) => process.stderr.write(`[testbed] ${line}\n`) });
  process.env.SFTP_TESTBED_IMAGE = image;
  const runId = (process.env.SFTP_TESTBED_RUN_ID ??= randomUUID());
  return async () => {
    const removed = await removeLeftoverTestbeds(runId);
    if (removed > 0) process.stderr.write(`[testbed] removed ${removed} container(s) a test left running\n`);
  };
}
