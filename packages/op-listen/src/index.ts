// @sftp-connector/listen: the LISTEN operation, a restart-proof remote directory listener.
export { listen, MISSING_DIRECTORY_MESSAGE } from "./listen.js";
export type { ListenOptions, ListenDocument, ListenHandler, Listener, AfterProcessing } from "./listen.js";
export { listenEvents } from "./listenEvents.js";
export type { ListenEvents } from "./listenEvents.js";
