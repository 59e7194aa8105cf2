extension OpenAPIDocument {
    /// Primary choices, syncs, actions on people, consent pages, the audit log and routing.
    static let userSync = #"""
    {
      "paths": {
        "/consent/{token}": {
          "get": {
            "summary": "A person's consent link: redirects to the secondary platform to authorize (no API key: the link is the credential)",
            "security": [],
            "parameters": [{ "name": "token", "in": "path", "required": true, "schema": { "type": "string" } }],
            "responses": {
              "302": { "description": "To the platform's authorize page" },
              "200": { "$ref": "#/components/responses/Page" }, "404": { "$ref": "#/components/responses/Page" },
              "409": { "$ref": "#/components/responses/Page" }, "410": { "$ref": "#/components/responses/Page" },
              "503": { "$ref": "#/components/responses/Page" }
            }
          }
        },
        "/oauth/{platform}/callback": {
          "get": {
            "summary": "Where a platform sends the person back after authorizing (register it as the app's redirect URI)",
            "security": [],
            "parameters": [
              { "name": "platform", "in": "path", "required": true, "schema": { "$ref": "#/components/schemas/Platform" } },
              { "name": "state", "in": "query", "schema": { "type": "string" } },
              { "name": "code", "in": "query", "schema": { "type": "string" } },
              { "name": "error", "in": "query", "schema": { "type": "string" } }
            ],
            "responses": {
              "200": { "$ref": "#/components/responses/Page" }, "400": { "$ref": "#/components/responses/Page" },
              "409": { "$ref": "#/components/responses/Page" }, "410": { "$ref": "#/components/responses/Page" },
              "502": { "$ref": "#/components/responses/Page" }
            }
          }
        },
        "/v1/orgs/{org}/people/{person_id}/primary": {
          "parameters": [{ "$ref": "#/components/parameters/Org" }, { "$ref": "#/components/parameters/PersonID" }],
          "put": {
            "summary": "Choose the person's primary platform among those they have an active account on (admin key)",
            "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/SetPrimary" } } } },
            "responses": {
              "200": { "description": "The person", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Person" } } } },
              "400": { "$ref": "#/components/responses/Problem" }, "401": { "$ref": "#/components/responses/Problem" },
              "403": { "$ref": "#/components/responses/Problem" }, "404": { "$ref": "#/components/responses/Problem" },
              "409": { "$ref": "#/components/responses/Problem" },
              "422": { "description": "Not a platform the person is active on; the detail names the choices", "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } }
            }
          }
        },
        "/v1/orgs/{org}/people/primary": {
          "parameters": [{ "$ref": "#/components/parameters/Org" }],
          "post": {
            "summary": "Choose the primary of many people at once, by ids or by filter (admin key)",
            "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/BulkPrimary" } } } },
            "responses": {
              "200": { "description": "How many people got each verdict (updated, no_active_account, ambiguous, sync_exists, unknown_person)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Tally" } } } },
              "400": { "$ref": "#/components/responses/Problem" }, "401": { "$ref": "#/components/responses/Problem" },
              "403": { "$ref": "#/components/responses/Problem" }, "404": { "$ref": "#/components/responses/Problem" },
              "422": { "$ref": "#/components/responses/Problem" }
            }
          }
        },
        "/v1/orgs/{org}/people/{person_id}/syncs": {
          "parameters": [{ "$ref": "#/components/parameters/Org" }, { "$ref": "#/components/parameters/PersonID" }],
          "post": {
            "summary": "Sync the person onto a secondary connection; the worker carries it out (admin key)",
            "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/StartSync" } } } },
            "responses": {
              "201": { "description": "A new sync, pending", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Sync" } } } },
              "200": { "description": "The sync that already existed", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Sync" } } } },
              "400": { "$ref": "#/components/responses/Problem" }, "401": { "$ref": "#/components/responses/Problem" },
              "403": { "$ref": "#/components/responses/Problem" }, "404": { "$ref": "#/components/responses/Problem" },
              "409": { "description": "No primary yet, or the connection is not connected", "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } },
              "422": { "description": "The secondary is the person's primary platform", "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } }
            }
          }
        },
        "/v1/orgs/{org}/syncs": {
          "parameters": [{ "$ref": "#/components/parameters/Org" }],
          "post": {
            "summary": "Sync many people onto a secondary connection, by ids or by filter, in one bulk fan-out (admin key)",
            "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/BulkSync" } } } },
            "responses": {
              "202": { "description": "How many people got each verdict (created, exists, no_primary, secondary_is_primary, unknown_person)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Tally" } } } },
              "400": { "$ref": "#/components/responses/Problem" }, "401": { "$ref": "#/components/responses/Problem" },
              "403": { "$ref": "#/components/responses/Problem" }, "404": { "$ref": "#/components/responses/Problem" },
              "409": { "$ref": "#/components/responses/Problem" }, "422": { "$ref": "#/components/responses/Problem" }
            }
          }
        },
        "/v1/orgs/{org}/syncs/{sync_id}": {
          "parameters": [{ "$ref": "#/components/parameters/Org" }, { "$ref": "#/components/parameters/SyncID" }],
          "get": {
            "summary": "A sync with its status, cause, fix and history (any key)",
            "responses": {
              "200": { "description": "The sync", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Sync" } } } },
              "400": { "$ref": "#/components/responses/Problem" }, "401": { "$ref": "#/components/responses/Problem" },
              "404": { "$ref": "#/components/responses/Problem" }
            }
          }
        },
        "/v1/orgs/{org}/syncs/{sync_id}/retry": {
          "parameters": [{ "$ref": "#/components/parameters/Org" }, { "$ref": "#/components/parameters/SyncID" }],
          "post": {
            "summary": "Try a failed sync again (admin key)",
            "responses": {
              "202": { "description": "The sync, pending again", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Sync" } } } },
              "400": { "$ref": "#/components/responses/Problem" }, "401": { "$ref": "#/components/responses/Problem" },
              "403": { "$ref": "#/components/responses/Problem" }, "404": { "$ref": "#/components/responses/Problem" },
              "409": { "$ref": "#/components/responses/Problem" }
            }
          }
        },
        "/v1/orgs/{org}/people/{person_id}/reset": {
          "parameters": [{ "$ref": "#/components/parameters/Org" }, { "$ref": "#/components/parameters/PersonID" }],
          "post": {
            "summary": "Reset the person: revoke their tokens and remove their guests upstream, delete their syncs, clear the primary choice; finishes in the worker (admin key)",
            "responses": {
              "202": { "description": "Queued", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Action" } } } },
              "400": { "$ref": "#/components/responses/Problem" }, "401": { "$ref": "#/components/responses/Problem" },
              "403": { "$ref": "#/components/responses/Problem" }, "404": { "$ref": "#/components/responses/Problem" }
            }
          }
        },
        "/v1/orgs/{org}/people/{person_id}/reprompt": {
          "parameters": [{ "$ref": "#/components/parameters/Org" }, { "$ref": "#/components/parameters/PersonID" }],
          "post": {
            "summary": "Send the person's pending consent prompts again with fresh links (old links stop working); throttled unless forced (admin key)",
            "requestBody": { "required": false, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Reprompt" } } } },
            "responses": {
              "202": { "description": "Queued; says when the next prompt is allowed", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Action" } } } },
              "400": { "$ref": "#/components/responses/Problem" }, "401": { "$ref": "#/components/responses/Problem" },
              "403": { "$ref": "#/components/responses/Problem" }, "404": { "$ref": "#/components/responses/Problem" },
              "409": { "description": "Nothing waits for the person", "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } },
              "429": { "description": "Prompted recently: Retry-After and next_prompt_allowed_at say when", "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } }
            }
          }
        },
        "/v1/orgs/{org}/people/{person_id}": {
          "delete": {
            "summary": "Remove the person: a reset, then their person and accounts' data are deleted; a later import brings them back as new (admin key)",
            "responses": {
              "202": { "description": "Queued", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Action" } } } },
              "400": { "$ref": "#/components/responses/Problem" }, "401": { "$ref": "#/components/responses/Problem" },
              "403": { "$ref": "#/components/responses/Problem" }, "404": { "$ref": "#/components/responses/Problem" }
            }
          }
        },
        "/v1/orgs/{org}/people/actions": {
          "parameters": [{ "$ref": "#/components/parameters/Org" }],
          "post": {
            "summary": "Reset, reprompt or remove many people, by ids or by filter (admin key)",
            "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/BulkAction" } } } },
            "responses": {
              "202": { "description": "How many were queued, throttled or had nothing to do", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Tally" } } } },
              "400": { "$ref": "#/components/responses/Problem" }, "401": { "$ref": "#/components/responses/Problem" },
              "403": { "$ref": "#/components/responses/Problem" }, "404": { "$ref": "#/components/responses/Problem" },
              "422": { "$ref": "#/components/responses/Problem" }
            }
          }
        },
        "/v1/orgs/{org}/audit": {
          "parameters": [{ "$ref": "#/components/parameters/Org" }],
          "get": {
            "summary": "The organization's append-only audit log, newest first (any key)",
            "parameters": [
              { "$ref": "#/components/parameters/Limit" }, { "$ref": "#/components/parameters/Cursor" },
              { "name": "action", "in": "query", "description": "An action, or a prefix ending in * (sync.*)", "schema": { "type": "string" } },
              { "name": "actor_kind", "in": "query", "schema": { "type": "string", "enum": ["admin", "viewer", "system", "user", "auto_sync", "operator"] } },
              { "name": "actor_id", "in": "query", "schema": { "type": "string" } },
              { "name": "target_type", "in": "query", "schema": { "type": "string" } },
              { "name": "target_id", "in": "query", "schema": { "type": "string" } },
              { "name": "since", "in": "query", "schema": { "type": "string", "format": "date-time" } },
              { "name": "until", "in": "query", "schema": { "type": "string", "format": "date-time" } }
            ],
            "responses": {
              "200": { "description": "A page of entries", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/AuditPage" } } } },
              "400": { "$ref": "#/components/responses/Problem" }, "401": { "$ref": "#/components/responses/Problem" },
              "404": { "$ref": "#/components/responses/Problem" }
            }
          }
        },
        "/v1/orgs/{org}/routes": {
          "parameters": [{ "$ref": "#/components/parameters/Org" }],
          "get": {
            "summary": "How a direct message from one account reaches a person: where it is delivered and as whom (any key)",
            "parameters": [
              { "name": "from_platform", "in": "query", "required": true, "schema": { "$ref": "#/components/schemas/Platform" } },
              { "name": "from_account", "in": "query", "required": true, "description": "The sender's platform user id", "schema": { "type": "string" } },
              { "name": "from_connection", "in": "query", "schema": { "type": "string", "format": "uuid" } },
              { "name": "to_email", "in": "query", "schema": { "type": "string" } },
              { "name": "to_person", "in": "query", "schema": { "type": "string", "format": "uuid" } }
            ],
            "responses": {
              "200": { "description": "The route", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Route" } } } },
              "400": { "$ref": "#/components/responses/Problem" }, "401": { "$ref": "#/components/responses/Problem" },
              "404": { "$ref": "#/components/responses/Problem" },
              "409": { "description": "Not routable; the code says why (sender_unknown, sender_deactivated, recipient_unknown, recipient_deactivated, recipient_has_no_primary, recipient_not_synced, sender_not_synced)", "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } }
            }
          }
        }
      },
      "components": {
        "parameters": {
          "PersonID": { "name": "person_id", "in": "path", "required": true, "schema": { "type": "string", "format": "uuid" } },
          "SyncID": { "name": "sync_id", "in": "path", "required": true, "schema": { "type": "string", "format": "uuid" } }
        },
        "responses": {
          "Page": { "description": "A page for the person's browser", "content": { "text/html": { "schema": { "type": "string" } } } }
        },
        "schemas": {
          "PeopleFilter": {
            "type": "object", "additionalProperties": false,
            "properties": {
              "platform": { "$ref": "#/components/schemas/Platform" },
              "platforms": { "type": "array", "items": { "$ref": "#/components/schemas/Platform" }, "description": "Active on every one of these" },
              "primary_platform": { "$ref": "#/components/schemas/Platform" },
              "connection_id": { "type": "string", "format": "uuid" }, "needs_primary_choice": { "type": "boolean" },
              "deactivated": { "type": "boolean" }, "sync_status": { "type": "string", "enum": ["not_created", "pending", "synced", "failed"] },
              "sync_platform": { "$ref": "#/components/schemas/Platform" },
              "q": { "type": "string" }
            }
          },
          "SetPrimary": {
            "type": "object", "additionalProperties": false, "description": "One of platform or connection_id",
            "properties": { "platform": { "$ref": "#/components/schemas/Platform" }, "connection_id": { "type": "string", "format": "uuid" } }
          },
          "BulkPrimary": {
            "type": "object", "additionalProperties": false, "description": "One of platform or connection_id; one of person_ids or filter",
            "properties": {
              "platform": { "$ref": "#/components/schemas/Platform" }, "connection_id": { "type": "string", "format": "uuid" },
              "person_ids": { "type": "array", "items": { "type": "string", "format": "uuid" } },
              "filter": { "$ref": "#/components/schemas/PeopleFilter" }
            }
          },
          "StartSync": {
            "type": "object", "additionalProperties": false, "required": ["connection_id"],
            "properties": { "connection_id": { "type": "string", "format": "uuid" } }
          },
          "BulkSync": {
            "type": "object", "additionalProperties": false, "required": ["connection_id"], "description": "One of person_ids or filter",
            "properties": {
              "connection_id": { "type": "string", "format": "uuid" },
              "person_ids": { "type": "array", "items": { "type": "string", "format": "uuid" } },
              "filter": { "$ref": "#/components/schemas/PeopleFilter" }
            }
          },
          "Reprompt": {
            "type": "object", "additionalProperties": false,
            "properties": { "force": { "type": "boolean", "default": false, "description": "Prompt even within the interval" } }
          },
          "BulkAction": {
            "type": "object", "additionalProperties": false, "required": ["action"], "description": "One of person_ids or filter",
            "properties": {
              "action": { "type": "string", "enum": ["reset", "reprompt", "remove"] },
              "person_ids": { "type": "array", "items": { "type": "string", "format": "uuid" } },
              "filter": { "$ref": "#/components/schemas/PeopleFilter" }, "force": { "type": "boolean", "default": false }
            }
          },
          "Tally": {
            "type": "object", "required": ["counts"],
            "properties": { "counts": { "type": "object", "additionalProperties": { "type": "integer" } } }
          },
          "Action": {
            "type": "object", "required": ["action", "person_id", "job_id", "next_prompt_allowed_at"],
            "properties": {
              "action": { "type": "string", "enum": ["reset", "reprompt", "remove"] }, "person_id": { "type": "string", "format": "uuid" },
              "job_id": { "type": ["string", "null"] }, "next_prompt_allowed_at": { "type": ["string", "null"], "format": "date-time" }
            }
          },
          "Actor": {
            "type": "object", "required": ["kind", "id"],
            "properties": { "kind": { "type": "string" }, "id": { "type": ["string", "null"] } }
          },
          "SyncEvent": {
            "type": "object", "required": ["from_status", "to_status", "cause", "message", "actor", "next_retry_at", "fix_action", "at"],
            "properties": {
              "from_status": { "type": ["string", "null"] }, "to_status": { "type": "string" }, "cause": { "type": ["string", "null"] },
              "message": { "type": "string" }, "actor": { "$ref": "#/components/schemas/Actor" },
              "next_retry_at": { "type": ["string", "null"], "format": "date-time" }, "fix_action": { "type": ["string", "null"] },
              "at": { "type": "string", "format": "date-time" }
            }
          },
          "Sync": {
            "type": "object",
            "required": ["id", "person_id", "connection_id", "platform", "mode", "status", "cause", "message", "next_retry_at", "fix_action",
                         "linked_account_id", "virtual_kind", "virtual_identity", "authorized", "created_by", "created_at", "updated_at", "history"],
            "properties": {
              "id": { "type": "string", "format": "uuid" }, "person_id": { "type": "string", "format": "uuid" },
              "connection_id": { "type": "string", "format": "uuid" }, "platform": { "$ref": "#/components/schemas/Platform" },
              "mode": { "type": ["string", "null"], "enum": ["link", "virtual", null] },
              "status": { "type": "string", "enum": ["not_created", "pending", "synced", "failed"] },
              "cause": { "type": ["string", "null"] }, "message": { "type": ["string", "null"] },
              "next_retry_at": { "type": ["string", "null"], "format": "date-time" }, "fix_action": { "type": ["string", "null"] },
              "linked_account_id": { "type": ["string", "null"], "format": "uuid" },
              "virtual_kind": { "type": ["string", "null"], "enum": ["guest", "bot_persona", null] },
              "virtual_identity": { "type": ["string", "null"] },
              "authorized": { "type": "boolean", "description": "The person's own tokens are held (link syncs)" },
              "created_by": { "type": "string" }, "created_at": { "type": "string", "format": "date-time" },
              "updated_at": { "type": "string", "format": "date-time" },
              "history": { "type": ["array", "null"], "items": { "$ref": "#/components/schemas/SyncEvent" } }
            }
          },
          "AuditEntry": {
            "type": "object", "required": ["id", "at", "actor", "action", "target_type", "target_id", "details", "request_id"],
            "properties": {
              "id": { "type": "string" }, "at": { "type": "string", "format": "date-time" }, "actor": { "$ref": "#/components/schemas/Actor" },
              "action": { "type": "string" }, "target_type": { "type": ["string", "null"] }, "target_id": { "type": ["string", "null"] },
              "details": { "type": "object", "additionalProperties": { "type": "string" } }, "request_id": { "type": ["string", "null"] }
            }
          },
          "AuditPage": {
            "type": "object", "required": ["items", "next_cursor"],
            "properties": { "items": { "type": "array", "items": { "$ref": "#/components/schemas/AuditEntry" } }, "next_cursor": { "type": ["string", "null"] } }
          },
          "Route": {
            "type": "object", "required": ["routable", "deliver_to", "send_as"],
            "properties": {
              "routable": { "type": "boolean" },
              "deliver_to": {
                "type": "object", "required": ["person_id", "email", "connection_id", "platform", "platform_user_id"],
                "properties": {
                  "person_id": { "type": "string", "format": "uuid" }, "email": { "type": "string" },
                  "connection_id": { "type": "string", "format": "uuid" }, "platform": { "$ref": "#/components/schemas/Platform" },
                  "platform_user_id": { "type": "string" }
                }
              },
              "send_as": {
                "type": "object", "required": ["person_id", "account_id", "kind", "platform_user_id", "display_name"],
                "properties": {
                  "person_id": { "type": "string", "format": "uuid" }, "account_id": { "type": "string", "format": "uuid" },
                  "kind": { "type": "string", "enum": ["own_account", "linked_account", "virtual_guest", "bot_persona"] },
                  "platform_user_id": { "type": ["string", "null"] }, "display_name": { "type": "string" }
                }
              }
            }
          }
        }
      }
    }
    """#
}
