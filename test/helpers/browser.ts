import fs from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's Chromium package: the browser tests never download one. */
export const CHROMIUM = '/usr/bin/chromium';

/** The flags every browser test launches Chromium with (no sandbox in CI containers, nothing fetched from the network). */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

/** Fails at once, with the command that installs it, when Debian's Chromium is missing (call before slow set-up). */
export function requireChromium(): void {
  if (!fs.existsSync(CHROMIUM))
    throw new Error(`Browser tests need Chromium at ${CHROMIUM}: apt-get update && apt-get install -y chromium`);
}

/** Launches Debian's Chromium with CHROMIUM_ARGS. */
export async function launchChromium(): Promise<Browser> {
  requireChromium();
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** What went wrong in the pages a test watched; each browser test ends by expecting both empty. */
export interface PageProblems {
  cspViolations: string[];
  pageErrors: string[];
}

/** Records `page`'s Content-Security-Policy violations and uncaught errors into `problems`. */
export function watchPage(page: Page, problems: PageProblems): void {
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) problems.cspViolations.push(message.text());
  });
  page.on('pageerror', (error) => problems.pageErrors.push(error.message));
}

/** The page's globals read here (this project's tsconfig has no DOM types). */
interface WidthGlobals {
  document: { documentElement: { scrollWidth: number } };
  innerWidth: number;
}

/** How many pixels the page is wider than the window: more than 1 means it scrolls sideways. */
export async function sidewaysOverflow(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      (globalThis as unknown as WidthGlobals).document.documentElement.scrollWidth -
      (globalThis as unknown as WidthGlobals).innerWidth,
  );
}

/** Signs in on the console's sign-in form at `url` with `apiKey` (the caller waits for the page it expects). */
export async function submitSignIn(page: Page, url: string, apiKey: string): Promise<void> {
  await page.goto(url);
  await page.getByLabel('API key').fill(apiKey);
  await page.getByRole('button', { name: 'Sign in' }).click();
}
