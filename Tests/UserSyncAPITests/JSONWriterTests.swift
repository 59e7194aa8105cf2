import Foundation
import NIOCore
import Testing
import UserSyncDomain

@testable import UserSyncAPI

/// The JSON the API writes by hand for people and syncs: valid, escaped, dated and keyed as
/// Foundation's encoder would write it.
@Suite("Hand-written JSON: escaping, dates, structure, people")
struct JSONWriterTests {
    struct Text: JSONWritable {
        struct Values: Decodable { let values: [String] }
        let values: [String]
        func write(to json: inout JSONWriter) { json.object { $0.member("values", values) } }
    }

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

    @Test("every string survives a round trip, control characters and quotes escaped")
    func strings() throws {
        let values = [
            "", "plain", "quote \" and backslash \\", "line\nbreak\rreturn\ttab", "\u{0}\u{1}\u{8}\u{C}\u{1F}\u{7F}",
            "<img src=x onerror=alert(1)>", "Zoë 🇸🇪 名前", "slash / and \u{2028}",
        ]
        let bytes = JSONWriter.bytes(of: Text(values: values))
        #expect(try JSONDecoder().decode(Text.Values.self, from: Data(buffer: bytes)).values == values)
        #expect(!String(buffer: bytes).contains("\n"), "no raw control character")
    }

    @Test("dates as the encoder's ISO 8601: UTC to the second, fractions dropped")
    func dates() throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        for date in [
            Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 1_796_304_123.999), Date(timeIntervalSince1970: 951_782_400),
            Date(timeIntervalSince1970: 4_102_444_799),
        ] {
            var writer = JSONWriter()
            writer.value(date)
            #expect(String(buffer: writer.buffer) == String(decoding: try encoder.encode(date), as: UTF8.self))
        }
    }

    @Test("ids as the API spells them everywhere: lowercase, hyphenated")
    func identifiers() {
        for id in [
            PersonID.random(), PersonID(UUID(uuidString: "00000000-0000-0000-0000-000000000000")!),
            PersonID(UUID(uuidString: "FFFFFFFF-ABCD-EF01-2345-6789ABCDEF0A")!),
        ] {
            var writer = JSONWriter()
            writer.value(id)
            #expect(String(buffer: writer.buffer) == "\"\(id.description)\"")
        }
    }

    @Test("commas between members and elements, none in empty objects and arrays, null for nothing")
    func structure() {
        var writer = JSONWriter()
        writer.object { json in
            json.member("a", [String]())
            json.key("b")
            json.object { _ in }
            json.member("c", nil as String?)
            json.key("d")
            json.array([1, 2, 3]) { $0.value($1) }
            json.member("e", true)
        }
        #expect(String(buffer: writer.buffer) == #"{"a":[],"b":{},"c":null,"d":[1,2,3],"e":true}"#)
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
        let text = String(buffer: JSONWriter.bytes(of: PersonRepresentation(person)))
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
