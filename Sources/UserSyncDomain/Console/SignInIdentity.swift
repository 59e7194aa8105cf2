/// The identity providers admins sign in to the console with.
public enum IdentityProvider: String, Sendable, Codable, CaseIterable {
    /// Sign in with Slack (OpenID Connect).
    case slack
    /// The Microsoft identity platform (Entra ID, OpenID Connect).
    case microsoft

    public var displayName: String {
        switch self {
        case .slack: "Slack"
        case .microsoft: "Microsoft"
        }
    }

    /// The platform whose connections tell whether the account is an admin there.
    public var platform: Platform {
        switch self {
        case .slack: .slack
        case .microsoft: .teams
        }
    }
}

/// Who an identity provider says signed in, from a validated `id_token`.
public struct SignInIdentity: Sendable, Equatable, Codable {
    public var provider: IdentityProvider
    /// The Slack team id or Entra tenant id the account belongs to.
    public var tenant: String
    /// The account within it: the Slack user id, or the Entra object id (`oid`).
    public var subject: String
    public var email: String?
    public var displayName: String?

    public init(provider: IdentityProvider, tenant: String, subject: String, email: String?, displayName: String?) {
        self.provider = provider
        self.tenant = tenant
        self.subject = subject
        self.email = email
        self.displayName = displayName
    }

    /// What a list shows: the name and address, or the account id when the provider gave neither.
    public var label: String {
        switch (displayName, email) {
        case let (name?, email?): "\(name) <\(email)>"
        case let (name?, nil): name
        case let (nil, email?): email
        case (nil, nil): subject
        }
    }
}
