import Hummingbird
import UserSyncDomain
import UserSyncUseCases

extension ConsoleConnectRoutes {
    // MARK: Connect

    struct FormPage {
        let heading: String
        let intro: String
        let action: String
        let platform: String
        let fields: [Field]
        let displayName: String
        let apiBaseURL: String
        let authBaseURL: String
        let error: String?
        let errors: [String]
        let submit: String
        let canWrite: Bool
    }

    struct Field {
        let name: String
        let label: String
        let help: String?
        let required: Bool
        let secret: Bool
        let value: String
    }

    @Sendable func connectForm(_ request: Request, context: ConsoleContext) async throws -> Response {
        let platform = try Self.platform(context)
        return renderer.page(
            "connect-form", title: "Connect \(platform.displayName)", identity: context.identity, section: .connect,
            body: formPage(platform, context: context, action: "connect/\(platform.rawValue)", form: ConsoleForm(), error: nil))
    }

    func formPage(
        _ platform: Platform, context: ConsoleContext, action: String, form: ConsoleForm, error: (any Error)?, rotating: PlatformConnection? = nil
    ) -> FormPage {
        let shape = CredentialsBody.shapes[platform]!
        let fields = (shape.required + shape.optional).map { name in
            let label = ConnectFields.label(platform, name)
            let secret = ConnectFields.secret.contains(name)
            return Field(
                name: "credentials.\(name)", label: label.0, help: label.1, required: shape.required.contains(name), secret: secret,
                value: secret ? "" : form.raw("credentials.\(name)") ?? "")
        }
        var message: String?
        var fieldErrors: [String] = []
        if let error {
            let problem = APIError.from(error, logger: context.logger)
            message = problem.detail
            fieldErrors = problem.errors.map(\.message)
            if !fieldErrors.isEmpty { message = "Some fields need a fix." }
        }
        let base = "/console/\(context.identity.organization.slug.rawValue)"
        return FormPage(
            heading: rotating.map { "Update \($0.displayName)" } ?? "Connect \(platform.displayName)",
            intro: rotating == nil
                ? ConnectFields.intro[platform] ?? ""
                : "Enter fresh credentials for the same workspace (all required fields). "
                    + "They are verified with \(platform.displayName) before anything is saved; leave them empty to change only the name.",
            action: "\(base)/\(action)", platform: platform.rawValue, fields: fields,
            displayName: form.raw("display_name") ?? rotating?.displayName ?? "",
            apiBaseURL: form.raw("api_base_url") ?? rotating?.apiBaseURL ?? "", authBaseURL: form.raw("auth_base_url") ?? rotating?.authBaseURL ?? "",
            error: message, errors: fieldErrors, submit: rotating == nil ? "Verify and connect" : "Verify and save",
            canWrite: context.identity.canWrite)
    }

    @Sendable func connect(_ request: Request, context: ConsoleContext) async throws -> Response {
        try context.requireWrite()
        let platform = try Self.platform(context)
        let form = context.form
        do {
            let connection = try await center.connect(
                .init(
                    displayName: form["display_name"], credentials: try CredentialsBody(form: form).credentials(for: platform),
                    apiBaseURL: form["api_base_url"], authBaseURL: form["auth_base_url"]),
                organization: context.organization, actor: context.actor, requestID: context.requestID, logger: context.logger)
            throw ConsoleRedirect.to("/console/\(context.identity.organization.slug.rawValue)/connections/\(connection.id)?notice=connected")
        } catch let error where Self.isFormError(error) {
            return renderer.page(
                "connect-form", title: "Connect \(platform.displayName)", identity: context.identity, section: .connect,
                body: formPage(platform, context: context, action: "connect/\(platform.rawValue)", form: form, error: error),
                status: APIError.from(error, logger: context.logger).status)
        }
    }

    /// Refusals the admin fixes in the form (bad fields, the platform refusing the credentials),
    /// as opposed to errors that end the page.
    static func isFormError(_ error: any Error) -> Bool {
        switch error {
        case is PlatformFailure: true
        case DomainError.validation, DomainError.conflict: true
        default: false
        }
    }
}
