"""Times the console in headless Chromium for bench/console.php: click Refresh until the
page is rendered, and a plain view of the page from its snapshot. Prints one JSON object.
usage: console.py PROXY_PORT"""

import json
import sys
import time

from playwright.sync_api import sync_playwright

BASE = "http://example.test"
with sync_playwright() as p:
    browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"],
                                proxy={"server": f"http://127.0.0.1:{sys.argv[1]}"})
    page = browser.new_context().new_page()
    page.goto(BASE + "/wp-login.php")
    page.fill("#user_login", "admin")
    page.fill("#user_pass", "password")
    with page.expect_navigation():
        page.click("#wp-submit")
    page.goto(BASE + "/wp-admin/network/admin.php?page=closte-native")
    start = time.perf_counter()
    with page.expect_navigation(wait_until="load"):
        page.click("form.closte-native-refresh button")
    refresh_ms = (time.perf_counter() - start) * 1000
    rows = len(page.query_selector_all("table.wp-list-table tbody tr[data-domain]"))
    start = time.perf_counter()
    page.goto(BASE + "/wp-admin/network/admin.php?page=closte-native", wait_until="load")
    view_ms = (time.perf_counter() - start) * 1000
    print(json.dumps({"refresh_ms": refresh_ms, "view_ms": view_ms, "rows": rows}))
    browser.close()
