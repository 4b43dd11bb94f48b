"""Screenshots of the main pages in English and Chinese, for the README.

Copies the repository's packages into a temporary project, releases them, serves the release with
`socsec serve` and drives Debian's Chromium over it:

    .venv/bin/python tests/browser/screenshots.py docs/screenshots     (or `make screenshots`)
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.conftest import live_server, make_project, socsec

DISPUTED = "medical_basic_insured_total"
SHOTS = [  # name, path, viewport width, height, what to do first
    ("home", "/", 1280, 900, None),
    ("indicator", f"/indicators/{DISPUTED}?point=2020", 1280, 1100, None),
    ("long-series", "/indicators/pension_urban_employee_insured?region=CN&point=1989", 1280, 1100, None),
    ("map", "/indicators/prov_maternity_beneficiaries?view=map", 1280, 1050, None),
    ("provinces", "/provinces", 1280, 1050, None),
    ("package", "/packages/social-insurance-coverage", 1280, 900, None),
    ("sql", "/sql", 1280, 900, "example"),
    ("phone-indicator", f"/indicators/{DISPUTED}?point=2021", 390, 1200, None),
]


def shoot(base: str, out: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for lang in ("en", "zh"):
            for name, path, width, height, action in SHOTS:
                context = browser.new_context(viewport={"width": width, "height": height},
                                              device_scale_factor=1, is_mobile=width < 500)
                page = context.new_page()
                page.goto(base + path + (("&" if "?" in path else "?") + "lang=zh" if lang == "zh" else ""))
                if action == "example":
                    with page.expect_navigation():
                        page.locator("a.example").nth(1).click()
                page.wait_for_load_state("networkidle")
                target = out / f"{name}-{lang}.png"
                page.screenshot(path=str(target))
                written.append(target)
                context.close()
        browser.close()
    return written


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots").resolve()
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        root = make_project(Path(tmp))
        result = socsec(root, "release")
        if result.exit_code != 0:
            sys.exit("release refused:\n" + result.output)
        with live_server(root, "--workers", "2") as base:
            for path in shoot(base, out):
                print(path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path)


if __name__ == "__main__":
    main()
