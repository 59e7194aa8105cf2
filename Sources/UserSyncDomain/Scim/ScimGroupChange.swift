/// One change a Group PATCH makes. Member values are the user ids this endpoint assigned, in the
/// order sent, without repeats. The list from ``ScimPatchRequest/groupChanges()`` is applied in
/// order in one transaction; adding a member twice or removing a non-member is not an error
/// (Entra retries whole requests).
public enum ScimGroupChange: Sendable, Equatable {
    case displayName(String)
    case externalId(String?)
    case addMembers([String])
    case removeMembers([String])
    case removeAllMembers
    /// The membership becomes exactly these (empty: nobody).
    case replaceMembers([String])
}

extension ScimGroupInput {
    /// The group after `changes`; added members get no `display`.
    public func applying(_ changes: [ScimGroupChange]) -> ScimGroupInput {
        var group = self
        for change in changes {
            switch change {
            case .displayName(let value): group.displayName = value
            case .externalId(let value): group.externalId = value
            case .addMembers(let values):
                let present = Set(group.members.map(\.value))
                group.members += values.filter { !present.contains($0) }.map { Member(value: $0) }
            case .removeMembers(let values):
                let removed = Set(values)
                group.members.removeAll { removed.contains($0.value) }
            case .removeAllMembers: group.members = []
            case .replaceMembers(let values): group.members = values.map { Member(value: $0) }
            }
        }
        return group
    }
}
