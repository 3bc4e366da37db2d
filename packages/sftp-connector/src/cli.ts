// The sftp-connector CLI (filled in below).
