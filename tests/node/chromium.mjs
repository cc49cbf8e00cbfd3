// Headless Chromium for the browser tests: Debian's package driven by
// playwright-core, kept off every network but loopback. The browser is
// /usr/bin/chromium unless AUTHSIM_CHROMIUM names another.

let chromium;
try {
  ({ chromium } = await import('playwright-core'));
} catch (e) {
  console.error('browser test: playwright-core is not installed; run ./scripts/setup-tests.sh (npm ci in tests/node)');
  process.exit(1);
}

export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.AUTHSIM_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    timeout: 60_000,
    // The machine has no network beyond loopback: keep Chromium from trying.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
