/// A page of a Graph delta round: `@odata.nextLink` on every page but the last, which carries
/// `@odata.deltaLink` instead.
struct GraphDeltaPage: Encodable {
    var context: String
    var value: [AnyCodable]
    var nextLink: String?
    var deltaLink: String?

    enum CodingKeys: String, CodingKey {
        case context = "@odata.context"
        case nextLink = "@odata.nextLink"
        case deltaLink = "@odata.deltaLink"
        case value
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode("https://graph.microsoft.com/v1.0/$metadata#\(context)", forKey: .context)
        try container.encodeIfPresent(nextLink, forKey: .nextLink)
        try container.encodeIfPresent(deltaLink, forKey: .deltaLink)
        try container.encode(value, forKey: .value)
    }
}
