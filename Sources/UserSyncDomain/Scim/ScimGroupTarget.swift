/// What a PATCH path names on a Group. Extension-schema attributes are ignored; `id` and `meta`
/// are read-only (400 `mutability` as a path; skipped as keys of a path-less value object,
/// where Okta repeats `id`); any other name is a 400 `invalidPath`.
enum ScimGroupTarget: Equatable {
    case displayName, externalId
    /// `members`, without a filter.
    case members
    /// `members[value eq "…"]` (or several joined with `or`): those members.
    case selectedMembers([String])
    case ignored

    init(_ path: ScimAttributePath, in label: String) throws(ScimError) {
        if path.isExtension {
            self = .ignored
            return
        }
        switch path.attribute.lowercased() {
        case "id", "meta": throw .mutability("\(label): '\(path.attribute)' is read-only.")
        case "schemas": self = .ignored
        case "displayname" where path.valueFilter == nil && path.subAttribute == nil: self = .displayName
        case "externalid" where path.valueFilter == nil && path.subAttribute == nil: self = .externalId
        case "members" where path.subAttribute == nil:
            guard let filter = path.valueFilter else {
                self = .members
                return
            }
            self = .selectedMembers(try Self.memberValues(filter, in: label))
        case "members":
            throw .invalidPath("\(label): members are added and removed whole; '\(path)' is not supported.")
        default:
            throw .invalidPath("\(label): '\(path)' is not an attribute of the SCIM Group schema.")
        }
    }

    /// The ids of `value eq "a" or value eq "b"`; any other member filter is a 400 `invalidPath`.
    private static func memberValues(_ filter: ScimFilter, in label: String) throws(ScimError) -> [String] {
        switch filter {
        case .compare(let path, .eq, .string(let value)) where path.names("value"):
            return [value]
        case .or(let left, let right):
            var values = try memberValues(left, in: label)
            values += try memberValues(right, in: label).filter { !values.contains($0) }
            return values
        default:
            throw .invalidPath("\(label): members can only be selected with value eq \"<user id>\" (joined with 'or'), not '\(filter)'.")
        }
    }
}
