// @sftp-connector/query: the QUERY operation.
export {};
