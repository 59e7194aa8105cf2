import Foundation
import Hummingbird
import UserSyncDomain
import UserSyncUseCases

/// `/v1/orgs/{org}/people`: the people directory, as JSON pages or a streamed CSV export of the
/// same list. Any key of the organization reads it.
struct PeopleRoutes {
    let directory: PeopleDirectory

    func addRoutes(to org: RouterGroup<TenantRequestContext>) {
        org.get("people", use: list)
        org.get("people.csv", use: csv)
        org.get("people/{person_id}", use: get)
    }

    /// JSON by default; CSV when the client accepts `text/csv` and not JSON.
    @Sendable func list(_ request: Request, context: TenantRequestContext) async throws -> Response {
        let accept = request.headers[.accept]?.lowercased() ?? ""
        if accept.contains("text/csv") && !accept.contains("application/json") { return try await csv(request, context: context) }
        let filter = try PeopleQueryParameters.filter(request, limitRange: 1...200)
        let (people, next) = try await directory.page(context.organization.id, filter, logger: context.logger)
        return .json(
            Page(
                items: people.map(PersonRepresentation.init),
                nextCursor: try next.map { try PeopleQueryParameters.cursor(next: $0, filter: filter) }))
    }

    @Sendable func get(_ request: Request, context: TenantRequestContext) async throws -> Response {
        let id = try context.parameters.identifier("person_id", as: PersonID.self)
        return .json(PersonRepresentation(try await directory.person(context.organization.id, id, logger: context.logger)))
    }

    /// The whole filtered list as CSV, streamed a page at a time. The first page is read before
    /// the response starts, so a bad filter is still a clean 4xx.
    @Sendable func csv(_ request: Request, context: TenantRequestContext) async throws -> Response {
        var filter = try PeopleQueryParameters.filter(request, limitRange: 1...200)
        filter.after = nil
        var pages = directory.all(context.organization.id, filter, logger: context.logger).makeAsyncIterator()
        let first = try await pages.next()
        let logger = context.logger
        let remaining = pages
        let body = ResponseBody { writer in
            var pages = remaining
            try await writer.write(ByteBuffer(string: PeopleCSV.header))
            if let first { try await writer.write(ByteBuffer(string: PeopleCSV.rows(first))) }
            do {
                while let page = try await pages.next() { try await writer.write(ByteBuffer(string: PeopleCSV.rows(page))) }
            } catch {
                // The status line is sent: the export ends short, and the log says why.
                logger.error("people CSV export stopped early", metadata: ["error": "\(error)"])
                throw error
            }
            try await writer.finish(nil)
        }
        return Response(
            status: .ok,
            headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"people.csv\""],
            body: body)
    }
}

/// The people list's query parameters and cursors.
enum PeopleQueryParameters {
    static let parameters: Set<String> = [
        "limit", "cursor", "platform", "platforms", "primary_platform", "connection_id", "needs_primary_choice", "deactivated",
        "sync_status", "sync_platform", "q", "sort",
    ]

    static func filter(_ request: Request, limitRange: ClosedRange<Int>) throws -> PeopleQuery {
        try request.allowQueryParameters(parameters)
        var filter = PeopleQuery()
        filter.limit = try request.integer("limit", default: 50, range: limitRange)
        filter.platform = try request.choice("platform", as: Platform.self)
        filter.primaryPlatform = try request.choice("primary_platform", as: Platform.self)
        if let raw = try request.query("platforms") {
            filter.platforms = try raw.split(separator: ",").map { name in
                guard let platform = Platform(rawValue: String(name).trimmingCharacters(in: .whitespaces)) else {
                    throw APIError.badRequest(
                        "invalid_query_parameter",
                        "'platforms' must be a comma-separated list of \(Platform.allCases.map(\.rawValue).joined(separator: ", ")).")
                }
                return platform
            }
        }
        if let raw = try request.query("connection_id") {
            guard let id = ConnectionID(String(raw)) else { throw APIError.badRequest("invalid_query_parameter", "'connection_id' must be a UUID.") }
            filter.connectionID = id
        }
        if try request.query("needs_primary_choice") != nil {
            filter.needsPrimaryChoice = try request.boolean("needs_primary_choice", default: false)
        }
        if try request.query("deactivated") != nil { filter.deactivated = try request.boolean("deactivated", default: false) }
        filter.syncStatus = try request.choice("sync_status", as: SyncStatus.self)
        filter.syncPlatform = try request.choice("sync_platform", as: Platform.self)
        if let raw = try request.query("q") {
            guard raw.count <= 200 else { throw APIError.badRequest("invalid_query_parameter", "'q' must be at most 200 characters.") }
            filter.search = String(raw)
        }
        let sort = try request.query("sort") ?? "name"
        filter.descending = sort.hasPrefix("-")
        guard let field = PeopleQuery.SortField(rawValue: String(sort.drop { $0 == "-" })) else {
            throw APIError.badRequest("invalid_query_parameter", "'sort' must be name, email, -name or -email.")
        }
        filter.sort = field
        if let cursor = try request.cursor() {
            guard let decoded = try? JSONDecoder().decode(Cursor.self, from: Data(cursor.utf8)),
                decoded.sort == field.rawValue, decoded.descending == filter.descending
            else { throw APIError.badRequest("invalid_cursor", "'cursor' is not a cursor of this list in this order.") }
            filter.after = PeopleQuery.Position(key: decoded.key, id: decoded.id)
        }
        return filter
    }

    struct Cursor: Codable {
        var sort: String
        var descending: Bool
        var key: String
        var id: UUID
    }

    static func cursor(next: PeopleQuery.Position, filter: PeopleQuery) throws -> String {
        let cursor = Cursor(sort: filter.sort.rawValue, descending: filter.descending, key: next.key, id: next.id)
        return try JSONEncoder().encode(cursor).base64URL
    }
}

/// The people list as CSV (RFC 4180), one row per person.
enum PeopleCSV {
    static let header =
        "person_id,email,display_name,primary_platform,primary_source,needs_primary_choice,all_accounts_deactivated,"
        + "platforms,slack_user_ids,teams_user_ids,zoom_user_ids,webex_user_ids,syncs,created_at\r\n"

    static func rows(_ people: [Person]) -> String {
        var text = ""
        let dates = ISO8601DateFormatter()
        for person in people {
            let representation = PersonRepresentation(person)
            let ids = { (platform: Platform) in
                person.accounts.filter { $0.platform == platform }.map(\.platformUserID).joined(separator: ";")
            }
            let fields: [String] = [
                person.id.description, person.email, person.displayName ?? "",
                representation.primary?.platform?.rawValue ?? "", person.primarySource?.rawValue ?? "",
                "\(person.needsPrimaryChoice)", "\(person.allAccountsDeactivated)",
                representation.platforms.map(\.rawValue).joined(separator: ";"),
                ids(.slack), ids(.teams), ids(.zoom), ids(.webex),
                person.syncs.map { "\($0.platform.rawValue):\($0.status.rawValue)" }.joined(separator: ";"),
                dates.string(from: person.createdAt),
            ]
            text += fields.map(escape).joined(separator: ",") + "\r\n"
        }
        return text
    }

    /// Quotes where needed, and defuses values a spreadsheet would run as a formula.
    static func escape(_ value: String) -> String {
        var value = value
        if let first = value.first, "=+-@\t\r".contains(first) { value = "'" + value }
        guard value.contains(where: { ",\"\r\n".contains($0) }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
