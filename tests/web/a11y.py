"""axe-core (bundled by axe-playwright-python) on a Playwright page: the WCAG 2.1 A/AA violations, as
"rule-id: target" strings, so an assertion failure says what to fix."""
from __future__ import annotations

WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
              "resultTypes": ["violations"]}


def axe_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options=WCAG_21_AA)
    return [f"{v['id']}: {', '.join(str(n['target']) for n in v['nodes'])}" for v in results.response["violations"]]
