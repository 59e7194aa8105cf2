import Testing
import UserSyncDomain

@Suite struct ScimFilterTests {
    typealias User = ScimEquality<ScimUserFilterAttribute>
    typealias Group = ScimEquality<ScimGroupFilterAttribute>

    @Test func oktaAndEntraLookUpUsersByUserName() throws {
        let filter = try ScimFilter.parse(#"userName eq "a@b.c""#)
        #expect(filter == .compare(ScimAttributePath(attribute: "userName"), .eq, .string("a@b.c")))
        #expect(try filter.equalities(on: ScimUserFilterAttribute.self) == [User(.userName, .string("a@b.c"))])
    }

    @Test func namesAndKeywordsAreCaseInsensitive() throws {
        let filter = try ScimFilter.parse(#"USERNAME EQ "A@b.c" AND ExternalID Eq "ada""#)
        #expect(try filter.equalities(on: ScimUserFilterAttribute.self) == [User(.userName, .string("A@b.c")), User(.externalId, .string("ada"))])
        #expect(filter.description == #"USERNAME eq "A@b.c" and ExternalID eq "ada""#)
    }

    @Test func entraMatchesOnTheWorkEmailAndExternalId() throws {
        let email = try ScimFilter.parse(#"emails[type eq "work"].value eq "ada@example.com""#)
        #expect(try email.equalities(on: ScimUserFilterAttribute.self) == [User(.email, .string("ada@example.com"))])
        let external = try ScimFilter.parse(#"externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef""#)
        #expect(try external.equalities(on: ScimUserFilterAttribute.self) == [User(.externalId, .string("0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"))])
        let bracketed = try ScimFilter.parse(#"emails[value eq "ada@example.com"]"#)
        #expect(try bracketed.equalities(on: ScimUserFilterAttribute.self) == [User(.email, .string("ada@example.com"))])
        let core = try ScimFilter.parse(#"urn:ietf:params:scim:schemas:core:2.0:User:userName eq "a@b.c""#)
        #expect(try core.equalities(on: ScimUserFilterAttribute.self) == [User(.userName, .string("a@b.c"))])
    }

    @Test func groupsAreFoundByDisplayNameAndMembership() throws {
        let byName = try ScimFilter.parse(#"displayName eq "Engineering""#)
        #expect(try byName.equalities(on: ScimGroupFilterAttribute.self) == [Group(.displayName, .string("Engineering"))])
        for text in [#"id eq "g1" and members eq "u1""#, #"id eq "g1" and members.value eq "u1""#, #"id eq "g1" and members[value eq "u1"]"#] {
            #expect(
                try ScimFilter.parse(text).equalities(on: ScimGroupFilterAttribute.self) == [
                    Group(.id, .string("g1")), Group(.member, .string("u1")),
                ])
        }
    }

    @Test func userNameAndDisplayNameCompareWithoutCaseAndIdsExactly() {
        #expect(ScimUserFilterAttribute.allCases.filter(\.isCaseExact) == [.id, .externalId])
        #expect(ScimGroupFilterAttribute.allCases.filter { !$0.isCaseExact } == [.displayName])
    }

    @Test func activeComparesAsABoolean() throws {
        #expect(try ScimFilter.parse("active eq true").equalities(on: ScimUserFilterAttribute.self) == [User(.active, .boolean(true))])
        #expect(try ScimFilter.parse(#"active eq "False""#).equalities(on: ScimUserFilterAttribute.self) == [User(.active, .boolean(false))])
        #expect(scimError { try ScimFilter.parse(#"active eq "yes""#).equalities(on: ScimUserFilterAttribute.self) }?.scimType == .invalidFilter)
        #expect(scimError { try ScimFilter.parse("userName eq true").equalities(on: ScimUserFilterAttribute.self) }?.scimType == .invalidFilter)
    }

    @Test func theWholeGrammarParses() throws {
        let filter = try ScimFilter.parse(#"title pr or userType ne "Intern" and not (emails co "@example.org") or meta.version gt 3"#)
        let expected: ScimFilter = .or(
            .or(
                .present(ScimAttributePath(attribute: "title")),
                .and(
                    .compare(ScimAttributePath(attribute: "userType"), .ne, .string("Intern")),
                    .not(.compare(ScimAttributePath(attribute: "emails"), .co, .string("@example.org"))))),
            .compare(ScimAttributePath(attribute: "meta", subAttribute: "version"), .gt, .number(3)))
        #expect(filter == expected)
        #expect(filter.description == #"title pr or userType ne "Intern" and not (emails co "@example.org") or meta.version gt 3"#)
        let grouped = try ScimFilter.parse(#"(userName sw "a" or userName ew "z")and displayName eq null"#)
        #expect(grouped.description == #"(userName sw "a" or userName ew "z") and displayName eq null"#)
        #expect(try ScimFilter.parse(grouped.description) == grouped)
        let valuePath = try ScimFilter.parse(#"emails[type eq "work" and value co "@example.com"]"#)
        #expect(valuePath.description == #"emails[type eq "work" and value co "@example.com"]"#)
    }

    @Test func stringsTakeJSONEscapes() throws {
        let filter = try ScimFilter.parse(#"displayName eq "Ada \"Countess\" Lovelace\\ \u00e9\t\ud83d\ude00\/""#)
        #expect(filter == .compare(ScimAttributePath(attribute: "displayName"), .eq, .string("Ada \"Countess\" Lovelace\\ é\t😀/")))
        #expect(try ScimFilter.parse(filter.description) == filter)
    }

    @Test func whatARepositoryCannotAnswerIsRefusedByName() {
        func refusal(_ text: String) -> String? {
            scimError { try ScimFilter.parse(text).equalities(on: ScimUserFilterAttribute.self) }.map {
                "\($0.status) \($0.scimType!.rawValue): \($0.detail)"
            }
        }
        #expect(refusal(#"userName co "ada""#) == "400 invalidFilter: Operator 'co' is not supported on attribute 'userName'; only 'eq' is.")
        #expect(
            refusal(#"userName eq "a" or userName eq "b""#)
                == #"400 invalidFilter: 'or' is not supported ('userName eq "a" or userName eq "b"'); only 'eq' comparisons joined with 'and' are."#)
        #expect(refusal(#"title eq "CEO""#) == "400 invalidFilter: Filtering on attribute 'title' is not supported.")
        #expect(
            refusal(#"emails[type eq "other"].value eq "a@b.c""#)
                == #"400 invalidFilter: Filtering on attribute 'emails[type eq "other"].value' is not supported."#)
        #expect(refusal("userName pr")?.hasPrefix("400 invalidFilter: The 'pr' operator is not supported") == true)
        #expect(refusal(#"not (userName eq "a")"#)?.hasPrefix("400 invalidFilter: 'not' is not supported") == true)
        #expect(refusal("externalId eq null") == "400 invalidFilter: 'externalId' compares with a double-quoted string, not null.")
    }

    @Test func malformedFiltersSayWhereAndWhat() {
        func detail(_ text: String) -> String? {
            let error = scimError { try ScimFilter.parse(text) }
            #expect(error?.status == 400 && error?.scimType == .invalidFilter, "\(text)")
            return error?.detail
        }
        #expect(detail("") == "Invalid filter: it is empty.")
        #expect(
            detail("userName") == "Invalid filter: expected an operator (eq, ne, co, sw, ew, gt, ge, lt, le or pr) after 'userName', found the end.")
        #expect(
            detail("userName eq")
                == "Invalid filter: expected a value after 'eq' (a double-quoted string, true, false, null or a number), found the end.")
        #expect(
            detail("userName eq a@b.c")
                == "Invalid filter: expected a value after 'eq' (a double-quoted string, true, false, null or a number), found 'a@b.c' at character 13."
        )
        #expect(detail("userName eq 'a@b.c'") == "Invalid filter: Strings must be in double quotes (found ' at character 13).")
        #expect(detail(#"userName eq "a@b.c"#) == "Invalid filter: The string starting at character 13 has no closing double quote.")
        #expect(
            detail(#"userName like "a""#)
                == "Invalid filter: expected an operator (eq, ne, co, sw, ew, gt, ge, lt, le or pr) after 'userName', found 'like' at character 10.")
        #expect(detail(#"userName eq "a" and"#) == "Invalid filter: expected an attribute name, found the end.")
        #expect(detail(#"(userName eq "a""#) == "Invalid filter: expected ')' or 'and'/'or', found the end.")
        #expect(detail(#"userName eq "a")"#) == "Invalid filter: unexpected ')' at character 16.")
        #expect(detail(#"emails[type eq "work""#) == "Invalid filter: expected ']' or 'and'/'or', found the end.")
        #expect(detail(#"emails[type[value eq "x"] eq "work"]"#) == "Invalid filter: a filter in brackets cannot contain another one (character 12).")
        #expect(detail(#"userName eq "\q""#) == #"Invalid filter: Invalid escape '\q' at character 14 in the string starting at character 13."#)
        #expect(
            detail(#"userName eq "\ud83d""#)
                == #"Invalid filter: Invalid \u escape at character 14: it needs four hex digits and a whole surrogate pair."#)
        #expect(
            detail(#"user%Name eq "a""#)
                == "Invalid filter: 'user%Name' at character 1 is not an attribute path (letters, digits, '-', '_', one '.sub', an optional 'urn:…:' schema)."
        )
        #expect(detail("not userName pr") == "Invalid filter: expected '(' after 'not', found 'userName' at character 5.")
    }

    @Test func hostileFiltersAreBounded() {
        let long = #"userName eq ""# + String(repeating: "a", count: ScimFilter.maximumLength) + #"""#
        #expect(scimError { try ScimFilter.parse(long) }?.detail == "Invalid filter: it is longer than 4096 characters.")
        let deep = String(repeating: "(", count: 40) + #"userName eq "a""# + String(repeating: ")", count: 40)
        #expect(scimError { try ScimFilter.parse(deep) }?.detail == "Invalid filter: it nests deeper than 32 levels.")
    }
}
