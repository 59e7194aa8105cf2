import Foundation
import Testing
import UserSyncDomain

@testable import UserSyncAPI

/// The JSON the API writes by hand for a person and their syncs: keyed and dated as Foundation's
/// encoder would write it (the writer itself: UserSyncDomainTests' JSONWriterTests).
@Suite("Hand-written JSON: a person")
struct JSONWriterTests {
    /// A person as written, read with its keys as they are (the test is about the snake-case keys):
    /// which keys there are, whether `display_name` is an explicit null, and the fields checked.
    struct Written: Decodable {
        struct Name: CodingKey {
            let stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        struct Primary: Decodable { let platform: String }

        struct Sync: Decodable {
            struct Event: Decodable {
                struct Actor: Decodable { let kind: String }
                let actor: Actor
            }

            enum CodingKeys: String, CodingKey {
                case message, history
                case nextRetryAt = "next_retry_at"
            }

            let message: String
            let nextRetryAt: String
            let history: [Event]
        }

        enum CodingKeys: String, CodingKey {
            case platforms, primary, syncs
            case displayName = "display_name"
        }

        let keys: [String]
        let displayNameIsNull: Bool
        let platforms: [String]
        let primary: Primary
        let syncs: [Sync]

        init(from decoder: any Decoder) throws {
            keys = try decoder.container(keyedBy: Name.self).allKeys.map(\.stringValue)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            displayNameIsNull = try container.contains(.displayName) && container.decodeNil(forKey: .displayName)
            platforms = try container.decode([String].self, forKey: .platforms)
            primary = try container.decode(Primary.self, forKey: .primary)
            syncs = try container.decode([Sync].self, forKey: .syncs)
        }
    }

    @Test("a person with accounts and a sync with history: snake-case keys in order, nulls kept")
    func person() throws {
        let org = OrganizationID.random(), connection = ConnectionID.random(), at = Date(timeIntervalSince1970: 1_796_304_000)
        var person = Person(
            id: .random(), organizationID: org, email: "ada@example.com", displayName: nil, primaryConnectionID: connection,
            primarySource: .admin, primaryChosenBy: "key:ops", primaryChosenAt: at, needsPrimaryChoice: false, allAccountsDeactivated: false,
            accounts: [
                Person.Account(
                    id: .random(), connectionID: connection, platform: .slack, platformUserID: "U1", email: "ada@example.com",
                    emails: ["ada@example.com"], displayName: "Ada", realName: nil, isGuest: false, isActive: true, deactivatedAt: nil,
                    deactivationReason: nil, firstSeenAt: at, changedAt: at)
            ],
            createdAt: at, updatedAt: at)
        person.syncs = [
            Sync(
                id: .random(), organizationID: org, personID: person.id, connectionID: .random(), platform: .teams, mode: nil, status: .failed,
                cause: .rateLimited, message: "Teams said \"slow down\"", nextRetryAt: at, fixAction: nil, linkedAccountID: nil,
                virtualIdentity: nil, virtualKind: nil, hasUserTokens: false, userTokenExpiresAt: nil, createdBy: "key:ops", createdAt: at,
                updatedAt: at,
                history: [
                    SyncEvent(
                        fromStatus: nil, toStatus: .failed, cause: .rateLimited, message: "m", actorKind: "worker", actorID: nil, nextRetryAt: nil,
                        fixAction: nil, createdAt: at)
                ])
        ]
        let text = String(decoding: JSONWriter.bytes(of: PersonRepresentation(person)), as: UTF8.self)
        let object = try JSONDecoder().decode(Written.self, from: Data(text.utf8))
        #expect(
            object.keys.sorted() == [
                "accounts", "all_accounts_deactivated", "created_at", "display_name", "email", "id", "needs_primary_choice", "platforms",
                "primary", "syncs", "updated_at",
            ])
        #expect(object.displayNameIsNull)
        #expect(object.platforms == ["slack"])
        #expect(object.primary.platform == "slack")
        let sync = try #require(object.syncs.first)
        #expect(sync.message == "Teams said \"slow down\"")
        #expect(sync.nextRetryAt == "2026-12-03T13:20:00Z")
        #expect(sync.history.first?.actor.kind == "worker")
        // Members in alphabetical order, as the encoder's sorted keys had them.
        let keys = text.matches(of: /"([a-z_]+)":/).map { String($0.output.1) }
        let top = keys.filter(["accounts", "all_accounts_deactivated", "needs_primary_choice", "platforms", "syncs"].contains)
        #expect(top == top.sorted())
    }
}
