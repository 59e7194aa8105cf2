import Foundation

/// A Graph user with only the `$select`ed properties, `null` where Graph has no value.
struct GraphWireUser: Encodable {
    let account: SimAccount
    let domain: String
    let selected: Set<String>
    /// Set where a listing mixes directory object types (group members).
    var odataType: String? = nil

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        let email = account.primaryEmail?.trimmingCharacters(in: .whitespaces)
        // Guests have `#EXT#` UPNs; members' UPNs are their address, except that some tenants sign
        // people in with a UPN that is no mailbox (every fifth member here, when `mail` is set).
        if let odataType { try container.encode(odataType, forKey: Key(stringValue: "@odata.type")) }
        let upn =
            account.guest
            ? "\((email ?? account.id).replacingOccurrences(of: "@", with: "_"))#EXT#@\(domain)"
            : !account.mailIsNull && account.id.utf8.reduce(0, { $0 &+ Int($1) }) % 5 == 0
                ? "\(account.id.lowercased())@\(domain)"
                : (email?.lowercased() ?? "\(account.id)@\(domain)")
        func put(_ key: String, _ value: String?) throws {
            guard selected.contains(key) else { return }
            if let value {
                try container.encode(value, forKey: Key(stringValue: key))
            } else {
                try container.encodeNil(forKey: Key(stringValue: key))
            }
        }
        try put("id", account.id)
        try put("displayName", account.displayName)
        try put("givenName", account.firstName.isEmpty ? nil : account.firstName)
        try put("surname", account.lastName.isEmpty ? nil : account.lastName)
        try put("mail", account.mailIsNull ? nil : email)
        try put("userPrincipalName", upn)
        try put("jobTitle", nil)
        try put("mobilePhone", nil)
        try put("officeLocation", nil)
        try put("preferredLanguage", nil)
        if selected.contains("businessPhones") { try container.encode([String](), forKey: Key(stringValue: "businessPhones")) }
        if selected.contains("otherMails") {
            try container.encode(account.guest ? [email].compactMap { $0 } : [], forKey: Key(stringValue: "otherMails"))
        }
        if selected.contains("accountEnabled") { try container.encode(account.active, forKey: Key(stringValue: "accountEnabled")) }
        if selected.contains("userType") { try container.encode(account.guest ? "Guest" : "Member", forKey: Key(stringValue: "userType")) }
    }
}
