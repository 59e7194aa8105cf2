extension OpenAPIDocument {
    /// Console members, invitation links and the sync preview behind the console's pop-ups.
    static let console = #"""
    {
      "paths": {
        "/v1/orgs/{org}/people/{person_id}/syncs/preview": {
          "parameters": [{ "$ref": "#/components/parameters/Org" }, { "$ref": "#/components/parameters/PersonID" }],
          "post": {
            "summary": "What syncing the person onto a connection would do (mode and expected outcome); changes nothing (any key)",
            "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/StartSync" } } } },
            "responses": {
              "200": { "description": "The expected outcome", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/SyncPreview" } } } },
              "400": { "$ref": "#/components/responses/Problem" }, "401": { "$ref": "#/components/responses/Problem" },
              "404": { "$ref": "#/components/responses/Problem" }, "409": { "$ref": "#/components/responses/Problem" },
              "422": { "$ref": "#/components/responses/Problem" }
            }
          }
        },
        "/v1/orgs/{org}/syncs/preview": {
          "parameters": [{ "$ref": "#/components/parameters/Org" }],
          "post": {
            "summary": "How many of the people a bulk sync names each expected outcome applies to; changes nothing (any key)",
            "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/BulkSync" } } } },
            "responses": {
              "200": { "description": "People per expected outcome", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/BulkSyncPreview" } } } },
              "400": { "$ref": "#/components/responses/Problem" }, "401": { "$ref": "#/components/responses/Problem" },
              "404": { "$ref": "#/components/responses/Problem" }, "409": { "$ref": "#/components/responses/Problem" },
              "422": { "$ref": "#/components/responses/Problem" }
            }
          }
        },
        "/v1/orgs/{org}/members": {
          "parameters": [{ "$ref": "#/components/parameters/Org" }],
          "get": {
            "summary": "Console members and their roles (any key)",
            "parameters": [{ "name": "include_revoked", "in": "query", "schema": { "type": "boolean", "default": false } }],
            "responses": {
              "200": { "description": "The members", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/MemberPage" } } } },
              "400": { "$ref": "#/components/responses/Problem" }, "401": { "$ref": "#/components/responses/Problem" },
              "404": { "$ref": "#/components/responses/Problem" }
            }
          }
        },
        "/v1/orgs/{org}/members/{member_id}": {
          "parameters": [{ "$ref": "#/components/parameters/Org" }, { "$ref": "#/components/parameters/MemberID" }],
          "patch": {
            "summary": "Change a member's role (operator token or admin key)",
            "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/MemberRole" } } } },
            "responses": {
              "200": { "description": "The member", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Member" } } } },
              "400": { "$ref": "#/components/responses/Problem" }, "401": { "$ref": "#/components/responses/Problem" },
              "403": { "$ref": "#/components/responses/Problem" }, "404": { "$ref": "#/components/responses/Problem" },
              "422": { "$ref": "#/components/responses/Problem" }
            }
          },
          "delete": {
            "summary": "Revoke a member: their sessions end at once and they cannot sign in until invited again (operator token or admin key)",
            "responses": {
              "200": { "description": "The revoked member", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Member" } } } },
              "400": { "$ref": "#/components/responses/Problem" }, "401": { "$ref": "#/components/responses/Problem" },
              "403": { "$ref": "#/components/responses/Problem" }, "404": { "$ref": "#/components/responses/Problem" }
            }
          }
        },
        "/v1/orgs/{org}/invitations": {
          "parameters": [{ "$ref": "#/components/parameters/Org" }],
          "get": {
            "summary": "Invitations not yet used, withdrawn or expired, without their links (any key)",
            "responses": {
              "200": { "description": "The open invitations", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/InvitationPage" } } } },
              "400": { "$ref": "#/components/responses/Problem" }, "401": { "$ref": "#/components/responses/Problem" },
              "404": { "$ref": "#/components/responses/Problem" }
            }
          },
          "post": {
            "summary": "Create a one-time console invitation link for a role (and optionally one address); the link is in this response only (operator token or admin key)",
            "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/CreateInvitation" } } } },
            "responses": {
              "201": { "description": "The invitation with its link", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Invitation" } } } },
              "400": { "$ref": "#/components/responses/Problem" }, "401": { "$ref": "#/components/responses/Problem" },
              "403": { "$ref": "#/components/responses/Problem" }, "404": { "$ref": "#/components/responses/Problem" },
              "422": { "$ref": "#/components/responses/Problem" }
            }
          }
        },
        "/v1/orgs/{org}/invitations/{invitation_id}": {
          "parameters": [
            { "$ref": "#/components/parameters/Org" },
            { "name": "invitation_id", "in": "path", "required": true, "schema": { "type": "string", "format": "uuid" } }
          ],
          "delete": {
            "summary": "Withdraw an invitation: its link stops working (operator token or admin key)",
            "responses": {
              "204": { "description": "Withdrawn" }, "400": { "$ref": "#/components/responses/Problem" },
              "401": { "$ref": "#/components/responses/Problem" }, "403": { "$ref": "#/components/responses/Problem" },
              "404": { "$ref": "#/components/responses/Problem" }
            }
          }
        }
      },
      "components": {
        "parameters": {
          "MemberID": { "name": "member_id", "in": "path", "required": true, "schema": { "type": "string", "format": "uuid" } }
        },
        "schemas": {
          "SyncPreview": {
            "type": "object",
            "required": ["person_id", "connection_id", "platform", "expectation", "mode", "creates_sync", "can_work", "existing_status", "message"],
            "properties": {
              "person_id": { "type": "string", "format": "uuid" }, "connection_id": { "type": "string", "format": "uuid" },
              "platform": { "$ref": "#/components/schemas/Platform" },
              "expectation": {
                "type": "string",
                "enum": ["link", "guest", "bot_persona", "secondary_account_required", "secondary_account_deactivated", "exists", "no_primary", "secondary_is_primary", "unknown_person"]
              },
              "mode": { "type": ["string", "null"], "enum": ["link", "virtual", null] },
              "creates_sync": { "type": "boolean" }, "can_work": { "type": "boolean" },
              "existing_status": { "type": ["string", "null"], "enum": ["not_created", "pending", "synced", "failed", null] },
              "message": { "type": "string", "description": "What will happen, in the admin's words" }
            }
          },
          "BulkSyncPreview": {
            "type": "object", "required": ["connection_id", "platform", "total", "counts"],
            "properties": {
              "connection_id": { "type": "string", "format": "uuid" }, "platform": { "$ref": "#/components/schemas/Platform" },
              "total": { "type": "integer" },
              "counts": { "type": "object", "additionalProperties": { "type": "integer" }, "description": "People per expectation (see SyncPreview)" }
            }
          },
          "Member": {
            "type": "object", "required": ["id", "role", "account", "source", "created_by", "created_at", "last_signed_in_at", "revoked_at"],
            "properties": {
              "id": { "type": "string", "format": "uuid" }, "role": { "type": "string", "enum": ["admin", "viewer"] },
              "account": {
                "type": "object", "required": ["provider", "tenant", "subject", "email", "display_name"],
                "properties": {
                  "provider": { "type": "string", "enum": ["slack", "microsoft"] },
                  "tenant": { "type": "string", "description": "Slack team id or Entra tenant id" },
                  "subject": { "type": "string", "description": "Slack user id or Entra object id" },
                  "email": { "type": ["string", "null"] }, "display_name": { "type": ["string", "null"] }
                }
              },
              "source": { "type": "string", "enum": ["invitation", "platform_admin"] },
              "created_by": { "type": "string" }, "created_at": { "type": "string", "format": "date-time" },
              "last_signed_in_at": { "type": ["string", "null"], "format": "date-time" },
              "revoked_at": { "type": ["string", "null"], "format": "date-time" }
            }
          },
          "MemberPage": {
            "type": "object", "required": ["items", "next_cursor"],
            "properties": { "items": { "type": "array", "items": { "$ref": "#/components/schemas/Member" } }, "next_cursor": { "type": ["string", "null"] } }
          },
          "MemberRole": {
            "type": "object", "additionalProperties": false, "required": ["role"],
            "properties": { "role": { "type": "string", "enum": ["admin", "viewer"] } }
          },
          "CreateInvitation": {
            "type": "object", "additionalProperties": false, "required": ["role"],
            "properties": {
              "role": { "type": "string", "enum": ["admin", "viewer"] },
              "email": { "type": "string", "description": "Only an account with this address may use the link" }
            }
          },
          "Invitation": {
            "type": "object", "required": ["id", "role", "email", "created_by", "created_at", "expires_at"],
            "properties": {
              "id": { "type": "string", "format": "uuid" }, "role": { "type": "string", "enum": ["admin", "viewer"] },
              "email": { "type": ["string", "null"] }, "created_by": { "type": "string" },
              "created_at": { "type": "string", "format": "date-time" }, "expires_at": { "type": "string", "format": "date-time" },
              "url": { "type": "string", "format": "uri", "description": "The one-time link; only in the answer that created it" }
            }
          },
          "InvitationPage": {
            "type": "object", "required": ["items", "next_cursor"],
            "properties": { "items": { "type": "array", "items": { "$ref": "#/components/schemas/Invitation" } }, "next_cursor": { "type": ["string", "null"] } }
          }
        }
      }
    }
    """#
}
