// @sftp-connector/get: the GET operation.
export {};
