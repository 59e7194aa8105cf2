import Foundation
import UserSyncDomain
import UserSyncSimulator
import UserSyncTestSupport

/// One run: the deployment and organization set up, the conversations opened, then one phase of
/// messages per offered rate, each waited for until delivered (or stalled) and counted.
struct RelayBench: Sendable {
    let db: TestDatabase
    let platforms: SimulatedPlatforms
    let plan: RelayPlan
    static let organization = BenchmarkDeployment.organization

    /// Where `usersync work` serves its metrics.
    let workerMetricsPort = Int.random(in: 20_000...32_000)  // below the ephemeral range

    func measure() async throws -> [String: Double] {
        _ = platforms.simulator.createOrganization(name: Self.organization, seed: 14, size: plan.people)
        let deployment = try await BenchmarkDeployment.start(
            db: db, platforms: platforms, binary: plan.binary, people: plan.people,
            environment: [
                "USERSYNC_WORKER_CONCURRENCY": String(plan.concurrency), "USERSYNC_WORKER_METRICS_PORT": String(workerMetricsPort),
                // Teams activities are signed with the simulator's Bot Framework keys.
                "USERSYNC_BOT_FRAMEWORK_OPENID_URL": platforms.baseURL + "/botframework/v1/.well-known/openidconfiguration",
            ])
        defer { deployment.stop() }
        var report: [String: Double] = [
            "people": Double(plan.people), "conversations": Double(plan.conversations),
            "messages_per_conversation_per_phase": Double(plan.messages), "worker_concurrency": Double(plan.concurrency),
        ]
        let setupStarted = ContinuousClock.now
        let setup = try await prepare(deployment)
        report["setup_seconds"] = (ContinuousClock.now - setupStarted).seconds
        report.merge(setup.syncStatuses) { $1 }

        // Each conversation opens with one message addressed to the Teams person; the Teams side
        // answers in the thread of what it received, the Slack side in the thread of its opener.
        var pairs = setup.pairs
        let openers = pairs.map { Tag(conversation: $0.index, fromSlack: true, number: 0) }
        let (opening, openedOn) = try await phase("opening", openers, rate: plan.rates.first { $0 > 0 } ?? 0, pairs, deployment)
        report.merge(opening) { $1 }
        for index in pairs.indices {
            pairs[index].slackThread = openedOn.written[openers[index]]?.id
            pairs[index].teamsThread = openedOn.delivered[openers[index]]?.first?.id
        }
        let open = pairs.filter { $0.slackThread != nil && $0.teamsThread != nil }
        report["conversations_not_opened"] = Double(pairs.count - open.count)
        guard !open.isEmpty else { throw BenchmarkFailure("no conversation was opened: no opening message reached Teams") }
        // A deployment's autovacuum analyzes the relay's tables within its first minute; a run
        // this short would otherwise measure plans made for the empty tables of a new database.
        try await db.adminQuery("ANALYZE")

        var round = 1
        for (index, rate) in plan.rates.enumerated() {
            // Message k of the phase goes to conversation k % n; each conversation alternates
            // sides, Teams first (it answers the opener).
            let tags = (0..<plan.messages).flatMap { step in
                open.map { Tag(conversation: $0.index, fromSlack: (round + step) % 2 == 0, number: round + step) }
            }
            round += plan.messages
            let name = (rate > 0 ? "at_\(rate)_per_s" : "at_once") + (plan.rates.prefix(index).contains(rate) ? "_\(index + 1)" : "")
            report.merge(try await phase(name, tags, rate: rate, open, deployment).figures) { $1 }
        }

        report.merge(try await ledgerCounts(deployment, key: setup.key)) { $1 }
        report.merge(try await jobFigures()) { $1 }
        report["event_requests_not_answered_2xx"] = Double(
            platforms.simulator.eventDeliveries().filter { !(200..<300).contains($0.status ?? 0) }.count)
        report["serve_peak_rss_mib"] = BenchmarkSupport.peakResidentMiB(deployment.serve.processIdentifier)
        report["work_peak_rss_mib"] = BenchmarkSupport.peakResidentMiB(deployment.work.processIdentifier)
        try deployment.checkAlive()
        return report.mapValues { ($0 * 1000).rounded() / 1000 }
    }

    /// Writes `tags` at `rate` (0: at once), waits for them to arrive, and counts them, each
    /// figure named `<name>_…`.
    func phase(
        _ name: String, _ tags: [Tag], rate: Int, _ pairs: [Pair], _ deployment: BenchmarkDeployment
    ) async throws -> (figures: [String: Double], observed: Observed) {
        progress("\(name): writing \(tags.count) messages " + (rate > 0 ? "at \(rate) a second" : "at once"))
        let work = try await DatabaseWork.now(db)
        let usage = try await self.usage(deployment)
        let before = delivered()
        let started = ContinuousClock.now
        try await write(tags, rate: rate, pairs: Dictionary(uniqueKeysWithValues: pairs.map { ($0.index, $0) }))
        progress("\(name): written in \(String(format: "%.2f", (ContinuousClock.now - started).seconds)) s; waiting for them to arrive")
        let arrived = try await waitForDeliveries(before + tags.count, deployment: deployment)
        if !arrived { progress("\(name): deliveries stalled; reporting what did not arrive") }
        let observed = Observed(
            slack: platforms.simulator.chatMessages(organization: Self.organization, platform: .slack),
            teams: platforms.simulator.chatMessages(organization: Self.organization, platform: .teams))
        let used = try await self.usage(deployment)
        // The next phase starts with the worker idle: the delivery jobs left behind (one was
        // queued per event; the first to hold a conversation delivered the others' messages) run.
        let leftover = try await deliveryJobsLeft(), draining = ContinuousClock.now
        progress("\(name): \(leftover) delivery jobs left to run")
        let drainSeconds = try await waitForIdleWorker(deployment) ? (ContinuousClock.now - draining).seconds : -1
        // What the phase asked of the database, those jobs included, before the ledger is read.
        let worked = try await DatabaseWork.now(db).since(work, per: tags.count, unit: "message")
        let figures = PhaseFigures(tags: tags, observed: observed, ledger: try await ledgerTimes())
        if !figures.missing.isEmpty {
            progress("\(name): not delivered: " + figures.missing.prefix(10).map(\.text).joined(separator: ", "))
        }
        progress("\(name): done")
        var report = figures.report(name).merging(used.since(usage).merging(worked) { $1 }.map { ("\(name)_\($0.key)", $0.value) }) { $1 }
        report["\(name)_delivery_jobs_left_when_delivered"] = Double(leftover)
        report["\(name)_seconds_to_run_jobs_left"] = drainSeconds
        return (report, observed)
    }

    /// Waits until no delivery job is queued or running; false when their number stopped falling
    /// for the plan's stall time.
    func waitForIdleWorker(_ deployment: BenchmarkDeployment) async throws -> Bool {
        var last = try await deliveryJobsLeft(), changed = ContinuousClock.now
        while last > 0 {
            try deployment.checkAlive()
            guard ContinuousClock.now - changed < plan.stall else { return false }
            try await Task.sleep(for: .milliseconds(200))
            let now = try await deliveryJobsLeft()
            if now < last { (last, changed) = (now, ContinuousClock.now) }
        }
        return true
    }

    /// Writes each message when it is due (message k at k/rate seconds), or all at once.
    func write(_ tags: [Tag], rate: Int, pairs: [Int: Pair]) async throws {
        let interval = rate > 0 ? Duration.seconds(1) / rate : .zero
        let started = ContinuousClock.now
        for (k, tag) in tags.enumerated() {
            if rate > 0 {
                let due = started + interval * k
                if due > ContinuousClock.now { try await Task.sleep(until: due, clock: .continuous) }
            } else if k % 100 == 0 {
                await Task.yield()  // the simulator's own tasks (sending the events) run meanwhile
            }
            guard let pair = pairs[tag.conversation] else { continue }
            let write =
                if tag.fromSlack {
                    SimChatWrite(
                        from: pair.slackUser, to: "bot", text: tag.number == 0 ? "\(pair.teamsEmail): \(tag.text)" : tag.text,
                        thread: pair.slackThread)
                } else {
                    SimChatWrite(from: pair.teamsUser, to: "bot", text: "<p>\(tag.text)</p>", thread: pair.teamsThread)
                }
            do {
                _ = try platforms.simulator.writeMessage(organization: Self.organization, platform: tag.fromSlack ? .slack : .teams, write)
            } catch {
                throw BenchmarkFailure("the simulator refused to write \(tag.text): \(error)")
            }
        }
    }

    /// Messages the app's bot posted so far, on both platforms.
    func delivered() -> Int {
        [Platform.slack, .teams].reduce(0) { sum, platform in
            sum + platforms.simulator.chatMessageCount(organization: Self.organization, platform: platform) { $0.author == "bot" }
        }
    }

    /// Waits until the bot posted `count` messages in all; false when no more arrived for the
    /// plan's stall time.
    func waitForDeliveries(_ count: Int, deployment: BenchmarkDeployment) async throws -> Bool {
        var last = delivered(), changed = ContinuousClock.now
        while last < count {
            try deployment.checkAlive()
            guard ContinuousClock.now - changed < plan.stall else { return false }
            try await Task.sleep(for: .milliseconds(200))
            let now = delivered()
            if now != last { (last, changed) = (now, ContinuousClock.now) }
        }
        return true
    }
}

/// One conversation: a Slack-only person and a Teams-only person, each with the other's stand-in.
struct Pair: Sendable {
    let index: Int
    let slackUser: String
    let teamsUser: String
    let teamsEmail: String
    /// The Slack person's opener, the thread of their follow-ups.
    var slackThread: String?
    /// The opener as it arrived on Teams, the thread of the Teams person's answers.
    var teamsThread: String?
}
