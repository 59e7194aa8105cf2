import Foundation

// The parts of UserSync's API answers the demo reads (docs: GET /openapi.json).

struct Page<Item: Decodable & Sendable>: Decodable, Sendable {
    let items: [Item]
    let nextCursor: String?
}

struct Identified: Decodable, Sendable {
    let id: String
}

struct CreatedKey: Decodable, Sendable {
    let secret: String
}

struct Team: Decodable, Sendable {
    let platformTeamId: String
}

struct ImportRun: Decodable, Sendable {
    let id: String
    let state: String
}

/// A bulk request's answer: how many people each outcome had.
struct Tally: Decodable, Sendable {
    let counts: [String: Int]

    var said: String {
        counts.isEmpty ? "nobody" : counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    }
}

struct Person: Decodable, Sendable {
    struct Sync: Decodable, Sendable {
        let personId: String
        let platform: String
        let status: String
        let cause: String?

        /// Still the worker's to finish: pending, and not waiting for the person's consent.
        var busy: Bool { status == "pending" && cause != "awaiting_user_consent" }
    }

    let id: String
    let syncs: [Sync]
}

struct Invitation: Decodable, Sendable {
    let url: String?
}
