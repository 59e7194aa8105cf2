import Hummingbird
import HummingbirdAuth
import UserSyncDomain
import UserSyncUseCases

/// Who presented credentials on a request.
public enum Principal: Sendable {
    case `operator`
    /// An organization's API key; the organization as it was when the key was admitted.
    case key(APIKey, of: Organization)

    var actor: AuditActor {
        switch self {
        case .operator: .operator
        case .key(let key, _): .apiKey(key.id, key.role)
        }
    }
}

/// The context of every request: its id, its body limit and, once authenticated, its principal
/// (API) or its console session and identity (console).
public struct AppRequestContext: RequestContext, SessionRequestContext, AuthRequestContext {
    public var coreContext: CoreRequestContextStorage
    public var requestID: String = ""
    public var bodyLimit: Int = 1 << 20
    public var principal: Principal?
    /// Set by ``OrganizationAccessMiddleware`` once the principal may see this organization.
    public var organization: Organization?
    /// The console's session, loaded and saved by hummingbird-auth's `SessionMiddleware`.
    public let sessions = SessionContext<ConsoleSession>()
    /// Who a live console session is (`SessionAuthenticator`).
    public var identity: ConsoleIdentity?
    /// A console form already read and checked against the session's CSRF token.
    var consoleForm: ConsoleForm?

    public init(source: Source) {
        self.coreContext = .init(source: source)
    }

    public var maxUploadSize: Int { bodyLimit }
}

/// The context of routes under `/v1/orgs/{org}`. It cannot be created without an organization that
/// the caller was allowed into, so a tenant handler cannot run unauthenticated or cross-tenant.
public struct TenantRequestContext: ChildRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let requestID: String
    public let bodyLimit: Int
    public let organization: Organization
    public let principal: Principal

    public init(context: AppRequestContext) throws {
        guard let organization = context.organization, let principal = context.principal else {
            throw DomainError.notFound(resource: "organization")
        }
        self.coreContext = context.coreContext
        self.requestID = context.requestID
        self.bodyLimit = context.bodyLimit
        self.organization = organization
        self.principal = principal
    }

    public var maxUploadSize: Int { bodyLimit }
    public var actor: AuditActor { principal.actor }

    /// Admin keys and the operator may change things; viewer keys only read.
    public func requireWrite() throws {
        if case .key(let key, _) = principal, !key.role.canWrite {
            throw DomainError.forbidden(message: "This API key has the viewer role, which can only read.")
        }
    }

    /// Key management is for the operator and admin keys only.
    public func requireAdmin() throws {
        if case .key(let key, _) = principal, key.role != .admin {
            throw DomainError.forbidden(message: "Only admin keys can manage API keys.")
        }
    }

    public func requireOperator() throws {
        guard case .operator = principal else {
            throw DomainError.forbidden(message: "Only the operator token can do this.")
        }
    }
}
