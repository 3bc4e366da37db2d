// @sftp-connector/create: the CREATE operation.
export {};
