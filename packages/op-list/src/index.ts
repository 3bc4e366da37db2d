// @sftp-connector/list: the LIST operation.
export {};
