import Foundation

/// A live API key with the organization it belongs to: what a request's credential admits it to.
public struct KeyAdmission: Sendable, Equatable {
    public var key: APIKey
    public var organization: Organization

    public init(key: APIKey, organization: Organization) {
        self.key = key
        self.organization = organization
    }
}

/// A change to a credential, to the organization it admits to, or to a platform connection, as
/// the database announces it.
public enum AccessChange: Sendable, Equatable {
    case key(APIKeyID)
    case organization(OrganizationID)
    case connection(ConnectionID)

    /// `key:<uuid>`, `org:<uuid>` or `connection:<uuid>`, the payload of a `usersync_access`
    /// notification.
    public init?(payload: String) {
        let parts = payload.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, let id = UUID(uuidString: String(parts[1])) else { return nil }
        switch parts[0] {
        case "key": self = .key(APIKeyID(id))
        case "org": self = .organization(OrganizationID(id))
        case "connection": self = .connection(ConnectionID(id))
        default: return nil
        }
    }
}

/// Which presented keys (by hash) a process may admit without asking the database: a revocation,
/// a renamed or deleted organization drop the entries they touch (``HeardChangesCache``).
public typealias CredentialCacheState = HeardChangesCache<Data, KeyAdmission>

extension HeardChangesCache where Key == Data, Value == KeyAdmission {
    /// Records that a key was just used (its `lastUsedAt`), keeping the entry's age.
    public mutating func noteUse(_ hash: Data, at now: Date) {
        modify(hash) { $0.key.lastUsedAt = now }
    }

    public mutating func apply(_ change: AccessChange) {
        switch change {
        case .key(let id): forget { $1.key.id == id }
        case .organization(let id): forget { $1.organization.id == id }
        case .connection: break
        }
    }
}
