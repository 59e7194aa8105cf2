import Foundation
import UserSyncConnectors
import UserSyncDomain

/// The `credentials` object of a connection request: string fields, checked per platform (every
/// required field present and non-blank, no field the platform does not take).
struct CredentialsBody: Decodable, Sendable {
    let fields: [String: String]

    init(from decoder: any Decoder) throws {
        fields = try decoder.singleValueContainer().decode([String: String].self)
    }

    /// The non-blank fields of a console form named `credentials.<name>`.
    init(form: ConsoleForm) {
        var fields: [String: String] = [:]
        for (name, value) in form.fields where name.hasPrefix("credentials.") && !value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            fields[String(name.dropFirst("credentials.".count))] = value
        }
        self.fields = fields
    }

    /// Required and optional fields per platform, as the API names them.
    static let shapes: [Platform: (required: [String], optional: [String])] = [
        .slack: (["bot_token"], ["client_id", "client_secret", "team_id", "signing_secret"]),
        .teams: (["tenant_id", "client_id", "client_secret"], ["bot_app_id", "bot_app_secret", "teams_app_id", "bot_service_url"]),
        .zoom: (
            ["account_id", "client_id", "client_secret"],
            ["chatbot_client_id", "chatbot_client_secret", "robot_jid", "consent_client_id", "consent_client_secret", "webhook_secret_token"]
        ),
        .webex: (["admin_token"], ["bot_token", "client_id", "client_secret"]),
    ]

    func credentials(for platform: Platform) throws(DomainError) -> ConnectionCredentials {
        let shape = Self.shapes[platform]!
        var errors: [FieldError] = []
        for name in fields.keys.sorted() where !(shape.required + shape.optional).contains(name) {
            errors.append(
                FieldError(
                    field: "credentials.\(name)", code: "unknown_field",
                    message:
                        "'credentials.\(name)' is not a \(platform.rawValue) credential; expected \((shape.required + shape.optional).joined(separator: ", "))."
                ))
        }
        for name in shape.required where value(name) == nil {
            errors.append(
                FieldError(field: "credentials.\(name)", code: "required", message: "'credentials.\(name)' is required for \(platform.rawValue)."))
        }
        for name in shape.optional where fields[name] != nil && value(name) == nil {
            errors.append(FieldError(field: "credentials.\(name)", code: "invalid_value", message: "'credentials.\(name)' must not be blank."))
        }
        guard errors.isEmpty else { throw .validation(errors) }
        let v = value
        switch platform {
        case .slack:
            return .slack(
                .init(
                    botToken: v("bot_token")!, clientID: v("client_id"), clientSecret: v("client_secret"), teamID: v("team_id"),
                    signingSecret: v("signing_secret")))
        case .teams:
            return .teams(
                .init(
                    tenantID: v("tenant_id")!, clientID: v("client_id")!, clientSecret: v("client_secret")!, botAppID: v("bot_app_id"),
                    botAppSecret: v("bot_app_secret"), teamsAppID: v("teams_app_id"), botServiceURL: v("bot_service_url")))
        case .zoom:
            return .zoom(
                .init(
                    accountID: v("account_id")!, clientID: v("client_id")!, clientSecret: v("client_secret")!,
                    chatbotClientID: v("chatbot_client_id"), chatbotClientSecret: v("chatbot_client_secret"), robotJID: v("robot_jid"),
                    consentClientID: v("consent_client_id"), consentClientSecret: v("consent_client_secret"),
                    webhookSecretToken: v("webhook_secret_token")))
        case .webex:
            return .webex(.init(adminToken: v("admin_token")!, botToken: v("bot_token"), clientID: v("client_id"), clientSecret: v("client_secret")))
        }
    }

    private func value(_ name: String) -> String? {
        guard let raw = fields[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !raw.isEmpty else { return nil }
        return raw
    }
}

extension Platform {
    /// Parses a platform named in a request; an unknown one is a validation error naming the choices.
    static func parse(_ raw: String, field: String) throws(DomainError) -> Platform {
        guard let platform = Platform(rawValue: raw) else {
            throw .invalid(field, "invalid_value", "'\(field)' must be one of \(Platform.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        return platform
    }
}
