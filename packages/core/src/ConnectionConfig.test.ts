// The proxy URL schemes table and its lookup.
import { describe, expect, it } from "vitest";
import { PROXY_URL_SCHEMES, proxyTypeOfScheme } from "./ConnectionConfig.js";

describe("proxyTypeOfScheme", () => {
  it.each([
    ["http", "http"],
    ["http:", "http"],
    ["https", "http"],
    ["socks4:", "socks4"],
    ["socks4a", "socks4a"],
    ["socks5", "socks5"],
    ["socks5h:", "socks5"],
    ["socks", "socks5"],
  ])("maps %s to %s", (scheme, type) => {
    expect(proxyTypeOfScheme(scheme)).toBe(type);
  });

  it.each(["ftp", "socks6:", "", "constructor", "toString:", "__proto__"])("knows no scheme %j", (scheme) => {
    expect(proxyTypeOfScheme(scheme)).toBeUndefined();
  });

  it("is one frozen table", () => {
    expect(Object.isFrozen(PROXY_URL_SCHEMES)).toBe(true);
    expect(Object.keys(PROXY_URL_SCHEMES)).toEqual(["http", "https", "socks4", "socks4a", "socks5", "socks5h", "socks"]);
  });
});
