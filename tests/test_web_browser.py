"""The dashboard in a real browser (Debian's Chromium through Playwright), on SQLite and on PostgreSQL:
log in, the matrix and its filters, a report with its highlighted cells, reviewing and correcting,
the XLSX export, a read-only user, a county user against direct requests, and hostile content."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Browser, Page, expect, sync_playwright
from sqlalchemy import select
from web_fixtures import PASSWORD, SCREENSHOTS, Dashboard

from store.db import Archive
from store.models import Agency, Report

pytest_plugins = ["store_fixtures", "web_fixtures"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as play:
        launched = play.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                        args=["--no-sandbox", "--disable-dev-shm-usage"])
        yield launched
        launched.close()


def login(browser: Browser, dashboard: Dashboard, username: str) -> Page:
    page = browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True).new_page()
    page.goto(dashboard.url + "/")
    expect(page).to_have_url(re.compile(r"/login"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("table.matrix")).to_be_visible()
    return page


def shoot(page: Page, dashboard: Dashboard, name: str) -> None:
    if SCREENSHOTS and dashboard.db_url.startswith("sqlite"):
        page.screenshot(path=str(Path(SCREENSHOTS) / f"dashboard-{name}.png"), full_page=True)


def report_id(dashboard: Dashboard, agency: str, year: int) -> int:
    with Archive.open(dashboard.db_url) as archive, archive.read() as session:
        return int(session.scalar(
            select(Report.id).join(Agency, Report.agency_id == Agency.id)
            .where(Agency.name == agency, Report.year == year)))


def test_nothing_without_logging_in_but_health(browser: Browser, dashboard: Dashboard) -> None:
    request = browser.new_context().request
    assert request.get(dashboard.url + "/healthz").json() == {"status": "ok"}
    for path in ("/", "/alerts", "/search?q=x", "/audit", "/export.xlsx", f"/report/{report_id(dashboard, '湘乡市民政局', 2024)}"):
        answer = request.get(dashboard.url + path, max_redirects=0)
        assert answer.status == 303
        assert "/login" in answer.headers["location"]
    wrong = browser.new_context().new_page()
    wrong.goto(dashboard.url + "/login")
    for _ in range(5):
        wrong.fill("input[name=username]", "locked")
        wrong.fill("input[name=password]", "wrong-password")
        wrong.click("button[type=submit]")
        expect(wrong.get_by_role("alert")).to_contain_text("不正确")
    wrong.fill("input[name=username]", "locked")
    wrong.fill("input[name=password]", PASSWORD)  # right, but too many failures before it
    wrong.click("button[type=submit]")
    expect(wrong.get_by_role("alert")).to_contain_text("次数过多")


def test_an_editor_works_through_matrix_report_review_correction_and_export(browser: Browser,
                                                                             dashboard: Dashboard) -> None:
    page = login(browser, dashboard, "admin")
    expect(page.locator(".chip[data-status=on_time]")).to_be_visible()
    shoot(page, dashboard, "overview")
    page.select_option("select[name=year]", "2024")
    expect(page).to_have_url(re.compile(r"year=2024"))
    expect(page.locator("table.matrix th", has_text="2025")).to_have_count(0)
    rows = int(page.locator(".counts .total").inner_text().split()[1])

    with page.expect_download() as download:
        page.click("#export-xlsx")
    book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    sheet = book.active
    assert sheet is not None
    assert sheet.max_row - 1 == rows  # exactly the rows the matrix shows
    assert {sheet.cell(r, 4).value for r in range(2, sheet.max_row + 1)} == {2024}

    page.get_by_role("link", name="湘乡市民政局").click()
    expect(page.locator("h1")).to_have_text("湘乡市民政局")
    expect(page.locator(".charts svg").first).to_be_visible()
    expect(page.locator("section.benchmark")).to_be_visible()  # the panel the page fetches once shown
    shoot(page, dashboard, "agency")
    page.locator("a", has_text="查看报告").first.click()
    expect(page.locator("table#table-requests")).to_be_visible()
    flagged = page.locator("td.flagged")
    expect(flagged.first).to_be_visible()
    before = flagged.count()
    shoot(page, dashboard, "report")

    finding = page.locator("li.finding").first
    finding.locator("input[name=reason]").fill("已电话核实")
    finding.get_by_role("button", name="已核实").click()
    expect(page.locator("li.finding").first.locator(".verdict")).to_contain_text("已核实 · admin")

    # the cell the first arithmetic finding names: correct it so that its row adds up
    cell = page.locator("td.flagged[data-cell^='requests/']").first
    target = cell.get_attribute("data-cell")
    cell.locator("a").click()
    form = page.locator("#correct-form")
    expect(form).to_be_visible()
    form.locator("input[name=value]").fill("0")
    form.locator("input[name=reason]").fill("原件为0，解析误读")
    form.get_by_role("button", name="保存更正").click()
    expect(page).to_have_url(re.compile(r"v=2"))
    expect(page.locator("ol.versions li[data-kind=correction]")).to_have_count(1)
    expect(page.locator(f"td.corrected[data-cell='{target}']")).to_have_text("0")
    assert page.locator("td.flagged").count() != before  # the validator ran again on the corrected version
    shoot(page, dashboard, "report-corrected")

    page.goto(dashboard.url + "/audit")
    expect(page.locator("tr[data-action=correction]")).to_have_count(1)
    expect(page.locator("tr[data-action=review]")).to_have_count(1)
    shoot(page, dashboard, "audit")

    page.goto(dashboard.url + "/search")
    page.fill("input[name=q]", "政府信息公开")
    page.get_by_role("button", name="检索").click()
    expect(page.locator("#report-results li[data-report]").first).to_be_visible()
    shoot(page, dashboard, "search")
    page.goto(dashboard.url + "/alerts")
    shoot(page, dashboard, "alerts")


def test_a_viewer_cannot_change_anything(browser: Browser, dashboard: Dashboard) -> None:
    page = login(browser, dashboard, "viewer")
    rid = report_id(dashboard, "益阳市民政局", 2025)
    page.goto(f"{dashboard.url}/report/{rid}")
    expect(page.locator("table#table-requests")).to_be_visible()
    expect(page.locator("form.review")).to_have_count(0)
    expect(page.locator("td.num a")).to_have_count(0)
    csrf = page.locator("input[name=csrf]").first.get_attribute("value")
    finding = page.locator("li.finding").first.get_attribute("data-finding")
    answer = page.request.post(f"{dashboard.url}/finding/{finding}/review",
                               form={"csrf": csrf or "", "state": "dismissed", "reason": "x"})
    assert answer.status == 403
    answer = page.request.post(f"{dashboard.url}/report/{rid}/correct", form={
        "csrf": csrf or "", "table": "requests", "row": "new", "col": "total", "value": "1", "reason": "x"})
    assert answer.status == 403
    assert page.request.get(f"{dashboard.url}/report/{rid}/correct?table=requests&row=new&col=total").status == 403


def test_a_county_user_sees_only_the_county(browser: Browser, dashboard: Dashboard) -> None:
    page = login(browser, dashboard, "county")
    expect(page.locator("table.matrix th.agency")).to_have_count(1)
    expect(page.locator("table.matrix th.agency")).to_have_text("平江县民政局")
    other = report_id(dashboard, "湘乡市民政局", 2024)
    with Archive.open(dashboard.db_url) as archive, archive.read() as session:
        agency = session.scalar(select(Agency.id).where(Agency.name == "湘乡市民政局"))
    for path in (f"/agency/{agency}", f"/agency/{agency}/panel/0", f"/report/{other}", f"/report/{other}/source/1", f"/report/{other}/correct?table=requests&row=new&col=total"):
        assert page.request.get(dashboard.url + path).status == 404
    csrf = page.locator("input[name=csrf]").first.get_attribute("value")
    answer = page.request.post(f"{dashboard.url}/report/{other}/correct", form={
        "csrf": csrf or "", "table": "requests", "row": "new", "col": "total", "value": "1", "reason": "x"})
    assert answer.status == 404
    answer = page.request.post(f"{dashboard.url}/report/{other}/checked", form={"csrf": "forged"})
    assert answer.status == 403  # without the session's token nothing is even looked up
    page.goto(f"{dashboard.url}/search?q=民政局")
    expect(page.locator("#agency-results li")).to_have_count(1)


def test_hostile_content_is_shown_as_text_and_never_runs(browser: Browser, dashboard: Dashboard) -> None:
    page = login(browser, dashboard, "admin")
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(dashboard.url + "/?agency=恶意")
    link = page.locator("table.matrix th.agency a")
    expect(link).to_have_text(dashboard.hostile_agency)  # the markup is shown as the text it is
    rid = report_id(dashboard, dashboard.hostile_agency, 2024)
    page.goto(f"{dashboard.url}/report/{rid}")
    expect(page.locator("h1")).to_contain_text("<script>")
    frame = page.frame_locator("iframe.source")
    expect(frame.locator("body")).to_contain_text("政府信息公开")
    page.wait_for_timeout(300)
    assert page.evaluate("window.__pwned") is None
    assert page.evaluate("document.querySelectorAll('main script, main img[onerror]').length") == 0
    assert dialogs == []
    assert dashboard.beacon == []  # neither the image nor the style sheet was fetched
    page.goto(f"{dashboard.url}/search?q=恶意")
    expect(page.locator("#agency-results li a")).to_have_text(dashboard.hostile_agency)
    assert page.evaluate("window.__pwned") is None
