"""Debian's Chromium, driven by Playwright: never a downloaded browser. The browser tests and
`bench/` screenshots start it the same way."""

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps calling out to a closed network.
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
