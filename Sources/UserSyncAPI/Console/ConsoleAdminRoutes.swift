import Hummingbird
import UserSyncUseCases

/// Activity (the audit log), API keys, Members and Jobs.
struct ConsoleAdminRoutes {
    let activity: ActivityLog
    let administration: OrganizationAdministration
    let members: ConsoleMembers
    let renderer: ConsoleRenderer

    func addRoutes(to console: RouterGroup<ConsoleContext>) {
        console.get("activity", use: activityPage)
        console.get("keys", use: keys)
        console.post("keys", use: createKey)
        console.post("keys/{key_id}/revoke", use: revokeKey)
        console.get("members", use: membersPage)
        console.post("members/invitations", use: invite)
        console.post("members/invitations/{invitation_id}/revoke", use: revokeInvitation)
        console.post("members/{member_id}/role", use: setRole)
        console.post("members/{member_id}/revoke", use: revokeMember)
        console.get("jobs", use: jobs)
    }

    func base(_ context: ConsoleContext) -> String { "/console/\(context.identity.organization.slug.rawValue)" }
}
