// The facade's `get` has getFile's overloads: `as` picks Buffer or Readable content, `failIfNotFound: true` drops `undefined`.
import type { Readable } from "node:stream";
import type { FileDocument } from "@sftp-connector/core";
import { describe, expectTypeOf, it } from "vitest";
import type { SftpConnector } from "./createSftpConnector.js";

declare const connector: SftpConnector;
const input = { fileName: "in/a.txt" };
// Never called: the calls below are only type-checked.
const typeOnly = (check: () => void): void => void check;

describe("SftpConnector.get's types", () => {
  it("mirrors getFile's overloads", () => {
    typeOnly(() => {
      expectTypeOf(connector.get(input, { failIfNotFound: true, as: "buffer" })).toEqualTypeOf<Promise<FileDocument<Buffer>>>();
      expectTypeOf(connector.get(input, { failIfNotFound: true })).toEqualTypeOf<Promise<FileDocument<Readable>>>();
      expectTypeOf(connector.get(input, { as: "buffer" })).toEqualTypeOf<Promise<FileDocument<Buffer> | undefined>>();
      expectTypeOf(connector.get(input)).toEqualTypeOf<Promise<FileDocument<Readable> | undefined>>();
    });
  });
});
