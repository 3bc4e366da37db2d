// Parses the --proxy URL (http://[user:pass@]host:port, socks4://host:port, socks5://[user:pass@]host:port) into a proxy config.
import { proxyTypeOfScheme, type EnvironmentProxy, type ProxyServer } from "@sftp-connector/core";
import { UsageError } from "./UsageError.js";

const FORMS = "http://[user:pass@]host:port, socks4://[user@]host:port, socks4a://[user@]host:port, socks5://[user:pass@]host:port or env";

/**
 * A proxy URL as `--proxy` takes it, for messages: the password replaced by `***`.
 * Anything that does not parse is shown as `(unparsable URL)`, never as given.
 */
export function redactProxyUrl(text: string): string {
  try {
    const url = new URL(text);
    if (url.password !== "") url.password = "***";
    return url.href.replace(/\/$/, "");
  } catch {
    return "(unparsable URL)";
  }
}

function decode(part: string, what: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new UsageError(`--proxy: the ${what} in the URL is not valid percent-encoding`);
  }
}

/**
 * Parses `--proxy`: `http://[user:pass@]host:port` (HTTP CONNECT), `socks4://[user@]host:port`,
 * `socks4a://…` (the proxy resolves the name), `socks5://[user:pass@]host:port` (`socks5h://` and
 * `socks://` mean the same), or `env` for the proxy the environment names. User and password
 * may be percent-encoded. The port is required. Messages never show the password.
 *
 * @throws UsageError for anything else.
 */
export function parseProxyUrl(text: string): ProxyServer | EnvironmentProxy {
  if (text === "env" || text === "environment") return { type: "environment" };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--proxy: expected a URL: ${FORMS}`);
  }
  const shown = redactProxyUrl(text);
  if (url.protocol === "https:")
    throw new UsageError(`--proxy ${shown}: HTTPS proxies are not supported; use an http:// proxy (the SSH traffic is encrypted anyway)`);
  const type = proxyTypeOfScheme(url.protocol); // core's PROXY_URL_SCHEMES (https: was refused above)
  if (type === undefined) throw new UsageError(`--proxy ${shown}: unsupported scheme "${url.protocol.replace(/:$/, "")}"; expected ${FORMS}`);
  if ((url.pathname !== "" && url.pathname !== "/") || url.search !== "" || url.hash !== "") {
    throw new UsageError(`--proxy ${shown}: expected only [user:pass@]host:port after the scheme`);
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  if (host === "") throw new UsageError(`--proxy ${shown}: the proxy host is missing`);
  // URL drops a scheme's default port (80 for http): an explicit ":80" is still a port.
  const port = url.port !== "" ? Number(url.port) : type === "http" && /^[a-z0-9]+:\/\/(?:[^@/]*@)?[^/]*:80\/?$/i.test(text) ? 80 : undefined;
  if (port === undefined) throw new UsageError(`--proxy ${shown}: the proxy port is missing (e.g. ${url.protocol}//${url.host}:1080)`);
  const username = url.username === "" ? undefined : decode(url.username, "user name");
  const password = url.password === "" ? undefined : decode(url.password, "password");
  if (password !== undefined && (type === "socks4" || type === "socks4a")) {
    throw new UsageError(`--proxy ${shown}: ${type} proxies take no password; use socks5:// for a user name and password`);
  }
  if (password !== undefined && username === undefined) throw new UsageError(`--proxy ${shown}: a password needs a user name (user:pass@host)`);
  return {
    type,
    host,
    port,
    ...(username === undefined ? {} : { username }),
    ...(password === undefined ? {} : { password }),
  };
}
