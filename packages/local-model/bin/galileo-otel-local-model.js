#!/usr/bin/env node
// A committed entry point, so npm links the command at install time, before the first build.
import '../dist/cli.js';
