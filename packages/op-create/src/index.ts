// @sftp-connector/create: the CREATE operation.
export { createFile, ACTIONS_IF_FILE_EXISTS } from "./createFile.js";
export type { ActionIfFileExists, CreateFileInput, CreateFileOptions, CreateFileResponse, CreateFileResult } from "./createFile.js";
export { expandFileNameTemplate, TEMPLATE_VARIABLES } from "./expandFileNameTemplate.js";
export type { TemplateValues } from "./expandFileNameTemplate.js";
export { nextUniqueName, uniqueNamePattern } from "./nextUniqueName.js";
export { splitFileName } from "./splitFileName.js";
export type { SplitFileName } from "./splitFileName.js";
export { FILE_CREATED_MESSAGE, MISSING_FILE_NAME_MESSAGE } from "@sftp-connector/core";
