// @sftp-connector/get: the GET operation (Boomi SFTP V2), one remote file as a streamed document.
export { getFile, AfterReadError, UNABLE_TO_DELETE_MESSAGE } from "./getFile.js";
export type { SessionSource } from "./getFile.js";
export { BLANK_ID_MESSAGE } from "./GetFileOptions.js";
export type { GetFileInput, GetFileOptions } from "./GetFileOptions.js";
