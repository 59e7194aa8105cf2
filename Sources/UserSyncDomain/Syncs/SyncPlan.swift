/// How a person becomes reachable on a secondary platform (DESIGN.md §1, the sync mode table).
public enum SyncPlan: Sendable, Equatable {
    /// They have an account there: they authorize the app on it.
    case link
    /// They have none: the service stands in for them.
    case virtual(VirtualKind)
    /// No way there: no stand-in on the platform, or an account there that is deactivated (a
    /// stand-in beside a disabled account would be refused, and would bypass why it was disabled).
    case impossible(SyncOutcome)

    /// The person's account on the secondary connection, as far as the plan cares.
    public enum Account: Sendable {
        case active, deactivated, none
    }

    public static func decide(secondary: Platform, account: Account) -> SyncPlan {
        switch account {
        case .active: return .link
        case .deactivated: return .impossible(.secondaryAccountDeactivated(secondary))
        case .none:
            switch secondary {
            case .teams: return .virtual(.guest)
            case .slack, .webex: return .virtual(.botPersona)
            case .zoom: return .impossible(.secondaryAccountRequired)
            }
        }
    }
}
