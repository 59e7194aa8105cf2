import Hummingbird

extension ControlRoutes {
    /// Entra group membership changed upstream and Graph delta tokens expired: what tests of
    /// Auto Sync need to set up. Mirrors the `PlatformSimulator+groups` methods.
    func registerGroups(_ control: RouterGroup<BasicRequestContext>) {
        control.get("orgs/:org/graph/groups/:group/members") { _, context in
            guard
                let members = simulator.groupMembers(
                    organization: SimHTTP.param(context, "org") ?? "", groupID: SimHTTP.param(context, "group") ?? "")
            else { return notFound() }
            return SimHTTP.json(members).response
        }
        control.post("orgs/:org/graph/groups") { request, context in
            struct Body: Decodable { var displayName: String }
            guard let body = await decode(Body.self, request), !body.displayName.isEmpty else { return problem("send {\"displayName\": …}") }
            guard let id = simulator.createGroup(organization: SimHTTP.param(context, "org") ?? "", displayName: body.displayName) else {
                return notFound()
            }
            return SimHTTP.json(["id": .string(id)] as [String: AnyCodable], status: .created).response
        }
        control.post("orgs/:org/graph/groups/:group/members") { request, context in
            struct Body: Decodable {
                var userID: String?
                var userIDs: [String]?
                enum CodingKeys: String, CodingKey { case userID = "user_id", userIDs = "user_ids" }
            }
            let organization = SimHTTP.param(context, "org") ?? ""
            let group = SimHTTP.param(context, "group") ?? ""
            let body = await decode(Body.self, request)
            if let id = body?.userID, body?.userIDs == nil {
                guard let changed = simulator.changeGroupMembership(organization: organization, groupID: group, userID: id, member: true) else {
                    return notFound()
                }
                return SimHTTP.json(["changed": .bool(changed)] as [String: AnyCodable]).response
            }
            if let ids = body?.userIDs, body?.userID == nil {
                guard let added = simulator.addGroupMembers(organization: organization, groupID: group, userIDs: ids) else { return notFound() }
                return SimHTTP.json(["added": .int(added)] as [String: AnyCodable]).response
            }
            return problem("send {\"user_id\": …} or {\"user_ids\": […]}")
        }
        control.delete("orgs/:org/graph/groups/:group/members/:user") { _, context in
            guard
                let changed = simulator.changeGroupMembership(
                    organization: SimHTTP.param(context, "org") ?? "", groupID: SimHTTP.param(context, "group") ?? "",
                    userID: SimHTTP.param(context, "user") ?? "", member: false)
            else { return notFound() }
            return SimHTTP.json(["changed": .bool(changed)] as [String: AnyCodable]).response
        }
        control.post("orgs/:org/graph/delta-tokens/expire") { _, context in
            simulator.expireDeltaTokens(organization: SimHTTP.param(context, "org") ?? "") ? Response(status: .noContent) : notFound()
        }
        control.get("orgs/:org/graph/subscriptions") { _, context in
            let subscriptions = simulator.graphSubscriptions(organization: SimHTTP.param(context, "org") ?? "")
            return SimHTTP.json(["value": .array(subscriptions.map(GraphSimulator.wire))] as [String: AnyCodable]).response
        }
        control.post("orgs/:org/graph/subscriptions/:id/reauthorization-required") { _, context in
            simulator.requireReauthorization(organization: SimHTTP.param(context, "org") ?? "", subscriptionID: SimHTTP.param(context, "id") ?? "")
                ? Response(status: .accepted) : notFound()
        }
        control.put("graph/delta-page-size") { request, _ in
            struct Body: Decodable { var size: Int }
            guard let body = await decode(Body.self, request), body.size >= 1 else { return problem("send {\"size\": 1 or more}") }
            simulator.setGraphDeltaPageSize(body.size)
            return Response(status: .noContent)
        }
    }
}
