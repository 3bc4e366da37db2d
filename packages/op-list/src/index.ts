// @sftp-connector/list: the LIST operation (Boomi SFTP V2): a remote directory's entries as metadata, streamed.
export { listFiles, toListEntry, LIST_OPTION_ALIASES } from "./listFiles.js";
export type { ListInput, ListOptions, ListEntry } from "./listFiles.js";
export { formatPermissions } from "./formatPermissions.js";
