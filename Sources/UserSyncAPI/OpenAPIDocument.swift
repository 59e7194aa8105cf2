import Foundation

/// The OpenAPI 3.1 description of the API, served at `/openapi.json`: this base and one fragment
/// per feature (`paths` and `components.schemas`), merged once. A test fails when a route exists
/// that the document does not describe, or the reverse.
enum OpenAPIDocument {
    static let json: String = {
        do {
            var document = try object(base)
            for fragment in [directory, userSync, console, autoSync, scim] {
                let part = try object(fragment)
                // Operations of one path may come from several fragments.
                var paths = document["paths"] as? [String: Any] ?? [:]
                for (path, item) in part["paths"] as? [String: Any] ?? [:] { paths[path] = merge(paths[path], item) }
                document["paths"] = paths
                var components = document["components"] as? [String: Any] ?? [:]
                let partComponents = part["components"] as? [String: Any] ?? [:]
                for (key, value) in partComponents { components[key] = merge(components[key], value) }
                document["components"] = components
            }
            let data = try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .withoutEscapingSlashes])
            return String(decoding: data, as: UTF8.self)
        } catch {
            fatalError("the OpenAPI document is not valid JSON: \(error)")
        }
    }()

    private static func object(_ text: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] ?? [:]
    }

    private static func merge(_ a: Any?, _ b: Any?) -> [String: Any] {
        (a as? [String: Any] ?? [:]).merging(b as? [String: Any] ?? [:]) { _, new in new }
    }

    static let base = #"""
    {
      "openapi": "3.1.0",
      "info": {
        "title": "UserSync API",
        "version": "1.0.0",
        "description": "Sync users across Slack, Microsoft Teams, Zoom Team Chat and Webex. Errors are RFC 9457 problem details (application/problem+json) with a machine-readable `code` and the `request_id`. An empty query parameter (`cursor=`) is the same as an absent one, on every route. Each API key may make `USERSYNC_RATE_LIMIT_PER_SECOND` requests a second (bursts of `USERSYNC_RATE_LIMIT_BURST`); more are answered 429 `rate_limited` with `Retry-After`."
      },
      "servers": [{ "url": "/" }],
      "security": [{ "bearer": [] }],
      "paths": {
        "/healthz": {
          "get": { "summary": "Liveness: the process is up", "security": [], "responses": { "200": { "$ref": "#/components/responses/Status" } } }
        },
        "/readyz": {
          "get": {
            "summary": "Readiness: the database answers and its migrations are current", "security": [],
            "responses": { "200": { "$ref": "#/components/responses/Status" }, "503": { "$ref": "#/components/responses/Problem" } }
          }
        },
        "/metrics": {
          "get": {
            "summary": "Prometheus metrics", "security": [],
            "responses": { "200": { "description": "Prometheus text format", "content": { "text/plain": { "schema": { "type": "string" } } } } }
          }
        },
        "/openapi.json": {
          "get": {
            "summary": "This document", "security": [],
            "responses": { "200": { "description": "OpenAPI 3.1", "content": { "application/json": { "schema": { "type": "object" } } } } }
          }
        },
        "/v1/orgs": {
          "post": {
            "summary": "Create an organization (operator token)",
            "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/CreateOrganization" } } } },
            "responses": {
              "201": { "description": "Created", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Organization" } } } },
              "400": { "$ref": "#/components/responses/Problem" }, "401": { "$ref": "#/components/responses/Problem" },
              "403": { "$ref": "#/components/responses/Problem" }, "409": { "$ref": "#/components/responses/Problem" },
              "413": { "$ref": "#/components/responses/Problem" }, "415": { "$ref": "#/components/responses/Problem" },
              "422": { "$ref": "#/components/responses/Problem" }
            }
          },
          "get": {
            "summary": "List organizations (operator token)",
            "parameters": [{ "$ref": "#/components/parameters/Limit" }, { "$ref": "#/components/parameters/Cursor" }],
            "responses": {
              "200": { "description": "A page of organizations", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/OrganizationPage" } } } },
              "400": { "$ref": "#/components/responses/Problem" }, "401": { "$ref": "#/components/responses/Problem" },
              "403": { "$ref": "#/components/responses/Problem" }
            }
          }
        },
        "/v1/orgs/{org}": {
          "parameters": [{ "$ref": "#/components/parameters/Org" }],
          "get": {
            "summary": "Get an organization (operator token or any key of the organization)",
            "responses": {
              "200": { "description": "The organization", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Organization" } } } },
              "401": { "$ref": "#/components/responses/Problem" }, "404": { "$ref": "#/components/responses/Problem" }
            }
          },
          "patch": {
            "summary": "Rename an organization (operator token or admin key)",
            "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/RenameOrganization" } } } },
            "responses": {
              "200": { "description": "The renamed organization", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Organization" } } } },
              "400": { "$ref": "#/components/responses/Problem" }, "401": { "$ref": "#/components/responses/Problem" },
              "403": { "$ref": "#/components/responses/Problem" }, "404": { "$ref": "#/components/responses/Problem" },
              "422": { "$ref": "#/components/responses/Problem" }
            }
          },
          "delete": {
            "summary": "Delete an organization and all its data (operator token)",
            "responses": {
              "204": { "description": "Deleted" }, "401": { "$ref": "#/components/responses/Problem" },
              "403": { "$ref": "#/components/responses/Problem" }, "404": { "$ref": "#/components/responses/Problem" }
            }
          }
        },
        "/v1/orgs/{org}/keys": {
          "parameters": [{ "$ref": "#/components/parameters/Org" }],
          "post": {
            "summary": "Create an API key; the secret is in the response and never again (operator token or admin key)",
            "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/CreateAPIKey" } } } },
            "responses": {
              "201": { "description": "Created", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/CreatedAPIKey" } } } },
              "400": { "$ref": "#/components/responses/Problem" }, "401": { "$ref": "#/components/responses/Problem" },
              "403": { "$ref": "#/components/responses/Problem" }, "404": { "$ref": "#/components/responses/Problem" },
              "422": { "$ref": "#/components/responses/Problem" }
            }
          },
          "get": {
            "summary": "List API keys, without secrets (operator token or admin key)",
            "parameters": [{ "name": "include_revoked", "in": "query", "schema": { "type": "boolean", "default": false } }],
            "responses": {
              "200": { "description": "The keys", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/APIKeyPage" } } } },
              "400": { "$ref": "#/components/responses/Problem" }, "401": { "$ref": "#/components/responses/Problem" },
              "403": { "$ref": "#/components/responses/Problem" }, "404": { "$ref": "#/components/responses/Problem" }
            }
          }
        },
        "/v1/orgs/{org}/keys/{key_id}": {
          "parameters": [
            { "$ref": "#/components/parameters/Org" },
            { "name": "key_id", "in": "path", "required": true, "schema": { "type": "string", "format": "uuid" } }
          ],
          "delete": {
            "summary": "Revoke an API key; it stops working at once (operator token or admin key)",
            "responses": {
              "200": { "description": "The revoked key", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/APIKey" } } } },
              "400": { "$ref": "#/components/responses/Problem" }, "401": { "$ref": "#/components/responses/Problem" },
              "403": { "$ref": "#/components/responses/Problem" }, "404": { "$ref": "#/components/responses/Problem" }
            }
          }
        },
        "/v1/orgs/{org}/jobs": {
          "parameters": [{ "$ref": "#/components/parameters/Org" }],
          "get": {
            "summary": "List the organization's jobs, newest first (any key of the organization)",
            "parameters": [
              { "$ref": "#/components/parameters/Limit" }, { "$ref": "#/components/parameters/Cursor" },
              { "name": "state", "in": "query", "schema": { "type": "string", "enum": ["queued", "running", "succeeded", "failed", "cancelled"] } },
              { "name": "kind", "in": "query", "schema": { "type": "string" } }
            ],
            "responses": {
              "200": { "description": "A page of jobs", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/JobPage" } } } },
              "400": { "$ref": "#/components/responses/Problem" }, "401": { "$ref": "#/components/responses/Problem" },
              "404": { "$ref": "#/components/responses/Problem" }
            }
          }
        },
        "/v1/orgs/{org}/jobs/{job_id}": {
          "parameters": [
            { "$ref": "#/components/parameters/Org" },
            { "name": "job_id", "in": "path", "required": true, "schema": { "type": "string", "pattern": "^[0-9]+$" } }
          ],
          "get": {
            "summary": "Get one of the organization's jobs (any key of the organization)",
            "responses": {
              "200": { "description": "The job", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Job" } } } },
              "400": { "$ref": "#/components/responses/Problem" }, "401": { "$ref": "#/components/responses/Problem" },
              "404": { "$ref": "#/components/responses/Problem" }
            }
          }
        }
      },
      "components": {
        "securitySchemes": {
          "bearer": { "type": "http", "scheme": "bearer", "description": "The operator token, or an organization API key (usk_…)." }
        },
        "parameters": {
          "Org": { "name": "org", "in": "path", "required": true, "description": "Organization slug or id", "schema": { "type": "string" } },
          "Limit": { "name": "limit", "in": "query", "schema": { "type": "integer", "minimum": 1, "maximum": 200, "default": 50 } },
          "Cursor": { "name": "cursor", "in": "query", "description": "next_cursor of the previous page", "schema": { "type": "string" } }
        },
        "responses": {
          "Status": {
            "description": "Status",
            "content": { "application/json": { "schema": { "type": "object", "required": ["status"], "properties": { "status": { "type": "string" } } } } }
          },
          "Problem": {
            "description": "RFC 9457 problem details",
            "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } }
          }
        },
        "schemas": {
          "Problem": {
            "type": "object",
            "required": ["type", "code", "title", "status", "detail", "request_id"],
            "properties": {
              "type": { "type": "string" }, "code": { "type": "string" }, "title": { "type": "string" },
              "status": { "type": "integer" }, "detail": { "type": "string" }, "request_id": { "type": "string" },
              "errors": {
                "type": "array",
                "items": {
                  "type": "object", "required": ["field", "code", "message"],
                  "properties": { "field": { "type": "string" }, "code": { "type": "string" }, "message": { "type": "string" } }
                }
              }
            }
          },
          "CreateOrganization": {
            "type": "object", "additionalProperties": false, "required": ["slug", "name"],
            "properties": {
              "slug": { "type": "string", "pattern": "^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$" },
              "name": { "type": "string", "minLength": 1, "maxLength": 200 }
            }
          },
          "RenameOrganization": {
            "type": "object", "additionalProperties": false, "required": ["name"],
            "properties": { "name": { "type": "string", "minLength": 1, "maxLength": 200 } }
          },
          "Organization": {
            "type": "object", "required": ["id", "slug", "name", "created_at", "updated_at"],
            "properties": {
              "id": { "type": "string", "format": "uuid" }, "slug": { "type": "string" }, "name": { "type": "string" },
              "created_at": { "type": "string", "format": "date-time" }, "updated_at": { "type": "string", "format": "date-time" }
            }
          },
          "OrganizationPage": {
            "type": "object", "required": ["items", "next_cursor"],
            "properties": {
              "items": { "type": "array", "items": { "$ref": "#/components/schemas/Organization" } },
              "next_cursor": { "type": ["string", "null"] }
            }
          },
          "CreateAPIKey": {
            "type": "object", "additionalProperties": false, "required": ["name", "role"],
            "properties": { "name": { "type": "string", "minLength": 1, "maxLength": 200 }, "role": { "type": "string", "enum": ["admin", "viewer"] } }
          },
          "APIKey": {
            "type": "object", "required": ["id", "name", "role", "hint", "created_by", "created_at", "last_used_at", "revoked_at"],
            "properties": {
              "id": { "type": "string", "format": "uuid" }, "name": { "type": "string" },
              "role": { "type": "string", "enum": ["admin", "viewer"] },
              "hint": { "type": "string", "description": "The first characters of the secret" },
              "created_by": { "type": "string" }, "created_at": { "type": "string", "format": "date-time" },
              "last_used_at": { "type": ["string", "null"], "format": "date-time" },
              "revoked_at": { "type": ["string", "null"], "format": "date-time" }
            }
          },
          "Job": {
            "type": "object",
            "required": ["id", "organization_id", "kind", "payload", "priority", "state", "attempts", "max_attempts", "run_at",
                         "last_error", "dedupe_key", "lease_owner", "lease_expires_at", "created_at", "started_at", "finished_at"],
            "properties": {
              "id": { "type": "string", "pattern": "^[0-9]+$" }, "organization_id": { "type": "string", "format": "uuid" },
              "kind": { "type": "string" }, "payload": {}, "priority": { "type": "integer" },
              "state": { "type": "string", "enum": ["queued", "running", "succeeded", "failed", "cancelled"] },
              "attempts": { "type": "integer" }, "max_attempts": { "type": "integer" },
              "run_at": { "type": "string", "format": "date-time" }, "last_error": { "type": ["string", "null"] },
              "dedupe_key": { "type": ["string", "null"] }, "lease_owner": { "type": ["string", "null"] },
              "lease_expires_at": { "type": ["string", "null"], "format": "date-time" },
              "created_at": { "type": "string", "format": "date-time" },
              "started_at": { "type": ["string", "null"], "format": "date-time" },
              "finished_at": { "type": ["string", "null"], "format": "date-time" }
            }
          },
          "JobPage": {
            "type": "object", "required": ["items", "next_cursor"],
            "properties": { "items": { "type": "array", "items": { "$ref": "#/components/schemas/Job" } }, "next_cursor": { "type": ["string", "null"] } }
          },
          "CreatedAPIKey": {
            "allOf": [
              { "$ref": "#/components/schemas/APIKey" },
              { "type": "object", "required": ["secret"], "properties": { "secret": { "type": "string", "description": "Shown once" } } }
            ]
          },
          "APIKeyPage": {
            "type": "object", "required": ["items", "next_cursor"],
            "properties": {
              "items": { "type": "array", "items": { "$ref": "#/components/schemas/APIKey" } },
              "next_cursor": { "type": ["string", "null"] }
            }
          }
        }
      }
    }
    """#
}
