import UserSyncDomain

/// `attributes` and `excludedAttributes` (RFC 7643 §7, RFC 7644 §3.4.2.5): which attributes a
/// response carries. Entra and Okta look groups up with `excludedAttributes=members`, which also
/// spares reading the members at all (``includes(_:)``).
///
/// Names are matched without case, with or without the core schema URN in front
/// (`urn:ietf:params:scim:schemas:core:2.0:Group:members`), as `attribute` or
/// `attribute.subAttribute`. `id` and `schemas` are always returned. Names of attributes the
/// endpoint does not have select nothing.
struct ScimProjection: Sendable {
    /// Paths of `attributes`, lower-cased, one or two components; nil: the default set.
    let attributes: [[String]]?
    let excluded: [[String]]

    static let always: Set<String> = ["id", "schemas"]
    static let all = ScimProjection(attributes: nil, excluded: [])

    init(attributes: [[String]]?, excluded: [[String]]) {
        self.attributes = attributes
        self.excluded = excluded
    }

    init(_ query: ScimQuery) {
        attributes = query["attributes"].map(Self.paths)
        excluded = query["excludedAttributes"].map(Self.paths) ?? []
    }

    /// Whether the response shows any of the top-level attribute `name`.
    func includes(_ name: String) -> Bool {
        let name = name.lowercased()
        if Self.always.contains(name) { return true }
        if let attributes, !attributes.contains(where: { $0[0] == name }) { return false }
        return !excluded.contains([name])
    }

    func apply(to resource: ScimJSON) -> ScimJSON {
        guard case .object(var members) = resource else { return resource }
        for (key, value) in members {
            let name = key.lowercased()
            guard !Self.always.contains(name) else { continue }
            if let attributes {
                let selecting = attributes.filter { $0[0] == name }
                if selecting.isEmpty {
                    members[key] = nil
                    continue
                }
                if !selecting.contains(where: { $0.count == 1 }) {
                    members[key] = Self.keeping(Set(selecting.map { $0[1] }), of: value)
                }
            }
            if excluded.contains([name]) {
                members[key] = nil
                continue
            }
            let removed = Set(excluded.filter { $0.count == 2 && $0[0] == name }.map { $0[1] })
            if !removed.isEmpty, let kept = members[key] { members[key] = Self.removing(removed, from: kept) }
        }
        return .object(members)
    }

    /// The sub-attributes `names` of an object, or of each object of an array.
    private static func keeping(_ names: Set<String>, of value: ScimJSON) -> ScimJSON {
        switch value {
        case .object(let members): .object(members.filter { names.contains($0.key.lowercased()) })
        case .array(let items): .array(items.map { keeping(names, of: $0) })
        default: value
        }
    }

    private static func removing(_ names: Set<String>, from value: ScimJSON) -> ScimJSON {
        switch value {
        case .object(let members): .object(members.filter { !names.contains($0.key.lowercased()) })
        case .array(let items): .array(items.map { removing(names, from: $0) })
        default: value
        }
    }

    /// `members, displayName,urn:…:User:name.givenName` as lower-cased paths.
    private static func paths(_ list: String) -> [[String]] {
        list.split(separator: ",").compactMap { item in
            var name = item.trimmingCharacters(in: .whitespaces).lowercased()
            for urn in [ScimSchema.user, ScimSchema.group] where name.hasPrefix(urn.lowercased() + ":") {
                name.removeFirst(urn.count + 1)
            }
            let parts = name.split(separator: ".", maxSplits: 1).map(String.init)
            return parts.isEmpty || name.hasPrefix("urn:") ? nil : parts
        }
    }
}
