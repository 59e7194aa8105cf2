import Foundation

/// A SCIM Group as `POST /Groups` and `PUT /Groups/{id}` send it. Entra creates groups with no
/// members and adds them by PATCH; Okta's Group Push may send members on create.
public struct ScimGroupInput: Sendable, Equatable {
    /// Entra requires it to be unique in the organization to match groups.
    public var displayName: String
    public var externalId: String?
    /// In the order sent, without repeats.
    public var members: [Member]

    public init(displayName: String, externalId: String? = nil, members: [Member] = []) {
        self.displayName = displayName
        self.externalId = externalId
        self.members = members
    }

    /// A member reference: `value` is the `id` this endpoint gave the user. `$ref` and `type`
    /// are ignored: the id alone identifies the user.
    public struct Member: Sendable, Equatable {
        public var value: String
        public var display: String?

        public init(value: String, display: String? = nil) {
            self.value = value
            self.display = display
        }
    }

    /// Reads a Group body. Not JSON or not an object: 400 `invalidSyntax`; `displayName`
    /// missing or blank, `members` not an array of `{value}`: 400 `invalidValue`. Unknown
    /// attributes and extension schemas (Entra adds its ADSCIM group schema) are ignored.
    public static func decode(_ body: Data) throws(ScimError) -> ScimGroupInput {
        let json = try ScimJSON.parse(body)
        guard case .object = json else { throw .invalidSyntax("A Group must be a JSON object, got \(json.kind).") }
        var group = ScimGroupInput(displayName: try json.requiredString("displayName", at: "displayName"))
        group.externalId = try json.optionalString("externalId", at: "externalId")
        if let members = json[attribute: "members"] {
            group.members = try Member.list(members, at: "members")
        }
        return group
    }
}
