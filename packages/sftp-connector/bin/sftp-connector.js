#!/usr/bin/env node
// The `sftp-connector` command: runs the built CLI. A committed file, so installing the workspace links it before `dist/` is built.
import { runProcess } from "../dist/cli.js";

void runProcess();
