/// What a PATCH path names on a User, and which paths are refused or ignored.
///
/// Entra sends every attribute of the app's mapping, and its default mapping includes many this
/// endpoint does not keep (`title`, `preferredLanguage`, `phoneNumbers[type eq "work"].value`,
/// `addresses[type eq "work"].formatted`, the enterprise extension's `employeeNumber`,
/// `department`, `manager`; `emails[type eq "other"].value` for proxy addresses). Refusing those
/// would fail every update Entra makes, so:
/// - attributes of the core User schema that are not kept, and any attribute of an extension
///   schema (a `urn:` prefix other than the core one), are accepted and ignored;
/// - `id`, `meta` and `groups` are read-only: naming them in a `path` is a 400 `mutability`
///   (in a path-less value object they are skipped, as Okta repeats `id` there);
/// - any other name is not a User attribute at all (a typo in a custom mapping): 400
///   `invalidPath`, so the admin sees the mistake instead of losing the value silently.
enum ScimUserTarget: Equatable {
    case userName, externalId, active, displayName
    /// The whole `name`; its value is an object of sub-attributes.
    case name
    case givenName, familyName, formattedName
    /// The kept address itself: `emails[type eq "work"].value`, `emails.value`.
    case email
    /// The kept entry: `emails[type eq "work"]`; its value is `{value, type, primary}`.
    case emailEntry
    /// All of `emails`; its value is an array of entries.
    case emails
    /// Accepted, not kept.
    case ignored

    private static let readOnly: Set<String> = ["id", "meta", "groups"]
    private static let notKept: Set<String> = [
        "nickname", "profileurl", "title", "usertype", "preferredlanguage", "locale", "timezone", "password",
        "phonenumbers", "ims", "photos", "addresses", "entitlements", "roles", "x509certificates", "schemas",
    ]

    init(_ path: ScimAttributePath, in label: String) throws(ScimError) {
        if path.isExtension {
            self = .ignored
            return
        }
        let attribute = path.attribute.lowercased()
        let sub = path.subAttribute?.lowercased()
        if attribute == "emails" {
            self = try Self.email(path, sub: sub, in: label)
            return
        }
        if Self.readOnly.contains(attribute) {
            throw .mutability("\(label): '\(path.attribute)' is read-only.")
        }
        if Self.notKept.contains(attribute) {
            self = .ignored
            return
        }
        guard path.valueFilter == nil else { throw .invalidPath("\(label): '\(path.attribute)' is not multi-valued; it takes no filter.") }
        switch (attribute, sub) {
        case ("username", nil): self = .userName
        case ("externalid", nil): self = .externalId
        case ("active", nil): self = .active
        case ("displayname", nil): self = .displayName
        case ("name", nil): self = .name
        case ("name", "givenname"): self = .givenName
        case ("name", "familyname"): self = .familyName
        case ("name", "formatted"): self = .formattedName
        case ("name", "middlename"), ("name", "honorificprefix"), ("name", "honorificsuffix"): self = .ignored
        default: throw .invalidPath("\(label): '\(path)' is not an attribute of the SCIM User schema.")
        }
    }

    private static func email(_ path: ScimAttributePath, sub: String?, in label: String) throws(ScimError) -> ScimUserTarget {
        guard path.valueFilter != nil else {
            switch sub {
            case nil: return .emails
            case "value": return .email
            default: return .ignored
            }
        }
        guard let selector = ScimEmailSelector(path) else {
            throw .invalidPath("\(label): only emails[type eq \"…\"] and emails[primary eq true] can select an email.")
        }
        switch (selector, sub) {
        case (.notStored, _): return .ignored
        case (.stored, nil): return .emailEntry
        case (.stored, "value"): return .email
        case (.stored, _): return .ignored
        }
    }
}
