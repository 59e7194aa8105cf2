extension OpenAPIDocument {
    /// Connect Center, imports and the people directory.
    static let directory = #"""
    {
      "paths": {
        "/v1/orgs/{org}/connections": {
          "parameters": [{ "$ref": "#/components/parameters/Org" }],
          "post": {
            "summary": "Connect a platform: the credentials are verified with the platform before anything is stored (admin key)",
            "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/CreateConnection" } } } },
            "responses": {
              "201": { "description": "Connected", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Connection" } } } },
              "400": { "$ref": "#/components/responses/Problem" }, "401": { "$ref": "#/components/responses/Problem" },
              "403": { "$ref": "#/components/responses/Problem" }, "404": { "$ref": "#/components/responses/Problem" },
              "409": { "$ref": "#/components/responses/Problem" },
              "422": { "description": "Invalid request, or the platform refused the credentials (code: the classified cause, e.g. credentials_rejected)", "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } },
              "502": { "$ref": "#/components/responses/Problem" }, "503": { "$ref": "#/components/responses/Problem" }
            }
          },
          "get": {
            "summary": "List the organization's connections with health, counts and latest import (any key)",
            "parameters": [
              { "name": "include_disconnected", "in": "query", "schema": { "type": "boolean", "default": true } },
              { "name": "platform", "in": "query", "schema": { "$ref": "#/components/schemas/Platform" } }
            ],
            "responses": {
              "200": { "description": "Connections", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ConnectionPage" } } } },
              "400": { "$ref": "#/components/responses/Problem" }, "401": { "$ref": "#/components/responses/Problem" },
              "404": { "$ref": "#/components/responses/Problem" }
            }
          }
        },
        "/v1/orgs/{org}/connections/{connection_id}": {
          "parameters": [{ "$ref": "#/components/parameters/Org" }, { "$ref": "#/components/parameters/ConnectionID" }],
          "get": {
            "summary": "Get a connection (any key)",
            "responses": {
              "200": { "description": "The connection", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Connection" } } } },
              "400": { "$ref": "#/components/responses/Problem" }, "401": { "$ref": "#/components/responses/Problem" },
              "404": { "$ref": "#/components/responses/Problem" }
            }
          },
          "patch": {
            "summary": "Rename, rotate credentials or move base URLs; new credentials are re-verified and reconnect a disconnected connection (admin key)",
            "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/UpdateConnection" } } } },
            "responses": {
              "200": { "description": "The connection", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Connection" } } } },
              "400": { "$ref": "#/components/responses/Problem" }, "401": { "$ref": "#/components/responses/Problem" },
              "403": { "$ref": "#/components/responses/Problem" }, "404": { "$ref": "#/components/responses/Problem" },
              "409": { "$ref": "#/components/responses/Problem" }, "422": { "$ref": "#/components/responses/Problem" },
              "502": { "$ref": "#/components/responses/Problem" }, "503": { "$ref": "#/components/responses/Problem" }
            }
          },
          "delete": {
            "summary": "Disconnect: credentials are erased; accounts and history stay, marked (admin key)",
            "responses": {
              "200": { "description": "The disconnected connection", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Connection" } } } },
              "400": { "$ref": "#/components/responses/Problem" }, "401": { "$ref": "#/components/responses/Problem" },
              "403": { "$ref": "#/components/responses/Problem" }, "404": { "$ref": "#/components/responses/Problem" },
              "409": { "$ref": "#/components/responses/Problem" }
            }
          }
        },
        "/v1/orgs/{org}/connections/{connection_id}/verify": {
          "parameters": [{ "$ref": "#/components/parameters/Org" }, { "$ref": "#/components/parameters/ConnectionID" }],
          "post": {
            "summary": "Check the stored credentials now: the connection becomes connected or needs_attention (admin key)",
            "responses": {
              "200": { "description": "The connection", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Connection" } } } },
              "400": { "$ref": "#/components/responses/Problem" }, "401": { "$ref": "#/components/responses/Problem" },
              "403": { "$ref": "#/components/responses/Problem" }, "404": { "$ref": "#/components/responses/Problem" },
              "409": { "$ref": "#/components/responses/Problem" }, "422": { "$ref": "#/components/responses/Problem" },
              "502": { "$ref": "#/components/responses/Problem" }, "503": { "$ref": "#/components/responses/Problem" }
            }
          }
        },
        "/v1/orgs/{org}/connections/{connection_id}/teams/available": {
          "parameters": [{ "$ref": "#/components/parameters/Org" }, { "$ref": "#/components/parameters/ConnectionID" }],
          "get": {
            "summary": "List the platform's teams live, a page at a time, with whether each is selected (any key)",
            "parameters": [{ "$ref": "#/components/parameters/Cursor" }],
            "responses": {
              "200": { "description": "A page of teams", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/TeamPage" } } } },
              "400": { "$ref": "#/components/responses/Problem" }, "401": { "$ref": "#/components/responses/Problem" },
              "404": { "$ref": "#/components/responses/Problem" }, "409": { "$ref": "#/components/responses/Problem" },
              "422": { "$ref": "#/components/responses/Problem" }, "502": { "$ref": "#/components/responses/Problem" },
              "503": { "$ref": "#/components/responses/Problem" }
            }
          }
        },
        "/v1/orgs/{org}/connections/{connection_id}/teams": {
          "parameters": [{ "$ref": "#/components/parameters/Org" }, { "$ref": "#/components/parameters/ConnectionID" }],
          "get": {
            "summary": "The teams seen for this connection, selected first (any key)",
            "parameters": [{ "name": "selected", "in": "query", "schema": { "type": "boolean", "default": false } }],
            "responses": {
              "200": { "description": "Teams", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/TeamPage" } } } },
              "400": { "$ref": "#/components/responses/Problem" }, "401": { "$ref": "#/components/responses/Problem" },
              "404": { "$ref": "#/components/responses/Problem" }
            }
          }
        },
        "/v1/orgs/{org}/connections/{connection_id}/teams/selection": {
          "parameters": [{ "$ref": "#/components/parameters/Org" }, { "$ref": "#/components/parameters/ConnectionID" }],
          "post": {
            "summary": "Select and deselect teams (Teams, Webex) by platform team id; the next import follows (admin key)",
            "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/TeamSelection" } } } },
            "responses": {
              "200": { "description": "All known teams with the new selection", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/TeamPage" } } } },
              "400": { "$ref": "#/components/responses/Problem" }, "401": { "$ref": "#/components/responses/Problem" },
              "403": { "$ref": "#/components/responses/Problem" }, "404": { "$ref": "#/components/responses/Problem" },
              "409": { "$ref": "#/components/responses/Problem" }, "422": { "$ref": "#/components/responses/Problem" }
            }
          }
        },
        "/v1/orgs/{org}/connections/{connection_id}/imports": {
          "parameters": [{ "$ref": "#/components/parameters/Org" }, { "$ref": "#/components/parameters/ConnectionID" }],
          "post": {
            "summary": "Import the connection's users in the worker; returns the active run if one is queued or running (admin key)",
            "responses": {
              "200": { "description": "The run already active", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ImportRun" } } } },
              "202": { "description": "A new run, queued", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ImportRun" } } } },
              "400": { "$ref": "#/components/responses/Problem" }, "401": { "$ref": "#/components/responses/Problem" },
              "403": { "$ref": "#/components/responses/Problem" }, "404": { "$ref": "#/components/responses/Problem" },
              "409": { "description": "Disconnected, or no team selected (Teams, Webex)", "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } }
            }
          },
          "get": {
            "summary": "The connection's import runs, newest first (any key)",
            "parameters": [
              { "name": "limit", "in": "query", "schema": { "type": "integer", "minimum": 1, "maximum": 100, "default": 20 } },
              { "$ref": "#/components/parameters/Cursor" }
            ],
            "responses": {
              "200": { "description": "A page of runs", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ImportRunPage" } } } },
              "400": { "$ref": "#/components/responses/Problem" }, "401": { "$ref": "#/components/responses/Problem" },
              "404": { "$ref": "#/components/responses/Problem" }
            }
          }
        },
        "/v1/orgs/{org}/imports/{import_id}": {
          "parameters": [
            { "$ref": "#/components/parameters/Org" },
            { "name": "import_id", "in": "path", "required": true, "schema": { "type": "string", "format": "uuid" } }
          ],
          "get": {
            "summary": "An import run with its live counts (any key)",
            "responses": {
              "200": { "description": "The run", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ImportRun" } } } },
              "400": { "$ref": "#/components/responses/Problem" }, "401": { "$ref": "#/components/responses/Problem" },
              "404": { "$ref": "#/components/responses/Problem" }
            }
          }
        },
        "/v1/orgs/{org}/people": {
          "parameters": [{ "$ref": "#/components/parameters/Org" }],
          "get": {
            "summary": "The people directory: filtered, sorted, cursor-paginated; CSV with Accept: text/csv (any key)",
            "parameters": [
              { "$ref": "#/components/parameters/Limit" }, { "$ref": "#/components/parameters/Cursor" },
              { "$ref": "#/components/parameters/PeoplePlatform" }, { "$ref": "#/components/parameters/PeoplePlatforms" }, { "$ref": "#/components/parameters/PeoplePrimaryPlatform" }, { "$ref": "#/components/parameters/PeopleConnection" },
              { "$ref": "#/components/parameters/PeopleNeedsChoice" }, { "$ref": "#/components/parameters/PeopleDeactivated" },
              { "$ref": "#/components/parameters/PeopleSyncStatus" }, { "$ref": "#/components/parameters/PeopleSyncPlatform" }, { "$ref": "#/components/parameters/PeopleSearch" },
              { "$ref": "#/components/parameters/PeopleSort" }
            ],
            "responses": {
              "200": {
                "description": "A page of people",
                "content": {
                  "application/json": { "schema": { "$ref": "#/components/schemas/PersonPage" } },
                  "text/csv": { "schema": { "type": "string" } }
                }
              },
              "400": { "$ref": "#/components/responses/Problem" }, "401": { "$ref": "#/components/responses/Problem" },
              "404": { "$ref": "#/components/responses/Problem" }
            }
          }
        },
        "/v1/orgs/{org}/people.csv": {
          "parameters": [{ "$ref": "#/components/parameters/Org" }],
          "get": {
            "summary": "The whole filtered people list as CSV, streamed (any key)",
            "parameters": [
              { "$ref": "#/components/parameters/PeoplePlatform" }, { "$ref": "#/components/parameters/PeoplePlatforms" }, { "$ref": "#/components/parameters/PeoplePrimaryPlatform" }, { "$ref": "#/components/parameters/PeopleConnection" },
              { "$ref": "#/components/parameters/PeopleNeedsChoice" }, { "$ref": "#/components/parameters/PeopleDeactivated" },
              { "$ref": "#/components/parameters/PeopleSyncStatus" }, { "$ref": "#/components/parameters/PeopleSyncPlatform" }, { "$ref": "#/components/parameters/PeopleSearch" },
              { "$ref": "#/components/parameters/PeopleSort" }
            ],
            "responses": {
              "200": { "description": "CSV, one row per person", "content": { "text/csv": { "schema": { "type": "string" } } } },
              "400": { "$ref": "#/components/responses/Problem" }, "401": { "$ref": "#/components/responses/Problem" },
              "404": { "$ref": "#/components/responses/Problem" }
            }
          }
        },
        "/v1/orgs/{org}/people/{person_id}": {
          "parameters": [
            { "$ref": "#/components/parameters/Org" },
            { "name": "person_id", "in": "path", "required": true, "schema": { "type": "string", "format": "uuid" } }
          ],
          "get": {
            "summary": "One person with their accounts per platform (any key)",
            "responses": {
              "200": { "description": "The person", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Person" } } } },
              "400": { "$ref": "#/components/responses/Problem" }, "401": { "$ref": "#/components/responses/Problem" },
              "404": { "$ref": "#/components/responses/Problem" }
            }
          }
        }
      },
      "components": {
        "parameters": {
          "ConnectionID": { "name": "connection_id", "in": "path", "required": true, "schema": { "type": "string", "format": "uuid" } },
          "PeoplePlatform": { "name": "platform", "in": "query", "description": "Has an account on this platform", "schema": { "$ref": "#/components/schemas/Platform" } },
          "PeoplePlatforms": { "name": "platforms", "in": "query", "description": "Has an active account on every one of these (comma-separated)", "schema": { "type": "string", "example": "slack,teams" } },
          "PeoplePrimaryPlatform": { "name": "primary_platform", "in": "query", "description": "Their primary platform is this one", "schema": { "$ref": "#/components/schemas/Platform" } },
          "PeopleConnection": { "name": "connection_id", "in": "query", "description": "Has an account on this connection", "schema": { "type": "string", "format": "uuid" } },
          "PeopleNeedsChoice": { "name": "needs_primary_choice", "in": "query", "schema": { "type": "boolean" } },
          "PeopleDeactivated": { "name": "deactivated", "in": "query", "description": "Every account deactivated", "schema": { "type": "boolean" } },
          "PeopleSyncStatus": { "name": "sync_status", "in": "query", "description": "Has a sync in this status (not_created: none started)", "schema": { "type": "string", "enum": ["not_created", "pending", "synced", "failed"] } },
          "PeopleSyncPlatform": { "name": "sync_platform", "in": "query", "description": "With sync_status: only syncs onto this platform count (not_created: does not live there and has no sync there)", "schema": { "$ref": "#/components/schemas/Platform" } },
          "PeopleSearch": { "name": "q", "in": "query", "description": "Case-insensitive text in an address or a name", "schema": { "type": "string", "maxLength": 200 } },
          "PeopleSort": { "name": "sort", "in": "query", "schema": { "type": "string", "enum": ["name", "-name", "email", "-email"], "default": "name" } }
        },
        "schemas": {
          "Platform": { "type": "string", "enum": ["slack", "teams", "zoom", "webex"] },
          "Credentials": {
            "type": "object", "additionalProperties": { "type": "string" },
            "description": "Per platform. slack: bot_token (+ client_id, client_secret, team_id). teams: tenant_id, client_id, client_secret (+ bot_app_id, bot_app_secret, teams_app_id, bot_service_url). zoom: account_id, client_id, client_secret (+ chatbot_client_id, chatbot_client_secret, robot_jid, consent_client_id, consent_client_secret). webex: admin_token (+ bot_token, client_id, client_secret). Never returned."
          },
          "CreateConnection": {
            "type": "object", "additionalProperties": false, "required": ["platform", "credentials"],
            "properties": {
              "platform": { "$ref": "#/components/schemas/Platform" },
              "display_name": { "type": "string", "minLength": 1, "maxLength": 200 },
              "credentials": { "$ref": "#/components/schemas/Credentials" },
              "api_base_url": { "type": "string", "format": "uri", "description": "Defaults to the real platform" },
              "auth_base_url": { "type": "string", "format": "uri", "description": "Defaults to the real platform's OAuth host" }
            }
          },
          "UpdateConnection": {
            "type": "object", "additionalProperties": false,
            "properties": {
              "display_name": { "type": "string", "minLength": 1, "maxLength": 200 },
              "credentials": { "$ref": "#/components/schemas/Credentials" },
              "api_base_url": { "type": "string", "format": "uri" }, "auth_base_url": { "type": "string", "format": "uri" }
            }
          },
          "Connection": {
            "type": "object",
            "required": ["id", "platform", "display_name", "workspace", "health", "api_base_url", "auth_base_url", "last_verified_at",
                         "created_at", "updated_at", "disconnected_at", "accounts", "teams", "latest_import"],
            "properties": {
              "id": { "type": "string", "format": "uuid" }, "platform": { "$ref": "#/components/schemas/Platform" },
              "display_name": { "type": "string" },
              "workspace": { "type": "object", "required": ["id", "name"], "properties": { "id": { "type": "string" }, "name": { "type": ["string", "null"] } } },
              "health": {
                "type": "object", "required": ["state", "cause", "message", "changed_at"],
                "properties": {
                  "state": { "type": "string", "enum": ["connected", "needs_attention", "disconnected"] },
                  "cause": { "type": ["string", "null"] }, "message": { "type": ["string", "null"] },
                  "changed_at": { "type": "string", "format": "date-time" }
                }
              },
              "api_base_url": { "type": "string" }, "auth_base_url": { "type": ["string", "null"] },
              "last_verified_at": { "type": ["string", "null"], "format": "date-time" },
              "created_at": { "type": "string", "format": "date-time" }, "updated_at": { "type": "string", "format": "date-time" },
              "disconnected_at": { "type": ["string", "null"], "format": "date-time" },
              "accounts": { "type": ["object", "null"], "properties": { "total": { "type": "integer" }, "active": { "type": "integer" } } },
              "teams": {
                "type": ["object", "null"],
                "properties": { "known": { "type": "integer" }, "selected": { "type": "integer" }, "selection_required": { "type": "boolean" } }
              },
              "latest_import": { "oneOf": [{ "$ref": "#/components/schemas/ImportRun" }, { "type": "null" }] }
            }
          },
          "ConnectionPage": {
            "type": "object", "required": ["items", "next_cursor"],
            "properties": { "items": { "type": "array", "items": { "$ref": "#/components/schemas/Connection" } }, "next_cursor": { "type": ["string", "null"] } }
          },
          "Team": {
            "type": "object", "required": ["id", "platform_team_id", "name", "description", "member_count", "selected", "selected_at", "selected_by"],
            "properties": {
              "id": { "type": "string", "format": "uuid" }, "platform_team_id": { "type": "string" }, "name": { "type": "string" },
              "description": { "type": ["string", "null"] }, "member_count": { "type": ["integer", "null"] }, "selected": { "type": "boolean" },
              "selected_at": { "type": ["string", "null"], "format": "date-time" }, "selected_by": { "type": ["string", "null"] }
            }
          },
          "TeamPage": {
            "type": "object", "required": ["items", "next_cursor"],
            "properties": { "items": { "type": "array", "items": { "$ref": "#/components/schemas/Team" } }, "next_cursor": { "type": ["string", "null"] } }
          },
          "TeamSelection": {
            "type": "object", "additionalProperties": false,
            "properties": {
              "select": { "type": "array", "items": { "type": "string" }, "description": "Platform team ids to select" },
              "deselect": { "type": "array", "items": { "type": "string" }, "description": "Platform team ids to deselect" }
            }
          },
          "ImportRun": {
            "type": "object",
            "required": ["id", "connection_id", "state", "phase", "waiting_until", "failure", "last_error", "attempts", "job_id",
                         "requested_by", "counts", "created_at", "started_at", "finished_at"],
            "properties": {
              "id": { "type": "string", "format": "uuid" }, "connection_id": { "type": "string", "format": "uuid" },
              "state": { "type": "string", "enum": ["queued", "running", "succeeded", "failed"] },
              "phase": { "type": ["string", "null"], "enum": ["members", "users", "finishing", null] },
              "waiting_until": { "type": ["string", "null"], "format": "date-time", "description": "Set while a platform rate limit holds the run" },
              "failure": {
                "type": ["object", "null"], "required": ["cause", "message"],
                "properties": { "cause": { "type": "string" }, "message": { "type": ["string", "null"] } }
              },
              "last_error": { "type": ["string", "null"] }, "attempts": { "type": "integer" },
              "job_id": { "type": ["string", "null"] }, "requested_by": { "type": "string" },
              "counts": {
                "type": "object",
                "properties": {
                  "pages_fetched": { "type": "integer" }, "teams_total": { "type": "integer" }, "teams_fetched": { "type": "integer" },
                  "accounts_seen": { "type": "integer" }, "accounts_added": { "type": "integer" }, "accounts_updated": { "type": "integer" },
                  "accounts_reactivated": { "type": "integer" }, "accounts_deactivated": { "type": "integer" },
                  "accounts_without_email": { "type": "integer" }, "bots_skipped": { "type": "integer" }
                }
              },
              "created_at": { "type": "string", "format": "date-time" },
              "started_at": { "type": ["string", "null"], "format": "date-time" },
              "finished_at": { "type": ["string", "null"], "format": "date-time" }
            }
          },
          "ImportRunPage": {
            "type": "object", "required": ["items", "next_cursor"],
            "properties": { "items": { "type": "array", "items": { "$ref": "#/components/schemas/ImportRun" } }, "next_cursor": { "type": ["string", "null"] } }
          },
          "Account": {
            "type": "object",
            "required": ["id", "connection_id", "platform", "platform_user_id", "email", "emails", "display_name", "real_name", "guest",
                         "active", "deactivated_at", "deactivation_reason", "first_seen_at", "changed_at"],
            "properties": {
              "id": { "type": "string", "format": "uuid" }, "connection_id": { "type": "string", "format": "uuid" },
              "platform": { "$ref": "#/components/schemas/Platform" }, "platform_user_id": { "type": "string" },
              "email": { "type": ["string", "null"] }, "emails": { "type": "array", "items": { "type": "string" } },
              "display_name": { "type": ["string", "null"] }, "real_name": { "type": ["string", "null"] },
              "guest": { "type": "boolean" }, "active": { "type": "boolean" },
              "deactivated_at": { "type": ["string", "null"], "format": "date-time" },
              "deactivation_reason": { "type": ["string", "null"], "enum": ["deactivated_upstream", "removed_upstream", "not_in_selected_teams", "connection_disconnected", null] },
              "first_seen_at": { "type": "string", "format": "date-time" }, "changed_at": { "type": "string", "format": "date-time", "description": "When an import last changed the account" }
            }
          },
          "Person": {
            "type": "object",
            "required": ["id", "email", "display_name", "primary", "needs_primary_choice", "all_accounts_deactivated", "platforms", "accounts",
                         "syncs", "created_at", "updated_at"],
            "properties": {
              "id": { "type": "string", "format": "uuid" }, "email": { "type": "string" }, "display_name": { "type": ["string", "null"] },
              "primary": {
                "type": ["object", "null"], "required": ["connection_id", "platform", "source", "chosen_by", "chosen_at"],
                "properties": {
                  "connection_id": { "type": "string", "format": "uuid" }, "platform": { "type": ["string", "null"] },
                  "source": { "type": "string", "enum": ["default", "admin"] }, "chosen_by": { "type": ["string", "null"] },
                  "chosen_at": { "type": ["string", "null"], "format": "date-time" }
                }
              },
              "needs_primary_choice": { "type": "boolean" }, "all_accounts_deactivated": { "type": "boolean" },
              "platforms": { "type": "array", "items": { "$ref": "#/components/schemas/Platform" }, "description": "Platforms with an active account" },
              "accounts": { "type": "array", "items": { "$ref": "#/components/schemas/Account" } },
              "syncs": { "type": "array", "items": { "$ref": "#/components/schemas/Sync" }, "description": "With their history on a person's own page" },
              "created_at": { "type": "string", "format": "date-time" }, "updated_at": { "type": "string", "format": "date-time" }
            }
          },
          "PersonPage": {
            "type": "object", "required": ["items", "next_cursor"],
            "properties": { "items": { "type": "array", "items": { "$ref": "#/components/schemas/Person" } }, "next_cursor": { "type": ["string", "null"] } }
          }
        }
      }
    }
    """#
}
