import Hummingbird
import UserSyncDomain
import UserSyncUseCases

extension ConsoleConnectRoutes {
    // MARK: Overview

    struct OverviewPage {
        let missing: String?
        let platforms: [PlatformCard]
        let canWrite: Bool
    }

    struct PlatformCard {
        let key: String
        let name: String
        let connections: [ConnectionCard]
        let connectHref: String
        let importsSelectedTeams: Bool
    }

    @Sendable func overview(_ request: Request, context: ConsoleContext) async throws -> Response {
        let all = try await center.list(context.organization, includeDisconnected: true, logger: context.logger)
        let base = "/console/\(context.identity.organization.slug.rawValue)"
        let cards = Platform.allCases.map { platform in
            PlatformCard(
                key: platform.rawValue, name: platform.displayName,
                connections: all.filter { $0.connection.platform == platform }.map { ConnectionCard($0, base: base) },
                connectHref: "\(base)/connect/\(platform.rawValue)", importsSelectedTeams: platform.importsSelectedTeams)
        }
        return renderer.page(
            "connect", title: "Connect Center", identity: context.identity, section: .connect,
            body: OverviewPage(missing: Self.missingPlatforms(all), platforms: cards, canWrite: context.identity.canWrite),
            notice: ConsoleNotice.text(request))
    }
}
