import Foundation

extension ScimUserInput {
    /// Reads a `POST /Users` or `PUT /Users/{id}` body. Not JSON or not an object: 400
    /// `invalidSyntax`; `userName` missing or blank, or a kept attribute of the wrong type
    /// (`active: "maybe"`, `emails: "x"`): 400 `invalidValue` naming it. `active` accepts
    /// `true`/`false` and the strings "True"/"False" in any case (Entra's known issue).
    public static func decode(_ body: Data) throws(ScimError) -> ScimUserInput {
        let json = try ScimJSON.parse(body)
        guard case .object = json else { throw .invalidSyntax("A User must be a JSON object, got \(json.kind).") }
        return try ScimUserInput(json: json)
    }

    init(json: ScimJSON) throws(ScimError) {
        self.init(userName: try json.requiredString("userName", at: "userName"))
        externalId = try json.optionalString("externalId", at: "externalId")
        active = try json.optionalBool("active", at: "active")
        displayName = try json.optionalString("displayName", at: "displayName")
        if let name = json[attribute: "name"] {
            self.name = try Name(json: name, at: "name")
        }
        if let emails = json[attribute: "emails"] {
            email = ScimEmail.preferred(try ScimEmail.list(emails, at: "emails"))?.value
        }
    }
}

extension ScimUserInput.Name {
    init(json: ScimJSON, at field: String) throws(ScimError) {
        self.init()
        switch json {
        case .null: return
        case .object: break
        default: throw .invalidValue("\(field) must be an object {givenName, familyName, formatted}, got \(json.kind).")
        }
        givenName = try json.optionalString("givenName", at: "\(field).givenName")
        familyName = try json.optionalString("familyName", at: "\(field).familyName")
        formatted = try json.optionalString("formatted", at: "\(field).formatted")
    }
}
