"""The admin's journey through the console in a real browser, step by step, as the admin takes it:
sign in with Slack, connect the four platforms, import, select teams, choose a primary, sync a
person and watch the consent arrive, reprompt, reset, remove; then what a viewer and another
organization's member may see. Run by scripts/test (see conftest.py for the stack)."""

import json
import re
import urllib.parse

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select

from conftest import WAIT, Browser

PLATFORMS = [("slack", "Slack"), ("teams", "Microsoft Teams"), ("zoom", "Zoom"), ("webex", "Webex")]


def sign_in_with_slack(browser, invitation, login=None):
    """Opens an invitation link and accepts it at the simulated Slack sign-in page."""
    browser.driver.get(invitation)
    browser.wait_for_text("You are invited to")
    browser.shot("invitation")
    browser.click_text("Sign in with Slack", "a")
    browser.wait_for_text("Sign in as (email or user id)")
    if login is not None:
        field = browser.find("input[name=login]")
        field.clear()
        field.send_keys(login)
    browser.shot("slack-sign-in")
    browser.click("button[name=decision][value=allow]")
    browser.wait(EC.url_contains("/console/"), "the sign-in did not end in the console")


def test_the_admins_journey(stack, browser):
    stack.create_organization("acme")
    owner = stack.admins("acme")[0]

    # Sign in with Slack through the one-time link `usersync orgs invite` printed.
    sign_in_with_slack(browser, stack.invitation("acme", email=owner["email"]))
    browser.wait_for_text("Connect Center")
    assert "No platform is connected yet" in browser.text()
    assert owner["displayName"] in browser.text()
    browser.shot("connect-center-empty")

    # Connect the four platforms, each through its form (credentials verified before saving).
    for platform, name in PLATFORMS:
        connection = stack.connection("acme", platform)
        browser.driver.get(f"{stack.url}/console/acme/connect")
        browser.click_text(f"Connect {name}", "a")
        browser.wait_for_text(f"Connect {name}")
        for field, value in connection["credentials"].items():
            browser.find(f"input[name='credentials.{field}']").send_keys(value)
        browser.click("details summary")
        browser.visible("input[name=api_base_url]").send_keys(connection["api_base_url"])
        browser.find("input[name=auth_base_url]").send_keys(connection["auth_base_url"])
        browser.shot(f"connect-{platform}-form")
        browser.click("form.credentials button[type=submit]")
        browser.wait_for_text("Connected. The credentials were verified")
        browser.shot(f"connected-{platform}")
    browser.driver.get(f"{stack.url}/console/acme/connect")
    assert len(browser.driver.find_elements(By.CSS_SELECTOR, ".connection.state-connected")) == 4
    browser.shot("connect-center-four")

    # Import Slack and Zoom: the clock while it runs, then the check with the finish time.
    browser.driver.get(f"{stack.url}/console/acme/import")
    for platform in ("slack", "zoom"):
        endpoint = "users.list" if platform == "slack" else "users"
        # The platform answers its first listing slowly, so the import is seen running.
        stack.sim("POST", "/_sim/faults", {"platform": platform, "endpoint": endpoint, "kind": "latency", "latencyMs": 8000, "times": 1})
        row_id = import_row(browser, dict(PLATFORMS)[platform])
        browser.click_xpath(f"//tr[@id='{row_id}']//button[normalize-space(.)='Import users']")
        browser.wait(lambda _: row_shows(browser, row_id, ("Import queued", "Importing"), "#i-pending"), f"{platform}: no clock while importing")
        browser.shot(f"import-{platform}-running")
        # The row turns to the check by itself (live refresh), without reloading the page.
        browser.wait(lambda _: row_shows(browser, row_id, ("Imported",), "#i-synced"), f"{platform}: the import never finished")
        browser.shot(f"import-{platform}-done")

    # Teams and Webex: select teams in the searchable picker, then import them.
    for platform, name in (("teams", "Microsoft Teams"), ("webex", "Webex")):
        browser.driver.get(f"{stack.url}/console/acme/import")
        row_id = import_row(browser, name)
        browser.click_xpath(f"//tr[@id='{row_id}']//a[normalize-space(.)='Select teams']")
        browser.wait_for_text("Select teams")
        boxes = browser.driver.find_elements(By.CSS_SELECTOR, "input[name=team]")
        assert boxes, f"{name} lists no teams"
        # Search narrows the list to matching names.
        first = browser.driver.find_element(By.CSS_SELECTOR, ".checklist label strong").text
        search = browser.find("input[name=q]")
        search.send_keys(first[:4])
        search.send_keys(Keys.ENTER)
        browser.wait(lambda d: d.find_element(By.CSS_SELECTOR, "input[name=q]").get_attribute("value") == first[:4])
        labels = [label.text for label in browser.driver.find_elements(By.CSS_SELECTOR, ".checklist label strong")]
        assert labels and all(first[:4].lower() in label.lower() for label in labels)
        browser.shot(f"teams-{platform}-search")
        browser.driver.get(f"{stack.url}/console/acme/connections/{row_id.removeprefix('import-')}/teams")
        for box in browser.driver.find_elements(By.CSS_SELECTOR, "input[name=team]"):
            if not box.is_selected():
                box.click()
        browser.shot(f"teams-{platform}-selected")
        browser.click_text("Save and import teams and users", "button")
        browser.wait(lambda _: row_shows(browser, row_id, ("Imported",)), f"{name}: the import never finished")
        browser.shot(f"import-{platform}-done")

    # Sync users: a person on several platforms needs a primary, chosen from the dropdown.
    browser.driver.get(f"{stack.url}/console/acme/people?primary=choose")
    browser.find("table.people")
    browser.shot("sync-users-needs-primary")
    row = browser.driver.find_element(By.CSS_SELECTOR, "table.people tbody tr")
    person_id = row.get_attribute("id").removeprefix("person-")
    person = stack.api("GET", f"/v1/orgs/acme/people/{person_id}")
    dropdown = Select(row.find_element(By.CSS_SELECTOR, "select[name=connection_id]"))
    options = {option.text: option.get_attribute("value") for option in dropdown.options if option.get_attribute("value")}
    connections = {c["platform"]: c["id"] for c in stack.api("GET", "/v1/orgs/acme/connections")["items"]}
    platforms = [a["platform"] for a in person["accounts"] if a["active"]]
    primary = "slack" if "slack" in platforms else platforms[0]
    primary_label = next(label for label, value in options.items() if value == connections[primary])
    dropdown.select_by_visible_text(primary_label)  # the script saves it at once
    browser.wait_for_text("Primary platform saved.")
    browser.shot("primary-chosen")
    assert stack.api("GET", f"/v1/orgs/acme/people/{person_id}")["primary"]["platform"] == primary

    # A not-created secondary where the person has an account: the pop-up says they will be prompted.
    secondary = next(p for p in platforms if p != primary)
    browser.driver.get(f"{stack.url}/console/acme/people?q={urllib.parse.quote(person['email'])}")
    browser.click(f"#person-{person_id} td.sync.state-not_created a[href*='/sync/{connections[secondary]}']")
    dialog = browser.visible("dialog.popup")
    assert "must authorize" in dialog.text and "UserSync bot" in dialog.text, dialog.text
    browser.shot("sync-popup")
    dialog.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    browser.wait_for_text("Sync started")
    browser.wait(lambda d: d.find_elements(By.CSS_SELECTOR, f"#person-{person_id} td.sync.state-pending"), "no pending sync")
    browser.shot("sync-pending")

    # The person approves the consent page they were sent; the row turns green by itself.
    link = wait_for_consent_link(stack, browser, person, primary)
    account = next(a for a in person["accounts"] if a["platform"] == secondary)
    consent = Browser("test_the_admins_journey-consent")
    try:
        consent.driver.get(link)
        consent.wait_for_text("Sign in as")
        field = consent.find("input[name=login]")
        field.clear()
        field.send_keys(account["platform_user_id"])
        consent.shot("consent-page")
        consent.click("button[name=decision][value=allow]")
        consent.wait_for_text("You are all set")
        consent.shot("consent-done")
    finally:
        consent.close()
    browser.wait(lambda d: d.find_elements(By.CSS_SELECTOR, f"#person-{person_id} td.sync.state-synced"), "the sync never showed synced")
    browser.shot("sync-synced")

    # Reprompt someone still waiting: the menu, the pop-up, the notice.
    waiting = start_pending_link(stack, connections)
    browser.driver.get(f"{stack.url}/console/acme/people/{waiting}")
    browser.click_text("Reprompt user", "a")
    dialog = browser.visible("dialog.popup")
    assert "new link" in dialog.text
    browser.shot("reprompt-popup")
    dialog.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    browser.wait_for_text("A new consent link is being sent.")
    browser.shot("reprompted")

    # Reset the first person through the three-dot menu on the list.
    browser.driver.get(f"{stack.url}/console/acme/people?q={urllib.parse.quote(person['email'])}")
    browser.click(f"#person-{person_id} details.menu summary")
    browser.click_text("Reset user", "a")
    dialog = browser.visible("dialog.popup")
    assert "Breaks every sync" in dialog.text
    browser.shot("reset-popup")
    dialog.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    browser.wait_for_text("Reset queued")
    browser.wait(lambda _: not stack.api("GET", f"/v1/orgs/acme/people/{person_id}")["syncs"], "the reset never finished")
    browser.shot("reset-done")

    # Remove them: confirmed in the pop-up, then gone from the list.
    browser.driver.get(f"{stack.url}/console/acme/people?q={urllib.parse.quote(person['email'])}")
    browser.click(f"#person-{person_id} details.menu summary")
    browser.click_text("Remove user", "a")
    dialog = browser.visible("dialog.popup")
    assert "deletes" in dialog.text
    dialog.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    browser.wait_for_text("Removal queued")
    browser.wait(lambda _: not people_named(stack, person["email"]), "the person was never removed")
    browser.driver.refresh()
    assert not browser.driver.find_elements(By.ID, f"person-{person_id}")
    browser.shot("removed")

    # Bulk: tick two people and review a sync onto Zoom; the pop-up counts what will happen.
    browser.driver.get(f"{stack.url}/console/acme/people?primary=slack")
    ticks = [tick.get_attribute("value") for tick in browser.driver.find_elements(By.CSS_SELECTOR, "input[name=person_id]")[:2]]
    for tick in ticks:
        browser.click(f"input[name=person_id][value='{tick}']")
    browser.wait_for_text("2 people ticked")
    Select(browser.find("#bulk-action")).select_by_visible_text(next(
        o.text for o in Select(browser.find("#bulk-action")).options if o.text.startswith("Sync onto") and "zoom" in o.text.lower()))
    browser.click("#bulk button[data-dialog-submit]")
    dialog = browser.visible("dialog.popup")
    assert "Of the 2 people chosen" in dialog.text, dialog.text
    browser.shot("bulk-popup")
    dialog.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    browser.wait_for_text("done")
    browser.shot("bulk-done")

    # Every other page is there, and readable on a phone.
    for page in ("activity", "keys", "members", "jobs"):
        browser.driver.get(f"{stack.url}/console/acme/{page}")
        browser.find("main h1")
        browser.shot(page)
    # A desktop browser window cannot be narrower than 500 px: a phone's 360 px is emulated.
    browser.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                   {"width": 360, "height": 780, "deviceScaleFactor": 1, "mobile": False})
    for page in ("people", "connect", "import", "activity", "members", "keys", "jobs"):
        browser.driver.get(f"{stack.url}/console/acme/{page}")
        browser.find("main h1")
        width = browser.driver.execute_script("return document.documentElement.scrollWidth")
        assert width <= 360, f"{page} is {width}px wide on a 360 px screen"
        browser.shot(f"{page}-360px")


def import_row(browser, platform_name):
    """The id of the import page's row for a platform (live refresh may replace rows meanwhile)."""
    return browser.wait(lambda driver: driver.execute_script(
        "const row = [...document.querySelectorAll('table.imports tbody tr')]"
        ".find(r => r.querySelector('th .platform-name')?.innerText.trim() === arguments[0]);"
        "return row ? row.id : null;", platform_name), f"no import row for {platform_name}")


def row_shows(browser, row_id, texts, icon=None):
    """Whether a row reads one of `texts` and shows `icon` (when given), both seen in one look at it."""
    row = browser.element(f"#{row_id}")
    return row is not None and any(text in row["text"] for text in texts) and icon in (None, row["icon"])


def people_named(stack, email):
    return stack.api("GET", f"/v1/orgs/acme/people?q={urllib.parse.quote(email)}")["items"]


def wait_for_consent_link(stack, browser, person, primary):
    account = next(a for a in person["accounts"] if a["platform"] == primary)
    def link(_):
        messages = stack.sim("GET", f"/_sim/orgs/acme/messages?platform={primary}&to={account['platform_user_id']}")
        found = [m["link"] for m in messages if m.get("link") and "/consent/" in m["link"]]
        return found[-1] if found else None
    return browser.wait(link, "the person was never sent a consent link")


def start_pending_link(stack, connections):
    """Starts, through the API, a sync that waits for its person's consent; returns the person."""
    people = stack.api("GET", "/v1/orgs/acme/people?limit=200&platforms=slack,teams&needs_primary_choice=true")["items"]
    candidate = people[0]
    stack.api("PUT", f"/v1/orgs/acme/people/{candidate['id']}/primary", {"platform": "slack"})
    stack.api("POST", f"/v1/orgs/acme/people/{candidate['id']}/syncs", {"connection_id": connections["teams"]})
    return candidate["id"]


def test_a_viewer_sees_everything_and_can_change_nothing(stack, browser):
    stack.create_organization("acme")
    if not stack.api("GET", "/v1/orgs/acme/connections")["items"]:
        body = stack.connection("acme", "slack")
        stack.api("POST", "/v1/orgs/acme/connections", body)
    viewer = next(p for p in stack.sim("GET", "/_sim/orgs/acme/people?limit=100")
                  if any(a["platform"] == "slack" and a["active"] and not a["pending"] for a in p["accounts"])
                  and p["email"] not in {admin["email"] for admin in stack.admins("acme")})
    slack_id = next(a["id"] for a in viewer["accounts"] if a["platform"] == "slack")
    sign_in_with_slack(browser, stack.invitation("acme", role="viewer"), login=slack_id)
    browser.wait_for_text("You have the viewer role")
    for page in ("connect", "import", "people", "members"):
        browser.driver.get(f"{stack.url}/console/acme/{page}")
        browser.find("main h1")
        browser.shot(f"viewer-{page}")
        enabled = [b.text for b in browser.driver.find_elements(By.CSS_SELECTOR, "main button[type=submit]")
                   if b.is_enabled() and b.text not in ("Apply", "Search", "Sign out")]
        assert not enabled, f"{page}: a viewer can press {enabled}"
    # The server refuses even a form the page never offered.
    connection = stack.api("GET", "/v1/orgs/acme/connections")["items"][0]["id"]
    browser.driver.get(f"{stack.url}/console/acme/connections/{connection}/disconnect")
    assert browser.driver.find_element(By.CSS_SELECTOR, "main button[type=submit]").is_enabled() is False
    browser.driver.execute_script("document.querySelector('main button[type=submit]').disabled = false")
    browser.driver.find_element(By.CSS_SELECTOR, "main button[type=submit]").click()
    browser.wait_for_text("which can look but not change anything")
    browser.shot("viewer-refused")
    assert stack.api("GET", f"/v1/orgs/acme/connections/{connection}")["health"]["state"] != "disconnected"


def test_another_organizations_member_cannot_reach_these_pages(stack, browser):
    stack.create_organization("acme")
    stack.create_organization("globex")
    owner = stack.admins("globex")[0]
    sign_in_with_slack(browser, stack.invitation("globex", email=owner["email"]))
    browser.wait_for_text("Globex Corp")
    for page in ("", "/connect", "/people", "/members"):
        browser.driver.get(f"{stack.url}/console/acme{page}")
        browser.wait_for_text("Not found")
        assert "Acme" not in browser.text()
    browser.shot("other-organization-not-found")
    # Keyboard only: the skip link, then the navigation, reach the pages.
    browser.driver.get(f"{stack.url}/console/globex/people")
    body = browser.driver.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.TAB)
    assert browser.driver.switch_to.active_element.text == "Skip to content"
    browser.shot("keyboard-skip-link")
