import Foundation
import UserSyncDomain
import UserSyncUseCases

/// Resources as the SCIM endpoint sends them (RFC 7643 §4). Attributes without a value are
/// left out, as RFC 7643 §2.5 treats null and absent alike.
enum ScimRepresentation {
    static func user(_ record: ScimUserRecord, location: String) -> ScimJSON {
        let user = record.attributes
        var members: [String: ScimJSON] = [
            "schemas": .array([.string(ScimSchema.user)]),
            "id": .string(record.id),
            "userName": .string(user.userName),
            "active": .bool(record.active),
            "meta": meta("User", record.createdAt, record.updatedAt, record.version, location),
        ]
        members["externalId"] = user.externalId.map(ScimJSON.string)
        members["displayName"] = user.displayName.map(ScimJSON.string)
        let name = [("givenName", user.name.givenName), ("familyName", user.name.familyName), ("formatted", user.name.formatted)]
            .compactMap { key, value in value.map { (key, ScimJSON.string($0)) } }
        if !name.isEmpty { members["name"] = .object(Dictionary(uniqueKeysWithValues: name)) }
        if let email = user.email {
            // The one kept address, as the work and primary one (Entra maps `mail` there).
            members["emails"] = .array([.object(["value": .string(email), "type": .string("work"), "primary": .bool(true)])])
        }
        return .object(members)
    }

    static func group(_ resource: ScimGroups.Resource, locations: ScimLocations, reference: String) -> ScimJSON {
        let group = resource.group
        var members: [String: ScimJSON] = [
            "schemas": .array([.string(ScimSchema.group)]),
            "id": .string(group.id),
            "displayName": .string(group.displayName),
            "meta": meta("Group", group.createdAt, group.updatedAt, group.version, locations.group(group.id, in: reference)),
        ]
        members["externalId"] = group.externalId.map(ScimJSON.string)
        if let list = resource.members {
            members["members"] = .array(
                list.map { member in
                    var entry: [String: ScimJSON] = [
                        "value": .string(member.id), "$ref": .string(locations.user(member.id, in: reference)), "type": .string("User"),
                    ]
                    entry["display"] = member.display.map(ScimJSON.string)
                    return .object(entry)
                })
        }
        return .object(members)
    }

    /// A ListResponse (RFC 7644 §3.4.2): `Resources` is always there, empty when nothing matched
    /// (Entra reads a missing one as an error).
    static func list(_ resources: [ScimJSON], totalResults: Int, startIndex: Int) -> ScimJSON {
        .object([
            "schemas": .array([.string(ScimSchema.listResponse)]),
            "totalResults": .number(Decimal(totalResults)),
            "startIndex": .number(Decimal(startIndex)),
            "itemsPerPage": .number(Decimal(resources.count)),
            "Resources": .array(resources),
        ])
    }

    /// `version` is a weak entity tag of the row's version, which every write raises.
    static func meta(_ resourceType: String, _ created: Date, _ lastModified: Date, _ version: Int64, _ location: String) -> ScimJSON {
        .object([
            "resourceType": .string(resourceType),
            "created": .string(created.formatted(.iso8601)),
            "lastModified": .string(lastModified.formatted(.iso8601)),
            "location": .string(location),
            "version": .string("W/\"\(version)\""),
        ])
    }
}
