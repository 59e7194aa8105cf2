import Testing
import UserSyncDomain

@Suite struct SlugTests {
    @Test(arguments: ["acme", "acme-corp", "a1b", String(repeating: "a", count: 63)])
    func acceptsURLNames(_ raw: String) throws {
        #expect(try Slug(validating: raw).rawValue == raw)
    }

    @Test(arguments: [
        "", "ab", "Acme", "-acme", "acme-", "ac me", "acme_corp", "ácme", String(repeating: "a", count: 64),
        "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
    ])
    func refusesEverythingElse(_ raw: String) {
        #expect(throws: DomainError.self) { try Slug(validating: raw) }
    }

    @Test func namesAreTrimmedAndBounded() throws {
        #expect(try Organization.validateName("  Acme Corp ") == "Acme Corp")
        #expect(throws: DomainError.invalid("name", "required", "name must not be empty.")) {
            try Organization.validateName("   ")
        }
        #expect(throws: DomainError.self) { try Organization.validateName(String(repeating: "x", count: 201)) }
        #expect(throws: DomainError.self) { try Organization.validateName("bad\u{7}name") }
    }
}
