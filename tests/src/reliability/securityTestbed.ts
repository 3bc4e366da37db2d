// What the testbed's sshd logged (its stderr, through `docker logs`), and the host key swap the security tests use to play an impostor.
import { spawnSync } from "node:child_process";
import type { Testbed } from "@sftp-connector/testkit";
import { waitFor } from "@sftp-connector/testkit";

/** Every line sshd has logged so far (`sshd -e` logs to the container's stderr). */
export function serverLog(testbed: Testbed): string[] {
  const result = spawnSync("docker", ["logs", testbed.containerId], { encoding: "utf8", timeout: 20_000 });
  if (result.status !== 0) throw new Error(`docker logs failed: ${result.stderr || result.error?.message}`);
  return `${result.stdout}\n${result.stderr}`.split("\n").filter((line) => line.trim() !== "");
}

/** Log lines that show a login attempt reached sshd's user auth (a password, key or keyboard-interactive answer was sent). */
export const AUTH_LINE = /\b(Accepted|Failed|Postponed) (password|publickey|keyboard-interactive)|Invalid user|authentication failure/;

/** Auth lines logged after the first `since` lines. */
export function authLinesSince(testbed: Testbed, since: number): string[] {
  return serverLog(testbed)
    .slice(since)
    .filter((line) => AUTH_LINE.test(line));
}

const HOST_KEY = "/etc/ssh/ssh_host_ed25519_key";

/**
 * Plays an impostor on the testbed's address: sshd gets a new host key (SIGHUP makes the listener
 * reload it; sessions already open stay up) and, unless `keepSessions`, every session of the
 * password user is killed. Resolves with the new public key once sshd presents it.
 */
export async function swapHostKey(testbed: Testbed, options: { keepSessions?: boolean } = {}): Promise<string> {
  await testbed.exec(
    `if [ ! -f ${HOST_KEY}.orig ]; then cp -p ${HOST_KEY} ${HOST_KEY}.orig && cp -p ${HOST_KEY}.pub ${HOST_KEY}.pub.orig; fi; ` +
      `rm -f ${HOST_KEY} ${HOST_KEY}.pub && ssh-keygen -q -t ed25519 -N '' -f ${HOST_KEY} && kill -HUP 1`,
  );
  const publicKey = (await testbed.exec(`cat ${HOST_KEY}.pub`)).stdout.trim().split(/\s+/).slice(0, 2).join(" ");
  await waitFor(async () => (await keyscan(testbed)).includes(publicKey), "sshd to present the new host key", 20_000, 100);
  if (!options.keepSessions) await testbed.dropSessions();
  return publicKey;
}

/** Puts the testbed's own host key back (after {@link swapHostKey}) and waits until sshd presents it. */
export async function restoreHostKey(testbed: Testbed): Promise<void> {
  const swapped = await testbed.exec(`[ -f ${HOST_KEY}.orig ]`, { allowFailure: true });
  if (swapped.exitCode !== 0) return;
  await testbed.exec(`mv ${HOST_KEY}.orig ${HOST_KEY} && mv ${HOST_KEY}.pub.orig ${HOST_KEY}.pub && kill -HUP 1`);
  await waitFor(async () => (await keyscan(testbed)).includes(testbed.hostKey.publicKey), "sshd to present its own host key again", 20_000, 100);
}

async function keyscan(testbed: Testbed): Promise<string> {
  return (await testbed.exec(`ssh-keyscan -t ed25519 -p ${testbed.port} 127.0.0.1 2>/dev/null`, { allowFailure: true })).stdout;
}
