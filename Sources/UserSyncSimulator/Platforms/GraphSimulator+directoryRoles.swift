import Foundation
import Hummingbird

extension GraphSimulator {
    /// `GET /users/{id|upn}/transitiveMemberOf/microsoft.graph.directoryRole`: the directory roles
    /// the user holds. `$select`, `$count` and `ConsistencyLevel` are accepted and ignored; roles
    /// are few, so there is never a next link.
    func directoryRoles(_ context: BasicRequestContext, _ token: SimToken) throws -> SimReply {
        let id = SimHTTP.param(context, "id") ?? ""
        let found = state.store.withLock { store -> (tenantID: String, roles: [String])? in
            guard let organization = store.organizations[token.organization] else { return nil }
            let directory = organization.directory(.teams)
            guard let index = directory.find(login: id) else { return nil }
            return (organization.credentials.teams.tenantID, directory.accounts[index].directoryRoles)
        }
        guard let found else {
            throw SimError.notFound(
                code: "Request_ResourceNotFound",
                message: "Resource '\(id)' does not exist or one of its queried reference-property objects are not present.")
        }
        let value: [AnyCodable] = found.roles.compactMap(SimDirectoryRole.named).map { role in
            // A tenant's activated role has its own id; derive one that stays put for the tenant.
            var random = SeededRandom(seed: stableHash(found.tenantID + role.templateID))
            return .object([
                "@odata.type": "#microsoft.graph.directoryRole", "id": .string(random.guid()), "displayName": .string(role.displayName),
                "description": .string(role.description), "roleTemplateId": .string(role.templateID),
            ])
        }
        return SimHTTP.json(GraphPage(context: "directoryRoles", value: value, nextLink: nil))
    }
}
