import UserSyncDomain
import UserSyncUseCases

/// A bulk action from the Sync users page: what to do, and to whom (the ticked people, or
/// everyone matching the page's filters).
struct BulkRequest {
    enum Action {
        case primary(Platform)
        case sync(ConnectionID)
        case act(UserSync.Action)
    }

    let action: Action
    let people: [PersonID]
    let everyone: Bool
    let query: PeopleListQuery

    init(_ form: ConsoleForm) throws {
        let raw = form["action"] ?? ""
        if raw.hasPrefix("primary:"), let platform = Platform(rawValue: String(raw.dropFirst(8))) {
            action = .primary(platform)
        } else if raw.hasPrefix("sync:"), let connection = ConnectionID(String(raw.dropFirst(5))) {
            action = .sync(connection)
        } else if let act = UserSync.Action(rawValue: raw) {
            action = .act(act)
        } else {
            throw DomainError.invalid("action", "required", "Choose what to do with the people you selected.")
        }
        everyone = form["all"] == "1"
        people = form.all("person_id").compactMap(PersonID.init)
        query = PeopleListQuery(form)
        guard everyone || !people.isEmpty else {
            throw DomainError.invalid("person_id", "required", "Tick the people to act on, or “all matching this filter”.")
        }
    }

    func target() throws -> UserSync.Target {
        if everyone {
            var filter = try query.filter(limit: 50)
            filter.after = nil
            return .filter(filter)
        }
        return .people(people)
    }

    var title: String {
        switch action {
        case .primary(let platform): "Choose \(platform.displayName) as primary"
        case .sync: "Sync the people chosen"
        case .act(let action): "\(action.title) the people chosen"
        }
    }

    var isDestructive: Bool {
        if case .act(let action) = action { return action != .reprompt }
        return false
    }

    var describeTarget: String {
        everyone ? "everyone matching the filter" : ConsoleFormat.count(people.count, "person ticked", "people ticked")
    }

    var listQuery: String { query.queryString }

    /// What an expectation code of the sync preview means, counted in the bulk pop-up.
    static func describe(code: String, platform: Platform) -> String {
        switch code {
        case "link": "have a \(platform.displayName) account: they get a message from the UserSync bot and must authorize"
        case "guest": "get a guest account invited into \(platform.displayName)"
        case "bot_persona": "have no \(platform.displayName) account: the UserSync bot stands in for them"
        case "secondary_account_required": "cannot be synced: \(platform.displayName) needs an account of their own"
        case "secondary_account_deactivated": "cannot be synced: their \(platform.displayName) account is deactivated"
        case "exists": "already have a sync there (nothing changes)"
        case "no_primary": "have no primary platform yet (skipped)"
        case "secondary_is_primary": "live on \(platform.displayName) (skipped)"
        default: "no longer exist"
        }
    }
}
