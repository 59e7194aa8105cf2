/// An OAuth 2.0 token response (RFC 6749 §5.1), as Microsoft, Zoom and Webex send it.
struct IdentityToken: Decodable {
    var access_token: String
    var expires_in: FlexibleInt?
    var refresh_token: String?
    var refresh_token_expires_in: FlexibleInt?
    var scope: String?
}
