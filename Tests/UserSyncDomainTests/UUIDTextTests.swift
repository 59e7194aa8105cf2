import Foundation
import Testing
import UserSyncDomain

@Suite struct UUIDTextTests {
    @Test func readsAndWritesWhatFoundationDoes() {
        for _ in 0..<1_000 {
            let uuid = UUID()
            #expect(uuid.lowercasedText == uuid.uuidString.lowercased())
            #expect(UUID(text: uuid.uuidString) == uuid)
            #expect(UUID(text: uuid.lowercasedText) == uuid)
        }
    }

    @Test func readsSubstrings() {
        let text = "id=3F2504E0-4f89-11d3-9A0C-0305e82c3301;"
        let id = text.dropFirst(3).dropLast()
        #expect(UUID(text: id) == UUID(uuidString: "3f2504e0-4f89-11d3-9a0c-0305e82c3301"))
        #expect(UUID(text: id)?.lowercasedText == "3f2504e0-4f89-11d3-9a0c-0305e82c3301")
    }

    @Test(arguments: [
        "", "3f2504e0-4f89-11d3-9a0c-0305e82c330", "3f2504e0-4f89-11d3-9a0c-0305e82c33011",
        "3f2504e04f8911d39a0c0305e82c3301", "3f2504e0-4f89-11d3-9a0c_0305e82c3301", "3f2504e0-4f8911d3-9a0c-0305e82c3301-",
        "3f2504e0-4f89-11d3-9a0c-0305e82c330g", "{3f2504e0-4f89-11d3-9a0c-0305e82c33}", "3f2504e0-4f89-11d3-9a0c-0305e82c33é",
        "-3f2504e04f89-11d3-9a0c-0305e82c3301",
    ])
    func refusesAnythingElse(_ text: String) {
        #expect(UUID(text: text) == nil)
        #expect(UUID(uuidString: text) == nil)
    }
}
