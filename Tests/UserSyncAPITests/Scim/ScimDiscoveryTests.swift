import Foundation
import Testing

/// The discovery endpoints describe what the endpoint supports, with the schemas Entra and Okta
/// read (RFC 7643 §5–7), under the organization's SCIM token.
@Suite struct ScimDiscoveryTests {
    struct Feature: Decodable { let supported: Bool }
    struct FilterFeature: Decodable { let supported: Bool, maxResults: Int }
    struct AuthenticationScheme: Decodable { let type: String }

    /// RFC 7643 §5.
    struct ServiceProviderConfig: Decodable {
        let patch: Feature, bulk: Feature, filter: FilterFeature, changePassword: Feature, sort: Feature, etag: Feature
        let authenticationSchemes: [AuthenticationScheme]
        let meta: ScimReply.Meta
    }

    /// RFC 7643 §6.
    struct ResourceType: Decodable { let name: String, endpoint: String, schema: String }

    /// RFC 7643 §7.
    struct Schema: Decodable {
        struct Attribute: Decodable {
            let name: String
            let required: Bool?
            let uniqueness: String?
            let caseExact: Bool?
        }
        let id: String
        let attributes: [Attribute]
        let meta: ScimReply.Meta
    }

    @Test func serviceProviderConfigSaysWhatIsSupported() async throws {
        try await withAPI { api in
            try await api.createOrganization("acme")
            let token = try await api.scimToken().secret
            let config = try await api.scim(.get, "/ServiceProviderConfig", token: token)
            #expect(config.status == .ok && config.contentType == "application/scim+json", "\(config.text)")
            #expect(config.schemas == ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"])
            let provider = try config.decode(ServiceProviderConfig.self)
            #expect(provider.patch.supported && provider.filter.supported)
            #expect(!provider.bulk.supported && !provider.changePassword.supported && !provider.sort.supported && !provider.etag.supported)
            #expect(provider.filter.maxResults == 1000)
            #expect(provider.authenticationSchemes.map(\.type) == ["oauthbearertoken"])
            #expect(provider.meta.location == "http://usersync.test/scim/v2/acme/ServiceProviderConfig")
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
                Set(try types.decode(ScimReply.List<ResourceType>.self).resources.map { "\($0.name) \($0.endpoint) \($0.schema)" }) == [
                    "User /Users urn:ietf:params:scim:schemas:core:2.0:User", "Group /Groups urn:ietf:params:scim:schemas:core:2.0:Group",
                ])
            let group = try await api.scim(.get, "/ResourceTypes/Group", token: token)
            #expect(group.status == .ok && group.schemas == ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"] && group.id == "Group")

            let schemas = try await api.scim(.get, "/Schemas", token: token)
            let listed = try schemas.decode(ScimReply.List<Schema>.self)
            #expect(listed.totalResults == 2 && listed.resources.count == 2)
            let attributes = { (schema: Schema) in Set(schema.attributes.map(\.name)) }
            let user = try await api.scim(.get, "/Schemas/urn:ietf:params:scim:schemas:core:2.0:User", token: token)
            #expect(user.status == .ok && user.schemas == ["urn:ietf:params:scim:schemas:core:2.0:Schema"], "\(user.text)")
            let userSchema = try user.decode(Schema.self)
            #expect(attributes(userSchema) == ["userName", "name", "displayName", "emails", "active", "externalId"])
            let userName = userSchema.attributes.first { $0.name == "userName" }
            #expect(userName?.required == true && userName?.uniqueness == "server" && userName?.caseExact == false)
            let groupSchema = try #require(listed.resources.first { $0.id == "urn:ietf:params:scim:schemas:core:2.0:Group" })
            #expect(attributes(groupSchema) == ["displayName", "members", "externalId"])
            #expect(groupSchema.meta.location == "http://usersync.test/scim/v2/acme/Schemas/urn:ietf:params:scim:schemas:core:2.0:Group")

            #expect(try await api.scim(.get, "/Schemas/urn:example:nothing", token: token).isError(.notFound))
            #expect(try await api.scim(.get, "/ResourceTypes/Device", token: token).isError(.notFound))
        }
    }
}
