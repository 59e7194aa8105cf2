import Foundation

/// The JSON the console's API routes answer, as tests decode it.
struct MemberJSON: Decodable {
    struct Account: Decodable {
        let provider: String
        let tenant: String
        let subject: String
        let email: String?
        let displayName: String?
    }

    let id: String
    let role: String
    let source: String
    let account: Account
    let revokedAt: Date?
}

struct InvitationJSON: Decodable {
    let id: String
    let role: String
    let email: String?
    let expiresAt: Date
    let url: String?
}

struct PersonJSON: Decodable {
    struct Primary: Decodable {
        let connectionId: String
        let platform: String?
        let source: String
    }

    struct Account: Decodable {
        let connectionId: String
        let platform: String
        let platformUserId: String
        let active: Bool
    }

    struct Sync: Decodable {
        let id: String
        let connectionId: String
        let platform: String
        let status: String
    }

    let id: String
    let email: String
    let displayName: String?
    let primary: Primary?
    let needsPrimaryChoice: Bool
    let accounts: [Account]
    let syncs: [Sync]
}

/// Any object, when only a list's length matters.
struct AnyItem: Decodable {}

extension API {
    /// How many items the first page of a list has.
    func count(_ uri: String) async throws -> Int {
        try await call(.get, uri).decode(Page<AnyItem>.self).items.count
    }

    func person(_ id: String, org: String = "acme") async throws -> PersonJSON {
        try await call(.get, "/v1/orgs/\(org)/people/\(id)").decode()
    }

    /// Every person matching `query`, following cursors.
    func peopleJSON(_ query: String = "", org: String = "acme") async throws -> [PersonJSON] {
        var people: [PersonJSON] = []
        var cursor: String?
        repeat {
            let page = try await call(
                .get, "/v1/orgs/\(org)/people?limit=200" + (query.isEmpty ? "" : "&\(query)") + (cursor.map { "&cursor=\($0)" } ?? "")
            )
            .decode(Page<PersonJSON>.self)
            people += page.items
            cursor = page.nextCursor
        } while cursor != nil
        return people
    }
}
