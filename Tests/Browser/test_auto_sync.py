"""Auto Sync in a real browser: an admin picks an Entra group in the live picker and creates a
policy; its first run syncs the group; when many members leave upstream, the plan is held and the
page names who would be removed until the admin approves. Run by scripts/test (see conftest.py)."""

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from conftest import WAIT

from test_console import sign_in_with_slack


def reload_until(browser, url, text, message):
    """Reloads the page until it shows `text` (the worker changes what the page shows)."""
    def shown(driver):
        driver.get(url)
        return text in browser.text()
    browser.wait(shown, message, timeout=WAIT)


def wait_for_import(stack, org, connection):
    def finished(_):
        runs = stack.api("GET", f"/v1/orgs/{org}/connections/{connection}/imports")["items"]
        return runs and runs[0]["state"] == "succeeded"
    return finished


def test_auto_sync_follows_a_group_and_holds_mass_removals(stack, browser):
    org = "initech"
    stack.create_organization(org)
    connections = {p: stack.api("POST", f"/v1/orgs/{org}/connections", stack.connection(org, p))["id"] for p in ("slack", "teams")}
    available = stack.api("GET", f"/v1/orgs/{org}/connections/{connections['teams']}/teams/available")["items"]
    stack.api("POST", f"/v1/orgs/{org}/connections/{connections['teams']}/teams/selection",
              {"select": [t["platform_team_id"] for t in available]})
    for connection in connections.values():
        stack.api("POST", f"/v1/orgs/{org}/connections/{connection}/imports")
        browser.wait(wait_for_import(stack, org, connection), "an import never finished")

    # An Entra group upstream with five members.
    people = [p for p in stack.sim("GET", f"/_sim/orgs/{org}/people?limit=100")
              if any(a["platform"] == "teams" and a["active"] and not a["pending"] for a in p["accounts"])]
    members = [next(a["id"] for a in p["accounts"] if a["platform"] == "teams") for p in people[:5]]
    group = stack.sim("POST", f"/_sim/orgs/{org}/graph/groups", {"displayName": "Engineering"})["id"]
    stack.sim("POST", f"/_sim/orgs/{org}/graph/groups/{group}/members", {"user_ids": members})

    sign_in_with_slack(browser, stack.invitation(org, email=stack.admins(org)[0]["email"]))
    page = f"{stack.url}/console/{org}/auto-sync"
    browser.driver.get(page)
    browser.wait_for_text("No policy yet")
    browser.shot("auto-sync-empty")

    # Find the group by the start of its name, and make the policy: primary Teams, onto Slack,
    # removals of more than 10% held.
    browser.find("#group-search").send_keys("Engin")
    browser.click("form[role=search] button[type=submit]")
    browser.wait_for_text("Entra group “Engineering”")
    browser.click("input[name=group]")
    Select(browser.find("#policy-primary")).select_by_value(connections["teams"])
    browser.click(f"input[name=onto][value='{connections['slack']}']")
    browser.find("#hold-count").clear()
    browser.shot("auto-sync-new-policy")
    browser.click("form.new-policy button[type=submit]")
    browser.wait_for_text("Policy created")
    reload_until(browser, page, "5 syncs started", "the policy's first run never showed")
    browser.shot("auto-sync-first-run")

    # Two of five leave upstream; "Run now" reads the group again and the plan is held.
    for member in members[:2]:
        stack.sim("DELETE", f"/_sim/orgs/{org}/graph/groups/{group}/members/{member}")
    browser.click_text("Run now", "button")
    browser.wait_for_text("Run queued")
    reload_until(browser, page, "Held for approval", "the plan was never held")
    held = browser.wait(lambda _: browser.element(".held-run"), "no held run")["text"]
    for person in people[:2]:
        assert person["email"].lower() in held.lower(), f"{person['email']} is not named among the removals"
    assert "40%" in held
    browser.shot("auto-sync-held")

    browser.click_text("Approve removals", "button")
    browser.wait_for_text("Approved: the held removals")
    browser.wait(lambda _: stack.api("GET", f"/v1/orgs/{org}/auto-sync/policies")["items"][0]["syncs"] == 3,
                 "the approved removals never happened")
    reload_until(browser, page, "approved", "the run never showed as approved")
    browser.shot("auto-sync-approved")

    # Narrow (360 px): the page and a member's page still read, with nothing cut off sideways.
    member = next(p for p in stack.api("GET", f"/v1/orgs/{org}/people?limit=200")["items"]
                  if p["email"].lower() == people[2]["email"].lower())
    browser.driver.set_window_size(360, 800)
    for url, name in ((page, "auto-sync-narrow"), (f"{stack.url}/console/{org}/people/{member['id']}", "person-narrow")):
        browser.driver.get(url)
        browser.find("main h1")
        wide = browser.driver.execute_script(
            "return [...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1"
            " && !e.closest('.table-wrap')).map(e => e.tagName + '.' + e.className + '#' + e.id).slice(0, 5)")
        browser.shot(name)
        assert not wide, f"{name}: these stick out sideways at 360 px: {wide}"
    assert "Auto Sync: “Engineering” (priority 100) syncs onto" in browser.text()
    browser.driver.set_window_size(1280, 900)

    # Keyboard alone: Tab reaches the group search, a group, the platform choices and Create policy.
    browser.driver.get(page)
    reached = set()
    body = browser.driver.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.TAB)
    for _ in range(80):
        active = browser.driver.switch_to.active_element
        reached.add(active.get_attribute("id") or active.get_attribute("name") or active.text)
        active.send_keys(Keys.TAB)
    for wanted in ("group-search", "group", "policy-primary", "onto", "Create policy", "Run now"):
        assert wanted in reached, f"Tab never reaches {wanted!r}"

    # A viewer sees the policies and runs and no control that would be refused.
    viewer = next(p for p in stack.sim("GET", f"/_sim/orgs/{org}/people?limit=100")
                  if any(a["platform"] == "slack" and a["active"] and not a["pending"] for a in p["accounts"])
                  and p["email"] not in {admin["email"] for admin in stack.admins(org)})
    browser.driver.delete_all_cookies()
    slack_id = next(a["id"] for a in viewer["accounts"] if a["platform"] == "slack")
    sign_in_with_slack(browser, stack.invitation(org, role="viewer"), login=slack_id)
    browser.driver.get(page)
    browser.wait_for_text("Last runs")
    assert "Engineering" in browser.text()
    controls = [b.text for b in browser.driver.find_elements(By.CSS_SELECTOR, "main button, main input, main select") if b.is_enabled()]
    browser.shot("auto-sync-viewer")
    assert not controls, f"a viewer is offered {controls}"
