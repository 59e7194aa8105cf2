import Foundation
import UserSyncDomain

/// Builds a simulated organization from a name, a seed and a number of people. The same inputs
/// always give the same organization. 100,000 people take well under a few seconds.
enum Seeder {
    static let firstNames = [
        "Ada", "Alan", "Grace", "Edsger", "Barbara", "Donald", "Frances", "John", "Margaret", "Ken", "Radia", "Linus",
        "Katherine", "Dennis", "Hedy", "Tim", "Shafi", "Leslie", "Sophie", "Niklaus", "Anita", "Vint", "Joan", "Bjarne",
        "Lynn", "Guido", "Karen", "James", "Mary", "Brian", "Annie", "Robert", "Jean", "Tony", "Evelyn", "Whitfield",
    ]
    static let lastNames = [
        "Lovelace", "Turing", "Hopper", "Dijkstra", "Liskov", "Knuth", "Allen", "McCarthy", "Hamilton", "Thompson",
        "Perlman", "Torvalds", "Johnson", "Ritchie", "Lamarr", "Berners-Lee", "Goldwasser", "Lamport", "Wilson", "Wirth",
        "Borg", "Cerf", "Clarke", "Stroustrup", "Conway", "van Rossum", "Jones", "Gosling", "Keller", "Kernighan",
    ]

    /// How many platforms a person is on: many on one or two, some on three or four.
    static let platformCountWeights: [(count: Int, weight: Double)] = [(1, 0.45), (2, 0.35), (3, 0.14), (4, 0.06)]
    static let platformWeights: [(Platform, Double)] = [(.slack, 0.35), (.teams, 0.35), (.zoom, 0.15), (.webex, 0.15)]

    static func organization(name: String, seed: UInt64, size: Int) -> SimOrganization {
        var random = SeededRandom(seed: seed ^ stableHash(name))
        let domain = "\(name.lowercased().filter { $0.isLetter || $0.isNumber }).example.com"
        let credentials = makeCredentials(name: name, seed: seed, random: &random)
        var directories: [Platform: SimPlatformDirectory] = [:]
        for platform in Platform.allCases { directories[platform] = SimPlatformDirectory() }

        for person in 0..<size {
            let first = firstNames[Int(random.next() % UInt64(firstNames.count))]
            let last = lastNames[Int(random.next() % UInt64(lastNames.count))]
            let local = "\(first).\(last)".lowercased().replacingOccurrences(of: " ", with: "")
            let email = "\(local).\(person)@\(domain)"
            for platform in platforms(for: &random) {
                var account = SimAccount(
                    id: accountID(platform, &random), emails: [spelled(email, &random)], firstName: first, lastName: last,
                    displayName: "\(first) \(last)")
                account.active = !random.chance(0.03)
                account.pending = account.active && platform != .teams && random.chance(0.01)
                switch platform {
                case .slack:
                    account.guest = random.chance(0.02)
                case .teams:
                    account.mailIsNull = random.chance(0.08)
                    if random.chance(0.02) { account.guest = true }
                case .webex:
                    if random.chance(0.10) { account.emails.append("\(local).\(person)@alt.\(domain)") }
                    account.guest = random.chance(0.01)
                case .zoom:
                    break
                }
                directories[platform]!.append(account)
            }
        }
        addBots(to: &directories, size: size, domain: domain, random: &random)
        for platform in Platform.allCases { addTeams(to: &directories[platform]!, platform: platform, size: size, random: &random) }
        assignAdmins(&directories)
        return SimOrganization(
            name: name, seed: seed, size: size, credentials: credentials, directories: directories, domain: domain)
    }

    private static func platforms(for random: inout SeededRandom) -> [Platform] {
        var roll = Double(random.next() >> 11) / Double(1 << 53)
        var count = 1
        for (candidate, weight) in platformCountWeights {
            if roll < weight {
                count = candidate
                break
            }
            roll -= weight
        }
        var chosen: [Platform] = []
        while chosen.count < count {
            var pick = Double(random.next() >> 11) / Double(1 << 53)
            for (platform, weight) in platformWeights {
                if pick < weight {
                    if !chosen.contains(platform) { chosen.append(platform) }
                    break
                }
                pick -= weight
            }
        }
        return chosen
    }

    /// The same address as another platform may spell it: different case, stray spaces.
    private static func spelled(_ email: String, _ random: inout SeededRandom) -> String {
        if random.chance(0.10) { return email.prefix(1).uppercased() + email.dropFirst() }
        if random.chance(0.04) { return " \(email) " }
        if random.chance(0.03) { return email.uppercased() }
        return email
    }

    static func accountID(_ platform: Platform, _ random: inout SeededRandom) -> String {
        switch platform {
        case .slack: "U" + random.alphanumeric(10).uppercased()
        case .teams: random.guid()
        case .zoom: random.alphanumeric(22)
        case .webex: Data("ciscospark://us/PEOPLE/\(random.guid())".utf8).base64EncodedString().replacingOccurrences(of: "=", with: "")
        }
    }

    private static func addBots(
        to directories: inout [Platform: SimPlatformDirectory], size: Int, domain: String, random: inout SeededRandom
    ) {
        for index in 0...(size / 100) {
            var bot = SimAccount(
                id: accountID(.slack, &random), emails: [], firstName: "", lastName: "", displayName: "Bot \(index)")
            bot.bot = true
            directories[.slack]!.append(bot)
        }
        var slackbot = SimAccount(id: "USLACKBOT", emails: [], firstName: "", lastName: "", displayName: "Slackbot")
        slackbot.bot = false  // whether Slack flags it is unconfirmed; connectors must exclude it by id
        directories[.slack]!.append(slackbot)
        for index in 0...(size / 200) {
            var bot = SimAccount(
                id: accountID(.webex, &random), emails: ["bot-\(index)@webex.bot"], firstName: "", lastName: "",
                displayName: "Webex Bot \(index)")
            bot.bot = true
            directories[.webex]!.append(bot)
        }
    }

    private static let teamWords = ["Platform", "Payments", "Design", "Sales", "Support", "Finance", "Research", "Legal", "Ops", "Data"]

    /// Teams with overlapping memberships: every person is in one or two of them.
    private static func addTeams(
        to directory: inout SimPlatformDirectory, platform: Platform, size: Int, random: inout SeededRandom
    ) {
        let count = max(3, size / 50)
        for index in 0..<count {
            let id: String =
                switch platform {
                case .slack: "S" + random.alphanumeric(10).uppercased()
                case .teams: random.guid()
                case .zoom: random.alphanumeric(22)
                case .webex: Data("ciscospark://us/TEAM/\(random.guid())".utf8).base64EncodedString().replacingOccurrences(of: "=", with: "")
                }
            let name = "\(teamWords[index % teamWords.count]) \(index / teamWords.count + 1)"
            directory.teamIndex[id] = directory.teams.count
            directory.teams.append(SimTeam(id: id, name: name, description: "The \(name) team", members: []))
        }
        for index in directory.accounts.indices where !directory.accounts[index].bot {
            let first = Int(random.next() % UInt64(count))
            var memberships = [first]
            if random.chance(0.4) { memberships.append((first + 1 + Int(random.next() % UInt64(count - 1))) % count) }
            for team in memberships {
                directory.teams[team].members.append(index)
                directory.accounts[index].teams.append(team)
            }
        }
        // Webex bots are added to teams like people (they are never people of the organization).
        for index in directory.accounts.indices where directory.accounts[index].bot && platform == .webex {
            directory.teams[0].members.append(index)
            directory.accounts[index].teams.append(0)
        }
    }

    private static func makeCredentials(name: String, seed: UInt64, random: inout SeededRandom) -> SimCredentials {
        let slug = name.lowercased().filter { $0.isLetter || $0.isNumber }
        // Event secrets come from a generator of their own so that the people seeded after the
        // credentials stay the same as before these secrets existed.
        var secrets = SeededRandom(seed: stableHash("\(name)/event-secrets") ^ seed)
        var credentials = SimCredentials(
            slack: .init(
                teamID: "T" + random.alphanumeric(10).uppercased(), teamName: "\(name) workspace",
                botToken: "xoxb-\(slug)-\(random.hex(24))", clientID: "\(random.next() % 1_000_000_000).\(random.next() % 1_000_000_000)",
                clientSecret: random.hex(32), signingSecret: secrets.hex(32)),
            teams: .init(
                tenantID: random.guid(), tenantName: "\(name) tenant", clientID: random.guid(), clientSecret: random.alphanumeric(40),
                teamsAppID: random.guid(), botAppID: ""),
            zoom: .init(
                accountID: random.alphanumeric(22), clientID: random.alphanumeric(20), clientSecret: random.alphanumeric(32),
                chatbotClientID: random.alphanumeric(20), chatbotClientSecret: random.alphanumeric(32),
                robotJID: "v1\(random.alphanumeric(20).lowercased())@xmpp.zoom.us", webhookSecretToken: secrets.alphanumeric(22)),
            webex: .init(
                orgID: Data("ciscospark://us/ORGANIZATION/\(random.guid())".utf8).base64EncodedString()
                    .replacingOccurrences(of: "=", with: ""),
                orgName: "\(name) org", adminToken: "wxadmin-\(slug)-\(random.hex(32))", botToken: "wxbot-\(slug)-\(random.hex(32))",
                clientID: "C" + random.hex(63), clientSecret: random.hex(64)))
        credentials.teams.botAppID = credentials.teams.clientID
        return credentials
    }
}
