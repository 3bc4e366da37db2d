// @sftp-connector/auth: SSH auth strategies (password, private key file or content, keyboard-interactive, ssh-agent) for ssh2's authHandler.
export type { AuthStrategy, AuthMethodName, AuthWarningSink } from "./AuthStrategy.js";
export type { StrategyOptions } from "./defineStrategy.js";
export { password } from "./password.js";
export { privateKeyFile } from "./privateKeyFile.js";
export { privateKeyContent } from "./privateKeyContent.js";
export type { PrivateKeyOptions } from "./parsePrivateKey.js";
export { keyboardInteractive, isPasswordPrompt, answerPasswordPrompt } from "./keyboardInteractive.js";
export type { KeyboardInteractiveAnswers } from "./keyboardInteractive.js";
export { agent } from "./agent.js";
export type { AgentOptions } from "./agent.js";
export { formatPrivateKey } from "./formatPrivateKey.js";
export { authFromConfig } from "./authFromConfig.js";
export { createAuthHandler } from "./createAuthHandler.js";
export type { AuthHandler, AuthAttempt, CreateAuthHandlerOptions } from "./createAuthHandler.js";
