import Testing
import UserSyncDomain

@Suite("Where platform requests may go")
struct OutboundHostPolicyTests {
    @Test(
        "addresses inside a network are told apart from public ones",
        arguments: [
            ("127.0.0.1", "loopback"), ("10.1.2.3", "private"), ("172.16.0.1", "private"), ("172.31.255.255", "private"),
            ("192.168.1.1", "private"), ("169.254.169.254", "link_local"), ("100.100.100.200", "shared_address_space"),
            ("0.0.0.0", "unspecified"), ("224.0.0.1", "multicast"), ("255.255.255.255", "reserved"), ("::1", "loopback"),
            ("::", "unspecified"), ("fd00:ec2::254", "private"), ("fe80::1", "link_local"), ("::ffff:10.0.0.1", "private"),
            ("::ffff:169.254.169.254", "link_local"), ("64:ff9b::7f00:1", "loopback"), ("2002:a00:1::", "private"), ("ff02::1", "multicast"),
        ])
    func internalAddresses(address: String, range: String) throws {
        #expect(try #require(IPAddress(address)).internalRange?.rawValue == range)
    }

    @Test("public addresses are public", arguments: ["8.8.8.8", "172.32.0.1", "100.128.0.1", "52.96.0.1", "2606:4700::1111", "::ffff:8.8.8.8"])
    func publicAddresses(address: String) throws {
        #expect(try #require(IPAddress(address)).internalRange == nil)
    }

    @Test("host patterns: names, subdomain wildcards, addresses and ports")
    func patterns() throws {
        let wildcard = try #require(HostPattern(String("*.example.com")))
        #expect(wildcard.matches(host: "api.example.com", port: 443))
        #expect(!wildcard.matches(host: "example.com", port: 443))
        #expect(!wildcard.matches(host: "evilexample.com", port: 443))
        let withPort = try #require(HostPattern(String("127.0.0.1:8090")))
        #expect(withPort.matches(host: "127.0.0.1", port: 8090))
        #expect(!withPort.matches(host: "127.0.0.1", port: 5432))
        #expect(try #require(HostPattern(String("[::1]:80"))).matches(host: "0:0:0:0:0:0:0:1", port: 80))
        #expect(try #require(HostPattern(String("Slack.COM"))).matches(host: "slack.com", port: 1))
        for bad in ["", "http://slack.com", "slack.com/api", "a..b", "host:0", "host:99999", "*.", "[nothost]"] {
            #expect(HostPattern(bad) == nil, "\(bad)")
        }
    }

    @Test("the public defaults allow each platform's clouds and nothing else")
    func publicDefaults() {
        let policy = OutboundHostPolicy()
        #expect(policy.check("https://graph.microsoft.us/v1.0", platform: .teams) == .success(.init(host: "graph.microsoft.us", port: 443)))
        #expect(policy.check("https://slack.com/api", platform: .slack) == .success(.init(host: "slack.com", port: 443)))
        #expect(policy.check("https://api.zoomgov.com/v2", platform: .zoom) == .success(.init(host: "api.zoomgov.com", port: 443)))
        // One platform's host is not another's.
        #expect(policy.check("https://slack.com/api", platform: .teams) == .failure(.hostNotAllowed(host: "slack.com")))
        #expect(
            policy.check("https://graph.microsoft.com.evil.example/v1.0", platform: .teams)
                == .failure(.hostNotAllowed(host: "graph.microsoft.com.evil.example")))
        #expect(policy.check("https://169.254.169.254/latest", platform: .webex) == .failure(.hostNotAllowed(host: "169.254.169.254")))
        #expect(policy.check("http://slack.com/api", platform: .slack) == .failure(.insecure))
        for malformed in [
            "slack.com/api", "ftp://slack.com", "https://user:pw@slack.com/api", "https://slack.com/api?x=1", "https://slack.com/#f", "https://",
        ] {
            #expect(policy.check(malformed, platform: .slack) == .failure(.malformed), "\(malformed)")
        }
    }

    @Test("a host is refused when any address it resolves to is internal")
    func resolvedAddresses() throws {
        let policy = OutboundHostPolicy()
        let destination = OutboundHostPolicy.Destination(host: "graph.microsoft.com", port: 443)
        let outside = try #require(IPAddress("20.190.128.1")), inside = try #require(IPAddress("10.0.0.5"))
        #expect(policy.check([outside], of: destination) == nil)
        #expect(
            policy.check([outside, inside], of: destination)
                == .internalAddress(host: "graph.microsoft.com", address: inside, range: .privateNetwork))
        #expect(policy.check([], of: destination) == nil, "unreachable, which the request reports")
        #expect(
            policy.check("https://graph.microsoft.com/v1.0/users?$top=999", platform: .teams, isRequest: true)
                == .success(destination))
        var permissive = policy
        permissive.allowsInternalAddresses = true
        #expect(permissive.check([inside], of: destination) == nil)
    }
}
