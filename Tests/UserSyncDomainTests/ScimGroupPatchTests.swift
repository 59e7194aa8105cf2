import Foundation
import Testing
import UserSyncDomain

@Suite struct ScimGroupPatchTests {
    func changes(_ operations: String) throws -> [ScimGroupChange] {
        try ScimPatchRequest.decode(patchBody(operations)).groupChanges()
    }

    func refusal(_ operations: String) -> String? {
        scimError { try ScimPatchRequest.decode(patchBody(operations)).groupChanges() }.map { "\($0.status) \($0.scimType!.rawValue): \($0.detail)" }
    }

    @Test func entraAddsMembersWithAValueArray() throws {
        #expect(
            try changes(#"[{"op": "Add", "path": "members", "value": [{"$ref": null, "value": "id1"}, {"value": "id2"}, {"value": "id1"}]}]"#)
                == [.addMembers(["id1", "id2"])])
    }

    @Test func entraRemovesAMemberWithAValueArray() throws {
        #expect(try changes(#"[{"op": "Remove", "path": "members", "value": [{"value": "u1091"}]}]"#) == [.removeMembers(["u1091"])])
        #expect(try changes(#"[{"op": "Remove", "path": "members", "value": []}]"#) == [])
    }

    @Test func oktaRemovesAMemberByFilter() throws {
        #expect(
            try changes(#"[{"op": "remove", "path": "members[value eq \"7f4bc1a3-285e-48ae-8202-5accb43efb0e\"]"}]"#)
                == [.removeMembers(["7f4bc1a3-285e-48ae-8202-5accb43efb0e"])])
        #expect(try changes(#"[{"op": "remove", "path": "members[value eq \"a\" or Value eq \"b\"]"}]"#) == [.removeMembers(["a", "b"])])
    }

    @Test func removeWithoutAValueEmptiesTheGroupAndReplaceSetsIt() throws {
        #expect(try changes(#"[{"op": "remove", "path": "members"}]"#) == [.removeAllMembers])
        #expect(
            try changes(#"[{"op": "replace", "path": "members", "value": [{"value": "u1"}, {"value": "u2"}]}]"#) == [.replaceMembers(["u1", "u2"])])
        #expect(try changes(#"[{"op": "replace", "path": "members", "value": []}]"#) == [.replaceMembers([])])
    }

    @Test func theNameIsReplacedByPathOrByOktasValueObject() throws {
        #expect(
            try changes(#"[{"op": "Replace", "path": "displayName", "value": "1879db59updatedDisplayName"}]"#) == [
                .displayName("1879db59updatedDisplayName")
            ])
        #expect(
            try changes(#"[{"op": "replace", "value": {"id": "abf4dd94-a4c0-4f67-89c9-76b03340cb9b", "displayName": "Test SCIMv2"}}]"#)
                == [.displayName("Test SCIMv2")])
        #expect(
            try changes(#"[{"op": "add", "value": {"externalId": "ext-1", "members": [{"value": "u3"}]}}]"#)
                == [.externalId("ext-1"), .addMembers(["u3"])])
    }

    @Test func aSequenceAppliesInOrder() throws {
        let stored = ScimGroupInput(displayName: "Engineering", members: [.init(value: "u1", display: "Ada"), .init(value: "u2")])
        let patch = try changes(
            #"""
            [{"op": "Add", "path": "members", "value": [{"value": "u3"}, {"value": "u1"}]},
             {"op": "Remove", "path": "members", "value": [{"value": "u2"}]},
             {"op": "remove", "path": "members[value eq \"u404\"]"},
             {"op": "Replace", "path": "displayName", "value": "Eng"},
             {"op": "Remove", "path": "externalId"}]
            """#)
        #expect(stored.applying(patch) == ScimGroupInput(displayName: "Eng", members: [.init(value: "u1", display: "Ada"), .init(value: "u3")]))
        #expect(stored.applying([.removeAllMembers, .addMembers(["u9"])]).members == [.init(value: "u9")])
    }

    @Test func badGroupOperationsAreRefused() {
        #expect(
            refusal(#"[{"op": "remove", "path": "displayName"}]"#)
                == "400 mutability: Operations[0] (remove displayName): displayName is required and cannot be removed.")
        #expect(
            refusal(#"[{"op": "add", "path": "members[value eq \"u1\"]", "value": [{"value": "u1"}]}]"#)
                == #"400 invalidPath: Operations[0] (add members[value eq "u1"]): a member filter only selects members to remove; add "members" instead."#
        )
        #expect(
            refusal(#"[{"op": "remove", "path": "members[display eq \"Ada\"]"}]"#)
                == #"400 invalidPath: Operations[0] (remove members[display eq "Ada"]): members can only be selected with value eq "<user id>" (joined with 'or'), not 'display eq "Ada"'."#
        )
        #expect(
            refusal(#"[{"op": "add", "path": "members", "value": ["u1"]}]"#)
                == #"400 invalidValue: Operations[0] (add members) value[0] must be an object {"value": "<user id>"}, got a string."#)
        #expect(
            refusal(#"[{"op": "add", "path": "members", "value": [{"display": "Ada"}]}]"#)
                == "400 invalidValue: Operations[0] (add members) value[0].value is required.")
        #expect(
            refusal(#"[{"op": "replace", "path": "owner", "value": "x"}]"#)
                == "400 invalidPath: Operations[0] (replace owner): 'owner' is not an attribute of the SCIM Group schema.")
        #expect(refusal(#"[{"op": "replace", "path": "id", "value": "x"}]"#) == "400 mutability: Operations[0] (replace id): 'id' is read-only.")
        #expect(
            refusal(#"[{"op": "replace", "path": "displayName", "value": ""}]"#)
                == "400 invalidValue: Operations[0] (replace displayName) value must not be empty.")
        #expect(refusal(#"[{"op": "remove"}]"#) == #"400 noTarget: Operations[0] (remove): a remove needs a "path"."#)
    }
}
