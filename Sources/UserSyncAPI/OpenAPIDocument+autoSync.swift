extension OpenAPIDocument {
    /// Auto Sync: policies that bind directory groups to a primary and secondary platforms.
    static let autoSync = #"""
    {
      "paths": {
        "/events/graph/{org}": {
          "parameters": [{ "name": "org", "in": "path", "required": true, "schema": { "type": "string", "format": "uuid" }, "description": "The organization's id (not its slug)" }],
          "post": {
            "summary": "Microsoft Graph change and lifecycle notifications for followed Entra groups (no API key: each notification's clientState is checked). With ?validationToken=, the subscription handshake: the token is echoed as text/plain",
            "security": [],
            "parameters": [{ "name": "validationToken", "in": "query", "schema": { "type": "string" }, "description": "Sent by Graph when a subscription is made; echoed back" }],
            "requestBody": { "content": { "application/json": { "schema": { "type": "object", "required": ["value"], "properties": {
              "value": { "type": "array", "items": { "type": "object", "required": ["subscriptionId"], "properties": {
                "subscriptionId": { "type": "string" }, "clientState": { "type": ["string", "null"] }, "lifecycleEvent": { "type": "string" } } } } } } } } },
            "responses": {
              "200": { "description": "The validation token, echoed", "content": { "text/plain": { "schema": { "type": "string" } } } },
              "202": { "description": "Taken: notifications whose clientState matches queue a poll of their connection; others are counted and dropped" },
              "400": { "$ref": "#/components/responses/Problem" }, "404": { "$ref": "#/components/responses/Problem" },
              "413": { "$ref": "#/components/responses/Problem" }
            }
          }
        },
        "/v1/orgs/{org}/auto-sync/groups": {
          "parameters": [{ "$ref": "#/components/parameters/Org" }],
          "get": {
            "summary": "Directory groups to pick for a policy, listed live: Entra groups through a Microsoft Teams connection",
            "parameters": [
              { "name": "connection_id", "in": "query", "required": true, "schema": { "type": "string", "format": "uuid" }, "description": "The Teams connection Graph is read through" },
              { "name": "q", "in": "query", "schema": { "type": "string", "maxLength": 256 }, "description": "Only groups whose name starts with this (any case)" },
              { "$ref": "#/components/parameters/Cursor" }
            ],
            "responses": {
              "200": { "description": "A page of groups", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/DirectoryGroupPage" } } } },
              "400": { "$ref": "#/components/responses/Problem" }, "401": { "$ref": "#/components/responses/Problem" },
              "404": { "$ref": "#/components/responses/Problem" },
              "409": { "description": "The connection is disconnected", "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } },
              "422": { "description": "Not a Teams connection (not_a_teams_connection)", "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } },
              "502": { "$ref": "#/components/responses/Problem" }, "503": { "$ref": "#/components/responses/Problem" }
            }
          }
        },
        "/v1/orgs/{org}/auto-sync/policies": {
          "parameters": [{ "$ref": "#/components/parameters/Org" }],
          "get": {
            "summary": "The organization's Auto Sync policies, in the order they apply (priority, then age)",
            "responses": {
              "200": { "description": "The policies", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/AutoSyncPolicyPage" } } } },
              "400": { "$ref": "#/components/responses/Problem" }, "401": { "$ref": "#/components/responses/Problem" },
              "404": { "$ref": "#/components/responses/Problem" }
            }
          },
          "post": {
            "summary": "Create a policy: a directory group's members get its primary and are synced onto its secondary connections (admin key)",
            "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/AutoSyncPolicySettings", "required": ["name", "group", "primary_connection_id", "secondary_connection_ids"] } } } },
            "responses": {
              "201": { "description": "The policy", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/AutoSyncPolicy" } } } },
              "400": { "$ref": "#/components/responses/Problem" }, "401": { "$ref": "#/components/responses/Problem" },
              "403": { "$ref": "#/components/responses/Problem" }, "404": { "$ref": "#/components/responses/Problem" },
              "409": { "description": "The group already has a policy (group_has_policy)", "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } },
              "415": { "$ref": "#/components/responses/Problem" },
              "422": { "description": "Invalid settings, each named by its field", "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } }
            }
          }
        },
        "/v1/orgs/{org}/auto-sync/policies/{policy_id}": {
          "parameters": [
            { "$ref": "#/components/parameters/Org" },
            { "name": "policy_id", "in": "path", "required": true, "schema": { "type": "string", "format": "uuid" } }
          ],
          "get": {
            "summary": "A policy",
            "responses": {
              "200": { "description": "The policy", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/AutoSyncPolicy" } } } },
              "400": { "$ref": "#/components/responses/Problem" }, "401": { "$ref": "#/components/responses/Problem" },
              "404": { "$ref": "#/components/responses/Problem" }
            }
          },
          "patch": {
            "summary": "Change any of a policy's settings; group and removal_hold are replaced whole (admin key)",
            "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/AutoSyncPolicySettings" } } } },
            "responses": {
              "200": { "description": "The policy", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/AutoSyncPolicy" } } } },
              "400": { "$ref": "#/components/responses/Problem" }, "401": { "$ref": "#/components/responses/Problem" },
              "403": { "$ref": "#/components/responses/Problem" }, "404": { "$ref": "#/components/responses/Problem" },
              "409": { "description": "Another policy has that group (group_has_policy)", "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } },
              "415": { "$ref": "#/components/responses/Problem" }, "422": { "$ref": "#/components/responses/Problem" }
            }
          },
          "delete": {
            "summary": "Delete a policy; the syncs it made stay, as if an admin had started them (admin key)",
            "responses": {
              "200": { "description": "The policy as it was", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/AutoSyncPolicy" } } } },
              "400": { "$ref": "#/components/responses/Problem" }, "401": { "$ref": "#/components/responses/Problem" },
              "403": { "$ref": "#/components/responses/Problem" }, "404": { "$ref": "#/components/responses/Problem" }
            }
          }
        },
        "/v1/orgs/{org}/auto-sync/policies/{policy_id}/preview": {
          "parameters": [
            { "$ref": "#/components/parameters/Org" },
            { "name": "policy_id", "in": "path", "required": true, "schema": { "type": "string", "format": "uuid" } }
          ],
          "post": {
            "summary": "What a run of the policy would change now, from the stored group membership; nothing is changed",
            "parameters": [{ "name": "limit", "in": "query", "description": "Items shown of each list (the counts are whole)", "schema": { "type": "integer", "minimum": 0, "maximum": 1000, "default": 100 } }],
            "responses": {
              "200": { "description": "The plan", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/AutoSyncPlan" } } } },
              "400": { "$ref": "#/components/responses/Problem" }, "401": { "$ref": "#/components/responses/Problem" },
              "404": { "$ref": "#/components/responses/Problem" }
            }
          }
        },
        "/v1/orgs/{org}/auto-sync/policies/{policy_id}/runs": {
          "parameters": [
            { "$ref": "#/components/parameters/Org" },
            { "name": "policy_id", "in": "path", "required": true, "schema": { "type": "string", "format": "uuid" } }
          ],
          "post": {
            "summary": "Queue a run of the policy now (admin); it plans from the membership stored when it runs",
            "responses": {
              "202": { "description": "Queued (already_queued: a queued run will do)", "content": { "application/json": { "schema": { "type": "object", "required": ["policy_id", "job_id", "already_queued"], "properties": {
                "policy_id": { "type": "string", "format": "uuid" }, "job_id": { "type": ["integer", "null"] }, "already_queued": { "type": "boolean" } } } } } },
              "400": { "$ref": "#/components/responses/Problem" }, "401": { "$ref": "#/components/responses/Problem" },
              "403": { "$ref": "#/components/responses/Problem" }, "404": { "$ref": "#/components/responses/Problem" }
            }
          }
        },
        "/v1/orgs/{org}/auto-sync/runs": {
          "parameters": [{ "$ref": "#/components/parameters/Org" }],
          "get": {
            "summary": "Auto Sync runs, newest first",
            "parameters": [
              { "name": "policy_id", "in": "query", "schema": { "type": "string", "format": "uuid" } },
              { "name": "state", "in": "query", "schema": { "type": "string", "enum": ["applied", "held", "approved", "rejected", "superseded"] } },
              { "name": "limit", "in": "query", "schema": { "type": "integer", "minimum": 1, "maximum": 200, "default": 50 } },
              { "$ref": "#/components/parameters/Cursor" }
            ],
            "responses": {
              "200": { "description": "A page of runs", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/AutoSyncRunPage" } } } },
              "400": { "$ref": "#/components/responses/Problem" }, "401": { "$ref": "#/components/responses/Problem" },
              "404": { "$ref": "#/components/responses/Problem" }
            }
          }
        },
        "/v1/orgs/{org}/auto-sync/runs/{run_id}": {
          "parameters": [
            { "$ref": "#/components/parameters/Org" },
            { "name": "run_id", "in": "path", "required": true, "schema": { "type": "string", "format": "uuid" } }
          ],
          "get": {
            "summary": "A run and its plan",
            "parameters": [{ "name": "limit", "in": "query", "description": "Items shown of each list (the counts are whole)", "schema": { "type": "integer", "minimum": 0, "maximum": 1000, "default": 100 } }],
            "responses": {
              "200": { "description": "The run", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/AutoSyncRunDetail" } } } },
              "400": { "$ref": "#/components/responses/Problem" }, "401": { "$ref": "#/components/responses/Problem" },
              "404": { "$ref": "#/components/responses/Problem" }
            }
          }
        },
        "/v1/orgs/{org}/auto-sync/runs/{run_id}/approve": {
          "parameters": [
            { "$ref": "#/components/parameters/Org" },
            { "name": "run_id", "in": "path", "required": true, "schema": { "type": "string", "format": "uuid" } }
          ],
          "post": {
            "summary": "Approve a held run (admin): its held removals that a plan made now still wants are applied",
            "responses": {
              "200": { "description": "The run, approved", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/AutoSyncRun" } } } },
              "400": { "$ref": "#/components/responses/Problem" }, "401": { "$ref": "#/components/responses/Problem" },
              "403": { "$ref": "#/components/responses/Problem" }, "404": { "$ref": "#/components/responses/Problem" },
              "409": { "description": "The run is not held (run_not_held)", "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } }
            }
          }
        },
        "/v1/orgs/{org}/auto-sync/runs/{run_id}/reject": {
          "parameters": [
            { "$ref": "#/components/parameters/Org" },
            { "name": "run_id", "in": "path", "required": true, "schema": { "type": "string", "format": "uuid" } }
          ],
          "post": {
            "summary": "Reject a held run (admin): the held syncs stay, and the policy lets go of them (kept as if an admin had started them)",
            "responses": {
              "200": { "description": "The run, rejected", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/AutoSyncRun" } } } },
              "400": { "$ref": "#/components/responses/Problem" }, "401": { "$ref": "#/components/responses/Problem" },
              "403": { "$ref": "#/components/responses/Problem" }, "404": { "$ref": "#/components/responses/Problem" },
              "409": { "description": "The run is not held (run_not_held)", "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } }
            }
          }
        }
      },
      "components": {
        "schemas": {
          "DirectoryGroup": {
            "type": "object", "additionalProperties": false, "required": ["source", "id"],
            "properties": {
              "source": { "type": "string", "enum": ["entra", "scim"], "description": "entra: a Microsoft Entra group read through Graph; scim: pushed by the identity provider" },
              "connection_id": { "type": ["string", "null"], "format": "uuid", "description": "entra only: the Teams connection Graph is read through" },
              "id": { "type": "string", "minLength": 1, "maxLength": 256, "description": "The directory's id of the group" },
              "display_name": { "type": ["string", "null"] }
            }
          },
          "RemovalHold": {
            "type": "object", "additionalProperties": false,
            "description": "A run's removals wait for approval when they are more than over_count people or more than over_percent of the people the policy syncs; null or absent: no bound",
            "properties": {
              "over_count": { "type": ["integer", "null"], "minimum": 0, "default": 25 },
              "over_percent": { "type": ["integer", "null"], "minimum": 0, "maximum": 100, "default": 10 }
            }
          },
          "AutoSyncPolicySettings": {
            "type": "object", "additionalProperties": false,
            "properties": {
              "name": { "type": "string", "minLength": 1, "maxLength": 200 },
              "group": { "$ref": "#/components/schemas/DirectoryGroup" },
              "primary_connection_id": { "type": "string", "format": "uuid" },
              "secondary_connection_ids": { "type": "array", "minItems": 1, "items": { "type": "string", "format": "uuid" }, "description": "Connections members are synced onto; never the primary" },
              "enabled": { "type": "boolean", "default": true },
              "priority": { "type": "integer", "minimum": 1, "maximum": 1000, "default": 100, "description": "For a person in several groups, the lowest number chooses the primary (ties: the older policy)" },
              "removes_on_leave": { "type": "boolean", "default": true, "description": "Whether leaving the group, or being disabled in the directory, removes the syncs this policy made" },
              "overrides_admin_primary": { "type": "boolean", "default": false, "description": "Whether the policy's primary replaces one an admin chose by hand" },
              "removal_hold": { "$ref": "#/components/schemas/RemovalHold" }
            }
          },
          "AutoSyncPolicy": {
            "type": "object",
            "required": ["id", "name", "group", "primary_connection_id", "secondary_connection_ids", "enabled", "priority", "removes_on_leave", "overrides_admin_primary", "removal_hold", "syncs", "created_at", "updated_at"],
            "properties": {
              "id": { "type": "string", "format": "uuid" }, "name": { "type": "string" },
              "group": { "type": "object", "required": ["source", "connection_id", "id", "display_name"], "properties": {
                "source": { "type": "string", "enum": ["entra", "scim"] }, "connection_id": { "type": ["string", "null"], "format": "uuid" },
                "id": { "type": "string" }, "display_name": { "type": ["string", "null"] } } },
              "primary_connection_id": { "type": "string", "format": "uuid" },
              "secondary_connection_ids": { "type": "array", "items": { "type": "string", "format": "uuid" } },
              "enabled": { "type": "boolean" }, "priority": { "type": "integer" }, "removes_on_leave": { "type": "boolean" },
              "overrides_admin_primary": { "type": "boolean" },
              "removal_hold": { "type": "object", "required": ["over_count", "over_percent"], "properties": {
                "over_count": { "type": ["integer", "null"] }, "over_percent": { "type": ["integer", "null"] } } },
              "syncs": { "type": "integer", "description": "Syncs the policy made and keeps" },
              "created_at": { "type": "string", "format": "date-time" }, "updated_at": { "type": "string", "format": "date-time" }
            }
          },
          "AutoSyncPlanChange": {
            "type": "object", "required": ["person_id", "email", "display_name", "connection_id", "platform", "sync_id", "to_policy_id", "expectation", "message", "reason"],
            "properties": {
              "person_id": { "type": "string", "format": "uuid" }, "email": { "type": "string" }, "display_name": { "type": ["string", "null"] },
              "connection_id": { "type": ["string", "null"], "format": "uuid" }, "platform": { "type": ["string", "null"] },
              "sync_id": { "type": ["string", "null"], "format": "uuid", "description": "handovers and removals" },
              "to_policy_id": { "type": ["string", "null"], "format": "uuid", "description": "handovers: the policy that keeps the sync from then on" },
              "expectation": { "type": ["string", "null"], "description": "starts: what starting the sync does (link, guest, bot_persona, or the cause it would fail with)" },
              "message": { "type": ["string", "null"], "description": "starts: the same in the admin's words" },
              "reason": { "type": ["string", "null"], "description": "skips: not_on_primary_platform, admin_chose_primary, sync_on_primary, governed_by_another_policy, no_primary, secondary_is_primary, connection_not_connected" }
            }
          },
          "AutoSyncPlan": {
            "type": "object",
            "required": ["policy_id", "membership_known", "held", "hold_reason", "synced_before", "counts", "starts_by_expectation", "skips_by_reason", "primaries", "starts", "handovers", "removals", "skips", "not_on_any_platform", "truncated"],
            "properties": {
              "policy_id": { "type": "string", "format": "uuid" },
              "membership_known": { "type": "boolean", "description": "False until the group's membership has been read once (first Graph poll, first SCIM push); nothing is planned before" },
              "held": { "type": "boolean", "description": "Whether the removals would wait for an admin's approval (additions never wait)" },
              "hold_reason": { "type": ["string", "null"] },
              "synced_before": { "type": "integer", "description": "People the policy syncs now: the base of the hold's percentage" },
              "counts": { "type": "object", "required": ["primaries", "starts", "handovers", "removals", "skips", "not_on_any_platform"], "properties": {
                "primaries": { "type": "integer" }, "starts": { "type": "integer" }, "handovers": { "type": "integer" },
                "removals": { "type": "integer" }, "skips": { "type": "integer" }, "not_on_any_platform": { "type": "integer" } } },
              "starts_by_expectation": { "type": "object", "additionalProperties": { "type": "integer" } },
              "skips_by_reason": { "type": "object", "additionalProperties": { "type": "integer" } },
              "primaries": { "type": "array", "items": { "$ref": "#/components/schemas/AutoSyncPlanChange" } },
              "starts": { "type": "array", "items": { "$ref": "#/components/schemas/AutoSyncPlanChange" } },
              "handovers": { "type": "array", "items": { "$ref": "#/components/schemas/AutoSyncPlanChange" } },
              "removals": { "type": "array", "items": { "$ref": "#/components/schemas/AutoSyncPlanChange" } },
              "skips": { "type": "array", "items": { "$ref": "#/components/schemas/AutoSyncPlanChange" } },
              "not_on_any_platform": { "type": "array", "items": { "type": "object", "required": ["external_id", "email"], "properties": {
                "external_id": { "type": "string" }, "email": { "type": ["string", "null"] } } } },
              "truncated": { "type": "boolean", "description": "Whether a list holds fewer items than its count" }
            }
          },
          "DirectoryGroupPage": {
            "type": "object", "required": ["items", "next_cursor"],
            "properties": {
              "items": { "type": "array", "items": { "type": "object", "required": ["id", "display_name", "description"], "properties": {
                "id": { "type": "string" }, "display_name": { "type": "string" }, "description": { "type": ["string", "null"] } } } },
              "next_cursor": { "type": ["string", "null"] }
            }
          },
          "AutoSyncRun": {
            "type": "object",
            "required": ["id", "policy_id", "trigger", "state", "counts", "synced_before", "hold_reason", "decided_by", "decided_at", "created_at"],
            "properties": {
              "id": { "type": "string", "format": "uuid" }, "policy_id": { "type": "string", "format": "uuid" },
              "trigger": { "type": "string", "enum": ["policy_created", "policy_updated", "membership_changed", "import", "manual"] },
              "state": { "type": "string", "enum": ["applied", "held", "approved", "rejected", "superseded"], "description": "held: additions applied, removals wait for an admin" },
              "counts": { "$ref": "#/components/schemas/AutoSyncPlan/properties/counts" },
              "synced_before": { "type": "integer" }, "hold_reason": { "type": ["string", "null"] },
              "decided_by": { "type": ["string", "null"] }, "decided_at": { "type": ["string", "null"], "format": "date-time" },
              "created_at": { "type": "string", "format": "date-time" }
            }
          },
          "AutoSyncRunDetail": {
            "type": "object",
            "required": ["run", "starts_by_expectation", "skips_by_reason", "primaries", "starts", "handovers", "removals", "skips", "not_on_any_platform", "truncated"],
            "properties": {
              "run": { "$ref": "#/components/schemas/AutoSyncRun" },
              "starts_by_expectation": { "type": "object", "additionalProperties": { "type": "integer" } },
              "skips_by_reason": { "type": "object", "additionalProperties": { "type": "integer" } },
              "primaries": { "type": "array", "items": { "$ref": "#/components/schemas/AutoSyncPlanChange" } },
              "starts": { "type": "array", "items": { "$ref": "#/components/schemas/AutoSyncPlanChange" } },
              "handovers": { "type": "array", "items": { "$ref": "#/components/schemas/AutoSyncPlanChange" } },
              "removals": { "type": "array", "items": { "$ref": "#/components/schemas/AutoSyncPlanChange" } },
              "skips": { "type": "array", "items": { "$ref": "#/components/schemas/AutoSyncPlanChange" } },
              "not_on_any_platform": { "$ref": "#/components/schemas/AutoSyncPlan/properties/not_on_any_platform" },
              "truncated": { "type": "boolean" }
            }
          },
          "AutoSyncRunPage": {
            "type": "object", "required": ["items", "next_cursor"],
            "properties": { "items": { "type": "array", "items": { "$ref": "#/components/schemas/AutoSyncRun" } }, "next_cursor": { "type": ["string", "null"] } }
          },
          "AutoSyncPolicyPage": {
            "type": "object", "required": ["items", "next_cursor"],
            "properties": { "items": { "type": "array", "items": { "$ref": "#/components/schemas/AutoSyncPolicy" } }, "next_cursor": { "type": ["string", "null"] } }
          }
        }
      }
    }
    """#
}
