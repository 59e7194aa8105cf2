import AsyncHTTPClient
import Foundation
import NIOHTTP1
import UserSyncSimulator

/// Speaks Graph's wire format to the simulator with an app token, the way a connector would,
/// and follows delta rounds page by page.
struct GraphDeltaProbe {
    let base: String
    let token: String

    /// An answer: status, headers and the JSON object of the body (empty when not JSON).
    struct Answer {
        var status: Int
        var headers: HTTPHeaders
        var json: [String: Any]

        var errorCode: String? { (json["error"] as? [String: Any])?["code"] as? String }
    }

    /// A round followed to its delta link, with the members it reported merged per group.
    struct Round {
        var pages: [[String: Any]] = []
        var deltaLink = ""
        /// Group id → user ids reported as members.
        var added: [String: Set<String>] = [:]
        /// Group id → user id → `@removed.reason`.
        var removed: [String: [String: String]] = [:]
        /// Group id → display name as reported.
        var names: [String: String] = [:]
        /// Group id → how many pages it appeared on.
        var appearances: [String: Int] = [:]
    }

    /// Gets a client-credentials token for the organization's Entra app.
    static func connect(_ base: String, _ credentials: SimCredentials.Teams) async throws -> GraphDeltaProbe {
        var request = HTTPClientRequest(url: "\(base)/login/\(credentials.tenantID)/oauth2/v2.0/token")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.body = .bytes(
            .init(
                string: "grant_type=client_credentials&client_id=\(credentials.clientID)&client_secret=\(credentials.clientSecret)"
                    + "&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default"))
        let body = try await HTTPClient.shared.execute(request, timeout: .seconds(30)).body.collect(upTo: 1 << 16)
        let json = try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]
        return GraphDeltaProbe(base: base, token: json?["access_token"] as? String ?? "")
    }

    static func escape(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? value
    }

    /// The first request of a delta query for `groups`.
    func deltaURL(_ groups: [String], select: String? = "displayName,members", extra: String = "") -> String {
        var url = "\(base)/graph/v1.0/groups/delta?$filter=" + Self.escape(groups.map { "id eq '\($0)'" }.joined(separator: " or "))
        if let select { url += "&$select=" + Self.escape(select) }
        return url + extra
    }

    func get(_ url: String) async throws -> Answer {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 24)
        let json = (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] ?? [:]
        return Answer(status: Int(response.status.code), headers: response.headers, json: json)
    }

    /// Follows `url` through its next links to the page carrying the delta link. Fails on any
    /// answer but 200, or a page with both links or neither.
    func round(_ url: String, between: (Int) async throws -> Void = { _ in }) async throws -> Round {
        var round = Round()
        var next = url
        while true {
            let page = try await get(next)
            guard page.status == 200 else { throw Failure.status(page.status, "\(page.json)") }
            round.pages.append(page.json)
            for group in page.json["value"] as? [[String: Any]] ?? [] {
                let id = group["id"] as? String ?? ""
                round.appearances[id, default: 0] += 1
                if let name = group["displayName"] as? String { round.names[id] = name }
                for member in group["members@delta"] as? [[String: Any]] ?? [] {
                    let user = member["id"] as? String ?? ""
                    if let removed = member["@removed"] as? [String: Any] {
                        round.removed[id, default: [:]][user] = removed["reason"] as? String ?? ""
                    } else {
                        round.added[id, default: []].insert(user)
                    }
                }
            }
            switch (page.json["@odata.nextLink"] as? String, page.json["@odata.deltaLink"] as? String) {
            case (let link?, nil):
                try await between(round.pages.count)
                next = link
            case (nil, let link?):
                round.deltaLink = link
                return round
            default:
                throw Failure.links("\(page.json)")
            }
        }
    }

    enum Failure: Error {
        case status(Int, String)
        case links(String)
    }
}
