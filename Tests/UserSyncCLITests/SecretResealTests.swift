import Foundation
import PostgresNIO
import Testing
import UserSyncDomain
import UserSyncSecrets
import UserSyncTestSupport

/// `usersync secrets reseal`: the last step of a key rotation, run as an operator would.
@Suite struct SecretResealTests {
    struct Organization: Decodable { let id: String }

    static let k0 = try! SecretBox.Key(id: "k0", material: Data(repeating: 3, count: 32))
    static let k1 = try! SecretBox.Key(id: "k1", material: Data(repeating: 1, count: 32))
    static let k2 = try! SecretBox.Key(id: "k2", material: Data(repeating: 2, count: 32))

    /// A Slack connection whose credentials `key` sealed, inserted as the platform would have left it.
    static func connection(_ db: TestDatabase, _ org: OrganizationID, sealedWith key: SecretBox.Key) async throws -> (UUID, Data) {
        let id = UUID()
        let plaintext = Data(#"{"slack":{"bot_token":"xoxb-\#(id)"}}"#.utf8)
        let sealed = try SecretBox(keys: [key]).seal(plaintext, context: SecretBox.context(org, "connection:\(ConnectionID(id))"))
        try await db.admin.client.query(
            """
            INSERT INTO platform_connections (org_id, id, platform, display_name, workspace_id, credentials, credentials_key_id, api_base_url)
            VALUES (\(org.rawValue), \(id), 'slack', 'Slack', \(id.uuidString), \(sealed.combined), \(sealed.keyID), 'https://slack.com/api')
            """, logger: db.logger)
        return (id, plaintext)
    }

    static func keyID(_ db: TestDatabase, _ id: UUID) async throws -> String {
        let rows = try await db.admin.client.query("SELECT credentials_key_id FROM platform_connections WHERE id = \(id)", logger: db.logger)
        for try await key in rows.decode(String.self) { return key }
        return ""
    }

    @Test("re-sealing moves every secret to the first key, names the keys that can go, and refuses quietly to lose what it cannot open")
    func reseal() async throws {
        try await withTestDatabase { db in
            var env = CommandLineTests.environment(db)
            let created = try await CommandLineTests.usersync(["orgs", "create", "--slug", "acme", "--name", "Acme", "--json"], environment: env)
            let orgID = try #require(try created.decode([Organization].self).first?.id, "\(created.errors)")
            let org = try #require(OrganizationID(orgID))
            let (first, plaintext) = try await Self.connection(db, org, sealedWith: Self.k1)
            env["USERSYNC_ENCRYPTION_KEYS"] =
                "k2:\(Data(repeating: 2, count: 32).base64EncodedString()),k1:\(Data(repeating: 1, count: 32).base64EncodedString())"

            let dry = try await CommandLineTests.usersync(["secrets", "reseal", "--dry-run"], environment: env)
            #expect(dry.status == 0, "\(dry.errors)")
            #expect(dry.output.contains("Would re-seal 1 connection credentials and 0 user tokens with key k2"), "\(dry.output)")
            #expect(try await Self.keyID(db, first) == "k1")

            let done = try await CommandLineTests.usersync(["secrets", "reseal"], environment: env)
            #expect(done.status == 0, "\(done.errors)")
            #expect(done.output.contains("Re-sealed 1 connection credentials and 0 user tokens with key k2"), "\(done.output)")
            #expect(done.output.contains("No secret is sealed with k1 any more"), "\(done.output)")
            #expect(try await Self.keyID(db, first) == "k2")
            let rows = try await db.admin.client.query("SELECT credentials FROM platform_connections WHERE id = \(first)", logger: db.logger)
            var stored = Data()
            for try await bytes in rows.decode(ByteBuffer.self) { stored = Data(bytes.readableBytesView) }
            let opened = try SecretBox(keys: [Self.k2]).open(
                .init(keyID: "k2", combined: stored), context: SecretBox.context(org, "connection:\(ConnectionID(first))"))
            #expect(opened == plaintext, "k2 alone opens it, to the same credentials")

            let again = try await CommandLineTests.usersync(["secrets", "reseal"], environment: env)
            #expect(again.output.contains("Re-sealed 0 connection credentials"), "\(again.output)")

            // A secret sealed with a key that is not listed any more is reported, not lost.
            let (lost, _) = try await Self.connection(db, org, sealedWith: Self.k0)
            let refused = try await CommandLineTests.usersync(["secrets", "reseal"], environment: env)
            #expect(refused.status != 0)
            #expect(refused.errors.contains("k0 (1)"), "\(refused.errors)")
            #expect(try await Self.keyID(db, lost) == "k0")
        }
    }
}
