import Foundation
import Hummingbird
import UserSyncDomain
import UserSyncUseCases

/// The context of the console's organization pages. It cannot be created without a live session
/// of the organization in the path, so a page handler cannot run signed out or cross-tenant;
/// unsafe requests also carry a form whose CSRF token was checked.
struct ConsoleContext: ChildRequestContext {
    var coreContext: CoreRequestContextStorage
    let requestID: String
    let identity: ConsoleIdentity
    let form: ConsoleForm

    init(context: AppRequestContext) throws {
        guard let identity = context.identity else { throw ConsoleRedirect.signIn(next: nil) }
        self.coreContext = context.coreContext
        self.requestID = context.requestID
        self.identity = identity
        self.form = context.consoleForm ?? ConsoleForm()
    }

    var organization: OrganizationID { identity.organization.id }
    var actor: AuditActor { identity.actor }

    /// Viewers see everything and change nothing: the controls are disabled, and this refuses.
    func requireWrite() throws {
        guard identity.canWrite else {
            throw DomainError.forbidden(message: "You have the viewer role in \(identity.organization.name), which can look but not change anything.")
        }
    }
}

/// Where a console request goes instead of its page.
enum ConsoleRedirect: Error {
    /// Not signed in (or the session ended): to the sign-in page, then back.
    case signIn(next: String?)
    /// After a change: back to a page, with a notice.
    case to(String)
}
