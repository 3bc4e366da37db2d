// Talks to the Docker engine's HTTP API directly: reachability, what the engine lacks (bridge, Ryuk), leftover testbeds.
import { request } from "node:http";

/** Where the Docker engine listens, from DOCKER_HOST (unix:// or tcp://) or the default socket. */
function engineAddress(): { socketPath?: string; host?: string; port?: number; label: string } {
  const dockerHost = process.env.DOCKER_HOST;
  if (dockerHost?.startsWith("tcp://")) {
    const url = new URL(dockerHost.replace(/^tcp:/, "http:"));
    return { host: url.hostname, port: Number(url.port || 2375), label: dockerHost };
  }
  const socketPath = dockerHost?.startsWith("unix://") ? dockerHost.slice("unix://".length) : "/var/run/docker.sock";
  return { socketPath, label: `unix://${socketPath}` };
}

/** One request to the engine's API; resolves with the status code and the parsed JSON body (or null). */
export function dockerRequest(method: string, path: string, timeoutMs = 10_000): Promise<{ status: number; body: unknown }> {
  const { socketPath, host, port } = engineAddress();
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, host, port, method, path, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let body: unknown = null;
        try {
          body = text ? JSON.parse(text) : null;
        } catch {
          body = text;
        }
        resolve({ status: res.statusCode ?? 0, body });
      });
    });
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end();
  });
}

let prepared: Promise<void> | undefined;

/**
 * Checks that a Docker engine answers and sets what testcontainers needs on an engine without a
 * `bridge` network or a Ryuk image (no registry): TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1 and
 * TESTCONTAINERS_RYUK_DISABLED=true, unless the caller set them. Throws a message saying what to start.
 */
export function prepareDockerEnvironment(): Promise<void> {
  prepared ??= (async () => {
    const { label } = engineAddress();
    try {
      const ping = await dockerRequest("GET", "/_ping", 5_000);
      if (ping.status !== 200) throw new Error(`HTTP ${ping.status}`);
    } catch (cause) {
      prepared = undefined;
      throw new Error(
        `The testbed needs a Docker engine, and none answers at ${label} (${(cause as Error).message}). ` +
          "Start one, e.g. as root: `dockerd --bridge=none --iptables=false --ip6tables=false &` " +
          "(Debian: `apt-get install -y docker.io`), or point DOCKER_HOST at a running engine.",
        { cause },
      );
    }
    if (process.env.TESTCONTAINERS_HOST_OVERRIDE === undefined) {
      const bridge = await dockerRequest("GET", "/networks/bridge");
      if (bridge.status === 404) process.env.TESTCONTAINERS_HOST_OVERRIDE = "127.0.0.1";
    }
    if (process.env.TESTCONTAINERS_RYUK_DISABLED === undefined) {
      const filter = encodeURIComponent(JSON.stringify({ reference: ["testcontainers/ryuk"] }));
      const images = await dockerRequest("GET", `/images/json?filters=${filter}`);
      if (Array.isArray(images.body) && images.body.length === 0) process.env.TESTCONTAINERS_RYUK_DISABLED = "true";
    }
  })();
  return prepared;
}

/** The label every testbed container carries, so leftovers of a crashed run can be found and removed. */
export const TESTBED_LABEL = "org.sftp-connector.testbed";

/**
 * Removes testbed containers left behind (Ryuk, which would do it, is often unavailable here): those of one
 * run when `runId` is given (the value of SFTP_TESTBED_RUN_ID the testbeds were started with), else all.
 */
export async function removeLeftoverTestbeds(runId?: string): Promise<number> {
  await prepareDockerEnvironment();
  const label = runId === undefined ? TESTBED_LABEL : `${TESTBED_LABEL}=${runId}`;
  const filter = encodeURIComponent(JSON.stringify({ label: [label] }));
  const list = await dockerRequest("GET", `/containers/json?all=true&filters=${filter}`);
  const ids = Array.isArray(list.body) ? list.body.map((c: { Id: string }) => c.Id) : [];
  for (const id of ids) await dockerRequest("DELETE", `/containers/${id}?force=true&v=true`, 30_000);
  return ids.length;
}
