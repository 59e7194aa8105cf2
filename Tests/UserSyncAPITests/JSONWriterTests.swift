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
        let values: [String]
        func write(to json: inout JSONWriter) { json.object { $0.member("values", values) } }
    }

    @Test("every string survives a round trip, control characters and quotes escaped")
    func strings() throws {
        let values = [
            "", "plain", "quote \" and backslash \\", "line\nbreak\rreturn\ttab", "\u{0}\u{1}\u{8}\u{C}\u{1F}\u{7F}",
            "<img src=x onerror=alert(1)>", "Zoë 🇸🇪 名前", "slash / and \u{2028}",
        ]
        let bytes = JSONWriter.bytes(of: Text(values: values))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(buffer: bytes)) as? [String: [String]])
        #expect(object["values"] == values)
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
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(
            object.keys.sorted() == [
                "accounts", "all_accounts_deactivated", "created_at", "display_name", "email", "id", "needs_primary_choice", "platforms",
                "primary", "syncs", "updated_at",
            ])
        #expect(object["display_name"] is NSNull)
        #expect(object["platforms"] as? [String] == ["slack"])
        #expect((object["primary"] as? [String: Any])?["platform"] as? String == "slack")
        let sync = try #require((object["syncs"] as? [[String: Any]])?.first)
        #expect(sync["message"] as? String == "Teams said \"slow down\"")
        #expect(sync["next_retry_at"] as? String == "2026-12-03T13:20:00Z")
        #expect(((sync["history"] as? [[String: Any]])?.first?["actor"] as? [String: Any])?["kind"] as? String == "worker")
        // Members in alphabetical order, as the encoder's sorted keys had them.
        let keys = text.matches(of: /"([a-z_]+)":/).map { String($0.output.1) }
        let top = keys.filter(["accounts", "all_accounts_deactivated", "needs_primary_choice", "platforms", "syncs"].contains)
        #expect(top == top.sorted())
    }
}
