import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization
import UserSyncTestSupport

extension Bench {
    /// SCIM membership PATCHes as an identity provider sends them: `clients` clients each adding
    /// then removing one of `users` SCIM users to a group, for `seconds`, through the real server.
    /// The group has an enabled policy (primary `primary`, onto `onto`), so each change asks for
    /// a run, as it does in a real deployment.
    func measureScim(base: String, users: Int, clients: Int, seconds: Int, primary: String, onto: String) async throws -> [String: Double] {
        let api = BenchmarkClient(base: base)
        let token =
            try await api.call(
                .POST, "/v1/orgs/bench/scim/tokens", token: Self.operatorToken, body: #"{"name":"bench"}"#)["secret"] as! String
        let scim = "/scim/v2/bench"
        var ids: [String] = []
        for index in 0..<users {
            let body = #"""
                {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"scim\#(index)@bench.example",
                 "emails":[{"value":"scim\#(index)@bench.example","type":"work","primary":true}],"active":true}
                """#
            ids.append(try await api.call(.POST, "\(scim)/Users", token: token, body: body)["id"] as! String)
        }
        let group =
            try await api.call(
                .POST, "\(scim)/Groups", token: token,
                body: #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"SCIM bench"}"#)["id"] as! String
        _ = try await api.call(
            .POST, "/v1/orgs/bench/auto-sync/policies", token: Self.operatorToken,
            body: #"""
                {"name":"SCIM bench","group":{"source":"scim","id":"\#(group)"},"primary_connection_id":"\#(primary)",
                 "secondary_connection_ids":["\#(onto)"],"removal_hold":{}}
                """#)
        let next = Counter(), members = ids
        let outcome = try await Load.closed(clients: clients, for: .seconds(seconds)) {
            let n = next.increment()
            // Each user is added, then removed, then added again…: every PATCH changes the group.
            let user = members[(n / 2) % members.count]
            let operation =
                n % 2 == 0
                ? #"{"op":"Add","path":"members","value":[{"value":"\#(user)"}]}"#
                : #"{"op":"remove","path":"members[value eq \"\#(user)\"]"}"#
            var request = HTTPClientRequest(url: base + "\(scim)/Groups/\(group)")
            request.method = .PATCH
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
            request.headers.add(name: "Content-Type", value: "application/scim+json")
            request.body = .bytes(ByteBuffer(string: #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[\#(operation)]}"#))
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
            let body = try await response.body.collect(upTo: 1 << 20)
            return (200..<300).contains(Int(response.status.code)) ? nil : "\(response.status): \(String(buffer: body))"
        }
        return outcome.figures("scim_patch").merging(["scim_users": Double(users), "scim_clients": Double(clients)]) { $1 }
    }
}

/// A shared sequence number for concurrent clients.
final class Counter: Sendable {
    private let value = Mutex(0)

    func increment() -> Int {
        value.withLock { current in
            defer { current += 1 }
            return current
        }
    }
}
