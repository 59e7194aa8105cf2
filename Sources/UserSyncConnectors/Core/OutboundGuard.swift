import Foundation
import NIOPosix
import Synchronization
import UserSyncDomain

/// The addresses a host name resolves to.
public protocol HostResolver: Sendable {
    func addresses(of host: String) async -> [IPAddress]
}

/// The system's resolver (`getaddrinfo`, run on NIO's blocking-I/O thread pool).
public struct SystemHostResolver: HostResolver {
    public init() {}

    public func addresses(of host: String) async -> [IPAddress] {
        if let literal = IPAddress(host) { return [literal] }
        return (try? await NIOThreadPool.singleton.runIfActive { Self.resolve(host) }) ?? []
    }

    private static func resolve(_ host: String) -> [IPAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0, let first = list else { return [] }
        defer { freeaddrinfo(first) }
        var addresses: [IPAddress] = []
        for entry in sequence(first: first, next: { $0.pointee.ai_next }) {
            guard let socketAddress = entry.pointee.ai_addr else { continue }
            switch Int32(socketAddress.pointee.sa_family) {
            case AF_INET:
                socketAddress.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                    var address = $0.pointee.sin_addr
                    addresses.append(IPAddress(bytes: withUnsafeBytes(of: &address) { Array($0) })!)
                }
            case AF_INET6:
                socketAddress.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                    var address = $0.pointee.sin6_addr
                    addresses.append(IPAddress(bytes: withUnsafeBytes(of: &address) { Array($0) })!)
                }
            default: continue
            }
        }
        return addresses
    }
}

/// Applies the operator's ``OutboundHostPolicy`` to every platform request before it is sent,
/// and to every base URL an admin gives. The allowlist is checked on every request (URLs from a
/// platform's responses, like Graph's `@odata.nextLink`, included); a host's addresses are
/// resolved and checked at most once a minute per host. A URL's verdict on the allowlist is
/// remembered (the policy never changes): parsing the URL each time was 5 % of the worker's CPU
/// in a bulk sync, which calls the same few endpoints for every person.
public final class OutboundGuard: Sendable {
    public let policy: OutboundHostPolicy
    private let resolver: any HostResolver
    private let now: @Sendable () -> Date
    private let verdicts = Mutex<[OutboundHostPolicy.Destination: (checkedAt: Date, refusal: OutboundHostPolicy.Refusal?)]>([:])
    private let checked = Mutex<[Checked: Result<OutboundHostPolicy.Destination, OutboundHostPolicy.Refusal>]>([:])
    static let verdictLifetime: TimeInterval = 60
    /// Verdicts remembered at most, of hosts or of URLs; past it they are all forgotten at once.
    static let remembered = 1_000

    private struct Checked: Hashable {
        var url: String
        var platform: Platform
        var isRequest: Bool
    }

    public init(policy: OutboundHostPolicy, resolver: any HostResolver = SystemHostResolver(), now: @escaping @Sendable () -> Date = Date.init) {
        self.policy = policy
        self.resolver = resolver
        self.now = now
    }

    /// Nil when `url` may be called for `platform`, else why not. `isRequest`: the URL of a
    /// request (a query allowed), not a base URL.
    public func refusal(of url: String, platform: Platform, isRequest: Bool = false) async -> OutboundHostPolicy.Refusal? {
        let destination: OutboundHostPolicy.Destination
        switch check(Checked(url: url, platform: platform, isRequest: isRequest)) {
        case .failure(let refusal): return refusal
        case .success(let allowed): destination = allowed
        }
        if policy.allowsInternalAddresses { return nil }
        let time = now()
        if let known = verdicts.withLock({ $0[destination] }), time.timeIntervalSince(known.checkedAt) < Self.verdictLifetime {
            return known.refusal
        }
        let addresses = await resolver.addresses(of: destination.host)
        let refusal = policy.check(addresses, of: destination)
        // A name that resolved to nothing is asked again next time, not remembered as harmless.
        guard !addresses.isEmpty else { return refusal }
        Self.remember((time, refusal), for: destination, in: verdicts)
        return refusal
    }

    private func check(_ key: Checked) -> Result<OutboundHostPolicy.Destination, OutboundHostPolicy.Refusal> {
        if let known = checked.withLock({ $0[key] }) { return known }
        let verdict = policy.check(key.url, platform: key.platform, isRequest: key.isRequest)
        Self.remember(verdict, for: key, in: checked)
        return verdict
    }

    private static func remember<Key: Hashable & Sendable, Value: Sendable>(_ value: Value, for key: Key, in cache: borrowing Mutex<[Key: Value]>) {
        cache.withLock { cache in
            if cache.count > remembered { cache.removeAll() }
            cache[key] = value
        }
    }
}
