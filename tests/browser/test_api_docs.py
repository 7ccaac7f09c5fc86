"""``/docs`` in Chromium: Swagger UI renders the bridge's OpenAPI 3.1 document, every
operation of it listed, with nothing refused by the page's Content-Security-Policy."""

from __future__ import annotations

import httpx
from playwright.sync_api import Browser, ConsoleMessage, expect

from tests.browser.conftest import Bridge, shot


def test_every_route_is_listed(chromium: Browser, bridge: Bridge) -> None:
    document = httpx.get(f"{bridge.url}/openapi.json", timeout=10).json()
    assert document["openapi"].startswith("3.1")
    expected = sorted(
        (method.upper(), path)
        for path, operations in document["paths"].items()
        for method in operations
    )
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.append(message.text)

    try:
        page = context.new_page()
        page.on("console", on_console)
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.goto(f"{bridge.url}/docs")
        operations = page.locator(".opblock-summary")
        expect(operations.first).to_be_visible()
        expect(page.locator(".info .title")).to_contain_text("cardbridge")
        listed = sorted(
            (
                block.locator(".opblock-summary-method").inner_text().strip(),
                block.locator(".opblock-summary-path").get_attribute("data-path") or "",
            )
            for block in operations.all()
        )
        shot(page, "api-docs")
        assert "Unable to render" not in page.locator("body").inner_text()
    finally:
        context.close()
    assert listed == expected
    assert problems == []
