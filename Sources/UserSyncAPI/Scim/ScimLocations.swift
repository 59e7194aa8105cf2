/// Absolute URLs of SCIM resources (`meta.location`, the `Location` of a create, a member's
/// `$ref`), under the deployment's public URL (`USERSYNC_PUBLIC_URL`, the one consent links
/// use) rather than the request's Host, which a proxy may have rewritten.
struct ScimLocations: Sendable {
    let publicURL: String

    init(publicURL: String) {
        var url = publicURL
        while url.hasSuffix("/") { url.removeLast() }
        self.publicURL = url
    }

    /// `https://host/scim/v2/<org>`: the Tenant URL an identity provider is configured with.
    func base(_ reference: String) -> String { "\(publicURL)/scim/v2/\(reference)" }

    func user(_ id: String, in reference: String) -> String { "\(base(reference))/Users/\(id)" }

    func group(_ id: String, in reference: String) -> String { "\(base(reference))/Groups/\(id)" }
}
