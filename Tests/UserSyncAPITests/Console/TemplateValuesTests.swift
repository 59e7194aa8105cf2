import Foundation
import Mustache
import Testing
import UserSyncDomain
import UserSyncUseCases

@testable import UserSyncAPI

/// The view models that answer templates by name (for speed) answer every stored property they
/// have, so a field added to one cannot silently vanish from its page.
@Suite struct TemplateValuesTests {
    /// Every non-nil stored property of `value` is what `child(named:)` answers for its name.
    func expectComplete(_ value: any MustacheParent, sourceLocation: SourceLocation = #_sourceLocation) {
        for child in Mirror(reflecting: value).children {
            guard let label = child.label else { continue }
            let present = Mirror(reflecting: child.value).displayStyle != .optional || Mirror(reflecting: child.value).children.first != nil
            let answered = value.child(named: label)
            #expect((answered != nil) == present, "\(type(of: value)).\(label)", sourceLocation: sourceLocation)
            if let answered { #expect(String(describing: answered) == String(describing: Self.unwrapped(child.value)), "\(label)") }
        }
    }

    static func unwrapped(_ value: Any) -> Any {
        let mirror = Mirror(reflecting: value)
        guard mirror.displayStyle == .optional, let first = mirror.children.first else { return value }
        return first.value
    }

    @Test func theSyncUsersPageAnswersEveryField() {
        let organization = OrganizationID.random()
        let now = Date()
        let slack = PlatformConnection(
            id: .random(), organizationID: organization, platform: .slack, displayName: "Slack", workspaceID: "T1", workspaceName: "Acme",
            apiBaseURL: "https://slack.com/api", authBaseURL: nil, health: .connected, healthCause: nil, healthMessage: nil,
            healthChangedAt: now, lastVerifiedAt: now, createdAt: now, updatedAt: now, disconnectedAt: nil)
        var teams = slack
        teams = PlatformConnection(
            id: .random(), organizationID: organization, platform: .teams, displayName: "Teams", workspaceID: "tenant",
            workspaceName: nil, apiBaseURL: "https://graph.microsoft.com/v1.0", authBaseURL: nil, health: .connected, healthCause: nil,
            healthMessage: nil, healthChangedAt: now, lastVerifiedAt: now, createdAt: now, updatedAt: now, disconnectedAt: nil)
        let person = Person(
            id: .random(), organizationID: organization, email: "ada@example.com", displayName: "Ada", primaryConnectionID: nil,
            primarySource: nil, primaryChosenBy: nil, primaryChosenAt: nil, needsPrimaryChoice: true, allAccountsDeactivated: false,
            accounts: [slack, teams].map {
                Person.Account(
                    id: .random(), connectionID: $0.id, platform: $0.platform, platformUserID: "U1", email: "ada@example.com",
                    emails: ["ada@example.com"], displayName: "Ada", realName: nil, isGuest: false, isActive: true, deactivatedAt: nil,
                    deactivationReason: nil, firstSeenAt: now, changedAt: now)
            },
            createdAt: now, updatedAt: now)
        let page = PeoplePage(
            people: [person], next: .init(key: "ada", id: UUID()), query: PeopleListQuery(ConsoleForm(encoded: "q=ada&cursor=x")),
            connections: [slack, teams], base: "/console/acme", canWrite: true, prompts: PromptThrottle(interval: 3600, now: now))
        expectComplete(page)
        expectComplete(page.filters)
        page.filters.platforms.forEach { expectComplete($0) }
        page.columns.forEach { expectComplete($0) }
        page.filterFields.forEach { expectComplete($0) }
        for row in page.rows {
            expectComplete(row)
            row.cells.forEach { expectComplete($0) }
            row.menu.forEach { expectComplete($0) }
            if let choice = row.primaryChoice { expectComplete(choice) }
        }
        let chrome = Chrome(
            title: "Sync users", identity: nil, section: .people, notice: "Saved.", refresh: true, stylesheet: "/a.css", script: "/a.js")
        expectComplete(chrome)
        expectComplete(ConsoleRenderer.PageView(chrome: chrome, body: page))
        expectComplete(Chrome.NavItem(label: "Sync users", href: "/console/acme/people", current: true, group: "User Sync"))
    }
}
