// getFile's overloads: `as` picks Buffer or Readable content, `failIfNotFound: true` drops `undefined` (it throws instead).
import type { Readable } from "node:stream";
import type { FileDocument } from "@sftp-connector/core";
import type { SessionTarget } from "@sftp-connector/transport";
import { describe, expectTypeOf, it } from "vitest";
import { getFile } from "./getFile.js";
import type { GetFileOptions } from "./GetFileOptions.js";

// Never called: the calls below are only type-checked (by `pnpm typecheck` and vitest's transform).
declare const session: SessionTarget;
const input = { fileName: "in/a.txt" };
const typeOnly = (check: () => void): void => void check;

describe("getFile's types", () => {
  it("gives a non-undefined document with failIfNotFound: true", () => {
    typeOnly(() => {
      expectTypeOf(getFile(session, input, { failIfNotFound: true, as: "buffer" })).toEqualTypeOf<Promise<FileDocument<Buffer>>>();
      expectTypeOf(getFile(session, input, { failIfNotFound: true, as: "stream" })).toEqualTypeOf<Promise<FileDocument<Readable>>>();
      expectTypeOf(getFile(session, input, { failIfNotFound: true })).toEqualTypeOf<Promise<FileDocument<Readable>>>();
      expectTypeOf(getFile(session, input, { failIfNotFound: true, deleteAfter: true, as: "buffer" })).toEqualTypeOf<Promise<FileDocument<Buffer>>>();
    });
  });

  it("may give undefined without failIfNotFound: true", () => {
    typeOnly(() => {
      expectTypeOf(getFile(session, input)).toEqualTypeOf<Promise<FileDocument<Readable> | undefined>>();
      expectTypeOf(getFile(session, input, { as: "buffer" })).toEqualTypeOf<Promise<FileDocument<Buffer> | undefined>>();
      expectTypeOf(getFile(session, input, { as: "stream", failIfNotFound: false })).toEqualTypeOf<Promise<FileDocument<Readable> | undefined>>();
    });
  });

  it("falls back to the union when the options are only known as GetFileOptions", () => {
    typeOnly(() => {
      const options: GetFileOptions = {};
      expectTypeOf(getFile(session, input, options)).toEqualTypeOf<Promise<FileDocument<Readable | Buffer> | undefined>>();
      const strict = { as: "buffer", failIfNotFound: true } as const satisfies GetFileOptions;
      expectTypeOf(getFile(session, input, strict)).toEqualTypeOf<Promise<FileDocument<Buffer>>>();
    });
  });
});
