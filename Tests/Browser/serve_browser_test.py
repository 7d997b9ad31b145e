#!/usr/bin/python3
"""End-to-end tests of `prunedoc serve` in headless Chromium through chromedriver (Selenium).

Usage: serve_browser_test.py BASE_URL SNAPSHOT_TAR_GZ AGGREGATE_INPUT SCREENSHOT_DIR MUST_GATHER_TAR_GZ
Prints one line per check and a closing 'N passed, N failed'; exits 1 on any failure.
"""
import os
import sys
import time
import traceback

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

base, archive, aggregate_file, shots, must_gather = sys.argv[1:6]
os.makedirs(shots, exist_ok=True)
OWN_SCRIPT = "/static/app.js"


def start(javascript=True):
    opts = webdriver.ChromeOptions()
    opts.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1100,1400",
              "--no-first-run", "--disable-extensions", "--disable-background-networking"):
        opts.add_argument(a)
    if not javascript:
        # The page's own script is blocked too: everything must still work.
        opts.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    d = webdriver.Chrome(service=Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")), options=opts)
    d.set_page_load_timeout(90)
    d.implicitly_wait(2)
    return d


driver = start()

passed, failed = 0, 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"pass  {name}")
    else:
        failed += 1
        print(f"FAIL  {name} {detail}")


def shot(name, width=1100):
    # Full-page screenshot: size the window to the page first.
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(width, min(max(height, 600), 4000))
    driver.save_screenshot(os.path.join(shots, name + ".png"))
    driver.set_window_size(1100, 1400)


def loaded(old):
    """Waits for the page after `old` to have loaded (a loaded machine is slow)."""
    WebDriverWait(driver, 90).until(expected_conditions.staleness_of(old))
    WebDriverWait(driver, 90).until(lambda d: d.execute_script("return document.readyState") == "complete")


def submit():
    """Clicks the form's button and waits for the next page."""
    old = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    loaded(old)


def only_own_script():
    """Every script element of the page is the server's own file, loaded by src."""
    return driver.execute_script(
        "return [...document.scripts].every(s => s.getAttribute('src') === arguments[0] && s.text === '')", OWN_SCRIPT)


def paste(text):
    driver.get(base + "/")
    box = driver.find_element(By.ID, "text")
    # Set the value directly: typing megabytes key by key is slow, and send_keys cannot type ESC bytes.
    driver.execute_script("arguments[0].value = arguments[1];", box, text)
    submit()


try:
    # 1. The documentation's aggregate error: the cause, its fix, its runbook link.
    driver.get(base + "/")
    check("home page has the paste box", driver.find_element(By.ID, "text").is_displayed())
    check("home page has no inline script", only_own_script())
    # The optional script ran under the CSP (script-src 'self'): it adds the Ctrl+Enter hint.
    WebDriverWait(driver, 30).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".hint")) == 1)
    check("the page's own script ran", "Ctrl+Enter" in driver.find_element(By.CSS_SELECTOR, ".hint").text)
    # Keyboard: the text box has focus on load.
    check("paste box has focus", driver.switch_to.active_element.get_attribute("id") == "text")
    shot("serve-home")
    with open(aggregate_file, encoding="utf-8") as f:
        paste(f.read())
    body = driver.find_element(By.TAG_NAME, "body").text
    check("result names x509-unknown-authority", "x509-unknown-authority" in body, body[:300])
    check("result shows the fix", "Fix" in body and len(driver.find_elements(By.CSS_SELECTOR, "article ol li")) > 0)
    shot("serve-result")
    # Copy buttons on code blocks (the evidence); clicking one copies without leaving the page.
    copies = driver.find_elements(By.CSS_SELECTOR, "button.copy")
    check("code blocks have copy buttons", len(copies) > 0 and len(copies) == len(driver.find_elements(By.TAG_NAME, "pre")))
    if copies:
        copies[0].click()
        try:
            WebDriverWait(driver, 10).until(lambda d: copies[0].text == "Copied")
            check("copy button copies", True)
        except Exception:
            check("copy button copies", False, copies[0].text)
    link = driver.find_element(By.CSS_SELECTOR, "a[href='/runbook#x509-unknown-authority']")
    link.click()
    WebDriverWait(driver, 90).until(lambda d: d.current_url.endswith("#x509-unknown-authority"))
    check("runbook link lands on the anchor", driver.current_url.endswith("/runbook#x509-unknown-authority"), driver.current_url)
    target = driver.find_element(By.ID, "x509-unknown-authority")
    check("runbook anchor is in view", driver.execute_script(
        "const r = arguments[0].getBoundingClientRect(); return r.top >= -5 && r.top < window.innerHeight;", target))
    check("runbook is styled (stylesheet loaded under the CSP)", driver.execute_script(
        "return getComputedStyle(document.body).maxWidth") == "980px")
    shot("serve-runbook")

    # 1b. Ctrl+Enter in the paste box submits the form (the optional script).
    driver.get(base + "/")
    box = driver.find_element(By.ID, "text")
    box.send_keys("error: x509: certificate signed by unknown authority")
    old = driver.find_element(By.TAG_NAME, "html")
    # Keys through the actions API, not the element: the page is replaced while the keys are still held.
    ActionChains(driver).key_down(Keys.CONTROL).send_keys(Keys.ENTER).key_up(Keys.CONTROL).perform()
    loaded(old)
    body = driver.find_element(By.TAG_NAME, "body").text
    check("Ctrl+Enter submits the paste", driver.find_element(By.TAG_NAME, "h1").text == "Diagnosis"
          and "x509-unknown-authority" in body, body[:300])

    # 2. A snapshot archive and `why` for the documentation's image.
    driver.get(base + "/")
    driver.find_element(By.ID, "file").send_keys(os.path.abspath(archive))
    driver.find_element(By.ID, "image").send_keys("abf7e465")
    submit()
    body = driver.find_element(By.TAG_NAME, "body").text
    check("snapshot shows the plan summary", "Summary: deleted" in body, body[:300])
    check("why answers for the image", len(driver.find_elements(By.ID, "why")) == 1 and "n/myapp:v2" in body)
    shot("serve-why")

    # 2b. A must-gather archive: doctor's verdict and findings, each linking to its runbook section.
    driver.get(base + "/")
    driver.find_element(By.ID, "file").send_keys(os.path.abspath(must_gather))
    submit()
    body = driver.find_element(By.TAG_NAME, "body").text
    check("must-gather shows doctor's report", driver.find_element(By.TAG_NAME, "h1").text == "Doctor", body[:300])
    check("doctor's verdict is shown", "pruning is failing since 2026-11-29T00:00:05Z" in body, body[:300])
    for rule in ("x509-unknown-authority", "pruner-job-failed"):
        check(f"doctor names {rule} with a runbook link",
              len(driver.find_elements(By.CSS_SELECTOR, f"a[href='/runbook#{rule}']")) == 1, body[:600])
    check("doctor page has no inline script", only_own_script())
    shot("serve-doctor")
    driver.find_element(By.CSS_SELECTOR, "a[href='/runbook#pruner-job-failed']").click()
    WebDriverWait(driver, 90).until(lambda d: d.current_url.endswith("#pruner-job-failed"))
    check("doctor's link lands on the runbook anchor", len(driver.find_elements(By.ID, "pruner-job-failed")) == 1)

    # 3. Hostile input: nothing runs, nothing is a live link.
    payloads = "\n".join([
        "x509: certificate signed by unknown authority <script>document.title='pwned';window.pwned=1</script>",
        "error: <img src=x onerror=\"document.title='pwned';window.pwned=1\"> failed",
        "error: see <a id=jslink href=\"javascript:window.pwned=1\">here</a> javascript:window.pwned=1",
        "Error: \x1b]0;pwned\x07\x1b[31mred\x1b[0m failed",
        "Get https://reg<svg onload=\"window.pwned=1\">.example:5000/v2/: x509: certificate signed by unknown authority",
    ]) + "\n"
    paste(payloads)
    time.sleep(0.5)
    check("no payload changed the title", driver.title != "pwned", driver.title)
    check("no payload set a global", driver.execute_script("return typeof window.pwned") == "undefined")
    check("no element came from the input", driver.execute_script(
        "return document.querySelectorAll('img, svg, #jslink').length") == 0 and only_own_script())
    # The page's own script did run on this page (so the CSP let it), while nothing in the input did.
    check("only the page's own script ran", len(driver.find_elements(By.CSS_SELECTOR, "button.copy")) > 0)
    check("no javascript: link", driver.execute_script(
        "return [...document.links].filter(a => a.protocol === 'javascript:').length") == 0)
    body = driver.find_element(By.TAG_NAME, "body").text
    check("the payload is shown as text", "<script>" in body, body[:300])
    check("terminal escapes are shown escaped", "\x1b" not in body and "\\x1b" in body.lower(), body[:400])
    shot("serve-hostile")

    # 4. Phone width: no horizontal scrolling on the home page.
    driver.set_window_size(390, 844)
    driver.get(base + "/")
    check("home fits a phone", driver.execute_script(
        "return document.documentElement.scrollWidth <= window.innerWidth + 1"))
    driver.save_screenshot(os.path.join(shots, "serve-phone.png"))
    driver.quit()

    # 5. Without JavaScript at all: the paste and the must-gather still work, and no nicety appears.
    driver = start(javascript=False)
    driver.get(base + "/")
    check("no-JS: home has no hint (the script did not run)", len(driver.find_elements(By.CSS_SELECTOR, ".hint")) == 0)
    driver.find_element(By.ID, "text").send_keys("error: x509: certificate signed by unknown authority")
    submit()
    body = driver.find_element(By.TAG_NAME, "body").text
    check("no-JS: paste gives the diagnosis", "x509-unknown-authority" in body, body[:300])
    check("no-JS: no copy buttons", len(driver.find_elements(By.CSS_SELECTOR, "button.copy")) == 0)
    driver.get(base + "/")
    driver.find_element(By.ID, "file").send_keys(os.path.abspath(must_gather))
    submit()
    body = driver.find_element(By.TAG_NAME, "body").text
    check("no-JS: must-gather gives doctor's report", "x509-unknown-authority" in body and "pruner-job-failed" in body, body[:300])
except Exception:
    # A step that could not run is a failure with its cause, not a silent stop.
    check("every step ran", False, traceback.format_exc())
finally:
    driver.quit()

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
