import UserSyncDomain

/// A filter's `eq … and eq …` as at most one value per attribute, which a fixed statement binds
/// (`$n IS NULL OR column = $n`). Two different values for one attribute match nothing, and
/// the statement is not run at all.
struct ScimCriteria<Attribute: ScimFilterAttribute> {
    private(set) var values: [Attribute: ScimEquality<Attribute>.Value] = [:]
    private(set) var matchesNothing = false

    init(_ equalities: [ScimEquality<Attribute>]) {
        for equality in equalities {
            guard let present = values[equality.attribute] else {
                values[equality.attribute] = equality.value
                continue
            }
            if !Self.same(present, equality.value, caseExact: equality.attribute.isCaseExact) { matchesNothing = true }
        }
    }

    /// The string an attribute must equal, if the filter names it.
    func string(_ attribute: Attribute) -> String? {
        if case .string(let text)? = values[attribute] { return text }
        return nil
    }

    func boolean(_ attribute: Attribute) -> Bool? {
        if case .boolean(let flag)? = values[attribute] { return flag }
        return nil
    }

    private static func same(_ a: ScimEquality<Attribute>.Value, _ b: ScimEquality<Attribute>.Value, caseExact: Bool) -> Bool {
        switch (a, b) {
        case (.string(let x), .string(let y)): caseExact ? x == y : x.lowercased() == y.lowercased()
        default: a == b
        }
    }
}
