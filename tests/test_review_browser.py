"""The review and search pages in a real browser (Debian's chromium and chromedriver), over a
real SeaweedFS: log in, walk the queue, correct a field, search, open a hit.

``SOHOA_SCREENSHOTS=docs/img`` also keeps the screenshots the docs show.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest
import uvicorn

from pipeline import archive, search
from sohoa.web import users
from sohoa.web.app import Library, create_app
from tests.review_dossier import decision_dossier
from tests.seaweed import seaweed  # noqa: F401

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
pytestmark = pytest.mark.skipif(
    not (CHROMIUM.exists() and CHROMEDRIVER.exists()) and not os.environ.get("CI"),
    reason="needs Debian's chromium and chromium-driver (scripts/install-system-packages.sh)",
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def site(seaweed, tmp_path: Path):  # noqa: F811
    store = seaweed.bucket(object_lock=True)
    keys = [archive.archive_dossier(store, *decision_dossier(tmp_path / str(n), n)).key for n in (41, 42)]
    users.add(tmp_path / "reviewers.yaml", "lan", "mat-khau-dai")
    library = Library(store, search.SqliteIndex(tmp_path / "search.sqlite"),
                      users=lambda: users.load(tmp_path / "reviewers.yaml"))
    library.sync()
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(library, cookie_key="k" * 32), host="127.0.0.1",
                                           port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", store, sorted(keys)
    server.should_exit = True
    thread.join(10)


@pytest.fixture
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000",
                "--lang=vi"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.implicitly_wait(5)
    yield driver
    driver.quit()


def _shot(driver, tmp_path: Path, name: str) -> None:
    path = tmp_path / f"{name}.png"
    driver.save_screenshot(str(path))
    if keep := os.environ.get("SOHOA_SCREENSHOTS"):
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(keep) / path.name)


def _image_loaded(driver, element) -> bool:
    return driver.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", element)


def _arrives(driver, path: str, seconds: float = 10.0) -> bool:
    """Whether the browser's address comes to hold ``path`` (its query aside) within
    ``seconds``: a form sent or a link followed with Enter navigates after the key is sent."""
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    try:
        WebDriverWait(driver, seconds).until(
            lambda d: path in d.current_url.split("?")[0])
        return True
    except TimeoutException:
        return False


def test_login_queue_correct_a_field_search_open_a_hit(site, browser, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    url, store, keys = site
    browser.get(url + "/queue")
    assert "/login" in browser.current_url
    browser.find_element(By.ID, "username").send_keys("lan")
    browser.find_element(By.ID, "password").send_keys("sai-mat-khau" + Keys.ENTER)
    assert "Sai tên đăng nhập hoặc mật khẩu" in browser.find_element(By.CLASS_NAME, "error").text
    browser.find_element(By.ID, "username").send_keys("lan")
    browser.find_element(By.ID, "password").send_keys("mat-khau-dai" + Keys.ENTER)

    # The queue: both dossiers of the commune, walked with the keyboard.
    assert _arrives(browser, "/queue"), browser.current_url
    links = browser.find_elements(By.CLASS_NAME, "dossier-link")
    assert [a.text for a in links] == ["Hồ sơ giao đất số 42", "Hồ sơ giao đất số 41"]  # by key: 2020, 2025
    assert "Xã Đức Trọng (24958): 2/2" in browser.find_element(By.CLASS_NAME, "communes").text
    _shot(browser, tmp_path, "review-queue")
    browser.find_element(By.TAG_NAME, "body").send_keys("j")
    browser.switch_to.active_element.send_keys(Keys.ENTER)

    # The dossier: each flagged field beside the scan cropped round it, Vietnamese first.
    assert _arrives(browser, "/dossier"), browser.current_url
    fields = browser.find_elements(By.CSS_SELECTOR, "section.field")
    assert [f.find_element(By.TAG_NAME, "label").text for f in fields] == [
        "Hồ sơ · Chế độ sử dụng (01 công khai, 02 hạn chế, 03 mật)",
        "Văn bản 1 · Trích yếu nội dung", "Văn bản 1 · Họ tên người ký"]
    assert "máy đọc chưa chắc chắn" in fields[1].text and "low OCR confidence" in fields[1].text
    assert not fields[0].find_elements(By.TAG_NAME, "img")  # a dossier field: on no page
    for f in fields[1:]:
        img = f.find_element(By.TAG_NAME, "img")
        browser.execute_script("arguments[0].scrollIntoView()", img)
        for _ in range(50):
            if _image_loaded(browser, img):
                break
            time.sleep(0.1)
        assert _image_loaded(browser, img)
    assert browser.switch_to.active_element.get_attribute("name") == "f::mode"
    browser.switch_to.active_element.send_keys("01" + Keys.TAB)
    subject = browser.switch_to.active_element
    assert subject.get_attribute("value") == "Về việc giao đắt ớ cho hộ gia đinh"
    subject.clear()
    subject.send_keys("Về việc giao đất ở cho hộ gia đình")
    browser.execute_script("arguments[0].scrollIntoView()", fields[0])
    _shot(browser, tmp_path, "review-dossier")
    subject.send_keys(Keys.ENTER)  # the signer's name is left as read: confirmed

    # Saved: on to the next dossier of the queue, and the archive holds a new version.
    assert "Đã lưu Hồ sơ giao đất số 42: 2 trường sửa, 1 trường xác nhận" in browser.find_element(
        By.CLASS_NAME, "flash").text
    assert "Hồ sơ giao đất số 41" in browser.find_element(By.TAG_NAME, "h1").text
    record = json.loads(archive.read_file(store, keys[0], archive.RECORD))
    assert record["dossier"]["mode"] == "01" and record["documents"][0]["needsReview"] == []
    assert record["documents"][0]["subject"] == "Về việc giao đất ở cho hộ gia đình"
    assert [(e["type"], e["by"], e["field"], e["old"], e["new"]) for e in record["events"]] == [
        ("correction", "lan", "mode", None, "01"),
        ("correction", "lan", "subject", "Về việc giao đắt ớ cho hộ gia đinh", "Về việc giao đất ở cho hộ gia đình"),
        ("confirmation", "lan", "signer.fullName", "Nguyễn Văn An", "Nguyễn Văn An"),
    ]
    assert len(store.versions(keys[0] + archive.RECORD)) == 2
    report = archive.audit(store, dossier=keys[0])
    assert report.ok, report.findings
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.ESCAPE)  # skip: back to the queue
    assert [a.text for a in browser.find_elements(By.CLASS_NAME, "dossier-link")] == ["Hồ sơ giao đất số 41"]

    # Search without accents; the hit opens the page with the words highlighted.
    browser.get(url + "/search")
    box = browser.find_element(By.ID, "q")
    box.send_keys("dat dai")
    browser.find_element(By.ID, "commune").send_keys("Xã Đức Trọng")
    browser.find_element(By.ID, "go").click()
    hits = browser.find_elements(By.CLASS_NAME, "hit")
    assert len(hits) == 2
    marks = [m.text for m in browser.find_elements(By.CSS_SELECTOR, "#hits mark")]
    assert "Đất" in marks and "đai" in marks
    _shot(browser, tmp_path, "review-search")
    hits[0].click()
    page = browser.find_element(By.ID, "page")
    for _ in range(50):
        if _image_loaded(browser, page):
            break
        time.sleep(0.1)
    assert _image_loaded(browser, page)
    # "đất" four times, "đai" once: each boxed on the scan
    assert browser.find_element(By.ID, "found").text.startswith("5 chữ khớp")
    _shot(browser, tmp_path, "review-hit")
