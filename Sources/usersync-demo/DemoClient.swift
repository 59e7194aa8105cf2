import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// What the demo sends and reads over HTTP: UserSync's API (as an admin key, or as the operator)
/// and the simulator's control API, decoded into typed views. Any answer of 400 or more stops the
/// demo with the request and the body that explains it.
struct DemoClient: Sendable {
    let http: HTTPClient
    let base: String
    let token: String?

    struct Refused: Error, CustomStringConvertible {
        let description: String
    }

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()

    /// The body of `method path`, refusing any answer of 400 or more.
    func send(_ method: HTTPMethod, _ path: String, json body: String? = nil) async throws -> (status: Int, body: Data) {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, timeout: .seconds(60))
        } catch {
            throw Refused(description: "\(method) \(base + path): no answer (\(error))")
        }
        let data = Data(buffer: try await response.body.collect(upTo: 64 << 20))
        guard response.status.code < 400 else {
            throw Refused(description: "\(method) \(base + path) answered \(response.status.code): \(String(decoding: data, as: UTF8.self))")
        }
        return (Int(response.status.code), data)
    }

    func get<T: Decodable>(_ path: String, as type: T.Type = T.self) async throws -> T {
        try Self.decoder.decode(T.self, from: try await send(.GET, path).body)
    }

    func post<T: Decodable>(_ path: String, json body: some Encodable, as type: T.Type = T.self) async throws -> T {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        let text = String(decoding: try encoder.encode(body), as: UTF8.self)
        return try Self.decoder.decode(T.self, from: try await send(.POST, path, json: text).body)
    }

    /// `POST path` with no body.
    func post<T: Decodable>(_ path: String, as type: T.Type = T.self) async throws -> T {
        try Self.decoder.decode(T.self, from: try await send(.POST, path).body)
    }

    /// Whether `path` answers 2xx, without stopping the demo when it does not (readiness probes).
    func answers(_ path: String) async -> Bool {
        guard let response = try? await http.execute(HTTPClientRequest(url: base + path), timeout: .seconds(5)) else { return false }
        return (200..<300).contains(response.status.code)
    }

    /// Every item of a paged list, following `next_cursor`.
    func all<Item: Decodable & Sendable>(_ path: String, as type: Item.Type = Item.self) async throws -> [Item] {
        var items: [Item] = []
        var cursor: String?
        repeat {
            let separator = path.contains("?") ? "&" : "?"
            let page: Page<Item> = try await get(path + (cursor.map { "\(separator)cursor=\($0)" } ?? ""))
            items += page.items
            cursor = page.nextCursor
        } while cursor != nil
        return items
    }
}

/// Waits until `condition` holds, checking every `interval`; false after `timeout`.
func waitUntil(_ timeout: Duration, every interval: Duration = .milliseconds(200), _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: interval)
    }
    return false
}
