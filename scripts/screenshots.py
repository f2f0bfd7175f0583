"""Screenshots of the pages (docs/screenshots/) from a running demo server.

    kcrm demo &     # prints the admin, agent and marketing keys
    python scripts/screenshots.py http://127.0.0.1:8000 \
        ADMIN_KEY AGENT_KEY MARKETING_KEY docs/screenshots

Needs Playwright and Debian's chromium; Chinese text needs a CJK font (fonts-wqy-microhei).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import httpx
from playwright.sync_api import Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"


def main(url: str, admin: str, agent: str, marketing: str, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    case = httpx.post(
        f"{url}/v1/cases",
        headers={"Authorization": f"Bearer {admin}"},
        json={
            "customer_id": "cust-0002",
            "subject": "Card not arrived",
            "description": "I ordered a new card two weeks ago and it still has not arrived.",
            "channel": "phone",
        },
        timeout=60,
    ).json()
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )

        def page(width: int = 1280, height: int = 900, locale: str = "en-GB") -> Page:
            return browser.new_page(viewport={"width": width, "height": height}, locale=locale)

        for name, locale, query in (
            ("help-en", "en-GB", "my card has not arrived"),
            ("help-zh", "zh-CN", "卡还没到"),
        ):
            pg = page(locale=locale)
            pg.goto(f"{url}/help")
            pg.locator("input[type=search]").first.fill(query)
            pg.keyboard.press("Enter")
            pg.wait_for_timeout(2500)
            pg.screenshot(path=str(out / f"{name}.png"))
        pg = page(1440, 1000)
        pg.goto(f"{url}/agent")
        pg.get_by_label(re.compile("API key")).fill(agent)
        pg.get_by_role("button", name=re.compile("^Open the")).click()
        pg.locator(f'button[data-case-id="{case["id"]}"]').click()
        pg.wait_for_timeout(3000)
        pg.screenshot(path=str(out / "console.png"))
        pg = page(1440, 1000)
        pg.goto(f"{url}/marketing")
        pg.get_by_label(re.compile("API key")).fill(marketing)
        pg.get_by_role("button", name=re.compile("^Open the")).click()
        pg.wait_for_timeout(4000)
        pg.screenshot(path=str(out / "marketing.png"))
        browser.close()


if __name__ == "__main__":
    if len(sys.argv) != 6:
        sys.exit(__doc__)
    main(*sys.argv[1:5], Path(sys.argv[5]))
