import Foundation
import UserSyncDomain

/// What `/ServiceProviderConfig`, `/ResourceTypes` and `/Schemas` say (RFC 7643 §5–7): the
/// attributes this endpoint keeps and the features it supports, so that an identity provider
/// (or its admin reading the mapping screen) knows what is stored and what is ignored.
/// `meta.location` is added per request.
enum ScimDiscoveryDocuments {
    static let serviceProviderConfigSchema = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
    static let resourceTypeSchema = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
    static let schemaSchema = "urn:ietf:params:scim:schemas:core:2.0:Schema"

    static let serviceProviderConfig = parse(
        #"""
        {
          "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
          "patch": {"supported": true},
          "bulk": {"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
          "filter": {"supported": true, "maxResults": 1000},
          "changePassword": {"supported": false},
          "sort": {"supported": false},
          "etag": {"supported": false},
          "authenticationSchemes": [{
            "type": "oauthbearertoken",
            "name": "OAuth Bearer Token",
            "description": "A SCIM token of the organization (POST /v1/orgs/{org}/scim/tokens), sent as 'Authorization: Bearer <token>'.",
            "primary": true
          }],
          "meta": {"resourceType": "ServiceProviderConfig"}
        }
        """#)

    static let resourceTypes: [ScimJSON] = [
        parse(
            #"""
            {
              "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
              "id": "User", "name": "User", "endpoint": "/Users", "description": "A person the identity provider provisions",
              "schema": "urn:ietf:params:scim:schemas:core:2.0:User", "schemaExtensions": [],
              "meta": {"resourceType": "ResourceType"}
            }
            """#),
        parse(
            #"""
            {
              "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
              "id": "Group", "name": "Group", "endpoint": "/Groups", "description": "A group Auto Sync policies can follow",
              "schema": "urn:ietf:params:scim:schemas:core:2.0:Group", "schemaExtensions": [],
              "meta": {"resourceType": "ResourceType"}
            }
            """#),
    ]

    static let schemas: [ScimJSON] = [
        parse(
            #"""
            {
              "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
              "id": "urn:ietf:params:scim:schemas:core:2.0:User", "name": "User", "description": "User Account",
              "attributes": [
                {"name": "userName", "type": "string", "multiValued": false, "required": true, "caseExact": false,
                 "mutability": "readWrite", "returned": "default", "uniqueness": "server",
                 "description": "Unique in the organization, compared without case. When no email is sent, an email-shaped userName is what Auto Sync matches the person by."},
                {"name": "name", "type": "complex", "multiValued": false, "required": false, "mutability": "readWrite", "returned": "default",
                 "uniqueness": "none", "description": "The parts of the person's name.",
                 "subAttributes": [
                   {"name": "formatted", "type": "string", "multiValued": false, "required": false, "caseExact": false,
                    "mutability": "readWrite", "returned": "default", "uniqueness": "none", "description": "The full name."},
                   {"name": "familyName", "type": "string", "multiValued": false, "required": false, "caseExact": false,
                    "mutability": "readWrite", "returned": "default", "uniqueness": "none", "description": "The family name."},
                   {"name": "givenName", "type": "string", "multiValued": false, "required": false, "caseExact": false,
                    "mutability": "readWrite", "returned": "default", "uniqueness": "none", "description": "The given name."}
                 ]},
                {"name": "displayName", "type": "string", "multiValued": false, "required": false, "caseExact": false,
                 "mutability": "readWrite", "returned": "default", "uniqueness": "none", "description": "The name shown for the person."},
                {"name": "emails", "type": "complex", "multiValued": true, "required": false, "mutability": "readWrite", "returned": "default",
                 "uniqueness": "none",
                 "description": "One address is kept: the primary one, else the work one, else the first. Auto Sync matches people by it.",
                 "subAttributes": [
                   {"name": "value", "type": "string", "multiValued": false, "required": false, "caseExact": false,
                    "mutability": "readWrite", "returned": "default", "uniqueness": "none", "description": "The address."},
                   {"name": "type", "type": "string", "multiValued": false, "required": false, "caseExact": false,
                    "canonicalValues": ["work", "home", "other"], "mutability": "readWrite", "returned": "default", "uniqueness": "none",
                    "description": "Returned as work."},
                   {"name": "primary", "type": "boolean", "multiValued": false, "required": false, "mutability": "readWrite",
                    "returned": "default", "description": "Returned as true."}
                 ]},
                {"name": "active", "type": "boolean", "multiValued": false, "required": false, "mutability": "readWrite", "returned": "default",
                 "description": "False deactivates the person: they count as having left every group, and stay readable until deleted."},
                {"name": "externalId", "type": "string", "multiValued": false, "required": false, "caseExact": true,
                 "mutability": "readWrite", "returned": "default", "uniqueness": "none", "description": "The identity provider's own id."}
              ],
              "meta": {"resourceType": "Schema"}
            }
            """#),
        parse(
            #"""
            {
              "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
              "id": "urn:ietf:params:scim:schemas:core:2.0:Group", "name": "Group", "description": "Group",
              "attributes": [
                {"name": "displayName", "type": "string", "multiValued": false, "required": true, "caseExact": false,
                 "mutability": "readWrite", "returned": "default", "uniqueness": "server", "description": "Unique in the organization, compared without case."},
                {"name": "members", "type": "complex", "multiValued": true, "required": false, "mutability": "readWrite", "returned": "default",
                 "uniqueness": "none", "description": "Users of this endpoint; Auto Sync policies sync them.",
                 "subAttributes": [
                   {"name": "value", "type": "string", "multiValued": false, "required": false, "caseExact": true,
                    "mutability": "immutable", "returned": "default", "uniqueness": "none", "description": "The id of a User of this endpoint."},
                   {"name": "$ref", "type": "reference", "referenceTypes": ["User"], "multiValued": false, "required": false,
                    "caseExact": true, "mutability": "immutable", "returned": "default", "uniqueness": "none", "description": "The member's URI."},
                   {"name": "display", "type": "string", "multiValued": false, "required": false, "caseExact": false,
                    "mutability": "readOnly", "returned": "default", "uniqueness": "none", "description": "The member's displayName, else userName."},
                   {"name": "type", "type": "string", "multiValued": false, "required": false, "caseExact": false,
                    "canonicalValues": ["User"], "mutability": "immutable", "returned": "default", "uniqueness": "none",
                    "description": "Always User: groups do not nest."}
                 ]},
                {"name": "externalId", "type": "string", "multiValued": false, "required": false, "caseExact": true,
                 "mutability": "readWrite", "returned": "default", "uniqueness": "none", "description": "The identity provider's own id."}
              ],
              "meta": {"resourceType": "Schema"}
            }
            """#),
    ]

    /// The documents are constants of this file, checked by the discovery tests.
    private static func parse(_ text: String) -> ScimJSON {
        try! JSONDecoder().decode(ScimJSON.self, from: Data(text.utf8))
    }
}

extension ScimJSON {
    /// A document with `meta.location` set.
    func located(at location: String) -> ScimJSON {
        guard case .object(var members) = self, case .object(var meta)? = members["meta"] else { return self }
        meta["location"] = .string(location)
        members["meta"] = .object(meta)
        return .object(members)
    }

    /// The `id` of a document, for looking one up by it.
    var documentID: String? {
        if case .string(let id)? = self[attribute: "id"] { return id }
        return nil
    }
}
