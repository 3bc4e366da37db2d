// @sftp-connector/delete: the DELETE operation (Boomi SFTP V2), one or many remote files by ID.
export { deleteFiles, deleteFile, DeleteFilesError } from "./deleteFiles.js";
export type { DeleteResult, SessionSource } from "./deleteFiles.js";
export { BLANK_FILE_NAME_MESSAGE } from "./DeleteFilesOptions.js";
export type { DeleteFilesInput, DeleteFilesOptions, DeleteFileOptions } from "./DeleteFilesOptions.js";
export { cleanTemporaryFiles, parseOlderThan } from "./cleanTemporaryFiles.js";
export type { CleanTemporaryFilesOptions, CleanedTemporaryFile } from "./cleanTemporaryFiles.js";
