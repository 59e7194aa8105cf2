extension ScimFilterParser {
    /// Splits `urn:…:User:name.givenName` into schema, attribute and sub-attribute. The schema
    /// is everything up to the last ':' (URNs contain ':' and '.', attribute names neither);
    /// the core User and Group URNs are dropped, so `urn:…:core:2.0:User:userName` is `userName`.
    static func split(_ word: String) -> (schema: String?, attribute: String, subAttribute: String?)? {
        var schema: String?
        var rest = Substring(word)
        if word.lowercased().hasPrefix("urn:") {
            guard let colon = word.lastIndex(of: ":") else { return nil }
            let urn = String(word[..<colon])
            schema = ScimSchema.same(urn, ScimSchema.user) || ScimSchema.same(urn, ScimSchema.group) ? nil : urn
            rest = word[word.index(after: colon)...]
        }
        let names = rest.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard (1...2).contains(names.count), names.allSatisfy(isAttributeName) else { return nil }
        return (schema, names[0], names.count == 2 ? names[1] : nil)
    }

    /// RFC 7643 §2.1 ATTRNAME (`ALPHA *(ALPHA / DIGIT / "-" / "_")`), plus a leading `$` for
    /// `$ref`, which the RFC itself uses as a sub-attribute name.
    static func isAttributeName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.isASCIILetter || first == "$" else { return false }
        return name.unicodeScalars.dropFirst().allSatisfy { $0.isASCIILetter || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" }
    }
}

extension Unicode.Scalar {
    fileprivate var isASCIILetter: Bool { ("a"..."z").contains(self) || ("A"..."Z").contains(self) }
}
