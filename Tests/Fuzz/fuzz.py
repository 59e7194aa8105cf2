"""Fuzzes a running UserSync API from its own OpenAPI document with Schemathesis.

Run by scripts/fuzz-api against the demo deployment (simulator, serve, work, a seeded organization).
It creates an admin key of the demo organization (the operator token would let the fuzzer delete
the organization it is fuzzing), reads real ids of each kind through the API, writes a Schemathesis
configuration that fills path parameters with them, and runs every check. Exit status: Schemathesis's.
"""

import json
import os
import subprocess
import sys

import requests

BASE = os.environ["FUZZ_BASE_URL"]
OPERATOR = os.environ["FUZZ_OPERATOR_TOKEN"]
ORG = os.environ.get("FUZZ_ORG", "demo")
OUT = os.environ.get("FUZZ_REPORT_DIR", ".build/fuzz-report")


# Requests that match the document but are refused for what they refer to, which no schema can
# say: the only answers besides success the fuzzer accepts for otherwise valid data, each with why.
REFUSED_FOR_STATE = {
    "POST /v1/orgs/{org}/connections": (422, "credentials the platform refuses, or a host the operator does not allow"),
    "PATCH /v1/orgs/{org}/connections/{connection_id}": (422, "the same, or another platform's credentials"),
    "POST /v1/orgs/{org}/auto-sync/policies": (422, "a connection of another platform or organization"),
    "PATCH /v1/orgs/{org}/auto-sync/policies/{policy_id}": (422, "the same"),
    "PUT /v1/orgs/{org}/people/{person_id}/primary": (422, "a platform the person has no active account on"),
    "POST /v1/orgs/{org}/people/{person_id}/syncs": (422, "the person's own primary platform, or a disconnected connection"),
    "POST /v1/orgs/{org}/people/{person_id}/syncs/preview": (422, "the same"),
    "POST /v1/orgs/{org}/syncs": (422, "a disconnected connection, or one of another organization"),
    "POST /v1/orgs/{org}/syncs/preview": (422, "the same"),
    "POST /v1/orgs/{org}/people/primary": (422, "the same, for some of the people"),
    "POST /v1/orgs/{org}/connections/{connection_id}/teams/selection": (422, "a team both selected and deselected, or not of this connection"),
    "GET /v1/orgs/{org}/routes": (400, "neither or both of to_email and to_person (OpenAPI cannot tie query parameters)"),
    "GET /v1/orgs/{org}/auto-sync/runs": (400, "a cursor no list returned (the demo has no second page to take one from)"),
    "GET /v1/orgs/{org}/connections/{connection_id}/imports": (400, "the same"),
    "GET /v1/orgs/{org}/connections/{connection_id}/teams/available": (400, "the same"),
    "GET /v1/orgs/{org}/auto-sync/groups": (400, "a cursor no listing returned"),
    "GET /v1/orgs/{org}/people": (400, "a cursor of another sort order than the one asked for"),
    "GET /v1/orgs/{org}/people.csv": (400, "the same"),
    "GET /v1/orgs/{org}/messages": (400, "a cursor no list returned (the demo's ledger has no second page to take one from)"),
    "GET /v1/orgs/{org}/relay/restricted": (400, "the same, for the restricted people"),
}


# The same, for the operations outside one organization.
REFUSED_FOR_STATE_ELSEWHERE = {
    "POST /v1/orgs": (409, "a slug another organization has"),
    "GET /v1/orgs": (400, "a cursor no list returned"),
    "GET /consent/{token}": (410, "a link that is used, replaced or expired (a made-up one is a 404)"),
    "GET /oauth/{platform}/callback": (400, "a state no sign-in started"),
    "POST /events/graph/{org}": (400, "no body: only the validation handshake (?validationToken=) comes without one, which OpenAPI cannot tie to the query"),
    "POST /events/graph/{org}/chats": (400, "no body: only the validation handshake (?validationToken=) comes without one, which OpenAPI cannot tie to the query"),
}


# Operations that verify credentials with the platform before they store anything.
CALLS_THE_PLATFORM = {"POST /v1/orgs/{org}/connections", "PATCH /v1/orgs/{org}/connections/{connection_id}"}


def api(method, path, token, body=None):
    response = requests.request(method, BASE + path, headers={"Authorization": f"Bearer {token}"}, json=body, timeout=30)
    response.raise_for_status()
    return response.json() if response.content else None


def first_id(path, token, key="id"):
    items = api("GET", path, token).get("items", [])
    return items[0][key] if items else None


def main():
    key = api("POST", f"/v1/orgs/{ORG}/keys", OPERATOR, {"name": "fuzzer", "role": "admin"})["secret"]
    org_id = api("GET", f"/v1/orgs/{ORG}", key)["id"]
    ids = {
        "org": ORG,
        "connection_id": first_id(f"/v1/orgs/{ORG}/connections", key),
        "person_id": first_id(f"/v1/orgs/{ORG}/people?limit=1", key),
        "job_id": first_id(f"/v1/orgs/{ORG}/jobs?limit=1", key),
        "policy_id": first_id(f"/v1/orgs/{ORG}/auto-sync/policies", key),
        "run_id": first_id(f"/v1/orgs/{ORG}/auto-sync/runs", key),
        "member_id": first_id(f"/v1/orgs/{ORG}/members", key),
        "key_id": first_id(f"/v1/orgs/{ORG}/keys", key),
    }
    connection = ids["connection_id"]
    if connection:
        ids["import_id"] = first_id(f"/v1/orgs/{ORG}/connections/{connection}/imports", key)
    ids = {name: value for name, value in ids.items() if value}
    # A cursor is opaque: no generator can make a valid one, so each list is given a real one.
    lists = {
        "GET /v1/orgs/{org}/people": f"/v1/orgs/{ORG}/people?limit=1",
        "GET /v1/orgs/{org}/audit": f"/v1/orgs/{ORG}/audit?limit=1",
        "GET /v1/orgs/{org}/jobs": f"/v1/orgs/{ORG}/jobs?limit=1",
        "GET /v1/orgs/{org}/auto-sync/runs": f"/v1/orgs/{ORG}/auto-sync/runs?limit=1",
    }
    if connection:
        lists["GET /v1/orgs/{org}/connections/{connection_id}/imports"] = f"/v1/orgs/{ORG}/connections/{connection}/imports?limit=1"
        lists["GET /v1/orgs/{org}/connections/{connection_id}/teams/available"] = f"/v1/orgs/{ORG}/connections/{connection}/teams/available"
    cursors = {}
    for operation, path in lists.items():
        try:
            cursor = api("GET", path, key).get("next_cursor")
        except requests.HTTPError:
            cursor = None
        if cursor:
            cursors[operation] = cursor
    teams = next((c["id"] for c in api("GET", f"/v1/orgs/{ORG}/connections", key)["items"] if c["platform"] == "teams"), None)
    os.makedirs(OUT, exist_ok=True)
    config = os.path.join(OUT, "schemathesis.toml")
    with open(config, "w") as file:
        file.write("[parameters]\n")
        for name, value in sorted(ids.items()):
            file.write(f'"path.{name}" = {json.dumps(str(value))}\n')
        for operation, cursor in sorted(cursors.items()):
            file.write(f'\n[[operations]]\ninclude-name = {json.dumps(operation)}\nparameters = {{ "query.cursor" = {json.dumps(cursor)} }}\n')
        if teams:
            # Directory groups are Entra groups, listed through a Teams connection.
            file.write(f'\n[[operations]]\ninclude-name = "GET /v1/orgs/{{org}}/auto-sync/groups"\n'
                       f'parameters = {{ "query.connection_id" = {json.dumps(teams)} }}\n')
        write_refusals(file, REFUSED_FOR_STATE)
    print(f"fuzzing {BASE} as an admin key of {ORG} ({org_id}) with ids {sorted(ids)}", flush=True)
    # Everything under /v1/orgs/{org}, as an admin key of the organization.
    status = schemathesis(config, r"^/v1/orgs/\{org\}", ["-H", f"Authorization: Bearer {key}"], "organization")

    # The rest: the organizations as the operator (listing and creating; deleting the demo's own
    # is left out), and the public endpoints with no credentials at all (health, metrics, the
    # document, Graph's notifications to the organization, consent links and OAuth callbacks).
    elsewhere = os.path.join(OUT, "schemathesis-elsewhere.toml")
    with open(elsewhere, "w") as file:
        for operation in ["POST /events/graph/{org}", "POST /events/graph/{org}/chats"]:
            file.write(f'[[operations]]\ninclude-name = {json.dumps(operation)}\nparameters = {{ "path.org" = {json.dumps(org_id)} }}\n')
        write_refusals(file, REFUSED_FOR_STATE_ELSEWHERE)
    status |= schemathesis(elsewhere, r"^/v1/orgs$", ["-H", f"Authorization: Bearer {OPERATOR}"], "operator")
    status |= schemathesis(elsewhere, r"^/(healthz|readyz|metrics|openapi\.json|events/|consent/|oauth/)", [], "public")
    return status


def write_refusals(file, refusals):
    for operation, (status, why) in sorted(refusals.items()):
        # The platform at the connection's base URL could not be reached (e.g. https to the
        # simulator's plain-http port): the documented 502, neither a refusal nor our error.
        unreachable = ", 502" if operation in CALLS_THE_PLATFORM else ""
        file.write(f'\n# {why}\n[[operations]]\ninclude-name = {json.dumps(operation)}\n'
                   f'checks.positive_data_acceptance.expected-statuses = ["2XX", "3XX", 401, 403, 404, 409, 429, {status}{unreachable}]\n')
        if unreachable:
            file.write('checks.not_a_server_error.expected-statuses = ["1XX", "2XX", "3XX", "4XX", 502]\n')


def schemathesis(config, paths, headers, name):
    """One Schemathesis run of the operations whose paths match `paths`, every check enabled."""
    print(f"==> fuzzing {name} operations ({paths})", flush=True)
    # One worker: Schemathesis's workers are threads, and Python 3.11's compile() (Hypothesis
    # calls it to describe strategies) is not thread-safe; two workers failed a CI run with
    # "SystemError: AST constructor recursion depth mismatch" (CPython gh-106905).
    command = [
        os.path.join(os.path.dirname(sys.executable), "schemathesis"), "--config-file", config, "run", f"{BASE}/openapi.json",
        "--url", BASE, *headers, "--checks", "all", "--workers", "1",
        "--max-examples", os.environ.get("FUZZ_MAX_EXAMPLES", "25"), "--seed", os.environ.get("FUZZ_SEED", "20261204"),
        "--include-path-regex", paths,
        "--generation-codec", "utf-8", "--report", "junit", "--report-dir", os.path.join(OUT, name),
    ]
    return subprocess.call(command)


if __name__ == "__main__":
    sys.exit(main())
