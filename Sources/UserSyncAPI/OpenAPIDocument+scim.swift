extension OpenAPIDocument {
    /// SCIM: the tokens an identity provider presents to the organization's SCIM endpoint. The
    /// SCIM endpoint itself (`/scim/v2/{org}/…`) speaks RFC 7644 and is described by its own
    /// discovery routes (`/ServiceProviderConfig`, `/ResourceTypes`, `/Schemas`).
    static let scim = #"""
    {
      "paths": {
        "/v1/orgs/{org}/scim/tokens": {
          "parameters": [{ "$ref": "#/components/parameters/Org" }],
          "get": {
            "summary": "The organization's SCIM tokens (admin)",
            "parameters": [{ "name": "include_revoked", "in": "query", "schema": { "type": "boolean", "default": false } }],
            "responses": {
              "200": { "description": "The tokens, without their secrets", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ScimTokenPage" } } } },
              "400": { "$ref": "#/components/responses/Problem" }, "401": { "$ref": "#/components/responses/Problem" },
              "403": { "$ref": "#/components/responses/Problem" }, "404": { "$ref": "#/components/responses/Problem" }
            }
          },
          "post": {
            "summary": "Create a SCIM token (admin); its secret is shown once",
            "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object", "additionalProperties": false, "required": ["name"],
              "properties": { "name": { "type": "string", "minLength": 1, "maxLength": 200 } } } } } },
            "responses": {
              "201": { "description": "The token, with its secret", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ScimToken" } } } },
              "400": { "$ref": "#/components/responses/Problem" }, "401": { "$ref": "#/components/responses/Problem" },
              "403": { "$ref": "#/components/responses/Problem" }, "404": { "$ref": "#/components/responses/Problem" },
              "415": { "$ref": "#/components/responses/Problem" }, "422": { "$ref": "#/components/responses/Problem" }
            }
          }
        },
        "/v1/orgs/{org}/scim/tokens/{token_id}": {
          "parameters": [
            { "$ref": "#/components/parameters/Org" },
            { "name": "token_id", "in": "path", "required": true, "schema": { "type": "string", "format": "uuid" } }
          ],
          "delete": {
            "summary": "Revoke a SCIM token (admin): the next request presenting it is refused",
            "responses": {
              "200": { "description": "The token, revoked", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ScimToken" } } } },
              "400": { "$ref": "#/components/responses/Problem" }, "401": { "$ref": "#/components/responses/Problem" },
              "403": { "$ref": "#/components/responses/Problem" }, "404": { "$ref": "#/components/responses/Problem" }
            }
          }
        }
      },
      "components": {
        "schemas": {
          "ScimToken": {
            "type": "object", "required": ["id", "name", "hint", "created_by", "created_at", "last_used_at", "revoked_at"],
            "properties": {
              "id": { "type": "string", "format": "uuid" }, "name": { "type": "string" }, "hint": { "type": "string" },
              "created_by": { "type": "string" }, "created_at": { "type": "string", "format": "date-time" },
              "last_used_at": { "type": ["string", "null"], "format": "date-time" }, "revoked_at": { "type": ["string", "null"], "format": "date-time" },
              "secret": { "type": "string", "description": "Only when created: the bearer token to give the identity provider" }
            }
          },
          "ScimTokenPage": {
            "type": "object", "required": ["items", "next_cursor"],
            "properties": { "items": { "type": "array", "items": { "$ref": "#/components/schemas/ScimToken" } }, "next_cursor": { "type": ["string", "null"] } }
          }
        }
      }
    }
    """#
}
