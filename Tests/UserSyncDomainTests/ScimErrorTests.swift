import Foundation
import Testing
import UserSyncDomain

/// The SCIM error `body` threw, or nil when it returned (or threw something else).
func scimError<T>(_ body: () throws -> T) -> ScimError? {
    do {
        _ = try body()
        return nil
    } catch {
        return error as? ScimError
    }
}

/// The JSON text of `value` with sorted keys, for comparing whole bodies.
func json(_ value: some Encodable) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}

@Suite struct ScimErrorTests {
    @Test func aBadRequestRendersAsTheRFC7644ErrorMessage() throws {
        let error = ScimError.invalidFilter("Operator 'co' is not supported on attribute 'userName'; only 'eq' is.")
        #expect(error.status == 400)
        #expect(
            try json(error.body) == #"""
                {"detail":"Operator 'co' is not supported on attribute 'userName'; only 'eq' is.","schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"scimType":"invalidFilter","status":"400"}
                """#)
    }

    @Test func errorsWithoutAScimTypeLeaveItOut() throws {
        #expect(
            try json(ScimError.notFound("User 42 not found.").body) == #"""
                {"detail":"User 42 not found.","schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"404"}
                """#)
        #expect(ScimError.payloadTooLarge(maxBytes: 1_048_576).status == 413)
        #expect(ScimError.internalError.body.status == "500")
    }

    @Test func theBodyDecodesBackAsSent() throws {
        let body = ScimError.uniqueness("userName a@b.c is taken.").body
        let decoded = try JSONDecoder().decode(ScimErrorBody.self, from: Data(try json(body).utf8))
        #expect(decoded == body)
        #expect(decoded.status == "409" && decoded.scimType == .uniqueness)
    }

    @Test func domainErrorsBecomeTheirSCIMCounterparts() {
        let conflict = ScimError(DomainError.conflict(code: "duplicate", message: "A user with userName a@b.c exists."))
        #expect(conflict == .uniqueness("A user with userName a@b.c exists."))
        #expect(ScimError(DomainError.notFound(resource: "User")).status == 404)
        #expect(ScimError(DomainError.invalid("userName", "too_long", "userName is too long.")) == .invalidValue("userName: userName is too long."))
        #expect(ScimError(DomainError.unauthenticated(message: "Bad token.")).status == 401)
    }
}
