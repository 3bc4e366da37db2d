// Renders the shell script a testbed container runs at start: users, keys, sshd config, dante and tinyproxy, then sshd.

/** Names of the client keys the testbed makes for its key user. */
export const CLIENT_KEY_NAMES = ["ed25519", "ecdsa", "ecdsaPem", "rsa", "rsaPem", "ed25519Encrypted", "rsaPemEncrypted", "unauthorized"] as const;

/** One of {@link CLIENT_KEY_NAMES}. */
export type ClientKeyName = (typeof CLIENT_KEY_NAMES)[number];

/** ssh-keygen arguments per key: type, bits, format, whether it takes the passphrase. */
const KEYGEN: Record<ClientKeyName, string> = {
  ed25519: "-t ed25519",
  ecdsa: "-t ecdsa -b 256",
  ecdsaPem: "-t ecdsa -b 384 -m PEM",
  rsa: "-t rsa -b 2048",
  rsaPem: "-t rsa -b 2048 -m PEM",
  ed25519Encrypted: '-t ed25519 -N "$PASSPHRASE"',
  rsaPemEncrypted: '-t rsa -b 2048 -m PEM -N "$PASSPHRASE"',
  unauthorized: "-t ed25519",
};

/** What the start script needs to know. Passwords are test-only values made fresh for each testbed. */
export interface StartScriptParams {
  sshPort: number;
  hostKeyType: "ed25519" | "ecdsa" | "rsa";
  passwordUser: { username: string; password: string };
  keyUser: { username: string; passphrase: string };
  proxyUser: { username: string; password: string };
  proxyPorts?: { socks: number; socksAuth: number; http: number; httpAuth: number };
  extraSshdConfig: readonly string[];
  /** Offer only the old algorithms (see {@link LEGACY_ONLY_SSHD_CONFIG}); needs an RSA host key. */
  legacyAlgorithmsOnly?: boolean;
  /** Refuse the `password` method: passwords only over keyboard-interactive (PAM's single `Password:` prompt). */
  keyboardInteractiveOnly?: boolean;
}

/**
 * sshd_config lines of a server that offers only old algorithms, as servers JSch 0.1.55 (Boomi
 * SFTP V2) reached did: SHA-1 key exchanges, CBC ciphers, SHA-1/MD5 MACs and `ssh-rsa` (SHA-1) host
 * key signatures. OpenSSH 9.2 still builds them in; they are only off by default.
 */
export const LEGACY_ONLY_SSHD_CONFIG: readonly string[] = [
  "KexAlgorithms diffie-hellman-group14-sha1,diffie-hellman-group-exchange-sha1",
  "Ciphers aes128-cbc,aes256-cbc,3des-cbc",
  "MACs hmac-sha1,hmac-md5",
  "HostKeyAlgorithms ssh-rsa",
  "PubkeyAcceptedAlgorithms +ssh-rsa",
];

/** Quotes a value for sh inside single quotes. */
function sq(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

function danteConfig(port: number, method: "none" | "username"): string {
  return [
    `logoutput: /var/log/testbed/danted-${port}.log`,
    `internal: 127.0.0.1 port = ${port}`,
    "external: lo",
    "clientmethod: none",
    `socksmethod: ${method}`,
    "user.privileged: root",
    "user.unprivileged: nobody",
    "client pass { from: 127.0.0.0/8 to: 0.0.0.0/0 }",
    "socks pass { from: 127.0.0.0/8 to: 127.0.0.0/8 }",
    "socks block { from: 0.0.0.0/0 to: 0.0.0.0/0 }",
  ].join("\n");
}

function tinyproxyConfig(port: number, sshPort: number, auth?: { username: string; password: string }): string {
  return [
    "User nobody",
    "Group nogroup",
    `Port ${port}`,
    "Listen 127.0.0.1",
    "Timeout 600",
    `LogFile "/var/log/testbed/tinyproxy-${port}.log"`,
    "LogLevel Info",
    "MaxClients 100",
    "Allow 127.0.0.1",
    `ConnectPort ${sshPort}`,
    "DisableViaHeader Yes",
    ...(auth ? [`BasicAuth ${auth.username} ${auth.password}`] : []),
  ].join("\n");
}

/** The script: idempotent, so a restarted container keeps its users, keys and host key. */
export function renderStartScript(p: StartScriptParams): string {
  const keyUser = p.keyUser.username;
  const sshd = [
    `Port ${p.sshPort}`,
    "ListenAddress 127.0.0.1",
    `HostKey /etc/ssh/ssh_host_${p.hostKeyType}_key`,
    // sshd keeps the first value of a keyword, so these come before the caller's extra lines.
    ...(p.legacyAlgorithmsOnly ? LEGACY_ONLY_SSHD_CONFIG : []),
    `PasswordAuthentication ${p.keyboardInteractiveOnly ? "no" : "yes"}`,
    "KbdInteractiveAuthentication yes",
    "UsePAM yes",
    "PubkeyAuthentication yes",
    "PermitRootLogin no",
    "AuthorizedKeysFile .ssh/authorized_keys",
    "Subsystem sftp internal-sftp",
    "MaxStartups 30:30:100",
    "MaxSessions 64",
    "ClientAliveInterval 0",
    "UseDNS no",
    `PidFile /run/sshd-${p.sshPort}.pid`,
    ...p.extraSshdConfig,
  ].join("\n");

  const lines = [
    "#!/bin/sh",
    "set -eu",
    `PASSPHRASE=${sq(p.keyUser.passphrase)}`,
    "mkdir -p /run/sshd /etc/testbed /var/log/testbed && chmod 1777 /var/log/testbed",
    "if [ ! -f /etc/testbed/initialized ]; then",
    `  ssh-keygen -q -t ${p.hostKeyType} -N '' -f /etc/ssh/ssh_host_${p.hostKeyType}_key`,
    // Containers have no audit subsystem: pam_loginuid would refuse every login.
    "  sed -i 's/^session\\s\\+required\\s\\+pam_loginuid.so/session optional pam_loginuid.so/' /etc/pam.d/sshd",
    `  useradd -m -s /bin/sh ${p.passwordUser.username}`,
    `  useradd -m -s /bin/sh ${keyUser}`,
    `  useradd -M -s /usr/sbin/nologin ${p.proxyUser.username}`,
    // A tmpfs mounted under a home makes docker create that home as root before useradd runs.
    `  chown ${p.passwordUser.username}: /home/${p.passwordUser.username} && chown ${keyUser}: /home/${keyUser}`,
    `  printf '%s\\n' ${sq(`${p.passwordUser.username}:${p.passwordUser.password}`)} ${sq(`${p.proxyUser.username}:${p.proxyUser.password}`)} | chpasswd`,
    `  mkdir -p /etc/testbed/keys /home/${keyUser}/.ssh`,
    ...Object.entries(KEYGEN).map(
      ([name, args]) => `  ssh-keygen -q ${args.includes("-N") ? args : `${args} -N ''`} -C ${name}@testbed -f /etc/testbed/keys/${name}`,
    ),
    `  for k in ${CLIENT_KEY_NAMES.filter((k) => k !== "unauthorized").join(" ")}; do cat /etc/testbed/keys/$k.pub; done > /home/${keyUser}/.ssh/authorized_keys`,
    `  chown -R ${keyUser}:${keyUser} /home/${keyUser}/.ssh && chmod 700 /home/${keyUser}/.ssh && chmod 600 /home/${keyUser}/.ssh/authorized_keys`,
    "  touch /etc/testbed/initialized",
    "fi",
    `cat > /etc/testbed/sshd_config <<'SSHD_EOF'\n${sshd}\nSSHD_EOF`,
  ];
  if (p.proxyPorts) {
    const { socks, socksAuth, http, httpAuth } = p.proxyPorts;
    const proxies: Array<[string, string, string]> = [
      [`danted-${socks}.conf`, danteConfig(socks, "none"), "danted -f /etc/testbed/danted-" + socks + ".conf -p /run/danted-" + socks + ".pid"],
      [
        `danted-${socksAuth}.conf`,
        danteConfig(socksAuth, "username"),
        "danted -f /etc/testbed/danted-" + socksAuth + ".conf -p /run/danted-" + socksAuth + ".pid",
      ],
      [`tinyproxy-${http}.conf`, tinyproxyConfig(http, p.sshPort), `tinyproxy -d -c /etc/testbed/tinyproxy-${http}.conf`],
      [`tinyproxy-${httpAuth}.conf`, tinyproxyConfig(httpAuth, p.sshPort, p.proxyUser), `tinyproxy -d -c /etc/testbed/tinyproxy-${httpAuth}.conf`],
    ];
    for (const [file, config, command] of proxies) {
      lines.push(`cat > /etc/testbed/${file} <<'PROXY_EOF'\n${config}\nPROXY_EOF`, `${command} >/var/log/testbed/${file}.out 2>&1 &`);
    }
  }
  lines.push("exec /usr/sbin/sshd -D -e -f /etc/testbed/sshd_config");
  return lines.join("\n") + "\n";
}
