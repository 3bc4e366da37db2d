// @sftp-connector/upsert: the UPSERT operation.
export { upsertFile } from "./upsertFile.js";
export type { UpsertFileInput, UpsertFileOptions, UpsertFileResponse, UpsertFileResult } from "./upsertFile.js";
export { FILE_CREATED_MESSAGE, MISSING_FILE_NAME_MESSAGE } from "@sftp-connector/core";
