"""Times the console in headless Chromium for bench/console.php: click Refresh until the
page, polling the progress endpoint, has reloaded itself with the finished run; then a
filtered, sorted view (50 rows) and the plain page. Prints one JSON object.
usage: console.py PROXY_PORT"""

import json
import sys
import time

from playwright.sync_api import sync_playwright

BASE = "http://example.test"
CONSOLE = BASE + "/wp-admin/network/admin.php?page=closte-native"
with sync_playwright() as p:
    browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"],
                                proxy={"server": f"http://127.0.0.1:{sys.argv[1]}"})
    page = browser.new_context().new_page()
    page.goto(BASE + "/wp-login.php")
    page.fill("#user_login", "admin")
    page.fill("#user_pass", "password")
    with page.expect_navigation():
        page.click("#wp-submit")
    page.goto(CONSOLE)
    start = time.perf_counter()
    with page.expect_navigation(wait_until="load"):
        page.click("form.closte-native-refresh button")
    click_ms = (time.perf_counter() - start) * 1000
    seen = page.inner_text("#closte-native-progress")
    if page.get_attribute("#closte-native-progress", "data-state") != "done":
        with page.expect_navigation(wait_until="load", timeout=600000):
            pass
    refresh_ms = (time.perf_counter() - start) * 1000
    done = page.inner_text("#closte-native-progress")
    rows = len(page.query_selector_all("table.wp-list-table tbody tr[data-name]"))
    start = time.perf_counter()
    page.goto(CONSOLE + "&view=attention&orderby=site&order=desc", wait_until="load")
    view_ms = (time.perf_counter() - start) * 1000
    start = time.perf_counter()
    page.goto(CONSOLE, wait_until="load")
    page_ms = (time.perf_counter() - start) * 1000
    print(json.dumps({"click_ms": click_ms, "refresh_ms": refresh_ms, "view_ms": view_ms, "page_ms": page_ms,
                      "rows": rows, "progress_seen": seen, "done": done}))
    browser.close()
