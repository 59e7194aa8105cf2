/// What is wrong with a tampered id_token (``PlatformSimulator/tamperNextIDToken(_:)``).
public enum IDTokenFault: String, Sendable, Codable, CaseIterable {
    /// Signed with a key that is not published, under the published key id.
    case badSignature = "bad_signature"
    /// `aud` names another client.
    case wrongAudience = "wrong_audience"
    /// `exp` an hour ago.
    case expired
    /// `nonce` is not the one the authorize request sent.
    case wrongNonce = "wrong_nonce"
    /// `iss` is not the issuer the discovery document names.
    case wrongIssuer = "wrong_issuer"
}
