import Foundation
import Testing

/// The discovery endpoints describe what the endpoint supports, with the schemas Entra and Okta
/// read (RFC 7643 §5–7), under the organization's SCIM token.
@Suite struct ScimDiscoveryTests {
    @Test func serviceProviderConfigSaysWhatIsSupported() async throws {
        try await withAPI { api in
            try await api.createOrganization("acme")
            let token = try await api.scimToken().secret
            let config = try await api.scim(.get, "/ServiceProviderConfig", token: token)
            #expect(config.status == .ok && config.contentType == "application/scim+json", "\(config.text)")
            #expect(config.schemas == ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"])
            let supported = { (feature: String) in (config[feature] as? [String: Any])?["supported"] as? Bool }
            #expect(supported("patch") == true && supported("filter") == true)
            #expect(supported("bulk") == false && supported("changePassword") == false && supported("sort") == false && supported("etag") == false)
            #expect((config["filter"] as? [String: Any])?["maxResults"] as? Int == 1000)
            let schemes = config["authenticationSchemes"] as? [[String: Any]] ?? []
            #expect(schemes.map { $0["type"] as? String } == ["oauthbearertoken"])
            #expect((config["meta"] as? [String: Any])?["location"] as? String == "http://usersync.test/scim/v2/acme/ServiceProviderConfig")
            // Bulk is refused as RFC 7644 says for what is not supported.
            #expect(try await api.scim(.post, "/Bulk", token: token, body: "{}").isError(.notImplemented))
        }
    }

    @Test func resourceTypesAndSchemasDescribeUsersAndGroups() async throws {
        try await withAPI { api in
            try await api.createOrganization("acme")
            let token = try await api.scimToken().secret
            let types = try await api.scim(.get, "/ResourceTypes", token: token)
            #expect(types.schemas == ["urn:ietf:params:scim:api:messages:2.0:ListResponse"] && types.totalResults == 2)
            #expect(
                Set(types.resources.map { "\($0["name"]!) \($0["endpoint"]!) \($0["schema"]!)" }) == [
                    "User /Users urn:ietf:params:scim:schemas:core:2.0:User", "Group /Groups urn:ietf:params:scim:schemas:core:2.0:Group",
                ])
            let group = try await api.scim(.get, "/ResourceTypes/Group", token: token)
            #expect(group.status == .ok && group.schemas == ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"] && group.id == "Group")

            let schemas = try await api.scim(.get, "/Schemas", token: token)
            #expect(schemas.totalResults == 2 && schemas.resources.count == 2)
            let attributes = { (schema: [String: Any]) in Set((schema["attributes"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }) }
            let user = try await api.scim(.get, "/Schemas/urn:ietf:params:scim:schemas:core:2.0:User", token: token)
            #expect(user.status == .ok && user.schemas == ["urn:ietf:params:scim:schemas:core:2.0:Schema"], "\(user.text)")
            #expect(attributes(user.json) == ["userName", "name", "displayName", "emails", "active", "externalId"])
            let userName = (user["attributes"] as? [[String: Any]])?.first { $0["name"] as? String == "userName" }
            #expect(
                userName?["required"] as? Bool == true && userName?["uniqueness"] as? String == "server" && userName?["caseExact"] as? Bool == false)
            let groupSchema = try #require(schemas.resources.first { $0["id"] as? String == "urn:ietf:params:scim:schemas:core:2.0:Group" })
            #expect(attributes(groupSchema) == ["displayName", "members", "externalId"])
            #expect(
                (groupSchema["meta"] as? [String: Any])?["location"] as? String
                    == "http://usersync.test/scim/v2/acme/Schemas/urn:ietf:params:scim:schemas:core:2.0:Group")

            #expect(try await api.scim(.get, "/Schemas/urn:example:nothing", token: token).isError(.notFound))
            #expect(try await api.scim(.get, "/ResourceTypes/Device", token: token).isError(.notFound))
        }
    }
}
