/// The Entra directory roles the simulator hands out, by the template ids every tenant shares
/// (Microsoft's "built-in roles" reference); connectors recognise admins by these ids.
struct SimDirectoryRole: Sendable {
    var templateID: String
    var displayName: String
    var description: String
    /// How the control API and the home page name the role.
    var summaryRole: String

    static let globalAdministrator = SimDirectoryRole(
        templateID: "62e90394-69f5-4237-9190-012177145e10", displayName: "Global Administrator",
        description: "Can manage all aspects of Microsoft Entra ID and Microsoft services that use Microsoft Entra identities.",
        summaryRole: "global_administrator")
    static let teamsAdministrator = SimDirectoryRole(
        templateID: "69091246-20e8-4a56-aa4d-066075b2a7a8", displayName: "Teams Administrator",
        description: "Can manage the Microsoft Teams service.", summaryRole: "teams_administrator")

    static let all = [globalAdministrator, teamsAdministrator]

    static func named(templateID: String) -> SimDirectoryRole? {
        all.first { $0.templateID == templateID.lowercased() }
    }
}
