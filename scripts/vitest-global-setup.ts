// Vitest global setup: makes sure the testbed image exists once, before any test file starts containers.
export default async function setup(): Promise<void> {
  if (process.env.SFTP_TESTBED_SKIP_IMAGE === "1") return;
  const { ensureTestbedImage } = await import("@sftp-connector/testkit");
  const image = await ensureTestbedImage({ log: (line) => process.stderr.write(`[testbed] ${line}\n`) });
  process.env.SFTP_TESTBED_IMAGE = image;
}
