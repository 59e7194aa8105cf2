import UserSyncDomain

extension ScimUserInput {
    /// The address Auto Sync matches this user to people by (`directory_users.email_normalized`):
    /// the kept email, normalized as imports normalize platform emails; without one, the userName
    /// when it is shaped like an address, since Entra sends the UPN and Okta the login as userName
    /// and many mappings send no `emails` at all.
    var matchingEmail: String? {
        if let email = EmailAddress.normalize(email) { return email }
        return Self.looksLikeEmail(userName) ? EmailAddress.normalize(userName) : nil
    }

    /// `local@domain.tld` with no spaces: enough to tell a UPN from an employee number or a login
    /// name; not a validation of the address.
    static func looksLikeEmail(_ text: String) -> Bool {
        let trimmed = text.trimmingCharacters(in: [" "])
        let parts = trimmed.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !trimmed.contains(where: \.isWhitespace) else { return false }
        let domain = parts[1]
        return domain.contains(".") && !domain.hasPrefix(".") && !domain.hasSuffix(".")
    }

    /// Refuses values too long to store and index (a btree entry holds about 2,700 bytes; a
    /// `lower(user_name)` of 512 characters fits whatever the script). Nothing an identity
    /// provider sends legitimately comes close.
    func checkedForStorage() throws(ScimError) -> ScimUserInput {
        let fields: [(String, String?)] = [
            ("userName", userName), ("externalId", externalId), ("displayName", displayName), ("name.givenName", name.givenName),
            ("name.familyName", name.familyName), ("name.formatted", name.formatted), ("emails.value", email),
        ]
        for (field, value) in fields {
            try ScimLimits.check(value, field: field)
        }
        return self
    }
}

extension ScimGroupInput {
    func checkedForStorage() throws(ScimError) -> ScimGroupInput {
        try ScimLimits.check(displayName, field: "displayName")
        try ScimLimits.check(externalId, field: "externalId")
        return self
    }
}

/// Bounds on what a SCIM request stores.
enum ScimLimits {
    static let maximumAttributeLength = 512

    static func check(_ value: String?, field: String) throws(ScimError) {
        guard let value, value.unicodeScalars.count > maximumAttributeLength else { return }
        throw .invalidValue("\(field) is longer than \(maximumAttributeLength) characters.")
    }
}
