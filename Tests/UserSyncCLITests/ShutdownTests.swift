import AsyncHTTPClient
import Foundation
import Testing
import UserSyncDomain
import UserSyncTestSupport
import UserSyncTesting

#if canImport(Glibc)
    import Glibc
#endif

/// `usersync work` and `usersync serve`, stopped with SIGTERM after real work, again and again:
/// each must exit, with status 0, within its bound (the grace period and a margin), never hang.
@Suite(.serialized) struct ShutdownTests {
    static let rounds = 5

    @Test("a worker stopped in the middle of its jobs exits within the grace period, every time")
    func workersAlwaysExit() async throws {
        try await withTestDatabase { db in
            let org = try await WorkerProcessTests.organization(db)
            for round in 1...Self.rounds {
                // Short jobs that end while others start, and one that outlives the grace period.
                var quick: [Int64] = []
                for index in 0..<30 { quick.append(try await WorkerProcessTests.sleepJob(db, org, milliseconds: 20 + index * 7)) }
                let long = try await WorkerProcessTests.sleepJob(db, org, milliseconds: 120_000)
                let worker = try WorkerProcessTests.startWorker(
                    db,
                    extra: [
                        "USERSYNC_WORKER_GRACE_PERIOD_SECONDS": "2", "USERSYNC_WORKER_CONCURRENCY": "8",
                    ])
                defer { if worker.isRunning { kill(worker.processIdentifier, SIGKILL) } }
                let working = try await eventually(.seconds(60)) {
                    let longJob = try await WorkerProcessTests.job(db, long), quickJob = try await WorkerProcessTests.job(db, quick[5])
                    return longJob.state == .running && quickJob.state == .succeeded
                }
                #expect(working, "round \(round): the worker did not get to work")
                let stopped = ContinuousClock.now
                let exited = ChildProcess.stop(worker, name: "usersync work (round \(round))", within: .seconds(60))
                #expect(exited, "round \(round): usersync work did not exit within 60 s of SIGTERM")
                #expect(worker.terminationStatus == 0, "round \(round)")
                // Grace period 2 s, then the long job is given back; the margin is for a busy machine.
                #expect(ContinuousClock.now - stopped < .seconds(30), "round \(round): \(ContinuousClock.now - stopped)")
                #expect(try await WorkerProcessTests.job(db, long).state == .queued, "round \(round): the long job was given back")
                try await db.adminQuery("DELETE FROM jobs")
            }
        }
    }

    @Test("serve stopped while answering requests exits promptly, every time")
    func serveAlwaysExits() async throws {
        try await withTestDatabase { db in
            for round in 1...Self.rounds {
                let port = Int.random(in: 20_000...32_000)  // below the ephemeral range
                let serve = Process()
                serve.executableURL = CommandLineTests.binary
                serve.arguments = ["serve"]
                serve.currentDirectoryURL = FileManager.default.temporaryDirectory
                serve.environment = CommandLineTests.environment(db).merging([
                    "USERSYNC_SQL_DIR": TestEnvironment.sqlDirectory.path, "PATH": "/usr/bin:/bin", "USERSYNC_HTTP_PORT": String(port),
                    "USERSYNC_LOG_LEVEL": "warning",
                ]) { $1 }
                serve.standardOutput = FileHandle.nullDevice
                serve.standardError = FileHandle.nullDevice
                try serve.run()
                defer { if serve.isRunning { kill(serve.processIdentifier, SIGKILL) } }
                let base = "http://127.0.0.1:\(port)"
                let ready = try await eventually(.seconds(60)) {
                    (try? await HTTPClient.shared.execute(HTTPClientRequest(url: "\(base)/healthz"), timeout: .seconds(5)))?.status == .ok
                }
                #expect(ready, "round \(round): serve did not answer")
                // Requests in flight while the signal arrives (AsyncHTTPClient: FoundationNetworking's
                // URLSession can deadlock when a task is cancelled as a request fails).
                let request = {
                    var request = HTTPClientRequest(url: "\(base)/v1/orgs")
                    request.headers.add(name: "Authorization", value: "Bearer \(String(repeating: "o", count: 40))")
                    return request
                }()
                let load = Task {
                    for _ in 0..<200 where !Task.isCancelled { _ = try? await HTTPClient.shared.execute(request, timeout: .seconds(5)) }
                }
                #expect(try await HTTPClient.shared.execute(request, timeout: .seconds(30)).status == .ok)
                let stopped = ContinuousClock.now
                let exited = ChildProcess.stop(serve, name: "usersync serve (round \(round))", within: .seconds(60))
                load.cancel()
                #expect(exited, "round \(round): usersync serve did not exit within 60 s of SIGTERM")
                #expect(serve.terminationStatus == 0, "round \(round)")
                #expect(ContinuousClock.now - stopped < .seconds(30), "round \(round): \(ContinuousClock.now - stopped)")
            }
        }
    }
}

extension ShutdownTests {
    @Test("a worker whose metrics port is taken stops at once with the error, every time (it used to hang now and then)")
    func aWorkerThatCannotServeItsMetricsStops() async throws {
        try await withTestDatabase { db in
            let taken = try ListeningSocket()
            defer { taken.close() }
            for round in 1...20 {
                let worker = Process()
                worker.executableURL = CommandLineTests.binary
                worker.arguments = ["work"]
                worker.environment = CommandLineTests.environment(db).merging([
                    "USERSYNC_SQL_DIR": TestEnvironment.sqlDirectory.path, "PATH": "/usr/bin:/bin",
                    "USERSYNC_WORKER_METRICS_PORT": String(taken.port), "USERSYNC_LOG_LEVEL": "critical",
                ]) { $1 }
                let errors = Pipe()
                worker.standardOutput = FileHandle.nullDevice
                worker.standardError = errors
                try worker.run()
                let exited = try await eventually(.seconds(60)) { !worker.isRunning }
                if worker.isRunning { ChildProcess.stop(worker, name: "usersync work (round \(round))", within: .seconds(1)) }
                #expect(exited, "round \(round): usersync work did not stop within 60 s")
                #expect(worker.terminationReason == .exit && worker.terminationStatus == 1, "round \(round)")
                let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                #expect(message.contains("Address already in use"), "round \(round): \(message)")
            }
        }
    }
}

/// A TCP port on 127.0.0.1 that this process listens on, so nothing else can.
private struct ListeningSocket {
    let descriptor: Int32
    let port: Int

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.descriptor = descriptor
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(descriptor, socketAddress, length) == 0 && listen(descriptor, 1) == 0
                    && getsockname(descriptor, socketAddress, &length) == 0
            }
        }
        guard bound else { throw POSIXError(.EADDRINUSE) }
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    func close() { _ = Glibc.close(descriptor) }
}
