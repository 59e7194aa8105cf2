"""The stack the browser tests drive, and the browsers that drive it.

One real stack for the session: a database cloned from the test template that scripts/test
migrated, the platform simulator, `usersync serve` and `usersync work` with the console's sign-in
pointed at the simulator's identity providers. Each test gets its own headless Chromium (Debian's
chromium and chromium-driver through Selenium) and saves a screenshot per step under
.build/browser-screenshots/<test>/ so a failure can be looked at.
"""

import json
import os
import pathlib
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.support.ui import WebDriverWait

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / ".build" / "browser-screenshots"
OPERATOR_TOKEN = "browser-tests-operator-token-0123456789abcdef"
# Generous: CI shares a busy two-core machine. Tests wait for what the admin would see, never a fixed time.
WAIT = 90


def free_port():
    """A free loopback port below Linux's ephemeral range."""
    for _ in range(200):
        port = 20000 + int.from_bytes(os.urandom(2), "big") % 12000
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise RuntimeError("no free port")


def url_with(url, database, user=None):
    parts = urllib.parse.urlsplit(url)
    netloc = parts.netloc
    if user is not None:
        host = netloc.rsplit("@", 1)[-1]
        netloc = f"{user}@{host}"
    query = parts.query or "sslmode=disable"
    return urllib.parse.urlunsplit((parts.scheme, netloc, "/" + database, query, ""))


def psql(admin_url, sql):
    subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", admin_url, "-c", sql], check=True,
                   stdout=subprocess.DEVNULL)


class Stack:
    """The simulator, `usersync serve` and `usersync work` on a database of their own."""

    def __init__(self):
        self.admin_url = os.environ["USERSYNC_TEST_ADMIN_URL"]
        template = os.environ["USERSYNC_TEST_TEMPLATE"]
        self.binary = str(ROOT / ".build" / "debug" / "usersync")
        self.simulator_binary = str(ROOT / ".build" / "debug" / "usersync-simulator")
        self.database = f"usersync_browser_{os.getpid()}"
        psql(self.admin_url, f'CREATE DATABASE "{self.database}" TEMPLATE "{template}" OWNER usersync_owner')
        self.processes = []
        self.logs = ROOT / ".build" / "browser-logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        simulator_port, port = free_port(), free_port()
        self.simulator = f"http://127.0.0.1:{simulator_port}"
        self.url = f"http://127.0.0.1:{port}"
        self.start("simulator", [self.simulator_binary, "--port", str(simulator_port), "--org", "acme:7:60",
                                 "--org", "globex:9:30", "--org", "initech:11:40", "--log-level", "warning"], {})
        environment = {
            "DATABASE_URL": url_with(self.admin_url, self.database, "usersync_service"),
            "USERSYNC_OPERATOR_TOKEN": OPERATOR_TOKEN,
            "USERSYNC_ENCRYPTION_KEYS": "browser:" + "QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkI=",
            "USERSYNC_HTTP_HOST": "127.0.0.1",
            "USERSYNC_HTTP_PORT": str(port),
            "USERSYNC_PUBLIC_URL": self.url,
            "USERSYNC_ALLOW_INSECURE_PLATFORM_URLS": "true",
            "USERSYNC_PLATFORM_HOSTS": "127.0.0.1",
            "USERSYNC_ALLOW_INTERNAL_PLATFORM_ADDRESSES": "true",
            "USERSYNC_PLATFORM_PACING": "off",
            "USERSYNC_WORKER_METRICS_PORT": "0",
            "USERSYNC_WORKER_POLL_INTERVAL_MS": "200",
            "USERSYNC_AUTO_SYNC_SWEEP_SECONDS": "1",
            "USERSYNC_LOG_LEVEL": "warning",
            "USERSYNC_SQL_DIR": str(ROOT / "sql"),
            "USERSYNC_SLACK_SIGN_IN_CLIENT_ID": "usersync-sign-in",
            "USERSYNC_SLACK_SIGN_IN_CLIENT_SECRET": "usersync-sign-in-secret",
            "USERSYNC_SLACK_SIGN_IN_ISSUER": f"{self.simulator}/slack",
            "USERSYNC_MICROSOFT_SIGN_IN_CLIENT_ID": "usersync-sign-in",
            "USERSYNC_MICROSOFT_SIGN_IN_CLIENT_SECRET": "usersync-sign-in-secret",
            "USERSYNC_MICROSOFT_SIGN_IN_AUTHORITY": f"{self.simulator}/login/organizations/v2.0",
        }
        self.environment = environment
        self.start("serve", [self.binary, "serve"], environment)
        self.start("work", [self.binary, "work"], environment)
        self.wait_until_ready()

    def start(self, name, arguments, environment):
        log = open(self.logs / f"{name}.log", "w")
        process = subprocess.Popen(arguments, env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **environment},
                                   stdout=log, stderr=subprocess.STDOUT)
        self.processes.append((name, process, log))

    def wait_until_ready(self):
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            for name, process, _ in self.processes:
                if process.poll() is not None:
                    raise RuntimeError(f"{name} exited with {process.returncode}; see .build/browser-logs/{name}.log")
            try:
                urllib.request.urlopen(f"{self.url}/readyz", timeout=5)
                urllib.request.urlopen(f"{self.simulator}/_sim/health", timeout=5)
                return
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.2)
        raise RuntimeError(f"the stack was not ready within {WAIT} s")

    def stop(self):
        for name, process, log in reversed(self.processes):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    print(f"{name} did not exit within 30 s of SIGTERM; killing it")
                    process.kill()
                    process.wait(timeout=10)
            log.close()
        try:
            psql(self.admin_url, f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
        except subprocess.CalledProcessError:
            pass

    # --- The JSON API and the simulator's control API, for setting up and for what a test cannot see.

    def api(self, method, path, body=None, token=OPERATOR_TOKEN):
        request = urllib.request.Request(self.url + path, method=method,
                                         data=None if body is None else json.dumps(body).encode(),
                                         headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read().decode()
            return json.loads(text) if text else None

    def sim(self, method, path, body=None):
        request = urllib.request.Request(self.simulator + path, method=method,
                                         data=None if body is None else json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read().decode()
            return json.loads(text) if text else None

    def create_organization(self, slug):
        try:
            self.api("POST", "/v1/orgs", {"slug": slug, "name": slug.capitalize() + " Corp"})
        except urllib.error.HTTPError as error:
            if error.code != 409:
                raise

    def invitation(self, org, role="admin", email=None):
        """A one-time console link, as `usersync orgs invite` prints it."""
        arguments = [self.binary, "orgs", "invite", org, "--role", role] + (["--email", email] if email else [])
        output = subprocess.run(arguments, env={"PATH": "/usr/bin:/bin", **self.environment}, check=True,
                                capture_output=True, text=True).stdout
        return output.splitlines()[0].strip()

    def admins(self, organization, platform="slack"):
        return self.sim("GET", f"/_sim/orgs/{organization}")["admins"][platform]

    def connection(self, organization, platform):
        return self.sim("GET", f"/_sim/orgs/{organization}/usersync-connections/{platform}")


@pytest.fixture(scope="session")
def stack():
    started = Stack()
    try:
        yield started
    finally:
        started.stop()


class Browser:
    """A headless Chromium with the steps a test takes, each saving a screenshot."""

    def __init__(self, test_name, width=1280, height=900):
        options = webdriver.ChromeOptions()
        options.binary_location = shutil.which("chromium")
        for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                         f"--window-size={width},{height}", "--lang=en-US", "--no-first-run"):
            options.add_argument(argument)
        self.driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
        self.driver.set_page_load_timeout(WAIT)
        self.folder = SCREENSHOTS / re.sub(r"[^A-Za-z0-9_.-]", "_", test_name)
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.step = 0

    def shot(self, name):
        self.step += 1
        self.driver.save_screenshot(str(self.folder / f"{self.step:02d}-{name}.png"))

    def wait(self, condition, message="", timeout=WAIT):
        # Live refresh replaces rows while a test looks at them: a vanished element is looked up again.
        return WebDriverWait(self.driver, timeout, poll_frequency=0.2,
                             ignored_exceptions=(NoSuchElementException, StaleElementReferenceException)).until(condition, message)

    def find(self, css):
        return self.wait(EC.presence_of_element_located((By.CSS_SELECTOR, css)), f"no element {css}")

    def visible(self, css):
        return self.wait(EC.visibility_of_element_located((By.CSS_SELECTOR, css)), f"{css} is not visible")

    def click(self, css):
        return self._click((By.CSS_SELECTOR, css), f"{css} is not clickable")

    def click_text(self, text, tag="*"):
        return self.click_xpath(f"//{tag}[normalize-space(.)={json.dumps(text)}]", f"nothing to click reads {text!r}")

    def click_xpath(self, xpath, message=None):
        return self._click((By.XPATH, xpath), message or f"{xpath} is not clickable")

    def _click(self, locator, message):
        # Found and clicked in one turn of the wait: an element live refresh replaced in between
        # is stale, and the next turn finds its replacement.
        def clicked(driver):
            element = EC.element_to_be_clickable(locator)(driver)
            if element:
                element.click()
            return element
        return self.wait(clicked, message)

    def text(self):
        # One script call reads the document that is there: a `body` element found before a form's
        # navigation and read after it is a node of a document that is gone, which ChromeDriver
        # reports as an "unknown error", not as a stale element.
        return self.driver.execute_script("return document.body ? document.body.innerText : ''")

    def element(self, css):
        """The text of the first element `css` selects and the link of its first icon, or None when
        the page has no such element, read in one script call for the same reason as `text`."""
        return self.driver.execute_script(
            "const e = document.querySelector(arguments[0]);"
            "if (!e) return null;"
            "const icon = e.querySelector('use');"
            "return {text: e.innerText, icon: icon ? icon.getAttribute('href') : null};", css)

    def wait_for_text(self, text, timeout=WAIT):
        self.wait(lambda driver: text in self.text(), f"the page never said {text!r}", timeout=timeout)

    def close(self):
        self.driver.quit()


@pytest.fixture
def browser(request):
    opened = Browser(request.node.name)
    yield opened
    if request.node.rep_call.failed if hasattr(request.node, "rep_call") else False:
        opened.shot("failure")
    opened.close()


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, "rep_" + report.when, report)
