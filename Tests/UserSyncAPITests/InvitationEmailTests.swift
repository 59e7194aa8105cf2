import Foundation
import Testing

/// What an invitation's email may be, as the OpenAPI document says: nothing (or spaces) for
/// anyone, else an address with an `@` and no space or control character. Found by the fuzzer.
@Suite("Invitation addresses")
struct InvitationEmailTests {
    struct Invitation: Decodable { let email: String? }

    @Test("an @ followed by a combining character is still an @; blank means anyone; other space is refused")
    func addresses() async throws {
        try await withAPI { api in
            try await api.createOrganization("acme")
            func invite(_ email: String) async throws -> Reply {
                let body = String(decoding: try JSONEncoder().encode(["role": "viewer", "email": email]), as: UTF8.self)
                return try await api.call(.post, "/v1/orgs/acme/invitations", json: body)
            }
            // U+1F3FB (a skin-tone modifier) joins the @ into one Character: the check reads scalars.
            let modified = try await invite("ada@\u{1F3FB}x.example")
            #expect(modified.status == .created, "\(modified.text)")
            let blank = try await invite("   ")
            #expect(blank.status == .created, "\(blank.text)")
            #expect(try blank.decode(Invitation.self).email == nil)
            let noBreak = try await invite("\u{00A0}")
            #expect(noBreak.status == .unprocessableContent, "\(noBreak.text)")
            #expect(try noBreak.decode(ProblemReply.self).errors?.map(\.code) == ["invalid_format"])
        }
    }
}
