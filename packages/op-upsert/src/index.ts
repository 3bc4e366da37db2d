// @sftp-connector/upsert: the UPSERT operation.
export {};
