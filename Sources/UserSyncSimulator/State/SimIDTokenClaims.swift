import JWTKit

/// An id_token's claims as one JSON object: the two providers name theirs differently
/// (`https://slack.com/team_id`, `tid`, `oid`), and a fault may rewrite any of them.
struct SimIDTokenClaims: JWTPayload {
    var claims: [String: AnyCodable]

    init(_ claims: [String: AnyCodable]) { self.claims = claims }

    init(from decoder: any Decoder) throws { claims = try [String: AnyCodable](from: decoder) }

    func encode(to encoder: any Encoder) throws { try claims.encode(to: encoder) }

    /// The simulator only signs; relying parties do the verifying.
    func verify(using algorithm: some JWTAlgorithm) async throws {}
}
