import Foundation
import UserSyncDomain

/// The Sync users page's filters, read from its query string. A value the page does not offer
/// is a 400, like the JSON API's.
struct PeopleListQuery {
    var search: String?
    var platform: Platform?
    var primary: String?
    var syncPlatform: Platform?
    var syncStatus: SyncStatus?
    var sort: String
    var cursor: String?

    init(_ form: ConsoleForm) {
        search = form["q"]
        platform = form["platform"].flatMap(Platform.init(rawValue:))
        primary = form["primary"]
        syncPlatform = form["sync_platform"].flatMap(Platform.init(rawValue:))
        syncStatus = form["sync_status"].flatMap(SyncStatus.init(rawValue:))
        sort = form["sort"] ?? "name"
        cursor = form["cursor"]
    }

    func filter(limit: Int) throws -> PeopleQuery {
        var filter = PeopleQuery()
        filter.limit = limit
        filter.search = search
        filter.platform = platform
        if primary == "choose" { filter.needsPrimaryChoice = true } else { filter.primaryPlatform = primary.flatMap(Platform.init(rawValue:)) }
        filter.syncStatus = syncStatus
        filter.syncPlatform = syncStatus == nil ? nil : syncPlatform
        filter.descending = sort.hasPrefix("-")
        filter.sort = PeopleQuery.SortField(rawValue: String(sort.drop { $0 == "-" })) ?? .name
        if let cursor {
            guard let data = Data(base64URL: cursor), let position = try? JSONDecoder().decode(PeopleQuery.Position.self, from: data) else {
                throw DomainError.badReference(code: "invalid_cursor", message: "That page link is not valid any more; start from the first page.")
            }
            filter.after = position
        }
        return filter
    }

    /// The query string of these filters (without the cursor), for links and forms.
    var fields: [(String, String)] {
        var fields: [(String, String)] = []
        if let search { fields.append(("q", search)) }
        if let platform { fields.append(("platform", platform.rawValue)) }
        if let primary { fields.append(("primary", primary)) }
        if let syncStatus {
            fields.append(("sync_status", syncStatus.rawValue))
            if let syncPlatform { fields.append(("sync_platform", syncPlatform.rawValue)) }
        }
        if sort != "name" { fields.append(("sort", sort)) }
        return fields
    }

    var queryString: String { ConsoleSignInRoutes.query(fields) }
}
