import Foundation
import Testing
import UserSyncDomain

@Suite struct CredentialCacheStateTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)
    let hash = Data("hash".utf8)

    func admission(key: APIKeyID = .random(), organization: OrganizationID = .random()) -> KeyAdmission {
        KeyAdmission(
            key: APIKey(
                id: key, organizationID: organization, name: "k", role: .admin, hint: "usk_", createdBy: "operator",
                createdAt: start, lastUsedAt: nil, revokedAt: nil),
            organization: Organization(id: organization, slug: try! Slug(validating: "acme"), name: "Acme", createdAt: start, updatedAt: start))
    }

    func listeningState(lifetime: TimeInterval = 30, capacity: Int = 100) -> CredentialCacheState {
        var state = CredentialCacheState(lifetime: lifetime, capacity: capacity)
        state.startListening()
        return state
    }

    @Test func nothingIsServedWhileNotListening() {
        var state = CredentialCacheState(lifetime: 30)
        state.store(admission(), for: hash, ticket: state.ticket, now: start)
        #expect(state.lookup(hash, now: start) == nil && state.count == 0)
    }

    @Test func anEntryServesForItsLifetime() {
        var state = listeningState()
        let admitted = admission()
        state.store(admitted, for: hash, ticket: state.ticket, now: start)
        #expect(state.lookup(hash, now: start.addingTimeInterval(29)) == admitted)
        #expect(state.lookup(hash, now: start.addingTimeInterval(30)) == nil)
        #expect(state.count == 0)
    }

    @Test func aClockThatWentBackDoesNotExtendAnEntry() {
        var state = listeningState()
        state.store(admission(), for: hash, ticket: state.ticket, now: start)
        #expect(state.lookup(hash, now: start.addingTimeInterval(-1)) == nil)
    }

    @Test func lifetimeZeroTurnsTheCacheOff() {
        var state = listeningState(lifetime: 0)
        state.store(admission(), for: hash, ticket: state.ticket, now: start)
        #expect(state.lookup(hash, now: start) == nil)
    }

    @Test func aReadThatBeganBeforeAChangeIsNotStored() {
        var state = listeningState()
        let admitted = admission()
        let ticket = state.ticket
        state.apply(.key(admitted.key.id))
        state.store(admitted, for: hash, ticket: ticket, now: start)
        #expect(state.lookup(hash, now: start) == nil)
        state.store(admitted, for: hash, ticket: state.ticket, now: start)
        #expect(state.lookup(hash, now: start) == admitted)
    }

    @Test func changesDropTheEntriesTheyTouch() {
        var state = listeningState()
        let organization = OrganizationID.random()
        let first = admission(organization: organization), second = admission(organization: organization), other = admission()
        let hashes = [Data("1".utf8), Data("2".utf8), Data("3".utf8)]
        for (entry, hash) in zip([first, second, other], hashes) { state.store(entry, for: hash, ticket: state.ticket, now: start) }

        state.apply(.key(first.key.id))
        #expect(state.lookup(hashes[0], now: start) == nil && state.lookup(hashes[1], now: start) == second)
        state.apply(.organization(organization))
        #expect(state.lookup(hashes[1], now: start) == nil && state.lookup(hashes[2], now: start) == other)
    }

    @Test func aConnectionsChangeTouchesNoKey() {
        var state = listeningState()
        let admitted = admission()
        state.store(admitted, for: hash, ticket: state.ticket, now: start)
        let ticket = state.ticket
        state.apply(.connection(.random()))
        #expect(state.lookup(hash, now: start) == admitted && state.ticket == ticket)
    }

    @Test func losingTheListenerForgetsEverything() {
        var state = listeningState()
        state.store(admission(), for: hash, ticket: state.ticket, now: start)
        let ticket = state.ticket
        state.stopListening()
        #expect(state.count == 0 && !state.listening)
        state.startListening()
        state.store(admission(), for: hash, ticket: ticket, now: start)
        #expect(state.count == 0, "a read from before the listener was lost is not stored")
    }

    @Test func aFullCacheStartsOver() {
        var state = listeningState(capacity: 2)
        for n in 0..<3 { state.store(admission(), for: Data([UInt8(n)]), ticket: state.ticket, now: start) }
        #expect(state.count == 1 && state.lookup(Data([2]), now: start) != nil)
    }

    @Test func aUseIsWrittenAtMostOncePerResolution() {
        var state = listeningState()
        var admitted = admission()
        #expect(admitted.key.lastUseIsStale(at: start))
        state.store(admitted, for: hash, ticket: state.ticket, now: start)
        state.noteUse(hash, at: start)
        admitted = state.lookup(hash, now: start.addingTimeInterval(10))!
        #expect(admitted.key.lastUsedAt == start)
        #expect(!admitted.key.lastUseIsStale(at: start.addingTimeInterval(59)))
        #expect(admitted.key.lastUseIsStale(at: start.addingTimeInterval(60)))
    }

    @Test(arguments: [
        ("key:6f1c2a52-3c9e-4d8e-9a57-0b8e8f7c1d2e", true), ("org:6F1C2A52-3C9E-4D8E-9A57-0B8E8F7C1D2E", true),
        ("connection:6f1c2a52-3c9e-4d8e-9a57-0b8e8f7c1d2e", true), ("key:nope", false), ("user:6f1c2a52-3c9e-4d8e-9a57-0b8e8f7c1d2e", false),
        ("", false),
    ])
    func payloads(payload: String, readable: Bool) {
        #expect((AccessChange(payload: payload) != nil) == readable)
    }
}
