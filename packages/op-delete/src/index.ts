// @sftp-connector/delete: the DELETE operation.
export {};
