extension ScimFilter {
    /// The filter as `a eq x and b eq y …` on attributes the repository knows, for a repository
    /// that answers exactly that with a `WHERE a = $1 AND b = $2`.
    ///
    /// Everything else is a 400 `invalidFilter` naming what is not supported: `or`, `not`, `pr`,
    /// operators other than `eq`, attributes outside `Attribute`, `null`, and a value of the
    /// wrong type (`active eq "yes"`). Entra and Okta only send conjunctions of `eq`.
    /// A value path with one comparison counts as that comparison on the sub-attribute:
    /// `members[value eq "x"]` is `members.value eq "x"`.
    public func equalities<Attribute: ScimFilterAttribute>(on attribute: Attribute.Type = Attribute.self) throws(ScimError) -> [ScimEquality<
        Attribute
    >] {
        var equalities: [ScimEquality<Attribute>] = []
        for conjunct in conjuncts {
            equalities.append(try conjunct.equality(on: attribute))
        }
        return equalities
    }

    private func equality<Attribute: ScimFilterAttribute>(on _: Attribute.Type) throws(ScimError) -> ScimEquality<Attribute> {
        let (path, op, value): (ScimAttributePath, Operator, Value)
        switch self {
        case .compare(let p, let o, let v): (path, op, value) = (p, o, v)
        case .valuePath(let outer):
            guard case .compare(let inner, let o, let v)? = outer.valueFilter, inner.schema == nil, inner.valueFilter == nil,
                inner.subAttribute == nil
            else {
                throw .invalidFilter("Filtering on '\(self)' is not supported: only a single 'eq' comparison fits in brackets.")
            }
            path = ScimAttributePath(schema: outer.schema, attribute: outer.attribute, subAttribute: inner.attribute)
            (op, value) = (o, v)
        case .present: throw .invalidFilter("The 'pr' operator is not supported ('\(self)'); only 'eq' is.")
        case .or: throw .invalidFilter("'or' is not supported ('\(self)'); only 'eq' comparisons joined with 'and' are.")
        case .not: throw .invalidFilter("'not' is not supported ('\(self)'); only 'eq' comparisons joined with 'and' are.")
        case .and: preconditionFailure("conjuncts never contain an 'and'")
        }
        guard op == .eq else { throw .invalidFilter("Operator '\(op.rawValue)' is not supported on attribute '\(path)'; only 'eq' is.") }
        guard let attribute = Attribute(path: path) else { throw .invalidFilter("Filtering on attribute '\(path)' is not supported.") }
        if attribute.isBoolean {
            // Entra's "True"/"False" strings count, as they do in bodies.
            let json: ScimJSON? =
                switch value {
                case .boolean(let flag): .bool(flag)
                case .string(let text): .string(text)
                default: nil
                }
            guard let flag = json?.lenientBool else { throw .invalidFilter("'\(path)' compares with true or false, not \(value).") }
            return ScimEquality(attribute, .boolean(flag))
        }
        guard case .string(let text) = value else { throw .invalidFilter("'\(path)' compares with a double-quoted string, not \(value).") }
        return ScimEquality(attribute, .string(text))
    }
}
