// @sftp-connector/transport/upload: the plumbing CREATE and UPSERT share: the content source, the target path, the temporary file and its rename.
export { uploadViaTemp, fileAlreadyExistsMessage, UPLOAD_MODES } from "./uploadViaTemp.js";
export type { UploadViaTempOptions, UploadResult, UploadMode } from "./uploadViaTemp.js";
export { resolveUploadTarget, ensureRemoteDirectory } from "./resolveUploadTarget.js";
export type { ResolveUploadTargetOptions, UploadTargetSession } from "./resolveUploadTarget.js";
export { openContent, isReadableContent } from "./openContent.js";
export type { OpenContentOptions } from "./openContent.js";
export { temporaryFileName, isTemporaryFileName, TEMPORARY_FILE_PATTERN, TEMPORARY_FILE_SUFFIX } from "./temporaryFileName.js";
export { lstatIfExists } from "./lstatIfExists.js";
