"""A headless Chromium from the system's packages, driven by Selenium; tests skip with the
reason when either is missing (CI installs them: .ci/run)."""
import shutil
import tempfile
import time
from contextlib import contextmanager

import pytest

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1100,900"]


def _binaries():
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if not browser or not driver:
        pytest.skip("no system Chromium and chromedriver (apt-get install chromium chromium-driver)")
    pytest.importorskip("selenium", reason="selenium is in the web extra (pip install -e '.[web]')")
    return browser, driver


@contextmanager
def chromium():
    """A fresh headless browser with its own profile; console messages readable through
    `driver.get_log("browser")`."""
    browser, driver_path = _binaries()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    profile = tempfile.mkdtemp(prefix="redqueen-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in CHROMIUM_FLAGS + [f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def console_errors(driver) -> list[dict]:
    return [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def play_until_it_moves(driver, seconds: float = 20) -> None:
    """Press a replay page's play button and wait until its counter leaves 0."""
    cycle = driver.find_element("id", "cycle")
    driver.find_element("id", "play").click()
    deadline = time.time() + seconds
    while int(cycle.text) == 0 and time.time() < deadline:
        time.sleep(0.05)
    assert int(cycle.text) > 0


def jump_to_the_end(driver) -> int:
    """Move a replay page's slider to its last frame; returns the frame count."""
    total = int(driver.find_element("id", "total").text)
    driver.execute_script(f"const s = document.getElementById('slider'); s.value = {total};"
                          "s.dispatchEvent(new Event('input'));")
    return total
