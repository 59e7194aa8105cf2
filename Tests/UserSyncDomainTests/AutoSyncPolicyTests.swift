import Foundation
import Testing
import UserSyncDomain

@Suite struct AutoSyncPolicyTests {
    static func connection(_ platform: Platform, disconnected: Bool = false) -> PlatformConnection {
        let now = Date()
        return PlatformConnection(
            id: .random(), organizationID: .random(), platform: platform, displayName: platform.displayName, workspaceID: "W",
            workspaceName: nil, apiBaseURL: "https://example.com", authBaseURL: nil, health: disconnected ? .disconnected : .connected,
            healthCause: nil, healthMessage: nil, healthChangedAt: now, lastVerifiedAt: now, createdAt: now, updatedAt: now,
            disconnectedAt: disconnected ? now : nil)
    }

    let slack = connection(.slack), teams = connection(.teams), zoom = connection(.zoom), gone = connection(.webex, disconnected: true)
    var connections: [PlatformConnection] { [slack, teams, zoom, gone] }

    var valid: AutoSyncPolicy.Settings {
        .init(
            name: "  Engineering ", group: .init(source: .entra, connectionID: teams.id, id: "0b5e…", displayName: "Engineering"),
            primaryConnectionID: slack.id, secondaryConnectionIDs: [teams.id, zoom.id])
    }

    @Test func validSettingsAreStoredTrimmed() throws {
        #expect(try valid.validated(connections: connections).name == "Engineering")
        var scim = valid
        scim.group = .init(source: .scim, connectionID: nil, id: "group-1", displayName: nil)
        #expect(scim.problems(connections: connections).isEmpty)
    }

    @Test func everyProblemIsNamedByItsField() {
        var settings = valid
        settings.name = " "
        settings.group = .init(source: .entra, connectionID: slack.id, id: "", displayName: nil)
        settings.primaryConnectionID = .random()
        settings.secondaryConnectionIDs = [teams.id, teams.id, gone.id]
        settings.priority = 0
        settings.removalHold = .init(overCount: -1, overPercent: 101)
        let problems = settings.problems(connections: connections).map { "\($0.field):\($0.code)" }
        #expect(
            problems == [
                "name:required", "group.id:invalid_format", "group.connection_id:not_a_teams_connection",
                "primary_connection_id:unknown_connection", "secondary_connection_ids[1]:duplicate",
                "secondary_connection_ids[2]:connection_disconnected", "priority:out_of_range",
                "removal_hold.over_count:out_of_range", "removal_hold.over_percent:out_of_range",
            ])
    }

    @Test func aPolicySyncsOntoSomethingOtherThanItsPrimary() {
        var settings = valid
        settings.secondaryConnectionIDs = []
        #expect(settings.problems(connections: connections).map(\.code) == ["required"])
        settings.secondaryConnectionIDs = [slack.id]
        #expect(settings.problems(connections: connections).map(\.code) == ["secondary_is_primary"])
    }

    @Test func groupsComeFromTheirSource() {
        var settings = valid
        settings.group = .init(source: .entra, connectionID: nil, id: "g", displayName: nil)
        #expect(settings.problems(connections: connections).map(\.code) == ["required"])
        settings.group = .init(source: .scim, connectionID: teams.id, id: "g", displayName: nil)
        #expect(settings.problems(connections: connections).map(\.code) == ["not_allowed"])
        settings.group = .init(source: .entra, connectionID: .random(), id: "g", displayName: nil)
        #expect(settings.problems(connections: connections).map(\.code) == ["unknown_connection"])
    }

    @Test func namesAreBounded() {
        var settings = valid
        settings.name = String(repeating: "x", count: 201)
        #expect(settings.problems(connections: connections).map(\.code) == ["invalid_format"])
        settings.name = "a\u{0}b"
        #expect(settings.problems(connections: connections).map(\.code) == ["invalid_format"])
    }
}
