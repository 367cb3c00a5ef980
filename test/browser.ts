import { accessSync, constants } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's chromium, unless CHROMIUM_PATH names another Chromium or Chrome. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
/** The pages are Chinese: without a CJK font the screenshots show empty boxes. */
export const BROWSER_INSTALL = 'sudo apt-get install chromium fonts-noto-cjk';

/**
 * Throws one line naming the install command when the browser is missing, before anything is
 * started; without it, playwright's own error arrives after the stack has started, as a framed
 * banner with a stack trace.
 */
export function requireBrowser(executablePath = CHROMIUM_PATH): void {
  try {
    accessSync(executablePath, constants.X_OK);
  } catch {
    const err = new Error(`The browser tests need Chromium, and there is none at ${executablePath}: install it with \`${BROWSER_INSTALL}\` (or set CHROMIUM_PATH).`);
    err.name = 'BrowserMissing';
    // The line says everything; a stack trace into this helper would only bury it.
    err.stack = `${err.name}: ${err.message}`;
    throw err;
  }
}

export function launchBrowser(): Promise<Browser> {
  requireBrowser();
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
