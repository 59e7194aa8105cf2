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

/// Any object, when only a list's length matters.
struct AnyItem: Decodable {}

extension API {
    /// How many items the first page of a list has.
    func count(_ uri: String) async throws -> Int {
        try await call(.get, uri).decode(Page<AnyItem>.self).items.count
    }
}
