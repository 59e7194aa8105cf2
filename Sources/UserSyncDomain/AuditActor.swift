/// Who did something, as recorded in the audit log and in sync histories.
public enum AuditActor: Sendable, Equatable {
    /// The deployment's operator (operator token or the CLI).
    case `operator`
    /// An organization API key.
    case apiKey(APIKeyID, APIKeyRole)
    /// A console member, signed in with their platform account.
    case member(ConsoleMemberID)
    case system
    case user(String)
    /// An Auto Sync policy's run.
    case autoSync(AutoSyncPolicyID)

    public var kind: String {
        switch self {
        case .operator: "operator"
        case .apiKey(_, let role): role.rawValue
        case .member: "member"
        case .system: "system"
        case .user: "user"
        case .autoSync: "auto_sync"
        }
    }

    public var id: String? {
        switch self {
        case .apiKey(let id, _): id.description
        case .member(let id): id.description
        case .user(let id): id
        case .autoSync(let policy): policy.description
        case .operator, .system: nil
        }
    }

    /// A short form for `created_by` columns: `operator`, `key:<uuid>`, …
    public var label: String {
        switch self {
        case .apiKey(let id, _): "key:\(id)"
        case .member(let id): "member:\(id)"
        case .user(let id): "user:\(id)"
        case .autoSync(let policy): "auto_sync:\(policy)"
        default: kind
        }
    }

    /// The policy acting, for an Auto Sync run.
    public var autoSyncPolicy: AutoSyncPolicyID? {
        if case .autoSync(let policy) = self { policy } else { nil }
    }
}
