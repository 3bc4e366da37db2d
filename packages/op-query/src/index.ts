// @sftp-connector/query: the QUERY operation (Boomi SFTP V2): the files of a remote directory with their content, downloaded a bounded few at a time.
export { queryFiles, isQueryError, QUERY_OPTION_ALIASES } from "./queryFiles.js";
export type { QueryInput, QueryOptions, QueryItem, QueryError } from "./queryFiles.js";
