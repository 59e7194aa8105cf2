/// Who may be synced onto a secondary connection, and what a sync there would do: the rule behind
/// starting syncs, the confirmation pop-up and the sync preview API, decided in one place.
public enum SyncPreview {
    /// What the rule needs to know of one person.
    public struct Facts: Sendable, Equatable {
        public var personExists: Bool
        /// The platform of the person's primary connection; nil without one.
        public var primary: Platform?
        /// The status of the person's sync onto this connection, when they have one.
        public var existing: SyncStatus?
        /// The person's account on the secondary connection.
        public var account: SyncPlan.Account

        public init(personExists: Bool, primary: Platform?, existing: SyncStatus?, account: SyncPlan.Account) {
            self.personExists = personExists
            self.primary = primary
            self.existing = existing
            self.account = account
        }

        public static let unknown = Facts(personExists: false, primary: nil, existing: nil, account: .none)
    }

    /// What starting the sync would come to.
    public enum Expectation: Sendable, Equatable {
        /// They have an account there: the bot prompts them on their primary platform to authorize.
        case link(primary: Platform)
        /// They have none: a stand-in is made (a Teams guest, a bot persona).
        case virtual(VirtualKind)
        /// The sync would be made and fail at once, for this reason.
        case impossible(SyncOutcome)
        /// They already have a sync there; nothing new happens.
        case exists(SyncStatus)
        case noPrimary
        case secondaryIsPrimary
        case unknownPerson

        /// Whether starting the sync creates a sync record.
        public var creates: Bool {
            switch self {
            case .link, .virtual, .impossible: true
            case .exists, .noPrimary, .secondaryIsPrimary, .unknownPerson: false
            }
        }

        /// Whether the sync, once made, can work.
        public var canWork: Bool {
            switch self {
            case .link, .virtual: true
            default: false
            }
        }

        /// A stable code for counts and the API.
        public var code: String {
            switch self {
            case .link: "link"
            case .virtual(let kind): kind.rawValue
            case .impossible(let outcome): outcome.cause.rawValue
            case .exists: "exists"
            case .noPrimary: "no_primary"
            case .secondaryIsPrimary: "secondary_is_primary"
            case .unknownPerson: "unknown_person"
            }
        }

        public var mode: SyncMode? {
            switch self {
            case .link: .link
            case .virtual: .virtual
            default: nil
            }
        }

        /// What will happen, in the admin's words, for `name` on `secondary`.
        public func message(name: String, secondary: Platform) -> String {
            let there = secondary.displayName
            return switch self {
            case .link(let primary):
                "\(name) has a \(there) account: they will get a message from the UserSync bot on \(primary.displayName) "
                    + "and must authorize UserSync on \(there). Their sync stays pending until they do."
            case .virtual(.guest):
                "\(name) has no \(there) account: a guest account will be invited into \(there) for them, and they become reachable there at once."
            case .virtual(.botPersona):
                "\(name) has no \(there) account: the UserSync bot will stand in for them on \(there), showing their name, "
                    + "and they become reachable there at once."
            case .impossible(let outcome):
                "This sync cannot work: \(outcome.message) \(outcome.fixAction ?? "")".trimmingCharacters(in: .whitespaces)
            case .exists(let status):
                "\(name) already has a sync onto \(there) (\(status.rawValue.replacingOccurrences(of: "_", with: " "))); nothing changes."
            case .noPrimary: "\(name) has no primary platform yet: choose one before syncing them."
            case .secondaryIsPrimary: "\(there) is \(name)'s primary platform; sync them onto another platform."
            case .unknownPerson: "This person no longer exists."
            }
        }
    }

    public static func expect(_ facts: Facts, secondary: Platform) -> Expectation {
        guard facts.personExists else { return .unknownPerson }
        if let existing = facts.existing { return .exists(existing) }
        guard let primary = facts.primary else { return .noPrimary }
        if primary == secondary { return .secondaryIsPrimary }
        return switch SyncPlan.decide(secondary: secondary, account: facts.account) {
        case .link: .link(primary: primary)
        case .virtual(let kind): .virtual(kind)
        case .impossible(let outcome): .impossible(outcome)
        }
    }
}
